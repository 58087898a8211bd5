// kms::Service: key lifecycle, resolution, authorization preamble, persistence, RunDue.
// Cryptographic operations are in kms_crypto.cpp; aliases, policies, rotation, tags, grants
// and import in kms_manage.cpp.
#include "api/kms/kms_service.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "api/kms/key_state.h"
#include "api/kms/kms_errors.h"
#include "api/kms/kms_persist.h"
#include "api/kms/paging.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "crypto/digest.h"
#include "crypto/hmac_key.h"

namespace sealstack::api::kms {

namespace {

// The description AWS gives the AWS-managed key of a service, as DescribeKey returns it. S3's is
// AWS's text for aws/s3 (PROTOCOL.md 3.3; keys made before 2021 said "Default master key ...");
// for services without a known text, the same sentence with "<service> data".
std::string AwsManagedKeyDescription(const std::string& service) {
  if (service == "s3")
    return "Default key that protects my S3 objects when no other key is defined";
  return "Default key that protects my " + service + " data when no other key is defined";
}

bool IsUuid(std::string_view s) {
  return UuidToBytes(s).has_value();
}

// A well-formed key id: a UUID, or a multi-Region key id "mrk-" + 32 hex digits.
bool IsKeyIdForm(std::string_view s) {
  if (IsUuid(s)) return true;
  if (s.size() != 36 || !StartsWith(s, "mrk-")) return false;
  for (char c : s.substr(4)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

int64_t ToMicros(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace

Service::Service(storage::Database& db, const crypto::SecretBytes& root_key,
                 std::shared_ptr<const Clock> clock, std::shared_ptr<crypto::RandomSource> random)
    : db_(db), root_key_(root_key), clock_(std::move(clock)), random_(std::move(random)) {
  tracking_start_ = clock_->Now();
}

Result<std::unique_ptr<Service>> Service::Open(storage::Database& db,
                                               const crypto::SecretBytes& root_key,
                                               std::shared_ptr<const Clock> clock,
                                               std::shared_ptr<crypto::RandomSource> random) {
  std::unique_ptr<Service> s(new Service(db, root_key, std::move(clock), std::move(random)));
  SEALSTACK_RETURN_IF_ERROR(s->Load());
  return s;
}

namespace {

void LogDamagedKey(const Key& key) {
  std::fprintf(stderr,
               "sealstack: KMS key %s: stored key material does not open (%s); "
               "cryptographic operations on it will fail\n",
               key.arn.c_str(), key.damaged.c_str());
}

}  // namespace

Status Service::Load() {
  SEALSTACK_ASSIGN_OR_RETURN(storage::KmsRepo::Snapshot snap, db_.Read([&](storage::Connection& c) {
    return storage::KmsRepo::LoadAll(c);
  }));
  std::unordered_map<std::string, std::shared_ptr<Key>> loaded;
  for (const auto& row : snap.keys) {
    SEALSTACK_ASSIGN_OR_RETURN(Key k, KeyFromRow(row, root_key_));
    auto key = std::make_shared<Key>(std::move(k));  // not loaded[k.id] = ...(std::move(k)):
    loaded[key->handle()] = std::move(key);          // the right side runs first (C++17)
  }
  for (const auto& row : snap.materials) {
    auto it = loaded.find(row.key_id);
    if (it == loaded.end()) continue;
    auto m = MaterialFromRow(row, root_key_);
    if (!m.ok()) {
      // One damaged key must not take the others down: it answers KMSInternalException.
      it->second->damaged = m.status().message();
      LogDamagedKey(*it->second);
      continue;
    }
    auto material = MaterialFromBytes(*it->second, std::move(m->bytes), m->id, m->rotation_type,
                                      m->imported, m->seq);
    if (!material.ok()) {
      it->second->damaged = material.status().message();
      LogDamagedKey(*it->second);
      continue;
    }
    auto mutable_m = std::const_pointer_cast<Material>(*material);
    mutable_m->created = m->created;
    mutable_m->description = m->description;
    mutable_m->expiration_model = m->expiration_model;
    mutable_m->valid_to = m->valid_to;
    mutable_m->pending_rotation = m->pending_rotation;
    it->second->materials.push_back(*material);
  }
  {
    WriterLock lock(mu_);
    for (auto& [id, k] : loaded) keys_[id] = k;
    for (const auto& row : snap.aliases) {
      aliases_.Put(
          AliasMapKey(row.account, row.region, row.alias_name),
          Alias{row.account, row.region, row.alias_name, row.key_id,
                SystemTime(std::chrono::microseconds(static_cast<int64_t>(row.created_at * 1e6))),
                SystemTime(std::chrono::microseconds(static_cast<int64_t>(row.updated_at * 1e6)))});
    }
    for (const auto& row : snap.grants) {
      SEALSTACK_ASSIGN_OR_RETURN(Grant g, GrantFromRow(row));
      std::string id = g.id;
      grants_.Put(id, std::move(g));
    }
  }
  UpdateNextDue();
  return Status::Ok();
}

std::string Service::NewUuid() {
  auto bytes = random_->Bytes(16);
  std::string b = bytes.ok() ? *bytes : std::string(16, '\0');
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  return UuidFromBytes(b);
}

std::string Service::DefaultPolicy(const std::string& account) const {
  return "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n"
         "  \"Statement\" : [ {\n    \"Sid\" : \"Enable IAM User Permissions\",\n"
         "    \"Effect\" : \"Allow\",\n    \"Principal\" : {\n      \"AWS\" : \"arn:aws:iam::" +
         account +
         ":root\"\n    },\n    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  } ]\n}";
}

Result<std::shared_ptr<const Material>> Service::MaterialFromBytes(const Key& key,
                                                                   crypto::SecretBytes bytes,
                                                                   std::string id,
                                                                   std::string rotation,
                                                                   bool imported, int64_t seq) {
  auto m = std::make_shared<Material>();
  m->id = std::move(id);
  m->seq = seq;
  m->created = clock_->Now();
  m->rotation_type = std::move(rotation);
  m->imported = imported;
  if (IsAsymmetric(key.spec)) {
    SEALSTACK_ASSIGN_OR_RETURN(crypto::PrivateKey pk, crypto::PrivateKey::FromPkcs8(bytes));
    m->private_key = std::make_shared<const crypto::PrivateKey>(std::move(pk));
  }
  m->bytes = std::move(bytes);
  return std::shared_ptr<const Material>(std::move(m));
}

Result<std::shared_ptr<const Material>> Service::NewMaterial(const Key& key,
                                                             std::string rotation_type) {
  crypto::SecretBytes bytes;
  if (auto a = AsAsymmetric(key.spec)) {
    SEALSTACK_ASSIGN_OR_RETURN(bytes, crypto::GenerateKeyPair(*a));
  } else if (auto h = AsHmac(key.spec)) {
    SEALSTACK_ASSIGN_OR_RETURN(bytes, crypto::GenerateHmacKey(*h, *random_));
  } else {
    SEALSTACK_ASSIGN_OR_RETURN(bytes, random_->Secret(32));
  }
  SEALSTACK_ASSIGN_OR_RETURN(std::string id_bytes, random_->Bytes(32));
  int64_t seq = key.materials.empty() ? 1 : key.materials.back()->seq + 1;
  return MaterialFromBytes(key, std::move(bytes), crypto::Hex(id_bytes), std::move(rotation_type),
                           false, seq);
}

Status Service::PersistKey(storage::Connection& conn, const Key& key) {
  SEALSTACK_ASSIGN_OR_RETURN(storage::KmsKeyRow row, KeyToRow(key, root_key_, *random_));
  return storage::KmsRepo::PutKey(conn, row);
}

Status Service::PersistMaterial(storage::Connection& conn, const Key& key, const Material& m) {
  SEALSTACK_ASSIGN_OR_RETURN(storage::KmsMaterialRow row,
                             MaterialToRow(key, m, root_key_, *random_));
  return storage::KmsRepo::PutMaterial(conn, row);
}

Status Service::Mutate(const std::string& key_id, const std::function<Status(Key&)>& edit) {
  MutexLock write(write_mu_);
  return MutateKeysLocked({key_id}, edit);
}

std::vector<std::string> Service::SetHandles(const Key& key) {
  if (!key.multi_region) return {key.handle()};
  std::vector<std::string> out{KeyHandle(key.id, key.primary_region)};
  for (const auto& r : key.replica_regions) out.push_back(KeyHandle(key.id, r));
  return out;
}

Status Service::MutateSet(const std::string& handle, const std::function<Status(Key&)>& edit) {
  MutexLock write(write_mu_);
  std::vector<std::string> handles;
  {
    ReaderLock lock(mu_);
    auto it = keys_.find(handle);
    if (it == keys_.end()) {
      return KmsError(ErrorKind::kNotFound, "Key '" + handle + "' does not exist");
    }
    handles = SetHandles(*it->second);
  }
  return MutateKeysLocked(handles, edit);
}

Status Service::MutateKeysLocked(const std::vector<std::string>& handles,
                                 const std::function<Status(Key&)>& edit,
                                 const std::function<Status(storage::Connection&)>& also) {
  std::vector<std::shared_ptr<const Key>> olds;
  {
    ReaderLock lock(mu_);
    for (const auto& h : handles) {
      auto it = keys_.find(h);
      if (it == keys_.end())
        return KmsError(ErrorKind::kNotFound, "Key '" + KeyIdOfHandle(h) + "' does not exist");
      olds.push_back(it->second);
    }
  }
  std::vector<std::shared_ptr<Key>> updated;
  for (const auto& old : olds) {
    updated.push_back(std::make_shared<Key>(*old));
    SEALSTACK_RETURN_IF_ERROR(edit(*updated.back()));
  }
  SEALSTACK_RETURN_IF_ERROR(db_.WithTransaction([&](storage::Connection& c) -> Status {
    if (!updated.empty()) SEALSTACK_RETURN_IF_ERROR(RunAuditHook(c, updated.front()->arn));
    for (size_t i = 0; i < updated.size(); ++i) {
      const Key& now = *updated[i];
      const Key& old = *olds[i];
      SEALSTACK_RETURN_IF_ERROR(PersistKey(c, now));
      // Persist the materials the edit added or replaced (a Material is immutable: a changed
      // one is a new object with the same id).
      for (const auto& m : now.materials) {
        if (old.FindMaterial(m->id) != m.get())
          SEALSTACK_RETURN_IF_ERROR(PersistMaterial(c, now, *m));
      }
      for (const auto& m : old.materials) {
        if (now.FindMaterial(m->id) == nullptr) {
          SEALSTACK_RETURN_IF_ERROR(storage::KmsRepo::DeleteMaterial(c, now.handle(), m->id));
        }
      }
    }
    if (also) SEALSTACK_RETURN_IF_ERROR(also(c));
    return Status::Ok();
  }));
  {
    WriterLock lock(mu_);
    for (size_t i = 0; i < updated.size(); ++i) keys_[handles[i]] = std::move(updated[i]);
  }
  UpdateNextDue();
  return Status::Ok();
}

// ---- resolution and authorization

Result<Service::Resolved> Service::Resolve(const Caller& c, std::string_view key_id,
                                           bool allow_alias) {
  const std::string& account = c.principal->account;
  std::string_view region = c.region;
  auto not_found_key = [](const std::string& arn) {
    return KmsError(ErrorKind::kNotFound, "Key '" + arn + "' does not exist");
  };
  auto find_key = [&](const std::string& id) -> std::shared_ptr<const Key> {
    ReaderLock lock(mu_);
    auto it = keys_.find(id);
    return it == keys_.end() ? nullptr : it->second;
  };
  auto by_alias = [&](std::string_view acct, std::string_view rgn,
                      std::string_view name) -> Result<Resolved> {
    std::optional<Alias> alias;
    {
      ReaderLock lock(mu_);
      if (const Alias* a = aliases_.Find(AliasMapKey(acct, rgn, name))) alias = *a;
    }
    if (!alias && StartsWith(name, "alias/aws/") && acct == account && rgn == region) {
      // AWS-managed keys come into being on first use of their alias.
      SEALSTACK_RETURN_IF_ERROR(CreateAwsManagedKey(c, name));
      ReaderLock lock(mu_);
      if (const Alias* a = aliases_.Find(AliasMapKey(acct, rgn, name))) alias = *a;
    }
    if (!alias) {
      return KmsError(ErrorKind::kNotFound,
                      "Alias " + AliasArn(rgn, acct, name) + " is not found.");
    }
    auto key = find_key(alias->key_id);
    if (!key) return not_found_key(KeyArn(rgn, acct, alias->key_id));
    return Resolved{key, std::string(name)};
  };

  if (StartsWith(key_id, "arn:")) {
    // arn:aws:kms:REGION:ACCOUNT:key/ID | alias/NAME
    auto parts = Split(key_id, ':');
    if (parts.size() < 6 || parts[1] != "aws" || parts[2] != "kms") {
      return KmsError(ErrorKind::kNotFound, "Invalid arn " + std::string(key_id));
    }
    std::string_view rgn = parts[3], acct = parts[4];
    // Regions are separate: an ARN naming another region is not found, whatever it names.
    if (rgn != region) return KmsError(ErrorKind::kNotFound, "Invalid arn " + std::string(rgn));
    size_t pos = 0;  // the resource is everything after the fifth ':'
    for (int i = 0; i < 5; ++i) pos = key_id.find(':', pos) + 1;
    std::string_view resource = key_id.substr(pos);
    if (StartsWith(resource, "key/")) {
      std::string id(resource.substr(4));
      auto key = find_key(KeyHandle(id, rgn));
      if (!key || key->account != acct || key->region != rgn) {
        return not_found_key(std::string(key_id));
      }
      return Resolved{key, ""};
    }
    if (StartsWith(resource, "alias/") && allow_alias) return by_alias(acct, rgn, resource);
    return KmsError(ErrorKind::kNotFound, "Invalid keyId '" + std::string(key_id) + "'");
  }
  if (StartsWith(key_id, "alias/")) {
    if (!allow_alias) {
      return KmsError(ErrorKind::kNotFound, "Invalid keyId '" + std::string(key_id) + "'");
    }
    return by_alias(account, region, key_id);
  }
  if (!IsKeyIdForm(key_id)) {
    return KmsError(ErrorKind::kNotFound, "Invalid keyId '" + std::string(key_id) + "'");
  }
  std::string id(key_id);
  auto key = find_key(KeyHandle(id, region));
  // A bare key id names a key in the caller's own account and region only.
  if (!key || key->account != account || key->region != region) {
    return not_found_key(KeyArn(region, account, id));
  }
  return Resolved{key, ""};
}

Status Service::Authorize(const Caller& c, std::string_view action, const Key* key,
                          const EncryptionContext* context, const ConditionKeys& extra) {
  AuthorizationRequest req;
  req.caller = &c;
  req.action = std::string(action);
  req.key = key;
  req.encryption_context = context;
  req.extra_condition_keys = extra;
  if (authorizer_) return authorizer_(req);
  if (key == nullptr || key->account == c.principal->account) return Status::Ok();
  return KmsError(
      ErrorKind::kAccessDenied,
      "User: " + c.principal->arn + " is not authorized to perform: " + std::string(action) +
          " on resource: " + key->arn + " because no resource-based policy allows the " +
          std::string(action) + " action");
}

Result<std::shared_ptr<const Key>> Service::Prepare(const Caller& c, std::string_view key_id,
                                                    bool allow_alias, OperationClass op_class,
                                                    std::string_view action,
                                                    const EncryptionContext* context,
                                                    ConditionKeys extra) {
  RunDue();
  SEALSTACK_ASSIGN_OR_RETURN(Resolved r, Resolve(c, key_id, allow_alias));
  if (c.audit_key_arns != nullptr && std::find(c.audit_key_arns->begin(), c.audit_key_arns->end(),
                                               r.key->arn) == c.audit_key_arns->end()) {
    c.audit_key_arns->push_back(r.key->arn);
  }
  if (!r.request_alias.empty()) extra["kms:RequestAlias"] = {r.request_alias};
  // AWS authorizes before it reveals the key's state.
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, action, r.key.get(), context, extra));
  SEALSTACK_RETURN_IF_ERROR(CheckKeyState(op_class, r.key->state, r.key->arn));
  if (!r.key->damaged.empty() && op_class == OperationClass::kCryptographic) {
    return KmsError(ErrorKind::kInternal,
                    "The key material of " + r.key->arn +
                        " failed its integrity check at load; it cannot be used.");
  }
  return r.key;
}

Result<std::shared_ptr<const Key>> Service::PrepareOp(const Caller& c, std::string_view op,
                                                      std::string_view key_id, bool allow_alias,
                                                      OperationClass op_class,
                                                      const EncryptionContext* context,
                                                      ConditionKeys extra) {
  SEALSTACK_RETURN_IF_ERROR(CheckFault(c, op, key_id));
  return Prepare(c, key_id, allow_alias, op_class, "kms:" + std::string(op), context,
                 std::move(extra));
}

void Service::NoteUse(const Key& key, std::string_view operation) {
  MutexLock lock(usage_mu_);
  last_usage_[key.handle()] = LastUsage{std::string(operation), clock_->Now(), ""};
}

// ---- RunDue: the clock's consequences

void Service::UpdateNextDue() {
  int64_t next = INT64_MAX;
  ReaderLock lock(mu_);
  for (const auto& [id, k] : keys_) {
    if (k->state == KeyState::kPendingDeletion && k->deletion_date) {
      next = std::min(next, ToMicros(*k->deletion_date));
    }
    if (k->rotation_enabled && k->next_rotation && k->state == KeyState::kEnabled &&
        !k->is_replica()) {
      next = std::min(next, ToMicros(*k->next_rotation));
    }
    if (k->expiration_model == ExpirationModel::kExpires && k->valid_to &&
        k->state != KeyState::kPendingImport && k->state != KeyState::kPendingDeletion) {
      next = std::min(next, ToMicros(*k->valid_to));
    }
    if (k->state != KeyState::kPendingDeletion) {
      for (const auto& m : k->materials) {
        if (m->expiration_model == ExpirationModel::kExpires && m->valid_to) {
          next = std::min(next, ToMicros(*m->valid_to));
        }
      }
    }
  }
  next_due_us_ = next;
}

void Service::RunDue() {
  const SystemTime now = clock_->Now();
  if (ToMicros(now) < next_due_us_.load()) return;
  ScopedAuditHook no_audit(nullptr);  // what falls due is not the calling request's doing
  std::vector<std::shared_ptr<const Key>> due;
  {
    ReaderLock lock(mu_);
    for (const auto& [id, k] : keys_) due.push_back(k);
  }
  for (const auto& k : due) {
    if (k->state == KeyState::kPendingDeletion && k->deletion_date && *k->deletion_date <= now) {
      MutexLock write(write_mu_);
      // A deleted replica leaves its set; a primary waiting for its last replica's deletion
      // (PendingReplicaDeletion) then starts its own waiting period.
      std::vector<std::string> peers;
      if (k->multi_region) {
        for (const auto& h : SetHandles(*k)) {
          ReaderLock lock(mu_);
          if (h != k->handle() && keys_.count(h) != 0) peers.push_back(h);
        }
      }
      auto leave_set = [&](Key& key) -> Status {
        auto& regions = key.replica_regions;
        regions.erase(std::remove(regions.begin(), regions.end(), k->region), regions.end());
        if (key.state == KeyState::kPendingReplicaDeletion && !key.is_replica() &&
            regions.empty()) {
          key.state = KeyState::kPendingDeletion;
          key.deletion_date = now + kOneDay * key.pending_window_days;
        }
        return Status::Ok();
      };
      auto delete_row = [&](storage::Connection& c) -> Status {
        return storage::KmsRepo::DeleteKey(c, k->handle());
      };
      Status st = peers.empty() ? db_.WithTransaction(delete_row)
                                : MutateKeysLocked(peers, leave_set, delete_row);
      if (!st.ok()) continue;
      WriterLock lock(mu_);
      keys_.erase(k->handle());
      aliases_.EraseKey(k->handle());
      grants_.EraseKey(k->handle());
      continue;
    }
    if (k->rotation_enabled && k->next_rotation && *k->next_rotation <= now &&
        k->state == KeyState::kEnabled && !k->is_replica()) {
      // Catch up one rotation per elapsed period; a multi-Region primary's new materials go
      // to its replicas too (rotation is a shared property).
      std::vector<std::shared_ptr<const Material>> added;
      std::optional<SystemTime> next_rotation;
      (void)MutateSet(k->handle(), [&](Key& key) -> Status {
        if (key.is_replica()) {
          for (const auto& m : added) key.materials.push_back(m);
          key.next_rotation = next_rotation;
          return Status::Ok();
        }
        while (key.next_rotation && *key.next_rotation <= now) {
          SEALSTACK_ASSIGN_OR_RETURN(auto m, NewMaterial(key, "AUTOMATIC"));
          auto mm = std::const_pointer_cast<Material>(m);
          mm->created = *key.next_rotation;
          key.materials.push_back(m);
          added.push_back(m);
          key.next_rotation = *key.next_rotation + kOneDay * key.rotation_period_days;
        }
        next_rotation = key.next_rotation;
        return Status::Ok();
      });
    }
    if (k->expiration_model == ExpirationModel::kExpires && k->valid_to && *k->valid_to <= now &&
        k->state != KeyState::kPendingImport && k->state != KeyState::kPendingDeletion) {
      // Imported material expired: AWS deletes it and the key waits for the same material.
      (void)Mutate(k->handle(), [&](Key& key) -> Status {
        if (!DeleteImportedMaterial(key, key.imported_material_id)) key.materials.clear();
        key.state = KeyState::kPendingImport;
        key.valid_to.reset();
        key.expiration_model = ExpirationModel::kNone;
        return Status::Ok();
      });
    }
    // Each imported material expires on its own ValidTo (a pending or older one too).
    std::vector<std::string> expired;
    if (k->state != KeyState::kPendingDeletion) {
      for (const auto& m : k->materials) {
        if (m->expiration_model == ExpirationModel::kExpires && m->valid_to && *m->valid_to <= now)
          expired.push_back(m->id);
      }
    }
    if (!expired.empty()) {
      (void)Mutate(k->handle(), [&](Key& key) -> Status {
        for (const auto& id : expired) DeleteImportedMaterial(key, id);
        return Status::Ok();
      });
    }
  }
  UpdateNextDue();
}

// ---- keys

Status Service::CreateAwsManagedKey(const Caller& c, std::string_view alias_name) {
  ScopedAuditHook no_audit(nullptr);  // a side effect of the call, not the call itself
  MutexLock write(write_mu_);
  const std::string& account = c.principal->account;
  {
    ReaderLock lock(mu_);
    if (aliases_.Contains(AliasMapKey(account, c.region, alias_name))) return Status::Ok();
  }
  auto key = std::make_shared<Key>();
  key->id = NewUuid();
  key->account = account;
  key->region = c.region;
  key->arn = KeyArn(key->region, account, key->id);
  key->created = clock_->Now();
  std::string service(alias_name.substr(10));  // after "alias/aws/"
  key->description = AwsManagedKeyDescription(service);
  key->manager = KeyManager::kAws;
  // AWS-managed keys rotate every year and may be used only through their service.
  key->rotation_enabled = true;
  key->rotation_period_days = 365;
  key->next_rotation = key->created + kOneDay * 365;
  key->policy =
      "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"auto-" + service +
      "-1\",\n  \"Statement\" : [ {\n    \"Sid\" : \"Allow access through " + service +
      " for all principals in the account that are authorized to use " + service +
      "\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {\n      \"AWS\" : \"*\"\n    },\n"
      "    \"Action\" : [ \"kms:Encrypt\", \"kms:Decrypt\", \"kms:ReEncrypt*\", "
      "\"kms:GenerateDataKey*\", \"kms:DescribeKey\" ],\n    \"Resource\" : \"*\",\n"
      "    \"Condition\" : {\n      \"StringEquals\" : {\n        \"kms:CallerAccount\" : \"" +
      account + "\",\n        \"kms:ViaService\" : \"" + service + "." + c.region +
      ".amazonaws.com\"\n      }\n    }\n  }, {\n    \"Sid\" : \"Allow direct access to key "
      "metadata to the account\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {\n"
      "      \"AWS\" : \"arn:aws:iam::" +
      account +
      ":root\"\n    },\n"
      "    \"Action\" : [ \"kms:Describe*\", \"kms:Get*\", \"kms:List*\" ],\n"
      "    \"Resource\" : \"*\"\n  } ]\n}";
  SEALSTACK_ASSIGN_OR_RETURN(auto material, NewMaterial(*key, ""));
  key->materials.push_back(material);
  Alias alias{account, c.region, std::string(alias_name), key->id, key->created, key->created};
  SEALSTACK_RETURN_IF_ERROR(db_.WithTransaction([&](storage::Connection& conn) -> Status {
    SEALSTACK_RETURN_IF_ERROR(PersistKey(conn, *key));
    SEALSTACK_RETURN_IF_ERROR(PersistMaterial(conn, *key, *material));
    return storage::KmsRepo::PutAlias(
        conn, {account, c.region, alias.name, key->id, ToEpochSeconds(alias.created),
               ToEpochSeconds(alias.updated)});
  }));
  WriterLock lock(mu_);
  keys_[key->handle()] = key;
  aliases_.Put(AliasMapKey(account, c.region, alias_name), alias);
  return Status::Ok();
}

Result<std::shared_ptr<const Key>> Service::CreateKey(const Caller& c, const CreateKeyRequest& r) {
  SEALSTACK_RETURN_IF_ERROR(CheckFault(c, "CreateKey"));
  RunDue();
  ConditionKeys keys = {
      {"kms:KeySpec", {std::string(Name(r.spec))}},
      {"kms:CustomerMasterKeySpec", {std::string(Name(r.spec))}},
      {"kms:KeyUsage", {std::string(Name(r.usage))}},
      {"kms:CustomerMasterKeyUsage", {std::string(Name(r.usage))}},
      {"kms:KeyOrigin", {std::string(Name(r.origin))}},
      {"kms:MultiRegion", {r.multi_region ? "true" : "false"}},
      {"kms:BypassPolicyLockoutSafetyCheck", {r.bypass_policy_lockout_check ? "true" : "false"}}};
  if (r.multi_region) keys["kms:MultiRegionKeyType"] = {"PRIMARY"};
  for (const auto& [k, v] : r.tags) {
    keys["aws:RequestTag/" + k] = {v};
    keys["aws:TagKeys"].push_back(k);
  }
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "kms:CreateKey", nullptr, nullptr, keys));
  auto key = std::make_shared<Key>();
  if (r.multi_region) {
    SEALSTACK_ASSIGN_OR_RETURN(std::string id_bytes, random_->Bytes(16));
    key->id = "mrk-" + crypto::Hex(id_bytes);
    key->multi_region = true;
    key->primary_region = c.region;
  } else {
    key->id = NewUuid();
  }
  key->account = c.principal->account;
  key->region = c.region;
  key->arn = KeyArn(key->region, key->account, key->id);
  key->created = clock_->Now();
  key->description = r.description;
  key->spec = r.spec;
  key->usage = r.usage;
  key->origin = r.origin;
  key->policy = r.policy ? *r.policy : DefaultPolicy(key->account);
  key->tags = r.tags;
  if (r.policy && !r.bypass_policy_lockout_check && lockout_checker_) {
    SEALSTACK_RETURN_IF_ERROR(lockout_checker_(c, *key, *r.policy));
  }
  if (r.origin == Origin::kExternal) {
    key->state = KeyState::kPendingImport;
  } else {
    SEALSTACK_ASSIGN_OR_RETURN(auto material, NewMaterial(*key, ""));
    key->materials.push_back(std::move(material));
  }
  MutexLock write(write_mu_);
  SEALSTACK_RETURN_IF_ERROR(db_.WithTransaction([&](storage::Connection& conn) -> Status {
    SEALSTACK_RETURN_IF_ERROR(RunAuditHook(conn, key->arn));
    SEALSTACK_RETURN_IF_ERROR(PersistKey(conn, *key));
    for (const auto& m : key->materials) SEALSTACK_RETURN_IF_ERROR(PersistMaterial(conn, *key, *m));
    return Status::Ok();
  }));
  WriterLock lock(mu_);
  keys_[key->handle()] = key;
  return std::shared_ptr<const Key>(key);
}

Result<std::shared_ptr<const Key>> Service::DescribeKey(const Caller& c, std::string_view key_id) {
  return PrepareOp(c, "DescribeKey", key_id, true, OperationClass::kAnyState);
}

Result<std::vector<Service::KeyListEntry>> Service::ListKeys(const Caller& c, const ListPage& page,
                                                             std::string* next_marker) {
  SEALSTACK_RETURN_IF_ERROR(CheckFault(c, "ListKeys"));
  RunDue();
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "kms:ListKeys", nullptr));
  std::vector<std::shared_ptr<const Key>> mine;
  {
    ReaderLock lock(mu_);
    for (const auto& [id, k] : keys_) {
      if (k->account == c.principal->account && k->region == c.region) mine.push_back(k);
    }
  }
  std::sort(mine.begin(), mine.end(), [](const auto& a, const auto& b) {
    return a->created != b->created ? a->created < b->created : a->id < b->id;
  });
  std::vector<KeyListEntry> all;
  all.reserve(mine.size());
  for (const auto& k : mine) all.push_back({k->id, k->arn});
  return Paginate(
      all, page, [](const KeyListEntry& e) { return e.id; }, next_marker);
}

Status Service::UpdateKeyDescription(const Caller& c, std::string_view key_id,
                                     std::string description) {
  SEALSTACK_ASSIGN_OR_RETURN(
      auto key, PrepareOp(c, "UpdateKeyDescription", key_id, false, OperationClass::kManage));
  return Mutate(key->handle(), [&](Key& k) {
    k.description = std::move(description);
    return Status::Ok();
  });
}

Status Service::EnableKey(const Caller& c, std::string_view key_id) {
  return SetKeyEnabled(c, key_id, true);
}

Status Service::DisableKey(const Caller& c, std::string_view key_id) {
  return SetKeyEnabled(c, key_id, false);
}

Status Service::SetKeyEnabled(const Caller& c, std::string_view key_id, bool enabled) {
  SEALSTACK_ASSIGN_OR_RETURN(auto key, PrepareOp(c, enabled ? "EnableKey" : "DisableKey", key_id,
                                                 false, OperationClass::kEnableDisable));
  return Mutate(key->handle(), [&](Key& k) {
    k.state = enabled ? KeyState::kEnabled : KeyState::kDisabled;
    return Status::Ok();
  });
}

Result<std::shared_ptr<const Key>> Service::ScheduleKeyDeletion(const Caller& c,
                                                                std::string_view key_id,
                                                                int pending_window_days) {
  SEALSTACK_ASSIGN_OR_RETURN(auto key, PrepareOp(c, "ScheduleKeyDeletion", key_id, false,
                                                 OperationClass::kScheduleDeletion));
  if (key->manager == KeyManager::kAws) {
    return KmsError(ErrorKind::kUnsupportedOperation,
                    key->arn + " is an AWS managed key and cannot be deleted.");
  }
  SEALSTACK_RETURN_IF_ERROR(Mutate(key->handle(), [&](Key& k) {
    k.pending_window_days = pending_window_days;
    if (k.multi_region && !k.is_replica() && !k.replica_regions.empty()) {
      // A primary is not deleted while it has replicas: its waiting period begins when the
      // last of them is deleted (RunDue).
      k.state = KeyState::kPendingReplicaDeletion;
      k.deletion_date.reset();
      return Status::Ok();
    }
    k.state = KeyState::kPendingDeletion;
    k.deletion_date = clock_->Now() + kOneDay * pending_window_days;
    return Status::Ok();
  }));
  // Not DescribeKey(): that would count as a second operation (injected faults, audit).
  return Prepare(c, key->arn, true, OperationClass::kAnyState, "kms:DescribeKey");
}

Result<std::shared_ptr<const Key>> Service::CancelKeyDeletion(const Caller& c,
                                                              std::string_view key_id) {
  SEALSTACK_ASSIGN_OR_RETURN(
      auto key, PrepareOp(c, "CancelKeyDeletion", key_id, false, OperationClass::kCancelDeletion));
  SEALSTACK_RETURN_IF_ERROR(Mutate(key->handle(), [&](Key& k) {
    k.state = k.materials.empty() ? KeyState::kPendingImport : KeyState::kDisabled;
    k.deletion_date.reset();
    k.pending_window_days = 0;
    return Status::Ok();
  }));
  // Not DescribeKey(): that would count as a second operation (injected faults, audit).
  return Prepare(c, key->arn, true, OperationClass::kAnyState, "kms:DescribeKey");
}

Status Service::Reset() {
  MutexLock write(write_mu_);
  SEALSTACK_RETURN_IF_ERROR(db_.WithTransaction(
      [&](storage::Connection& c) -> Status { return storage::KmsRepo::DeleteAll(c); }));
  WriterLock lock(mu_);
  keys_.clear();
  aliases_.Clear();
  grants_.Clear();
  return Status::Ok();
}

}  // namespace sealstack::api::kms
