#include "api/kms/kms_types.h"

#include <utility>

namespace sealstack::api::kms {

namespace {

template <typename E, size_t N>
std::string_view Lookup(const std::pair<E, std::string_view> (&table)[N], E v) {
  for (const auto& [e, name] : table) {
    if (e == v) return name;
  }
  return "";
}

template <typename E, size_t N>
std::optional<E> Reverse(const std::pair<E, std::string_view> (&table)[N], std::string_view s) {
  for (const auto& [e, name] : table) {
    if (name == s && !name.empty()) return e;
  }
  return std::nullopt;
}

constexpr std::pair<KeySpec, std::string_view> kKeySpecs[] = {
    {KeySpec::kSymmetricDefault, "SYMMETRIC_DEFAULT"},
    {KeySpec::kRsa2048, "RSA_2048"},
    {KeySpec::kRsa3072, "RSA_3072"},
    {KeySpec::kRsa4096, "RSA_4096"},
    {KeySpec::kEccNistP256, "ECC_NIST_P256"},
    {KeySpec::kEccNistP384, "ECC_NIST_P384"},
    {KeySpec::kEccNistP521, "ECC_NIST_P521"},
    {KeySpec::kEccSecgP256k1, "ECC_SECG_P256K1"},
    {KeySpec::kEccNistEdwards25519, "ECC_NIST_EDWARDS25519"},
    {KeySpec::kHmac224, "HMAC_224"},
    {KeySpec::kHmac256, "HMAC_256"},
    {KeySpec::kHmac384, "HMAC_384"},
    {KeySpec::kHmac512, "HMAC_512"},
};
constexpr std::pair<KeyUsage, std::string_view> kUsages[] = {
    {KeyUsage::kEncryptDecrypt, "ENCRYPT_DECRYPT"},
    {KeyUsage::kSignVerify, "SIGN_VERIFY"},
    {KeyUsage::kGenerateVerifyMac, "GENERATE_VERIFY_MAC"},
    {KeyUsage::kKeyAgreement, "KEY_AGREEMENT"},
};
constexpr std::pair<Origin, std::string_view> kOrigins[] = {
    {Origin::kAwsKms, "AWS_KMS"},
    {Origin::kExternal, "EXTERNAL"},
};
constexpr std::pair<KeyManager, std::string_view> kManagers[] = {
    {KeyManager::kCustomer, "CUSTOMER"},
    {KeyManager::kAws, "AWS"},
};
constexpr std::pair<KeyState, std::string_view> kStates[] = {
    {KeyState::kEnabled, "Enabled"},
    {KeyState::kDisabled, "Disabled"},
    {KeyState::kPendingDeletion, "PendingDeletion"},
    {KeyState::kPendingImport, "PendingImport"},
    {KeyState::kPendingReplicaDeletion, "PendingReplicaDeletion"},
};
constexpr std::pair<ExpirationModel, std::string_view> kExpirations[] = {
    {ExpirationModel::kNone, ""},
    {ExpirationModel::kExpires, "KEY_MATERIAL_EXPIRES"},
    {ExpirationModel::kDoesNotExpire, "KEY_MATERIAL_DOES_NOT_EXPIRE"},
};

}  // namespace

std::string_view Name(KeySpec v) {
  return Lookup(kKeySpecs, v);
}
std::string_view Name(KeyUsage v) {
  return Lookup(kUsages, v);
}
std::string_view Name(Origin v) {
  return Lookup(kOrigins, v);
}
std::string_view Name(KeyManager v) {
  return Lookup(kManagers, v);
}
std::string_view Name(KeyState v) {
  return Lookup(kStates, v);
}
std::string_view Name(ExpirationModel v) {
  return Lookup(kExpirations, v);
}

std::optional<KeySpec> ParseKeySpec(std::string_view s) {
  return Reverse(kKeySpecs, s);
}
std::optional<KeyUsage> ParseKeyUsage(std::string_view s) {
  return Reverse(kUsages, s);
}
std::optional<Origin> ParseOrigin(std::string_view s) {
  return Reverse(kOrigins, s);
}
std::optional<KeyState> ParseKeyState(std::string_view s) {
  return Reverse(kStates, s);
}
std::optional<ExpirationModel> ParseExpirationModel(std::string_view s) {
  return Reverse(kExpirations, s);
}

std::vector<std::string_view> KeySpecNames() {
  std::vector<std::string_view> out;
  for (const auto& [e, name] : kKeySpecs) out.push_back(name);
  for (std::string_view extra : {"SM2", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87"}) {
    out.push_back(extra);
  }
  return out;
}

std::vector<std::string_view> KeyUsageNames() {
  std::vector<std::string_view> out;
  for (const auto& [e, name] : kUsages) out.push_back(name);
  return out;
}

bool IsSymmetric(KeySpec spec) {
  return spec == KeySpec::kSymmetricDefault;
}
bool IsAsymmetric(KeySpec spec) {
  return AsAsymmetric(spec).has_value();
}

std::optional<crypto::AsymmetricKeySpec> AsAsymmetric(KeySpec spec) {
  return crypto::ParseAsymmetricKeySpec(Name(spec));
}

std::optional<crypto::HmacKeySpec> AsHmac(KeySpec spec) {
  return crypto::ParseHmacKeySpec(Name(spec));
}

std::vector<KeyUsage> AllowedUsages(KeySpec spec) {
  switch (spec) {
    case KeySpec::kSymmetricDefault:
      return {KeyUsage::kEncryptDecrypt};
    case KeySpec::kRsa2048:
    case KeySpec::kRsa3072:
    case KeySpec::kRsa4096:
      return {KeyUsage::kEncryptDecrypt, KeyUsage::kSignVerify};
    case KeySpec::kEccNistP256:
    case KeySpec::kEccNistP384:
    case KeySpec::kEccNistP521:
      return {KeyUsage::kSignVerify, KeyUsage::kKeyAgreement};
    case KeySpec::kEccSecgP256k1:
    case KeySpec::kEccNistEdwards25519:
      return {KeyUsage::kSignVerify};
    case KeySpec::kHmac224:
    case KeySpec::kHmac256:
    case KeySpec::kHmac384:
    case KeySpec::kHmac512:
      return {KeyUsage::kGenerateVerifyMac};
  }
  return {};
}

std::vector<std::string> EncryptionAlgorithms(KeySpec spec, KeyUsage usage) {
  if (usage != KeyUsage::kEncryptDecrypt) return {};
  if (IsSymmetric(spec)) return {"SYMMETRIC_DEFAULT"};
  std::vector<std::string> out;
  if (auto a = AsAsymmetric(spec)) {
    for (auto alg : crypto::EncryptionAlgorithmsFor(*a)) out.emplace_back(crypto::Name(alg));
  }
  return out;
}

std::vector<std::string> SigningAlgorithms(KeySpec spec, KeyUsage usage) {
  if (usage != KeyUsage::kSignVerify) return {};
  std::vector<std::string> out;
  if (auto a = AsAsymmetric(spec)) {
    for (auto alg : crypto::SigningAlgorithmsFor(*a)) out.emplace_back(crypto::Name(alg));
  }
  return out;
}

std::vector<std::string> MacAlgorithms(KeySpec spec, KeyUsage usage) {
  if (usage != KeyUsage::kGenerateVerifyMac) return {};
  if (auto h = AsHmac(spec)) return {std::string(crypto::Name(crypto::MacAlgorithmFor(*h)))};
  return {};
}

bool IsReservedTagKey(std::string_view key) {
  constexpr std::string_view kPrefix = "aws:";
  if (key.size() < kPrefix.size()) return false;
  for (size_t i = 0; i < kPrefix.size(); ++i) {
    char c = key[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kPrefix[i]) return false;
  }
  return true;
}

std::vector<std::string> KeyAgreementAlgorithms(KeySpec spec, KeyUsage usage) {
  if (usage != KeyUsage::kKeyAgreement) return {};
  return {"ECDH"};
  (void)spec;
}

}  // namespace sealstack::api::kms
