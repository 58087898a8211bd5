#include "api/glue/glue_script.h"

#include <fstream>

#include "api/common/request_id.h"
#include "api/glue/glue_errors.h"
#include "api/s3/object_ops.h"

namespace sealstack::api::glue {

namespace {

// "<Code>X</Code>" from an S3 XML error body.
std::string XmlElement(const std::string& body, const std::string& name) {
  size_t a = body.find("<" + name + ">");
  size_t b = body.find("</" + name + ">");
  if (a == std::string::npos || b == std::string::npos || b < a) return "";
  a += name.size() + 2;
  return body.substr(a, b - a);
}

}  // namespace

Status FetchScript(const ScriptStore& store, const std::shared_ptr<const auth::Principal>& reader,
                   const std::string& region, const std::string& location, size_t max_bytes,
                   const std::string& path) {
  if (location.rfind("s3://", 0) != 0 || location.find('/', 5) == std::string::npos) {
    return InvalidInput("Script location " + (location.empty() ? std::string("(none)") : location) +
                        " is not an S3 location (s3://bucket/key).");
  }
  const size_t slash = location.find('/', 5);
  s3::S3Request req;
  req.method = "GET";
  req.bucket = location.substr(5, slash - 5);
  req.key = location.substr(slash + 1);
  static const std::vector<std::pair<std::string, std::string>> kNoHeaders;
  req.headers = &kNoHeaders;
  req.resource = "/" + req.bucket + "/" + req.key;
  s3::S3Caller sc;
  sc.principal = reader;
  sc.region = region;
  s3::ObjectServices services{store.buckets, store.objects, store.data_keys, false};
  RequestIds ids{NewUuidRequestId(), ""};
  ApiResponse resp = s3::HandleObject(
      services, sc, req,
      [](const std::function<Status(std::string_view)>&) { return Status::Ok(); }, ids);
  if (resp.status != 200) {
    return InvalidInput("Failed to read the job script " + location + " as " + reader->arn + ": " +
                        XmlElement(resp.body, "Code") + ": " + XmlElement(resp.body, "Message"));
  }
  std::ofstream out(path, std::ios::binary);
  size_t written = 0;
  bool too_large = false;
  auto write = [&](std::string_view piece) {
    written += piece.size();
    if (written > max_bytes) {
      too_large = true;
      return false;
    }
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    return true;
  };
  const bool ok = resp.stream ? resp.stream(write) : write(resp.body);
  out.close();
  if (too_large) {
    return InvalidInput("The job script " + location + " is larger than " +
                        std::to_string(max_bytes) + " bytes.");
  }
  if (!ok || !out) {
    return GlueError(ErrorKind::kInternal, "Failed to read the job script " + location);
  }
  return Status::Ok();
}

}  // namespace sealstack::api::glue
