// Managed policies attached to users, roles and groups (Attach/Detach, ListAttached*Policies,
// ListEntitiesForPolicy) and permissions boundaries of users and roles.
#include <algorithm>

#include "api/iam/iam_config_entities.h"
#include "api/iam/iam_internal.h"
#include "audit/pending_call.h"
#include "common/strings.h"

namespace sealstack::api::iam {

namespace {

constexpr size_t kMaxAttachedPerEntity = 10;

}  // namespace

Status Service::AttachPolicy(const Caller& c, PolicyOwner kind, const std::string& owner,
                             const std::string& arn) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(owner, OwnerMember(kind), 128));
  SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(arn, "policyArn"));
  const auto change = [&](storage::Connection& conn, const std::string& stored) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamManagedPolicyRow row, FindManaged(conn, arn));
    if (row.account != account && row.account != "aws") return NoSuchPolicy(arn);
    SEALSTACK_ASSIGN_OR_RETURN(auto attached, IamRepo::ListAttached(conn, account, kind, stored));
    if (attached.size() >= kMaxAttachedPerEntity &&
        std::find(attached.begin(), attached.end(), arn) == attached.end()) {
      return IamError(ErrorKind::kLimitExceeded,
                      "Cannot exceed quota for PoliciesPer" + OwnerOp(kind) + ": 10");
    }
    return IamRepo::Attach(conn, account, kind, stored, arn);
  };
  return ChangeOwner(c, kind, owner, "Attach" + OwnerOp(kind) + "Policy", {}, change);
}

Status Service::DetachPolicy(const Caller& c, PolicyOwner kind, const std::string& owner,
                             const std::string& arn) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(owner, OwnerMember(kind), 128));
  SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(arn, "policyArn"));
  const auto change = [&](storage::Connection& conn, const std::string& stored) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(bool detached, IamRepo::Detach(conn, account, kind, stored, arn));
    if (!detached) {
      return IamError(ErrorKind::kNoSuchEntity, "Policy " + arn + " was not found.");
    }
    return Status::Ok();
  };
  return ChangeOwner(c, kind, owner, "Detach" + OwnerOp(kind) + "Policy", {}, change);
}

Result<Page<AttachedPolicy>> Service::ListAttachedPolicies(const Caller& c, PolicyOwner kind,
                                                           const std::string& owner,
                                                           const ListInput& in) {
  const std::string& account = c.principal->account;
  const auto attached = [&](storage::Connection& conn,
                            const std::string& stored) -> Result<std::vector<AttachedPolicy>> {
    SEALSTACK_ASSIGN_OR_RETURN(auto arns, IamRepo::ListAttached(conn, account, kind, stored));
    std::vector<AttachedPolicy> out;
    for (const std::string& arn : arns) {
      Result<storage::IamManagedPolicyRow> row = FindManaged(conn, arn);
      if (!row.ok()) continue;
      if (!StartsWith(row->path, in.path_prefix)) continue;
      out.push_back({row->name, arn});
    }
    std::stable_sort(out.begin(), out.end(), [](const AttachedPolicy& a, const AttachedPolicy& b) {
      return ToLower(a.name) < ToLower(b.name);
    });
    return out;
  };
  return ListOfOwner<AttachedPolicy>(c, kind, owner, 128, in,
                                     "ListAttached" + OwnerOp(kind) + "Policies", attached);
}

Result<PolicyEntities> Service::ListEntitiesForPolicy(const Caller& c, const std::string& arn) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(arn, "policyArn"));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "ListEntitiesForPolicy", arn));
  PolicyEntities out;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_RETURN_IF_ERROR(FindManaged(conn, arn).status());
    SEALSTACK_ASSIGN_OR_RETURN(auto attachments, IamRepo::ListAttachments(conn, arn));
    for (const auto& [kind, name] : attachments) {
      if (kind == "user") {
        auto u = IamRepo::GetUser(conn, account, name);
        if (u.ok()) out.users.emplace_back(u->name, u->id);
      } else if (kind == "role") {
        auto r = IamRepo::GetRole(conn, account, name);
        if (r.ok()) out.roles.emplace_back(r->name, r->id);
      } else {
        auto g = IamRepo::GetGroup(conn, account, name);
        if (g.ok()) out.groups.emplace_back(g->name, g->id);
      }
    }
    return Status::Ok();
  }));
  return out;
}

Status Service::PutPermissionsBoundary(const Caller& c, PolicyOwner kind, const std::string& name,
                                       const std::string& arn) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, OwnerMember(kind), 128));
  SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(arn, "permissionsBoundary"));
  const auto change = [&](storage::Connection& conn, const std::string& stored) -> Status {
    SEALSTACK_RETURN_IF_ERROR(CheckBoundaryPolicy(conn, account, arn));
    return IamRepo::SetBoundary(conn, account, kind, stored, arn).status();
  };
  return ChangeOwner(c, kind, name, "Put" + OwnerOp(kind) + "PermissionsBoundary", {}, change);
}

Status Service::DeletePermissionsBoundary(const Caller& c, PolicyOwner kind,
                                          const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, OwnerMember(kind), 128));
  const auto change = [&](storage::Connection& conn, const std::string& stored) -> Status {
    return IamRepo::SetBoundary(conn, account, kind, stored, std::nullopt).status();
  };
  return ChangeOwner(c, kind, name, "Delete" + OwnerOp(kind) + "PermissionsBoundary", {}, change);
}

}  // namespace sealstack::api::iam
