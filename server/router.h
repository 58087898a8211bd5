// Router: decides from the request head alone which protocol and service a request is for
// (docs/protocol-notes.md), in this order:
//   1. /_sealstack/...                         admin (test-control plane, no AWS auth)
//   2. X-Amz-Target present                    JSON 1.1: KMS, Glue, CloudTrail (or unknown)
//   3. AWS Query: credential scope "iam" IAM; scope "sts", a form POST to /, or ?Action= STS
//   4. everything else                         S3 REST-XML, path-style or virtual-hosted
// Pure: no I/O, no state. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "api/common/wire.h"
#include "auth/http_request.h"

namespace sealstack::server {

// kForeign: signed for an AWS service SealStack does not emulate (sqs, lambda, ...); answered
// with that service's own unknown-operation error, before authentication.
enum class Service {
  kAdmin,
  kKms,
  kGlue,
  kLogs,
  kCloudTrail,
  kUnknownJson,
  kSts,
  kIam,
  kS3,
  kForeign
};

std::string_view ServiceName(Service s);  // "kms", "s3", ... for logs

struct Route {
  api::Protocol protocol = api::Protocol::kS3;
  Service service = Service::kS3;
  std::string operation;  // JSON: the part after the target prefix ("Encrypt")
  // S3 addressing
  std::string bucket;  // "" for service-level requests (ListBuckets)
  std::string key;     // raw (still %-encoded), "" for bucket-level requests
  bool virtual_hosted = false;
  std::string admin_path;       // admin: the path after /_sealstack/ ("health")
  std::string foreign_service;  // kForeign: the credential scope's service ("sqs")
};

Route Classify(const auth::HttpRequestHead& head, std::string_view s3_base_domain);

}  // namespace sealstack::server
