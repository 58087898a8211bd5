// The S3 wire edge for object-level requests (PutObject, GetObject, HeadObject, DeleteObject,
// CopyObject, GetObjectAttributes, multipart): each request parsed into an s3::Service input,
// the service called, its result rendered as S3 headers and REST-XML. Bodies stream in both
// directions: nothing holds a whole object in memory.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "api/common/errors.h"
#include "api/s3/object_doc.h"
#include "api/s3/s3_handler.h"
#include "api/s3/s3_service.h"

namespace sealstack::api::s3 {

// An injected S3 fault for this request (SlowDown, InternalError, ...), after any injected
// latency; nullopt = go on. Checked once per request, before any state is read.
std::optional<ApiResponse> InjectedS3Fault(const ObjectServices& services, const S3Request& request,
                                           const RequestIds& ids);

// Streams the request's decoded payload (its signature, hash and trailer checksums verified on
// the way) to `sink`. A non-OK result stops the upload; the caller knows the wire error.
using PayloadReader = BodySource;

ApiResponse HandleObject(const ObjectServices& services, const S3Caller& caller,
                         const S3Request& request, const PayloadReader& payload,
                         const RequestIds& ids);

}  // namespace sealstack::api::s3
