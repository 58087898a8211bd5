// Members written with a RapidJSON writer the way every stored document and admin view of
// SealStack writes them: a string, a flag, a number, a list of strings, a map of strings, a map
// of counts. One place for the key-then-value pairs and loops that kms_persist, object_doc, the
// console, the seed summary and the posture report each had a copy of.
#pragma once

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

}  // namespace sealstack::api
