// The S3 wire edge for object tagging (Get/Put/DeleteObjectTagging, the x-amz-tagging header)
// and UpdateObjectEncryption: parse, call s3::Service, render.
#pragma once

#include <string_view>

#include "api/s3/object_ops.h"

namespace sealstack::api::s3 {

// x-amz-tagging of a write (PutObject, CopyObject, CreateMultipartUpload): the tags, none when
// the header is absent; InvalidArgument / InvalidTag / BadRequest as ParseTaggingHeader says.
Result<TagSet> TaggingHeaderOf(const S3Request& r);

// `op` is GetObjectTagging, PutObjectTagging or DeleteObjectTagging.
Result<ApiResponse> HandleObjectTagging(Service& svc, const S3Caller& c, const S3Request& r,
                                        std::string_view op, const PayloadReader& payload,
                                        const RequestIds& ids);

// PUT /bucket/key?encryption with an <ObjectEncryption> body.
Result<ApiResponse> HandleUpdateObjectEncryption(Service& svc, const S3Caller& c,
                                                 const S3Request& r, const PayloadReader& payload,
                                                 const RequestIds& ids);

}  // namespace sealstack::api::s3
