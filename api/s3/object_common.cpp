#include "api/s3/object_common.h"

#include "api/kms/kms_errors.h"
#include "api/s3/bucket_rules.h"
#include "api/s3/object_tags.h"
#include "api/s3/object_versions.h"
#include "api/s3/s3_errors.h"
#include "common/strings.h"
#include "crypto/digest.h"

namespace sealstack::api::s3 {

Status CheckUserMetadataSize(const HeaderList& user_metadata) {
  size_t size = 0;
  for (const auto& [name, value] : user_metadata) size += name.size() - 11 + value.size();
  if (size > kMaxUserMetadataBytes) {
    return S3Error(ErrorKind::kMetadataTooLarge,
                   "Your metadata headers exceed the maximum allowed metadata size.",
                   {{"Size", std::to_string(size)},
                    {"MaxSizeAllowed", std::to_string(kMaxUserMetadataBytes)}});
  }
  return Status::Ok();
}

Status CheckKeyLength(const std::string& key) {
  if (key.size() > 1024) {
    return S3Error(ErrorKind::kKeyTooLong, "Your key is too long",
                   {{"Size", std::to_string(key.size())}, {"MaxSizeAllowed", "1024"}});
  }
  return Status::Ok();
}

Result<crypto::ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name) {
  auto alg = crypto::ChecksumAlgorithmFromName(Trim(name));
  if (!alg) {
    return S3Error(ErrorKind::kInvalidRequest,
                   "Checksum algorithm provided is unsupported. Please try again with any of "
                   "the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
  }
  return *alg;
}

kms::Caller KmsCaller(const S3Caller& c) {
  return kms::Caller(static_cast<const api::Caller&>(c));
}

Result<IntegrityRequest> ParseIntegrity(const IntegrityHeaders& h,
                                        std::optional<crypto::ChecksumAlgorithm> fallback) {
  IntegrityRequest out;
  if (h.content_md5) {
    auto raw = crypto::FromBase64(*h.content_md5);
    if (!raw || raw->size() != 16) {
      return S3Error(ErrorKind::kInvalidDigest, "The Content-MD5 you specified was invalid.",
                     {{"Content-MD5", *h.content_md5}});
    }
    out.content_md5 = *raw;
  }
  for (const auto& [name, value] : h.checksums) {
    auto alg = crypto::ChecksumAlgorithmFromHeader(name);
    if (!alg) continue;
    if (out.algorithm) {
      return S3Error(ErrorKind::kInvalidRequest,
                     "Expecting a single x-amz-checksum- header. Multiple checksum Types are not "
                     "allowed.");
    }
    auto raw = crypto::FromBase64(value);
    if (!raw || raw->size() != crypto::ChecksumDigestSize(*alg)) {
      return S3Error(ErrorKind::kInvalidRequest,
                     "Value for " + ToLower(name) + " header is invalid.");
    }
    out.algorithm = alg;
    out.expected = value;
    out.client_asked = true;
  }
  if (h.trailer) {
    if (auto alg = crypto::ChecksumAlgorithmFromHeader(Trim(*h.trailer))) {
      // Verified by the payload decoder; computed again here for storage.
      out.algorithm = alg;
      out.client_asked = true;
    }
  }
  if (!out.algorithm) out.algorithm = fallback;
  return out;
}

Status ContentMd5Mismatch(std::string_view expected_md5, std::string_view calculated_md5) {
  return S3Error(ErrorKind::kBadDigest,
                 "The Content-MD5 you specified did not match what we received.",
                 {{"ExpectedDigest", crypto::Hex(expected_md5)},
                  {"CalculatedDigest", crypto::Base64(calculated_md5)}});
}

Status CheckIntegrity(const IntegrityRequest& want, const BodySummary& got) {
  if (want.content_md5 && *want.content_md5 != got.md5) {
    return ContentMd5Mismatch(*want.content_md5, got.md5);
  }
  if (!want.expected.empty() && got.checksum && *got.checksum != want.expected) {
    return S3Error(ErrorKind::kBadDigest,
                   "The " + std::string(crypto::ChecksumAlgorithmName(*want.algorithm)) +
                       " you specified did not match the calculated checksum.");
  }
  return Status::Ok();
}

std::vector<std::pair<std::string, std::string>> WriteConditionKeys(const SseHeaders& h,
                                                                    const S3Caller& c) {
  std::vector<std::pair<std::string, std::string>> keys;
  if (h.sse) keys.emplace_back("s3:x-amz-server-side-encryption", *h.sse);
  if (h.kms_key_id) {
    // Policies compare against the key ARN: a bare key id is expanded in the caller's
    // account and region, as S3 does.
    std::string id = *h.kms_key_id;
    if (!StartsWith(id, "arn:") && !StartsWith(id, "alias/")) {
      std::string arn = "arn:aws:kms:";
      arn += c.region;
      arn += ':';
      arn += c.principal->account;
      arn += ":key/";
      arn += id;
      id = std::move(arn);
    }
    keys.emplace_back("s3:x-amz-server-side-encryption-aws-kms-key-id", id);
  }
  if (h.customer_algorithm) {
    keys.emplace_back("s3:x-amz-server-side-encryption-customer-algorithm", *h.customer_algorithm);
  }
  return keys;
}

Status CheckKmsSignature(const S3Caller& c, SseMode mode) {
  if ((mode == SseMode::kSseKms || mode == SseMode::kDsseKms) && c.signature_version == "AWS") {
    return S3Error(ErrorKind::kInvalidArgument,
                   "Requests specifying Server Side Encryption with AWS KMS managed keys require "
                   "AWS Signature Version 4.",
                   {{"ArgumentName", "Authorization"}, {"ArgumentValue", "null"}});
  }
  return Status::Ok();
}

Result<WriteEncryption> ResolveObjectEncryption(const ObjectServices& s, const S3Caller& c,
                                                const Bucket& bucket, const SseHeaders& h,
                                                const std::string& key) {
  WritePolicy policy;
  policy.secure_transport = c.secure_transport;
  policy.require_tls_for_sse_c = s.require_tls_for_sse_c;
  policy.principal_arn = c.principal->arn;
  policy.object_arn = ObjectArn(bucket.name, key);
  BucketDefault fallback = BucketService::DefaultOf(bucket);
  if (const auto& session = c.principal->session_object_encryption) {
    // A Glue run's output: its security configuration decides, unless the script said otherwise.
    fallback.algorithm = session->sse_algorithm;
    fallback.kms_key_id = session->kms_key_id;
    fallback.bucket_key_enabled = false;
  }
  SEALSTACK_ASSIGN_OR_RETURN(WriteEncryption enc, ResolveWriteEncryption(h, fallback, policy));
  SEALSTACK_RETURN_IF_ERROR(CheckKmsSignature(c, enc.mode));
  if (StartsWith(enc.kms_key_id, "arn:")) {
    // S3 calls KMS in the bucket's region: a key ARN of another region is not found there.
    auto fields = Split(enc.kms_key_id, ':');
    if (fields.size() > 3 && fields[3] != bucket.region) {
      return kms::KmsError(kms::ErrorKind::kNotFound, "Invalid arn " + std::string(fields[3]));
    }
  }
  return enc;
}

Result<Bucket> AuthorizeNewObject(const ObjectServices& s, const S3Caller& c,
                                  const std::string& bucket, const std::string& key,
                                  const SseHeaders& sse, const TagSet& tags) {
  std::vector<std::pair<std::string, std::string>> keys = WriteConditionKeys(sse, c);
  const auto tag_keys = RequestTagConditionKeys(tags);
  keys.insert(keys.end(), tag_keys.begin(), tag_keys.end());
  SEALSTACK_ASSIGN_OR_RETURN(
      Bucket b,
      s.buckets->Access(c, bucket, S3Access{"s3:PutObject", ObjectArn(bucket, key), keys}));
  if (!tags.empty()) {
    SEALSTACK_RETURN_IF_ERROR(s.buckets->Authorize(
        c, b, S3Access{"s3:PutObjectTagging", ObjectArn(bucket, key), tag_keys}));
  }
  return b;
}

Result<NewObjectWrite> PrepareNewObjectWrite(const ObjectServices& s, const S3Caller& c,
                                             const std::string& bucket, const std::string& key,
                                             const HeaderList& user_metadata, const SseHeaders& sse,
                                             const AclRequest& acl, const TagSet& tags,
                                             const ObjectLockHeaders& lock) {
  SEALSTACK_RETURN_IF_ERROR(CheckKeyLength(key));
  SEALSTACK_RETURN_IF_ERROR(CheckUserMetadataSize(user_metadata));
  NewObjectWrite w;
  SEALSTACK_ASSIGN_OR_RETURN(w.bucket, AuthorizeNewObject(s, c, bucket, key, sse, tags));
  SEALSTACK_RETURN_IF_ERROR(CheckAclRequest(w.bucket, acl, AclLevel::kObject));
  SEALSTACK_ASSIGN_OR_RETURN(w.encryption, ResolveObjectEncryption(s, c, w.bucket, sse, key));
  SEALSTACK_ASSIGN_OR_RETURN(w.lock, NewVersionLock(w.bucket, lock, s.buckets->Now()));
  return w;
}

ObjectMetadata NewObjectMetadata(const ObjectDoc& doc, const BodySummary& body) {
  ObjectMetadata meta;
  meta.wrapped_key = doc.sse.wrapped_key;
  meta.doc = EncodeObjectDoc(doc);
  if (doc.sse.mode != SseMode::kSseS3) {
    meta.etag = crypto::Hex(crypto::Md5(body.md5 + doc.sse.wrapped_key));
  }
  return meta;
}

Result<ReadableObject> OpenForRead(
    const ObjectServices& s, const S3Caller& c, const std::string& bucket, const std::string& key,
    const std::optional<std::string>& version_id, std::string_view action, const SseHeaders& sse,
    std::string_view method, const std::vector<std::pair<std::string, std::string>>& request_keys) {
  ReadableObject out;
  SEALSTACK_ASSIGN_OR_RETURN(out.bucket, s.buckets->Load(bucket));
  // The object is looked up before the access check, so that a policy can test its tags
  // (s3:ExistingObjectTag/*); its absence is told only to a caller the policy allows.
  Result<ObjectInfo> found = FindReadableVersion(*s.store, bucket, key, version_id, method);
  Result<ObjectDoc> doc = found.ok() ? DecodeObjectDoc(found->doc, found->wrapped_key)
                                     : Result<ObjectDoc>(found.status());
  S3Access access{VersionedAction(action, version_id.has_value()), ObjectArn(bucket, key),
                  request_keys};
  if (doc.ok()) {
    for (auto& k : ExistingTagConditionKeys(doc->tags)) access.keys.push_back(std::move(k));
  }
  SEALSTACK_RETURN_IF_ERROR(s.buckets->Authorize(c, out.bucket, access));
  SEALSTACK_RETURN_IF_ERROR(found.status());
  SEALSTACK_RETURN_IF_ERROR(doc.status());
  out.info = std::move(*found);
  out.doc = std::move(*doc);
  SEALSTACK_ASSIGN_OR_RETURN(out.customer, ParseCustomerKey(sse, CustomerKeyUse::kRead));
  if (out.customer && out.doc.sse.mode != SseMode::kSseC) {
    return S3Error(ErrorKind::kInvalidRequest,
                   "The encryption parameters are not applicable to this object.");
  }
  if (out.customer && s.require_tls_for_sse_c && !c.secure_transport) {
    return S3Error(ErrorKind::kInvalidRequest,
                   "Requests specifying Server Side Encryption with Customer provided keys must "
                   "be made over a secure connection.");
  }
  return out;
}

ObjectLock ReadableLock(const ObjectServices& s, const S3Caller& c, const ReadableObject& o) {
  ObjectLock out;
  const ObjectLock& lock = o.doc.lock;
  auto may = [&](const char* action) {
    return s.buckets
        ->Authorize(c, o.bucket, S3Access{action, ObjectArn(o.bucket.name, o.info.key), {}})
        .ok();
  };
  if (lock.has_retention() && may("s3:GetObjectRetention")) {
    out.mode = lock.mode;
    out.retain_until = lock.retain_until;
  }
  if (!lock.legal_hold.empty() && may("s3:GetObjectLegalHold")) out.legal_hold = lock.legal_hold;
  return out;
}

Status CheckLockAllowsChange(const ObjectServices& s, const S3Caller& c, const Bucket& b,
                             const ObjectInfo& version, const ObjectLock& lock, bool bypass) {
  switch (ProtectionOf(lock, s.buckets->Now())) {
    case LockProtection::kNone:
      return Status::Ok();
    case LockProtection::kCompliance:
      return ProtectedByObjectLock();
    case LockProtection::kGovernance:
      if (!bypass) return ProtectedByObjectLock();
      return s.buckets->Authorize(
          c, b, S3Access{"s3:BypassGovernanceRetention", ObjectArn(b.name, version.key), {}});
  }
  return ProtectedByObjectLock();
}

Status RewriteVersionDoc(const ObjectServices& s, const ReadableObject& o) {
  Status st = s.store->UpdateMetadata(o.info, o.doc.sse.wrapped_key, EncodeObjectDoc(o.doc));
  if (st.code() == StatusCode::kNotFound) {
    return S3Error(ErrorKind::kNoSuchKey, "The specified key does not exist.",
                   {{"Key", o.info.key}});
  }
  return st;
}

Result<crypto::SecretBytes> OpenObjectKey(const ObjectServices& s, const S3Caller& c,
                                          const ReadableObject& o) {
  SEALSTACK_RETURN_IF_ERROR(CheckKmsSignature(c, o.doc.sse.mode));
  return s.keys->OpenDataKey(KmsCaller(c), o.bucket.account, o.doc.sse, o.customer);
}

ConditionResults EvaluateConditions(const Conditions& c, const ObjectInfo& object) {
  const std::string etag = Quoted(object.etag);
  const auto modified = std::chrono::floor<std::chrono::seconds>(object.created_at);
  auto matches = [&](const std::string& v) { return Trim(v) == etag || Trim(v) == "*"; };
  ConditionResults r;
  r.if_match = !c.if_match || matches(*c.if_match);
  r.if_none_match = !c.if_none_match || !matches(*c.if_none_match);
  r.if_modified_since = !c.if_modified_since || modified > *c.if_modified_since;
  r.if_unmodified_since = !c.if_unmodified_since || modified <= *c.if_unmodified_since;
  return r;
}

Status PreconditionFailed(std::string_view condition) {
  return S3Error(ErrorKind::kPreconditionFailed,
                 "At least one of the pre-conditions you specified did not hold",
                 {{"Condition", std::string(condition)}});
}

Status CheckCopySourceConditions(const Conditions& c, const ObjectInfo& source) {
  const ConditionResults r = EvaluateConditions(c, source);
  if (!r.if_match) return PreconditionFailed("x-amz-copy-source-If-Match");
  if (!r.if_none_match) return PreconditionFailed("x-amz-copy-source-If-None-Match");
  // An If-Match that holds overrides If-Unmodified-Since (RFC 7232 3.4).
  if (!c.if_match && !r.if_unmodified_since) {
    return PreconditionFailed("x-amz-copy-source-If-Unmodified-Since");
  }
  if (!r.if_modified_since) return PreconditionFailed("x-amz-copy-source-If-Modified-Since");
  return Status::Ok();
}

std::optional<ReportedChecksum> StoredChecksum(const ObjectDoc& doc) {
  auto alg = crypto::ChecksumAlgorithmFromName(doc.checksum_algorithm);
  if (!alg || doc.checksum_value.empty()) return std::nullopt;
  return ReportedChecksum{*alg, doc.checksum_value,
                          doc.checksum_type.empty() ? "FULL_OBJECT" : doc.checksum_type};
}

}  // namespace sealstack::api::s3
