// KMS calls as audit records (audit/event.h): the CloudTrail shape of each KMS operation.
//
// Direct calls: HandleKmsRequestAudited wraps HandleKmsRequest (kms_wire.h). A call that
// changes state records in the transaction of its change (ScopedAuditHook); every other call
// (crypto operations, reads, failures) is queued to the Recorder's background writer.
//
// Calls S3 and Glue make in-process on a caller's behalf: RecordServiceKmsCall, one call after
// each kms::Service call they make (see docs/audit.md).
//
// requestParameters: the request's members in lower camel case, with secrets left out
// (Plaintext, CiphertextBlob, key material, import tokens, messages, signatures, MACs, peer
// public keys); Encrypt/Decrypt/ReEncrypt always carry their encryption algorithm, as on AWS.
// responseElements: null (as AWS logs for cryptographic operations; SealStack also leaves it
// null for management operations).
//
// Thread safety: stateless functions.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

#include "api/common/errors.h"
#include "api/common/wire.h"
#include "api/kms/kms_service.h"
#include "audit/recorder.h"

namespace sealstack::api::kms {

// HandleKmsRequest, recorded. `recorder` may be null (no audit trail).
ApiResponse HandleKmsRequestAudited(Service& service, audit::Recorder* recorder,
                                    const Caller& caller, std::string_view operation,
                                    std::string_view body, const RequestIds& ids);

// True for the KMS operations CloudTrail marks readOnly (crypto operations, Describe/Get/List).
bool IsReadOnlyOperation(std::string_view operation);
// The operations that count as a key's use for GetKeyLastUsage.
const std::vector<std::string>& KeyUsageOperations();

// requestParameters JSON for a KMS request body (the parsed wire JSON; "" unless it is an
// object), secrets left out.
std::string KmsRequestParameters(std::string_view operation, const rapidjson::Value& body);

// "s3.us-east-1.amazonaws.com" -> "s3.amazonaws.com" (userIdentity.invokedBy).
std::string InvokedByOf(std::string_view via_service);

// Records one KMS call that S3 or Glue made in-process on the caller's behalf:
//   caller              the kms::Caller they passed (principal = the end user, via_service set)
//   operation           "GenerateDataKey", "Decrypt", ...
//   request_parameters  audit::ParamsBuilder output, e.g.
//                       ParamsBuilder().String("keyId", id).String("keySpec", "AES_256")
//                           .Map("encryptionContext", ctx).Build()
//   key_arns            the key(s) the call used (resources); may be empty when unresolved
//   outcome             the Status kms::Service returned (errorCode/errorMessage from it)
//   request_id          the S3/Glue request's id
//   invoked_by          userIdentity.invokedBy; "" = derived from caller.via_service
// Queued (never blocks on SQLite unless the queue is full).
void RecordServiceKmsCall(audit::Recorder& recorder, const Caller& caller,
                          std::string_view operation, std::string request_parameters,
                          const std::vector<std::string>& key_arns, const Status& outcome,
                          std::string_view request_id, std::string_view invoked_by = {});

// The kms::Service calls S3 and Glue make on a caller's behalf, each followed by its
// RecordServiceKmsCall (requestParameters as CloudTrail logs them: keyId, keySpec or
// numberOfBytes, encryptionAlgorithm, encryptionContext). One per calling service; cheap to copy.
class ServiceKmsClient {
 public:
  // `recorder` may be null (no trail). `invoked_by` ("glue.amazonaws.com"): the service named in
  // userIdentity.invokedBy, whatever kms:ViaService the caller carries; "" = derived from it.
  ServiceKmsClient(Service& kms, audit::Recorder* recorder, std::string invoked_by = "")
      : kms_(&kms), recorder_(recorder), invoked_by_(std::move(invoked_by)) {}

  // GenerateDataKey (with_plaintext) or GenerateDataKeyWithoutPlaintext. `logged_key_id` is the
  // keyId requestParameters shows ("" = key_id).
  Result<CryptoResult> GenerateDataKey(const Caller& caller, std::string_view key_id, size_t bytes,
                                       const EncryptionContext& context, bool with_plaintext,
                                       std::string_view request_id,
                                       std::string_view logged_key_id = {}) const;
  Result<CryptoResult> Decrypt(const Caller& caller, std::string_view key_id,
                               std::string_view ciphertext, const EncryptionContext& context,
                               std::string_view request_id) const;
  Result<CryptoResult> Encrypt(const Caller& caller, std::string_view key_id,
                               const crypto::SecretBytes& plaintext,
                               const EncryptionContext& context, std::string_view request_id) const;

 private:
  // Runs call(caller) with the key ARNs it touches collected, then (with a recorder) records it
  // as `operation` with the request parameters params() builds: the frame of the calls above.
  template <typename Call, typename Params>
  Result<CryptoResult> Recorded(const Caller& caller, std::string_view operation,
                                std::string_view request_id, Call call, Params params) const;

  Service* kms_;
  audit::Recorder* recorder_;
  std::string invoked_by_;
};

}  // namespace sealstack::api::kms
