#include "api/glue/glue_script.h"

#include <fstream>

#include "api/glue/glue_errors.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_service.h"

namespace sealstack::api::glue {

Status FetchScript(const ScriptStore& store, const std::shared_ptr<const auth::Principal>& reader,
                   const std::string& region, const std::string& location, size_t max_bytes,
                   const std::string& path) {
  if (location.rfind("s3://", 0) != 0 || location.find('/', 5) == std::string::npos) {
    return InvalidInput("Script location " + (location.empty() ? std::string("(none)") : location) +
                        " is not an S3 location (s3://bucket/key).");
  }
  const size_t slash = location.find('/', 5);
  s3::GetObjectInput in;
  in.bucket = location.substr(5, slash - 5);
  in.key = location.substr(slash + 1);
  s3::S3Caller sc;
  sc.principal = reader;
  sc.region = region;
  s3::Service s3(s3::ObjectServices{store.buckets, store.objects, store.data_keys, false});
  Result<s3::ObjectReader> object = s3.GetObject(sc, in);
  if (!object.ok()) {
    s3::S3ErrorText e = s3::S3ErrorCodeAndMessage(object.status());
    return InvalidInput("Failed to read the job script " + location + " as " + reader->arn + ": " +
                        e.code + ": " + e.message);
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
  const Status read = object->WriteTo(write);
  out.close();
  if (too_large) {
    return InvalidInput("The job script " + location + " is larger than " +
                        std::to_string(max_bytes) + " bytes.");
  }
  if (!read.ok() || !out) {
    return GlueError(ErrorKind::kInternal, "Failed to read the job script " + location);
  }
  return Status::Ok();
}

}  // namespace sealstack::api::glue
