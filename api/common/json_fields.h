// Members written with a RapidJSON writer the way every stored document and admin view of
// SealStack writes them: a string, a flag, a number, a list of strings, a map of strings, a map
// of counts. One place for the key-then-value pairs and loops that kms_persist, object_doc, the
// console, the seed summary and the posture report each had a copy of.
//
// And the same members read back from a parsed document (ReadJson*): a member that is missing or
// of another type reads as the empty value (or the fallback given), never as an error; the
// documents' own decoders decide what is required.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sealstack::api {

using JsonFieldWriter = rapidjson::Writer<rapidjson::StringBuffer>;

inline void WriteJsonKey(JsonFieldWriter& w, std::string_view key) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}

inline void WriteJsonString(JsonFieldWriter& w, std::string_view key, std::string_view value) {
  WriteJsonKey(w, key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

inline void WriteJsonBool(JsonFieldWriter& w, std::string_view key, bool value) {
  WriteJsonKey(w, key);
  w.Bool(value);
}

inline void WriteJsonInt64(JsonFieldWriter& w, std::string_view key, int64_t value) {
  WriteJsonKey(w, key);
  w.Int64(value);
}

inline void WriteJsonUint64(JsonFieldWriter& w, std::string_view key, uint64_t value) {
  WriteJsonKey(w, key);
  w.Uint64(value);
}

// ["a", "b", ...] in the vector's order.
inline void WriteJsonStringList(JsonFieldWriter& w, std::string_view key,
                                const std::vector<std::string>& values) {
  WriteJsonKey(w, key);
  w.StartArray();
  for (const auto& v : values) w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  w.EndArray();
}

// {"name": "value", ...} in the map's (sorted) order.
inline void WriteJsonStringMap(JsonFieldWriter& w, std::string_view key,
                               const std::map<std::string, std::string>& m) {
  WriteJsonKey(w, key);
  w.StartObject();
  for (const auto& [name, value] : m) WriteJsonString(w, name, value);
  w.EndObject();
}

// {"name": 12, ...} in the map's (sorted) order.
inline void WriteJsonCounts(JsonFieldWriter& w, std::string_view key,
                            const std::map<std::string, int64_t>& m) {
  WriteJsonKey(w, key);
  w.StartObject();
  for (const auto& [name, n] : m) {
    WriteJsonKey(w, name);
    w.Int64(n);
  }
  w.EndObject();
}

// ---- reading

// The string member `key` of `object`, all of it (embedded NULs included); "" when absent or not
// a string.
inline std::string ReadJsonString(const rapidjson::Value& object, const char* key) {
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsString()
             ? std::string(it->value.GetString(), it->value.GetStringLength())
             : std::string();
}

// The flag `key`; false when absent or not a bool.
inline bool ReadJsonBool(const rapidjson::Value& object, const char* key) {
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

// The number `key`; `fallback` when absent or not an int64.
inline int64_t ReadJsonInt64(const rapidjson::Value& object, const char* key,
                             int64_t fallback = 0) {
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : fallback;
}

// The strings of the array `key`, in order, skipping elements that are not strings; empty when
// absent or not an array.
inline std::vector<std::string> ReadJsonStringList(const rapidjson::Value& object,
                                                   const char* key) {
  std::vector<std::string> out;
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsArray()) return out;
  for (const auto& v : it->value.GetArray()) {
    if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

// The string members of the object `key`, skipping members that are not strings; empty when
// absent or not an object. Names and values are read as C strings (up to a first NUL), as the
// encryption contexts and tags of the stored documents always have been.
inline std::map<std::string, std::string> ReadJsonStringMap(const rapidjson::Value& object,
                                                            const char* key) {
  std::map<std::string, std::string> out;
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsObject()) return out;
  for (const auto& m : it->value.GetObject()) {
    if (m.value.IsString()) out[m.name.GetString()] = m.value.GetString();
  }
  return out;
}

}  // namespace sealstack::api
