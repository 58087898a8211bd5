// The in-memory model of KMS state. The Service holds it (authoritative while running) and
// writes every change through storage/kms_repo.h; kms_persist.* converts to and from rows.
//
// Keys are immutable snapshots (shared_ptr<const Key>): a mutation copies, edits, persists and
// swaps, so readers never lock around cryptography.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/kms/kms_types.h"
#include "common/clock.h"
#include "crypto/asymmetric.h"
#include "crypto/secret_bytes.h"

namespace sealstack::api::kms {

// One version of a key's material. Rotation appends one; old ones stay for Decrypt.
struct Material {
  std::string id;  // KeyMaterialId: 64 lower-case hex
  int64_t seq = 0;
  SystemTime created;
  std::string rotation_type;  // "" for the first material, "AUTOMATIC" or "ON_DEMAND"
  bool imported = false;
  // Imported symmetric material (ImportKeyMaterial): its KeyMaterialDescription, its own
  // expiration, and whether it waits for RotateKeyOnDemand (ImportType NEW_KEY_MATERIAL into
  // a key that already has current material; KeyMaterialState PENDING_ROTATION).
  std::string description;
  ExpirationModel expiration_model = ExpirationModel::kNone;
  std::optional<SystemTime> valid_to;
  bool pending_rotation = false;
  crypto::SecretBytes bytes;  // AES-256 key, HMAC key, or DER PKCS#8 private key
  std::shared_ptr<const crypto::PrivateKey> private_key;  // asymmetric keys, parsed once
};

// Imported material whose bytes were deleted (DeleteImportedKeyMaterial, or expiry): the key
// remembers it (ListKeyRotations ImportState PENDING_IMPORT) so the same material can be
// imported again into its place.
struct DeletedMaterial {
  std::string id;
  int64_t seq = 0;
  SystemTime created;
  std::string rotation_type;
  std::string description;
  bool pending_rotation = false;
};

struct ImportParameters {
  std::string token;                 // opaque, returned as ImportToken
  crypto::SecretBytes wrapping_key;  // DER PKCS#8 of the RSA wrapping key
  std::string wrapping_algorithm;    // "RSAES_OAEP_SHA_256", ...
  SystemTime valid_to;
};

struct Key {
  // Why the stored key material could not be opened at load (tampered with, or wrapped under
  // another root key); "" when sound. A damaged key still describes itself, but every
  // cryptographic operation on it fails with KMSInternalException instead of the whole server
  // refusing to start.
  std::string damaged;
  std::string id;
  std::string account;
  std::string region;
  std::string arn;
  SystemTime created;
  std::string description;
  KeySpec spec = KeySpec::kSymmetricDefault;
  KeyUsage usage = KeyUsage::kEncryptDecrypt;
  Origin origin = Origin::kAwsKms;
  KeyManager manager = KeyManager::kCustomer;
  KeyState state = KeyState::kEnabled;
  std::optional<SystemTime> deletion_date;
  int pending_window_days = 0;
  std::string policy;
  bool rotation_enabled = false;
  int rotation_period_days = 365;
  std::optional<SystemTime> next_rotation;
  int on_demand_rotations = 0;
  std::map<std::string, std::string> tags;
  std::vector<std::shared_ptr<const Material>> materials;  // by seq; see current()
  ExpirationModel expiration_model = ExpirationModel::kNone;
  std::optional<SystemTime> valid_to;
  // Imported material: the id of the current material (set by the first import, moved by
  // RotateKeyOnDemand; kept while that material is deleted), and the deleted materials.
  std::string imported_material_id;
  std::vector<DeletedMaterial> deleted_materials;
  std::optional<ImportParameters> import;
  // Multi-Region keys (ids "mrk-" + 32 hex): a primary and its replicas share the key id, key
  // material, spec, usage, origin and rotation settings; each is its own Key in its own region.
  // Every key of the set records the set's shape (kept in sync by the Service).
  bool multi_region = false;
  std::string primary_region;                // multi_region only
  std::vector<std::string> replica_regions;  // multi_region only, in replication order

  bool is_replica() const { return multi_region && region != primary_region; }
  // The key's internal identity (map key and row key): KeyHandle(id, region).
  std::string handle() const;

  // The material new ciphertexts use: the last one not pending rotation.
  const Material* current() const {
    for (auto it = materials.rbegin(); it != materials.rend(); ++it) {
      if (!(*it)->pending_rotation) return it->get();
    }
    return nullptr;
  }
  const Material* pending_rotation() const {
    for (const auto& m : materials) {
      if (m->pending_rotation) return m.get();
    }
    return nullptr;
  }
  const DeletedMaterial* FindDeleted(std::string_view material_id) const {
    for (const auto& d : deleted_materials) {
      if (d.id == material_id) return &d;
    }
    return nullptr;
  }
  const Material* FindMaterial(std::string_view material_id) const {
    for (const auto& m : materials) {
      if (m->id == material_id) return m.get();
    }
    return nullptr;
  }
};

// Deletes the bytes of imported material `material_id` from `k`, remembering the material
// (Key::deleted_materials). Deleting the current material leaves the key PendingImport until
// the same material is imported again. False when `k` has no such material.
inline bool DeleteImportedMaterial(Key& k, std::string_view material_id) {
  for (auto it = k.materials.begin(); it != k.materials.end(); ++it) {
    const Material& m = **it;
    if (m.id != material_id) continue;
    k.deleted_materials.push_back(
        {m.id, m.seq, m.created, m.rotation_type, m.description, m.pending_rotation});
    k.materials.erase(it);
    if (material_id == k.imported_material_id) {
      k.state = KeyState::kPendingImport;
      k.valid_to.reset();
      k.expiration_model = ExpirationModel::kNone;
    }
    return true;
  }
  return false;
}

// The internal identity of a key: the key id for single-Region keys, "ID/REGION" for
// multi-Region keys, whose id every region of the set shares.
inline bool IsMultiRegionKeyId(std::string_view id) {
  return id.substr(0, 4) == "mrk-";
}
inline std::string KeyHandle(std::string_view id, std::string_view region) {
  std::string h(id);
  if (IsMultiRegionKeyId(id)) h.append("/").append(region);
  return h;
}
// The key id of a handle.
inline std::string KeyIdOfHandle(std::string_view handle) {
  return std::string(handle.substr(0, handle.find('/')));
}
inline std::string Key::handle() const {
  return KeyHandle(id, region);
}

// arn:aws:kms:REGION:ACCOUNT:key/ID
inline std::string KeyArn(std::string_view region, std::string_view account, std::string_view id) {
  std::string arn = "arn:aws:kms:";
  arn.append(region).append(":").append(account).append(":key/").append(id);
  return arn;
}
// arn:aws:kms:REGION:ACCOUNT:alias/NAME
inline std::string AliasArn(std::string_view region, std::string_view account,
                            std::string_view name) {
  std::string arn = "arn:aws:kms:";
  arn.append(region).append(":").append(account).append(":").append(name);
  return arn;
}
// An alias's name is unique within its account and region: "ACCOUNT/REGION/alias/NAME".
inline std::string AliasMapKey(std::string_view account, std::string_view region,
                               std::string_view name) {
  std::string k(account);
  k.append("/").append(region).append("/").append(name);
  return k;
}

struct Alias {
  std::string account;
  std::string region;
  std::string name;    // "alias/..."
  std::string key_id;  // the target key's handle (KeyHandle)
  SystemTime created;
  SystemTime updated;
};

struct GrantConstraints {
  std::optional<std::map<std::string, std::string>> encryption_context_equals;
  std::optional<std::map<std::string, std::string>> encryption_context_subset;
};

struct Grant {
  std::string id;      // 64 hex
  std::string key_id;  // the key's handle (KeyHandle)
  std::string name;
  std::string grantee;
  std::string retiring;
  std::vector<std::string> operations;
  GrantConstraints constraints;
  std::string issuing_account;
  SystemTime created;
  std::string token;  // hex SHA-256 of the GrantToken: a bearer credential is never kept
};

}  // namespace sealstack::api::kms
