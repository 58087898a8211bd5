// Per-object data keys and how each SSE mode protects them (DESIGN "Objects"):
//
//   SSE-S3   data key wrapped (AES-256-GCM) under the account's S3-managed key, which is
//            derived from the root key: HKDF(root, "sealstack-sse-s3", account).
//   SSE-KMS  data key from kms::Service::GenerateDataKey called AS THE CALLER with
//            kms:ViaService = s3.<region>.amazonaws.com and encryption context
//            {"aws:s3:arn": object ARN (bucket ARN with a bucket key)} + the user's context;
//            reads call Decrypt the same way, so key policy, grants and key state apply.
//            With a bucket key, one KMS data key per (bucket, KMS key) is reused for a while
//            and wraps the per-object data keys locally: fewer KMS calls, as on AWS.
//   DSSE-KMS as SSE-KMS (always the object ARN, never a bucket key); the second layer of real
//            DSSE is not modelled: the object is sealed once.
//   SSE-C    data key wrapped under the customer's key; only a salted HMAC of the customer
//            key is kept, to recognise it (wrong key -> 403). The key itself is never stored.
//
// The stored form (ProtectedDataKey) holds no secret in the clear. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api/kms/kms_service.h"
#include "api/s3/client_side.h"
#include "api/s3/sse.h"
#include "audit/recorder.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "common/result.h"
#include "crypto/random.h"
#include "crypto/secret_bytes.h"

namespace sealstack::api::s3 {

// What is stored with an object about its data key. Serialised by the object metadata layer.
struct ProtectedDataKey {
  SseMode mode = SseMode::kSseS3;
  std::string wrapped_key;  // data key sealed under the mode's wrapping key
  // KMS modes
  std::string kms_key_arn;
  std::string kms_material_id;
  std::string kms_blob;  // the KMS CiphertextBlob (of the data key, or of the bucket key)
  std::map<std::string, std::string> encryption_context;  // as passed to KMS
  bool bucket_key = false;
  // SSE-C
  std::string customer_key_salt;
  std::string customer_key_hmac;
  std::string customer_key_md5;  // echoed in responses (not secret: AWS echoes it)
};

struct DataKey {
  crypto::SecretBytes plaintext;  // 32 bytes; encrypts the object's segments
  ProtectedDataKey protection;
};

class DataKeyService {
 public:
  DataKeyService(kms::Service& kms, const crypto::SecretBytes& root_key,
                 std::shared_ptr<crypto::RandomSource> random, std::shared_ptr<const Clock> clock);

  // A fresh data key for a new object. `caller` is the S3 caller (its principal); via_service is
  // set here. kms_key_id "" means the AWS-managed alias/aws/s3.
  // `owner_account` is the bucket owner's: SSE-S3 keys belong to it, whoever writes.
  Result<DataKey> NewDataKey(const kms::Caller& caller, const WriteEncryption& encryption,
                             const std::string& owner_account, const std::string& bucket,
                             const std::string& key);

  // The protection SSE-KMS `encryption` gives an existing data key (UpdateObjectEncryption):
  // KMS Encrypt as the caller (ViaService S3, context aws:s3:arn + the user's), or with a
  // bucket key a local wrap under it. InvalidArgument for another mode.
  Result<ProtectedDataKey> ProtectDataKey(const kms::Caller& caller,
                                          const WriteEncryption& encryption,
                                          const std::string& bucket, const std::string& key,
                                          const crypto::SecretBytes& data_key);

  // The data key of a stored object. `customer_key` is required for SSE-C objects.
  Result<crypto::SecretBytes> OpenDataKey(const kms::Caller& caller,
                                          const std::string& owner_account,
                                          const ProtectedDataKey& p,
                                          const std::optional<CustomerKey>& customer_key);

  // The ARN of the KMS key a KMS ciphertext blob names, "" when the blob is not one of this
  // server's or its key is unknown (client-side layers, client_side.cpp). No authorization.
  std::string KeyArnOfBlob(std::string_view blob) const;
  KeyOfBlob BlobKeyResolver() const {
    return [this](std::string_view blob) { return KeyArnOfBlob(blob); };
  }

  // KMS calls made so far (for tests of bucket-key behaviour).
  uint64_t kms_calls() const { return kms_calls_; }

  // Every KMS call made for a caller lands in the audit trail (invokedBy s3.amazonaws.com).
  // Null = no trail. Set before serving.
  void SetAuditRecorder(audit::Recorder* recorder) { recorder_ = recorder; }

 private:
  Result<kms::CryptoResult> GenerateViaKms(const kms::Caller& via, const std::string& key_id,
                                           const kms::EncryptionContext& context);
  Result<kms::CryptoResult> DecryptViaKms(const kms::Caller& via, const std::string& blob,
                                          const kms::EncryptionContext& context);
  kms::Caller ViaS3(const kms::Caller& caller) const;
  // KMS modes: fills the context (aws:s3:arn, the object's or with a bucket key the bucket's,
  // plus the user's) and bucket_key into `p`; returns the KMS key to use.
  static std::string KmsShell(const WriteEncryption& encryption, const std::string& bucket,
                              const std::string& key, ProtectedDataKey* p,
                              kms::EncryptionContext* context);
  // The bucket key for (caller, bucket, KMS key, context): cached, or a new one from KMS
  // GenerateDataKey as the caller. Fills the KMS fields of `p`.
  Result<crypto::SecretBytes> BucketKey(const kms::Caller& caller, const std::string& bucket,
                                        const std::string& kms_key,
                                        const kms::EncryptionContext& context, ProtectedDataKey* p);
  Result<crypto::SecretBytes> AccountKey(const std::string& account);

  kms::Service& kms_;
  crypto::SecretBytes root_key_;
  std::shared_ptr<crypto::RandomSource> random_;
  std::shared_ptr<const Clock> clock_;
  std::atomic<uint64_t> kms_calls_{0};
  audit::Recorder* recorder_ = nullptr;

  struct CachedBucketKey {
    crypto::SecretBytes plaintext;
    std::string blob;
    std::string key_arn;
    std::string material_id;
    SystemTime expires;
  };
  Mutex mu_;
  std::map<std::string, CachedBucketKey> bucket_keys_ GUARDED_BY(mu_);
};

}  // namespace sealstack::api::s3
