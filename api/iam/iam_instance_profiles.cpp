// Instance profiles: Create/Get/List/DeleteInstanceProfile, ListInstanceProfilesForRole,
// AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile, Tag/UntagInstanceProfile.
#include "api/iam/iam_config_entities.h"
#include "api/iam/iam_internal.h"
#include "audit/pending_call.h"

namespace sealstack::api::iam {

namespace {

Status NoSuchProfile(const std::string& name) {
  return IamError(ErrorKind::kNoSuchEntity, "Instance Profile " + name + " cannot be found.");
}

Result<storage::IamInstanceProfileRow> FindProfileRow(storage::Connection& conn,
                                                      const std::string& account,
                                                      const std::string& name) {
  return OrMissing(IamRepo::GetInstanceProfile(conn, account, name), NoSuchProfile(name));
}

InstanceProfile ProfileOfRow(storage::Connection& conn, const storage::IamInstanceProfileRow& row) {
  InstanceProfile p{row.path,
                    row.name,
                    row.id,
                    EntityArn(row.account, "instance-profile", row.path, row.name),
                    FromEpoch(row.created),
                    TagsOf(row.tags),
                    {}};
  if (row.role) {
    Result<storage::IamRoleRow> role = IamRepo::GetRole(conn, row.account, *row.role);
    if (role.ok()) p.roles.push_back(RoleOfRow(*role));
  }
  return p;
}

}  // namespace

Result<InstanceProfile> Service::CreateInstanceProfile(const Caller& c, const std::string& name,
                                                       const std::optional<std::string>& path,
                                                       const std::vector<Tag>& tags) {
  const std::string& account = c.principal->account;
  const std::string p = path.value_or("/");
  SEALSTACK_RETURN_IF_ERROR(CheckNewEntity(name, "instanceProfileName", 128, p, tags));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateInstanceProfile",
                                      EntityArn(account, "instance-profile", p, name),
                                      RequestTagKeys(tags)));
  SEALSTACK_ASSIGN_OR_RETURN(std::string suffix, RandomString(*random_, 17, kIdAlphabet));
  storage::IamInstanceProfileRow row{
      account, name, p, "AIPA" + suffix, EpochSeconds(clock_->Now()), TagsJson(tags), {}};
  const Status st = audit::PendingCall::InTransaction(
      db_, [&](storage::Connection& conn) { return IamRepo::InsertInstanceProfile(conn, row); });
  SEALSTACK_RETURN_IF_ERROR(OrAlreadyExists(st, "Instance Profile " + name + " already exists."));
  return ReadFrom(db_, [&](storage::Connection& conn) -> Result<InstanceProfile> {
    return ProfileOfRow(conn, row);
  });
}

Result<InstanceProfile> Service::GetInstanceProfile(const Caller& c, const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "instanceProfileName", 128));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "GetInstanceProfile", EntityArn(account, "instance-profile", "/", name)));
  return ReadFrom(db_, [&](storage::Connection& conn) -> Result<InstanceProfile> {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamInstanceProfileRow row,
                               FindProfileRow(conn, account, name));
    return ProfileOfRow(conn, row);
  });
}

Result<Page<InstanceProfile>> Service::ListInstanceProfiles(const Caller& c, const ListInput& in) {
  return ListByPath<InstanceProfile>(c, in, "ListInstanceProfiles", "instance-profile",
                                     IamRepo::ListInstanceProfiles, ProfileOfRow);
}

Result<Page<InstanceProfile>> Service::ListInstanceProfilesForRole(const Caller& c,
                                                                   const std::string& role,
                                                                   const ListInput& in) {
  const std::string& account = c.principal->account;
  const auto profiles = [&](storage::Connection& conn, const std::string& stored) {
    return AllOf(IamRepo::ListInstanceProfilesOfRole(conn, account, stored),
                 [&](const storage::IamInstanceProfileRow& p) { return ProfileOfRow(conn, p); });
  };
  return ListOfOwner<InstanceProfile>(c, PolicyOwner::kRole, role, 64, in,
                                      "ListInstanceProfilesForRole", profiles);
}

Status Service::DeleteInstanceProfile(const Caller& c, const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "instanceProfileName", 128));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "DeleteInstanceProfile", EntityArn(account, "instance-profile", "/", name)));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamInstanceProfileRow row,
                               FindProfileRow(conn, account, name));
    if (row.role) {
      return IamError(ErrorKind::kDeleteConflict,
                      "Cannot delete entity, must remove roles from instance profile first.");
    }
    return IamRepo::DeleteInstanceProfile(conn, account, row.name).status();
  });
}

Status Service::SetInstanceProfileRole(const Caller& c, const std::string& profile,
                                       const std::string& role, bool add) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(profile, "instanceProfileName", 128));
  SEALSTACK_RETURN_IF_ERROR(CheckName(role, "roleName", 64));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, add ? "AddRoleToInstanceProfile" : "RemoveRoleFromInstanceProfile",
                EntityArn(account, "instance-profile", "/", profile)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, PolicyOwner::kRole, role));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamInstanceProfileRow row,
                               FindProfileRow(conn, account, profile));
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamRoleRow r, FindRoleRow(conn, account, role));
    if (add) {
      if (row.role) {
        return IamError(ErrorKind::kLimitExceeded,
                        "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
      }
      row.role = r.name;
    } else {
      if (row.role != r.name) {
        return IamError(ErrorKind::kNoSuchEntity, "The role with name " + role +
                                                      " cannot be found in instance profile " +
                                                      row.name + ".");
      }
      row.role.reset();
    }
    return IamRepo::UpdateInstanceProfile(conn, row);
  });
}

Status Service::TagInstanceProfile(const Caller& c, const std::string& name,
                                   const std::vector<Tag>& tags,
                                   const std::vector<std::string>& untag_keys) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "instanceProfileName", 128));
  SEALSTACK_RETURN_IF_ERROR(CheckTags(tags));
  std::vector<std::pair<std::string, std::string>> keys = RequestTagKeys(tags);
  for (const std::string& k : untag_keys) keys.emplace_back("aws:TagKeys", k);
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, tags.empty() ? "UntagInstanceProfile" : "TagInstanceProfile",
                EntityArn(account, "instance-profile", "/", name), std::move(keys)));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamInstanceProfileRow row,
                               FindProfileRow(conn, account, name));
    // Tagging and untagging are separate calls: one of `tags` and `untag_keys` is empty.
    SEALSTACK_ASSIGN_OR_RETURN(
        std::vector<Tag> merged,
        MergeTags(WithoutTags(TagsOf(row.tags), untag_keys), tags, "InstanceProfile"));
    row.tags = TagsJson(merged);
    return IamRepo::UpdateInstanceProfile(conn, row);
  });
}

}  // namespace sealstack::api::iam
