// The S3 error table: a Status met while serving S3 (an s3::ErrorKind, a kms::ErrorKind from a
// KMS call S3 made for the caller, or a generic StatusCode) as S3's XML error: HTTP status,
// <Code>, message and extra elements. KMS failures surface as AWS does: "KMS.NotFoundException",
// "KMS.DisabledException", ... (400), a KMS denial as 403 AccessDenied.
#pragma once

#include <string>

#include "api/common/wire.h"
#include "common/status.h"

namespace sealstack::api::s3 {

WireError S3StatusToWire(const Status& status);

// The S3 error code and client-facing message of a Status from s3::Service, for callers that
// report an S3 failure in their own words (a Glue run: "AccessDenied: Access Denied").
struct S3ErrorText {
  std::string code;     // "NoSuchKey", "AccessDenied", "KMS.DisabledException", ...
  std::string message;  // without the extra elements (Key, BucketName, ...)
};
S3ErrorText S3ErrorCodeAndMessage(const Status& status);

}  // namespace sealstack::api::s3
