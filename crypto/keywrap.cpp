#include "crypto/keywrap.h"

#include <utility>

namespace sealstack::crypto {

namespace {

Status CheckPurpose(std::string_view purpose) {
  if (purpose.empty() || purpose.size() > kMaxWrapPurposeSize) {
    return Status::InvalidArgument("key wrap purpose must be 1..255 bytes");
  }
  return Status::Ok();
}

// aad := version[1] purpose_length[1] purpose context
std::string Aad(uint8_t version, std::string_view purpose, std::string_view context) {
  std::string aad;
  aad.reserve(2 + purpose.size() + context.size());
  aad.push_back(static_cast<char>(version));
  aad.push_back(static_cast<char>(purpose.size()));
  aad.append(purpose);
  aad.append(context);
  return aad;
}

}  // namespace

Result<std::unique_ptr<KeyWrapper>> KeyWrapper::Create(const SecretBytes& root_key,
                                                       RandomSource& random) {
  if (root_key.size() != kAes256KeySize) {
    return Status::InvalidArgument("root key must be 32 bytes, got " +
                                   std::to_string(root_key.size()));
  }
  SEALSTACK_ASSIGN_OR_RETURN(AesGcm gcm, AesGcm::Create(root_key));
  return std::unique_ptr<KeyWrapper>(new KeyWrapper(std::move(gcm), random));
}

KeyWrapper::KeyWrapper(AesGcm gcm, RandomSource& random) : gcm_(std::move(gcm)), random_(random) {}

Result<std::string> KeyWrapper::Wrap(std::string_view purpose, const SecretBytes& material,
                                     std::string_view context) {
  SEALSTACK_RETURN_IF_ERROR(CheckPurpose(purpose));
  SEALSTACK_ASSIGN_OR_RETURN(std::string nonce, random_.Bytes(kGcmNonceSize));
  std::string wrapped;
  wrapped.reserve(material.size() + kWrappedKeyOverhead);
  wrapped.push_back(static_cast<char>(kWrappedKeyVersion));
  wrapped.append(nonce);
  MutexLock lock(mutex_);
  SEALSTACK_RETURN_IF_ERROR(
      gcm_.SealAppend(nonce, Aad(kWrappedKeyVersion, purpose, context), material.view(), &wrapped));
  return wrapped;
}

Result<SecretBytes> KeyWrapper::Unwrap(std::string_view purpose, std::string_view wrapped,
                                       std::string_view context) {
  SEALSTACK_RETURN_IF_ERROR(CheckPurpose(purpose));
  if (wrapped.size() < kWrappedKeyOverhead) {
    return Status::Integrity("wrapped key truncated (" + std::to_string(wrapped.size()) +
                             " bytes)");
  }
  const auto version = static_cast<uint8_t>(wrapped[0]);
  if (version != kWrappedKeyVersion) {
    return Status::Integrity("unsupported wrapped key version " + std::to_string(version));
  }
  std::string_view nonce = wrapped.substr(1, kGcmNonceSize);
  std::string_view sealed = wrapped.substr(1 + kGcmNonceSize);
  MutexLock lock(mutex_);
  Result<SecretBytes> material = gcm_.Open(nonce, Aad(version, purpose, context), sealed);
  if (!material.ok() && material.status().code() == StatusCode::kIntegrity) {
    return Status::Integrity(
        "wrapped key failed authentication (corrupted, or wrapped for "
        "another purpose, context or root key)");
  }
  return material;
}

Result<std::string> WrapKey(const SecretBytes& root_key, std::string_view purpose,
                            const SecretBytes& material, RandomSource& random,
                            std::string_view context) {
  SEALSTACK_ASSIGN_OR_RETURN(auto wrapper, KeyWrapper::Create(root_key, random));
  return wrapper->Wrap(purpose, material, context);
}

Result<SecretBytes> UnwrapKey(const SecretBytes& root_key, std::string_view purpose,
                              std::string_view wrapped, std::string_view context) {
  // Unwrapping draws no randomness; any source will do.
  SEALSTACK_ASSIGN_OR_RETURN(auto wrapper, KeyWrapper::Create(root_key, SystemRandom::Default()));
  return wrapper->Unwrap(purpose, wrapped, context);
}

}  // namespace sealstack::crypto
