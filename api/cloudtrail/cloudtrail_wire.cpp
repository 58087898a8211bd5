#include "api/cloudtrail/cloudtrail_wire.h"

#include <rapidjson/document.h>

#include <charconv>

#include "api/common/json_output.h"
#include "common/time_format.h"

namespace sealstack::api::cloudtrail {

namespace {

using storage::AuditFilter;

WireError Err(std::string code, std::string message) {
  return {400, std::move(code), std::move(message), {}, false};
}

ApiResponse Fail(const WireError& e, const RequestIds& ids) {
  return RenderError(Protocol::kJson, e, ids);
}

std::optional<AuditFilter::Attribute> ParseAttribute(std::string_view key) {
  using A = AuditFilter::Attribute;
  static const std::pair<std::string_view, A> kKeys[] = {
      {"EventId", A::kEventId},           {"EventName", A::kEventName},
      {"ReadOnly", A::kReadOnly},         {"Username", A::kUsername},
      {"ResourceType", A::kResourceType}, {"ResourceName", A::kResourceName},
      {"EventSource", A::kEventSource},   {"AccessKeyId", A::kAccessKeyId}};
  for (const auto& [name, a] : kKeys) {
    if (name == key) return a;
  }
  return std::nullopt;
}

int64_t Micros(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

// JSON 1.1 timestamp: epoch seconds, fractions allowed (some clients send ISO strings in
// JSON protocols by mistake; both are accepted).
std::optional<int64_t> TimeArg(const rapidjson::Value& v) {
  if (v.IsNumber()) return static_cast<int64_t>(v.GetDouble() * 1e6);
  if (v.IsString()) {
    if (auto t = ParseIso8601(v.GetString())) return Micros(*t);
  }
  return std::nullopt;
}

// NextToken: "ct1.<time_us>.<seq>" of the last event returned.
std::string EncodeToken(std::pair<int64_t, int64_t> cursor) {
  return "ct1." + std::to_string(cursor.first) + "." + std::to_string(cursor.second);
}
std::optional<std::pair<int64_t, int64_t>> DecodeToken(std::string_view token) {
  if (token.substr(0, 4) != "ct1.") return std::nullopt;
  token.remove_prefix(4);
  size_t dot = token.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  int64_t t = 0, s = 0;
  auto a = std::from_chars(token.data(), token.data() + dot, t);
  auto b = std::from_chars(token.data() + dot + 1, token.data() + token.size(), s);
  if (a.ec != std::errc() || a.ptr != token.data() + dot || b.ec != std::errc() ||
      b.ptr != token.data() + token.size() || s <= 0) {
    return std::nullopt;
  }
  return std::make_pair(t, s);
}

// cloudtrail:<action> through identity policies (the one access check); the account root is
// allowed unless denied.
std::optional<WireError> Authorize(AccessCheck& access, const Caller& caller,
                                   std::string_view action) {
  AccessRequest r;
  r.service = AccessService::kCloudTrail;
  r.action = std::string(action);
  r.resource.assign(1, '*');  // (not = "*": GCC 12 -Wrestrict false positive)
  AccessDecision d = access.Check(caller, r);
  if (!d.denied()) return std::nullopt;
  return WireError{400, "AccessDeniedException", std::move(d.message), {}, false};
}

ApiResponse LookupEvents(audit::Recorder& recorder, const auth::Principal& caller,
                         const rapidjson::Document& in, const RequestIds& ids) {
  AuditFilter f;
  f.account = caller.account;
  auto member = [&](const char* name) -> const rapidjson::Value* {
    auto it = in.FindMember(name);
    return it == in.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
  };
  if (const auto* attrs = member("LookupAttributes")) {
    if (!attrs->IsArray()) {
      return Fail(Err("SerializationException", "LookupAttributes must be a list"), ids);
    }
    if (attrs->Size() > 1) {
      return Fail(Err("InvalidLookupAttributesException",
                      "You cannot specify more than one lookup attribute."),
                  ids);
    }
    if (attrs->Size() == 1) {
      const auto& a = (*attrs)[0];
      auto key = a.IsObject() ? a.FindMember("AttributeKey") : a.MemberEnd();
      auto value = a.IsObject() ? a.FindMember("AttributeValue") : a.MemberEnd();
      if (!a.IsObject() || key == a.MemberEnd() || !key->value.IsString() ||
          value == a.MemberEnd() || !value->value.IsString()) {
        return Fail(Err("InvalidLookupAttributesException",
                        "A lookup attribute needs an AttributeKey and an AttributeValue."),
                    ids);
      }
      auto parsed = ParseAttribute(key->value.GetString());
      const size_t len = value->value.GetStringLength();
      if (!parsed) {
        return Fail(Err("InvalidLookupAttributesException",
                        std::string("Invalid attribute key: ") + key->value.GetString() +
                            ". Valid keys are EventId, EventName, ReadOnly, Username, "
                            "ResourceType, ResourceName, EventSource, AccessKeyId."),
                    ids);
      }
      if (len < 1 || len > 2000) {
        return Fail(Err("InvalidLookupAttributesException",
                        "The attribute value must be 1 to 2000 characters long."),
                    ids);
      }
      f.attribute = *parsed;
      f.value = value->value.GetString();
      if (f.attribute == AuditFilter::Attribute::kReadOnly && f.value != "true" &&
          f.value != "false") {
        return Fail(Err("InvalidLookupAttributesException",
                        "The ReadOnly attribute value must be true or false."),
                    ids);
      }
    }
  }
  if (const auto* v = member("StartTime")) {
    auto t = TimeArg(*v);
    if (!t) return Fail(Err("SerializationException", "StartTime must be a timestamp"), ids);
    f.start_us = *t;
  }
  if (const auto* v = member("EndTime")) {
    auto t = TimeArg(*v);
    if (!t) return Fail(Err("SerializationException", "EndTime must be a timestamp"), ids);
    f.end_us = *t;
    // CloudTrail's event times are whole seconds and EndTime is inclusive; SealStack keeps
    // milliseconds, so a whole-second EndTime covers its whole second.
    if (f.end_us % 1000000 == 0) f.end_us += 999999;
  }
  if (member("StartTime") && member("EndTime") &&
      *TimeArg(*member("StartTime")) > *TimeArg(*member("EndTime"))) {
    return Fail(Err("InvalidTimeRangeException",
                    "Occurs if the timestamp values are invalid. Either the start time occurs "
                    "after the end time or the time range is outside the range of possible "
                    "values."),
                ids);
  }
  if (const auto* v = member("EventCategory")) {
    if (!v->IsString() || std::string_view(v->GetString()) != "insight") {
      return Fail(Err("InvalidEventCategoryException",
                      "Occurs if an event category that is not valid is specified as a value "
                      "of EventCategory."),
                  ids);
    }
    // Insights events: SealStack generates none.
    JsonOutput out;
    out.BeginArray("Events").EndArray();
    ApiResponse r;
    r.body = out.Finish();
    r.SetHeader("Content-Type", "application/x-amz-json-1.1");
    AddRequestIdHeaders(Protocol::kJson, ids, &r);
    return r;
  }
  if (const auto* v = member("MaxResults")) {
    if (!v->IsInt64() || v->GetInt64() < 1 || v->GetInt64() > 50) {
      return Fail(Err("InvalidMaxResultsException", "Maximum results must be from 1 to 50."), ids);
    }
    f.limit = v->GetInt64();
  }
  if (const auto* v = member("NextToken")) {
    auto cursor = v->IsString() ? DecodeToken(v->GetString()) : std::nullopt;
    if (!cursor) return Fail(Err("InvalidNextTokenException", "Invalid NextToken."), ids);
    f.before = *cursor;
  }
  auto page = recorder.Lookup(f);
  if (!page.ok()) {
    return Fail({500, "InternalFailure", "The request processing has failed.", {}, true}, ids);
  }
  JsonOutput out;
  out.BeginArray("Events");
  for (const auto& e : page->events) {
    out.BeginObject();
    out.String("EventId", e.event_id);
    out.String("EventName", e.event_name);
    out.String("ReadOnly", e.read_only ? "true" : "false");
    if (!e.access_key_id.empty()) out.String("AccessKeyId", e.access_key_id);
    out.Time("EventTime", SystemTime(std::chrono::microseconds(e.event_time_us)));
    out.String("EventSource", e.event_source);
    if (!e.username.empty()) out.String("Username", e.username);
    out.BeginArray("Resources");
    for (const auto& res : e.resources) {
      out.BeginObject();
      out.String("ResourceType", res.type);
      out.String("ResourceName", res.name);
      out.EndObject();
    }
    out.EndArray();
    out.String("CloudTrailEvent", e.json);
    out.EndObject();
  }
  out.EndArray();
  if (page->next) out.String("NextToken", EncodeToken(*page->next));
  ApiResponse r;
  r.body = out.Finish();
  r.SetHeader("Content-Type", "application/x-amz-json-1.1");
  AddRequestIdHeaders(Protocol::kJson, ids, &r);
  return r;
}

}  // namespace

ApiResponse HandleCloudTrailRequest(audit::Recorder& recorder, AccessCheck& access,
                                    const Caller& caller, std::string_view operation,
                                    std::string_view body, const RequestIds& ids) {
  if (operation != "LookupEvents") {
    return Fail(Err("UnknownOperationException",
                    "The operation com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101." +
                        std::string(operation) + " is not supported by SealStack."),
                ids);
  }
  rapidjson::Document in;
  in.Parse(body.empty() ? "{}" : body.data(), body.empty() ? 2 : body.size());
  if (in.HasParseError() || !in.IsObject()) {
    return Fail(
        Err("SerializationException", "Start of structure or map found where not expected."), ids);
  }
  if (auto denied = Authorize(access, caller, "cloudtrail:LookupEvents")) {
    return Fail(*denied, ids);
  }
  return LookupEvents(recorder, *caller.principal, in, ids);
}

}  // namespace sealstack::api::cloudtrail
