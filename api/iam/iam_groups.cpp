// Groups and their members: CreateGroup, GetGroup, ListGroups, DeleteGroup, AddUserToGroup,
// RemoveUserFromGroup, ListGroupsForUser.
#include "api/iam/iam_config_entities.h"
#include "api/iam/iam_internal.h"
#include "audit/pending_call.h"

namespace sealstack::api::iam {

Result<Group> Service::CreateGroup(const Caller& c, const std::string& name,
                                   const std::optional<std::string>& path_in) {
  const std::string& account = c.principal->account;
  const std::string path = path_in.value_or("/");
  SEALSTACK_RETURN_IF_ERROR(CheckNewEntity(name, "groupName", 128, path, {}));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateGroup", EntityArn(account, "group", path, name)));
  SEALSTACK_ASSIGN_OR_RETURN(std::string suffix, RandomString(*random_, 17, kIdAlphabet));
  storage::IamGroupRow row{account, name, path, "AGPA" + suffix, EpochSeconds(clock_->Now())};
  const Status st = audit::PendingCall::InTransaction(
      db_, [&](storage::Connection& conn) { return IamRepo::InsertGroup(conn, row); });
  SEALSTACK_RETURN_IF_ERROR(OrAlreadyExists(st, "Group with name " + name + " already exists."));
  return GroupOfRow(row);
}

Result<std::pair<Group, Page<User>>> Service::GetGroup(const Caller& c, const std::string& name,
                                                       const ListInput& in) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "groupName", 128));
  SEALSTACK_ASSIGN_OR_RETURN(int64_t max, MaxItems(in));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetGroup", EntityArn(account, "group", "/", name)));
  std::pair<Group, Page<User>> out;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamGroupRow g, FindGroupRow(conn, account, name));
    out.first = GroupOfRow(g);
    SEALSTACK_ASSIGN_OR_RETURN(auto members, IamRepo::ListMembers(conn, account, g.name));
    std::vector<User> users;
    for (const std::string& m : members) {
      Result<storage::IamUserRow> u = IamRepo::GetUser(conn, account, m);
      if (u.ok()) users.push_back(UserOfRow(*u));
    }
    out.second = PageOf(std::move(users), in, max);
    return Status::Ok();
  }));
  return out;
}

Result<Page<Group>> Service::ListGroups(const Caller& c, const ListInput& in) {
  return ListByPath<Group>(c, in, "ListGroups", "group", IamRepo::ListGroups, GroupOfRow);
}

Status Service::DeleteGroup(const Caller& c, const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "groupName", 128));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeleteGroup", EntityArn(account, "group", "/", name)));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamGroupRow g, FindGroupRow(conn, account, name));
    SEALSTACK_RETURN_IF_ERROR(
        RefuseWhile(IamRepo::ListMembers(conn, account, g.name), "remove users from group"));
    SEALSTACK_RETURN_IF_ERROR(RefuseWhilePolicies(conn, account, PolicyOwner::kGroup, g.name));
    return IamRepo::DeleteGroup(conn, account, g.name).status();
  });
}

Status Service::AddUserToGroup(const Caller& c, const std::string& group, const std::string& user) {
  return SetGroupMember(c, group, user, true);
}

Status Service::RemoveUserFromGroup(const Caller& c, const std::string& group,
                                    const std::string& user) {
  return SetGroupMember(c, group, user, false);
}

Status Service::SetGroupMember(const Caller& c, const std::string& group, const std::string& user,
                               bool add) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(group, "groupName", 128));
  SEALSTACK_RETURN_IF_ERROR(CheckName(user, "userName", 64));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, add ? "AddUserToGroup" : "RemoveUserFromGroup",
                                      EntityArn(account, "group", "/", group)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, PolicyOwner::kUser, user));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamGroupRow g, FindGroupRow(conn, account, group));
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow u, FindUserRow(conn, account, user));
    if (add) return IamRepo::AddMember(conn, account, g.name, u.name);
    SEALSTACK_ASSIGN_OR_RETURN(bool removed, IamRepo::RemoveMember(conn, account, g.name, u.name));
    if (!removed) {
      return IamError(ErrorKind::kNoSuchEntity,
                      "The user with name " + u.name + " cannot be found in group " + g.name + ".");
    }
    return Status::Ok();
  });
}

Result<Page<Group>> Service::ListGroupsForUser(const Caller& c, const std::string& user,
                                               const ListInput& in) {
  const std::string& account = c.principal->account;
  const auto groups = [&](storage::Connection& conn,
                          const std::string& stored) -> Result<std::vector<Group>> {
    SEALSTACK_ASSIGN_OR_RETURN(auto names, IamRepo::ListGroupsOfUser(conn, account, stored));
    std::vector<Group> out;
    for (const std::string& n : names) {
      Result<storage::IamGroupRow> g = IamRepo::GetGroup(conn, account, n);
      if (g.ok()) out.push_back(GroupOfRow(*g));
    }
    return out;
  };
  return ListOfOwner<Group>(c, PolicyOwner::kUser, user, 128, in, "ListGroupsForUser", groups);
}

}  // namespace sealstack::api::iam
