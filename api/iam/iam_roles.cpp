// Roles: CreateRole, GetRole, ListRoles, DeleteRole, UpdateAssumeRolePolicy, UpdateRole, and
// FindRole for STS and Glue.
#include "api/iam/iam_config_entities.h"
#include "api/iam/iam_internal.h"
#include "audit/pending_call.h"
#include "policy/document.h"

namespace sealstack::api::iam {

namespace {

constexpr int64_t kMinSession = 3600;
constexpr int64_t kMaxSession = 43200;

// A role's Description and MaxSessionDuration (CreateRole, UpdateRole).
Status CheckRoleSettings(const std::optional<std::string>& description,
                         std::optional<int64_t> max_session) {
  if (description) SEALSTACK_RETURN_IF_ERROR(CheckLength(*description, "description", 0, 1000));
  if (!max_session) return Status::Ok();
  return CheckRange(*max_session, "maxSessionDuration", kMinSession, kMaxSession);
}

}  // namespace

Result<Role> Service::CreateRole(const Caller& c, const CreateRoleInput& in) {
  const std::string& account = c.principal->account;
  const std::string path = in.path.value_or("/");
  SEALSTACK_RETURN_IF_ERROR(CheckNewEntity(in.name, "roleName", 64, path, in.tags));
  const int64_t max_session = in.max_session_duration.value_or(kMinSession);
  SEALSTACK_RETURN_IF_ERROR(CheckRoleSettings(in.description, max_session));
  SEALSTACK_RETURN_IF_ERROR(ValidatePolicy(in.trust_policy, policy::PolicyKind::kResource));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateRole", EntityArn(account, "role", path, in.name),
                                      RequestTagKeys(in.tags)));
  SEALSTACK_ASSIGN_OR_RETURN(std::string suffix, RandomString(*random_, 17, kIdAlphabet));
  storage::IamRoleRow row;
  row.account = account;
  row.name = in.name;
  row.path = path;
  row.id = "AROA" + suffix;
  row.created = EpochSeconds(clock_->Now());
  row.trust_policy = in.trust_policy;
  row.description = in.description;
  row.max_session = max_session;
  row.tags = TagsJson(in.tags);
  row.boundary = in.permissions_boundary;
  if (row.boundary) {
    SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(*row.boundary, "permissionsBoundary"));
  }
  const auto insert = [&](storage::Connection& conn) -> Status {
    if (configured_->FindRole(account, in.name)) return Status::AlreadyExists("configured");
    if (row.boundary) SEALSTACK_RETURN_IF_ERROR(CheckBoundaryPolicy(conn, account, *row.boundary));
    return IamRepo::InsertRole(conn, row);
  };
  const Status st = audit::PendingCall::InTransaction(db_, insert);
  SEALSTACK_RETURN_IF_ERROR(OrAlreadyExists(st, "Role with name " + in.name + " already exists."));
  return RoleOfRow(row);
}

Result<Role> Service::FindRole(const std::string& account, const std::string& name) {
  if (std::optional<Role> configured = configured_->FindRole(account, name)) {
    return std::move(*configured);
  }
  SEALSTACK_ASSIGN_OR_RETURN(
      storage::IamRoleRow found,
      ReadFrom(db_, [&](storage::Connection& conn) { return FindRoleRow(conn, account, name); }));
  return RoleOfRow(found);
}

Result<Role> Service::GetRole(const Caller& c, const std::string& name) {
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "roleName", 64));
  const std::string& account = c.principal->account;
  Result<Role> role = FindRole(account, name);
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "GetRole", role.ok() ? role->arn : EntityArn(account, "role", "/", name)));
  return role;
}

Result<Page<Role>> Service::ListRoles(const Caller& c, const ListInput& in) {
  return ListByPath<Role>(c, in, "ListRoles", "role", IamRepo::ListRoles, RoleOfRow,
                          configured_->Roles(c.principal->account, in.path_prefix));
}

Status Service::DeleteRole(const Caller& c, const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "roleName", 64));
  const auto change = [&](storage::Connection& conn, const std::string& stored) -> Status {
    SEALSTACK_RETURN_IF_ERROR(RefuseWhilePolicies(conn, account, PolicyOwner::kRole, stored));
    SEALSTACK_RETURN_IF_ERROR(
        RefuseWhile(IamRepo::ListInstanceProfilesOfRole(conn, account, stored),
                    "remove roles from instance profile"));
    return IamRepo::DeleteRole(conn, account, stored).status();
  };
  return ChangeOwner(c, PolicyOwner::kRole, name, "DeleteRole", {}, change);
}

Status Service::UpdateAssumeRolePolicy(const Caller& c, const std::string& name,
                                       const std::string& doc) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "roleName", 64));
  SEALSTACK_RETURN_IF_ERROR(ValidatePolicy(doc, policy::PolicyKind::kResource));
  const auto change = [&](storage::Connection& conn, const std::string& stored) {
    return IamRepo::UpdateTrustPolicy(conn, account, stored, doc);
  };
  return ChangeOwner(c, PolicyOwner::kRole, name, "UpdateAssumeRolePolicy", {}, change);
}

Result<Role> Service::UpdateRole(const Caller& c, const std::string& name,
                                 const std::optional<std::string>& description,
                                 const std::optional<int64_t>& max_session_duration) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "roleName", 64));
  SEALSTACK_RETURN_IF_ERROR(CheckRoleSettings(description, max_session_duration));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, description && !max_session_duration ? "UpdateRoleDescription" : "UpdateRole",
                EntityArn(account, "role", "/", name)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, PolicyOwner::kRole, name));
  storage::IamRoleRow updated;
  SEALSTACK_RETURN_IF_ERROR(
      audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
        SEALSTACK_ASSIGN_OR_RETURN(updated, FindRoleRow(conn, account, name));
        if (description) updated.description = *description;
        if (max_session_duration) updated.max_session = *max_session_duration;
        return IamRepo::UpdateRoleSettings(conn, account, updated.name, updated.description,
                                           updated.max_session);
      }));
  return RoleOfRow(updated);
}

}  // namespace sealstack::api::iam
