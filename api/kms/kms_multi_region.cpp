// kms::Service: multi-Region keys (ReplicateKey, UpdatePrimaryRegion), after the AWS KMS
// Developer Guide's "Multi-Region keys in AWS KMS" and the ReplicateKey/UpdatePrimaryRegion API
// references. A primary and its replicas are separate Keys (one per region) sharing key id, key
// material, spec, usage, origin and rotation; every key of the set records the set's shape
// (primary region, replica regions), and every change to the shape is one transaction over
// all of them.
#include <algorithm>

#include "api/kms/kms_errors.h"
#include "api/kms/kms_service.h"

namespace sealstack::api::kms {

namespace {

Status NotMultiRegionPrimary(const Key& key) {
  return KmsError(ErrorKind::kUnsupportedOperation,
                  key.arn + " is not a multi-region primary key.");
}

}  // namespace

Result<std::shared_ptr<const Key>> Service::ReplicateKey(const Caller& c,
                                                         const ReplicateKeyRequest& r) {
  SEALSTACK_ASSIGN_OR_RETURN(
      auto primary, PrepareOp(c, "ReplicateKey", r.key_id, false, OperationClass::kManage, nullptr,
                              {{"kms:ReplicaRegion", {r.replica_region}}}));
  if (!primary->multi_region || primary->is_replica()) return NotMultiRegionPrimary(*primary);

  // The replica is created by the caller in the replica's region: kms:CreateKey there (and
  // kms:TagResource for its tags, as ABAC condition keys of that call).
  Caller replica_caller = c;
  replica_caller.region = r.replica_region;
  ConditionKeys create_keys = {
      {"kms:KeySpec", {std::string(Name(primary->spec))}},
      {"kms:KeyUsage", {std::string(Name(primary->usage))}},
      {"kms:KeyOrigin", {std::string(Name(primary->origin))}},
      {"kms:MultiRegion", {"true"}},
      {"kms:MultiRegionKeyType", {"REPLICA"}},
      {"kms:BypassPolicyLockoutSafetyCheck", {r.bypass_policy_lockout_check ? "true" : "false"}}};
  for (const auto& [k, v] : r.tags) {
    create_keys["aws:RequestTag/" + k] = {v};
    create_keys["aws:TagKeys"].push_back(k);
  }
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(replica_caller, "kms:CreateKey", nullptr, nullptr, create_keys));

  MutexLock write(write_mu_);
  std::vector<std::string> handles;
  {
    ReaderLock lock(mu_);
    auto it = keys_.find(primary->handle());
    if (it == keys_.end()) {
      return KmsError(ErrorKind::kNotFound, "Key '" + primary->arn + "' does not exist");
    }
    primary = it->second;  // the set as it is now, under the write lock
    // One key of the set per region: the primary's own region, or a region that already has a
    // replica (even one pending deletion), cannot take another.
    if (keys_.count(KeyHandle(primary->id, r.replica_region)) != 0) {
      return KmsError(ErrorKind::kAlreadyExists,
                      KeyArn(r.replica_region, primary->account, primary->id) + " already exists.");
    }
    handles = SetHandles(*primary);
  }

  auto replica = std::make_shared<Key>();
  replica->id = primary->id;
  replica->account = primary->account;
  replica->region = r.replica_region;
  replica->arn = KeyArn(replica->region, replica->account, replica->id);
  replica->created = clock_->Now();
  replica->description = r.description;
  replica->spec = primary->spec;
  replica->usage = primary->usage;
  replica->origin = primary->origin;
  replica->policy = r.policy ? *r.policy : DefaultPolicy(replica->account);
  replica->tags = r.tags;
  replica->rotation_enabled = primary->rotation_enabled;
  replica->rotation_period_days = primary->rotation_period_days;
  replica->next_rotation = primary->next_rotation;
  replica->on_demand_rotations = primary->on_demand_rotations;
  replica->multi_region = true;
  replica->primary_region = primary->primary_region;
  replica->replica_regions = primary->replica_regions;
  replica->replica_regions.push_back(r.replica_region);
  if (r.policy && !r.bypass_policy_lockout_check && lockout_checker_) {
    SEALSTACK_RETURN_IF_ERROR(lockout_checker_(replica_caller, *replica, *r.policy));
  }
  if (primary->origin == Origin::kExternal) {
    // Imported material is not copied: the same material must be imported into the replica.
    replica->state = KeyState::kPendingImport;
  } else {
    replica->materials = primary->materials;  // shared: ciphertexts decrypt in either region
  }

  SEALSTACK_RETURN_IF_ERROR(MutateKeysLocked(
      handles,
      [&](Key& k) {
        k.replica_regions.push_back(r.replica_region);
        return Status::Ok();
      },
      [&](storage::Connection& conn) -> Status {
        SEALSTACK_RETURN_IF_ERROR(PersistKey(conn, *replica));
        for (const auto& m : replica->materials) {
          SEALSTACK_RETURN_IF_ERROR(PersistMaterial(conn, *replica, *m));
        }
        return Status::Ok();
      }));
  {
    WriterLock lock(mu_);
    keys_[replica->handle()] = replica;
  }
  UpdateNextDue();
  return std::shared_ptr<const Key>(replica);
}

Status Service::UpdatePrimaryRegion(const Caller& c, std::string_view key_id,
                                    std::string_view primary_region) {
  SEALSTACK_ASSIGN_OR_RETURN(
      auto primary, PrepareOp(c, "UpdatePrimaryRegion", key_id, false, OperationClass::kManage));
  if (!primary->multi_region || primary->is_replica()) return NotMultiRegionPrimary(*primary);
  const std::string region(primary_region);
  if (region == primary->region) return Status::Ok();  // already the primary's region
  // The new primary must be an existing replica; it is authorized and state-checked in its
  // own region.
  Caller replica_caller = c;
  replica_caller.region = region;
  SEALSTACK_ASSIGN_OR_RETURN(
      auto replica, Prepare(replica_caller, KeyArn(region, primary->account, primary->id), false,
                            OperationClass::kManage, "kms:UpdatePrimaryRegion"));
  const std::string old_primary = primary->region;
  return MutateSet(primary->handle(), [&](Key& k) {
    k.primary_region = region;
    for (auto& r : k.replica_regions) {
      if (r == region) r = old_primary;
    }
    return Status::Ok();
  });
}

}  // namespace sealstack::api::kms
