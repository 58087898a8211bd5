#include "api/glue/glue_kms_failure.h"

#include "api/common/errors.h"
#include "api/common/request_id.h"
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

std::string KmsFailureMessage(const Status& kms_status, const std::string& principal,
                              const std::string& action, const std::string& key,
                              const std::string& setting) {
  KmsFailure w = DescribeKmsFailure(kms_status);
  return setting + ": " + principal + " cannot use KMS key " + key + " for " + action + ": " +
         w.message + " (Service: AWSKMS; Status Code: " + std::to_string(w.http_status) +
         "; Error Code: " + w.code + "; Request ID: " + NewUuidRequestId() + "; Proxy: null)";
}

}  // namespace sealstack::api::glue
