// Decisions shared by the s3::Service operations (object_service.cpp, object_copy.cpp,
// multipart_service.cpp, bucket_objects.cpp): integrity checks of a write, the encryption of a new
// object with its policy condition keys, opening an object (and its data key) for reading, and
// the ETag rule. No HTTP here: inputs are domain values. Internal to api/s3.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/s3/etag.h"
#include "api/s3/object_doc.h"
#include "api/s3/s3_authorizer.h"
#include "api/s3/s3_service.h"
#include "crypto/checksum.h"

namespace sealstack::api::s3 {

// User metadata is limited to 2 KiB: names (without x-amz-meta-) plus values, in bytes.
inline constexpr size_t kMaxUserMetadataBytes = 2048;
Status CheckUserMetadataSize(const HeaderList& user_metadata);  // MetadataTooLarge

// Object keys are at most 1,024 bytes (KeyTooLongError).
Status CheckKeyLength(const std::string& key);

// An x-amz-checksum-algorithm value (InvalidRequest when S3 does not know it).
Result<crypto::ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name);

kms::Caller KmsCaller(const S3Caller& c);

// The integrity a body write promised: Content-MD5 and at most one x-amz-checksum-* value, or a
// trailer announcing one. `algorithm` is what to compute while streaming (the one asked for,
// else `fallback`).
struct IntegrityRequest {
  std::optional<std::string> content_md5;  // raw 16 bytes
  std::optional<crypto::ChecksumAlgorithm> algorithm;
  std::string expected;       // base64 from the header ("" when in a trailer or absent)
  bool client_asked = false;  // a header or trailer named the algorithm
};
Result<IntegrityRequest> ParseIntegrity(const IntegrityHeaders& h,
                                        std::optional<crypto::ChecksumAlgorithm> fallback);
// BadDigest when the body does not match what the request promised.
Status CheckIntegrity(const IntegrityRequest& want, const BodySummary& got);
// BadDigest for a Content-MD5 that is not the body's. AWS echoes the expected digest in hex
// (though the header is base64) and the calculated one in base64. Both raw 16 bytes.
Status ContentMd5Mismatch(std::string_view expected_md5, std::string_view calculated_md5);

// The condition keys S3 puts into the policy context for a write (from the request headers
// only, never from the bucket default), plus the SSE-C and KMS key id forms AWS uses.
std::vector<std::pair<std::string, std::string>> WriteConditionKeys(const SseHeaders& h,
                                                                    const S3Caller& c);

// KMS-protected objects need SigV4: SigV2 (presigned) requests get InvalidArgument.
Status CheckKmsSignature(const S3Caller& c, SseMode mode);

// The encryption of a new object: request headers, else the caller's session encryption (a
// Glue run's credentials), else the bucket default (sse.h has the rules).
Result<WriteEncryption> ResolveObjectEncryption(const ObjectServices& s, const S3Caller& c,
                                                const Bucket& bucket, const SseHeaders& h,
                                                const std::string& key);

// A new object about to be written (PutObject, CreateMultipartUpload): its key length and user
// metadata checked (KeyTooLong, MetadataTooLarge), s3:PutObject allowed on it with the request's
// condition keys (and s3:PutObjectTagging when it sets tags), and its encryption resolved.
struct NewObjectWrite {
  Bucket bucket;
  WriteEncryption encryption;
  ObjectLock lock;  // the request's x-amz-object-lock-*, else the bucket's default retention
};
// The request's ACL headers must be what the bucket accepts (bucket_rules.h CheckAclRequest).
Result<NewObjectWrite> PrepareNewObjectWrite(const ObjectServices& s, const S3Caller& c,
                                             const std::string& bucket, const std::string& key,
                                             const HeaderList& user_metadata, const SseHeaders& sse,
                                             const AclRequest& acl, const TagSet& tags,
                                             const ObjectLockHeaders& lock);
// s3:PutObject on a new object with the request's encryption and tag condition keys, then
// s3:PutObjectTagging when it sets tags (PrepareNewObjectWrite, CopyObject).
Result<Bucket> AuthorizeNewObject(const ObjectServices& s, const S3Caller& c,
                                  const std::string& bucket, const std::string& key,
                                  const SseHeaders& sse, const TagSet& tags);

// The row of a new object: its doc, wrapped key and ETag. The ETag is the plaintext MD5 for
// SSE-S3; for KMS and SSE-C modes, as on AWS, a value that is not the MD5 (it would tell the
// plaintext's hash to anyone who can list).
ObjectMetadata NewObjectMetadata(const ObjectDoc& doc, const BodySummary& body);

// An object about to be read: the bucket (access checked), the object, its doc, and the SSE-C
// key the request brought for it.
struct ReadableObject {
  Bucket bucket;
  ObjectInfo info;
  ObjectDoc doc;
  std::optional<CustomerKey> customer;
};
// `action` on the object ARN (its version form when a version is named: object_versions.h),
// with the object's tags (s3:ExistingObjectTag/*) and `request_keys` as condition keys, then
// the object: the latest version, or `version_id` (NoSuchKey, NoSuchVersion, and the delete
// marker answers of object_versions.h; `method` names the request in a 405). `sse` holds the
// SSE-C trio meant for this object (the request's, or the copy-source trio); on a non-SSE-C
// object it is an InvalidRequest.
Result<ReadableObject> OpenForRead(
    const ObjectServices& s, const S3Caller& c, const std::string& bucket, const std::string& key,
    const std::optional<std::string>& version_id, std::string_view action, const SseHeaders& sse,
    std::string_view method = "GET",
    const std::vector<std::pair<std::string, std::string>>& request_keys = {});
// The object's Object Lock settings that the caller may see (s3:GetObjectRetention,
// s3:GetObjectLegalHold), for GET and HEAD headers.
ObjectLock ReadableLock(const ObjectServices& s, const S3Caller& c, const ReadableObject& o);

// Whether `c` may delete (or weaken the retention of) version `o` now: a legal hold or a
// COMPLIANCE retention in force refuses; a GOVERNANCE one needs `bypass` and
// s3:BypassGovernanceRetention. AccessDenied otherwise.
Status CheckLockAllowsChange(const ObjectServices& s, const S3Caller& c, const Bucket& b,
                             const ObjectInfo& version, const ObjectLock& lock, bool bypass);

// Stores o.doc (and o.doc.sse.wrapped_key) as the version's metadata in place (tagging, Object
// Lock, UpdateObjectEncryption); a version a concurrent write replaced or deleted meanwhile
// answers NoSuchKey, as if it had never been there.
Status RewriteVersionDoc(const ObjectServices& s, const ReadableObject& o);

// The object's data key: KMS Decrypt as the caller, the SSE-C key checked, or SSE-S3 unwrapped.
Result<crypto::SecretBytes> OpenObjectKey(const ObjectServices& s, const S3Caller& c,
                                          const ReadableObject& o);

// Whether each condition holds for `object` (an absent condition holds). ETags compare quoted,
// dates to the second.
struct ConditionResults {
  bool if_match = true;
  bool if_none_match = true;
  bool if_modified_since = true;
  bool if_unmodified_since = true;
};
ConditionResults EvaluateConditions(const Conditions& c, const ObjectInfo& object);

// x-amz-copy-source-if-*: PreconditionFailed (412) when one does not hold.
Status CheckCopySourceConditions(const Conditions& c, const ObjectInfo& source);

// PreconditionFailed naming the condition that did not hold.
Status PreconditionFailed(std::string_view condition);

// The checksum a doc records, as responses report it; nullopt when there is none.
std::optional<ReportedChecksum> StoredChecksum(const ObjectDoc& doc);

}  // namespace sealstack::api::s3
