// Small helpers over RapidJSON for the documents Glue stores and answers (internal to api/glue).
// Requests are read and validated elsewhere: glue_wire_readers.h, through api/common/json_input.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "api/glue/glue_errors.h"
#include "common/clock.h"
#include "common/result.h"
#include "crypto/digest.h"

namespace sealstack::api::glue::json {

using rapidjson::Document;
using rapidjson::Value;

inline const Value* Find(const Value& o, const char* name) {
  if (!o.IsObject()) return nullptr;
  auto it = o.FindMember(name);
  if (it == o.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

// A string member of a stored document; "" when absent or not a string.
inline std::string Text(const Value& o, const char* name) {
  const Value* v = Find(o, name);
  return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength())
                                       : std::string();
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

// Any JSON value (Load wants an object) from text Glue wrote or validated itself.
inline Result<Document> LoadAny(const std::string& text) {
  Document d;
  d.Parse(text.c_str(), text.size());
  if (d.HasParseError()) return GlueError(ErrorKind::kInternal, "corrupt Glue document");
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

}  // namespace sealstack::api::glue::json
