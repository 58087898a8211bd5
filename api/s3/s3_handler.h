// The S3 wire edge: an authenticated S3 request (method, bucket, key, sub-resources, headers,
// decoded body) to the operation, and its answer in S3's REST-XML shapes.
//
// This state: bucket operations (Create/Head/List/Delete, GetBucketLocation,
// Put/Get/DeleteBucketEncryption) and ListObjects/ListObjectsV2 are served; object operations
// answer 501 NotImplemented until the object store is wired (S3 issue).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/common/errors.h"
#include "api/common/wire.h"
#include "api/s3/bucket_service.h"

namespace sealstack::api::s3 {

struct S3Request {
  std::string method;
  std::string bucket;                                      // "" for service-level requests
  std::string key;                                         // decoded; "" for bucket-level requests
  std::vector<std::pair<std::string, std::string>> query;  // decoded
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  std::string body;      // decoded payload (bounded; bucket-level requests only)
  std::string resource;  // the raw path, for <Resource>
};

// Bodies of bucket-level requests are read whole up to this size (configuration documents).
inline constexpr size_t kMaxBucketRequestBody = 1 << 20;

ApiResponse HandleS3(BucketService& buckets, storage::Database& db, const S3Caller& caller,
                     const S3Request& request, const RequestIds& ids);

}  // namespace sealstack::api::s3
