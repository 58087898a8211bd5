// Verify: establishes who sent a request from its head (SigV4 header or query auth, SigV2
// query auth), and how its body must be checked (see payload_decoder.h).
//
// Pure apart from the PrincipalStore lookup and the injected Clock. Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "auth/auth_error.h"
#include "auth/http_request.h"
#include "auth/principals.h"
#include "common/clock.h"
#include "crypto/secret_bytes.h"

namespace sealstack::auth {

enum class AuthScheme { kSigV4Header, kSigV4Query, kSigV2Query };

enum class PayloadMode {
  kSha256,                   // x-amz-content-sha256 is a hex digest (or computed for JSON/Query)
  kUnsigned,                 // UNSIGNED-PAYLOAD (and every presigned request)
  kStreamingSigned,          // STREAMING-AWS4-HMAC-SHA256-PAYLOAD
  kStreamingSignedTrailer,   // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
  kStreamingUnsignedTrailer  // STREAMING-UNSIGNED-PAYLOAD-TRAILER
};

// Everything chunk-signature verification needs, derived during Verify.
struct ChunkSigningContext {
  crypto::SecretBytes signing_key;  // kSigning
  std::string amz_date;             // X-Amz-Date of the request
  std::string scope;                // DATE/REGION/SERVICE/aws4_request
  std::string seed_signature;       // the header signature (hex)
};

struct VerifiedRequest {
  std::shared_ptr<const Principal> principal;
  AuthScheme scheme = AuthScheme::kSigV4Header;
  PayloadMode payload_mode = PayloadMode::kUnsigned;
  std::string expected_sha256_hex;  // kSha256 only
  ChunkSigningContext chunk;        // kStreamingSigned* only
  std::string region;               // from the credential scope ("" for SigV2)
  std::string signing_service;      // from the credential scope ("s3", "kms", ...)
};

struct VerifyOptions {
  // S3 rules: raw (not normalised, not double-encoded) canonical URI, x-amz-content-sha256
  // required on header auth, 15 min skew, presigned/SigV2 query auth accepted.
  // Otherwise (KMS, Glue, CloudTrail, STS): normalised double-encoded URI, 5 min skew, payload
  // hash taken from body_sha256_hex when the header is absent.
  bool s3 = false;
  // hex(SHA-256(body)) for non-S3 requests, whose (small, bounded) body the server reads
  // before verifying.
  std::optional<std::string> body_sha256_hex;
  // SigV2 canonical resource prefix: "/bucket" for virtual-hosted requests, "" for path style.
  std::string sigv2_bucket_prefix;
};

using VerifyOutcome = std::variant<VerifiedRequest, AuthError>;

VerifyOutcome Verify(const HttpRequestHead& head, const PrincipalStore& principals,
                     const Clock& clock, const VerifyOptions& options);

}  // namespace sealstack::auth
