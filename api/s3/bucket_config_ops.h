// The S3 wire edge for bucket configurations (bucket_config.h), ACLs (bucket_acl.h),
// GetBucketVersioning and CORS (cors.h): each request parsed, the s3::Service called, the
// answer rendered.
#pragma once

#include <optional>
#include <string_view>

#include "api/common/errors.h"
#include "api/s3/s3_handler.h"
#include "api/s3/s3_service.h"

namespace sealstack::api::s3 {

// True when `operation` (S3OperationName) is served here.
bool IsBucketConfigOperation(std::string_view operation);

// Serves a bucket-level configuration, ACL or versioning operation, or GetObjectAcl /
// PutObjectAcl. REQUIRES: IsBucketConfigOperation(operation).
Result<ApiResponse> HandleBucketConfig(Service& svc, const S3Caller& caller, const S3Request& r,
                                       std::string_view operation, const RequestIds& ids);

// An OPTIONS request (a browser's CORS preflight), answered before and without authentication,
// as S3 does: 200 with the Access-Control-* headers, or S3's 400/403.
ApiResponse HandleCorsPreflight(const ObjectServices& services, const S3Request& r,
                                const RequestIds& ids);

// Adds the CORS headers S3 sends on an actual request that carries Origin and matches a rule of
// the bucket's CORS configuration (whatever the answer's status).
void AddCorsHeaders(const ObjectServices& services, const S3Request& r, ApiResponse* response);

}  // namespace sealstack::api::s3
