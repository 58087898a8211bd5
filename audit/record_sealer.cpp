#include "audit/record_sealer.h"

#include "crypto/aead.h"
#include "crypto/digest.h"
#include "crypto/hkdf.h"
#include "crypto/random.h"

namespace sealstack::audit {

namespace {
constexpr std::string_view kSealedPrefix = "sealed1:";
constexpr size_t kNonceSize = 12;
}  // namespace

Result<RecordSealer> RecordSealer::Create(const crypto::SecretBytes& root_key) {
  if (root_key.size() != 32) return Status::InvalidArgument("the root key must be 32 bytes");
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes key,
                             crypto::HkdfSha256(root_key, "", "sealstack-audit-trail", 32));
  return RecordSealer(std::move(key));
}

bool RecordSealer::IsSealed(std::string_view stored) {
  return stored.substr(0, kSealedPrefix.size()) == kSealedPrefix;
}

Result<std::string> RecordSealer::Seal(std::string_view event_id, std::string_view json) const {
  SEALSTACK_ASSIGN_OR_RETURN(std::string nonce, crypto::SystemRandom::Default().Bytes(kNonceSize));
  SEALSTACK_ASSIGN_OR_RETURN(std::string sealed, crypto::AesGcmSeal(key_, nonce, event_id, json));
  return std::string(kSealedPrefix) + crypto::Base64(nonce + sealed);
}

Result<std::string> RecordSealer::Open(std::string_view event_id, std::string_view stored) const {
  if (!IsSealed(stored)) return std::string(stored);
  auto raw = crypto::FromBase64(stored.substr(kSealedPrefix.size()));
  if (!raw || raw->size() < kNonceSize) {
    return Status::Integrity("audit record " + std::string(event_id) + ": malformed seal");
  }
  auto plain = crypto::AesGcmOpen(key_, std::string_view(*raw).substr(0, kNonceSize), event_id,
                                  std::string_view(*raw).substr(kNonceSize));
  if (!plain.ok()) {
    return Status::Integrity("audit record " + std::string(event_id) + ": seal does not open");
  }
  return plain->Reveal();
}

}  // namespace sealstack::audit
