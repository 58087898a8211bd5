#include "api/s3/s3_operations.h"

#include <algorithm>

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

// Query parameters that never name a sub-resource: signing, listing and response overrides.
bool IsPlainParam(std::string_view k) {
  static constexpr std::string_view kPlain[] = {"list-type",
                                                "prefix",
                                                "delimiter",
                                                "max-keys",
                                                "continuation-token",
                                                "start-after",
                                                "fetch-owner",
                                                "encoding-type",
                                                "marker",
                                                "x-id",
                                                "versionId",
                                                "partNumber",
                                                "max-parts",
                                                "part-number-marker",
                                                "max-uploads",
                                                "key-marker",
                                                "upload-id-marker",
                                                "AWSAccessKeyId",
                                                "Signature",
                                                "Expires"};
  if (StartsWith(k, "response-") || StartsWith(ToLower(k), "x-amz-")) return true;
  return std::find(std::begin(kPlain), std::end(kPlain), k) != std::end(kPlain);
}

constexpr std::string_view kSubResources[] = {"encryption", "policy",   "location",  "uploads",
                                              "delete",     "uploadId", "attributes"};

}  // namespace

bool NamesUnknownSubResource(const S3Request& r) {
  for (const auto& [k, v] : r.query) {
    if (IsPlainParam(k)) continue;
    if (std::find(std::begin(kSubResources), std::end(kSubResources), k) ==
        std::end(kSubResources)) {
      return true;
    }
  }
  return false;
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
  if (Has(r, "uploads")) return m == "GET" ? "ListMultipartUploads" : "";
  if (Has(r, "delete")) return m == "POST" ? "DeleteObjects" : "";
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
  if (NamesUnknownSubResource(r)) return "";
  return r.key.empty() ? BucketOperation(r) : ObjectOperation(r);
}

bool IsS3ManagementEvent(std::string_view op) {
  static constexpr std::string_view kManagement[] = {
      "CreateBucket",           "DeleteBucket",        "ListBuckets",
      "GetBucketLocation",      "PutBucketEncryption", "GetBucketEncryption",
      "DeleteBucketEncryption", "PutBucketPolicy",     "GetBucketPolicy",
      "DeleteBucketPolicy"};
  return std::find(std::begin(kManagement), std::end(kManagement), op) != std::end(kManagement);
}

}  // namespace sealstack::api::s3
