// JWS signature verification over a public key given as its JWK parameters (RFC 7515, 7517,
// 7518): what an OIDC identity token (AssumeRoleWithWebIdentity) is checked with. Only the
// public key's numbers come in here; parsing the token and the JWKS document (JSON) is the
// caller's.
//
//   RS256  RSASSA-PKCS1-v1_5 with SHA-256; key: n, e (big-endian unsigned bytes)
//   ES256  ECDSA P-256 with SHA-256; key: x, y (32 bytes each); the signature is the JWS form,
//          r || s (64 bytes), not DER
//
// No MAC is compared here (HS256 is not an algorithm an OIDC provider signs tokens with for AWS);
// the signature checks are OpenSSL's public-key verifications.
//
// Errors: a key that is not a valid public key (RSA modulus under 2048 bits, a point not on the
// curve) -> InvalidArgument. A signature that does not verify is not an error: false.
//
// Thread safety: reentrant free functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sealstack::crypto {

// base64url without padding (RFC 7515 section 2), as JWS and JWK encode bytes. nullopt when the
// text is not base64url.
std::optional<std::string> FromBase64Url(std::string_view text);
std::string Base64Url(std::string_view bytes);

Result<bool> VerifyRs256(std::string_view n, std::string_view e, std::string_view signing_input,
                         std::string_view signature);

Result<bool> VerifyEs256(std::string_view x, std::string_view y, std::string_view signing_input,
                         std::string_view signature);

}  // namespace sealstack::crypto
