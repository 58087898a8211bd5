// Inline policies of users, roles and groups: Put/Get/Delete/List User/Role/GroupPolicy.
#include "api/iam/iam_config_entities.h"
#include "api/iam/iam_internal.h"
#include "audit/pending_call.h"
#include "policy/document.h"

namespace sealstack::api::iam {

namespace {

std::string PolicyOperation(std::string_view verb, PolicyOwner kind) {
  return std::string(verb) + OwnerOp(kind) + "Policy";
}

Status NoSuchInlinePolicy(PolicyOwner kind, const std::string& name) {
  return IamError(ErrorKind::kNoSuchEntity, std::string("The ") + OwnerWord(kind) +
                                                " policy with name " + name + " cannot be found.");
}

}  // namespace

Status Service::PutPolicy(const Caller& c, PolicyOwner kind, const std::string& owner,
                          const std::string& name, const std::string& doc) {
  const std::string& account = c.principal->account;
  const char* word = OwnerWord(kind);
  SEALSTACK_RETURN_IF_ERROR(CheckName(owner, OwnerMember(kind), 128));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "policyName", 128));
  SEALSTACK_RETURN_IF_ERROR(ValidatePolicy(doc, policy::PolicyKind::kIdentity));
  const auto change = [&](storage::Connection& conn, const std::string& stored) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(auto existing, IamRepo::ListPolicies(conn, account, kind, stored));
    // The aggregate size quota of a user's or role's inline policies.
    const size_t quota = kind == PolicyOwner::kUser   ? 2048
                         : kind == PolicyOwner::kRole ? 10240
                                                      : 5120;
    size_t total = PolicySize(doc);
    for (const auto& [n, d] : existing) total += n == name ? 0 : PolicySize(d);
    if (total > quota) {
      return IamError(ErrorKind::kLimitExceeded, "Maximum policy size of " + std::to_string(quota) +
                                                     " bytes exceeded for " + word + " " + stored);
    }
    return IamRepo::PutPolicy(conn, account, kind, stored, name, doc);
  };
  return ChangeOwner(c, kind, owner, PolicyOperation("Put", kind), {}, change);
}

Result<std::pair<std::string, std::string>> Service::GetPolicy(const Caller& c, PolicyOwner kind,
                                                               const std::string& owner,
                                                               const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(owner, OwnerMember(kind), 128));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "policyName", 128));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, PolicyOperation("Get", kind), OwnerArn(account, kind, owner)));
  using Found = std::pair<std::string, std::string>;
  if (std::optional<ConfiguredOwner> configured = configured_->FindOwner(account, kind, owner)) {
    for (auto& [policy_name, doc] : configured->policies) {
      if (policy_name == name) return Found{configured->name, std::move(doc)};
    }
    return NoSuchInlinePolicy(kind, name);
  }
  return ReadFrom(db_, [&](storage::Connection& conn) -> Result<Found> {
    SEALSTACK_ASSIGN_OR_RETURN(std::string stored, OwnerName(conn, account, kind, owner));
    SEALSTACK_ASSIGN_OR_RETURN(std::string doc,
                               OrMissing(IamRepo::GetPolicy(conn, account, kind, stored, name),
                                         NoSuchInlinePolicy(kind, name)));
    return Found{stored, doc};
  });
}

Status Service::DeletePolicy(const Caller& c, PolicyOwner kind, const std::string& owner,
                             const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(owner, OwnerMember(kind), 128));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "policyName", 128));
  const auto change = [&](storage::Connection& conn, const std::string& stored) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(bool deleted,
                               IamRepo::DeletePolicy(conn, account, kind, stored, name));
    return deleted ? Status::Ok() : NoSuchInlinePolicy(kind, name);
  };
  return ChangeOwner(c, kind, owner, PolicyOperation("Delete", kind), {}, change);
}

Result<Page<std::string>> Service::ListPolicies(const Caller& c, PolicyOwner kind,
                                                const std::string& owner, const ListInput& in) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(owner, OwnerMember(kind), 128));
  SEALSTACK_ASSIGN_OR_RETURN(int64_t max, MaxItems(in));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, PolicyOperation("List", kind) + "s", OwnerArn(account, kind, owner)));
  SEALSTACK_ASSIGN_OR_RETURN(
      auto all, ReadFrom(db_,
                         [&](storage::Connection& conn)
                             -> Result<std::vector<std::pair<std::string, std::string>>> {
                           if (auto configured = configured_->FindOwner(account, kind, owner)) {
                             return std::move(configured->policies);
                           }
                           SEALSTACK_ASSIGN_OR_RETURN(std::string stored,
                                                      OwnerName(conn, account, kind, owner));
                           return IamRepo::ListPolicies(conn, account, kind, stored);
                         }));
  Page<std::string> page;
  for (const auto& [name, doc] : all) {
    if (!in.marker.empty() && name <= in.marker) continue;
    if (page.items.size() == static_cast<size_t>(max)) {
      page.truncated = true;
      page.marker = page.items.back();
      break;
    }
    page.items.push_back(name);
  }
  return page;
}

}  // namespace sealstack::api::iam
