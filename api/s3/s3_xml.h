// S3 REST-XML bodies: renderers (struct -> document) and parsers (body -> struct) for the
// bucket, object, multipart and encryption operations SealStack serves. Pure functions: no
// HTTP, no storage, no clock. Thread-safe.
//
// Rendering conventions (as AWS's responses have them):
// - Every document starts with <?xml version="1.0" encoding="UTF-8"?> and a newline; the root
//   element carries xmlns="http://s3.amazonaws.com/doc/2006-03-01/".
// - Element order follows what AWS sends (the AWS API reference response examples, which MinIO
//   and Ceph RGW also follow), not the alphabetical member order of the Smithy model.
// - Timestamps are ISO 8601 with milliseconds: 2024-01-01T00:00:00.000Z.
// - `etag` fields hold the bare value (hex, or hex-N for multipart) without quotes; renderers add
//   the quotes where S3 puts them ("&quot;...&quot;" on the wire). GetObjectAttributes is the one
//   response where S3 sends the ETag unquoted.
// - Optional elements are omitted when their field is empty / nullopt.
// - Owner/Initiator render ID then DisplayName; DisplayName is omitted when empty (AWS is
//   retiring it).
//
// encoding-type=url (ListObjects, ListObjectsV2, ListMultipartUploads): see S3UrlEncode.
//
// Parser errors are Status values the S3 edge maps:
// - detail kDetailMalformedXml (xml_reader.h)  -> 400 MalformedXML, kMalformedXmlMessage.
// - detail ErrorKind::kInvalidArgument (s3_errors.h, message carries ArgumentName)
//                                              -> 400 InvalidArgument.
// - detail kDetailInvalidPartOrder              -> 400 InvalidPartOrder, message as AWS words it.
#pragma once

#include "api/s3/s3_errors.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace sealstack::api::s3 {

inline constexpr std::string_view kS3Xmlns = "http://s3.amazonaws.com/doc/2006-03-01/";

// AWS's message for MalformedXML.
inline constexpr std::string_view kMalformedXmlMessage =
    "The XML you provided was not well-formed or did not validate against our published schema";

// Status::detail() for CompleteMultipartUpload parts out of order -> 400 InvalidPartOrder.
// (Outside the ErrorKind range of s3_errors.h so the two never collide.)
inline constexpr int kDetailInvalidPartOrder = static_cast<int>(ErrorKind::kInvalidPartOrder);
inline constexpr std::string_view kInvalidPartOrderMessage =
    "The list of parts was not in ascending order. Parts must be ordered by part number.";

// DeleteObjects accepts at most this many <Object> entries.
inline constexpr size_t kMaxDeleteObjects = 1000;

// S3's encoding-type=url escaping, as MinIO implements it to match S3 (form encoding with S3's
// exceptions): A-Z a-z 0-9 '-' '_' '.' '*' and '/' stay literal, ' ' becomes '+', every other
// byte (including '+', '~', '%', control characters and each byte of a multi-byte UTF-8
// sequence) becomes %XX with upper-case hex. SDKs decode with form decoding (botocore
// unquote_plus, Go url.QueryUnescape, Java URLDecoder), which inverts this exactly.
std::string S3UrlEncode(std::string_view s);

// ---- Shared shapes ----

struct Owner {
  std::string id;
  std::string display_name;  // omitted when empty
};

// Base64 checksum values; empty = absent. Rendered in the model's order.
struct Checksums {
  std::string crc32;
  std::string crc32c;
  std::string crc64nvme;
  std::string sha1;
  std::string sha256;
  std::string sha512;
  std::string md5;
  std::string xxhash64;
  std::string xxhash3;
  std::string xxhash128;

  bool empty() const;
};

// ---- ListBuckets: GET / ----

struct BucketEntry {
  std::string name;
  SystemTime creation_date;
  std::string region;  // <BucketRegion>, omitted when empty
};

struct ListBucketsResult {
  Owner owner;
  std::vector<BucketEntry> buckets;
  std::string continuation_token;  // next page; omitted when empty
  std::string prefix;              // echoed request prefix; omitted when empty
};

// <ListAllMyBucketsResult><Owner/><Buckets><Bucket><Name/><CreationDate/><BucketRegion/>
// </Bucket>...</Buckets><ContinuationToken/><Prefix/></ListAllMyBucketsResult>
std::string RenderListBuckets(const ListBucketsResult& r);

// ---- ListObjects (V1) and ListObjectsV2: GET /{bucket} ----

struct ObjectEntry {
  std::string key;
  SystemTime last_modified;
  std::string etag;                              // unquoted
  std::vector<std::string> checksum_algorithms;  // flat <ChecksumAlgorithm> list
  std::string checksum_type;                     // COMPOSITE | FULL_OBJECT; omitted when empty
  int64_t size = 0;
  std::string storage_class = "STANDARD";
  std::optional<Owner> owner;  // V2: only with fetch-owner=true; V1: always in AWS
};

// What every object listing (ListObjects V1 and V2, ListObjectVersions) answers: Name and Prefix
// first, then after the listing's own markers MaxKeys, Delimiter, EncodingType and IsTruncated,
// and the CommonPrefixes last.
struct ListingPage {
  std::string name;
  std::string prefix;  // always rendered (empty element when empty)
  std::string delimiter;
  int64_t max_keys = 1000;
  bool is_truncated = false;
  bool encoding_type_url = false;  // encoding-type=url was requested
  std::vector<std::string> common_prefixes;
};

struct ListObjectsV2Result : ListingPage {
  std::string continuation_token;       // echoed; never URL-encoded (opaque)
  std::string next_continuation_token;  // when truncated
  std::string start_after;
  std::vector<ObjectEntry> contents;
};

// KeyCount is contents.size() + common_prefixes.size(), as S3 counts it. Order:
// Name, Prefix, StartAfter, ContinuationToken, NextContinuationToken, KeyCount, MaxKeys,
// Delimiter, EncodingType, IsTruncated, Contents..., CommonPrefixes...
// With encoding_type_url, Prefix, StartAfter, Delimiter, Key and CommonPrefixes/Prefix are
// S3UrlEncode()d.
std::string RenderListObjectsV2(const ListObjectsV2Result& r);

struct ListObjectsV1Result : ListingPage {
  std::string marker;       // always rendered
  std::string next_marker;  // omitted when empty (S3 sets it with a delimiter when truncated)
  std::vector<ObjectEntry> contents;
};

// Order: Name, Prefix, Marker, NextMarker, MaxKeys, Delimiter, EncodingType, IsTruncated,
// Contents..., CommonPrefixes... With encoding_type_url, Prefix, Marker, NextMarker, Delimiter,
// Key and CommonPrefixes/Prefix are encoded.
std::string RenderListObjectsV1(const ListObjectsV1Result& r);

// ---- ListObjectVersions: GET /{bucket}?versions ----

// A <Version> or, with delete_marker, a <DeleteMarker> (no ETag, Size, StorageClass, checksum).
struct VersionEntry {
  std::string key;
  std::string version_id;
  bool is_latest = false;
  bool delete_marker = false;
  SystemTime last_modified;
  std::string etag;  // unquoted
  std::string checksum_algorithm;
  std::string checksum_type;
  int64_t size = 0;
  Owner owner;
};

struct ListVersionsResult : ListingPage {
  std::string key_marker;         // always rendered
  std::string version_id_marker;  // always rendered
  std::string next_key_marker;    // omitted when empty
  std::string next_version_id_marker;
  std::vector<VersionEntry> entries;  // in listing order, versions and markers interleaved
};

// <ListVersionsResult>: Name, Prefix, KeyMarker, VersionIdMarker, NextKeyMarker,
// NextVersionIdMarker, MaxKeys, Delimiter, EncodingType, IsTruncated, Version / DeleteMarker...,
// CommonPrefixes... With encoding_type_url, Prefix, KeyMarker, NextKeyMarker, Delimiter, Key and
// CommonPrefixes/Prefix are encoded.
std::string RenderListVersionsResult(const ListVersionsResult& r);

// ---- PutBucketVersioning: PUT /{bucket}?versioning ----

struct VersioningConfiguration {
  std::string status;      // "" (absent) | Enabled | Suspended
  std::string mfa_delete;  // "" (absent) | Enabled | Disabled
};
// Root <VersioningConfiguration> with optional <Status> and <MfaDelete> (MFADelete accepted
// too); other values -> MalformedXML.
Result<VersioningConfiguration> ParseVersioningConfiguration(std::string_view body);

// ---- GetBucketLocation: GET /{bucket}?location ----

// <LocationConstraint xmlns="...">eu-west-1</LocationConstraint>; us-east-1 (or "") renders the
// empty element <LocationConstraint xmlns="..."/>.
std::string RenderLocationConstraint(std::string_view region);

// ---- CreateBucket: PUT /{bucket} body ----

struct CreateBucketConfiguration {
  std::string location_constraint;  // "" when absent
};

// An empty (or all-whitespace) body is valid and yields an empty configuration. Location,
// Bucket (directory buckets) and Tags are accepted and ignored.
Result<CreateBucketConfiguration> ParseCreateBucketConfiguration(std::string_view body);

// ---- Bucket default encryption: PUT/GET /{bucket}?encryption ----

struct EncryptionConfiguration {
  std::string sse_algorithm = "AES256";  // AES256 | aws:kms | aws:kms:dsse
  std::string kms_master_key_id;         // only with aws:kms / aws:kms:dsse; "" = absent
  std::optional<bool> bucket_key_enabled;
  // <BlockedEncryptionTypes><EncryptionType>SSE-C|NONE</EncryptionType>...; nullopt = absent.
  std::optional<std::vector<std::string>> blocked_encryption_types;
};

// <ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm/>
// <KMSMasterKeyID/></ApplyServerSideEncryptionByDefault><BucketKeyEnabled/>
// <BlockedEncryptionTypes><EncryptionType/>...</BlockedEncryptionTypes></Rule>...
std::string RenderEncryptionConfiguration(const EncryptionConfiguration& c);

// Validation, in this order:
// - root is not ServerSideEncryptionConfiguration, not exactly one <Rule>, no
//   ApplyServerSideEncryptionByDefault/SSEAlgorithm, SSEAlgorithm not one of AES256, aws:kms,
//   aws:kms:dsse, BucketKeyEnabled not a boolean, EncryptionType not SSE-C/NONE
//   -> MalformedXML;
// - KMSMasterKeyID with AES256 -> InvalidArgument (ArgumentName ApplyServerSideEncryptionByDefault)
//   "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or
//   aws:kms:dsse". The key id itself is not checked (S3 does not either).
Result<EncryptionConfiguration> ParseEncryptionConfiguration(std::string_view body);

// ---- DeleteObjects: POST /{bucket}?delete ----

struct DeleteObjectId {
  std::string key;
  std::string version_id;  // "" when absent
};

struct DeleteRequest {
  std::vector<DeleteObjectId> objects;
  bool quiet = false;
};

// Root <Delete>; 1..1000 <Object> entries each with a <Key> (possibly empty: S3 reports that
// key as a per-object error); Quiet a boolean. Violations -> MalformedXML.
Result<DeleteRequest> ParseDeleteRequest(std::string_view body);

struct DeletedEntry {
  std::string key;
  std::string version_id;                // omitted when empty
  bool delete_marker = false;            // rendered only when true
  std::string delete_marker_version_id;  // omitted when empty
};

struct DeleteErrorEntry {
  std::string key;
  std::string version_id;  // omitted when empty
  std::string code;
  std::string message;
};

struct DeleteResult {
  std::vector<DeletedEntry> deleted;  // empty in quiet mode
  std::vector<DeleteErrorEntry> errors;
};

// <DeleteResult><Deleted>...</Deleted>...<Error>...</Error>...</DeleteResult>
std::string RenderDeleteResult(const DeleteResult& r);

// ---- Multipart ----

struct InitiateMultipartUploadResult {
  std::string bucket;
  std::string key;
  std::string upload_id;
};
std::string RenderInitiateMultipartUpload(const InitiateMultipartUploadResult& r);

struct CompletedPart {
  int32_t part_number = 0;
  std::string etag;  // quotes stripped
  Checksums checksums;
};

struct CompleteMultipartUploadRequest {
  std::vector<CompletedPart> parts;
};

// Root <CompleteMultipartUpload>, at least one <Part>, each with an integer <PartNumber> and an
// <ETag> -> else MalformedXML. Part numbers must be strictly ascending -> else InvalidPartOrder
// (detail kDetailInvalidPartOrder). Range checks (1..10000) and part lookups are the caller's.
Result<CompleteMultipartUploadRequest> ParseCompleteMultipartUpload(std::string_view body);

struct CompleteMultipartUploadResult {
  std::string location;  // e.g. http://host/bucket/key (URL-encoded key)
  std::string bucket;
  std::string key;
  std::string etag;  // unquoted, "hex-N"
  Checksums checksums;
  std::string checksum_type;  // omitted when empty
};
// Location, Bucket, Key, ETag, Checksum*, ChecksumType.
std::string RenderCompleteMultipartUpload(const CompleteMultipartUploadResult& r);

// CopyObjectResult (CopyObject) and CopyPartResult (UploadPartCopy).
struct CopyResult {
  SystemTime last_modified;
  std::string etag;           // unquoted
  std::string checksum_type;  // CopyObjectResult only; omitted when empty
  Checksums checksums;
};
// LastModified, ETag, ChecksumType, Checksum*.
std::string RenderCopyObjectResult(const CopyResult& r);
// LastModified, ETag, Checksum* (ChecksumType is not part of CopyPartResult).
std::string RenderCopyPartResult(const CopyResult& r);

struct PartEntry {
  int32_t part_number = 0;
  SystemTime last_modified;
  std::string etag;  // unquoted
  int64_t size = 0;
  Checksums checksums;
};

// The paging of a part list, ListParts's and GetObjectAttributes' ObjectParts alike, rendered
// as PartNumberMarker, NextPartNumberMarker, MaxParts, IsTruncated.
struct PartListPage {
  int32_t part_number_marker = 0;
  int32_t next_part_number_marker = 0;
  int32_t max_parts = 1000;
  bool is_truncated = false;
};

struct ListPartsResult : PartListPage {
  std::string bucket;
  std::string key;
  std::string upload_id;
  Owner initiator;
  Owner owner;
  std::string storage_class = "STANDARD";
  std::vector<PartEntry> parts;
  std::string checksum_algorithm;  // omitted when empty
  std::string checksum_type;       // omitted when empty
};
// Bucket, Key, UploadId, Initiator, Owner, StorageClass, PartNumberMarker,
// NextPartNumberMarker, MaxParts, IsTruncated, Part..., ChecksumAlgorithm, ChecksumType.
std::string RenderListParts(const ListPartsResult& r);

struct UploadEntry {
  std::string key;
  std::string upload_id;
  Owner initiator;
  Owner owner;
  std::string storage_class = "STANDARD";
  SystemTime initiated;
  std::string checksum_algorithm;  // omitted when empty
  std::string checksum_type;       // omitted when empty
};

struct ListMultipartUploadsResult {
  std::string bucket;
  std::string key_marker;             // always rendered
  std::string upload_id_marker;       // always rendered
  std::string next_key_marker;        // always rendered
  std::string next_upload_id_marker;  // always rendered
  std::string delimiter;              // omitted when empty
  std::string prefix;                 // omitted when empty
  int32_t max_uploads = 1000;
  bool is_truncated = false;
  bool encoding_type_url = false;
  std::vector<UploadEntry> uploads;
  std::vector<std::string> common_prefixes;
};
// Bucket, KeyMarker, UploadIdMarker, NextKeyMarker, NextUploadIdMarker, Delimiter, Prefix,
// EncodingType, MaxUploads, IsTruncated, Upload..., CommonPrefixes... With encoding_type_url,
// KeyMarker, NextKeyMarker, Delimiter, Prefix, Upload/Key and CommonPrefixes/Prefix are encoded.
std::string RenderListMultipartUploads(const ListMultipartUploadsResult& r);

// ---- GetObjectAttributes: GET /{bucket}/{key}?attributes ----
// Each member is present only when the caller asked for that attribute.

struct ObjectPartEntry {
  int32_t part_number = 0;
  int64_t size = 0;
  Checksums checksums;
};

struct ObjectPartsAttribute : PartListPage {
  int32_t parts_count = 0;  // rendered as <PartsCount>
  // The part list (and its paging) is only returned for objects uploaded with checksums.
  bool list_parts = false;
  std::vector<ObjectPartEntry> parts;
};

struct ChecksumAttribute {
  Checksums checksums;
  std::string checksum_type;  // omitted when empty
};

struct GetObjectAttributesResult {
  std::optional<std::string> etag;  // rendered unquoted, as S3 does here
  std::optional<ChecksumAttribute> checksum;
  std::optional<ObjectPartsAttribute> object_parts;
  std::optional<std::string> storage_class;
  std::optional<int64_t> object_size;
};
// <GetObjectAttributesResponse>: ETag, Checksum, ObjectParts, StorageClass, ObjectSize.
std::string RenderGetObjectAttributes(const GetObjectAttributesResult& r);

}  // namespace sealstack::api::s3
