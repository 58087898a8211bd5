// kms::Service: the test-control plane's side of KMS: injected faults (CheckFault, called at the
// top of every operation), seeding keys with fixed ids and material, and per-account reset.

#include "api/kms/kms_errors.h"
#include "api/kms/kms_persist.h"
#include "api/kms/kms_service.h"
#include "api/kms/kms_wire.h"
#include "common/identifiers.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "crypto/asymmetric.h"
#include "crypto/digest.h"
#include "crypto/hmac_key.h"

namespace sealstack::api::kms {

// ---- injected faults

std::string Service::FaultResourceArn(const Caller& c, std::string_view key_id,
                                      std::string_view ciphertext) const {
  const std::string account = c.principal ? c.principal->account : std::string();
  auto by_alias = [&](std::string_view acct, std::string_view rgn, std::string_view name) {
    ReaderLock lock(mu_);
    if (const Alias* a = aliases_.Find(AliasMapKey(acct, rgn, name))) {
      return KeyArn(rgn, acct, a->key_id);
    }
    return AliasArn(rgn, acct, name);
  };
  if (key_id.empty()) {
    if (ciphertext.empty()) return "";
    auto header = ParseBlobHeader(ciphertext);
    if (!header) return "";
    ReaderLock lock(mu_);
    auto it = keys_.find(KeyHandle(header->key_id, c.region));
    return it != keys_.end() ? it->second->arn : KeyArn(c.region, account, header->key_id);
  }
  if (StartsWith(key_id, "arn:")) {
    auto parts = Split(key_id, ':');
    if (parts.size() >= 6 && StartsWith(parts[5], "alias/")) {
      size_t pos = 0;
      for (int i = 0; i < 5; ++i) pos = key_id.find(':', pos) + 1;
      return by_alias(parts[4], parts[3], key_id.substr(pos));
    }
    return std::string(key_id);
  }
  if (StartsWith(key_id, "alias/")) return by_alias(account, c.region, key_id);
  return KeyArn(c.region, account, key_id);
}

Status Service::CheckFault(const Caller& c, std::string_view operation, std::string_view key_id,
                           std::string_view ciphertext) {
  if (!faults_ || faults_->empty()) return Status::Ok();
  auto hit = faults_->CheckAndDelay("kms", operation, FaultResourceArn(c, key_id, ciphertext));
  if (!hit) return Status::Ok();
  auto code = FindKmsErrorCode(hit->error);
  return KmsError(code ? code->kind : ErrorKind::kInternal, hit->message);
}

// ---- seeding

Result<std::string> Service::SeedMaterialId(const std::string& key_id,
                                            const crypto::SecretBytes& material) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string mac,
                             crypto::Mac(crypto::MacAlgorithm::kHmacSha256, material,
                                         "sealstack-seeded-key-material:" + key_id));
  return crypto::Hex(mac);
}

Status Service::CheckSeedKey(const SeedKeyRequest& r) const {
  if (!UuidToBytes(r.id)) {
    return InvalidField("id", "expected a key id such as 1234abcd-12ab-34cd-56ef-1234567890ab");
  }
  if (!IsAccountId(r.account)) return InvalidField("account", "expected 12 digits");
  if (!IsRegionName(r.region)) return InvalidField("region", "expected a region name");
  bool usage_ok = false;
  for (KeyUsage u : AllowedUsages(r.spec)) usage_ok = usage_ok || u == r.usage;
  if (!usage_ok) {
    return InvalidField(
        "usage", std::string(Name(r.usage)) + " is not valid for " + std::string(Name(r.spec)));
  }
  if (r.material.empty()) return InvalidField("material", "required");
  if (IsSymmetric(r.spec) && r.material.size() != 32) {
    return InvalidField("material",
                        "SYMMETRIC_DEFAULT material must be 32 bytes (base64 of 256 bits)");
  }
  if (auto h = AsHmac(r.spec);
      h && (r.material.size() < crypto::HmacKeySize(*h) / 2 || r.material.size() > 64)) {
    return InvalidField("material", "HMAC key material must be " +
                                        std::to_string(crypto::HmacKeySize(*h) / 2) +
                                        " to 64 bytes");
  }
  if (auto a = AsAsymmetric(r.spec)) {
    auto detected = crypto::DetectKeySpec(r.material);
    if (!detected.ok() || *detected != *a) {
      return InvalidField("material", "not a " + std::string(Name(r.spec)) + " private key in PEM");
    }
  }
  if (r.policy) {
    Status st = CheckPolicy(*r.policy);
    if (!st.ok()) return InvalidField("policy", st.message());
  }
  for (const auto& [k, v] : r.tags) {
    if (k.empty() || k.size() > 128 || v.size() > 256) {
      return InvalidField("tags", "tag keys must be 1-128 characters and values 0-256");
    }
    if (StartsWith(k, "aws:"))
      return InvalidField("tags", "tag keys beginning with aws: are reserved");
  }
  if (r.rotation_period_days) {
    if (!IsSymmetric(r.spec)) {
      return InvalidField("rotation_period_days",
                          "only SYMMETRIC_DEFAULT keys rotate automatically");
    }
    if (*r.rotation_period_days < 90 || *r.rotation_period_days > 2560) {
      return InvalidField("rotation_period_days", "expected 90 to 2560");
    }
  }
  for (size_t i = 0; i < r.aliases.size(); ++i) {
    const std::string where = "aliases[" + std::to_string(i) + "]";
    if (!StartsWith(r.aliases[i], "alias/") ||
        !IsAlnumPlus(std::string_view(r.aliases[i]).substr(6), "/_-")) {
      return InvalidField(where, "expected alias/NAME with letters, digits, / _ -");
    }
    if (StartsWith(r.aliases[i], "alias/aws/")) {
      return InvalidField(where, "alias/aws/ is reserved for AWS managed keys");
    }
  }
  std::shared_ptr<const Key> existing = Current(r.id);
  if (existing) {
    if (existing->account != r.account || existing->region != r.region) {
      return InvalidField("id", "a key with this id already exists in " + existing->account + " " +
                                    existing->region);
    }
    if (existing->spec != r.spec || existing->usage != r.usage) {
      return InvalidField("id", "a key with this id already exists with spec " +
                                    std::string(Name(existing->spec)) + " and usage " +
                                    std::string(Name(existing->usage)));
    }
    SEALSTACK_ASSIGN_OR_RETURN(std::string material_id, SeedMaterialId(r.id, r.material));
    if (existing->materials.empty() || existing->materials.front()->id != material_id) {
      return InvalidField("material", "a key with this id already exists with other key material");
    }
  }
  return Status::Ok();
}

Result<bool> Service::SeedKey(const SeedKeyRequest& r) {
  SEALSTACK_RETURN_IF_ERROR(CheckSeedKey(r));
  SEALSTACK_ASSIGN_OR_RETURN(std::string material_id, SeedMaterialId(r.id, r.material));
  MutexLock write(write_mu_);
  const SystemTime now = clock_->Now();
  std::shared_ptr<const Key> old = Current(r.id);
  auto key = old ? std::make_shared<Key>(*old) : std::make_shared<Key>();
  if (!old) {
    key->id = r.id;
    key->account = r.account;
    key->region = r.region;
    key->arn = KeyArn(r.region, r.account, r.id);
    key->created = now;
    key->spec = r.spec;
    key->usage = r.usage;
    SEALSTACK_ASSIGN_OR_RETURN(auto m,
                               MaterialFromBytes(*key, r.material, material_id, "", false, 1));
    key->materials.push_back(std::move(m));
  }
  key->description = r.description;
  key->policy = r.policy ? *r.policy : DefaultPolicy(r.account);
  key->tags = r.tags;
  if (r.rotation_period_days) {
    if (!key->rotation_enabled || key->rotation_period_days != *r.rotation_period_days) {
      key->rotation_enabled = true;
      key->rotation_period_days = *r.rotation_period_days;
      key->next_rotation = now + kOneDay * *r.rotation_period_days;
    }
  } else if (key->rotation_enabled) {
    key->rotation_enabled = false;
    key->next_rotation.reset();
  }
  const KeyState state = r.enabled ? KeyState::kEnabled : KeyState::kDisabled;
  if (key->state != state) {
    key->state = state;
    key->deletion_date.reset();
    key->pending_window_days = 0;
  }
  const bool key_changed =
      !old || old->description != key->description || old->policy != key->policy ||
      old->tags != key->tags || old->rotation_enabled != key->rotation_enabled ||
      old->rotation_period_days != key->rotation_period_days || old->state != key->state;

  std::vector<Alias> alias_changes;
  {
    ReaderLock lock(mu_);
    for (const auto& name : r.aliases) {
      const Alias* existing = aliases_.Find(AliasMapKey(r.account, r.region, name));
      if (existing != nullptr && existing->key_id == r.id) continue;
      Alias a{r.account, r.region, name, r.id, now, now};
      if (existing != nullptr) a.created = existing->created;  // re-pointed, like UpdateAlias
      alias_changes.push_back(std::move(a));
    }
  }
  if (!key_changed && alias_changes.empty()) return false;
  SEALSTACK_RETURN_IF_ERROR(db_.WithTransaction([&](storage::Connection& conn) -> Status {
    if (key_changed) SEALSTACK_RETURN_IF_ERROR(PersistKey(conn, *key));
    if (!old) {
      for (const auto& m : key->materials)
        SEALSTACK_RETURN_IF_ERROR(PersistMaterial(conn, *key, *m));
    }
    for (const auto& a : alias_changes) {
      SEALSTACK_RETURN_IF_ERROR(
          storage::KmsRepo::PutAlias(conn, {a.account, a.region, a.name, a.key_id,
                                            ToEpochSeconds(a.created), ToEpochSeconds(a.updated)}));
    }
    return Status::Ok();
  }));
  {
    WriterLock lock(mu_);
    keys_[key->handle()] = key;
    for (auto& a : alias_changes) aliases_.Put(AliasMapKey(a.account, a.region, a.name), a);
  }
  UpdateNextDue();
  return true;
}

// ---- per-account reset

Status Service::ResetAccount(const std::string& account) {
  MutexLock write(write_mu_);
  std::vector<std::string> key_ids, alias_keys, grant_ids;
  {
    ReaderLock lock(mu_);
    for (const auto& [id, k] : keys_) {
      if (k->account == account) key_ids.push_back(id);
    }
    for (const auto& [map_key, a] : aliases_.rows()) {
      if (a.account == account) alias_keys.push_back(map_key);
    }
    for (const auto& [id, g] : grants_.rows()) {
      auto k = keys_.find(g.key_id);
      if (k == keys_.end() || k->second->account == account) grant_ids.push_back(id);
    }
  }
  SEALSTACK_RETURN_IF_ERROR(db_.WithTransaction([&](storage::Connection& conn) -> Status {
    for (const auto& id : key_ids) SEALSTACK_RETURN_IF_ERROR(storage::KmsRepo::DeleteKey(conn, id));
    {
      ReaderLock lock(mu_);
      for (const auto& map_key : alias_keys) {
        const Alias& a = *aliases_.Find(map_key);
        SEALSTACK_RETURN_IF_ERROR(storage::KmsRepo::DeleteAlias(conn, a.account, a.region, a.name));
      }
    }
    for (const auto& id : grant_ids)
      SEALSTACK_RETURN_IF_ERROR(storage::KmsRepo::DeleteGrant(conn, id));
    return Status::Ok();
  }));
  {
    WriterLock lock(mu_);
    for (const auto& id : key_ids) keys_.erase(id);
    for (const auto& k : alias_keys) aliases_.Erase(k);
    for (const auto& id : grant_ids) grants_.Erase(id);
  }
  {
    MutexLock lock(usage_mu_);
    for (const auto& id : key_ids) last_usage_.erase(id);
  }
  UpdateNextDue();
  return Status::Ok();
}

}  // namespace sealstack::api::kms
