#include "api/cloudtrail/cloudtrail_wire.h"

#include <rapidjson/document.h>

#include <charconv>

#include "api/common/error_table.h"
#include "api/common/json_output.h"
#include "common/time_format.h"

namespace sealstack::api::cloudtrail {

namespace {

using storage::AuditFilter;

// CloudTrail's errors: a Status whose detail() is an ErrorKind, turned into CloudTrail's
// __type by the one table below.
enum class ErrorKind {
  kSerialization = 300,
  kInvalidLookupAttributes,
  kInvalidTimeRange,
  kInvalidEventCategory,
  kInvalidMaxResults,
  kInvalidNextToken,
  kUnknownOperation,
  kInternal,
};

constexpr ErrorRow<ErrorKind> kErrorTable[] = {
    {ErrorKind::kSerialization, StatusCode::kInvalidArgument, 400, "SerializationException"},
    {ErrorKind::kInvalidLookupAttributes, StatusCode::kInvalidArgument, 400,
     "InvalidLookupAttributesException"},
    {ErrorKind::kInvalidTimeRange, StatusCode::kInvalidArgument, 400, "InvalidTimeRangeException"},
    {ErrorKind::kInvalidEventCategory, StatusCode::kInvalidArgument, 400,
     "InvalidEventCategoryException"},
    {ErrorKind::kInvalidMaxResults, StatusCode::kInvalidArgument, 400,
     "InvalidMaxResultsException"},
    {ErrorKind::kInvalidNextToken, StatusCode::kInvalidArgument, 400, "InvalidNextTokenException"},
    {ErrorKind::kUnknownOperation, StatusCode::kInvalidArgument, 400, "UnknownOperationException"},
    {ErrorKind::kInternal, StatusCode::kInternal, 500, "InternalFailure"},
};

Status Error(ErrorKind kind, std::string message) {
  return StatusOfKind(kErrorTable, kind, std::move(message));
}

WireError CloudTrailStatusToWire(const Status& status) {
  const ErrorRow<ErrorKind>* row = FindRowForDetail(kErrorTable, status.detail());
  if (row != nullptr && row->http_status < 500) {
    return {.http_status = row->http_status, .code = row->code, .message = status.message()};
  }
  // Server faults say nothing about their cause to the client.
  return {.http_status = 500,
          .code = "InternalFailure",
          .message = "The request processing has failed.",
          .server_fault = true};
}

ApiResponse Fail(const WireError& e, const RequestIds& ids) {
  return RenderError(Protocol::kJson, e, ids);
}
ApiResponse Fail(const Status& status, const RequestIds& ids) {
  return Fail(CloudTrailStatusToWire(status), ids);
}

// A LookupEvents request, validated.
struct LookupRequest {
  AuditFilter filter;
  bool insights = false;  // EventCategory "insight": SealStack records no Insights events
};

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
  AccessDecision d =
      access.CheckAction(caller, AccessService::kCloudTrail, std::string(action), "*");
  if (!d.denied()) return std::nullopt;
  return WireError{
      .http_status = 400, .code = "AccessDeniedException", .message = std::move(d.message)};
}

Result<LookupRequest> ParseLookupEvents(const rapidjson::Document& in, const std::string& account) {
  LookupRequest request;
  AuditFilter& f = request.filter;
  f.account = account;
  auto member = [&](const char* name) -> const rapidjson::Value* {
    auto it = in.FindMember(name);
    return it == in.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
  };
  if (const auto* attrs = member("LookupAttributes")) {
    if (!attrs->IsArray()) {
      return Error(ErrorKind::kSerialization, "LookupAttributes must be a list");
    }
    if (attrs->Size() > 1) {
      return Error(ErrorKind::kInvalidLookupAttributes,
                   "You cannot specify more than one lookup attribute.");
    }
    if (attrs->Size() == 1) {
      const auto& a = (*attrs)[0];
      auto key = a.IsObject() ? a.FindMember("AttributeKey") : a.MemberEnd();
      auto value = a.IsObject() ? a.FindMember("AttributeValue") : a.MemberEnd();
      if (!a.IsObject() || key == a.MemberEnd() || !key->value.IsString() ||
          value == a.MemberEnd() || !value->value.IsString()) {
        return Error(ErrorKind::kInvalidLookupAttributes,
                     "A lookup attribute needs an AttributeKey and an AttributeValue.");
      }
      auto parsed = ParseAttribute(key->value.GetString());
      const size_t len = value->value.GetStringLength();
      if (!parsed) {
        return Error(ErrorKind::kInvalidLookupAttributes,
                     std::string("Invalid attribute key: ") + key->value.GetString() +
                         ". Valid keys are EventId, EventName, ReadOnly, Username, "
                         "ResourceType, ResourceName, EventSource, AccessKeyId.");
      }
      if (len < 1 || len > 2000) {
        return Error(ErrorKind::kInvalidLookupAttributes,
                     "The attribute value must be 1 to 2000 characters long.");
      }
      f.attribute = *parsed;
      f.value = value->value.GetString();
      if (f.attribute == AuditFilter::Attribute::kReadOnly && f.value != "true" &&
          f.value != "false") {
        return Error(ErrorKind::kInvalidLookupAttributes,
                     "The ReadOnly attribute value must be true or false.");
      }
    }
  }
  if (const auto* v = member("StartTime")) {
    auto t = TimeArg(*v);
    if (!t) return Error(ErrorKind::kSerialization, "StartTime must be a timestamp");
    f.start_us = *t;
  }
  if (const auto* v = member("EndTime")) {
    auto t = TimeArg(*v);
    if (!t) return Error(ErrorKind::kSerialization, "EndTime must be a timestamp");
    f.end_us = *t;
    // CloudTrail's event times are whole seconds and EndTime is inclusive; SealStack keeps
    // milliseconds, so a whole-second EndTime covers its whole second.
    if (f.end_us % 1000000 == 0) f.end_us += 999999;
  }
  if (member("StartTime") && member("EndTime") &&
      *TimeArg(*member("StartTime")) > *TimeArg(*member("EndTime"))) {
    return Error(ErrorKind::kInvalidTimeRange,
                 "Occurs if the timestamp values are invalid. Either the start time occurs "
                 "after the end time or the time range is outside the range of possible "
                 "values.");
  }
  if (const auto* v = member("EventCategory")) {
    if (!v->IsString() || std::string_view(v->GetString()) != "insight") {
      return Error(ErrorKind::kInvalidEventCategory,
                   "Occurs if an event category that is not valid is specified as a value "
                   "of EventCategory.");
    }
    request.insights = true;
    return request;
  }
  if (const auto* v = member("MaxResults")) {
    if (!v->IsInt64() || v->GetInt64() < 1 || v->GetInt64() > 50) {
      return Error(ErrorKind::kInvalidMaxResults, "Maximum results must be from 1 to 50.");
    }
    f.limit = v->GetInt64();
  }
  if (const auto* v = member("NextToken")) {
    auto cursor = v->IsString() ? DecodeToken(v->GetString()) : std::nullopt;
    if (!cursor) return Error(ErrorKind::kInvalidNextToken, "Invalid NextToken.");
    f.before = *cursor;
  }
  return request;
}

ApiResponse LookupEvents(audit::Recorder& recorder, const AuditFilter& f, const RequestIds& ids) {
  auto page = recorder.Lookup(f);
  if (!page.ok()) {
    return Fail(Error(ErrorKind::kInternal, page.status().message()), ids);
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
  return JsonResponse(out.Finish(), ids);
}

}  // namespace

ApiResponse HandleCloudTrailRequest(audit::Recorder& recorder, AccessCheck& access,
                                    const Caller& caller, std::string_view operation,
                                    std::string_view body, const RequestIds& ids) {
  if (operation != "LookupEvents") {
    return Fail(Error(ErrorKind::kUnknownOperation,
                      "The operation com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101." +
                          std::string(operation) + " is not supported by SealStack."),
                ids);
  }
  rapidjson::Document in;
  in.Parse(body.empty() ? "{}" : body.data(), body.empty() ? 2 : body.size());
  if (in.HasParseError() || !in.IsObject()) {
    return Fail(
        Error(ErrorKind::kSerialization, "Start of structure or map found where not expected."),
        ids);
  }
  if (auto denied = Authorize(access, caller, "cloudtrail:LookupEvents")) {
    return Fail(*denied, ids);
  }
  auto request = ParseLookupEvents(in, caller.principal->account);
  if (!request.ok()) return Fail(request.status(), ids);
  if (request->insights) {
    // Insights events: SealStack generates none.
    JsonOutput out;
    out.BeginArray("Events").EndArray();
    return JsonResponse(out.Finish(), ids);
  }
  return LookupEvents(recorder, request->filter, ids);
}

}  // namespace sealstack::api::cloudtrail
