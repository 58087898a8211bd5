// Request identifiers in the shapes each AWS protocol uses.
//
// They identify requests in logs and error bodies; they are not secrets, so a fast per-thread
// generator is used rather than the CSPRNG. Thread-safe.
#pragma once

#include <string>

namespace sealstack::api {

// "7f2b4c1e-3d5a-4e8f-9a0b-1c2d3e4f5a6b" (UUID v4 shape), for JSON and Query services.
std::string NewUuidRequestId();
// "4442587FB7D0A2F9" (16 upper-case hex, as S3's x-amz-request-id).
std::string NewS3RequestId();
// S3's x-amz-id-2: 56 base64 characters.
std::string NewS3HostId();

}  // namespace sealstack::api
