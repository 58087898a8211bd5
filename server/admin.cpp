#include "server/admin.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <thread>

#include "api/glue/glue_wire.h"
#include "common/identifiers.h"

#include "api/kms/kms_wire.h"
#include "api/s3/object_ops.h"
#include "auth/http_request.h"
#include "auth/verifier.h"
#include "common/time_format.h"
#include "crypto/digest.h"
#include "server/admin_decisions.h"
#include "server/admin_response.h"
#include "server/posture.h"
#include "server/seed.h"
#include "storage/s3_repo.h"

namespace sealstack::server {

namespace {

api::ApiResponse Health(ServerContext& context, const api::RequestIds& ids) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("status");
  w.String("ok");
  w.Key("version");
  w.String(kVersion.data(), static_cast<rapidjson::SizeType>(kVersion.size()));
  w.Key("services");
  w.StartObject();
  // What each service answers today: "available"; "partial" (some operations served);
  // "not_implemented" while its issue is open.
  const std::pair<const char*, const char*> kServices[] = {{"sts", "available"},
                                                           {"kms", "available"},
                                                           {"s3", "partial"},
                                                           {"glue", "available"},
                                                           {"cloudtrail", "available"}};
  for (const auto& [name, state] : kServices) {
    w.Key(name);
    w.String(state);
  }
  w.EndObject();
  w.Key("storage");
  w.String(context.config.in_memory ? "memory" : "sqlite");
  w.Key("region");
  w.String(context.config.region.c_str());
  w.Key("now");
  std::string now = FormatIso8601(context.clock->Now(), true);
  w.String(now.c_str());
  w.Key("uptime_seconds");
  w.Double(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - context.started).count());
  w.Key("faults");  // injected faults currently installed
  w.Uint64(context.faults ? context.faults->List().size() : 0);
  w.EndObject();
  return AdminJson(std::string(buf.GetString(), buf.GetSize()), ids);
}

api::ApiResponse ClockState(ServerContext& context, const api::RequestIds& ids) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("now");
  std::string now = FormatIso8601(context.clock->Now(), true);
  w.String(now.c_str());
  w.Key("offset_seconds");
  w.Double(std::chrono::duration<double>(context.clock->offset()).count());
  w.EndObject();
  return AdminJson(std::string(buf.GetString(), buf.GetSize()), ids);
}

// A clock move counts for signed times (presigned URLs, whole seconds) from the next whole second
// (common/clock.h): answering only then makes every URL the caller signs after the answer map
// with the new offset, and every URL it signed before the call with the old one. At most 1 s.
void WaitUntilSignedTimesMap(SystemTime counts_from) {
  std::this_thread::sleep_until(counts_from);
}

// POST {"advance_seconds": N}, {"set": "<ISO-8601>"} or {"set": "now"}: moves the server clock
// (back to real time with "now"), then applies what fell due: key deletions, rotations, import
// expiries. Clients keep signing with the real time (auth/verifier.cpp accepts both clocks).
api::ApiResponse SetClock(ServerContext& context, std::string_view body,
                          const api::RequestIds& ids) {
  rapidjson::Document d;
  if (!ParseBodyObject(body, &d)) return AdminBadRequest("body must be a JSON object", ids);
  auto adv = d.FindMember("advance_seconds");
  auto set = d.FindMember("set");
  if ((adv == d.MemberEnd()) == (set == d.MemberEnd())) {
    return AdminBadRequest("give exactly one of advance_seconds or set", ids);
  }
  SystemTime counts_from;
  if (adv != d.MemberEnd()) {
    if (!adv->value.IsNumber()) return AdminBadRequest("advance_seconds must be a number", ids);
    counts_from = context.clock->Advance(
        std::chrono::microseconds(static_cast<int64_t>(adv->value.GetDouble() * 1e6)));
  } else if (set->value.IsString() && std::string_view(set->value.GetString()) == "now") {
    counts_from = context.clock->SetOffset(std::chrono::microseconds(0));  // back to real time
  } else {
    auto t = set->value.IsString() ? ParseIso8601(set->value.GetString()) : std::nullopt;
    if (!t) {
      return AdminBadRequest(
          "set must be \"now\" or an ISO-8601 UTC time like 2030-01-01T00:00:00Z", ids);
    }
    counts_from = context.clock->SetOffset(
        std::chrono::duration_cast<std::chrono::microseconds>(*t - context.clock->RealNow()));
  }
  WaitUntilSignedTimesMap(counts_from);
  if (context.kms) context.kms->RunDue();
  return ClockState(context, ids);
}

// GET /_sealstack/glue/runs/<run id>/log: a job run's output (docs/admin-api.md). A log stored
// under a CloudWatchEncryption key is decrypted as the request's SigV4 signer (kms:Decrypt via
// logs.<region>.amazonaws.com); unsigned requests read only unencrypted logs.
api::ApiResponse GlueRunLog(ServerContext& context, const auth::HttpRequestHead& head,
                            std::string_view rest, std::string_view body,
                            const api::RequestIds& ids) {
  const std::string_view kPrefix = "runs/", kSuffix = "/log";
  if (head.method != "GET" || rest.substr(0, kPrefix.size()) != kPrefix ||
      rest.size() <= kPrefix.size() + kSuffix.size() ||
      rest.substr(rest.size() - kSuffix.size()) != kSuffix || !context.glue) {
    return AdminBadRequest("use GET /_sealstack/glue/runs/<run id>/log", ids);
  }
  const std::string run_id(
      rest.substr(kPrefix.size(), rest.size() - kPrefix.size() - kSuffix.size()));
  std::shared_ptr<const auth::Principal> reader;
  if (head.FindHeader("Authorization") != nullptr) {
    auth::VerifyOptions options;
    options.s3 = false;
    options.body_sha256_hex = crypto::Hex(crypto::Sha256(body));
    auth::VerifyOutcome outcome = auth::Verify(head, *context.principals, *context.clock, options);
    if (auto* err = std::get_if<auth::AuthError>(&outcome)) {
      return AdminError(403, "AccessDenied", err->message, ids);
    }
    reader = std::get<auth::VerifiedRequest>(outcome).principal;
  }
  auto log = context.glue->ReadRunLog(run_id, reader);
  if (!log.ok()) {
    api::WireError w = api::glue::GlueStatusToWire(log.status());
    const api::glue::ErrorKind kind = api::glue::KindOf(log.status());
    int status = kind == api::glue::ErrorKind::kEntityNotFound ? 404
                 : kind == api::glue::ErrorKind::kAccessDenied ? 403
                                                               : w.http_status;
    return AdminError(status, w.code, w.message, ids);
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("run_id");
  w.String(run_id.c_str());
  w.Key("job_name");
  w.String(log->job_name.c_str());
  w.Key("state");
  w.String(log->state.c_str());
  w.Key("encrypted");
  w.Bool(log->encrypted);
  w.Key("kms_key_arn");
  w.String(log->kms_key_arn.c_str());
  w.Key("dropped_bytes");
  w.Uint64(log->dropped_bytes);
  w.Key("log");
  w.String(log->text.data(), static_cast<rapidjson::SizeType>(log->text.size()));
  w.EndObject();
  return AdminJson(std::string(buf.GetString(), buf.GetSize()), ids);
}

// The HTTP status AWS sends with an S3 / Glue error code that may be injected; KMS codes come
// from the KMS error table (any KMS exception name).
std::optional<int> InjectableStatus(const std::string& service, const std::string& code) {
  if (service == "kms") {
    auto k = api::kms::FindKmsErrorCode(code);
    return k ? std::optional<int>(k->status) : std::nullopt;
  }
  static const std::pair<const char*, int> kS3[] = {
      {"SlowDown", 503}, {"InternalError", 500}, {"ServiceUnavailable", 503}};
  static const std::pair<const char*, int> kGlue[] = {
      {"ThrottlingException", 400},
      {"InternalServiceException", 500},
      {"OperationTimeoutException", 400},
      {"ConcurrentModificationException", 400},
      {"ResourceNumberLimitExceededException", 400}};
  if (service == "s3") {
    for (const auto& [c, st] : kS3) {
      if (code == c) return st;
    }
  }
  if (service == "glue") {
    for (const auto& [c, st] : kGlue) {
      if (code == c) return st;
    }
  }
  return std::nullopt;
}

void WriteFault(rapidjson::Writer<rapidjson::StringBuffer>& w, const api::Fault& f) {
  auto str = [&](const char* k, const std::string& v) {
    w.Key(k);
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  str("id", f.id);
  str("service", f.spec.service);
  str("operation", f.spec.operation);
  if (!f.spec.error.empty()) {
    str("error", f.spec.error);
    w.Key("http_status");
    w.Int(f.spec.http_status);
    str("message", f.spec.message);
  }
  w.Key("count");
  if (f.spec.count) {
    w.Int64(*f.spec.count);
  } else {
    w.Null();
  }
  w.Key("remaining");
  if (f.remaining) {
    w.Int64(*f.remaining);
  } else {
    w.Null();
  }
  w.Key("probability");
  w.Double(f.spec.probability);
  w.Key("latency_ms");
  w.Int64(f.spec.latency_ms);
  if (!f.spec.resource.empty()) str("resource", f.spec.resource);
  w.Key("fired");
  w.Int64(f.fired);
  w.EndObject();
}

// POST {"service", "operation", "error", "count", "probability", "latency_ms", "resource",
// "message"} -> {"id"}. Each bad field is a 400 whose message starts with the field's name.
api::ApiResponse AddFault(ServerContext& context, std::string_view body,
                          const api::RequestIds& ids) {
  rapidjson::Document d;
  if (!ParseBodyObject(body, &d)) return AdminBadRequest("body must be a JSON object", ids);
  api::FaultSpec spec;
  spec.operation = "*";
  for (const auto& m : d.GetObject()) {
    const std::string key = m.name.GetString();
    const auto& v = m.value;
    auto need_string = [&](std::string* out) {
      if (!v.IsString()) return false;
      *out = v.GetString();
      return true;
    };
    if (key == "service") {
      if (!need_string(&spec.service))
        return AdminBadRequest("service: expected kms, s3 or glue", ids);
    } else if (key == "operation") {
      if (!need_string(&spec.operation) || spec.operation.empty()) {
        return AdminBadRequest("operation: expected an operation name such as Encrypt, or *", ids);
      }
    } else if (key == "error") {
      if (!v.IsNull() && !need_string(&spec.error)) {
        return AdminBadRequest("error: expected an AWS error code", ids);
      }
    } else if (key == "message") {
      if (!need_string(&spec.message)) return AdminBadRequest("message: expected a string", ids);
    } else if (key == "resource") {
      if (!v.IsNull() && (!need_string(&spec.resource) || spec.resource.rfind("arn:", 0) != 0)) {
        return AdminBadRequest("resource: expected a key or bucket ARN", ids);
      }
    } else if (key == "count") {
      if (!v.IsNull()) {
        if (!v.IsInt64() || v.GetInt64() < 1) {
          return AdminBadRequest("count: expected a positive integer", ids);
        }
        spec.count = v.GetInt64();
      }
    } else if (key == "probability") {
      if (!v.IsNumber() || v.GetDouble() < 0 || v.GetDouble() > 1) {
        return AdminBadRequest("probability: expected a number from 0 to 1", ids);
      }
      spec.probability = v.GetDouble();
    } else if (key == "latency_ms") {
      if (!v.IsInt64() || v.GetInt64() < 0 || v.GetInt64() > 600000) {
        return AdminBadRequest("latency_ms: expected an integer from 0 to 600000", ids);
      }
      spec.latency_ms = v.GetInt64();
    } else {
      return AdminBadRequest(key + ": unknown field", ids);
    }
  }
  if (spec.service.empty()) return AdminBadRequest("service: required (kms, s3 or glue)", ids);
  if (spec.service != "kms" && spec.service != "s3" && spec.service != "glue") {
    return AdminBadRequest("service: expected kms, s3 or glue", ids);
  }
  if (spec.operation != "*" && !IsOperationName(spec.operation)) {
    return AdminBadRequest("operation: expected an operation name such as Encrypt, or *", ids);
  }
  if (spec.service == "kms" && spec.operation != "*" &&
      !api::kms::IsKnownOperation(spec.operation)) {
    return AdminBadRequest("operation: KMS has no operation " + spec.operation, ids);
  }
  if (!spec.error.empty()) {
    auto status = InjectableStatus(spec.service, spec.error);
    if (!status) {
      return AdminBadRequest(
          "error: " + spec.error + " is not an error " + spec.service + " faults can inject", ids);
    }
    spec.http_status = *status;
  } else if (spec.latency_ms == 0) {
    return AdminBadRequest("error: required unless latency_ms is given", ids);
  }
  auto id = context.faults->Add(std::move(spec));
  if (!id.ok()) return AdminBadRequest(id.status().message(), ids);
  return AdminJson("{\"id\":\"" + *id + "\"}", ids);
}

api::ApiResponse ListFaults(ServerContext& context, const api::RequestIds& ids) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("faults");
  w.StartArray();
  for (const auto& f : context.faults->List()) WriteFault(w, f);
  w.EndArray();
  w.EndObject();
  return AdminJson(std::string(buf.GetString(), buf.GetSize()), ids);
}

api::ApiResponse Faults(ServerContext& context, const auth::HttpRequestHead& head,
                        std::string_view rest, std::string_view body, const api::RequestIds& ids) {
  if (rest.empty()) {
    if (head.method == "GET") return ListFaults(context, ids);
    if (head.method == "POST") return AddFault(context, body, ids);
    if (head.method == "DELETE") {
      context.faults->Clear();
      return AdminJson("{}", ids);
    }
    return AdminMethodNotAllowed("faults accepts GET, POST and DELETE", ids);
  }
  if (head.method != "DELETE") {
    return AdminMethodNotAllowed("/_sealstack/faults/<id> accepts DELETE", ids);
  }
  if (!context.faults->Remove(rest)) {
    return AdminError(404, "NotFound", "no fault " + std::string(rest), ids);
  }
  return AdminJson("{}", ids);
}

// POST a seed document -> {"principals", "keys", "buckets", "changed"}.
api::ApiResponse Seed(ServerContext& context, const auth::HttpRequestHead& head,
                      std::string_view body, const api::RequestIds& ids) {
  if (head.method != "POST") return AdminMethodNotAllowed("seed accepts POST", ids);
  auto summary = SeedFromJson(context, body);
  if (!summary.ok()) {
    const Status& st = summary.status();
    if (st.code() == StatusCode::kInvalidArgument || st.code() == StatusCode::kAlreadyExists) {
      return AdminError(400, "InvalidSeed", st.message(), ids);
    }
    return AdminError(500, "InternalError", "seeding failed: " + st.message(), ids);
  }
  return AdminJson(SeedSummaryJson(*summary), ids);
}

// POST, optionally {"account": "123456789012"} or ?account=: drops all state, or one account's
// KMS keys/aliases/grants, S3 buckets/objects/uploads, Glue state (its runs stopped first) and
// audit events. A whole reset also returns the clock to real time, so one test's time travel
// does not leak into the next, unless {"keep_clock": true}; an account's reset leaves the clock
// (the other accounts share it). Faults stay.
api::ApiResponse Reset(ServerContext& context, const auth::HttpRequestHead& head,
                       std::string_view body, const api::RequestIds& ids) {
  if (head.method != "POST") return AdminMethodNotAllowed("reset accepts POST", ids);
  std::string account;
  bool keep_clock = false;
  for (const auto& [k, v] : auth::ParseQuery(head.RawQuery())) {
    if (k == "account") account = v;
  }
  if (body.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    rapidjson::Document d;
    if (!ParseBodyObject(body, &d)) return AdminBadRequest("body must be a JSON object", ids);
    for (const auto& m : d.GetObject()) {
      const std::string_view name = m.name.GetString();
      if (name == "keep_clock") {
        if (!m.value.IsBool()) return AdminBadRequest("keep_clock: expected true or false", ids);
        keep_clock = m.value.GetBool();
        continue;
      }
      if (name != "account") return AdminBadRequest(std::string(name) + ": unknown field", ids);
      if (!m.value.IsString()) return AdminBadRequest("account: expected 12 digits", ids);
      account = m.value.GetString();
    }
  }
  const bool one = !account.empty() || head.RawQuery().find("account") != std::string_view::npos;
  if (one && !IsAccountId(account)) {
    return AdminBadRequest("account: expected 12 digits", ids);
  }
  if (context.kms) {
    Status st = one ? context.kms->ResetAccount(account) : context.kms->Reset();
    if (st.ok() && context.glue) {
      st = one ? context.glue->ResetAccount(account) : context.glue->Reset();
    }
    if (st.ok() && context.logs) {
      st = one ? context.logs->ResetAccount(account) : context.logs->Reset();
    }
    if (st.ok() && context.iam)
      st = one ? context.iam->ResetAccount(account) : context.iam->Reset();
    if (st.ok() && context.db) {
      st = context.db->WithTransaction([&](storage::Connection& c) -> Status {
        if (one) return storage::S3Repo::DeleteAccount(c, account).status();
        return storage::S3Repo::DeleteAll(c);
      });
    }
    if (st.ok() && context.audit) st = context.audit->Clear(one ? account : std::string());
    if (!st.ok()) {
      return AdminError(500, "InternalError", "reset failed", ids);
    }
  }
  if (!one && context.decisions) context.decisions->Clear();
  if (!one && !keep_clock && context.clock->offset().count() != 0) {
    WaitUntilSignedTimesMap(context.clock->SetOffset(std::chrono::microseconds(0)));
  }
  return AdminJson("{}", ids);
}

// PUT /_sealstack/oidc/jwks?url=ISSUER with a JWKS document ({"keys": [...]}, public keys only):
// the keys AssumeRoleWithWebIdentity verifies the issuer's tokens with, for every account's
// provider of that URL (IAM has no field for them; AWS fetches them from the issuer). GET answers
// the document stored for the URL.
api::ApiResponse OidcJwks(ServerContext& context, const auth::HttpRequestHead& head,
                          std::string_view body, const api::RequestIds& ids) {
  std::string url;
  for (const auto& [k, v] : auth::ParseQuery(head.RawQuery())) {
    if (k == "url") url = v;
  }
  if (url.empty() || !context.iam) {
    return AdminBadRequest("url: the issuer URL of the tokens (their iss claim)", ids);
  }
  if (head.method == "GET") {
    Result<std::string> jwks = context.iam->GetJwks(url);
    if (!jwks.ok()) return AdminError(404, "NotFound", "no JWKS document for " + url, ids);
    return AdminJson(std::move(*jwks), ids);
  }
  if (head.method != "PUT") return AdminMethodNotAllowed("oidc/jwks accepts PUT and GET", ids);
  Result<size_t> keys = context.iam->PutJwks(url, std::string(body));
  if (!keys.ok()) {
    if (keys.status().code() == StatusCode::kInvalidArgument) {
      return AdminBadRequest(keys.status().message(), ids);
    }
    return AdminError(500, "InternalError", "storing the JWKS document failed", ids);
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("url");
  w.String(url.c_str(), static_cast<rapidjson::SizeType>(url.size()));
  w.Key("keys");
  w.Uint64(*keys);
  w.EndObject();
  return AdminJson(std::string(buf.GetString(), buf.GetSize()), ids);
}

// GET /_sealstack/audit[?account=ACCT]: every retained audit event, oldest first, as JSON lines
// (one CloudTrail record per line). Streamed a page at a time; the length is counted first, up
// to the newest event at the time of the request.
api::ApiResponse AuditLines(ServerContext& context, const auth::HttpRequestHead& head,
                            const api::RequestIds& ids) {
  std::string account;
  for (const auto& [k, v] : auth::ParseQuery(head.RawQuery())) {
    if (k == "account") account = v;
  }
  uint64_t length = 0;
  int64_t upto = 0;
  Status st = context.audit->ForEachJson(account, 0, [&](const auto& lines, int64_t last) {
    for (const auto& l : lines) length += l.size() + 1;
    upto = last;
    return true;
  });
  if (!st.ok()) {
    return AdminError(500, "InternalError", "reading the audit trail failed", ids);
  }
  api::ApiResponse r;
  r.status = 200;
  r.SetHeader("Content-Type", "application/x-ndjson");
  api::AddRequestIdHeaders(api::Protocol::kAdmin, ids, &r);
  if (upto == 0) return r;  // no events: an empty body
  audit::Recorder* recorder = context.audit.get();
  r.stream_length = length;
  r.stream = [recorder, account, upto, length](const api::BodyWriter& write) {
    uint64_t sent = 0;
    bool ok = true;
    Status read = recorder->ForEachJson(account, upto, [&](const auto& lines, int64_t) {
      for (const auto& l : lines) {
        std::string line = l;
        line += '\n';
        if (sent + line.size() > length) return ok = false;  // the trail changed meanwhile
        if (!write(line)) return ok = false;
        sent += line.size();
      }
      return true;
    });
    return read.ok() && ok && sent == length;
  };
  return r;
}

}  // namespace

api::ApiResponse HandleAdmin(ServerContext& context, const auth::HttpRequestHead& head,
                             std::string_view admin_path, std::string_view body,
                             const api::RequestIds& ids) {
  if (admin_path.rfind("s3/", 0) == 0) {
    // GET /_sealstack/s3/<bucket>/<key>: how an object is protected (never key material).
    std::string_view rest = admin_path.substr(3);
    size_t slash = rest.find('/');
    if (head.method != "GET" || slash == std::string_view::npos || !context.s3_objects) {
      return AdminBadRequest("use GET /_sealstack/s3/<bucket>/<key>", ids);
    }
    std::string bucket(rest.substr(0, slash)), key;
    if (!auth::UriDecode(rest.substr(slash + 1), &key)) key = std::string(rest.substr(slash + 1));
    // ?versionId=: one version of the object (each has its own key and protection).
    std::optional<std::string> version_id;
    for (auto& [name, value] : auth::ParseQuery(head.RawQuery())) {
      if (name == "versionId") version_id = value;
    }
    auto view = api::s3::DescribeObjectProtection(*context.s3_objects, bucket, key, version_id);
    if (!view.ok()) {
      std::string what = "no object " + bucket + "/" + key;
      if (version_id) what += " version " + *version_id;
      return AdminError(404, "NoSuchKey", what, ids);
    }
    return AdminJson(*view, ids);
  }
  if (admin_path.rfind("glue/", 0) == 0) {
    return GlueRunLog(context, head, admin_path.substr(5), body, ids);
  }
  if (admin_path == "decisions") {
    if (head.method != "GET") return AdminMethodNotAllowed("decisions accepts GET", ids);
    return Decisions(context, head, ids);
  }
  if (admin_path == "simulate") {
    if (head.method != "POST") return AdminMethodNotAllowed("simulate accepts POST", ids);
    return Simulate(context, body, ids);
  }
  if (auto view = HandleViews(context, head, admin_path, body, ids)) return std::move(*view);
  if (admin_path == "reset") return Reset(context, head, body, ids);
  if (admin_path == "seed") return Seed(context, head, body, ids);
  if (admin_path == "faults" || admin_path.rfind("faults/", 0) == 0) {
    return Faults(context, head, admin_path.size() > 7 ? admin_path.substr(7) : "", body, ids);
  }
  if (admin_path == "audit") {
    if (head.method != "GET" || !context.audit) {
      return AdminMethodNotAllowed("audit accepts GET", ids);
    }
    return AuditLines(context, head, ids);
  }
  if (admin_path == "oidc/jwks") return OidcJwks(context, head, body, ids);
  if (admin_path == "clock") {
    if (head.method == "GET") return ClockState(context, ids);
    if (head.method == "POST") return SetClock(context, body, ids);
    return AdminMethodNotAllowed("clock accepts GET and POST", ids);
  }
  if (admin_path == "health") {
    if (head.method != "GET" && head.method != "HEAD") {
      return AdminMethodNotAllowed("health accepts GET only", ids);
    }
    return Health(context, ids);
  }
  return AdminError(404, "NotFound", "no admin endpoint /_sealstack/" + std::string(admin_path),
                    ids);
}

}  // namespace sealstack::server
