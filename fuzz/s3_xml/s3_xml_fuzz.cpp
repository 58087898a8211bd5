// libFuzzer target: the S3 request-body XML parsers (api/s3/s3_xml.h) on arbitrary bytes. Every
// parser sees every input (they are cheap and share the XML reader). An accepted bucket
// encryption configuration must survive Render -> Parse unchanged (the server stores and
// returns it that way).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/s3/s3_xml.h"

using namespace sealstack::api::s3;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)ParseCreateBucketConfiguration(body);
  (void)ParseDeleteRequest(body);
  (void)ParseCompleteMultipartUpload(body);
  auto config = ParseEncryptionConfiguration(body);
  if (config.ok()) {
    auto again = ParseEncryptionConfiguration(RenderEncryptionConfiguration(*config));
    if (!again.ok() || again->sse_algorithm != config->sse_algorithm ||
        again->kms_master_key_id != config->kms_master_key_id ||
        again->bucket_key_enabled != config->bucket_key_enabled ||
        again->blocked_encryption_types != config->blocked_encryption_types) {
      abort();
    }
  }
  return 0;
}
