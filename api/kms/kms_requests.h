// The inputs and outputs of kms::Service operations that carry more than a key id and a few
// values (kms_service.h names them as Service::CreateKeyRequest & co. too).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/kms/kms_model.h"
#include "common/clock.h"
#include "crypto/secret_bytes.h"

namespace sealstack::api::kms {

struct CryptoResult {
  std::string key_arn;
  std::string ciphertext;  // CiphertextBlob
  crypto::SecretBytes plaintext;
  std::string material_id;
  std::string algorithm;
};

struct DataKeyPair {
  std::string key_arn;
  std::string private_key_ciphertext;
  crypto::SecretBytes private_key_plaintext;
  std::string public_key;
  std::string material_id;
};

struct ListPage {
  size_t limit = 100;
  std::string marker;
};

// A key's last cryptographic use (GetKeyLastUsage).
struct LastUsage {
  std::string operation;
  SystemTime when;
  std::string request_id;
};

// ---- keys
struct CreateKeyRequest {
  std::optional<std::string> policy;
  std::string description;
  KeySpec spec = KeySpec::kSymmetricDefault;
  KeyUsage usage = KeyUsage::kEncryptDecrypt;
  Origin origin = Origin::kAwsKms;
  bool bypass_policy_lockout_check = false;
  std::map<std::string, std::string> tags;
  bool multi_region = false;  // a multi-Region primary key, id "mrk-" + 32 hex
};

struct KeyListEntry {
  std::string id, arn;
};

// ---- multi-Region keys (kms_multi_region.cpp)
struct ReplicateKeyRequest {
  std::string key_id;  // the primary key, in the caller's region
  std::string replica_region;
  std::optional<std::string> policy;  // nullopt = the default key policy
  bool bypass_policy_lockout_check = false;
  std::string description;
  std::map<std::string, std::string> tags;
};

struct ReEncryptResult {
  CryptoResult destination;
  std::string source_key_arn;
  std::string source_algorithm;
  std::string source_material_id;
};

// ---- grants
struct CreateGrantRequest {
  std::string key_id;
  std::string grantee;
  std::string retiring;
  std::vector<std::string> operations;
  GrantConstraints constraints;
  std::string name;
};

// ---- import
struct ImportParametersResult {
  std::string key_arn;
  std::string import_token;
  std::string public_key;
  SystemTime valid_to;
};

// The symmetric-key members of ImportKeyMaterial.
struct ImportOptions {
  // ImportType NEW_KEY_MATERIAL (true) / EXISTING_KEY_MATERIAL (false); nullopt = AWS's
  // default: new for a key that never had imported material, else existing.
  std::optional<bool> new_key_material;
  std::optional<std::string> description;  // KeyMaterialDescription
  std::optional<std::string> material_id;  // KeyMaterialId: must be the material's id
};

// Seeding: no caller, no authorization, no faults (kms_seed.cpp).
struct SeedKeyRequest {
  std::string id;  // a UUID, fixed across machines
  std::string account;
  std::string region;
  KeySpec spec = KeySpec::kSymmetricDefault;
  KeyUsage usage = KeyUsage::kEncryptDecrypt;
  // 32 bytes (SYMMETRIC_DEFAULT), the HMAC key, or the PKCS#8 DER private key.
  crypto::SecretBytes material;
  std::string description;
  std::optional<std::string> policy;        // nullopt = the default key policy
  std::map<std::string, std::string> tags;  // replaces the key's tags
  std::optional<int> rotation_period_days;  // set = automatic rotation enabled
  bool enabled = true;
  std::vector<std::string> aliases;  // "alias/..." in the key's account and region
};

}  // namespace sealstack::api::kms
