// s3::Service::UpdateObjectEncryption: a new SSE-KMS protection for an existing object
// (version) without touching its body. The data key is opened as a read would (KMS Decrypt as
// the caller for SSE-KMS, the account key for SSE-S3) and protected again under the new KMS key
// (KMS Encrypt as the caller, or a bucket key); the body, ETag, checksums and dates stay, as
// AWS's API reference says of the operation.
#include <regex>

#include "api/s3/object_common.h"
#include "api/s3/object_versions.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_service.h"

namespace sealstack::api::s3 {

namespace {

Status UpdateRefused(std::string message) {
  return S3Error(ErrorKind::kInvalidRequest, std::move(message));
}

// The account of a KMS key ARN of the form the API model allows
// (arn:aws[-a-z0-9]*:kms:[-a-z0-9]*:<12 digits>:key/...); "" when it is not one. Key ids and
// aliases are not accepted by this operation.
std::string KeyArnAccount(const std::string& arn) {
  static const std::regex kKeyArn("arn:aws[-a-z0-9]*:kms:[-a-z0-9]*:([0-9]{12}):key/.+");
  std::smatch m;
  return std::regex_match(arn, m, kKeyArn) ? m[1].str() : "";
}

}  // namespace

Status Service::UpdateObjectEncryption(const S3Caller& c, const UpdateObjectEncryptionInput& in) {
  const ObjectServices& s = parts_;
  if (c.signature_version == "AWS") {
    return UpdateRefused(
        "Requests that modify an object encryption configuration require AWS Signature Version "
        "4. Modify the request to use AWS Signature Version 4, and then try again.");
  }
  if (in.kms_key_arn.empty()) {
    return UpdateRefused(
        "Requests that modify an object's encryption type to SSE-KMS require an AWS KMS key "
        "Amazon Resource Name (ARN). Modify the request to specify a KMS key ARN, and then try "
        "again.");
  }
  const std::string key_account = KeyArnAccount(in.kms_key_arn);
  if (key_account.empty()) {
    return UpdateRefused(
        "Requests that modify an object's encryption type to SSE-KMS require a valid AWS KMS key "
        "Amazon Resource Name (ARN). Confirm that you have a correctly formatted KMS key ARN in "
        "your request, and then try again.");
  }
  // Bucket policies see the new encryption as they would on a PutObject asking for it.
  SseHeaders as_headers;
  as_headers.sse = "aws:kms";
  as_headers.kms_key_id = in.kms_key_arn;
  as_headers.bucket_key = in.bucket_key ? "true" : "false";
  SEALSTACK_ASSIGN_OR_RETURN(Bucket bucket,
                             AuthorizeNewObject(s, c, in.bucket, in.key, as_headers, {}));
  SEALSTACK_ASSIGN_OR_RETURN(
      ReadableObject o,
      OpenForRead(s, c, in.bucket, in.key, in.version_id, "s3:UpdateObjectEncryption", SseHeaders{},
                  "PUT", WriteConditionKeys(as_headers, c)));
  if (key_account != bucket.account) {
    return S3Error(ErrorKind::kAccessDenied,
                   "The AWS KMS key in the request must be owned by the same account as the "
                   "bucket. Modify the request to specify a KMS key from the same account, and "
                   "then try again.");
  }
  if (ProtectionOf(o.doc.lock, s.buckets->Now()) != LockProtection::kNone) {
    return S3Error(ErrorKind::kAccessDenied,
                   "The encryption type for the specified object can't be updated because that "
                   "object is protected by S3 Object Lock. If the object has a governance-mode "
                   "retention period or a legal hold, you must first remove the Object Lock "
                   "status on the object before you issue your UpdateObjectEncryption request.");
  }
  const SseMode mode = o.doc.sse.mode;
  if (mode != SseMode::kSseS3 && mode != SseMode::kSseKms) {
    return UpdateRefused(
        "The UpdateObjectEncryption operation doesn't support source objects with the "
        "encryption type DSSE-KMS or SSE-C. Only source objects encrypted with SSE-S3 or SSE-KMS "
        "are supported.");
  }

  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes data_key, OpenObjectKey(s, c, o));
  WriteEncryption target;
  target.mode = SseMode::kSseKms;
  target.kms_key_id = in.kms_key_arn;
  target.bucket_key = in.bucket_key;
  // The user's part of the old context stays with the object (it names the data, not the key).
  for (const auto& [name, value] : o.doc.sse.encryption_context) {
    if (name != "aws:s3:arn") target.user_context.emplace(name, value);
  }
  SEALSTACK_ASSIGN_OR_RETURN(
      o.doc.sse, s.keys->ProtectDataKey(KmsCaller(c), target, in.bucket, in.key, data_key));
  return RewriteVersionDoc(s, o);
}

}  // namespace sealstack::api::s3
