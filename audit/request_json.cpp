#include "audit/request_json.h"

#include <string>

#include "audit/event.h"

namespace sealstack::audit {

void WriteLowerCamel(rapidjson::Writer<rapidjson::StringBuffer>& w, const rapidjson::Value& v,
                     const RequestJsonRules& rules, bool verbatim_keys) {
  if (v.IsObject()) {
    w.StartObject();
    for (const auto& m : v.GetObject()) {
      std::string_view name(m.name.GetString(), m.name.GetStringLength());
      std::string key = verbatim_keys ? std::string(name) : LowerCamel(name);
      w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
      if (rules.is_secret != nullptr && rules.is_secret(name)) {
        w.String(kHiddenValue.data(), static_cast<rapidjson::SizeType>(kHiddenValue.size()));
      } else {
        const bool verbatim_map = rules.is_verbatim_map != nullptr && rules.is_verbatim_map(name);
        WriteLowerCamel(w, m.value, rules, !verbatim_keys && verbatim_map);
      }
    }
    w.EndObject();
  } else if (v.IsArray()) {
    w.StartArray();
    for (const auto& e : v.GetArray()) WriteLowerCamel(w, e, rules, false);
    w.EndArray();
  } else {
    v.Accept(w);
  }
}

}  // namespace sealstack::audit
