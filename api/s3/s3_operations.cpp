#include "api/s3/s3_operations.h"

#include <algorithm>

#include "api/s3/bucket_config.h"
#include "api/s3/post_object.h"
#include "api/s3/s3_errors.h"
#include "common/strings.h"

namespace sealstack::api::s3 {

namespace {

bool Has(const S3Request& r, std::string_view name) {
  return std::any_of(r.query.begin(), r.query.end(),
                     [&](const auto& kv) { return kv.first == name; });
}

bool HasHeader(const S3Request& r, std::string_view name) {
  return r.headers != nullptr &&
         std::any_of(r.headers->begin(), r.headers->end(),
                     [&](const auto& kv) { return EqualsIgnoreCase(kv.first, name); });
}

// Every sub-resource of the S3 API model (the query-string names in the requestUri of each
// operation of botocore's s3/2006-03-01/service-2.json, plus uploadId, which names the upload of
// UploadPart & co.), bucket- and object-level together. A request naming one is that
// operation, never PutObject/GetObject/DeleteObject: SealStack serves it or answers 501.
// Any other query parameter (x-id, response-*, signing, listing, SDK extras) is ignored, as on
// AWS.
constexpr std::string_view kModelSubResources[] = {"abac",
                                                   "accelerate",
                                                   "acl",
                                                   "analytics",
                                                   "attributes",
                                                   "cors",
                                                   "delete",
                                                   "encryption",
                                                   "intelligent-tiering",
                                                   "inventory",
                                                   "legal-hold",
                                                   "lifecycle",
                                                   "location",
                                                   "logging",
                                                   "metadataConfiguration",
                                                   "metadataInventoryTable",
                                                   "metadataJournalTable",
                                                   "metadataTable",
                                                   "metrics",
                                                   "notification",
                                                   "object-lock",
                                                   "ownershipControls",
                                                   "policy",
                                                   "policyStatus",
                                                   "publicAccessBlock",
                                                   "renameObject",
                                                   "replication",
                                                   "requestPayment",
                                                   "restore",
                                                   "retention",
                                                   "select",
                                                   "session",
                                                   "tagging",
                                                   "torrent",
                                                   "uploadId",
                                                   "uploads",
                                                   "versioning",
                                                   "versions",
                                                   "website"};

// The sub-resources SealStack serves, per level (the operations BucketOperation and
// ObjectOperation name), besides the bucket configurations of bucket_config.h.
constexpr std::string_view kServedOnBuckets[] = {"encryption", "policy",     "location", "uploads",
                                                 "delete",     "versioning", "versions"};
constexpr std::string_view kServedOnObjects[] = {
    "uploads", "uploadId", "attributes", "acl", "tagging", "encryption", "retention", "legal-hold"};

template <size_t N>
bool Contains(const std::string_view (&list)[N], std::string_view name) {
  return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

bool ServedOnBucket(std::string_view sub) {
  return Contains(kServedOnBuckets, sub) || SpecForSubResource(sub) != nullptr;
}

}  // namespace

std::string_view UnservedSubResource(const S3Request& r) {
  for (const auto& [k, v] : r.query) {
    if (!Contains(kModelSubResources, k)) continue;
    if (r.bucket.empty() || !(r.key.empty() ? ServedOnBucket(k) : Contains(kServedOnObjects, k))) {
      return k;
    }
  }
  return {};
}

Status UnservedSubResourceError(std::string_view sub_resource) {
  return S3Error(ErrorKind::kNotImplemented,
                 "SealStack does not implement the ?" + std::string(sub_resource) +
                     " sub-resource of this S3 resource (docs/s3.md lists what it serves).");
}

namespace {

std::string_view BucketOperation(const S3Request& r) {
  const std::string& m = r.method;
  if (Has(r, "encryption")) {
    if (m == "PUT") return "PutBucketEncryption";
    if (m == "GET") return "GetBucketEncryption";
    if (m == "DELETE") return "DeleteBucketEncryption";
    return "";
  }
  if (Has(r, "policy")) {
    if (m == "PUT") return "PutBucketPolicy";
    if (m == "GET") return "GetBucketPolicy";
    if (m == "DELETE") return "DeleteBucketPolicy";
    return "";
  }
  if (Has(r, "location")) return m == "GET" ? "GetBucketLocation" : "";
  if (Has(r, "versioning")) {
    if (m == "GET") return "GetBucketVersioning";
    if (m == "PUT") return "PutBucketVersioning";
    return "";
  }
  if (Has(r, "versions")) return m == "GET" ? "ListObjectVersions" : "";
  for (const auto& [k, v] : r.query) {
    const BucketConfigSpec* spec = SpecForSubResource(k);
    if (spec == nullptr) continue;
    if (m == "GET") return spec->keyed_by_id && !Has(r, "id") ? spec->list_op : spec->get_op;
    if (m == "PUT") return spec->put_op;
    if (m == "DELETE") return spec->delete_op;
    return "";
  }
  if (Has(r, "uploads")) return m == "GET" ? "ListMultipartUploads" : "";
  if (Has(r, "delete")) return m == "POST" ? "DeleteObjects" : "";
  if (m == "POST") return IsPostObject(r) ? "PostObject" : "";  // a browser upload
  if (m == "PUT") return "CreateBucket";
  if (m == "HEAD") return "HeadBucket";
  if (m == "DELETE") return "DeleteBucket";
  if (m == "GET") {
    for (const auto& [k, v] : r.query) {
      if (k == "list-type" && v == "2") return "ListObjectsV2";
    }
    return "ListObjects";
  }
  return "";
}

std::string_view ObjectOperation(const S3Request& r) {
  const std::string& m = r.method;
  const bool upload = Has(r, "uploadId");
  const bool copy = HasHeader(r, "x-amz-copy-source");
  if (Has(r, "acl")) {
    if (m == "GET") return "GetObjectAcl";
    if (m == "PUT") return "PutObjectAcl";
    return "";
  }
  if (Has(r, "tagging")) {
    if (m == "GET") return "GetObjectTagging";
    if (m == "PUT") return "PutObjectTagging";
    if (m == "DELETE") return "DeleteObjectTagging";
    return "";
  }
  if (Has(r, "encryption")) return m == "PUT" ? "UpdateObjectEncryption" : "";
  if (Has(r, "retention")) {
    if (m == "GET") return "GetObjectRetention";
    if (m == "PUT") return "PutObjectRetention";
    return "";
  }
  if (Has(r, "legal-hold")) {
    if (m == "GET") return "GetObjectLegalHold";
    if (m == "PUT") return "PutObjectLegalHold";
    return "";
  }
  if (m == "PUT") {
    if (upload || Has(r, "partNumber")) return copy ? "UploadPartCopy" : "UploadPart";
    return copy ? "CopyObject" : "PutObject";
  }
  if (m == "POST") {
    if (Has(r, "uploads")) return "CreateMultipartUpload";
    if (upload) return "CompleteMultipartUpload";
    return "";
  }
  if (m == "DELETE") return upload ? "AbortMultipartUpload" : "DeleteObject";
  if (m == "GET") {
    if (upload) return "ListParts";
    if (Has(r, "attributes")) return "GetObjectAttributes";
    return "GetObject";
  }
  if (m == "HEAD") return "HeadObject";
  return "";
}

}  // namespace

std::string_view S3OperationName(const S3Request& r) {
  if (r.bucket.empty()) return r.method == "GET" ? "ListBuckets" : "";
  if (!UnservedSubResource(r).empty()) return "";
  return r.key.empty() ? BucketOperation(r) : ObjectOperation(r);
}

bool IsS3ManagementEvent(std::string_view op) {
  static constexpr std::string_view kManagement[] = {
      "CreateBucket",           "DeleteBucket",        "ListBuckets",
      "GetBucketLocation",      "PutBucketEncryption", "GetBucketEncryption",
      "DeleteBucketEncryption", "PutBucketPolicy",     "GetBucketPolicy",
      "DeleteBucketPolicy",     "GetBucketVersioning", "PutBucketVersioning"};
  // Every bucket configuration operation (ACL included) is a management event, as on CloudTrail.
  return std::find(std::begin(kManagement), std::end(kManagement), op) != std::end(kManagement) ||
         SpecForOperation(op) != nullptr;
}

}  // namespace sealstack::api::s3
