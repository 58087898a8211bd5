#include "api/logs/logs_wire.h"

#include <rapidjson/document.h>

#include <functional>
#include <map>

#include "api/logs/logs_errors.h"

namespace sealstack::api::logs {

namespace {

using rapidjson::Value;

// One request body, read member by member; the first problem is kept and reported.
class Reader {
 public:
  explicit Reader(const Value& v) : v_(v) {}

  std::string Str(const char* name, bool required) {
    auto it = v_.FindMember(name);
    if (it == v_.MemberEnd() || it->value.IsNull()) {
      if (required)
        Fail(std::string("1 validation error detected: Value null at '") + name +
             "' failed to satisfy constraint: Member must not be null");
      return "";
    }
    if (!it->value.IsString()) {
      Fail(std::string("Expected a string for ") + name);
      return "";
    }
    return it->value.GetString();
  }
  std::optional<int64_t> Int(const char* name) {
    auto it = v_.FindMember(name);
    if (it == v_.MemberEnd() || it->value.IsNull()) return std::nullopt;
    if (!it->value.IsInt64()) {
      Fail(std::string("Expected an integer for ") + name);
      return std::nullopt;
    }
    return it->value.GetInt64();
  }
  bool Bool(const char* name) {
    auto it = v_.FindMember(name);
    return it != v_.MemberEnd() && it->value.IsBool() && it->value.GetBool();
  }
  size_t Limit(const char* name, size_t fallback, size_t max) {
    auto n = Int(name);
    if (!n) return fallback;
    if (*n < 1 || static_cast<size_t>(*n) > max) {
      Fail(std::string("1 validation error detected: Value '") + std::to_string(*n) + "' at '" +
           name + "' failed to satisfy constraint: Member must have value between 1 and " +
           std::to_string(max));
    }
    return static_cast<size_t>(*n);
  }
  // logGroupName, or the name in logGroupIdentifier (a name or an ARN).
  std::string Group(bool identifier_allowed) {
    std::string g = Str("logGroupName", false);
    if (g.empty() && identifier_allowed) {
      g = Str("logGroupIdentifier", false);
      size_t pos = g.find(":log-group:");
      if (pos != std::string::npos) {
        g = g.substr(pos + 11);
        if (g.size() > 2 && g.compare(g.size() - 2, 2, ":*") == 0) g.resize(g.size() - 2);
      }
    }
    if (g.empty()) Str("logGroupName", true);
    return g;
  }
  const Value& raw() const { return v_; }
  void Fail(std::string m) {
    if (error_.empty()) error_ = std::move(m);
  }
  Status Finish() const {
    return error_.empty() ? Status::Ok() : LogsError(ErrorKind::kInvalidParameter, error_);
  }

 private:
  const Value& v_;
  std::string error_;
};

using Op = std::function<Result<std::string>(Service&, const Caller&, Reader&)>;

#define SEALSTACK_LOGS_FINISH(r) SEALSTACK_RETURN_IF_ERROR((r).Finish())

// An operation whose whole input is logGroupName (GroupInput).
Op GroupOp(Result<std::string> (Service::*method)(const Caller&, const GroupInput&)) {
  return [method](Service& s, const Caller& c, Reader& r) -> Result<std::string> {
    GroupInput in{r.Str("logGroupName", true)};
    SEALSTACK_LOGS_FINISH(r);
    return (s.*method)(c, in);
  };
}

const std::map<std::string, Op, std::less<>>& Operations() {
  static const std::map<std::string, Op, std::less<>> kOps = {
      {"CreateLogGroup",
       [](Service& s, const Caller& c, Reader& r) -> Result<std::string> {
         CreateLogGroupInput in{r.Str("logGroupName", true), r.Str("kmsKeyId", false)};
         SEALSTACK_LOGS_FINISH(r);
         return s.CreateLogGroup(c, in);
       }},
      {"DeleteLogGroup", GroupOp(&Service::DeleteLogGroup)},
      {"AssociateKmsKey",
       [](Service& s, const Caller& c, Reader& r) -> Result<std::string> {
         AssociateKmsKeyInput in{r.Str("logGroupName", true), r.Str("kmsKeyId", true)};
         SEALSTACK_LOGS_FINISH(r);
         return s.AssociateKmsKey(c, in);
       }},
      {"DisassociateKmsKey", GroupOp(&Service::DisassociateKmsKey)},
      {"PutRetentionPolicy",
       [](Service& s, const Caller& c, Reader& r) -> Result<std::string> {
         PutRetentionPolicyInput in{r.Str("logGroupName", true),
                                    r.Int("retentionInDays").value_or(-1)};
         SEALSTACK_LOGS_FINISH(r);
         return s.PutRetentionPolicy(c, in);
       }},
      {"DeleteRetentionPolicy", GroupOp(&Service::DeleteRetentionPolicy)},
      {"DescribeLogGroups",
       [](Service& s, const Caller& c, Reader& r) -> Result<std::string> {
         DescribeLogGroupsInput in;
         in.prefix = r.Str("logGroupNamePrefix", false);
         in.pattern = r.Str("logGroupNamePattern", false);
         in.limit = r.Limit("limit", 50, 50);
         in.next_token = r.Str("nextToken", false);
         SEALSTACK_LOGS_FINISH(r);
         return s.DescribeLogGroups(c, in);
       }},
      {"CreateLogStream",
       [](Service& s, const Caller& c, Reader& r) -> Result<std::string> {
         CreateLogStreamInput in{r.Str("logGroupName", true), r.Str("logStreamName", true)};
         SEALSTACK_LOGS_FINISH(r);
         return s.CreateLogStream(c, in);
       }},
      {"DescribeLogStreams",
       [](Service& s, const Caller& c, Reader& r) -> Result<std::string> {
         DescribeLogStreamsInput in;
         in.group = r.Group(true);
         in.prefix = r.Str("logStreamNamePrefix", false);
         in.by_last_event = r.Str("orderBy", false) == "LastEventTime";
         in.descending = r.Bool("descending");
         in.limit = r.Limit("limit", 50, 50);
         in.next_token = r.Str("nextToken", false);
         SEALSTACK_LOGS_FINISH(r);
         return s.DescribeLogStreams(c, in);
       }},
      {"PutLogEvents",
       [](Service& s, const Caller& c, Reader& r) -> Result<std::string> {
         PutLogEventsInput in{r.Str("logGroupName", true), r.Str("logStreamName", true), {}};
         auto it = r.raw().FindMember("logEvents");
         if (it == r.raw().MemberEnd() || !it->value.IsArray()) {
           r.Fail(
               "1 validation error detected: Value null at 'logEvents' failed to satisfy "
               "constraint: Member must not be null");
         } else {
           for (const auto& e : it->value.GetArray()) {
             if (!e.IsObject() || !e.HasMember("timestamp") || !e["timestamp"].IsInt64() ||
                 !e.HasMember("message") || !e["message"].IsString()) {
               r.Fail("Each log event needs a timestamp and a message");
               break;
             }
             in.events.push_back({e["timestamp"].GetInt64(), e["message"].GetString()});
           }
         }
         SEALSTACK_LOGS_FINISH(r);
         return s.PutLogEvents(c, in);
       }},
      {"GetLogEvents",
       [](Service& s, const Caller& c, Reader& r) -> Result<std::string> {
         GetLogEventsInput in;
         in.group = r.Group(true);
         in.stream = r.Str("logStreamName", true);
         in.start_time = r.Int("startTime");
         in.end_time = r.Int("endTime");
         in.next_token = r.Str("nextToken", false);
         in.limit = r.Limit("limit", 10000, 10000);
         in.start_from_head = r.Bool("startFromHead");
         SEALSTACK_LOGS_FINISH(r);
         return s.GetLogEvents(c, in);
       }},
      {"FilterLogEvents",
       [](Service& s, const Caller& c, Reader& r) -> Result<std::string> {
         FilterLogEventsInput in;
         in.group = r.Group(true);
         if (auto it = r.raw().FindMember("logStreamNames");
             it != r.raw().MemberEnd() && it->value.IsArray()) {
           for (const auto& n : it->value.GetArray()) {
             if (n.IsString()) in.streams.emplace_back(n.GetString());
           }
         }
         in.stream_prefix = r.Str("logStreamNamePrefix", false);
         in.start_time = r.Int("startTime");
         in.end_time = r.Int("endTime");
         in.filter_pattern = r.Str("filterPattern", false);
         in.next_token = r.Str("nextToken", false);
         in.limit = r.Limit("limit", 10000, 10000);
         SEALSTACK_LOGS_FINISH(r);
         return s.FilterLogEvents(c, in);
       }},
  };
  return kOps;
}

#undef SEALSTACK_LOGS_FINISH

ApiResponse RenderLogsError(const WireError& e, const RequestIds& ids) {
  return RenderJsonError(e, ids, "message");
}

}  // namespace

WireError LogsStatusToWire(const Status& status) {
  const ErrorRow<ErrorKind>& row = LogsErrorRow(LogsKindOf(status));
  std::string message = status.message();
  if (row.http_status >= 500) message = "The service cannot complete the request.";
  return {row.http_status, row.code, std::move(message), {}, row.http_status >= 500};
}

ApiResponse HandleLogsRequest(Service& service, const Caller& caller, std::string_view operation,
                              std::string_view body, const RequestIds& ids) {
  auto op = Operations().find(operation);
  if (op == Operations().end()) {
    return RenderLogsError({.http_status = 400,
                            .code = "UnknownOperationException",
                            .message = "The operation Logs_20140328." + std::string(operation) +
                                       " is not known to this server."},
                           ids);
  }
  rapidjson::Document d;
  d.Parse(body.empty() ? "{}" : std::string(body).c_str());
  if (d.HasParseError() || !d.IsObject()) {
    return RenderLogsError({.http_status = 400,
                            .code = "SerializationException",
                            .message = "Start of structure or map found where not expected."},
                           ids);
  }
  Caller c = caller;
  c.request_id = ids.request_id;
  Reader reader(d);
  auto result = op->second(service, c, reader);
  if (!result.ok()) return RenderLogsError(LogsStatusToWire(result.status()), ids);
  return JsonResponse(std::move(*result), ids);
}

}  // namespace sealstack::api::logs
