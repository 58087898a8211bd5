// kms::Service: aliases, key policies, rotation, tags, grants, key import, last usage.
#include <algorithm>

#include <rapidjson/document.h>

#include "api/kms/key_state.h"
#include "api/kms/kms_errors.h"
#include "api/kms/kms_persist.h"
#include "api/kms/kms_service.h"
#include "api/kms/paging.h"
#include "common/identifiers.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "crypto/digest.h"
#include "crypto/hmac_key.h"
#include "crypto/key_import.h"

namespace sealstack::api::kms {

namespace {

constexpr OperationClass kAnyState = OperationClass::kAnyState;
constexpr OperationClass kManage = OperationClass::kManage;
constexpr OperationClass kRotationOp = OperationClass::kRotation;
constexpr size_t kMaxPolicyBytes = 32768;
constexpr int kMaxOnDemandRotations = 10;

Status ValidateAliasName(std::string_view name, bool creating) {
  if (!IsAlnumPlus(name, ":/_-")) {
    return KmsError(ErrorKind::kValidation,
                    "1 validation error detected: Value '" + std::string(name) +
                        "' at 'aliasName' failed to satisfy constraint: Member must satisfy "
                        "regular expression pattern: ^[a-zA-Z0-9:/_-]+$");
  }
  if (!StartsWith(name, "alias/")) {
    return KmsError(ErrorKind::kValidation,
                    "Alias must start with the prefix \"alias/\". Please see "
                    "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
  }
  if (name.size() == 6) {
    return KmsError(ErrorKind::kValidation,
                    "1 validation error detected: Value '" + std::string(name) +
                        "' at 'aliasName' failed to satisfy constraint: Member must satisfy "
                        "regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$");
  }
  if (creating && StartsWith(name, "alias/aws/")) {
    return KmsError(ErrorKind::kNotAuthorized,
                    "Cannot create, update or delete an alias with the reserved prefix "
                    "alias/aws/.");
  }
  return Status::Ok();
}

Status AliasNotFound(const Caller& c, std::string_view alias_name) {
  return KmsError(
      ErrorKind::kNotFound,
      "Alias " + AliasArn(c.region, c.principal->account, alias_name) + " is not found.");
}

Status GrantNotFound(std::string_view grant_id) {
  return KmsError(ErrorKind::kNotFound, "Grant ID " + std::string(grant_id) + " not found");
}

Status ValidatePolicyText(std::string_view policy) {
  if (policy.size() > kMaxPolicyBytes) {
    return KmsError(ErrorKind::kLimitExceeded, "The key policy exceeds the maximum size of 32 KB.");
  }
  rapidjson::Document d;
  d.Parse(policy.data(), policy.size());
  if (d.HasParseError() || !d.IsObject()) {
    return KmsError(ErrorKind::kMalformedPolicy,
                    "The new key policy is not a valid JSON document (error at character " +
                        std::to_string(d.GetErrorOffset()) + ").");
  }
  auto st = d.FindMember("Statement");
  if (st == d.MemberEnd() || !(st->value.IsArray() || st->value.IsObject())) {
    return KmsError(ErrorKind::kMalformedPolicy, "Policy has no Statement.");
  }
  return Status::Ok();
}

}  // namespace

Status Service::CheckPolicy(std::string_view policy) const {
  SEALSTACK_RETURN_IF_ERROR(ValidatePolicyText(policy));
  if (policy_validator_) {
    Status st = policy_validator_(policy);
    if (!st.ok()) return KmsError(ErrorKind::kMalformedPolicy, st.message());
  }
  return Status::Ok();
}

// ---- aliases

Result<std::shared_ptr<const Key>> Service::PrepareAliasTarget(const Caller& c, std::string_view op,
                                                               std::string_view alias_name,
                                                               std::string_view target) {
  SEALSTACK_RETURN_IF_ERROR(CheckFault(c, op, target));
  RunDue();
  SEALSTACK_RETURN_IF_ERROR(ValidateAliasName(alias_name, true));
  return Prepare(c, target, false, kManage, "kms:" + std::string(op));
}

Status Service::CreateAlias(const Caller& c, std::string_view alias_name, std::string_view target) {
  SEALSTACK_ASSIGN_OR_RETURN(auto key, PrepareAliasTarget(c, "CreateAlias", alias_name, target));
  if (key->manager == KeyManager::kAws) {
    return KmsError(ErrorKind::kNotAuthorized, "Cannot alias an AWS managed key.");
  }
  MutexLock write(write_mu_);
  const std::string map_key = AliasMapKey(c.principal->account, c.region, alias_name);
  {
    ReaderLock lock(mu_);
    if (aliases_.Contains(map_key)) {
      return KmsError(ErrorKind::kAlreadyExists,
                      "An alias with the name " +
                          AliasArn(c.region, c.principal->account, alias_name) + " already exists");
    }
  }
  const SystemTime now = clock_->Now();
  Alias alias{c.principal->account, c.region, std::string(alias_name), key->handle(), now, now};
  SEALSTACK_RETURN_IF_ERROR(db_.WithTransaction([&](storage::Connection& conn) {
    SEALSTACK_RETURN_IF_ERROR(RunAuditHook(conn, key->arn));
    return storage::KmsRepo::PutAlias(conn, {alias.account, alias.region, alias.name, alias.key_id,
                                             ToEpochSeconds(now), ToEpochSeconds(now)});
  }));
  WriterLock lock(mu_);
  aliases_.Put(map_key, std::move(alias));
  return Status::Ok();
}

Status Service::UpdateAlias(const Caller& c, std::string_view alias_name, std::string_view target) {
  SEALSTACK_ASSIGN_OR_RETURN(auto key, PrepareAliasTarget(c, "UpdateAlias", alias_name, target));
  MutexLock write(write_mu_);
  const std::string map_key = AliasMapKey(c.principal->account, c.region, alias_name);
  Alias alias;
  {
    ReaderLock lock(mu_);
    const Alias* found = aliases_.Find(map_key);
    if (found == nullptr) return AliasNotFound(c, alias_name);
    alias = *found;
    auto old = keys_.find(alias.key_id);
    if (old != keys_.end() && (old->second->usage != key->usage ||
                               IsSymmetric(old->second->spec) != IsSymmetric(key->spec))) {
      return KmsError(ErrorKind::kValidation,
                      "The new target key must have the same key type and key usage as the "
                      "current target key.");
    }
  }
  alias.key_id = key->handle();
  alias.updated = clock_->Now();
  SEALSTACK_RETURN_IF_ERROR(db_.WithTransaction([&](storage::Connection& conn) {
    SEALSTACK_RETURN_IF_ERROR(RunAuditHook(conn, key->arn));
    return storage::KmsRepo::PutAlias(
        conn, {alias.account, alias.region, alias.name, alias.key_id, ToEpochSeconds(alias.created),
               ToEpochSeconds(alias.updated)});
  }));
  WriterLock lock(mu_);
  aliases_.Put(map_key, std::move(alias));
  return Status::Ok();
}

Status Service::DeleteAlias(const Caller& c, std::string_view alias_name) {
  SEALSTACK_RETURN_IF_ERROR(CheckFault(c, "DeleteAlias", alias_name));
  RunDue();
  SEALSTACK_RETURN_IF_ERROR(ValidateAliasName(alias_name, true));
  MutexLock write(write_mu_);
  const std::string map_key = AliasMapKey(c.principal->account, c.region, alias_name);
  std::shared_ptr<const Key> key;
  {
    ReaderLock lock(mu_);
    const Alias* found = aliases_.Find(map_key);
    if (found == nullptr) return AliasNotFound(c, alias_name);
    auto k = keys_.find(found->key_id);
    if (k != keys_.end()) key = k->second;
  }
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "kms:DeleteAlias", key.get()));
  SEALSTACK_RETURN_IF_ERROR(db_.WithTransaction([&](storage::Connection& conn) {
    SEALSTACK_RETURN_IF_ERROR(RunAuditHook(conn, key ? key->arn : std::string()));
    return storage::KmsRepo::DeleteAlias(conn, c.principal->account, c.region,
                                         std::string(alias_name));
  }));
  WriterLock lock(mu_);
  aliases_.Erase(map_key);
  return Status::Ok();
}

Result<std::vector<Alias>> Service::ListAliases(const Caller& c, std::string_view key_id,
                                                const ListPage& page, std::string* next_marker) {
  SEALSTACK_RETURN_IF_ERROR(CheckFault(c, "ListAliases", key_id));
  RunDue();
  std::string filter;
  if (!key_id.empty()) {
    SEALSTACK_ASSIGN_OR_RETURN(auto key, Prepare(c, key_id, false, kAnyState, "kms:ListAliases"));
    filter = key->handle();
  } else {
    SEALSTACK_RETURN_IF_ERROR(Authorize(c, "kms:ListAliases", nullptr));
  }
  std::vector<Alias> all;
  {
    ReaderLock lock(mu_);
    if (!filter.empty()) {
      for (const Alias* a : aliases_.OfKey(filter)) {
        if (a->account == c.principal->account && a->region == c.region) all.push_back(*a);
      }
    } else {
      for (const auto& [k, a] : aliases_.rows()) {
        if (a.account == c.principal->account && a.region == c.region) all.push_back(a);
      }
    }
  }
  std::sort(all.begin(), all.end(), [](const Alias& a, const Alias& b) { return a.name < b.name; });
  return Paginate(
      all, page, [](const Alias& a) { return a.name; }, next_marker);
}

std::string Service::AliasArnOf(const Alias& alias) {
  return AliasArn(alias.region, alias.account, alias.name);
}

std::vector<std::string> Service::AliasesOf(const Key& key) const {
  std::vector<std::string> out;
  ReaderLock lock(mu_);
  for (const Alias* a : aliases_.OfKey(key.handle())) out.push_back(a->name);
  return out;
}

// ---- key policies

Result<std::string> Service::GetKeyPolicy(const Caller& c, std::string_view key_id) {
  SEALSTACK_ASSIGN_OR_RETURN(auto key, PrepareOp(c, "GetKeyPolicy", key_id, false, kAnyState));
  return key->policy;
}

Status Service::PutKeyPolicy(const Caller& c, std::string_view key_id, std::string policy,
                             bool bypass_lockout_check) {
  SEALSTACK_ASSIGN_OR_RETURN(auto key,
                             PrepareOp(c, "PutKeyPolicy", key_id, false, kAnyState, nullptr,
                                       {{"kms:BypassPolicyLockoutSafetyCheck",
                                         {bypass_lockout_check ? "true" : "false"}}}));
  if (key->manager == KeyManager::kAws) {
    return KmsError(ErrorKind::kUnsupportedOperation,
                    "The key policy of an AWS managed key cannot be changed.");
  }
  SEALSTACK_RETURN_IF_ERROR(CheckPolicy(policy));
  if (!bypass_lockout_check && lockout_checker_) {
    SEALSTACK_RETURN_IF_ERROR(lockout_checker_(c, *key, policy));
  }
  return Mutate(key->handle(), [&](Key& k) {
    k.policy = std::move(policy);
    return Status::Ok();
  });
}

Status Service::CheckKeyForPolicyList(const Caller& c, std::string_view key_id) {
  return PrepareOp(c, "ListKeyPolicies", key_id, false, kAnyState).status();
}

// ---- rotation

namespace {
Status RotationSupported(const Key& key) {
  if (!IsSymmetric(key.spec) || key.origin != Origin::kAwsKms) {
    return KmsError(ErrorKind::kUnsupportedOperation,
                    key.arn +
                        " does not support automatic key rotation: only symmetric "
                        "encryption keys with key material generated by KMS rotate.");
  }
  if (key.manager == KeyManager::kAws) {
    return KmsError(ErrorKind::kUnsupportedOperation,
                    "The rotation of an AWS managed key cannot be changed.");
  }
  // Rotation is a shared property of a multi-Region key, managed on its primary.
  if (key.is_replica()) {
    return KmsError(ErrorKind::kUnsupportedOperation,
                    key.arn +
                        " is a multi-region replica key; manage its rotation on the "
                        "primary key in " +
                        key.primary_region + ".");
  }
  return Status::Ok();
}
}  // namespace

Status Service::EnableKeyRotation(const Caller& c, std::string_view key_id, int period_days) {
  SEALSTACK_ASSIGN_OR_RETURN(auto key,
                             PrepareOp(c, "EnableKeyRotation", key_id, false, kRotationOp));
  SEALSTACK_RETURN_IF_ERROR(RotationSupported(*key));
  const SystemTime next = clock_->Now() + kOneDay * period_days;
  return MutateSet(key->handle(), [&](Key& k) {
    k.rotation_enabled = true;
    k.rotation_period_days = period_days;
    k.next_rotation = next;
    return Status::Ok();
  });
}

Status Service::DisableKeyRotation(const Caller& c, std::string_view key_id) {
  SEALSTACK_ASSIGN_OR_RETURN(auto key,
                             PrepareOp(c, "DisableKeyRotation", key_id, false, kRotationOp));
  SEALSTACK_RETURN_IF_ERROR(RotationSupported(*key));
  return MutateSet(key->handle(), [&](Key& k) {
    k.rotation_enabled = false;
    k.next_rotation.reset();
    return Status::Ok();
  });
}

Result<std::shared_ptr<const Key>> Service::GetKeyRotationStatus(const Caller& c,
                                                                 std::string_view key_id,
                                                                 std::string_view operation) {
  SEALSTACK_RETURN_IF_ERROR(CheckFault(c, operation, key_id));
  SEALSTACK_ASSIGN_OR_RETURN(auto key,
                             Prepare(c, key_id, false, kAnyState, "kms:GetKeyRotationStatus"));
  // ListKeyRotations also lists the materials of symmetric keys with imported material, which
  // rotate on demand only.
  const bool lists_imported = operation == "ListKeyRotations" && key->origin == Origin::kExternal;
  if (!IsSymmetric(key->spec) || (key->origin != Origin::kAwsKms && !lists_imported)) {
    return KmsError(ErrorKind::kUnsupportedOperation,
                    key->arn + " does not support automatic key rotation.");
  }
  return key;
}

// On-demand rotation of a key with imported material: the material imported as
// NEW_KEY_MATERIAL (PENDING_ROTATION) becomes current (AWS KMS Developer Guide, "Rotate keys
// with imported key material" / RotateKeyOnDemand).
Result<std::shared_ptr<const Key>> Service::RotateToPendingMaterial(const Caller& c,
                                                                    const Key& key) {
  const Material* pending = key.pending_rotation();
  if (pending == nullptr) {
    // Recorded (test_rotate_key_on_demand_raises_for_no_pending_key_material).
    return KmsError(ErrorKind::kInvalidState,
                    "No available key material pending rotation for the key: " + key.arn + ".");
  }
  if (key.on_demand_rotations >= kMaxOnDemandRotations) {
    return KmsError(ErrorKind::kLimitExceeded,
                    "The on-demand rotations limit has been reached for the given keyId. No more "
                    "on-demand rotations can be performed for this key: " +
                        key.arn);
  }
  const std::string pending_id = pending->id;
  SEALSTACK_RETURN_IF_ERROR(Mutate(key.handle(), [&](Key& k) -> Status {
    for (auto& m : k.materials) {
      if (m->id != pending_id) continue;
      auto rotated = std::make_shared<Material>(*m);
      rotated->pending_rotation = false;
      rotated->rotation_type = "ON_DEMAND";
      rotated->created = clock_->Now();  // its RotationDate
      m = rotated;
      k.imported_material_id = rotated->id;
      k.expiration_model = rotated->expiration_model;
      k.valid_to = rotated->valid_to;
    }
    // The current material is the last one not pending: move the rotated one to the end.
    std::stable_partition(k.materials.begin(), k.materials.end(),
                          [&](const auto& m) { return m->id != pending_id; });
    ++k.on_demand_rotations;
    return Status::Ok();
  }));
  return Prepare(c, key.arn, true, kAnyState, "kms:DescribeKey");
}

Result<std::shared_ptr<const Key>> Service::RotateKeyOnDemand(const Caller& c,
                                                              std::string_view key_id) {
  SEALSTACK_ASSIGN_OR_RETURN(auto key,
                             PrepareOp(c, "RotateKeyOnDemand", key_id, false, kRotationOp));
  // AWS answers an asymmetric or HMAC key with an UnsupportedOperationException that has no
  // message.
  if (!IsSymmetric(key->spec)) return KmsError(ErrorKind::kUnsupportedOperation, "");
  if (key->origin == Origin::kExternal && !key->multi_region) {
    return RotateToPendingMaterial(c, *key);
  }
  SEALSTACK_RETURN_IF_ERROR(RotationSupported(*key));
  if (key->on_demand_rotations >= kMaxOnDemandRotations) {
    return KmsError(ErrorKind::kLimitExceeded,
                    "The on-demand rotations limit has been reached for the given keyId. No more "
                    "on-demand rotations can be performed for this key: " +
                        key->arn);
  }
  std::shared_ptr<const Material> added;  // made on the primary, shared with its replicas
  SEALSTACK_RETURN_IF_ERROR(MutateSet(key->handle(), [&](Key& k) -> Status {
    if (added == nullptr) {
      SEALSTACK_ASSIGN_OR_RETURN(added, NewMaterial(k, "ON_DEMAND"));
    }
    k.materials.push_back(added);
    ++k.on_demand_rotations;
    return Status::Ok();
  }));
  // Not DescribeKey(): that would count as a second operation (injected faults, audit).
  return Prepare(c, key->arn, true, kAnyState, "kms:DescribeKey");
}

// ---- tags

Status Service::TagResource(const Caller& c, std::string_view key_id,
                            const std::map<std::string, std::string>& tags) {
  ConditionKeys tag_keys;
  for (const auto& [k, v] : tags) {
    tag_keys["aws:RequestTag/" + k] = {v};
    tag_keys["aws:TagKeys"].push_back(k);
  }
  SEALSTACK_ASSIGN_OR_RETURN(
      auto key, PrepareOp(c, "TagResource", key_id, false, kManage, nullptr, tag_keys));
  for (const auto& [k, v] : tags) {
    if (IsReservedTagKey(k)) {
      return KmsError(ErrorKind::kTag, "Tags beginning with aws: are reserved");
    }
  }
  return Mutate(key->handle(), [&](Key& k) -> Status {
    for (const auto& [t, v] : tags) k.tags[t] = v;
    if (k.tags.size() > kMaxTagsPerKey) return KmsError(ErrorKind::kTag, "Too many tags");
    return Status::Ok();
  });
}

Status Service::UntagResource(const Caller& c, std::string_view key_id,
                              const std::vector<std::string>& tag_keys) {
  SEALSTACK_ASSIGN_OR_RETURN(auto key, PrepareOp(c, "UntagResource", key_id, false, kManage,
                                                 nullptr, {{"aws:TagKeys", tag_keys}}));
  for (const auto& t : tag_keys) {
    if (IsReservedTagKey(t)) {
      return KmsError(ErrorKind::kTag, "Tags beginning with aws: are reserved");
    }
  }
  return Mutate(key->handle(), [&](Key& k) {
    for (const auto& t : tag_keys) k.tags.erase(t);
    return Status::Ok();
  });
}

// ---- grants

Result<Grant> Service::CreateGrant(const Caller& c, const CreateGrantRequest& r) {
  SEALSTACK_RETURN_IF_ERROR(CheckFault(c, "CreateGrant", r.key_id));
  ConditionKeys grant_keys = {
      {"kms:GrantOperations", r.operations},
      {"kms:GranteePrincipal", {r.grantee}},
      {"kms:GrantIsForAWSResource", {c.via_service.empty() ? "false" : "true"}}};
  if (!r.retiring.empty()) grant_keys["kms:RetiringPrincipal"] = {r.retiring};
  if (r.constraints.encryption_context_equals) {
    grant_keys["kms:GrantConstraintType"] = {"EncryptionContextEquals"};
  } else if (r.constraints.encryption_context_subset) {
    grant_keys["kms:GrantConstraintType"] = {"EncryptionContextSubset"};
  }
  SEALSTACK_ASSIGN_OR_RETURN(auto key, Prepare(c, r.key_id, false, OperationClass::kCryptographic,
                                               "kms:CreateGrant", nullptr, grant_keys));
  MutexLock write(write_mu_);
  std::optional<Grant> existing;
  if (!r.name.empty()) {
    ReaderLock lock(mu_);
    for (const Grant* found : grants_.OfKey(key->handle())) {
      const Grant& g = *found;
      if (g.name == r.name && g.grantee == r.grantee && g.retiring == r.retiring &&
          g.operations == r.operations &&
          g.constraints.encryption_context_equals == r.constraints.encryption_context_equals &&
          g.constraints.encryption_context_subset == r.constraints.encryption_context_subset) {
        existing = g;
      }
    }
  }
  SEALSTACK_ASSIGN_OR_RETURN(std::string token_bytes, random_->Bytes(96));
  const std::string token = crypto::Base64(token_bytes);
  Grant g;
  if (existing) {
    g = *existing;  // same name and parameters: the same grant, a fresh token for it
  } else {
    SEALSTACK_ASSIGN_OR_RETURN(std::string id_bytes, random_->Bytes(32));
    g.id = crypto::Hex(id_bytes);
    g.key_id = key->handle();
    g.name = r.name;
    g.grantee = r.grantee;
    g.retiring = r.retiring;
    g.operations = r.operations;
    g.constraints = r.constraints;
    g.issuing_account = "arn:aws:iam::" + c.principal->account + ":root";
    g.created = clock_->Now();
    g.token = crypto::Hex(crypto::Sha256(token));
    SEALSTACK_RETURN_IF_ERROR(db_.WithTransaction([&](storage::Connection& conn) {
      SEALSTACK_RETURN_IF_ERROR(RunAuditHook(conn, key->arn));
      return storage::KmsRepo::PutGrant(conn, GrantToRow(g));
    }));
    WriterLock lock(mu_);
    grants_.Put(g.id, g);
  }
  {
    MutexLock lock(usage_mu_);
    extra_grant_tokens_[crypto::Hex(crypto::Sha256(token))] = g.id;
  }
  Grant out = g;
  out.token = token;  // the caller gets the token itself, once
  return out;
}

Result<std::vector<Grant>> Service::ListGrants(const Caller& c, std::string_view key_id,
                                               std::string_view grant_id, std::string_view grantee,
                                               const ListPage& page, std::string* next_marker) {
  SEALSTACK_ASSIGN_OR_RETURN(auto key, PrepareOp(c, "ListGrants", key_id, false, kAnyState));
  std::vector<Grant> all;
  {
    ReaderLock lock(mu_);
    for (const Grant* g : grants_.OfKey(key->handle())) {
      if ((grant_id.empty() || g->id == grant_id) && (grantee.empty() || g->grantee == grantee)) {
        all.push_back(*g);
      }
    }
  }
  if (!grant_id.empty() && all.empty()) {
    return KmsError(ErrorKind::kInvalidGrantId,
                    "Grant ID " + std::string(grant_id) + " is not valid for " + key->arn + ".");
  }
  std::sort(all.begin(), all.end(), [](const Grant& a, const Grant& b) {
    return a.created != b.created ? a.created < b.created : a.id < b.id;
  });
  return Paginate(
      all, page, [](const Grant& g) { return g.id; }, next_marker);
}

Result<std::vector<Grant>> Service::ListRetirableGrants(const Caller& c, std::string_view retiring,
                                                        const ListPage& page,
                                                        std::string* next_marker) {
  SEALSTACK_RETURN_IF_ERROR(CheckFault(c, "ListRetirableGrants"));
  RunDue();
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "kms:ListRetirableGrants", nullptr));
  std::vector<Grant> all;
  {
    ReaderLock lock(mu_);
    for (const auto& [id, g] : grants_.rows()) {
      if (g.retiring == retiring) all.push_back(g);
    }
  }
  return Paginate(
      all, page, [](const Grant& g) { return g.id; }, next_marker);
}

Status Service::RemoveGrant(const std::string& grant_id) {
  MutexLock write(write_mu_);
  SEALSTACK_RETURN_IF_ERROR(db_.WithTransaction([&](storage::Connection& conn) {
    SEALSTACK_RETURN_IF_ERROR(RunAuditHook(conn, std::string()));
    return storage::KmsRepo::DeleteGrant(conn, grant_id);
  }));
  WriterLock lock(mu_);
  grants_.Erase(grant_id);
  return Status::Ok();
}

Status Service::RetireGrant(const Caller& c, std::string_view grant_token, std::string_view key_id,
                            std::string_view grant_id) {
  SEALSTACK_RETURN_IF_ERROR(CheckFault(c, "RetireGrant", key_id));
  RunDue();
  std::optional<Grant> grant;
  if (!grant_token.empty()) {
    const std::string hash = crypto::Hex(crypto::Sha256(grant_token));
    std::string id;
    {
      MutexLock lock(usage_mu_);
      auto it = extra_grant_tokens_.find(hash);
      if (it != extra_grant_tokens_.end()) id = it->second;
    }
    ReaderLock lock(mu_);
    for (const auto& [gid, g] : grants_.rows()) {
      if (g.token == hash || gid == id) grant = g;
    }
    if (!grant) return KmsError(ErrorKind::kInvalidGrantToken, "Invalid grant token");
  } else {
    // Resolved without authorizing: the retiring principal needs no permission to retire.
    SEALSTACK_ASSIGN_OR_RETURN(Resolved r, Resolve(c, key_id, false));
    auto key = r.key;
    ReaderLock lock(mu_);
    const Grant* found = grants_.Find(std::string(grant_id));
    if (found == nullptr || found->key_id != key->handle()) return GrantNotFound(grant_id);
    grant = *found;
  }
  // Who may retire, as on AWS: the retiring principal and the grantee of a grant that
  // includes RetireGrant, without any policy; anyone else needs kms:RetireGrant on the key.
  const std::string& caller = c.principal->arn;
  bool grantee_may = grant->grantee == caller &&
                     std::find(grant->operations.begin(), grant->operations.end(), "RetireGrant") !=
                         grant->operations.end();
  if (grant->retiring != caller && !grantee_may) {
    std::shared_ptr<const Key> key;
    {
      ReaderLock lock(mu_);
      auto it = keys_.find(grant->key_id);
      if (it != keys_.end()) key = it->second;
    }
    SEALSTACK_RETURN_IF_ERROR(Authorize(c, "kms:RetireGrant", key.get()));
  }
  return RemoveGrant(grant->id);
}

Status Service::RevokeGrant(const Caller& c, std::string_view key_id, std::string_view grant_id) {
  SEALSTACK_ASSIGN_OR_RETURN(auto key, PrepareOp(c, "RevokeGrant", key_id, false, kAnyState));
  {
    ReaderLock lock(mu_);
    const Grant* found = grants_.Find(std::string(grant_id));
    if (found == nullptr || found->key_id != key->handle()) return GrantNotFound(grant_id);
  }
  return RemoveGrant(std::string(grant_id));
}

std::shared_ptr<const Key> Service::Current(const std::string& key_id) const {
  ReaderLock lock(mu_);
  auto it = keys_.find(key_id);
  return it == keys_.end() ? nullptr : it->second;
}

std::string Service::KeyArnOf(const std::string& key_id) const {
  ReaderLock lock(mu_);
  auto it = keys_.find(key_id);
  return it == keys_.end() ? KeyIdOfHandle(key_id) : it->second->arn;
}

std::shared_ptr<const Key> Service::KeyOfArn(std::string_view key_arn) const {
  // arn:aws:kms:REGION:ACCOUNT:key/ID
  const std::vector<std::string_view> parts = Split(key_arn, ':');
  if (parts.size() != 6 || parts[0] != "arn" || parts[2] != "kms" ||
      parts[5].substr(0, 4) != "key/") {
    return nullptr;
  }
  auto key = Current(KeyHandle(parts[5].substr(4), parts[3]));
  return key && key->arn == key_arn ? key : nullptr;
}

Result<std::shared_ptr<const Key>> Service::ListResourceTags(const Caller& c,
                                                             std::string_view key_id) {
  return PrepareOp(c, "ListResourceTags", key_id, false, kAnyState);
}

std::vector<Grant> Service::GrantsFor(const std::string& key_id) const {
  std::vector<Grant> out;
  ReaderLock lock(mu_);
  for (const Grant* g : grants_.OfKey(key_id)) out.push_back(*g);
  return out;
}

// ---- import

Result<std::shared_ptr<const Key>> Service::PrepareImport(const Caller& c, std::string_view op,
                                                          std::string_view key_id) {
  SEALSTACK_ASSIGN_OR_RETURN(auto key, PrepareOp(c, op, key_id, false, kManage));
  if (key->origin != Origin::kExternal) {
    return KmsError(ErrorKind::kUnsupportedOperation,
                    key->arn + " origin is AWS_KMS which is not valid for this operation.");
  }
  return key;
}

Result<Service::ImportParametersResult> Service::GetParametersForImport(
    const Caller& c, std::string_view key_id, std::string_view wrapping_algorithm,
    std::string_view wrapping_key_spec) {
  SEALSTACK_ASSIGN_OR_RETURN(auto key, PrepareImport(c, "GetParametersForImport", key_id));
  auto spec = crypto::ParseWrappingKeySpec(wrapping_key_spec);
  auto alg = crypto::ParseWrappingAlgorithm(wrapping_algorithm);
  if (!spec || !alg) return KmsError(ErrorKind::kValidation, "Unsupported wrapping parameters.");
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes wrapping_key, crypto::GenerateWrappingKey(*spec));
  SEALSTACK_ASSIGN_OR_RETURN(std::string public_key, crypto::PublicKeyDer(wrapping_key));
  SEALSTACK_ASSIGN_OR_RETURN(std::string token_bytes, random_->Bytes(96));
  ImportParameters params;
  params.token = crypto::Base64(token_bytes);
  params.wrapping_key = std::move(wrapping_key);
  params.wrapping_algorithm = std::string(wrapping_algorithm);
  params.valid_to = clock_->Now() + kOneDay;
  ImportParametersResult out{key->arn, params.token, public_key, params.valid_to};
  SEALSTACK_RETURN_IF_ERROR(Mutate(key->handle(), [&](Key& k) {
    k.import = std::move(params);
    return Status::Ok();
  }));
  return out;
}

Result<std::shared_ptr<const Key>> Service::ImportKeyMaterial(
    const Caller& c, std::string_view key_id, std::string_view import_token,
    std::string_view encrypted_material, std::optional<SystemTime> valid_to, ExpirationModel model,
    const ImportOptions& options, std::string* imported_id) {
  SEALSTACK_ASSIGN_OR_RETURN(auto key, PrepareImport(c, "ImportKeyMaterial", key_id));
  if (!key->import || key->import->token != import_token) {
    return KmsError(ErrorKind::kInvalidImportToken, "Import token is not valid for " + key->arn);
  }
  if (clock_->Now() > key->import->valid_to) {
    return KmsError(ErrorKind::kExpiredImportToken, "Import token has expired.");
  }
  SEALSTACK_ASSIGN_OR_RETURN(auto wrapping,
                             crypto::PrivateKey::FromPkcs8(key->import->wrapping_key));
  auto alg = crypto::ParseWrappingAlgorithm(key->import->wrapping_algorithm);
  auto material = crypto::UnwrapImportedKeyMaterial(wrapping, *alg, encrypted_material);
  if (!material.ok()) {
    return KmsError(ErrorKind::kInvalidCiphertext,
                    "The wrapped key material could not be decrypted with the wrapping key.");
  }
  if (IsSymmetric(key->spec) && material->size() != 32) {
    return KmsError(ErrorKind::kIncorrectKeyMaterial,
                    "Symmetric key material must be 256 bits (32 bytes).");
  }
  if (auto h = AsHmac(key->spec);
      h && (material->size() < crypto::HmacKeySize(*h) / 2 || material->size() > 64)) {
    return KmsError(ErrorKind::kIncorrectKeyMaterial, "HMAC key material has the wrong length.");
  }
  if (auto a = AsAsymmetric(key->spec)) {
    auto detected = crypto::DetectKeySpec(*material);
    if (!detected.ok() || *detected != *a) {
      return KmsError(
          ErrorKind::kIncorrectKeyMaterial,
          "The key material is not a " + std::string(Name(key->spec)) + " private key.");
    }
  }
  SEALSTACK_ASSIGN_OR_RETURN(std::string mac,
                             crypto::Mac(crypto::MacAlgorithm::kHmacSha256, *material,
                                         "sealstack-imported-key-material:" + key->id));
  const std::string material_id = crypto::Hex(mac);
  // ImportType (symmetric keys): new material goes next to the current one and waits for
  // RotateKeyOnDemand; existing material must be material this key already had.
  // (ImportType is for symmetric keys only; others take the default.)
  const bool is_new = IsSymmetric(key->spec)
                          ? options.new_key_material.value_or(key->imported_material_id.empty())
                          : key->imported_material_id.empty();
  if (options.material_id && *options.material_id != material_id) {
    return KmsError(ErrorKind::kIncorrectKeyMaterial,
                    "The key material ID " + *options.material_id +
                        " does not match the key material being imported into " + key->arn + ".");
  }
  const Material* existing = key->FindMaterial(material_id);
  const DeletedMaterial* deleted = key->FindDeleted(material_id);
  const Material* pending = key->pending_rotation();
  // Whether the key has (or had, when it is deleted) current material.
  const bool has_current = !key->imported_material_id.empty() || key->current() != nullptr;
  if (is_new && has_current && existing == nullptr && pending != nullptr) {
    // Recorded (test_import_key_material_raises_if_there_is_already_key_material_pending).
    return KmsError(ErrorKind::kInvalidState,
                    "New key material (id: " + material_id + ") cannot be imported into KMS key " +
                        key->arn + ", because another key material (id: " + pending->id +
                        ") is pending rotation.");
  }
  if (!is_new && existing == nullptr && deleted == nullptr &&
      key->imported_material_id != material_id) {
    return KmsError(
        ErrorKind::kIncorrectKeyMaterial,
        "The key material is not the material previously imported into " + key->arn + ".");
  }
  if (model == ExpirationModel::kExpires && !valid_to) {
    return KmsError(ErrorKind::kValidation,
                    "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES");
  }
  if (valid_to && *valid_to <= clock_->Now()) {
    return KmsError(ErrorKind::kValidation, "ValidTo must be a time in the future.");
  }
  // "The maximum value is 365 days from the request date." (ImportKeyMaterial, ValidTo)
  if (valid_to && *valid_to > clock_->Now() + kOneDay * 365) {
    return KmsError(ErrorKind::kValidation,
                    "ValidTo must be no more than 365 days from the time of the request.");
  }
  if (model == ExpirationModel::kDoesNotExpire && valid_to) {
    return KmsError(
        ErrorKind::kValidation,
        "ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.");
  }
  // New material imported into a key that has current material waits for rotation.
  const bool to_pending =
      IsSymmetric(key->spec) && is_new && has_current && existing == nullptr && deleted == nullptr;
  const int64_t seq = key->materials.empty() ? 1 : key->materials.back()->seq + 1;
  SEALSTACK_ASSIGN_OR_RETURN(
      auto made, MaterialFromBytes(*key, std::move(*material), material_id, "", true, seq));
  {
    auto m = std::const_pointer_cast<Material>(made);
    m->expiration_model = model;
    m->valid_to = valid_to;
    m->pending_rotation = to_pending || (existing != nullptr && existing->pending_rotation);
    // "KMS retains the value you specified when you last imported the same key material".
    m->description = options.description   ? *options.description
                     : existing != nullptr ? existing->description
                                           : "";
    if (existing != nullptr) {
      m->seq = existing->seq;
      m->created = existing->created;
      m->rotation_type = existing->rotation_type;
    } else if (deleted != nullptr) {  // imported again into its place
      m->seq = deleted->seq;
      m->created = deleted->created;
      m->rotation_type = deleted->rotation_type;
      m->pending_rotation = deleted->pending_rotation;
      if (!options.description) m->description = deleted->description;
    }
  }
  SEALSTACK_RETURN_IF_ERROR(Mutate(key->handle(), [&](Key& k) {
    if (to_pending) {
      k.materials.push_back(made);
    } else if (existing != nullptr) {
      for (auto& m : k.materials) {
        if (m->id == material_id) m = made;  // re-import: new expiration, same place
      }
    } else if (deleted != nullptr) {
      auto pos = std::find_if(k.materials.begin(), k.materials.end(),
                              [&](const auto& m) { return m->seq > made->seq; });
      k.materials.insert(pos, made);
      k.deleted_materials.erase(
          std::remove_if(k.deleted_materials.begin(), k.deleted_materials.end(),
                         [&](const DeletedMaterial& d) { return d.id == material_id; }),
          k.deleted_materials.end());
    } else {
      k.materials.clear();          // the first material (or, in rows older than deleted_materials,
      k.materials.push_back(made);  // the current one imported again)
    }
    const bool first = k.imported_material_id.empty();
    if (first || material_id == k.imported_material_id) {
      k.imported_material_id = material_id;
      k.expiration_model = model;
      k.valid_to = valid_to;
      // The key is usable again once its current material is back.
      if (k.state == KeyState::kPendingImport) k.state = KeyState::kEnabled;
    }
    k.import.reset();  // an import token is good for one import
    return Status::Ok();
  }));
  if (imported_id != nullptr) *imported_id = material_id;
  return Current(key->handle());
}

Result<std::shared_ptr<const Key>> Service::DeleteImportedKeyMaterial(
    const Caller& c, std::string_view key_id, std::optional<std::string> material_id,
    std::string* deleted_id) {
  SEALSTACK_ASSIGN_OR_RETURN(auto key, PrepareImport(c, "DeleteImportedKeyMaterial", key_id));
  // "If no KeyMaterialId is specified, KMS deletes the current key material."
  const std::string target = material_id ? *material_id : key->imported_material_id;
  if (material_id && key->FindMaterial(target) == nullptr && key->FindDeleted(target) == nullptr) {
    return KmsError(ErrorKind::kNotFound,
                    "Key material " + target + " is not associated with " + key->arn + ".");
  }
  SEALSTACK_RETURN_IF_ERROR(Mutate(key->handle(), [&](Key& k) {
    if (!DeleteImportedMaterial(k, target) && target == k.imported_material_id) {
      // Already deleted, or rows older than deleted_materials: the key waits for an import.
      k.materials.clear();
      k.valid_to.reset();
      k.expiration_model = ExpirationModel::kNone;
      k.state = KeyState::kPendingImport;
    }
    return Status::Ok();
  }));
  if (deleted_id != nullptr) *deleted_id = target;
  return Current(key->handle());
}

Result<std::shared_ptr<const Key>> Service::GetKeyLastUsage(const Caller& c,
                                                            std::string_view key_id,
                                                            std::optional<LastUsage>* usage) {
  SEALSTACK_ASSIGN_OR_RETURN(auto key, PrepareOp(c, "GetKeyLastUsage", key_id, true, kAnyState));
  if (usage_source_.last_usage) {
    *usage = usage_source_.last_usage(*key);
    return key;
  }
  MutexLock lock(usage_mu_);
  auto it = last_usage_.find(key->handle());
  if (it != last_usage_.end()) *usage = it->second;
  return key;
}

}  // namespace sealstack::api::kms
