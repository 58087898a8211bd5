// Bucket-level operations on many objects: ListObjects / ListObjectsV2 (prefix, delimiter with
// common prefixes, paging, encoding-type=url) and DeleteObjects (POST ?delete), each key
// authorized on its own as S3 does.
#pragma once

#include "api/s3/object_common.h"

namespace sealstack::api::s3 {

Result<ApiResponse> ListObjects(const ObjectServices& s, const S3Caller& c, const S3Request& r,
                                const RequestIds& ids);

Result<ApiResponse> DeleteObjects(const ObjectServices& s, const S3Caller& c, const S3Request& r,
                                  const RequestIds& ids);

}  // namespace sealstack::api::s3
