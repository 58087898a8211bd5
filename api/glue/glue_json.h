// Small helpers over RapidJSON for Glue's request and stored documents (internal to api/glue).
// Validation failures are InvalidInputException in AWS's validation wording.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include "api/glue/glue_errors.h"
#include "common/clock.h"
#include "common/result.h"
#include "crypto/digest.h"

namespace sealstack::api::glue::json {

using rapidjson::Document;
using rapidjson::Value;

inline std::string Lower(std::string_view name) {
  std::string out(name);
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

inline const Value* Find(const Value& o, const char* name) {
  if (!o.IsObject()) return nullptr;
  auto it = o.FindMember(name);
  if (it == o.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

inline Status Missing(const char* name) {
  return InvalidInput("1 validation error detected: Value null at '" + Lower(name) +
                      "' failed to satisfy constraint: Member must not be null");
}

// A string member; "" when absent and optional.
inline Result<std::string> Str(const Value& o, const char* name, bool required, size_t min = 0,
                               size_t max = SIZE_MAX) {
  const Value* v = Find(o, name);
  if (v == nullptr) {
    if (required) return Missing(name);
    return std::string();
  }
  if (!v->IsString()) return InvalidInput("Member " + std::string(name) + " must be a string");
  std::string s(v->GetString(), v->GetStringLength());
  if (s.size() < min || s.size() > max) {
    return InvalidInput("1 validation error detected: Value '" + s + "' at '" + Lower(name) +
                        "' failed to satisfy constraint: Member must have length " +
                        (s.size() < min ? "greater than or equal to " + std::to_string(min)
                                        : "less than or equal to " + std::to_string(max)));
  }
  return s;
}

inline Result<std::optional<int64_t>> Int(const Value& o, const char* name, int64_t min,
                                          int64_t max) {
  const Value* v = Find(o, name);
  if (v == nullptr) return std::optional<int64_t>();
  if (!v->IsInt64()) return InvalidInput("Member " + std::string(name) + " must be an integer");
  int64_t n = v->GetInt64();
  if (n < min || n > max) {
    return InvalidInput("1 validation error detected: Value '" + std::to_string(n) + "' at '" +
                        Lower(name) + "' failed to satisfy constraint: Member must have value " +
                        (n < min ? "greater than or equal to " + std::to_string(min)
                                 : "less than or equal to " + std::to_string(max)));
  }
  return std::optional<int64_t>(n);
}

inline Status Enum(const Value& o, const char* name, std::initializer_list<const char*> allowed,
                   bool required) {
  const Value* v = Find(o, name);
  if (v == nullptr) return required ? Missing(name) : Status::Ok();
  if (v->IsString()) {
    for (const char* a : allowed) {
      if (std::string_view(v->GetString()) == a) return Status::Ok();
    }
  }
  std::string set;
  for (const char* a : allowed) set += std::string(set.empty() ? "" : ", ") + a;
  return InvalidInput("1 validation error detected: Value '" +
                      std::string(v->IsString() ? v->GetString() : "?") + "' at '" + Lower(name) +
                      "' failed to satisfy constraint: Member must satisfy enum value set: [" +
                      set + "]");
}

inline Status ObjectOrAbsent(const Value& o, const char* name) {
  const Value* v = Find(o, name);
  if (v != nullptr && !v->IsObject()) {
    return InvalidInput("Member " + std::string(name) + " must be a structure");
  }
  return Status::Ok();
}

// A map of string to string, or absent.
inline Status StringMap(const Value& o, const char* name) {
  const Value* v = Find(o, name);
  if (v == nullptr) return Status::Ok();
  if (!v->IsObject()) return InvalidInput("Member " + std::string(name) + " must be a map");
  for (const auto& m : v->GetObject()) {
    if (!m.value.IsString()) {
      return InvalidInput("Values of " + std::string(name) + " must be strings");
    }
  }
  return Status::Ok();
}

inline std::string Dump(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

inline Result<Document> Load(const std::string& text) {
  Document d;
  d.Parse(text.c_str(), text.size());
  if (d.HasParseError() || !d.IsObject()) {
    return GlueError(ErrorKind::kInternal, "corrupt Glue document");
  }
  return d;
}

inline double Epoch(SystemTime t) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  return static_cast<double>(us / 1000) / 1000.0;  // milliseconds, as Glue prints them
}

inline void Set(Value& obj, const char* key, Value v, Document::AllocatorType& a) {
  obj.RemoveMember(key);
  obj.AddMember(Value(key, a), v, a);
}
inline void SetStr(Value& obj, const char* key, std::string_view s, Document::AllocatorType& a) {
  Set(obj, key, Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a), a);
}
inline Value StrValue(std::string_view s, Document::AllocatorType& a) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

// Paging tokens: opaque to clients (hex of the last name returned).
inline std::string Token(const std::string& last) {
  return crypto::Hex(last);
}
inline Result<std::string> FromToken(const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string t, Str(in, "NextToken", false));
  if (t.empty()) return t;
  auto raw = crypto::FromHex(t);
  if (!raw) return InvalidInput("Invalid pagination token");
  return *raw;
}

}  // namespace sealstack::api::glue::json
