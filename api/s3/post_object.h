// POST Object: a browser-based upload. `POST /bucket` with a multipart/form-data body whose
// fields (before the `file` part) say what PutObject's headers say, plus a SigV4-signed policy;
// the HTTP request itself carries no signature.
//
//   fields (<= 20 KB) --> signature (auth/post_signature.h, as the credential's principal)
//                     --> policy: expiration, eq / starts-with, extra fields (post_policy.h)
//                     --> Service::PutObject with the file part streamed as its body, the
//                         content-length-range checked as it arrives
//                     --> 204 | 200 | 201 PostResponse | 303 to success_action_redirect
//
// The upload is a PutObject in every other respect: authorized as s3:PutObject through the
// bucket policy and identity policies, encrypted as its SSE fields (or the bucket default) say,
// x-amz-meta-* and Content-* fields stored, `acl` read as x-amz-acl. Fields after the file part
// are ignored, as on S3. Errors are S3's (post_policy.h lists the policy's).
#pragma once

#include <functional>
#include <variant>

#include "api/common/wire.h"
#include "api/s3/form_data.h"
#include "api/s3/s3_handler.h"
#include "api/s3/s3_service.h"
#include "auth/auth_error.h"
#include "auth/post_signature.h"

namespace sealstack::api::s3 {

// The form fields before the file part may take at most this many bytes (headers included).
inline constexpr size_t kMaxPostPreDataBytes = 20 * 1024;

// The caller a verified signature makes, and the facts of the check.
struct PostAuthentication {
  S3Caller caller;
  auth::VerifiedPost verified;
};

// The server's half of authentication: the principal store, the clock, and the caller as every
// service sees it (source address, TLS, user agent).
using PostAuthenticator = std::function<std::variant<PostAuthentication, auth::AuthError>(
    const auth::PostSignatureInput&)>;

// True for a request that is a browser upload: POST on a bucket (no key, no ?delete) with a
// multipart/form-data body.
bool IsPostObject(const S3Request& request);

// `request` is the route's request (headers included, no body); `body` its raw body. Reads no
// further than the end of the file part.
ApiResponse HandlePostObject(const ObjectServices& services, const S3Request& request,
                             const ByteSource& body, const PostAuthenticator& authenticate,
                             const RequestIds& ids);

}  // namespace sealstack::api::s3
