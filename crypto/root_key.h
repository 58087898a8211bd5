// The root key: 32 bytes under which all stored key material is wrapped (see keywrap.h).
//
// Three sources, tried by the caller in this order (server/ decides which applies):
//   1. SEALSTACK_ROOT_KEY   RootKeyFromBase64(value): standard padded base64 of exactly 32
//                           bytes (44 characters). This module never reads the environment.
//   2. --in-memory          EphemeralRootKey(): fresh random bytes, gone with the process.
//   3. <data-dir>/root.key  LoadOrCreateRootKeyFile(): created on first start.
//
// root.key file format: the same base64 text as SEALSTACK_ROOT_KEY (44 characters), optionally
// followed by one "\n". So a key can move between the file and the environment by copy-paste.
// The file is created with O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600. An existing file is refused
// (FailedPrecondition, naming the path and the fix) if it is not a regular file, if group or
// others have any permission on it, or if its content is not exactly that encoding. Its owner
// is not checked (container volumes often map uids).
//
// Errors: malformed env value -> InvalidArgument; a file refused as above -> FailedPrecondition;
// missing data dir or other file-system failures -> IoError; RNG failure -> Internal.
//
// Thread safety: reentrant. Two processes starting on one data dir race safely for creation
// (O_EXCL); the loser reads the winner's file.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/random.h"
#include "crypto/secret_bytes.h"

namespace sealstack::crypto {

inline constexpr size_t kRootKeySize = 32;
inline constexpr char kRootKeyFileName[] = "root.key";

// Decodes a SEALSTACK_ROOT_KEY value. Surrounding whitespace is not accepted.
Result<SecretBytes> RootKeyFromBase64(std::string_view value);

// Reads <data_dir>/root.key, or creates it with a key from `random` if it does not exist.
// REQUIRES: data_dir exists.
Result<SecretBytes> LoadOrCreateRootKeyFile(const std::string& data_dir, RandomSource& random);

// A random key for --in-memory runs; never written anywhere.
Result<SecretBytes> EphemeralRootKey(RandomSource& random);

}  // namespace sealstack::crypto
