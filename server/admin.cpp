#include "server/admin.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/time_format.h"

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
  // What each service answers today: "available", or "not_implemented" while its issue is open.
  const std::pair<const char*, const char*> kServices[] = {{"sts", "available"},
                                                           {"kms", "not_implemented"},
                                                           {"s3", "not_implemented"},
                                                           {"glue", "not_implemented"},
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

}  // namespace

api::ApiResponse HandleAdmin(ServerContext& context, const auth::HttpRequestHead& head,
                             std::string_view admin_path, const api::RequestIds& ids) {
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
