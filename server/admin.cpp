#include "server/admin.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/glue/glue_wire.h"
#include "api/s3/object_ops.h"
#include "auth/http_request.h"
#include "auth/verifier.h"
#include "common/time_format.h"
#include "crypto/digest.h"
#include "storage/s3_repo.h"

namespace sealstack::server {

namespace {

api::ApiResponse Json(int status, std::string body) {
  api::ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  r.SetHeader("Content-Type", "application/json");
  return r;
}

api::ApiResponse Health(ServerContext& context) {
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
                                                           {"cloudtrail", "not_implemented"}};
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
  w.EndObject();
  return Json(200, std::string(buf.GetString(), buf.GetSize()));
}

api::ApiResponse ClockState(ServerContext& context) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("now");
  std::string now = FormatIso8601(context.clock->Now(), true);
  w.String(now.c_str());
  w.Key("offset_seconds");
  w.Double(std::chrono::duration<double>(context.clock->offset()).count());
  w.EndObject();
  return Json(200, std::string(buf.GetString(), buf.GetSize()));
}

api::ApiResponse BadRequest(const std::string& message, const api::RequestIds& ids) {
  return api::RenderError(api::Protocol::kAdmin, {400, "InvalidRequest", message, {}, false}, ids);
}

// POST {"advance_seconds": N} or {"set": "<ISO-8601>"}: moves the server clock (never
// backwards past the real time is fine too), then applies what fell due: key deletions,
// rotations, import expiries.
api::ApiResponse SetClock(ServerContext& context, std::string_view body,
                          const api::RequestIds& ids) {
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  if (d.HasParseError() || !d.IsObject()) return BadRequest("body must be a JSON object", ids);
  auto adv = d.FindMember("advance_seconds");
  auto set = d.FindMember("set");
  if ((adv == d.MemberEnd()) == (set == d.MemberEnd())) {
    return BadRequest("give exactly one of advance_seconds or set", ids);
  }
  if (adv != d.MemberEnd()) {
    if (!adv->value.IsNumber()) return BadRequest("advance_seconds must be a number", ids);
    context.clock->Advance(
        std::chrono::microseconds(static_cast<int64_t>(adv->value.GetDouble() * 1e6)));
  } else {
    auto t = set->value.IsString() ? ParseIso8601(set->value.GetString()) : std::nullopt;
    if (!t) return BadRequest("set must be an ISO-8601 UTC time like 2030-01-01T00:00:00Z", ids);
    context.clock->SetOffset(std::chrono::duration_cast<std::chrono::microseconds>(
        *t - std::chrono::system_clock::now()));
  }
  if (context.kms) context.kms->RunDue();
  return ClockState(context);
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
    return api::RenderError(
        api::Protocol::kAdmin,
        {400, "InvalidRequest", "use GET /_sealstack/glue/runs/<run id>/log", {}, false}, ids);
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
      return api::RenderError(api::Protocol::kAdmin, {403, "AccessDenied", err->message, {}, false},
                              ids);
    }
    reader = std::get<auth::VerifiedRequest>(outcome).principal;
  }
  auto log = context.glue->ReadRunLog(run_id, reader);
  if (!log.ok()) {
    api::WireError w = api::glue::GlueStatusToWire(log.status());
    int status = w.code == "EntityNotFoundException" ? 404
                 : w.code == "AccessDeniedException" ? 403
                                                     : w.http_status;
    return api::RenderError(api::Protocol::kAdmin, {status, w.code, w.message, {}, false}, ids);
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
  api::ApiResponse r = Json(200, std::string(buf.GetString(), buf.GetSize()));
  api::AddRequestIdHeaders(api::Protocol::kAdmin, ids, &r);
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
      return api::RenderError(
          api::Protocol::kAdmin,
          {400, "InvalidRequest", "use GET /_sealstack/s3/<bucket>/<key>", {}, false}, ids);
    }
    std::string bucket(rest.substr(0, slash)), key;
    if (!auth::UriDecode(rest.substr(slash + 1), &key)) key = std::string(rest.substr(slash + 1));
    auto view = api::s3::DescribeObjectProtection(*context.s3_objects, bucket, key);
    if (!view.ok()) {
      return api::RenderError(api::Protocol::kAdmin,
                              {404, "NoSuchKey", "no object " + bucket + "/" + key, {}, false},
                              ids);
    }
    api::ApiResponse r = Json(200, *view);
    api::AddRequestIdHeaders(api::Protocol::kAdmin, ids, &r);
    return r;
  }
  if (admin_path.rfind("glue/", 0) == 0) {
    return GlueRunLog(context, head, admin_path.substr(5), body, ids);
  }
  if (admin_path == "reset") {
    if (head.method != "POST") {
      return api::RenderError(api::Protocol::kAdmin,
                              {405, "MethodNotAllowed", "reset accepts POST", {}, false}, ids);
    }
    // Drops every key, alias, grant, bucket and object in one step (per-test isolation); the
    // clock stays.
    if (context.kms) {
      Status st = context.kms->Reset();
      if (st.ok() && context.glue) st = context.glue->Reset();
      if (st.ok() && context.db) {
        st = context.db->WithTransaction(
            [](storage::Connection& c) { return storage::S3Repo::DeleteAll(c); });
      }
      if (!st.ok()) {
        return api::RenderError(api::Protocol::kAdmin,
                                {500, "InternalError", "reset failed", {}, true}, ids);
      }
    }
    api::ApiResponse r = Json(200, "{}");
    api::AddRequestIdHeaders(api::Protocol::kAdmin, ids, &r);
    return r;
  }
  if (admin_path == "clock") {
    api::ApiResponse r;
    if (head.method == "GET") {
      r = ClockState(context);
    } else if (head.method == "POST") {
      r = SetClock(context, body, ids);
    } else {
      return api::RenderError(api::Protocol::kAdmin,
                              {405, "MethodNotAllowed", "clock accepts GET and POST", {}, false},
                              ids);
    }
    api::AddRequestIdHeaders(api::Protocol::kAdmin, ids, &r);
    return r;
  }
  if (admin_path == "health") {
    if (head.method != "GET" && head.method != "HEAD") {
      return api::RenderError(api::Protocol::kAdmin,
                              {405, "MethodNotAllowed", "health accepts GET only", {}, false}, ids);
    }
    api::ApiResponse r = Health(context);
    api::AddRequestIdHeaders(api::Protocol::kAdmin, ids, &r);
    return r;
  }
  return api::RenderError(
      api::Protocol::kAdmin,
      {404, "NotFound", "no admin endpoint /_sealstack/" + std::string(admin_path), {}, false},
      ids);
}

}  // namespace sealstack::server
