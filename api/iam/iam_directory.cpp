// The verifier's directory: the principal of an access key IAM issued (a user's AKIA..., a
// session's ASIA...), with its policies as they are now.
#include <algorithm>

#include "api/iam/iam_config_entities.h"
#include "api/iam/iam_internal.h"
#include "common/strings.h"
#include "crypto/keywrap.h"

namespace sealstack::api::iam {

std::shared_ptr<const auth::Principal> Service::FindByAccessKey(
    std::string_view access_key_id) const {
  Result<std::shared_ptr<const auth::Principal>> found =
      ReadFrom(db_, [&](storage::Connection& conn) {
        return StartsWith(access_key_id, "ASIA") ? SessionPrincipal(conn, access_key_id)
                                                 : UserPrincipal(conn, access_key_id);
      });
  return found.ok() ? *found : nullptr;
}

namespace {

std::vector<std::string> PolicyDocs(
    const std::vector<std::pair<std::string, std::string>>& policies) {
  std::vector<std::string> out;
  out.reserve(policies.size());
  for (const auto& [name, doc] : policies) out.push_back(doc);
  return out;
}

// The identity of an IAM user: ARN, policies (inline, attached, groups'), boundary, tags, id.
Status FillUser(storage::Connection& conn, const storage::IamUserRow& user, auth::Principal* p) {
  const std::string& account = user.account;
  p->account = account;
  p->arn = EntityArn(account, "user", user.path, user.name);
  p->type = auth::PrincipalType::kUser;
  p->name = user.name;
  SEALSTACK_ASSIGN_OR_RETURN(
      auto policies,
      IamRepo::ListPolicies(conn, account, storage::IamPolicyOwner::kUser, user.name));
  p->policies = PolicyDocs(policies);
  SEALSTACK_ASSIGN_OR_RETURN(
      auto attached, AttachedDocuments(conn, account, storage::IamPolicyOwner::kUser, user.name));
  p->policies.insert(p->policies.end(), attached.begin(), attached.end());
  SEALSTACK_ASSIGN_OR_RETURN(auto groups, IamRepo::ListGroupsOfUser(conn, account, user.name));
  for (const std::string& g : groups) {
    SEALSTACK_ASSIGN_OR_RETURN(
        auto inline_docs, IamRepo::ListPolicies(conn, account, storage::IamPolicyOwner::kGroup, g));
    for (auto& [n, doc] : inline_docs) p->policies.push_back(std::move(doc));
    SEALSTACK_ASSIGN_OR_RETURN(
        auto group_attached, AttachedDocuments(conn, account, storage::IamPolicyOwner::kGroup, g));
    p->policies.insert(p->policies.end(), group_attached.begin(), group_attached.end());
  }
  p->permissions_boundary = BoundaryDocument(conn, user.boundary);
  for (const Tag& t : TagsOf(user.tags)) p->tags.emplace_back(t.key, t.value);
  p->unique_id = user.id;
  return Status::Ok();
}

// A session's key id, its secret and token (unwrapped), issue and expiry times.
Status FillSession(const crypto::SecretBytes& root_key, const storage::IamSessionRow& s,
                   auth::Principal* p) {
  SEALSTACK_ASSIGN_OR_RETURN(
      crypto::SecretBytes secret,
      crypto::UnwrapKey(root_key, kSessionPurpose, s.wrapped_secret, s.access_key_id + "/secret"));
  SEALSTACK_ASSIGN_OR_RETURN(
      crypto::SecretBytes token,
      crypto::UnwrapKey(root_key, kSessionPurpose, s.wrapped_token, s.access_key_id + "/token"));
  p->access_key_id = s.access_key_id;
  p->secret_access_key = std::move(secret);
  p->session_token = std::string(token.view());
  p->expires = FromEpoch(s.expires);
  p->issued = FromEpoch(s.issued);
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<const auth::Principal>> Service::UserPrincipal(
    storage::Connection& conn, std::string_view access_key_id) const {
  SEALSTACK_ASSIGN_OR_RETURN(storage::IamAccessKeyRow key,
                             IamRepo::GetAccessKey(conn, std::string(access_key_id)));
  if (key.status != "Active") return Status::NotFound("inactive");
  SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow user,
                             IamRepo::GetUser(conn, key.account, key.user_name));
  SEALSTACK_ASSIGN_OR_RETURN(
      crypto::SecretBytes secret,
      crypto::UnwrapKey(root_key_, kAccessKeyPurpose, key.wrapped_secret, key.access_key_id));
  auto p = std::make_shared<auth::Principal>();
  p->access_key_id = key.access_key_id;
  p->secret_access_key = std::move(secret);
  SEALSTACK_RETURN_IF_ERROR(FillUser(conn, user, p.get()));
  return std::shared_ptr<const auth::Principal>(std::move(p));
}

namespace {

// What a role session has of its role, as the role is now. A deleted role leaves its sessions
// without permissions (and without the role's id).
struct SessionRole {
  std::string id = "AROA";
  std::string arn;
  std::vector<Tag> tags;
  std::vector<std::pair<std::string, std::string>> policies;  // (name, document)
  std::optional<std::string> boundary;
};

Result<SessionRole> SessionRoleOf(storage::Connection& conn, const ConfiguredEntities& configured,
                                  const storage::IamSessionRow& s) {
  SessionRole out;
  if (std::optional<ConfiguredOwner> owner =
          configured.FindOwner(s.account, PolicyOwner::kRole, s.role_name)) {
    // A configured role (iam_config_entities.h): its configured policies and tags.
    out.id = owner->id;
    out.tags = std::move(owner->tags);
    out.arn = owner->arn;
    out.policies = std::move(owner->policies);
    return out;
  }
  Result<storage::IamRoleRow> role = IamRepo::GetRole(conn, s.account, s.role_name);
  if (!role.ok()) return out;
  out.id = role->id;
  out.tags = TagsOf(role->tags);
  out.arn = EntityArn(s.account, "role", role->path, role->name);
  SEALSTACK_ASSIGN_OR_RETURN(
      out.policies,
      IamRepo::ListPolicies(conn, s.account, storage::IamPolicyOwner::kRole, role->name));
  SEALSTACK_ASSIGN_OR_RETURN(
      auto attached,
      AttachedDocuments(conn, s.account, storage::IamPolicyOwner::kRole, role->name));
  for (auto& doc : attached) out.policies.emplace_back("", std::move(doc));
  out.boundary = BoundaryDocument(conn, role->boundary);
  return out;
}

// The identity of a GetSessionToken session: the user (or the account root) itself.
Status FillUserSession(storage::Connection& conn, const storage::IamSessionRow& s,
                       auth::Principal* p) {
  const SessionContext context = SessionContextOf(s.context);
  if (context.user_name.empty()) {
    p->account = s.account;
    p->arn = "arn:aws:iam::" + s.account + ":root";
    p->type = auth::PrincipalType::kRoot;
    return Status::Ok();
  }
  SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow user,
                             IamRepo::GetUser(conn, s.account, context.user_name));
  return FillUser(conn, user, p);
}

// The identity of a role session: the assumed role with the role's policies and boundary, the
// session's policies, and the session's tags over the role's.
void FillRoleSession(const storage::IamSessionRow& s, SessionRole role, auth::Principal* p) {
  const SessionContext context = SessionContextOf(s.context);
  p->account = s.account;
  p->arn = "arn:aws:sts::" + s.account + ":assumed-role/" + s.role_name + "/" + s.session_name;
  p->type = auth::PrincipalType::kAssumedRole;
  p->name = s.role_name;
  p->policies = PolicyDocs(role.policies);
  p->permissions_boundary = std::move(role.boundary);
  p->session_policies = context.session_policies;
  if (context.has_session_policy && p->session_policies.empty()) {
    // Every PolicyArn of the session is gone: the session may do nothing.
    p->session_policies.emplace_back(R"({"Version":"2012-10-17","Statement":[]})");
  }
  p->role_arn = role.arn;
  p->unique_id = role.id + ":" + s.session_name;
  // Session tags override the role's tags of the same key (tag keys are case-insensitive).
  for (const Tag& t : context.tags) p->tags.emplace_back(t.key, t.value);
  for (const Tag& t : role.tags) {
    const bool overridden = std::any_of(
        context.tags.begin(), context.tags.end(),
        [&](const Tag& session_tag) { return ToLower(session_tag.key) == ToLower(t.key); });
    if (!overridden) p->tags.emplace_back(t.key, t.value);
  }
  p->transitive_tag_keys = context.transitive_tag_keys;
  p->source_identity = context.source_identity;
  p->federated_provider = context.federated_provider;
}

}  // namespace

Result<std::shared_ptr<const auth::Principal>> Service::SessionPrincipal(
    storage::Connection& conn, std::string_view access_key_id) const {
  SEALSTACK_ASSIGN_OR_RETURN(storage::IamSessionRow s,
                             IamRepo::GetSession(conn, std::string(access_key_id)));
  auto p = std::make_shared<auth::Principal>();
  if (s.role_name.empty()) {  // GetSessionToken
    SEALSTACK_RETURN_IF_ERROR(FillUserSession(conn, s, p.get()));
  } else {
    SEALSTACK_ASSIGN_OR_RETURN(SessionRole role, SessionRoleOf(conn, *configured_, s));
    FillRoleSession(s, std::move(role), p.get());
  }
  SEALSTACK_RETURN_IF_ERROR(FillSession(root_key_, s, p.get()));
  return std::shared_ptr<const auth::Principal>(std::move(p));
}

}  // namespace sealstack::api::iam
