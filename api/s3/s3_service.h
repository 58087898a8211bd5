// s3::Service: S3 as typed calls. The S3 wire edge (s3_handler.cpp, object_ops.cpp) parses a
// request into one of the inputs below, calls the service and renders the result; other
// services call it in-process as a caller (a Glue run reads its job script as the job's role).
//
// Inputs are what the request said, in domain types (header values as sent, dates parsed);
// the service makes every decision: authorization (through BucketService and the
// S3Authorizer), server-side encryption, data keys (KMS as the caller), conditional requests,
// ranges and part numbers, ETags, checksums. Errors are Status values whose detail() is an
// s3::ErrorKind (s3_errors.h), or a kms::ErrorKind for a KMS call made for the caller;
// s3_wire_errors.h names them as S3 does (ErrorCodeAndMessage).
//
// Bodies stream both ways and are never held whole: PutObject pulls its body from a
// BodySource, GetObject returns an ObjectReader that pushes plaintext into a sink.
//
//   s3::Service s3(parts);
//   SEALSTACK_ASSIGN_OR_RETURN(s3::ObjectReader r, s3.GetObject(caller, {.bucket = b, .key = k}));
//   SEALSTACK_RETURN_IF_ERROR(r.WriteTo([&](std::string_view plain) { ...; return true; }));
//
// Thread safety: a Service is a view over thread-safe parts (BucketService, ObjectStore,
// DataKeyService); make one per request or share one. An ObjectReader belongs to one thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/common/faults.h"
#include "api/s3/bucket_service.h"
#include "api/s3/data_keys.h"
#include "api/s3/object_lock.h"
#include "api/s3/object_store.h"
#include "api/s3/object_tags.h"
#include "api/s3/sse.h"
#include "audit/recorder.h"
#include "crypto/checksum.h"

namespace sealstack::api::s3 {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The parts S3 is made of. `faults` and `audit` serve the wire edge only (injected failures,
// management events); the service itself needs the first four.
struct ObjectServices {
  BucketService* buckets = nullptr;
  ObjectStore* store = nullptr;
  DataKeyService* keys = nullptr;
  bool require_tls_for_sse_c = false;
  FaultInjector* faults = nullptr;   // injected S3 failures (admin API); null = none
  audit::Recorder* audit = nullptr;  // management events (CreateBucket, PutBucketPolicy, ...)
};

// Pushes a write's body, piece by piece, into `sink`; a non-OK Status from the sink stops it
// and is returned. The wire edge's source also verifies signatures and trailer checksums.
using BodySource = std::function<Status(const std::function<Status(std::string_view)>& sink)>;

// Receives plaintext in order; false stops the read (the client went away, a size limit).
using PlaintextWriter = std::function<bool(std::string_view plaintext)>;

// ---- Request facts shared by several operations

// The integrity headers of a body write, as sent: Content-MD5, the x-amz-checksum-<algorithm>
// headers, and x-amz-trailer.
struct IntegrityHeaders {
  std::optional<std::string> content_md5;
  HeaderList checksums;  // (header name as sent, base64 value)
  std::optional<std::string> trailer;
};

// If-Match & co. of a read (GetObject, HeadObject) or of a copy source (x-amz-copy-source-if-*).
// Dates that do not parse are absent, as S3 ignores them.
struct Conditions {
  std::optional<std::string> if_match;
  std::optional<std::string> if_none_match;
  std::optional<SystemTime> if_modified_since;
  std::optional<SystemTime> if_unmodified_since;
};

// The checksum a response reports (x-amz-checksum-<algorithm> and x-amz-checksum-type).
struct ReportedChecksum {
  crypto::ChecksumAlgorithm algorithm = crypto::ChecksumAlgorithm::kCrc64Nvme;
  std::string value;                 // base64
  std::string type = "FULL_OBJECT";  // FULL_OBJECT | COMPOSITE
};

// How a new object is protected, as write responses report it.
struct WrittenProtection {
  ProtectedDataKey sse;
  std::string user_context_b64;  // the context header as sent; "" = none
};

// ---- Objects

struct PutObjectInput {
  std::string bucket;
  std::string key;
  HeaderList content_headers;  // Content-Type & co. to store (CaptureContentHeaders)
  HeaderList user_metadata;    // x-amz-meta-* (lower-case names)
  SseHeaders sse;
  AclRequest acl;  // x-amz-acl / x-amz-grant-*
  IntegrityHeaders integrity;
  // x-amz-tagging, parsed at the edge (ParseTaggingHeader). Setting tags also needs
  // s3:PutObjectTagging, as on AWS.
  TagSet tags;
  ObjectLockHeaders lock;  // x-amz-object-lock-*
  BodySource body;
};

struct PutObjectOutput {
  std::string etag;  // unquoted
  // x-amz-version-id: the new version's id, only when the bucket is versioned (Enabled or
  // Suspended; "null" when suspended). Likewise in the outputs below.
  std::optional<std::string> version_id;
  WrittenProtection protection;
  std::optional<ReportedChecksum> checksum;  // when the client named an algorithm
};

struct GetObjectInput {
  std::string bucket;
  std::string key;
  // ?versionId as sent: that version (s3:GetObjectVersion); nullopt = the latest (s3:GetObject).
  std::optional<std::string> version_id;
  SseHeaders sse;  // a read may carry only the SSE-C trio
  Conditions conditions;
  std::optional<std::string> range;        // the Range header as sent
  std::optional<std::string> part_number;  // ?partNumber as sent
  bool checksum_mode = false;              // x-amz-checksum-mode: ENABLED
};

// What GetObject and HeadObject tell about the object.
struct ObjectHead {
  bool not_modified = false;  // If-None-Match / If-Modified-Since held: only etag and date set
  std::string etag;           // unquoted
  SystemTime last_modified{};
  uint64_t size = 0;                         // of the whole object
  std::optional<ByteRange> range;            // the bytes served; nullopt = all
  int parts_count = 0;                       // x-amz-mp-parts-count; 0 = not reported
  HeaderList content_headers;                // as stored
  HeaderList user_metadata;                  // as stored
  ProtectedDataKey sse;                      // never key material in the clear
  std::optional<ReportedChecksum> checksum;  // when asked for and the whole object is served
  std::optional<std::string> version_id;     // x-amz-version-id (versioned buckets, or asked)

  size_t tag_count = 0;  // x-amz-tagging-count when not 0
  // The version's Object Lock settings, when the caller may read them
  // (s3:GetObjectRetention / s3:GetObjectLegalHold): x-amz-object-lock-* headers.
  ObjectLock lock;

  uint64_t content_length() const { return range ? range->last - range->first + 1 : size; }
};

// An object opened for reading: its head, and its plaintext on demand.
class ObjectReader {
 public:
  ObjectReader() = default;
  const ObjectHead& head() const { return head_; }

  // Streams the plaintext of head().range (or the whole object) into `write`. Only
  // authenticated plaintext reaches it; a failure after some bytes went out means the read as a
  // whole failed. `write` returning false stops the read with kUnavailable.
  Status WriteTo(const PlaintextWriter& write) const;

 private:
  friend class Service;
  ObjectHead head_;
  ObjectStore* store_ = nullptr;
  std::shared_ptr<const ObjectInfo> info_;
  std::shared_ptr<const crypto::SecretBytes> key_;  // null: nothing to read (HEAD, 304, empty)
};

struct GetObjectAttributesInput {
  std::string bucket;
  std::string key;
  std::optional<std::string> version_id;  // ?versionId as sent
  SseHeaders sse;
  std::optional<std::string> attributes;          // x-amz-object-attributes as sent
  std::optional<std::string> part_number_marker;  // x-amz-part-number-marker as sent
  std::optional<std::string> max_parts;           // x-amz-max-parts as sent
};

// The parts of a multipart object; the list only for objects uploaded with checksums.
struct ObjectPartsInfo {
  int parts_count = 0;
  bool list_parts = false;
  int part_number_marker = 0;
  int next_part_number_marker = 0;
  int max_parts = 1000;
  bool truncated = false;
  crypto::ChecksumAlgorithm algorithm = crypto::ChecksumAlgorithm::kCrc64Nvme;
  struct Part {
    int part_number = 0;
    uint64_t size = 0;
    std::string checksum;  // base64 under `algorithm`
  };
  std::vector<Part> parts;
};

// Each member is set only when the caller asked for that attribute.
struct GetObjectAttributesOutput {
  SystemTime last_modified{};
  std::optional<std::string> version_id;
  std::optional<std::string> etag;  // unquoted
  std::optional<ReportedChecksum> checksum;
  std::optional<ObjectPartsInfo> object_parts;
  std::optional<std::string> storage_class;
  std::optional<uint64_t> object_size;
};

struct CopyObjectInput {
  std::string bucket;  // destination
  std::string key;
  std::string source_bucket;
  std::string source_key;
  std::optional<std::string> source_version_id;  // x-amz-copy-source "?versionId=" as sent
  SseHeaders sse;                                // the destination's encryption headers
  AclRequest acl;                                // the destination's ACL headers
  SseHeaders source_sse;  // the x-amz-copy-source-server-side-encryption-customer-* trio
  Conditions source_conditions;
  std::string metadata_directive = "COPY";  // COPY | REPLACE (anything else: InvalidArgument)
  HeaderList content_headers;               // REPLACE: the new headers
  HeaderList user_metadata;
  std::optional<std::string> checksum_algorithm;  // x-amz-checksum-algorithm
  bool sets_storage_class_or_redirect = false;    // x-amz-storage-class / -website-redirect-*
  // x-amz-tagging-directive: COPY keeps the source's tags (which then needs
  // s3:GetObjectTagging on the source), REPLACE sets `tags`; anything else: InvalidArgument.
  std::string tagging_directive = "COPY";
  TagSet tags;             // x-amz-tagging (parsed), used with REPLACE
  ObjectLockHeaders lock;  // the destination's x-amz-object-lock-* (the source's is not copied)
};

struct CopyObjectOutput {
  std::string etag;                              // unquoted
  std::optional<std::string> version_id;         // the new version's (versioned destination)
  std::optional<std::string> source_version_id;  // x-amz-copy-source-version-id
  SystemTime last_modified{};
  WrittenProtection protection;
  std::optional<ReportedChecksum> checksum;  // the new object's (CRC64NVME by default)
};

// Get/Put/DeleteObjectTagging: the tags of the latest version, or of `version_id`
// (s3:Get/Put/DeleteObjectVersionTagging). Each answers the version it acted on.
struct ObjectTaggingInput {
  std::string bucket;
  std::string key;
  std::optional<std::string> version_id;  // ?versionId as sent
  TagSet tags;                            // PutObjectTagging: the new set (parsed, validated)
};

struct ObjectTaggingOutput {
  std::optional<std::string> version_id;  // x-amz-version-id (versioned buckets, or asked)
  TagSet tags;                            // GetObjectTagging
};

// Get/PutObjectRetention and Get/PutObjectLegalHold (object_lock.h) on the latest version or
// `version_id`; the bucket must have Object Lock enabled.
struct ObjectLockInput {
  std::string bucket;
  std::string key;
  std::optional<std::string> version_id;  // ?versionId as sent
  ObjectLock lock;                 // Put: the new retention (mode, date) or legal hold (legal_hold)
  bool bypass_governance = false;  // PutObjectRetention: x-amz-bypass-governance-retention
};

struct ObjectLockOutput {
  std::optional<std::string> version_id;
  ObjectLock lock;  // Get: the version's
};

// UpdateObjectEncryption (PUT /bucket/key?encryption): a new protection for an existing
// SSE-S3 or SSE-KMS object (version) without rewriting its body: its data key is opened as
// before (KMS Decrypt as the caller) and protected again under `kms_key_arn` (KMS
// GenerateDataKey/Encrypt as the caller). Needs s3:PutObject and s3:UpdateObjectEncryption.
struct UpdateObjectEncryptionInput {
  std::string bucket;
  std::string key;
  std::optional<std::string> version_id;  // ?versionId as sent
  std::string kms_key_arn;                // <SSE-KMS><KMSKeyArn>: a full key ARN
  bool bucket_key = false;                // <BucketKeyEnabled>
};

// ---- Buckets and listings

struct ListObjectsInput {
  std::string bucket;
  bool v2 = false;
  std::string prefix;
  std::string delimiter;
  int64_t max_keys = 1000;                        // at most 1000
  std::optional<std::string> max_keys_raw;        // as sent (the s3:max-keys condition key)
  std::string start_after;                        // marker (V1) or start-after (V2)
  std::optional<std::string> continuation_token;  // V2, as sent
};

struct ListedObject {
  std::string key;
  SystemTime last_modified{};
  std::string etag;  // unquoted
  uint64_t size = 0;
  std::string checksum_algorithm;  // "" = none
  std::string checksum_type;       // with an algorithm: FULL_OBJECT | COMPOSITE
};

struct ListObjectsOutput {
  std::string owner_account;  // the bucket's
  std::vector<ListedObject> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string last_item;  // key or common prefix listed last (the next page starts after it)
};

// A version listing (ListObjectVersions: GET /bucket?versions).
struct ListObjectVersionsInput {
  std::string bucket;
  std::string prefix;
  std::string delimiter;
  int64_t max_keys = 1000;                  // at most 1000
  std::optional<std::string> max_keys_raw;  // as sent (the s3:max-keys condition key)
  std::string key_marker;
  std::string version_id_marker;  // "" = none
};

// A version or a delete marker, as ListObjectVersions lists it.
struct ListedVersion {
  std::string key;
  std::string version_id;  // "null" for the null version
  bool is_latest = false;
  bool delete_marker = false;
  SystemTime last_modified{};
  std::string etag;  // unquoted; versions only
  uint64_t size = 0;
  std::string checksum_algorithm;  // "" = none
  std::string checksum_type;
};

struct ListObjectVersionsOutput {
  std::string owner_account;
  std::vector<ListedVersion> versions;  // by key, newest first within a key
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_key_marker;         // when truncated
  std::string next_version_id_marker;  // when truncated after a version (not a common prefix)
};

// DeleteObject: without a version, the key's latest is deleted (never versioned), or hidden
// under a new delete marker (Enabled; the null version when Suspended). With one, that version
// goes for good (s3:DeleteObjectVersion).
struct DeleteObjectInput {
  std::string bucket;
  std::string key;
  std::optional<std::string> version_id;  // ?versionId as sent
  // x-amz-bypass-governance-retention: true. Deleting a version under GOVERNANCE retention
  // then needs s3:BypassGovernanceRetention; COMPLIANCE retention and legal holds refuse anyway.
  bool bypass_governance = false;
};

struct DeleteObjectOutput {
  // x-amz-delete-marker: true when a marker was added, or the version deleted was one.
  bool delete_marker = false;
  std::optional<std::string> version_id;  // x-amz-version-id: the marker's, or the one deleted
};

struct DeleteObjectsInput {
  std::string bucket;
  struct Entry {
    std::string key;
    std::optional<std::string> version_id;
  };
  std::vector<Entry> objects;
  bool bypass_governance = false;  // x-amz-bypass-governance-retention, for every entry
};

// Per entry: what was deleted, or the failure (UserKeyMustBeSpecified, AccessDenied,
// InvalidArgument for a malformed version id, InternalError).
struct DeleteObjectsOutput {
  std::vector<Result<DeleteObjectOutput>> results;  // one per input entry, in order
};

// ---- Multipart uploads (states: object_store.h)

// Which upload a part request is for: ?uploadId (absent = NoSuchUpload) on bucket/key.
struct UploadRef {
  std::string bucket;
  std::string key;
  std::optional<std::string> upload_id;
};

struct CreateMultipartUploadInput {
  std::string bucket;
  std::string key;
  HeaderList content_headers;
  HeaderList user_metadata;
  SseHeaders sse;
  AclRequest acl;
  std::optional<std::string> checksum_algorithm;  // x-amz-checksum-algorithm
  std::optional<std::string> checksum_type;       // x-amz-checksum-type
  TagSet tags;             // x-amz-tagging (parsed): the completed object's tags
  ObjectLockHeaders lock;  // x-amz-object-lock-*: the completed object's lock
};

struct CreateMultipartUploadOutput {
  std::string upload_id;
  WrittenProtection protection;
  std::string checksum_algorithm;  // "" = none
  std::string checksum_type;       // with an algorithm: FULL_OBJECT | COMPOSITE
};

struct UploadPartInput {
  UploadRef upload;
  std::optional<std::string> part_number;  // ?partNumber as sent
  SseHeaders sse;                          // the SSE-C trio, which must repeat the upload's
  IntegrityHeaders integrity;
  BodySource body;
};

// UploadPart and UploadPartCopy.
struct UploadPartOutput {
  std::string etag;  // unquoted
  SystemTime last_modified{};
  ProtectedDataKey sse;                          // the upload's (parts never report the context)
  std::optional<ReportedChecksum> checksum;      // the part's, when one was computed
  std::optional<std::string> source_version_id;  // UploadPartCopy: x-amz-copy-source-version-id
};

struct UploadPartCopyInput {
  UploadRef upload;
  std::optional<std::string> part_number;
  SseHeaders sse;
  std::string source_bucket;
  std::string source_key;
  std::optional<std::string> source_version_id;  // x-amz-copy-source "?versionId=" as sent
  SseHeaders source_sse;
  Conditions source_conditions;
  std::optional<std::string> source_range;  // x-amz-copy-source-range as sent
};

// A part CompleteMultipartUpload names.
struct ChosenPart {
  int part_number = 0;
  std::string etag;  // as sent (quotes stripped)
  std::vector<std::pair<crypto::ChecksumAlgorithm, std::string>> checksums;  // as sent
};

struct CompleteMultipartUploadInput {
  UploadRef upload;
  // Reads and parses the part list; called once the upload is found (NoSuchUpload comes before
  // MalformedXML, as on S3).
  std::function<Result<std::vector<ChosenPart>>()> parts;
  HeaderList checksum_headers;  // x-amz-checksum-<algorithm>: the whole object's, claimed
};

struct CompleteMultipartUploadOutput {
  std::string etag;                       // unquoted, "<hex>-N"
  std::optional<std::string> version_id;  // the new version's (versioned bucket)
  ProtectedDataKey sse;
  std::optional<ReportedChecksum> checksum;
};

struct ListPartsInput {
  UploadRef upload;
  std::optional<std::string> max_parts;           // as sent
  std::optional<std::string> part_number_marker;  // as sent
};

struct ListPartsOutput {
  std::string owner_account;
  std::string upload_id;
  int64_t max_parts = 1000;
  int64_t part_number_marker = 0;
  std::string checksum_algorithm;  // "" = none
  std::string checksum_type;
  std::vector<PartInfo> parts;
  bool truncated = false;
};

struct ListMultipartUploadsInput {
  std::string bucket;
  std::optional<std::string> max_uploads;  // as sent
  std::string prefix;
  std::optional<std::string> delimiter;
  std::string key_marker;
  std::string upload_id_marker;
};

struct ListMultipartUploadsOutput {
  std::string owner_account;
  int64_t max_uploads = 1000;
  std::vector<UploadInfo> uploads;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_key_marker;  // when truncated
  std::string next_upload_id_marker;
};

class Service {
 public:
  explicit Service(const ObjectServices& parts) : parts_(parts) {}

  // Objects.
  Result<PutObjectOutput> PutObject(const S3Caller& caller, const PutObjectInput& in);
  Result<ObjectReader> GetObject(const S3Caller& caller, const GetObjectInput& in);
  // As GetObject without the body: no KMS call, except that an SSE-C key is proven.
  Result<ObjectHead> HeadObject(const S3Caller& caller, const GetObjectInput& in);
  Result<GetObjectAttributesOutput> GetObjectAttributes(const S3Caller& caller,
                                                        const GetObjectAttributesInput& in);
  Result<DeleteObjectOutput> DeleteObject(const S3Caller& caller, const DeleteObjectInput& in);
  Result<DeleteObjectsOutput> DeleteObjects(const S3Caller& caller, const DeleteObjectsInput& in);
  Result<CopyObjectOutput> CopyObject(const S3Caller& caller, const CopyObjectInput& in);
  Result<ListObjectsOutput> ListObjects(const S3Caller& caller, const ListObjectsInput& in);
  Result<ObjectTaggingOutput> GetObjectTagging(const S3Caller& caller,
                                               const ObjectTaggingInput& in);
  Result<ObjectTaggingOutput> PutObjectTagging(const S3Caller& caller,
                                               const ObjectTaggingInput& in);
  Result<ObjectTaggingOutput> DeleteObjectTagging(const S3Caller& caller,
                                                  const ObjectTaggingInput& in);
  Status UpdateObjectEncryption(const S3Caller& caller, const UpdateObjectEncryptionInput& in);
  // Retention: NoSuchObjectLockConfiguration when the version has none. Put refuses to weaken
  // a COMPLIANCE retention in force, and a GOVERNANCE one without the bypass.
  Result<ObjectLockOutput> GetObjectRetention(const S3Caller& caller, const ObjectLockInput& in);
  Result<ObjectLockOutput> PutObjectRetention(const S3Caller& caller, const ObjectLockInput& in);
  Result<ObjectLockOutput> GetObjectLegalHold(const S3Caller& caller, const ObjectLockInput& in);
  Result<ObjectLockOutput> PutObjectLegalHold(const S3Caller& caller, const ObjectLockInput& in);
  // Every version and delete marker (s3:ListBucketVersions); on a bucket never versioned, each
  // object as its null version.
  Result<ListObjectVersionsOutput> ListObjectVersions(const S3Caller& caller,
                                                      const ListObjectVersionsInput& in);

  // Multipart uploads.
  Result<CreateMultipartUploadOutput> CreateMultipartUpload(const S3Caller& caller,
                                                            const CreateMultipartUploadInput& in);
  Result<UploadPartOutput> UploadPart(const S3Caller& caller, const UploadPartInput& in);
  Result<UploadPartOutput> UploadPartCopy(const S3Caller& caller, const UploadPartCopyInput& in);
  Result<CompleteMultipartUploadOutput> CompleteMultipartUpload(
      const S3Caller& caller, const CompleteMultipartUploadInput& in);
  Status AbortMultipartUpload(const S3Caller& caller, const UploadRef& upload);
  Result<ListPartsOutput> ListParts(const S3Caller& caller, const ListPartsInput& in);
  Result<ListMultipartUploadsOutput> ListMultipartUploads(const S3Caller& caller,
                                                          const ListMultipartUploadsInput& in);

  // Buckets.
  Result<std::vector<Bucket>> ListBuckets(const S3Caller& caller,
                                          const std::optional<std::string>& prefix);
  Status CreateBucket(const S3Caller& caller, const std::string& bucket,
                      const BucketCreation& creation);
  Result<Bucket> HeadBucket(const S3Caller& caller, const std::string& bucket);
  Status DeleteBucket(const S3Caller& caller, const std::string& bucket);
  Result<std::string> GetBucketLocation(const S3Caller& caller, const std::string& bucket);
  // NoSuchBucket, with no access check: what S3 answers before it reads a configuration body.
  Status CheckBucketExists(const std::string& bucket);
  Status PutBucketEncryption(const S3Caller& caller, const std::string& bucket,
                             const EncryptionConfiguration& config);
  Result<EncryptionConfiguration> GetBucketEncryption(const S3Caller& caller,
                                                      const std::string& bucket);
  Status DeleteBucketEncryption(const S3Caller& caller, const std::string& bucket);
  Status PutBucketPolicy(const S3Caller& caller, const std::string& bucket,
                         std::string_view policy);
  Result<std::string> GetBucketPolicy(const S3Caller& caller, const std::string& bucket);
  Status DeleteBucketPolicy(const S3Caller& caller, const std::string& bucket);

  // Bucket configurations (bucket_config.h; bucket_config_service.cpp). Each authorizes with
  // its spec's IAM action. Get answers the stored inner document, the kind's default, or its
  // "not configured" error; `id` only for id-keyed kinds (NoSuchConfiguration when unknown).
  Result<std::string> GetBucketConfig(const S3Caller& caller, const std::string& bucket,
                                      BucketConfigKind kind, const std::string& id = "");
  // Stores a validated document after the checks that need state: replication and object lock
  // need versioning Enabled, a logging target must exist in the same account, accelerate is
  // refused for names with dots, BucketOwnerEnforced needs an owner-only bucket ACL.
  Status PutBucketConfig(const S3Caller& caller, const std::string& bucket,
                         const BucketConfigDocument& doc);
  // Idempotent (204 whether or not it was set), except an unknown id (NoSuchConfiguration).
  Status DeleteBucketConfig(const S3Caller& caller, const std::string& bucket,
                            BucketConfigKind kind, const std::string& id = "");
  Result<std::vector<std::string>> ListBucketConfigs(const S3Caller& caller,
                                                     const std::string& bucket,
                                                     BucketConfigKind kind);
  // GetBucketVersioning (s3:GetBucketVersioning): the bucket's versioning state ("" if never
  // set) and MFA delete state ("" if never set).
  struct VersioningState {
    std::string status;      // "" | Enabled | Suspended
    std::string mfa_delete;  // "" | Enabled | Disabled
  };
  Result<VersioningState> GetBucketVersioning(const S3Caller& caller, const std::string& bucket);
  // PutBucketVersioning (s3:PutBucketVersioning): Enabled or Suspended (a bucket never returns
  // to unversioned, as on AWS). MFA delete is recorded, not enforced.
  Status PutBucketVersioning(const S3Caller& caller, const std::string& bucket,
                             const VersioningState& state);

  // ACLs (bucket_acl.h). Reads show the owner's FULL_CONTROL (plus a stored bucket ACL when
  // ACLs are enabled); writes other than the owner's full control answer
  // AccessControlListNotSupported while ACLs are disabled.
  struct AclView {
    std::string owner_id;
    std::vector<AclGrant> grants;
  };
  Result<AclView> GetBucketAcl(const S3Caller& caller, const std::string& bucket);
  Status PutBucketAcl(const S3Caller& caller, const std::string& bucket, const AclRequest& acl);
  Result<AclView> GetObjectAcl(const S3Caller& caller, const std::string& bucket,
                               const std::string& key);
  Status PutObjectAcl(const S3Caller& caller, const std::string& bucket, const std::string& key,
                      const AclRequest& acl);

  // CORS (cors.h), asked without a caller: browsers send preflights unsigned. The headers to
  // answer for a request from `origin` using `method` with `request_headers`:
  // BadRequest without an Origin; AccessForbidden when the bucket is unknown, has no CORS
  // configuration or no rule matches (`resource_type` BUCKET or OBJECT names the resource in
  // the error, as S3 does).
  Result<HeaderList> CorsPreflight(const std::string& bucket,
                                   const std::optional<std::string>& origin,
                                   const std::optional<std::string>& method,
                                   const std::vector<std::string>& request_headers,
                                   std::string_view resource_type);
  // The CORS headers an actual request from `origin` gets (none when no rule matches).
  HeaderList CorsHeadersFor(const std::string& bucket, const std::string& origin,
                            const std::string& method);

  const ObjectServices& parts() const { return parts_; }

 private:
  Result<ObjectReader> Open(const S3Caller& caller, const GetObjectInput& in, bool head);
  // DeleteObject once `bucket` is loaded and the caller authorized (DeleteObjects shares it).
  Result<DeleteObjectOutput> DeleteObjectIn(const S3Caller& caller, const Bucket& bucket,
                                            const DeleteObjectInput& in);

  ObjectServices parts_;
};

}  // namespace sealstack::api::s3
