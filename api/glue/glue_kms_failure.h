// How Glue words a failed call it made to KMS. Glue's messages quote KMS's own answer the way
// the AWS SDK prints a KMS exception ("... (Service: AWSKMS; Status Code: 400; Error Code:
// AccessDeniedException; ...)"), so they need KMS's wire code and status for a kms::Service
// Status. This is the one place Glue learns them.
#pragma once

#include <string>

#include "common/status.h"

namespace sealstack::api::glue {

struct KmsFailure {
  int http_status = 0;
  std::string code;     // KMS's error code, e.g. "KMSInvalidStateException"
  std::string message;  // KMS's client-facing message
  bool access_denied = false;
};

// REQUIRES: !kms_status.ok(), a Status from kms::Service.
KmsFailure DescribeKmsFailure(const Status& kms_status);

// A KMS failure as Glue reports it in a run's ErrorMessage: which setting, who, which action,
// which key, and KMS's own answer in the SDK's exception format.
std::string KmsFailureMessage(const Status& kms_status, const std::string& principal,
                              const std::string& action, const std::string& key,
                              const std::string& setting);

}  // namespace sealstack::api::glue
