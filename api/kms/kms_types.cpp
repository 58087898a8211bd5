#include "api/kms/kms_types.h"

#include <utility>

#include "common/name_table.h"

namespace sealstack::api::kms {

namespace {

constexpr NameEntry<KeySpec> kKeySpecs[] = {
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
constexpr NameEntry<KeyUsage> kUsages[] = {
    {KeyUsage::kEncryptDecrypt, "ENCRYPT_DECRYPT"},
    {KeyUsage::kSignVerify, "SIGN_VERIFY"},
    {KeyUsage::kGenerateVerifyMac, "GENERATE_VERIFY_MAC"},
    {KeyUsage::kKeyAgreement, "KEY_AGREEMENT"},
};
constexpr NameEntry<Origin> kOrigins[] = {
    {Origin::kAwsKms, "AWS_KMS"},
    {Origin::kExternal, "EXTERNAL"},
};
constexpr NameEntry<KeyManager> kManagers[] = {
    {KeyManager::kCustomer, "CUSTOMER"},
    {KeyManager::kAws, "AWS"},
};
constexpr NameEntry<KeyState> kStates[] = {
    {KeyState::kEnabled, "Enabled"},
    {KeyState::kDisabled, "Disabled"},
    {KeyState::kPendingDeletion, "PendingDeletion"},
    {KeyState::kPendingImport, "PendingImport"},
    {KeyState::kPendingReplicaDeletion, "PendingReplicaDeletion"},
};
constexpr NameEntry<ExpirationModel> kExpirations[] = {
    {ExpirationModel::kNone, ""},
    {ExpirationModel::kExpires, "KEY_MATERIAL_EXPIRES"},
    {ExpirationModel::kDoesNotExpire, "KEY_MATERIAL_DOES_NOT_EXPIRE"},
};

}  // namespace

std::string_view Name(KeySpec v) {
  return NameOf(kKeySpecs, v, "");
}
std::string_view Name(KeyUsage v) {
  return NameOf(kUsages, v, "");
}
std::string_view Name(Origin v) {
  return NameOf(kOrigins, v, "");
}
std::string_view Name(KeyManager v) {
  return NameOf(kManagers, v, "");
}
std::string_view Name(KeyState v) {
  return NameOf(kStates, v, "");
}
std::string_view Name(ExpirationModel v) {
  return NameOf(kExpirations, v, "");
}

std::optional<KeySpec> ParseKeySpec(std::string_view s) {
  return ValueOf(kKeySpecs, s);
}
std::optional<KeyUsage> ParseKeyUsage(std::string_view s) {
  return ValueOf(kUsages, s);
}
std::optional<Origin> ParseOrigin(std::string_view s) {
  return ValueOf(kOrigins, s);
}
std::optional<KeyState> ParseKeyState(std::string_view s) {
  return ValueOf(kStates, s);
}
std::optional<ExpirationModel> ParseExpirationModel(std::string_view s) {
  // "" names kNone in stored documents; as a request value it names nothing.
  return s.empty() ? std::nullopt : ValueOf(kExpirations, s);
}

std::vector<std::string_view> KeySpecNames() {
  std::vector<std::string_view> out;
  for (const auto& entry : kKeySpecs) out.push_back(entry.name);
  for (std::string_view extra : {"SM2", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87"}) {
    out.push_back(extra);
  }
  return out;
}

std::vector<std::string_view> KeyUsageNames() {
  std::vector<std::string_view> out;
  for (const auto& entry : kUsages) out.push_back(entry.name);
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
