// The KMS vocabulary: key specs, usages, states, origins, and what each spec allows.
// Names are AWS's strings exactly (KeySpec "RSA_2048", KeyState "PendingDeletion", ...).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/asymmetric.h"
#include "crypto/hmac_key.h"

namespace sealstack::api::kms {

enum class KeySpec {
  kSymmetricDefault,
  kRsa2048,
  kRsa3072,
  kRsa4096,
  kEccNistP256,
  kEccNistP384,
  kEccNistP521,
  kEccSecgP256k1,
  kEccNistEdwards25519,
  kHmac224,
  kHmac256,
  kHmac384,
  kHmac512,
};

enum class KeyUsage { kEncryptDecrypt, kSignVerify, kGenerateVerifyMac, kKeyAgreement };
enum class Origin { kAwsKms, kExternal };
enum class KeyManager { kCustomer, kAws };
// See key_state.h for the transitions.
enum class KeyState {
  kEnabled,
  kDisabled,
  kPendingDeletion,
  kPendingImport,
  kPendingReplicaDeletion
};
enum class ExpirationModel { kNone, kExpires, kDoesNotExpire };

std::string_view Name(KeySpec v);
std::string_view Name(KeyUsage v);
std::string_view Name(Origin v);
std::string_view Name(KeyManager v);
std::string_view Name(KeyState v);
std::string_view Name(ExpirationModel v);  // "" for kNone

std::optional<KeySpec> ParseKeySpec(std::string_view s);
std::optional<KeyUsage> ParseKeyUsage(std::string_view s);
std::optional<Origin> ParseOrigin(std::string_view s);
std::optional<KeyState> ParseKeyState(std::string_view s);
std::optional<ExpirationModel> ParseExpirationModel(std::string_view s);

// Every KeySpec / KeyUsage / Origin name CreateKey accepts (for ValidationException texts).
std::vector<std::string_view> KeySpecNames();
std::vector<std::string_view> KeyUsageNames();

bool IsSymmetric(KeySpec spec);
bool IsAsymmetric(KeySpec spec);
std::optional<crypto::AsymmetricKeySpec> AsAsymmetric(KeySpec spec);
std::optional<crypto::HmacKeySpec> AsHmac(KeySpec spec);

// The usages CreateKey allows for a spec, as AWS allows them: symmetric keys encrypt; RSA keys
// encrypt or sign; NIST ECC keys sign or agree keys; other ECC keys sign; HMAC keys make MACs.
std::vector<KeyUsage> AllowedUsages(KeySpec spec);

// What DescribeKey reports for a spec and usage.
std::vector<std::string> EncryptionAlgorithms(KeySpec spec, KeyUsage usage);
std::vector<std::string> SigningAlgorithms(KeySpec spec, KeyUsage usage);
std::vector<std::string> MacAlgorithms(KeySpec spec, KeyUsage usage);
std::vector<std::string> KeyAgreementAlgorithms(KeySpec spec, KeyUsage usage);

// Tags (TagException rules; the model's length limits are checked at the wire): a key has at
// most 50 tags, and tag keys beginning with "aws:", in any case, are AWS's.
inline constexpr size_t kMaxTagsPerKey = 50;
bool IsReservedTagKey(std::string_view key);

}  // namespace sealstack::api::kms
