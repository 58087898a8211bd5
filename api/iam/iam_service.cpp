// iam::Service's frame: construction, the one authorization of every operation, the user an
// operation without UserName acts on, the frame of the changes to one user, role or group, and
// the admin resets.
#include "api/iam/iam_config_entities.h"
#include "api/iam/iam_internal.h"
#include "audit/pending_call.h"

namespace sealstack::api::iam {

Service::Service(storage::Database& db, crypto::SecretBytes root_key,
                 std::shared_ptr<const Clock> clock, std::shared_ptr<crypto::RandomSource> random,
                 std::shared_ptr<AccessCheck> access,
                 std::weak_ptr<const auth::PrincipalStore> configured)
    : db_(db),
      configured_(std::make_shared<const ConfiguredEntities>(std::move(configured))),
      root_key_(std::move(root_key)),
      clock_(std::move(clock)),
      random_(std::move(random)),
      access_(std::move(access)) {}

Status Service::Authorize(const Caller& c, std::string_view operation, const std::string& resource,
                          std::vector<std::pair<std::string, std::string>> keys) {
  if (!access_) return Status::Ok();
  AccessRequest r;
  r.service = AccessService::kIam;
  r.rule = AccessRule::kIdentityOnly;
  r.action = "iam:" + std::string(operation);
  r.resource = resource;
  r.keys = std::move(keys);
  AccessDecision d = access_->Check(c, r);
  if (d.denied()) return IamError(ErrorKind::kAccessDenied, d.message);
  return Status::Ok();
}

Result<std::string> Service::UserOf(const Caller& c, const std::optional<std::string>& user) const {
  if (user) return *user;
  if (c.principal->type == auth::PrincipalType::kUser) return c.principal->name;
  return IamError(ErrorKind::kValidation,
                  "Must specify userName when calling with non-User credentials");
}

Status Service::ChangeOwner(
    const Caller& c, PolicyOwner kind, const std::string& owner, std::string_view operation,
    std::vector<std::pair<std::string, std::string>> keys,
    const std::function<Status(storage::Connection&, const std::string& stored)>& change) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, operation, OwnerArn(account, kind, owner), std::move(keys)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, kind, owner));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(std::string stored, OwnerName(conn, account, kind, owner));
    return change(conn, stored);
  });
}

Status Service::Reset() {
  {
    MutexLock lock(uses_mu_);
    uses_.clear();
  }
  return audit::PendingCall::InTransaction(
      db_, [](storage::Connection& conn) { return IamRepo::DeleteAll(conn); });
}

Status Service::ResetAccount(const std::string& account) {
  return audit::PendingCall::InTransaction(
      db_, [&](storage::Connection& conn) { return IamRepo::DeleteAccount(conn, account); });
}

}  // namespace sealstack::api::iam
