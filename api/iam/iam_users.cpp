// Users: CreateUser, GetUser, ListUsers, DeleteUser, UpdateUser.
#include "api/iam/iam_config_entities.h"
#include "api/iam/iam_internal.h"
#include "audit/pending_call.h"
#include "common/strings.h"

namespace sealstack::api::iam {

Result<User> Service::CreateUser(const Caller& c, const CreateUserInput& in) {
  const std::string& account = c.principal->account;
  const std::string path = in.path.value_or("/");
  SEALSTACK_RETURN_IF_ERROR(CheckNewEntity(in.name, "userName", 64, path, in.tags));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateUser", EntityArn(account, "user", path, in.name),
                                      RequestTagKeys(in.tags)));
  SEALSTACK_ASSIGN_OR_RETURN(std::string suffix, RandomString(*random_, 17, kIdAlphabet));
  if (in.permissions_boundary) {
    SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(*in.permissions_boundary, "permissionsBoundary"));
  }
  storage::IamUserRow row{account,
                          in.name,
                          path,
                          "AIDA" + suffix,
                          EpochSeconds(clock_->Now()),
                          TagsJson(in.tags),
                          in.permissions_boundary};
  const auto insert = [&](storage::Connection& conn) -> Status {
    if (configured_->FindUser(account, in.name)) return Status::AlreadyExists("configured");
    if (row.boundary) SEALSTACK_RETURN_IF_ERROR(CheckBoundaryPolicy(conn, account, *row.boundary));
    return IamRepo::InsertUser(conn, row);
  };
  const Status st = audit::PendingCall::InTransaction(db_, insert);
  SEALSTACK_RETURN_IF_ERROR(OrAlreadyExists(st, "User with name " + in.name + " already exists."));
  return UserOfRow(row);
}

Result<User> Service::GetUser(const Caller& c, const std::optional<std::string>& name) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string user, UserOf(c, name));
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(user, "userName", 128));
  if (std::optional<User> configured = configured_->FindUser(account, user)) {
    SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetUser", configured->arn));
    return std::move(*configured);
  }
  Result<storage::IamUserRow> row = ReadFrom(
      db_, [&](storage::Connection& conn) { return IamRepo::GetUser(conn, account, user); });
  // Authorized on the ARN of the user asked for (its path is known only when it exists).
  const std::string arn = row.ok() ? UserOfRow(*row).arn : EntityArn(account, "user", "/", user);
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetUser", arn));
  SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow found,
                             OrMissing(std::move(row), NoSuchUser(user)));
  return UserOfRow(found);
}

Result<Page<User>> Service::ListUsers(const Caller& c, const ListInput& in) {
  return ListByPath<User>(c, in, "ListUsers", "user", IamRepo::ListUsers, UserOfRow,
                          configured_->Users(c.principal->account, in.path_prefix));
}

Status Service::DeleteUser(const Caller& c, const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "userName", 128));
  const auto change = [&](storage::Connection& conn, const std::string& stored) -> Status {
    SEALSTACK_RETURN_IF_ERROR(
        RefuseWhile(IamRepo::ListAccessKeys(conn, account, stored), "delete access keys"));
    SEALSTACK_RETURN_IF_ERROR(RefuseWhilePolicies(conn, account, PolicyOwner::kUser, stored));
    SEALSTACK_RETURN_IF_ERROR(RefuseWhile(IamRepo::ListGroupsOfUser(conn, account, stored),
                                          "remove user from all groups"));
    return IamRepo::DeleteUser(conn, account, stored).status();
  };
  return ChangeOwner(c, PolicyOwner::kUser, name, "DeleteUser", {}, change);
}

Status Service::UpdateUser(const Caller& c, const std::string& name,
                           const std::optional<std::string>& new_name,
                           const std::optional<std::string>& new_path) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "userName", 128));
  if (new_name) SEALSTACK_RETURN_IF_ERROR(CheckName(*new_name, "newUserName", 64));
  if (new_path) SEALSTACK_RETURN_IF_ERROR(CheckPath(*new_path, "newPath"));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "UpdateUser", EntityArn(account, "user", "/", name)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, PolicyOwner::kUser, name));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow row, FindUserRow(conn, account, name));
    const std::string target = new_name.value_or(row.name);
    if (ToLower(target) != ToLower(row.name) &&
        (IamRepo::GetUser(conn, account, target).ok() || configured_->FindUser(account, target))) {
      return IamError(ErrorKind::kEntityAlreadyExists,
                      "User with name " + target + " already exists.");
    }
    return IamRepo::RenameUser(conn, account, row.name, target, new_path.value_or(row.path));
  });
}

}  // namespace sealstack::api::iam
