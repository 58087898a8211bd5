// Tags of users and roles: TagUser/UntagUser/ListUserTags, TagRole/UntagRole/ListRoleTags.
#include "api/iam/iam_config_entities.h"
#include "api/iam/iam_internal.h"
#include "audit/pending_call.h"

namespace sealstack::api::iam {

namespace {

// The stored name and the tags of a user or (any other kind) a role.
struct EntityTags {
  std::string stored;
  std::vector<Tag> tags;
};

Result<EntityTags> TagsOfEntity(storage::Connection& conn, const std::string& account,
                                PolicyOwner kind, const std::string& name) {
  if (kind == PolicyOwner::kUser) {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow row, FindUserRow(conn, account, name));
    return EntityTags{row.name, TagsOf(row.tags)};
  }
  SEALSTACK_ASSIGN_OR_RETURN(storage::IamRoleRow row, FindRoleRow(conn, account, name));
  return EntityTags{row.name, TagsOf(row.tags)};
}

}  // namespace

Status Service::TagEntity(const Caller& c, PolicyOwner kind, const std::string& name,
                          const std::vector<Tag>& tags) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, OwnerMember(kind), 128));
  SEALSTACK_RETURN_IF_ERROR(CheckTags(tags));
  const auto change = [&](storage::Connection& conn, const std::string& stored) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(EntityTags current, TagsOfEntity(conn, account, kind, stored));
    SEALSTACK_ASSIGN_OR_RETURN(std::vector<Tag> merged,
                               MergeTags(std::move(current.tags), tags, OwnerOp(kind)));
    return IamRepo::SetTags(conn, account, kind, current.stored, TagsJson(merged));
  };
  return ChangeOwner(c, kind, name, "Tag" + OwnerOp(kind), RequestTagKeys(tags), change);
}

Status Service::UntagEntity(const Caller& c, PolicyOwner kind, const std::string& name,
                            const std::vector<std::string>& keys) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, OwnerMember(kind), 128));
  std::vector<std::pair<std::string, std::string>> tag_keys;
  tag_keys.reserve(keys.size());
  for (const std::string& k : keys) tag_keys.emplace_back("aws:TagKeys", k);
  const auto change = [&](storage::Connection& conn, const std::string& stored) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(EntityTags current, TagsOfEntity(conn, account, kind, stored));
    return IamRepo::SetTags(conn, account, kind, current.stored,
                            TagsJson(WithoutTags(std::move(current.tags), keys)));
  };
  return ChangeOwner(c, kind, name, "Untag" + OwnerOp(kind), std::move(tag_keys), change);
}

Result<std::vector<Tag>> Service::ListEntityTags(const Caller& c, PolicyOwner kind,
                                                 const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, OwnerMember(kind), 128));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "List" + OwnerOp(kind) + "Tags",
                                      EntityArn(account, OwnerWord(kind), "/", name)));
  if (std::optional<ConfiguredOwner> configured = configured_->FindOwner(account, kind, name)) {
    return std::move(configured->tags);
  }
  SEALSTACK_ASSIGN_OR_RETURN(EntityTags found, ReadFrom(db_, [&](storage::Connection& conn) {
                               return TagsOfEntity(conn, account, kind, name);
                             }));
  return std::move(found.tags);
}

}  // namespace sealstack::api::iam
