#include "api/glue/glue_audit.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <unordered_set>

#include "audit/event.h"
#include "audit/request_json.h"
#include "common/strings.h"

namespace sealstack::api::glue {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr size_t kMaxResponseElements = 1024;

// Members whose keys are the caller's own: copied verbatim.
bool IsVerbatimMap(std::string_view name) {
  static const std::unordered_set<std::string_view> kMaps = {"DefaultArguments",
                                                             "NonOverridableArguments",
                                                             "Arguments",
                                                             "Tags",
                                                             "TagsToAdd",
                                                             "ConnectionProperties",
                                                             "Parameters",
                                                             "AthenaProperties",
                                                             "SparkProperties",
                                                             "PythonProperties",
                                                             "SkewedColumnValueLocationMaps"};
  return kMaps.count(name) > 0;
}

bool IsSecretName(std::string_view name) {
  std::string lower(name);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == "nexttoken") return false;
  for (std::string_view s : {"password", "secret", "token", "authorizationcode"}) {
    if (lower.find(s) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

bool IsReadOnlyOperation(std::string_view op) {
  return StartsWith(op, "Get") || StartsWith(op, "List") || StartsWith(op, "BatchGet");
}

std::string GlueRequestParameters(const rapidjson::Value& request) {
  if (!request.IsObject()) return "";
  rapidjson::StringBuffer buf;
  Writer w(buf);
  audit::WriteLowerCamel(w, request, {.is_verbatim_map = IsVerbatimMap, .is_secret = IsSecretName});
  return std::string(buf.GetString(), buf.GetSize());
}

std::string GlueResponseElements(std::string_view body) {
  if (body.size() > kMaxResponseElements) return "";
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  if (d.HasParseError() || !d.IsObject() || d.MemberCount() == 0) return "";
  return GlueRequestParameters(d);
}

}  // namespace sealstack::api::glue
