#include "api/s3/data_keys.h"

#include "api/common/request_id.h"
#include "api/kms/kms_audit.h"
#include "audit/event.h"

#include "api/kms/ciphertext_blob.h"
#include "api/s3/s3_errors.h"
#include "crypto/aead.h"
#include "crypto/digest.h"
#include "crypto/hkdf.h"
#include "crypto/keywrap.h"

namespace sealstack::api::s3 {

namespace {

constexpr auto kBucketKeyLifetime = std::chrono::minutes(10);
constexpr std::string_view kSseCLabel = "sealstack-sse-c-key-check";

std::string ObjectArn(const std::string& bucket, const std::string& key) {
  return "arn:aws:s3:::" + bucket + "/" + key;
}

// Seals the data key under a wrapping key, bound to the mode and the object.
Result<std::string> Seal(const crypto::SecretBytes& wrapping, const crypto::SecretBytes& data_key,
                         std::string_view purpose, crypto::RandomSource& random) {
  return crypto::WrapKey(wrapping, purpose, data_key, random);
}

Result<crypto::SecretBytes> Open(const crypto::SecretBytes& wrapping, std::string_view wrapped,
                                 std::string_view purpose) {
  return crypto::UnwrapKey(wrapping, purpose, wrapped);
}

}  // namespace

DataKeyService::DataKeyService(kms::Service& kms, const crypto::SecretBytes& root_key,
                               std::shared_ptr<crypto::RandomSource> random,
                               std::shared_ptr<const Clock> clock)
    : kms_(kms), root_key_(root_key), random_(std::move(random)), clock_(std::move(clock)) {}

kms::Caller DataKeyService::ViaS3(const kms::Caller& caller) const {
  kms::Caller c = caller;
  c.via_service = "s3." + caller.region + ".amazonaws.com";
  return c;
}

Result<kms::CryptoResult> DataKeyService::GenerateViaKms(const kms::Caller& via,
                                                         const std::string& key_id,
                                                         const kms::EncryptionContext& context) {
  return kms::ServiceKmsClient(kms_, recorder_)
      .GenerateDataKey(via, key_id, 32, context, true, NewUuidRequestId(),
                       key_id.empty() ? "alias/aws/s3" : key_id);
}

Result<kms::CryptoResult> DataKeyService::DecryptViaKms(const kms::Caller& via,
                                                        const std::string& blob,
                                                        const kms::EncryptionContext& context) {
  return kms::ServiceKmsClient(kms_, recorder_).Decrypt(via, "", blob, context, NewUuidRequestId());
}

Result<crypto::SecretBytes> DataKeyService::AccountKey(const std::string& account) {
  return crypto::HkdfSha256(root_key_, "sealstack-sse-s3", account, 32);
}

Result<DataKey> DataKeyService::NewDataKey(const kms::Caller& caller,
                                           const WriteEncryption& encryption,
                                           const std::string& owner_account,
                                           const std::string& bucket, const std::string& key) {
  DataKey out;
  out.protection.mode = encryption.mode;
  switch (encryption.mode) {
    case SseMode::kSseS3: {
      SEALSTACK_ASSIGN_OR_RETURN(out.plaintext, random_->Secret(32));
      SEALSTACK_ASSIGN_OR_RETURN(auto account_key, AccountKey(owner_account));
      SEALSTACK_ASSIGN_OR_RETURN(out.protection.wrapped_key,
                                 Seal(account_key, out.plaintext, "sse-s3-data-key", *random_));
      return out;
    }
    case SseMode::kSseC: {
      const CustomerKey& ck = *encryption.customer_key;
      SEALSTACK_ASSIGN_OR_RETURN(out.plaintext, random_->Secret(32));
      SEALSTACK_ASSIGN_OR_RETURN(out.protection.wrapped_key,
                                 Seal(ck.key, out.plaintext, "sse-c-data-key", *random_));
      SEALSTACK_ASSIGN_OR_RETURN(out.protection.customer_key_salt, random_->Bytes(16));
      out.protection.customer_key_hmac = crypto::HmacSha256(
          ck.key.view(), out.protection.customer_key_salt + std::string(kSseCLabel));
      out.protection.customer_key_md5 = ck.key_md5;
      return out;
    }
    case SseMode::kSseKms:
    case SseMode::kDsseKms:
      break;
  }
  // KMS modes.
  kms::EncryptionContext context;
  const std::string kms_key = KmsShell(encryption, bucket, key, &out.protection, &context);
  if (!out.protection.bucket_key) {
    ++kms_calls_;
    SEALSTACK_ASSIGN_OR_RETURN(kms::CryptoResult r,
                               GenerateViaKms(ViaS3(caller), kms_key, context));
    out.plaintext = std::move(r.plaintext);
    out.protection.kms_key_arn = r.key_arn;
    out.protection.kms_material_id = r.material_id;
    out.protection.kms_blob = r.ciphertext;
    return out;
  }
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes bucket_plain,
                             BucketKey(caller, bucket, kms_key, context, &out.protection));
  SEALSTACK_ASSIGN_OR_RETURN(out.plaintext, random_->Secret(32));
  SEALSTACK_ASSIGN_OR_RETURN(out.protection.wrapped_key,
                             Seal(bucket_plain, out.plaintext, "sse-kms-bucket-key", *random_));
  return out;
}

Result<ProtectedDataKey> DataKeyService::ProtectDataKey(const kms::Caller& caller,
                                                        const WriteEncryption& encryption,
                                                        const std::string& bucket,
                                                        const std::string& key,
                                                        const crypto::SecretBytes& data_key) {
  if (encryption.mode != SseMode::kSseKms) {
    return Status::InvalidArgument("ProtectDataKey protects under SSE-KMS only");
  }
  ProtectedDataKey out;
  out.mode = encryption.mode;
  kms::EncryptionContext context;
  const std::string kms_key = KmsShell(encryption, bucket, key, &out, &context);
  if (!out.bucket_key) {
    ++kms_calls_;
    SEALSTACK_ASSIGN_OR_RETURN(kms::CryptoResult r, kms::ServiceKmsClient(kms_, recorder_)
                                                        .Encrypt(ViaS3(caller), kms_key, data_key,
                                                                 context, NewUuidRequestId()));
    out.kms_key_arn = r.key_arn;
    out.kms_material_id = r.material_id;
    out.kms_blob = r.ciphertext;
    return out;
  }
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes bucket_plain,
                             BucketKey(caller, bucket, kms_key, context, &out));
  SEALSTACK_ASSIGN_OR_RETURN(out.wrapped_key,
                             Seal(bucket_plain, data_key, "sse-kms-bucket-key", *random_));
  return out;
}

std::string DataKeyService::KmsShell(const WriteEncryption& encryption, const std::string& bucket,
                                     const std::string& key, ProtectedDataKey* p,
                                     kms::EncryptionContext* context) {
  const bool bucket_key = encryption.bucket_key && encryption.mode == SseMode::kSseKms;
  context->insert(encryption.user_context.begin(), encryption.user_context.end());
  (*context)["aws:s3:arn"] = bucket_key ? "arn:aws:s3:::" + bucket : ObjectArn(bucket, key);
  p->encryption_context = std::map<std::string, std::string>(context->begin(), context->end());
  p->bucket_key = bucket_key;
  return encryption.kms_key_id.empty() ? "alias/aws/s3" : encryption.kms_key_id;
}

Result<crypto::SecretBytes> DataKeyService::BucketKey(const kms::Caller& caller,
                                                      const std::string& bucket,
                                                      const std::string& kms_key,
                                                      const kms::EncryptionContext& context,
                                                      ProtectedDataKey* p) {
  // Reuse one KMS data key per (principal, bucket, KMS key, context) for a while;
  // GenerateDataKey (and its authorization) runs whenever that cache entry is cold.
  // Per principal: every caller is authorized by KMS at least once per period, so a
  // principal the key policy denies cannot ride on another's cached bucket key.
  const std::string cache_key =
      caller.principal->arn + "|" + bucket + "|" + kms_key + "|" + kms::CanonicalContext(context);
  const SystemTime now = clock_->Now();
  {
    MutexLock lock(mu_);
    auto it = bucket_keys_.find(cache_key);
    if (it != bucket_keys_.end() && it->second.expires > now) {
      p->kms_blob = it->second.blob;
      p->kms_key_arn = it->second.key_arn;
      p->kms_material_id = it->second.material_id;
      return it->second.plaintext;
    }
  }
  ++kms_calls_;
  SEALSTACK_ASSIGN_OR_RETURN(kms::CryptoResult r, GenerateViaKms(ViaS3(caller), kms_key, context));
  p->kms_blob = r.ciphertext;
  p->kms_key_arn = r.key_arn;
  p->kms_material_id = r.material_id;
  MutexLock lock(mu_);
  bucket_keys_[cache_key] = {r.plaintext, r.ciphertext, r.key_arn, r.material_id,
                             now + kBucketKeyLifetime};
  return std::move(r.plaintext);
}

Result<crypto::SecretBytes> DataKeyService::OpenDataKey(
    const kms::Caller& caller, const std::string& owner_account, const ProtectedDataKey& p,
    const std::optional<CustomerKey>& customer_key) {
  switch (p.mode) {
    case SseMode::kSseS3: {
      if (customer_key) {
        return S3Error(ErrorKind::kInvalidRequest,
                       "The encryption parameters are not applicable to this object.");
      }
      SEALSTACK_ASSIGN_OR_RETURN(auto account_key, AccountKey(owner_account));
      return Open(account_key, p.wrapped_key, "sse-s3-data-key");
    }
    case SseMode::kSseC: {
      if (!customer_key) {
        return S3Error(ErrorKind::kInvalidRequest,
                       "The object was stored using a form of Server Side Encryption. The "
                       "correct parameters must be provided to retrieve the object.");
      }
      std::string mac = crypto::HmacSha256(customer_key->key.view(),
                                           p.customer_key_salt + std::string(kSseCLabel));
      if (!crypto::ConstantTimeEquals(mac, p.customer_key_hmac)) {
        return S3Error(ErrorKind::kSseCustomerKeyMismatch,
                       "Requests specifying Server Side Encryption with Customer provided keys "
                       "must provide the correct secret key.");
      }
      return Open(customer_key->key, p.wrapped_key, "sse-c-data-key");
    }
    case SseMode::kSseKms:
    case SseMode::kDsseKms:
      break;
  }
  if (customer_key) {
    return S3Error(ErrorKind::kInvalidRequest,
                   "The encryption parameters are not applicable to this object.");
  }
  kms::EncryptionContext context(p.encryption_context.begin(), p.encryption_context.end());
  ++kms_calls_;
  SEALSTACK_ASSIGN_OR_RETURN(kms::CryptoResult r,
                             DecryptViaKms(ViaS3(caller), p.kms_blob, context));
  if (!p.bucket_key) return std::move(r.plaintext);
  return Open(r.plaintext, p.wrapped_key, "sse-kms-bucket-key");
}

}  // namespace sealstack::api::s3
