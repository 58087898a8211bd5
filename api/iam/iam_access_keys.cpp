// Access keys of users (Create/List/Update/DeleteAccessKey) and their last use
// (GetAccessKeyLastUsed, recorded by RecordKeyUse).
#include <chrono>

#include "api/iam/iam_config_entities.h"
#include "api/iam/iam_internal.h"
#include "audit/pending_call.h"
#include "common/strings.h"
#include "crypto/keywrap.h"

namespace sealstack::api::iam {

namespace {

constexpr size_t kMaxAccessKeysPerUser = 2;

Status NoSuchAccessKey(const std::string& access_key_id) {
  return IamError(ErrorKind::kNoSuchEntity,
                  "The Access Key with id " + access_key_id + " cannot be found.");
}

constexpr auto kKeyUseWriteInterval = std::chrono::minutes(1);

}  // namespace

Result<AccessKey> Service::CreateAccessKey(const Caller& c,
                                           const std::optional<std::string>& user) {
  const std::string& account = c.principal->account;
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, UserOf(c, user));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "userName", 128));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateAccessKey", EntityArn(account, "user", "/", name)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, PolicyOwner::kUser, name));
  SEALSTACK_ASSIGN_OR_RETURN(std::string id_suffix, RandomString(*random_, 16, kIdAlphabet));
  SEALSTACK_ASSIGN_OR_RETURN(std::string secret_text, RandomString(*random_, 40, kSecretAlphabet));
  AccessKey key;
  key.access_key_id = "AKIA" + id_suffix;
  key.secret = crypto::SecretBytes(secret_text);
  key.status = "Active";
  key.created = clock_->Now();
  if (audit::PendingCall* call = audit::PendingCall::Current()) {
    // CloudTrail's responseElements of CreateAccessKey: the key's id, never its secret.
    call->event().response_elements =
        R"({"accessKey":{"accessKeyId":")" + key.access_key_id + R"(","status":"Active"}})";
  }
  SEALSTACK_ASSIGN_OR_RETURN(
      std::string wrapped,
      crypto::WrapKey(root_key_, kAccessKeyPurpose, key.secret, *random_, key.access_key_id));
  SEALSTACK_RETURN_IF_ERROR(
      audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
        SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow row, FindUserRow(conn, account, name));
        SEALSTACK_ASSIGN_OR_RETURN(auto keys, IamRepo::ListAccessKeys(conn, account, row.name));
        if (keys.size() >= kMaxAccessKeysPerUser) {
          return IamError(ErrorKind::kLimitExceeded,
                          "Cannot exceed quota for AccessKeysPerUser: 2");
        }
        key.user_name = row.name;
        return IamRepo::InsertAccessKey(conn, {key.access_key_id, account, row.name, key.status,
                                               EpochSeconds(key.created), wrapped});
      }));
  return key;
}

Result<std::vector<AccessKey>> Service::ListAccessKeys(const Caller& c,
                                                       const std::optional<std::string>& user) {
  const std::string& account = c.principal->account;
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, UserOf(c, user));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "userName", 128));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "ListAccessKeys", EntityArn(account, "user", "/", name)));
  if (auto configured = configured_->AccessKeys(account, name)) return std::move(*configured);
  std::vector<AccessKey> out;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow row, FindUserRow(conn, account, name));
    SEALSTACK_ASSIGN_OR_RETURN(auto keys, IamRepo::ListAccessKeys(conn, account, row.name));
    for (const auto& k : keys) {
      AccessKey key;
      key.user_name = k.user_name;
      key.access_key_id = k.access_key_id;
      key.status = k.status;
      key.created = FromEpoch(k.created);
      out.push_back(std::move(key));
    }
    return Status::Ok();
  }));
  return out;
}

Status Service::UpdateAccessKey(const Caller& c, const std::optional<std::string>& user,
                                const std::string& access_key_id, const std::string& status) {
  const std::string& account = c.principal->account;
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, UserOf(c, user));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "userName", 128));
  if (status != "Active" && status != "Inactive") {
    return Invalid(status, "status", "Member must satisfy enum value set: [Active, Inactive]");
  }
  const auto change = [&](storage::Connection& conn, const std::string& stored) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(
        bool updated, IamRepo::UpdateAccessKeyStatus(conn, account, stored, access_key_id, status));
    return updated ? Status::Ok() : NoSuchAccessKey(access_key_id);
  };
  return ChangeOwner(c, PolicyOwner::kUser, name, "UpdateAccessKey", {}, change);
}

Status Service::DeleteAccessKey(const Caller& c, const std::optional<std::string>& user,
                                const std::string& access_key_id) {
  const std::string& account = c.principal->account;
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, UserOf(c, user));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "userName", 128));
  const auto change = [&](storage::Connection& conn, const std::string& stored) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(bool deleted,
                               IamRepo::DeleteAccessKey(conn, account, stored, access_key_id));
    return deleted ? Status::Ok() : NoSuchAccessKey(access_key_id);
  };
  return ChangeOwner(c, PolicyOwner::kUser, name, "DeleteAccessKey", {}, change);
}

void Service::RecordKeyUse(const std::string& access_key_id, std::string_view service,
                           std::string_view region) {
  if (!StartsWith(access_key_id, "AKIA")) return;  // IAM's long-term keys only
  const SystemTime now = clock_->Now();
  storage::IamKeyLastUsed write;
  {
    MutexLock lock(uses_mu_);
    KeyUse& use = uses_[access_key_id];
    use.when = now;
    use.service = std::string(service);
    use.region = std::string(region);
    if (now - use.written < kKeyUseWriteInterval && now >= use.written) return;
    use.written = now;
    write = {EpochSeconds(now), use.service, use.region};
  }
  // At most once a minute per key: a failed write only loses precision the memory still has.
  static_cast<void>(db_.WithTransaction([&](storage::Connection& conn) {
    return IamRepo::SetKeyLastUsed(conn, access_key_id, write);
  }));
}

Result<AccessKeyLastUsed> Service::GetAccessKeyLastUsed(const Caller& c,
                                                        const std::string& access_key_id) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckLength(access_key_id, "accessKeyId", 16, 128));
  Result<storage::IamAccessKeyRow> key = Status::Internal("unset");
  std::optional<storage::IamKeyLastUsed> stored;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    key = IamRepo::GetAccessKey(conn, access_key_id);
    if (key.ok()) {
      SEALSTACK_ASSIGN_OR_RETURN(stored, IamRepo::GetKeyLastUsed(conn, access_key_id));
    }
    return Status::Ok();
  }));
  if (!key.ok() || key->account != account) {
    SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetAccessKeyLastUsed", "*"));
    return NoSuchAccessKey(access_key_id);
  }
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "GetAccessKeyLastUsed", EntityArn(account, "user", "/", key->user_name)));
  AccessKeyLastUsed out{key->user_name, std::nullopt, "N/A", "N/A"};
  if (stored) out = {key->user_name, FromEpoch(stored->when), stored->service, stored->region};
  MutexLock lock(uses_mu_);
  auto it = uses_.find(access_key_id);
  if (it != uses_.end() && (!out.when || it->second.when > *out.when)) {
    out.when = it->second.when;
    out.service = it->second.service;
    out.region = it->second.region;
  }
  return out;
}

}  // namespace sealstack::api::iam
