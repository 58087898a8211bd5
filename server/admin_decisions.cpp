#include "server/admin_decisions.h"

#include <rapidjson/document.h>

#include <charconv>

#include "api/kms/kms_service.h"
#include "api/s3/bucket_service.h"
#include "auth/http_request.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "server/admin_response.h"
#include "server/decision_log.h"

namespace sealstack::server {

namespace {

// The global keys a caller carries (api::Caller) from a simulated context; the rest stay
// request keys.
bool TakeCallerKey(const std::string& key, const std::string& value, api::Caller* c) {
  const std::string k = ToLower(key);
  if (k == "aws:securetransport") {
    c->secure_transport = value == "true";
  } else if (k == "aws:sourceip") {
    c->source_ip = value;
  } else if (k == "aws:useragent") {
    c->user_agent = value;
  } else if (k == "aws:requestedregion") {
    c->region = value;
  } else {
    return false;
  }
  return true;
}

// The resource policy a simulated action is decided with, as the services find it.
Status AddResourcePolicy(ServerContext& context, api::AccessRequest* r) {
  const std::string_view service = std::string_view(r->action).substr(0, r->action.find(':'));
  if (EqualsIgnoreCase(service, "kms")) {
    r->service = api::AccessService::kKms;
    if (r->resource == "*") return Status::Ok();  // account-level (CreateKey, ListKeys)
    auto key = context.kms ? context.kms->KeyOfArn(r->resource) : nullptr;
    if (!key) return Status::InvalidArgument("resource: no KMS key has the ARN " + r->resource);
    r->rule = api::AccessRule::kKeyPolicy;
    r->resource_policy = key->policy;
    r->resource_account = key->account;
    return Status::Ok();
  }
  if (EqualsIgnoreCase(service, "s3")) {
    r->service = api::AccessService::kS3;
    r->rule = api::AccessRule::kBucketPolicy;
    constexpr std::string_view kPrefix = "arn:aws:s3:::";
    if (!StartsWith(r->resource, kPrefix) || !context.s3_buckets) {
      return Status::InvalidArgument("resource: an S3 ARN (arn:aws:s3:::bucket[/key])");
    }
    const std::string rest = r->resource.substr(kPrefix.size());
    auto bucket = context.s3_buckets->Load(rest.substr(0, rest.find('/')));
    if (!bucket.ok()) return Status::InvalidArgument("resource: no such bucket");
    r->resource_policy = bucket->policy;
    r->resource_account = bucket->account;
    return Status::Ok();
  }
  if (EqualsIgnoreCase(service, "glue")) {
    r->service = api::AccessService::kGlue;
    return Status::Ok();
  }
  if (EqualsIgnoreCase(service, "cloudtrail")) {
    r->service = api::AccessService::kCloudTrail;
    return Status::Ok();
  }
  return Status::InvalidArgument("action: a kms:, s3:, glue: or cloudtrail: action");
}

}  // namespace

api::ApiResponse Decisions(ServerContext& context, const auth::HttpRequestHead& head,
                           const api::RequestIds& ids) {
  DecisionFilter f;
  for (const auto& [k, v] : auth::ParseQuery(head.RawQuery())) {
    if (k == "principal") {
      f.principal = v;
    } else if (k == "action") {
      f.action = v;
    } else if (k == "resource") {
      f.resource = v;
    } else if (k == "result") {
      if (v != "allow" && v != "deny" && v != "explicit_deny" && v != "implicit_deny") {
        return AdminBadRequest("result: allow, deny, explicit_deny or implicit_deny", ids);
      }
      f.result = v;
    } else if (k == "since") {
      f.since = ParseIso8601(v);
      if (!f.since)
        return AdminBadRequest("since: an ISO-8601 UTC time like 2030-01-01T00:00:00Z", ids);
    } else if (k == "limit") {
      int64_t n = 0;
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size() || n < 1 || n > 1000) {
        return AdminBadRequest("limit: 1 to 1000", ids);
      }
      f.limit = static_cast<size_t>(n);
    } else {
      return AdminBadRequest(k + ": unknown parameter", ids);
    }
  }
  std::string body = "{\"decisions\":[";
  bool first = true;
  for (const auto& d : context.decisions->Find(f)) {
    if (!first) body += ',';
    body += DecisionJson(d);
    first = false;
  }
  body += "]}";
  return AdminJson(std::move(body), ids);
}

api::ApiResponse Simulate(ServerContext& context, std::string_view body,
                          const api::RequestIds& ids) {
  rapidjson::Document d;
  if (!ParseBodyObject(body, &d)) return AdminBadRequest("body must be a JSON object", ids);
  api::Caller caller;
  caller.region = context.config.region;
  api::AccessRequest r;
  r.resource = "*";
  for (const auto& m : d.GetObject()) {
    const std::string name = m.name.GetString();
    if (name == "context") continue;
    if (!m.value.IsString()) return AdminBadRequest(name + ": expected a string", ids);
    const std::string value = m.value.GetString();
    if (name == "principal") {
      caller.principal = context.principals->FindByArn(value);
      if (!caller.principal) {
        return AdminBadRequest(
            "principal: no principal has the ARN " + value + " (configure or seed it first)", ids);
      }
    } else if (name == "action") {
      r.action = value;
    } else if (name == "resource") {
      r.resource = value;
    } else {
      return AdminBadRequest(name + ": unknown field", ids);
    }
  }
  if (!caller.principal) return AdminBadRequest("principal: required (an ARN)", ids);
  if (r.action.find(':') == std::string::npos)
    return AdminBadRequest("action: required, like kms:Decrypt", ids);
  auto ctx = d.FindMember("context");
  if (ctx != d.MemberEnd()) {
    if (!ctx->value.IsObject()) return AdminBadRequest("context: expected an object", ids);
    for (const auto& m : ctx->value.GetObject()) {
      const std::string key = m.name.GetString();
      std::vector<std::string> values;
      if (m.value.IsString()) {
        values.emplace_back(m.value.GetString());
      } else if (m.value.IsArray()) {
        for (const auto& v : m.value.GetArray()) {
          if (!v.IsString()) return AdminBadRequest("context." + key + ": strings only", ids);
          values.emplace_back(v.GetString());
        }
      } else {
        return AdminBadRequest("context." + key + ": a string or a list of strings", ids);
      }
      for (const auto& v : values) {
        if (!TakeCallerKey(key, v, &caller)) r.keys.emplace_back(key, v);
      }
    }
  }
  if (Status st = AddResourcePolicy(context, &r); !st.ok())
    return AdminBadRequest(st.message(), ids);
  RecordedDecision out{0, context.clock->Now(),
                       context.access->Evaluate(caller, r, /*explain=*/true)};
  return AdminJson(DecisionJson(out), ids);
}

}  // namespace sealstack::server
