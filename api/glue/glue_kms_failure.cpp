#include "api/glue/glue_kms_failure.h"

#include "api/kms/kms_errors.h"
#include "api/kms/kms_wire.h"

namespace sealstack::api::glue {

KmsFailure DescribeKmsFailure(const Status& kms_status) {
  WireError w = kms::KmsStatusToWire(kms_status);
  KmsFailure out;
  out.http_status = w.http_status;
  out.code = w.code;
  out.message = w.message;
  out.access_denied = kms_status.detail() == static_cast<int>(kms::ErrorKind::kAccessDenied) ||
                      (kms_status.detail() == 0 && kms_status.code() == StatusCode::kAccessDenied);
  return out;
}

}  // namespace sealstack::api::glue
