#include "api/logs/logs_service.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <functional>

#include "api/common/access.h"
#include "api/common/json_fields.h"
#include "api/kms/kms_errors.h"
#include "api/logs/logs_errors.h"
#include "common/strings.h"
#include "crypto/aead.h"
#include "crypto/digest.h"
#include "storage/logs_repo.h"

namespace sealstack::api::logs {

namespace {

using rapidjson::Document;
using rapidjson::Value;

constexpr char kSep = '\x1f';
constexpr int64_t kRetentionDays[] = {1,   3,   5,   7,   14,   30,   60,   90,   120,  150,  180,
                                      365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};

std::string DumpJson(const Value& v) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  v.Accept(w);
  return std::string(sb.GetString(), sb.GetSize());
}

Result<Document> LoadJson(const std::string& text) {
  Document d;
  d.Parse(text.c_str(), text.size());
  if (d.HasParseError() || !d.IsObject()) return Status::Internal("corrupt logs document");
  return d;
}

Value Str(std::string_view s, Document::AllocatorType& a) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

void SetMember(Value& o, const char* name, Value v, Document::AllocatorType& a) {
  auto it = o.FindMember(name);
  if (it != o.MemberEnd()) {
    it->value = v;
  } else {
    o.AddMember(Value(name, a), v, a);
  }
}

Status GroupNotFound() {
  return LogsError(ErrorKind::kResourceNotFound, "The specified log group does not exist.");
}

Status StreamNotFound() {
  return LogsError(ErrorKind::kResourceNotFound, "The specified log stream does not exist.");
}

Status ValidName(const std::string& name, const char* what, size_t max) {
  if (name.empty() || name.size() > max) {
    return LogsError(ErrorKind::kInvalidParameter,
                     std::string(what) + " must be 1 to " + std::to_string(max) + " characters");
  }
  for (char ch : name) {
    if (ch == ':' || ch == '*' || static_cast<unsigned char>(ch) < 0x20) {
      return LogsError(ErrorKind::kInvalidParameter,
                       "1 validation error detected: Value '" + name + "' at '" + what +
                           "' failed to satisfy constraint: Member must satisfy regular "
                           "expression pattern: [^:*]*");
    }
  }
  return Status::Ok();
}

std::string Padded(int64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(n));
  return buf;
}

std::string Token(char dir, int64_t n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%c/%056lld", dir, static_cast<long long>(n));
  return buf;
}

// "f/000...12" -> ('f', 12); nullopt when malformed.
std::optional<std::pair<char, int64_t>> ParseToken(const std::string& t) {
  if (t.size() < 3 || (t[0] != 'f' && t[0] != 'b') || t[1] != '/') return std::nullopt;
  int64_t n = 0;
  for (size_t i = 2; i < t.size(); ++i) {
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
    n = n * 10 + (t[i] - '0');
  }
  return std::make_pair(t[0], n);
}

// FilterLogEvents' filterPattern, the unstructured form: every term must occur in the message;
// a "quoted phrase" is one term; a term starting with '-' must not occur; "" matches all.
bool MatchesPattern(const std::string& pattern, const std::string& message) {
  std::vector<std::string> terms;
  std::string cur;
  bool quoted = false;
  for (char ch : pattern) {
    if (ch == '"') {
      quoted = !quoted;
    } else if (ch == ' ' && !quoted) {
      if (!cur.empty()) terms.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) terms.push_back(cur);
  for (const auto& t : terms) {
    if (t.size() > 1 && t[0] == '-') {
      if (message.find(t.substr(1)) != std::string::npos) return false;
    } else if (message.find(t) == std::string::npos) {
      return false;
    }
  }
  return true;
}

// Rewrites a group's document with `edit` in one transaction; ResourceNotFound when missing.
Status EditGroupDoc(storage::Database& db, const Caller& c, const std::string& group,
                    const std::function<void(Document&)>& edit) {
  return db.WithTransaction([&](storage::Connection& conn) -> Status {
    storage::LogsKey k{c.principal->account, c.region, "group", "", group};
    auto text = storage::LogsRepo::Get(conn, k);
    if (!text.ok()) {
      return text.status().code() == StatusCode::kNotFound ? GroupNotFound() : text.status();
    }
    SEALSTACK_ASSIGN_OR_RETURN(Document d, LoadJson(*text));
    edit(d);
    return storage::LogsRepo::Put(conn, k, DumpJson(d));
  });
}

}  // namespace

Service::Service(Dependencies deps) : deps_(std::move(deps)) {
  if (!deps_.access)
    deps_.access = std::make_shared<AccessCheck>(PolicyMode::kEnforce, deps_.clock);
}

std::string Service::GroupArn(const std::string& region, const std::string& account,
                              const std::string& group) {
  return "arn:aws:logs:" + region + ":" + account + ":log-group:" + group;
}

int64_t Service::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             deps_.clock->Now().time_since_epoch())
      .count();
}

kms::ServiceKmsClient Service::Kms() const {
  return kms::ServiceKmsClient(*deps_.kms, deps_.audit, "logs.amazonaws.com");
}

Status Service::Authorize(const Caller& c, const std::string& operation,
                          const std::string& resource) {
  // CloudWatch Logs' AccessDenied text has the shape of Glue's (principal, action, resource).
  AccessDecision d =
      deps_.access->CheckAction(c, AccessService::kGlue, "logs:" + operation, resource);
  return d.denied() ? LogsError(ErrorKind::kAccessDenied, std::move(d.message)) : Status::Ok();
}

Result<std::string> Service::LoadGroup(const Caller& c, const std::string& group) {
  std::string doc;
  Status st = deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(
        doc, storage::LogsRepo::Get(conn, {c.principal->account, c.region, "group", "", group}));
    return Status::Ok();
  });
  if (st.code() == StatusCode::kNotFound) return GroupNotFound();
  SEALSTACK_RETURN_IF_ERROR(st);
  return doc;
}

Result<std::vector<storage::LogsRow>> Service::StreamRows(const Caller& c,
                                                          const std::string& group) {
  std::vector<storage::LogsRow> rows;
  SEALSTACK_RETURN_IF_ERROR(deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(
        rows, storage::LogsRepo::List(conn, {c.principal->account, c.region, "stream", group, ""},
                                      "", 100000));
    return Status::Ok();
  }));
  return rows;
}

Result<std::string> Service::CheckKey(const Caller& c, const std::string& group,
                                      const std::string& key_id) {
  const std::string arn = GroupArn(c.region, c.principal->account, group);
  if (!StartsWith(key_id, "arn:aws:kms:")) {
    return LogsError(ErrorKind::kInvalidParameter,
                     "Specified KMS key " + key_id + " is not a valid KMS key ARN.");
  }
  kms::Caller kc(c);
  kc.via_service = "logs." + c.region + ".amazonaws.com";
  auto dk = Kms().GenerateDataKey(kc, key_id, 32, {{"aws:logs:arn", arn}}, false, c.request_id);
  if (!dk.ok()) {
    return LogsError(
        ErrorKind::kAccessDenied,
        "The specified KMS key does not exist or is not allowed to be used with Arn '" + arn + "'");
  }
  return dk->key_arn;
}

Result<std::string> Service::CreateLogGroup(const Caller& c, const CreateLogGroupInput& in) {
  SEALSTACK_RETURN_IF_ERROR(ValidName(in.group, "logGroupName", 512));
  const std::string arn = GroupArn(c.region, c.principal->account, in.group);
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateLogGroup", arn));
  std::string key;
  if (!in.kms_key_id.empty()) {
    SEALSTACK_ASSIGN_OR_RETURN(key, CheckKey(c, in.group, in.kms_key_id));
  }
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("creationTime", NowMs(), a);
  if (!key.empty()) d.AddMember("kmsKeyId", Str(key, a), a);
  Status st = deps_.db->WithTransaction([&](storage::Connection& conn) {
    return storage::LogsRepo::Insert(conn, {c.principal->account, c.region, "group", "", in.group},
                                     DumpJson(d));
  });
  if (st.code() == StatusCode::kAlreadyExists) {
    return LogsError(ErrorKind::kResourceAlreadyExists, "The specified log group already exists");
  }
  SEALSTACK_RETURN_IF_ERROR(st);
  return std::string("{}");
}

Result<std::string> Service::DeleteLogGroup(const Caller& c, const GroupInput& in) {
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "DeleteLogGroup", GroupArn(c.region, c.principal->account, in.group)));
  SEALSTACK_RETURN_IF_ERROR(LoadGroup(c, in.group).status());
  SEALSTACK_RETURN_IF_ERROR(deps_.db->WithTransaction([&](storage::Connection& conn) {
    return storage::LogsRepo::DeleteGroup(conn, c.principal->account, c.region, in.group);
  }));
  return std::string("{}");
}

Result<std::string> Service::AssociateKmsKey(const Caller& c, const AssociateKmsKeyInput& in) {
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "AssociateKmsKey", GroupArn(c.region, c.principal->account, in.group)));
  SEALSTACK_RETURN_IF_ERROR(LoadGroup(c, in.group).status());
  SEALSTACK_ASSIGN_OR_RETURN(std::string key, CheckKey(c, in.group, in.kms_key_id));
  SEALSTACK_RETURN_IF_ERROR(EditGroupDoc(*deps_.db, c, in.group, [&](Document& d) {
    SetMember(d, "kmsKeyId", Str(key, d.GetAllocator()), d.GetAllocator());
  }));
  return std::string("{}");
}

Result<std::string> Service::DisassociateKmsKey(const Caller& c, const GroupInput& in) {
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "DisassociateKmsKey", GroupArn(c.region, c.principal->account, in.group)));
  SEALSTACK_RETURN_IF_ERROR(
      EditGroupDoc(*deps_.db, c, in.group, [&](Document& d) { d.RemoveMember("kmsKeyId"); }));
  return std::string("{}");
}

Result<std::string> Service::PutRetentionPolicy(const Caller& c,
                                                const PutRetentionPolicyInput& in) {
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "PutRetentionPolicy", GroupArn(c.region, c.principal->account, in.group)));
  if (std::find(std::begin(kRetentionDays), std::end(kRetentionDays), in.days) ==
      std::end(kRetentionDays)) {
    return LogsError(ErrorKind::kInvalidParameter,
                     "1 validation error detected: Value '" + std::to_string(in.days) +
                         "' at 'retentionInDays' failed to satisfy constraint: Member must "
                         "satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, "
                         "365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]");
  }
  SEALSTACK_RETURN_IF_ERROR(EditGroupDoc(*deps_.db, c, in.group, [&](Document& d) {
    SetMember(d, "retentionInDays", Value(in.days), d.GetAllocator());
  }));
  return std::string("{}");
}

Result<std::string> Service::DeleteRetentionPolicy(const Caller& c, const GroupInput& in) {
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "DeleteRetentionPolicy", GroupArn(c.region, c.principal->account, in.group)));
  SEALSTACK_RETURN_IF_ERROR(EditGroupDoc(*deps_.db, c, in.group,
                                         [&](Document& d) { d.RemoveMember("retentionInDays"); }));
  return std::string("{}");
}

Result<std::string> Service::DescribeLogGroups(const Caller& c, const DescribeLogGroupsInput& in) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DescribeLogGroups", GroupArn(c.region, account, "*")));
  std::vector<storage::LogsRow> rows;
  SEALSTACK_RETURN_IF_ERROR(deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(
        rows,
        storage::LogsRepo::List(conn, {account, c.region, "group", "", ""}, in.next_token, 100000));
    return Status::Ok();
  }));
  Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  Value groups(rapidjson::kArrayType);
  std::string next;
  const std::string pattern = ToLower(in.pattern);
  for (const auto& row : rows) {
    if (!StartsWith(row.name, in.prefix)) continue;
    if (!pattern.empty() && ToLower(row.name).find(pattern) == std::string::npos) continue;
    if (groups.Size() >= in.limit) {
      next = groups[groups.Size() - 1]["logGroupName"].GetString();
      break;
    }
    SEALSTACK_ASSIGN_OR_RETURN(Document d, LoadJson(row.doc));
    Value g(rapidjson::kObjectType);
    g.AddMember("logGroupName", Str(row.name, a), a);
    g.AddMember("creationTime", ReadJsonInt64(d, "creationTime"), a);
    if (d.HasMember("retentionInDays"))
      g.AddMember("retentionInDays", ReadJsonInt64(d, "retentionInDays"), a);
    g.AddMember("metricFilterCount", 0, a);
    const std::string arn = GroupArn(c.region, account, row.name);
    g.AddMember("arn", Str(arn + ":*", a), a);
    g.AddMember("storedBytes", ReadJsonInt64(d, "storedBytes"), a);
    if (d.HasMember("kmsKeyId")) g.AddMember("kmsKeyId", Str(ReadJsonString(d, "kmsKeyId"), a), a);
    g.AddMember("logGroupClass", "STANDARD", a);
    g.AddMember("logGroupArn", Str(arn, a), a);
    groups.PushBack(g, a);
  }
  out.AddMember("logGroups", groups, a);
  if (!next.empty()) out.AddMember("nextToken", Str(next, a), a);
  return DumpJson(out);
}

Result<std::string> Service::CreateLogStream(const Caller& c, const CreateLogStreamInput& in) {
  SEALSTACK_RETURN_IF_ERROR(ValidName(in.stream, "logStreamName", 512));
  const std::string arn = GroupArn(c.region, c.principal->account, in.group);
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateLogStream", arn + ":log-stream:" + in.stream));
  SEALSTACK_RETURN_IF_ERROR(LoadGroup(c, in.group).status());
  Document d(rapidjson::kObjectType);
  d.AddMember("creationTime", NowMs(), d.GetAllocator());
  d.AddMember("next", 1, d.GetAllocator());
  Status st = deps_.db->WithTransaction([&](storage::Connection& conn) {
    return storage::LogsRepo::Insert(
        conn, {c.principal->account, c.region, "stream", in.group, in.stream}, DumpJson(d));
  });
  if (st.code() == StatusCode::kAlreadyExists) {
    return LogsError(ErrorKind::kResourceAlreadyExists, "The specified log stream already exists");
  }
  SEALSTACK_RETURN_IF_ERROR(st);
  return std::string("{}");
}

Result<std::string> Service::DescribeLogStreams(const Caller& c,
                                                const DescribeLogStreamsInput& in) {
  const std::string& account = c.principal->account;
  const std::string arn = GroupArn(c.region, account, in.group);
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DescribeLogStreams", arn + ":log-stream:*"));
  SEALSTACK_RETURN_IF_ERROR(LoadGroup(c, in.group).status());
  if (in.by_last_event && !in.prefix.empty()) {
    return LogsError(ErrorKind::kInvalidParameter,
                     "Cannot order by LastEventTime with a logStreamNamePrefix.");
  }
  SEALSTACK_ASSIGN_OR_RETURN(std::vector<storage::LogsRow> rows, StreamRows(c, in.group));
  struct Item {
    std::string name;
    Document doc;
  };
  std::vector<Item> items;
  for (auto& row : rows) {
    if (!StartsWith(row.name, in.prefix)) continue;
    SEALSTACK_ASSIGN_OR_RETURN(Document d, LoadJson(row.doc));
    items.push_back({row.name, std::move(d)});
  }
  if (in.by_last_event) {
    std::stable_sort(items.begin(), items.end(), [](const Item& x, const Item& y) {
      return ReadJsonInt64(x.doc, "lastEventTimestamp") <
             ReadJsonInt64(y.doc, "lastEventTimestamp");
    });
  }
  if (in.descending) std::reverse(items.begin(), items.end());
  size_t start = 0;
  if (!in.next_token.empty()) start = static_cast<size_t>(std::atoll(in.next_token.c_str()));
  Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  Value streams(rapidjson::kArrayType);
  size_t i = start;
  for (; i < items.size() && streams.Size() < in.limit; ++i) {
    const Document& d = items[i].doc;
    Value s(rapidjson::kObjectType);
    s.AddMember("logStreamName", Str(items[i].name, a), a);
    s.AddMember("creationTime", ReadJsonInt64(d, "creationTime"), a);
    if (d.HasMember("firstEventTimestamp")) {
      s.AddMember("firstEventTimestamp", ReadJsonInt64(d, "firstEventTimestamp"), a);
      s.AddMember("lastEventTimestamp", ReadJsonInt64(d, "lastEventTimestamp"), a);
      s.AddMember("lastIngestionTime", ReadJsonInt64(d, "lastIngestionTime"), a);
    }
    s.AddMember("uploadSequenceToken", Str(std::to_string(ReadJsonInt64(d, "next", 1)), a), a);
    s.AddMember("arn", Str(arn + ":log-stream:" + items[i].name, a), a);
    s.AddMember("storedBytes", 0, a);
    streams.PushBack(s, a);
  }
  out.AddMember("logStreams", streams, a);
  if (i < items.size()) out.AddMember("nextToken", Str(std::to_string(i), a), a);
  return DumpJson(out);
}

Result<std::string> Service::PutLogEvents(const Caller& c, const PutLogEventsInput& in) {
  const std::string& account = c.principal->account;
  const std::string arn = GroupArn(c.region, account, in.group);
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "PutLogEvents", arn + ":log-stream:" + in.stream));
  if (in.events.empty()) {
    return LogsError(ErrorKind::kInvalidParameter, "logEvents must hold at least one event");
  }
  for (size_t i = 1; i < in.events.size(); ++i) {
    if (in.events[i].timestamp < in.events[i - 1].timestamp) {
      return LogsError(ErrorKind::kInvalidParameter,
                       "Log events in a single PutLogEvents request must be in chronological "
                       "order.");
    }
  }
  SEALSTACK_ASSIGN_OR_RETURN(std::string group_text, LoadGroup(c, in.group));
  SEALSTACK_ASSIGN_OR_RETURN(Document group, LoadJson(group_text));
  const std::string key = ReadJsonString(group, "kmsKeyId");

  Document events(rapidjson::kArrayType);
  auto& ea = events.GetAllocator();
  size_t bytes = 0;
  for (const auto& e : in.events) {
    Value ev(rapidjson::kArrayType);
    ev.PushBack(e.timestamp, ea);
    ev.PushBack(Str(e.message, ea), ea);
    events.PushBack(ev, ea);
    bytes += e.message.size() + 26;
  }
  const std::string plain = DumpJson(events);
  const int64_t now = NowMs();
  Document batch(rapidjson::kObjectType);
  auto& ba = batch.GetAllocator();
  batch.AddMember("ingestion", now, ba);
  if (key.empty()) {
    batch.AddMember("events", Str(plain, ba), ba);
  } else {
    kms::Caller kc(c);
    kc.via_service = "logs." + c.region + ".amazonaws.com";
    auto dk = Kms().GenerateDataKey(kc, key, 32, {{"aws:logs:arn", arn}}, true, c.request_id);
    if (!dk.ok()) {
      return LogsError(ErrorKind::kAccessDenied,
                       "The specified KMS key does not exist or is not allowed to be used with "
                       "Arn '" +
                           arn + "'");
    }
    SEALSTACK_ASSIGN_OR_RETURN(std::string nonce, deps_.random->Bytes(12));
    SEALSTACK_ASSIGN_OR_RETURN(std::string sealed,
                               crypto::AesGcmSeal(dk->plaintext, nonce, arn, plain));
    batch.AddMember("key", Str(dk->key_arn, ba), ba);
    batch.AddMember("blob", Str(crypto::Base64(dk->ciphertext), ba), ba);
    batch.AddMember("nonce", Str(crypto::Base64(nonce), ba), ba);
    batch.AddMember("sealed", Str(crypto::Base64(sealed), ba), ba);
  }
  int64_t seq = 0;
  Status st = deps_.db->WithTransaction([&](storage::Connection& conn) -> Status {
    storage::LogsKey sk{account, c.region, "stream", in.group, in.stream};
    auto text = storage::LogsRepo::Get(conn, sk);
    if (!text.ok())
      return text.status().code() == StatusCode::kNotFound ? StreamNotFound() : text.status();
    SEALSTACK_ASSIGN_OR_RETURN(Document s, LoadJson(*text));
    auto& sa = s.GetAllocator();
    seq = ReadJsonInt64(s, "next", 1);
    SetMember(s, "next", Value(seq + 1), sa);
    if (!s.HasMember("firstEventTimestamp")) {
      SetMember(s, "firstEventTimestamp", Value(in.events.front().timestamp), sa);
    }
    SetMember(s, "lastEventTimestamp",
              Value(std::max(ReadJsonInt64(s, "lastEventTimestamp"), in.events.back().timestamp)),
              sa);
    SetMember(s, "lastIngestionTime", Value(now), sa);
    SEALSTACK_RETURN_IF_ERROR(storage::LogsRepo::Put(conn, sk, DumpJson(s)));
    SEALSTACK_RETURN_IF_ERROR(storage::LogsRepo::Put(
        conn, {account, c.region, "batch", in.group + kSep + in.stream, Padded(seq)},
        DumpJson(batch)));
    storage::LogsKey gk{account, c.region, "group", "", in.group};
    SEALSTACK_ASSIGN_OR_RETURN(std::string gtext, storage::LogsRepo::Get(conn, gk));
    SEALSTACK_ASSIGN_OR_RETURN(Document g, LoadJson(gtext));
    SetMember(g, "storedBytes",
              Value(ReadJsonInt64(g, "storedBytes") + static_cast<int64_t>(bytes)),
              g.GetAllocator());
    return storage::LogsRepo::Put(conn, gk, DumpJson(g));
  });
  SEALSTACK_RETURN_IF_ERROR(st);
  return "{\"nextSequenceToken\":\"" + std::to_string(seq + 1) + "\"}";
}

Result<std::vector<LogEvent>> Service::ReadStream(const Caller& c, const std::string& group,
                                                  const std::string& stream, int64_t retention_days,
                                                  std::vector<int64_t>* ingestion) {
  const std::string& account = c.principal->account;
  const std::string arn = GroupArn(c.region, account, group);
  std::vector<storage::LogsRow> rows;
  bool exists = true;
  SEALSTACK_RETURN_IF_ERROR(deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    exists = storage::LogsRepo::Get(conn, {account, c.region, "stream", group, stream}).ok();
    SEALSTACK_ASSIGN_OR_RETURN(
        rows, storage::LogsRepo::List(conn, {account, c.region, "batch", group + kSep + stream, ""},
                                      "", 1000000));
    return Status::Ok();
  }));
  if (!exists) return StreamNotFound();
  const int64_t oldest =
      retention_days > 0 ? NowMs() - retention_days * int64_t{86400000} : INT64_MIN;
  std::vector<LogEvent> out;
  for (const auto& row : rows) {
    SEALSTACK_ASSIGN_OR_RETURN(Document b, LoadJson(row.doc));
    std::string plain;
    if (b.HasMember("events")) {
      plain = ReadJsonString(b, "events");
    } else {
      const std::string key = ReadJsonString(b, "key");
      kms::Caller kc(c);
      kc.via_service = "logs." + c.region + ".amazonaws.com";
      auto blob = crypto::FromBase64(ReadJsonString(b, "blob"));
      auto nonce = crypto::FromBase64(ReadJsonString(b, "nonce"));
      auto sealed = crypto::FromBase64(ReadJsonString(b, "sealed"));
      if (!blob || !nonce || !sealed) return Status::Internal("corrupt log batch");
      auto dk = Kms().Decrypt(kc, key, *blob, {{"aws:logs:arn", arn}}, c.request_id);
      if (!dk.ok()) {
        auto d = kms::DescribeKmsError(dk.status());
        return LogsError(
            ErrorKind::kAccessDenied,
            "The specified KMS key does not exist or is not allowed to be used with "
            "Arn '" +
                arn + "' (kms:Decrypt of " + key + " as " + c.principal->arn + ": " +
                (d ? std::string(d->code) + ": " + d->message : dk.status().message()) + ")");
      }
      SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes opened,
                                 crypto::AesGcmOpen(dk->plaintext, *nonce, arn, *sealed));
      plain = opened.Reveal();
    }
    Document events;
    events.Parse(plain.c_str(), plain.size());
    if (events.HasParseError() || !events.IsArray()) return Status::Internal("corrupt log batch");
    const int64_t ingested = ReadJsonInt64(b, "ingestion");
    for (const auto& ev : events.GetArray()) {
      if (ev[0].GetInt64() < oldest) continue;
      out.push_back({ev[0].GetInt64(), ev[1].GetString()});
      ingestion->push_back(ingested);
    }
  }
  return out;
}

Result<std::string> Service::GetLogEvents(const Caller& c, const GetLogEventsInput& in) {
  const std::string arn = GroupArn(c.region, c.principal->account, in.group);
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetLogEvents", arn + ":log-stream:" + in.stream));
  SEALSTACK_ASSIGN_OR_RETURN(std::string gtext, LoadGroup(c, in.group));
  SEALSTACK_ASSIGN_OR_RETURN(Document group, LoadJson(gtext));
  std::vector<int64_t> ingestion;
  SEALSTACK_ASSIGN_OR_RETURN(
      std::vector<LogEvent> all,
      ReadStream(c, in.group, in.stream, ReadJsonInt64(group, "retentionInDays"), &ingestion));
  std::vector<size_t> idx;
  for (size_t i = 0; i < all.size(); ++i) {
    if (in.start_time && all[i].timestamp < *in.start_time) continue;
    if (in.end_time && all[i].timestamp >= *in.end_time) continue;
    idx.push_back(i);
  }
  const int64_t n = static_cast<int64_t>(idx.size());
  const int64_t limit = static_cast<int64_t>(in.limit);
  int64_t begin = 0, end = 0;
  if (!in.next_token.empty()) {
    auto t = ParseToken(in.next_token);
    if (!t) return LogsError(ErrorKind::kInvalidParameter, "The specified nextToken is invalid.");
    const int64_t at = std::min(t->second, n);
    if (t->first == 'f') {
      begin = at;
      end = std::min(n, at + limit);
    } else {
      end = at;
      begin = std::max<int64_t>(0, at - limit);
    }
  } else if (in.start_from_head) {
    end = std::min(n, limit);
  } else {
    end = n;
    begin = std::max<int64_t>(0, n - limit);
  }
  Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  Value events(rapidjson::kArrayType);
  for (int64_t i = begin; i < end; ++i) {
    const LogEvent& e = all[idx[static_cast<size_t>(i)]];
    Value ev(rapidjson::kObjectType);
    ev.AddMember("timestamp", e.timestamp, a);
    ev.AddMember("message", Str(e.message, a), a);
    ev.AddMember("ingestionTime", ingestion[idx[static_cast<size_t>(i)]], a);
    events.PushBack(ev, a);
  }
  out.AddMember("events", events, a);
  out.AddMember("nextForwardToken", Str(Token('f', end), a), a);
  out.AddMember("nextBackwardToken", Str(Token('b', begin), a), a);
  return DumpJson(out);
}

Result<std::string> Service::FilterLogEvents(const Caller& c, const FilterLogEventsInput& in) {
  const std::string& account = c.principal->account;
  const std::string arn = GroupArn(c.region, account, in.group);
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "FilterLogEvents", arn));
  if (!in.streams.empty() && !in.stream_prefix.empty()) {
    return LogsError(ErrorKind::kInvalidParameter,
                     "logStreamNames and logStreamNamePrefix are mutually exclusive");
  }
  SEALSTACK_ASSIGN_OR_RETURN(std::string gtext, LoadGroup(c, in.group));
  SEALSTACK_ASSIGN_OR_RETURN(Document group, LoadJson(gtext));
  SEALSTACK_ASSIGN_OR_RETURN(std::vector<storage::LogsRow> rows, StreamRows(c, in.group));
  struct Hit {
    LogEvent e;
    int64_t ingestion;
    std::string stream;
    size_t order;
  };
  std::vector<Hit> hits;
  Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  Value searched(rapidjson::kArrayType);
  for (const auto& row : rows) {
    if (!in.streams.empty() &&
        std::find(in.streams.begin(), in.streams.end(), row.name) == in.streams.end()) {
      continue;
    }
    if (!StartsWith(row.name, in.stream_prefix)) continue;
    std::vector<int64_t> ingestion;
    SEALSTACK_ASSIGN_OR_RETURN(
        std::vector<LogEvent> events,
        ReadStream(c, in.group, row.name, ReadJsonInt64(group, "retentionInDays"), &ingestion));
    for (size_t i = 0; i < events.size(); ++i) {
      const LogEvent& e = events[i];
      if (in.start_time && e.timestamp < *in.start_time) continue;
      if (in.end_time && e.timestamp > *in.end_time) continue;
      if (!MatchesPattern(in.filter_pattern, e.message)) continue;
      hits.push_back({e, ingestion[i], row.name, hits.size()});
    }
    Value s(rapidjson::kObjectType);
    s.AddMember("logStreamName", Str(row.name, a), a);
    s.AddMember("searchedCompletely", true, a);
    searched.PushBack(s, a);
  }
  std::stable_sort(hits.begin(), hits.end(),
                   [](const Hit& x, const Hit& y) { return x.e.timestamp < y.e.timestamp; });
  size_t start = 0;
  if (!in.next_token.empty()) start = static_cast<size_t>(std::atoll(in.next_token.c_str()));
  Value events(rapidjson::kArrayType);
  size_t i = start;
  for (; i < hits.size() && events.Size() < in.limit; ++i) {
    const Hit& h = hits[i];
    Value ev(rapidjson::kObjectType);
    ev.AddMember("logStreamName", Str(h.stream, a), a);
    ev.AddMember("timestamp", h.e.timestamp, a);
    ev.AddMember("message", Str(h.e.message, a), a);
    ev.AddMember("ingestionTime", h.ingestion, a);
    ev.AddMember("eventId", Str(std::to_string(h.e.timestamp) + "-" + std::to_string(h.order), a),
                 a);
    events.PushBack(ev, a);
  }
  out.AddMember("events", events, a);
  out.AddMember("searchedLogStreams", searched, a);
  if (i < hits.size()) out.AddMember("nextToken", Str(std::to_string(i), a), a);
  return DumpJson(out);
}

Status Service::WriteServiceLog(const Caller& c, const std::string& group,
                                const std::string& kms_key_id, const std::string& stream,
                                std::vector<LogEvent> events) {
  auto created = CreateLogGroup(c, {group, kms_key_id});
  if (!created.ok() && LogsKindOf(created.status()) != ErrorKind::kResourceAlreadyExists) {
    return created.status();
  }
  auto stream_made = CreateLogStream(c, {group, stream});
  if (!stream_made.ok() && LogsKindOf(stream_made.status()) != ErrorKind::kResourceAlreadyExists) {
    return stream_made.status();
  }
  if (events.empty()) return Status::Ok();  // the group and stream exist, as on AWS
  return PutLogEvents(c, {group, stream, std::move(events)}).status();
}

Status Service::Reset() {
  return deps_.db->WithTransaction(
      [](storage::Connection& c) { return storage::LogsRepo::DeleteAll(c); });
}

Status Service::ResetAccount(const std::string& account) {
  return deps_.db->WithTransaction(
      [&](storage::Connection& c) { return storage::LogsRepo::DeleteAccount(c, account); });
}

}  // namespace sealstack::api::logs
