#include "auth/post_signature.h"

#include <chrono>

#include "auth/sigv2.h"
#include "crypto/secret_bytes.h"

namespace sealstack::auth {

std::variant<VerifiedPost, AuthError> VerifyPostSignature(const PostSignatureInput& in,
                                                          const PrincipalStore& principals,
                                                          const Clock& clock) {
  const std::string& akid = in.credential.access_key_id;
  std::shared_ptr<const Principal> principal = principals.FindByAccessKey(akid);
  if (!principal) {
    return MakeAuthError(AuthErrorCode::kUnknownAccessKey,
                         "The AWS Access Key Id you provided does not exist in our records.",
                         {{"AWSAccessKeyId", akid}});
  }
  const SystemTime now = clock.Now();
  if (!principal->session_token.empty() &&
      (!in.security_token ||
       !crypto::ConstantTimeEquals(*in.security_token, principal->session_token))) {
    return MakeAuthError(AuthErrorCode::kInvalidSessionToken,
                         "The provided token is malformed or otherwise invalid.");
  }
  if (principal->expires && now >= *principal->expires) {
    return MakeAuthError(AuthErrorCode::kExpiredToken, "The provided token has expired.");
  }
  std::string expected;
  if (in.sigv2) {
    expected = sigv2::Sign(principal->secret_access_key.view(), in.policy);
  } else {
    const crypto::SecretBytes key =
        sigv4::DeriveSigningKey(principal->secret_access_key.view(), in.credential.date,
                                in.credential.region, in.credential.service);
    expected = sigv4::Sign(key, in.policy);
  }
  if (!crypto::ConstantTimeEquals(expected, in.signature)) {
    return MakeAuthError(AuthErrorCode::kSignatureMismatch, std::string(kSignatureMismatchMessage),
                         {{"AWSAccessKeyId", akid},
                          {"StringToSign", in.policy},
                          {"SignatureProvided", in.signature},
                          {"StringToSignBytes", sigv4::SpacedHexBytes(in.policy)}});
  }
  VerifiedPost out;
  out.principal = std::move(principal);
  out.region = in.credential.region;
  out.now = now;
  if (in.signed_at) {
    // A time beyond the wall clock can only come from a signer that follows the server's clock:
    // it is server time already (verifier.cpp reads presigned URLs the same way).
    const bool wall_clock_signed = *in.signed_at <= clock.RealNow() + std::chrono::minutes(15);
    out.signed_at_server = wall_clock_signed ? clock.ServerTimeAt(*in.signed_at) : *in.signed_at;
  }
  return out;
}

}  // namespace sealstack::auth
