// Multipart uploads on the wire: each request parsed into an s3::Service input
// (multipart_service.cpp decides), its result rendered as S3 headers and REST-XML.
#pragma once

#include "api/s3/s3_wire.h"

namespace sealstack::api::s3 {

Result<ApiResponse> CreateMultipartUpload(Service& svc, const S3Caller& c, const S3Request& r,
                                          const RequestIds& ids);
Result<ApiResponse> UploadPart(Service& svc, const S3Caller& c, const S3Request& r,
                               const PayloadReader& payload, const RequestIds& ids);
Result<ApiResponse> UploadPartCopy(Service& svc, const S3Caller& c, const S3Request& r,
                                   const RequestIds& ids);
Result<ApiResponse> CompleteMultipartUpload(Service& svc, const S3Caller& c, const S3Request& r,
                                            const PayloadReader& payload, const RequestIds& ids);
Result<ApiResponse> AbortMultipartUpload(Service& svc, const S3Caller& c, const S3Request& r,
                                         const RequestIds& ids);
Result<ApiResponse> ListParts(Service& svc, const S3Caller& c, const S3Request& r,
                              const RequestIds& ids);
// GET /{bucket}?uploads
Result<ApiResponse> ListMultipartUploads(Service& svc, const S3Caller& c, const S3Request& r,
                                         const RequestIds& ids);

}  // namespace sealstack::api::s3
