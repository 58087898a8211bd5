// HKDF-SHA256 (RFC 5869): derives sub-keys from a key, e.g. the per-object segment key from an
// object's data key.
//
// Thread safety: reentrant.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/result.h"
#include "crypto/secret_bytes.h"

namespace sealstack::crypto {

// Extract-then-expand. REQUIRES: 0 < length <= 255 * 32, else InvalidArgument. An empty salt
// means the RFC's default (32 zero bytes). OpenSSL failures -> Internal.
Result<SecretBytes> HkdfSha256(const SecretBytes& ikm, std::string_view salt, std::string_view info,
                               size_t length);

}  // namespace sealstack::crypto
