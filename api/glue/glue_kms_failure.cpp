#include "api/glue/glue_kms_failure.h"

#include "api/common/errors.h"
#include "api/kms/kms_errors.h"

namespace sealstack::api::glue {

KmsFailure DescribeKmsFailure(const Status& kms_status) {
  KmsFailure out;
  if (auto d = kms::DescribeKmsError(kms_status)) {
    out.http_status = d->http_status;
    out.code = std::string(d->code);
    out.message = std::move(d->message);
  } else {
    // Not a KMS error kind: the generic awsJson1_1 answer for its StatusCode.
    WireError w = StatusToWire(kms_status, Protocol::kJson);
    out.http_status = w.http_status;
    out.code = std::move(w.code);
    out.message = std::move(w.message);
  }
  out.access_denied = kms_status.detail() == static_cast<int>(kms::ErrorKind::kAccessDenied) ||
                      (kms_status.detail() == 0 && kms_status.code() == StatusCode::kAccessDenied);
  return out;
}

}  // namespace sealstack::api::glue
