#include "api/kms/ciphertext_blob.h"

#include "crypto/aead.h"
#include "crypto/digest.h"

namespace sealstack::api::kms {

namespace {

constexpr uint8_t kVersion = 0x01;     // the key id is a UUID
constexpr uint8_t kVersionMrk = 0x02;  // the key id is a multi-Region key id, "mrk-" + 32 hex
constexpr std::string_view kMrkPrefix = "mrk-";
constexpr std::string_view kAadLabel = "sealstack-kms-ciphertext";

void AppendU32(std::string* out, uint32_t v) {
  out->push_back(static_cast<char>(v >> 24));
  out->push_back(static_cast<char>(v >> 16));
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}

std::string Aad(std::string_view header, const EncryptionContext& context) {
  std::string aad(kAadLabel);
  aad.append(header);
  aad += CanonicalContext(context);
  return aad;
}

}  // namespace

std::string CanonicalContext(const EncryptionContext& context) {
  std::string out;
  AppendU32(&out, static_cast<uint32_t>(context.size()));
  for (const auto& [k, v] : context) {  // std::map: sorted bytewise by key
    AppendU32(&out, static_cast<uint32_t>(k.size()));
    out += k;
    AppendU32(&out, static_cast<uint32_t>(v.size()));
    out += v;
  }
  return out;
}

std::optional<std::string> UuidToBytes(std::string_view uuid) {
  if (uuid.size() != 36 || uuid[8] != '-' || uuid[13] != '-' || uuid[18] != '-' ||
      uuid[23] != '-') {
    return std::nullopt;
  }
  // Every other position is a hex digit: a '-' elsewhere would shorten the result.
  std::string hex;
  for (size_t i = 0; i < uuid.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    const char c = uuid[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
    hex += c;
  }
  return crypto::FromHex(hex);
}

std::string UuidFromBytes(std::string_view bytes) {
  std::string hex = crypto::Hex(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

std::optional<BlobHeader> ParseBlobHeader(std::string_view blob) {
  if (blob.size() < kBlobOverhead) return std::nullopt;
  const auto version = static_cast<uint8_t>(blob[0]);
  if (version == kVersion) {
    return BlobHeader{UuidFromBytes(blob.substr(1, 16)), crypto::Hex(blob.substr(17, 32))};
  }
  if (version == kVersionMrk) {
    return BlobHeader{std::string(kMrkPrefix) + crypto::Hex(blob.substr(1, 16)),
                      crypto::Hex(blob.substr(17, 32))};
  }
  return std::nullopt;
}

Result<std::string> SealBlob(const crypto::SecretBytes& material, const BlobHeader& header,
                             const EncryptionContext& context, std::string_view plaintext,
                             crypto::RandomSource& random) {
  const bool mrk = header.key_id.substr(0, kMrkPrefix.size()) == kMrkPrefix;
  auto id =
      mrk ? crypto::FromHex(header.key_id.substr(kMrkPrefix.size())) : UuidToBytes(header.key_id);
  auto mid = crypto::FromHex(header.material_id);
  if (!id || id->size() != 16 || (mrk && crypto::Hex(*id) != header.key_id.substr(4)) || !mid ||
      mid->size() != 32) {
    return Status::Internal("bad key or material id");
  }
  std::string blob;
  blob.reserve(kBlobOverhead + plaintext.size());
  blob.push_back(static_cast<char>(mrk ? kVersionMrk : kVersion));
  blob += *id;
  blob += *mid;
  SEALSTACK_ASSIGN_OR_RETURN(std::string iv, random.Bytes(crypto::kGcmNonceSize));
  std::string aad = Aad(std::string_view(blob), context);
  blob += iv;
  SEALSTACK_ASSIGN_OR_RETURN(std::string sealed, crypto::AesGcmSeal(material, iv, aad, plaintext));
  blob += sealed;
  return blob;
}

Result<crypto::SecretBytes> OpenBlob(const crypto::SecretBytes& material, std::string_view blob,
                                     const EncryptionContext& context) {
  if (!ParseBlobHeader(blob)) return Status::Integrity("not a SealStack ciphertext");
  std::string aad = Aad(blob.substr(0, kBlobHeaderSize), context);
  return crypto::AesGcmOpen(material, blob.substr(kBlobHeaderSize, crypto::kGcmNonceSize), aad,
                            blob.substr(kBlobHeaderSize + crypto::kGcmNonceSize));
}

}  // namespace sealstack::api::kms
