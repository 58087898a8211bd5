// The signature of a browser upload (S3 POST Object): the form carries a base64 policy and
//   SigV4: x-amz-signature = hex(HMAC-SHA256(kSigning, policy)), kSigning derived from the
//          secret of the x-amz-credential's access key and its scope, as for any SigV4 request;
//   SigV2: signature = base64(HMAC-SHA1(secret, policy)) for AWSAccessKeyId (what boto3's
//          generate_presigned_post sends unless the client is configured for s3v4).
// The HTTP request itself is unsigned. Field parsing and the policy's meaning are S3's
// (api/s3/post_object.h); this is the part that looks up the principal and checks the MAC.
//
// Pure apart from the PrincipalStore lookup and the injected Clock. Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "auth/auth_error.h"
#include "auth/principals.h"
#include "auth/sigv4.h"
#include "common/clock.h"

namespace sealstack::auth {

struct PostSignatureInput {
  bool sigv2 = false;                         // AWSAccessKeyId + signature
  sigv4::Credential credential;               // x-amz-credential, parsed (SigV2: the key id only)
  std::string policy;                         // the policy field as sent (base64)
  std::string signature;                      // x-amz-signature (hex); SigV2: signature (base64)
  std::optional<std::string> security_token;  // x-amz-security-token
  std::optional<SystemTime> signed_at;        // x-amz-date, when it parses (SigV4)
};

struct VerifiedPost {
  std::shared_ptr<const Principal> principal;
  std::string region;  // the credential scope's
  SystemTime now;      // server time of the check
  // The server time at which the policy was signed: x-amz-date mapped from the wall clock the
  // signer had (Clock::ServerTimeAt), so a clock advance ages policies signed before it and not
  // those signed after, as for presigned URLs. nullopt without a usable x-amz-date.
  std::optional<SystemTime> signed_at_server;
};

// InvalidAccessKeyId, InvalidToken / ExpiredToken (temporary credentials), or
// SignatureDoesNotMatch (compared in constant time; StringToSign is the policy).
std::variant<VerifiedPost, AuthError> VerifyPostSignature(const PostSignatureInput& in,
                                                          const PrincipalStore& principals,
                                                          const Clock& clock);

}  // namespace sealstack::auth
