// The S3 wire edge: an authenticated S3 request (method, bucket, key, sub-resources, headers,
// decoded body) to the operation, and its answer in S3's REST-XML shapes.
//
// Service- and bucket-level requests come here (HandleS3); object-level ones go to
// object_ops.h (HandleObject), whose bodies stream.
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

// Bodies of bucket-level requests are read whole up to this size (configuration documents,
// DeleteObjects lists of up to 1,000 keys of up to 1,024 bytes).
inline constexpr size_t kMaxBucketRequestBody = 2 << 20;

struct ObjectServices;

ApiResponse HandleS3(const ObjectServices& services, const S3Caller& caller,
                     const S3Request& request, const RequestIds& ids);

}  // namespace sealstack::api::s3
