// requestParameters as CloudTrail writes them: a request body's JSON with member names in lower
// camel case (audit::LowerCamel), except inside maps whose keys are the caller's own (encryption
// contexts, tags, ...), which are copied verbatim; members a service calls secret are written as
// "HIDDEN_DUE_TO_SECURITY_REASONS". KMS and Glue differ only in those two rules.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string_view>

namespace sealstack::audit {

inline constexpr std::string_view kHiddenValue = "HIDDEN_DUE_TO_SECURITY_REASONS";

struct RequestJsonRules {
  bool (*is_verbatim_map)(std::string_view member) = nullptr;  // null: none
  bool (*is_secret)(std::string_view member) = nullptr;        // null: none hidden
};

// Writes v with the rules; verbatim_keys: v's own member names are copied as they are.
void WriteLowerCamel(rapidjson::Writer<rapidjson::StringBuffer>& w, const rapidjson::Value& v,
                     const RequestJsonRules& rules, bool verbatim_keys = false);

}  // namespace sealstack::audit
