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

}  // namespace sealstack::api::s3
