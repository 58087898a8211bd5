// AuthError: why a request could not be authenticated. The wire code and HTTP status are chosen
// at the edge (api/common/auth_errors.*), per service protocol (S3 XML, JSON 1.1, Query XML).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sealstack::auth {

enum class AuthErrorCode {
  kMissingAuthentication,    // no Authorization header and no query auth (anonymous)
  kMalformedAuthorization,   // Authorization header unparseable / credential malformed
  kMalformedQueryAuth,       // presigned query parameters missing or invalid (X-Amz-Expires...)
  kMalformedSigV2QueryAuth,  // some but not all of AWSAccessKeyId/Signature/Expires
  kUnsupportedAlgorithm,     // e.g. SigV4a (AWS4-ECDSA-P256-SHA256)
  kSigV2HeaderAuth,          // "Authorization: AWS AKID:signature" (SigV2 header form)
  kUnknownAccessKey,
  kInvalidSessionToken,   // token missing or not the principal's
  kExpiredToken,          // temporary credentials past their expiry
  kSignatureMismatch,     // header, query, chunk or trailer signature wrong
  kHeadersNotSigned,      // S3 header auth with x-amz-* headers outside SignedHeaders
  kRequestTimeTooSkewed,  // header auth date too far from now
  kPresignExpired,
  kPresignNotYetValid,
  kMissingContentSha256,   // S3 header auth without x-amz-content-sha256
  kInvalidContentSha256,   // x-amz-content-sha256 neither hex digest nor a known mode
  kContentSha256Mismatch,  // body does not hash to x-amz-content-sha256
  kBadTrailerChecksum,     // aws-chunked trailer checksum does not match the payload
  kMalformedChunk,         // aws-chunked framing broken (bad size line, missing CRLF, ...)
  kIncompleteBody,         // body shorter than declared (decoded length, final chunk)
  kChunkTooSmall,          // non-final signed chunk under 8 KiB
};

struct AuthError {
  AuthErrorCode code;
  std::string message;  // client-facing text (AWS's wording where known)
  // Extra elements AWS adds to S3 error bodies, in order: AWSAccessKeyId, StringToSign,
  // SignatureProvided, CanonicalRequest, RequestTime, ServerTime, X-Amz-Expires, Expires, ...
  std::vector<std::pair<std::string, std::string>> details;
};

inline AuthError MakeAuthError(AuthErrorCode code, std::string message,
                               std::vector<std::pair<std::string, std::string>> details = {}) {
  return AuthError{code, std::move(message), std::move(details)};
}

// AWS's SignatureDoesNotMatch text, shared by the header/presigned checks and the chunk checks.
inline constexpr std::string_view kSignatureMismatchMessage =
    "The request signature we calculated does not match the signature you provided. Check your "
    "key and signing method.";

}  // namespace sealstack::auth
