// libFuzzer target: the KMS ciphertext blob parser (api/kms/ciphertext_blob.h). Arbitrary bytes
// as a CiphertextBlob: the header parse, and OpenBlob under the fixed key material and context
// of fuzz_fixtures.h (seeds from fuzz/seedgen.cpp open successfully), with and without the
// context. Also the UUID conversions, which must round-trip whatever they accept.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/kms/ciphertext_blob.h"
#include "crypto/digest.h"
#include "fuzz/fuzz_fixtures.h"

using namespace sealstack;
using namespace sealstack::api::kms;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const crypto::SecretBytes kMaterial = fuzz::BlobMaterial();
  std::string_view blob(reinterpret_cast<const char*>(data), size);
  auto header = ParseBlobHeader(blob);
  if (header) {
    // What the header names must convert back to the bytes it came from: a UUID (version 1) or
    // a multi-Region key id, "mrk-" + 32 hex digits (version 2).
    const std::string_view id = header->key_id;
    auto key_bytes =
        id.substr(0, 4) == "mrk-" ? crypto::FromHex(id.substr(4)) : UuidToBytes(header->key_id);
    if (!key_bytes || *key_bytes != blob.substr(1, 16)) abort();
  }
  auto opened = OpenBlob(kMaterial, blob, fuzz::BlobContext());
  if (opened.ok() && !header) abort();
  (void)OpenBlob(kMaterial, blob, {});
  (void)CanonicalContext(
      {{std::string(blob.substr(0, size / 2)), std::string(blob.substr(size / 2))}});

  if (auto bytes = UuidToBytes(blob)) {
    if (bytes->size() != 16) abort();
    auto again = UuidToBytes(UuidFromBytes(*bytes));
    if (!again || *again != *bytes) abort();
  }
  return 0;
}
