// The JSON document stored with every object and multipart upload (the `doc` column of its
// row): content headers, user metadata, how the data key is protected, and checksums. The
// format is written down in docs/formats/object-metadata.md. Pure, thread-safe.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "api/s3/client_side.h"
#include "api/s3/data_keys.h"
#include "api/s3/object_lock.h"
#include "api/s3/object_store.h"
#include "common/result.h"

namespace sealstack::api::s3 {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ObjectDoc {
  HeaderList content_headers;  // Content-Type, Cache-Control, ... as sent
  HeaderList user_metadata;    // x-amz-meta-* (lower-cased names), values byte for byte
  ProtectedDataKey sse;
  std::string user_context_b64;             // the context header as sent (echoed on PUT)
  std::string checksum_algorithm;           // "CRC64NVME", ...; "" = none
  std::string checksum_value;               // base64 (composite: "<b64>-N")
  std::string checksum_type;                // "FULL_OBJECT" | "COMPOSITE"; "" = FULL_OBJECT
  std::vector<std::string> part_checksums;  // multipart: base64 per part, in order
  std::vector<uint64_t> part_sizes;         // multipart: plaintext bytes per part
  HeaderList tags;                          // object tags (object_tags.h), in request order
  ObjectLock lock;                          // Object Lock retention and legal hold
  ClientSideLayer client_side;  // recognised at write time (client_side.h); empty = none seen
};

std::string EncodeObjectDoc(const ObjectDoc& d);
// The doc's "client_side" object (docs/formats/object-metadata.md), also the admin views'.
void WriteClientSideLayer(rapidjson::Writer<rapidjson::StringBuffer>& w, const ClientSideLayer& c);
// `wrapped_key` is the row's wrapped_key column (ProtectedDataKey::wrapped_key is not in the
// doc). IoError when the text is not an object doc.
Result<ObjectDoc> DecodeObjectDoc(const std::string& text, const std::string& wrapped_key);

// The admin view of an object's protection (docs/admin-api.md): version, mode, KMS key ARN, key
// material id, encryption context, bucket key, size, segments -- never key material. Plain
// JSON. The latest version, or `version_id`; kNotFound for none, or a delete marker.
Result<std::string> DescribeObjectProtection(
    ObjectStore& store, const std::string& bucket, const std::string& key,
    const std::optional<std::string>& version_id = std::nullopt);

}  // namespace sealstack::api::s3
