// iam::Service: IAM users, roles, inline policies and access keys in SQLite
// (storage/iam_repo.h), and the STS role sessions issued from them. The typed half of IAM; the
// Query wire layer (iam_wire.h) parses, calls and renders. Its operations live one family a file
// (iam_users.cpp, iam_roles.cpp, iam_groups.cpp, iam_inline_policies.cpp,
// iam_managed_policies.cpp, iam_attachments.cpp, iam_entity_tags.cpp, iam_access_keys.cpp,
// iam_sessions.cpp, iam_directory.cpp, iam_oidc.cpp, iam_instance_profiles.cpp); their shared
// checks, row conversions and frames are in iam_internal.h.
//
// Every operation acts in the caller's account and is authorized first: `iam:<Operation>` on the
// entity's ARN by the caller's identity policies (the account root may do all), through the one
// access check (api/common/access.h).
//
// As an auth::PrincipalDirectory it answers the SigV4 verifier for the access keys it issued:
//   AKIA... (CreateAccessKey)  -> the user, with the user's inline policies, while Active
//   ASIA... (CreateRoleSession, STS AssumeRole) -> arn:aws:sts::ACCT:assumed-role/ROLE/SESSION
//            with the role's inline policies *as they are now*, its token and expiry
// Secrets (access keys' and sessions' secret keys, session tokens) are stored wrapped under the
// root key (crypto/keywrap.h, purposes kAccessKeyPurpose / kSessionPurpose, context the access
// key id) and unwrapped only to answer the verifier; they are never logged.
//
// Thread safety: safe for concurrent use.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/common/access.h"
#include "api/common/caller.h"
#include "api/iam/iam_errors.h"
#include "auth/principal_directory.h"
#include "auth/principals.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "common/result.h"
#include "crypto/random.h"
#include "crypto/secret_bytes.h"
#include "storage/db.h"
#include "storage/iam_repo.h"

namespace sealstack::api::iam {

inline constexpr std::string_view kAccessKeyPurpose = "iam-access-key";
inline constexpr std::string_view kSessionPurpose = "sts-session";

struct Tag {
  std::string key;
  std::string value;
};

struct User {
  std::string path;
  std::string name;
  std::string id;
  std::string arn;
  SystemTime created;
  std::vector<Tag> tags;
  std::optional<std::string> permissions_boundary;  // the boundary policy's ARN
};

struct Role {
  std::string account;
  std::string path;
  std::string name;
  std::string id;
  std::string arn;
  SystemTime created;
  std::string trust_policy;
  std::optional<std::string> description;
  int64_t max_session_duration = 3600;
  std::vector<Tag> tags;
  std::optional<std::string> permissions_boundary;
  // A config-file or seed role (iam_config_entities.h): read-only, no rows of its own.
  bool configured = false;
};

struct Group {
  std::string path;
  std::string name;
  std::string id;  // AGPA...
  std::string arn;
  SystemTime created;
};

struct PolicyVersion {
  std::string version_id;  // "v1"
  std::string document;
  bool is_default = false;
  SystemTime created;
};

// A customer managed policy (CreatePolicy).
struct ManagedPolicy {
  std::string name;
  std::string id;  // ANPA...
  std::string arn;
  std::string path;
  std::string default_version;
  int64_t attachment_count = 0;
  int64_t boundary_usage_count = 0;
  bool attachable = true;
  std::optional<std::string> description;
  SystemTime created;
  SystemTime updated;
  std::vector<Tag> tags;
};

struct AttachedPolicy {
  std::string name;
  std::string arn;
};

// ListEntitiesForPolicy: who a managed policy is attached to.
struct PolicyEntities {
  std::vector<std::pair<std::string, std::string>> groups;  // (name, id)
  std::vector<std::pair<std::string, std::string>> users;
  std::vector<std::pair<std::string, std::string>> roles;
};

struct CreatePolicyInput {
  std::string name;
  std::optional<std::string> path;
  std::string document;
  std::optional<std::string> description;
  std::vector<Tag> tags;
};

struct AccessKey {
  std::string user_name;
  std::string access_key_id;
  std::string status;  // "Active" | "Inactive"
  SystemTime created;
  crypto::SecretBytes secret;  // CreateAccessKey only
};

template <typename T>
struct Page {
  std::vector<T> items;
  bool truncated = false;
  std::string marker;  // when truncated: where the next page starts
};

struct ListInput {
  std::string path_prefix = "/";
  std::string marker;
  std::optional<int64_t> max_items;
};

struct CreateUserInput {
  std::string name;
  std::optional<std::string> path;
  std::vector<Tag> tags;
  std::optional<std::string> permissions_boundary;  // a managed policy's ARN
};

struct CreateRoleInput {
  std::string name;
  std::optional<std::string> path;
  std::string trust_policy;
  std::optional<std::string> description;
  std::optional<int64_t> max_session_duration;
  std::vector<Tag> tags;
  std::optional<std::string> permissions_boundary;
};

// Who owns inline policies, attachments, a boundary or tags: the storage layer's kinds.
using PolicyOwner = storage::IamPolicyOwner;

// An OpenID Connect identity provider (CreateOpenIDConnectProvider).
struct OidcProvider {
  std::string account;
  std::string url;  // without "https://": token.actions.githubusercontent.com
  std::string arn;  // arn:aws:iam::ACCT:oidc-provider/URL
  std::vector<std::string> client_ids;
  std::vector<std::string> thumbprints;
  std::vector<Tag> tags;
  SystemTime created;
};

struct CreateOidcProviderInput {
  std::string url;  // as given: https://HOST[/PATH]
  std::vector<std::string> client_ids;
  std::vector<std::string> thumbprints;
  std::vector<Tag> tags;
};

// An instance profile (as far as Terraform uses them: a named holder of at most one role).
struct InstanceProfile {
  std::string path;
  std::string name;
  std::string id;  // AIPA...
  std::string arn;
  SystemTime created;
  std::vector<Tag> tags;
  std::vector<Role> roles;  // zero or one
};

// GetAccessKeyLastUsed.
struct AccessKeyLastUsed {
  std::string user_name;
  std::optional<SystemTime> when;  // none: never used
  std::string service;             // "N/A" when never used
  std::string region;              // "N/A" when never used
};

// What one of the Add/Remove/Update/Tag/Untag operations does to a provider.
enum class OidcChange { kAddClientId, kRemoveClientId, kSetThumbprints, kTag, kUntag };

// What a role session carries besides its secrets, fixed when it is issued (AssumeRole).
struct SessionContext {
  // Session policies (Policy and the default versions of PolicyArns), as documents.
  std::vector<std::string> session_policies;
  bool has_session_policy = false;  // Policy or PolicyArns given (even if a PolicyArn is gone)
  std::vector<Tag> tags;            // session tags (override the role's tags of the same key)
  std::vector<std::string> transitive_tag_keys;
  std::string source_identity;
  std::string user_name;  // GetSessionToken of an IAM user ("" with no role: the account root)
  // AssumeRoleWithWebIdentity: the OIDC provider's ARN (aws:FederatedProvider of the session).
  std::string federated_provider;
};

// Temporary credentials of a role session (STS AssumeRole).
struct SessionCredentials {
  std::string access_key_id;  // ASIA...
  crypto::SecretBytes secret;
  std::string session_token;
  SystemTime expires;
  std::string assumed_role_arn;  // arn:aws:sts::ACCT:assumed-role/ROLE/SESSION
  std::string assumed_role_id;   // AROA...:SESSION
};

class ConfiguredEntities;

class Service : public auth::PrincipalDirectory {
 public:
  // `configured`: the config-file and seed principals, which IAM answers as users and roles
  // (iam_config_entities.h); weak, as the store in turn asks this service (SetDirectory).
  Service(storage::Database& db, crypto::SecretBytes root_key, std::shared_ptr<const Clock> clock,
          std::shared_ptr<crypto::RandomSource> random, std::shared_ptr<AccessCheck> access,
          std::weak_ptr<const auth::PrincipalStore> configured = {});

  Result<User> CreateUser(const Caller& c, const CreateUserInput& in);
  // No name: the calling user (a ValidationError for other callers).
  Result<User> GetUser(const Caller& c, const std::optional<std::string>& name);
  Result<Page<User>> ListUsers(const Caller& c, const ListInput& in);
  Status DeleteUser(const Caller& c, const std::string& name);

  Result<Role> CreateRole(const Caller& c, const CreateRoleInput& in);
  Result<Role> GetRole(const Caller& c, const std::string& name);
  Result<Page<Role>> ListRoles(const Caller& c, const ListInput& in);
  Status DeleteRole(const Caller& c, const std::string& name);
  Status UpdateAssumeRolePolicy(const Caller& c, const std::string& name, const std::string& doc);

  // Inline policies (Put/Get/Delete/List User/RolePolicy).
  Status PutPolicy(const Caller& c, PolicyOwner kind, const std::string& owner,
                   const std::string& name, const std::string& doc);
  // The stored owner name and the document.
  Result<std::pair<std::string, std::string>> GetPolicy(const Caller& c, PolicyOwner kind,
                                                        const std::string& owner,
                                                        const std::string& name);
  Status DeletePolicy(const Caller& c, PolicyOwner kind, const std::string& owner,
                      const std::string& name);
  Result<Page<std::string>> ListPolicies(const Caller& c, PolicyOwner kind,
                                         const std::string& owner, const ListInput& in);

  // Groups.
  Result<Group> CreateGroup(const Caller& c, const std::string& name,
                            const std::optional<std::string>& path);
  // The group and (a page of) its users.
  Result<std::pair<Group, Page<User>>> GetGroup(const Caller& c, const std::string& name,
                                                const ListInput& in);
  Result<Page<Group>> ListGroups(const Caller& c, const ListInput& in);
  Status DeleteGroup(const Caller& c, const std::string& name);
  Status AddUserToGroup(const Caller& c, const std::string& group, const std::string& user);
  Status RemoveUserFromGroup(const Caller& c, const std::string& group, const std::string& user);
  Result<Page<Group>> ListGroupsForUser(const Caller& c, const std::string& user,
                                        const ListInput& in);

  // Customer managed policies and their versions (at most 5; one is the default).
  Result<ManagedPolicy> CreateManagedPolicy(const Caller& c, const CreatePolicyInput& in);
  Result<ManagedPolicy> GetManagedPolicy(const Caller& c, const std::string& arn);
  // Scope "All" | "Local" | "AWS"; only_attached: attached to at least one entity.
  Result<Page<ManagedPolicy>> ListManagedPolicies(const Caller& c, const ListInput& in,
                                                  const std::string& scope, bool only_attached);
  Status DeleteManagedPolicy(const Caller& c, const std::string& arn);
  Result<PolicyVersion> CreatePolicyVersion(const Caller& c, const std::string& arn,
                                            const std::string& document, bool set_as_default);
  Result<PolicyVersion> GetPolicyVersion(const Caller& c, const std::string& arn,
                                         const std::string& version_id);
  Result<std::vector<PolicyVersion>> ListPolicyVersions(const Caller& c, const std::string& arn);
  Status DeletePolicyVersion(const Caller& c, const std::string& arn,
                             const std::string& version_id);
  Status SetDefaultPolicyVersion(const Caller& c, const std::string& arn,
                                 const std::string& version_id);

  // Attach/Detach User/Role/GroupPolicy, ListAttached*Policies, ListEntitiesForPolicy.
  Status AttachPolicy(const Caller& c, PolicyOwner kind, const std::string& owner,
                      const std::string& arn);
  Status DetachPolicy(const Caller& c, PolicyOwner kind, const std::string& owner,
                      const std::string& arn);
  Result<Page<AttachedPolicy>> ListAttachedPolicies(const Caller& c, PolicyOwner kind,
                                                    const std::string& owner, const ListInput& in);
  Result<PolicyEntities> ListEntitiesForPolicy(const Caller& c, const std::string& arn);

  // Put/Delete User/RolePermissionsBoundary. REQUIRES: kind != kGroup.
  Status PutPermissionsBoundary(const Caller& c, PolicyOwner kind, const std::string& name,
                                const std::string& arn);
  Status DeletePermissionsBoundary(const Caller& c, PolicyOwner kind, const std::string& name);

  // TagUser/UntagUser/ListUserTags and TagRole/UntagRole/ListRoleTags. REQUIRES: kind != kGroup.
  Status TagEntity(const Caller& c, PolicyOwner kind, const std::string& name,
                   const std::vector<Tag>& tags);
  Status UntagEntity(const Caller& c, PolicyOwner kind, const std::string& name,
                     const std::vector<std::string>& keys);
  Result<std::vector<Tag>> ListEntityTags(const Caller& c, PolicyOwner kind,
                                          const std::string& name);

  // OpenID Connect providers (CreateOpenIDConnectProvider, ...): AWS's validation (an https URL
  // of at most 255 characters, at most 100 client ids of 1..255 characters, at most 5
  // thumbprints of 40 characters, tags), one provider per URL and account.
  Result<OidcProvider> CreateOidcProvider(const Caller& c, const CreateOidcProviderInput& in);
  Result<OidcProvider> GetOidcProvider(const Caller& c, const std::string& arn);
  Result<std::vector<OidcProvider>> ListOidcProviders(const Caller& c);
  Status DeleteOidcProvider(const Caller& c, const std::string& arn);
  // kAddClientId / kRemoveClientId: values = {client id}; kSetThumbprints: the new list;
  // kUntag: the tag keys; kTag: `tags`.
  Status ChangeOidcProvider(const Caller& c, OidcChange change, const std::string& arn,
                            const std::vector<std::string>& values,
                            const std::vector<Tag>& tags = {});

  // For STS AssumeRoleWithWebIdentity: the provider of `account` for an issuer URL (without
  // "https://"), without authorization; NotFound when the account has none.
  Result<OidcProvider> FindOidcProvider(const std::string& account, const std::string& url);
  // The JWKS document a test handed in for an issuer (PUT /_sealstack/oidc/jwks); the URL with
  // or without "https://". Put validates that it is a JSON object with a "keys" array
  // (InvalidArgument otherwise) and returns how many keys it holds. Get: NotFound when none.
  Result<size_t> PutJwks(const std::string& url, const std::string& jwks);
  Result<std::string> GetJwks(const std::string& url);

  // UpdateUser (rename and/or move; what names the user follows it), UpdateRole /
  // UpdateRoleDescription (description, max session duration).
  Status UpdateUser(const Caller& c, const std::string& name,
                    const std::optional<std::string>& new_name,
                    const std::optional<std::string>& new_path);
  Result<Role> UpdateRole(const Caller& c, const std::string& name,
                          const std::optional<std::string>& description,
                          const std::optional<int64_t>& max_session_duration);

  // Instance profiles: at most one role each (LimitExceeded); a profile holding a role cannot be
  // deleted, nor a role that is in a profile (DeleteConflict).
  Result<InstanceProfile> CreateInstanceProfile(const Caller& c, const std::string& name,
                                                const std::optional<std::string>& path,
                                                const std::vector<Tag>& tags);
  Result<InstanceProfile> GetInstanceProfile(const Caller& c, const std::string& name);
  Result<Page<InstanceProfile>> ListInstanceProfiles(const Caller& c, const ListInput& in);
  Result<Page<InstanceProfile>> ListInstanceProfilesForRole(const Caller& c,
                                                            const std::string& role,
                                                            const ListInput& in);
  Status DeleteInstanceProfile(const Caller& c, const std::string& name);
  // add: AddRoleToInstanceProfile, else RemoveRoleFromInstanceProfile.
  Status SetInstanceProfileRole(const Caller& c, const std::string& profile,
                                const std::string& role, bool add);
  // Tag (tags) or untag (keys) an instance profile.
  Status TagInstanceProfile(const Caller& c, const std::string& name, const std::vector<Tag>& tags,
                            const std::vector<std::string>& untag_keys);

  // GetAccessKeyLastUsed of a key of the caller's account.
  Result<AccessKeyLastUsed> GetAccessKeyLastUsed(const Caller& c, const std::string& access_key_id);
  // Notes that an IAM access key authenticated a request for `service` in `region`. Cheap: the
  // use is kept in memory and written to the database at most once a minute per key (server
  // clock); GetAccessKeyLastUsed reads both. Any other key id is ignored.
  void RecordKeyUse(const std::string& access_key_id, std::string_view service,
                    std::string_view region);

  // For STS: the default version of a managed policy of `account` (session PolicyArns), without
  // authorization; NotFound when it does not exist.
  Result<std::string> ManagedPolicyDocument(const std::string& arn);

  // No user: the calling user.
  Result<AccessKey> CreateAccessKey(const Caller& c, const std::optional<std::string>& user);
  Result<std::vector<AccessKey>> ListAccessKeys(const Caller& c,
                                                const std::optional<std::string>& user);
  Status UpdateAccessKey(const Caller& c, const std::optional<std::string>& user,
                         const std::string& access_key_id, const std::string& status);
  Status DeleteAccessKey(const Caller& c, const std::optional<std::string>& user,
                         const std::string& access_key_id);

  // For STS and Glue: a role of `account` without authorization (STS decides by the trust
  // policy); a configured role (Role::configured) before a stored one of the same name.
  Result<Role> FindRole(const std::string& account, const std::string& name);
  // For STS: issues and stores temporary credentials of `role` named `session_name`.
  // `before_store` (optional) sees the credentials before they are stored.
  Result<SessionCredentials> CreateRoleSession(
      const Role& role, const std::string& session_name, SystemTime expires,
      const SessionContext& context = {},
      const std::function<void(const SessionCredentials&)>& before_store = nullptr);

  // For STS GetSessionToken: temporary credentials of the calling IAM user or account root,
  // authorized as that identity. Unimplemented for config-file users.
  Result<SessionCredentials> CreateUserSession(const auth::Principal& caller, SystemTime expires);

  std::shared_ptr<const auth::Principal> FindByAccessKey(
      std::string_view access_key_id) const override;

  Status Reset();
  Status ResetAccount(const std::string& account);

 private:
  Status Authorize(const Caller& c, std::string_view operation, const std::string& resource,
                   std::vector<std::pair<std::string, std::string>> keys = {});
  // The user an operation without UserName acts on: the caller, if a user.
  Result<std::string> UserOf(const Caller& c, const std::optional<std::string>& user) const;
  // The principal of a user's Active access key and of a session's key (NotFound: none).
  Result<std::shared_ptr<const auth::Principal>> UserPrincipal(
      storage::Connection& conn, std::string_view access_key_id) const;
  Result<std::shared_ptr<const auth::Principal>> SessionPrincipal(
      storage::Connection& conn, std::string_view access_key_id) const;
  Result<std::vector<PolicyVersion>> ListPolicyVersionsOf(const std::string& arn);
  // Issues and stores temporary credentials (role_name "" for GetSessionToken).
  Result<SessionCredentials> StoreSession(
      const std::string& account, const std::string& role_name, const std::string& session_name,
      SystemTime expires, const SessionContext& context,
      const std::function<void(const SessionCredentials&)>& before_store = nullptr);

  // A repository listing by path: the rows of `account` under `path_prefix` whose lower-cased
  // name is > `after`, at most `limit` (storage::IamRepo::ListUsers, ListRoles, ...).
  template <typename Row>
  using ListRows = Result<std::vector<Row>> (*)(storage::Connection&, const std::string& account,
                                                const std::string& path_prefix,
                                                const std::string& after, size_t limit);

  // The frame of ListUsers, ListRoles, ListGroups and ListInstanceProfiles: PathPrefix and
  // MaxItems checked, `operation` authorized on arn:aws:iam::ACCT:TYPE/, then a page of the rows
  // `list` returns after the marker, each made an item by `of` (of(row) or of(conn, row)),
  // merged in name order with the `configured` entities (sorted by lower-case name;
  // iam_config_entities.h).
  template <typename T, typename Row, typename Of>
  Result<Page<T>> ListByPath(const Caller& c, const ListInput& in, std::string_view operation,
                             std::string_view type, ListRows<Row> list, const Of& of,
                             std::vector<T> configured = {});

  // The frame of ListGroupsForUser, ListInstanceProfilesForRole and ListAttached*Policies: the
  // owner's name checked (1..name_max characters), MaxItems checked, `operation` authorized on
  // the owner's ARN, then a page of what `read(conn, stored)` returns (sorted by name) for the
  // owner's stored name; none for a configured owner, NoSuchEntity when there is no such owner.
  template <typename T, typename Read>
  Result<Page<T>> ListOfOwner(const Caller& c, PolicyOwner kind, const std::string& owner,
                              size_t name_max, const ListInput& in, std::string_view operation,
                              const Read& read);

  // The frame of the changes to a customer managed policy's versions: `operation` authorized on
  // `arn`, then, in one transaction, `change` of the row of the caller's account's policy
  // (NoSuchEntity for any other), which is then stored.
  Status ChangeOwnPolicy(const Caller& c, const std::string& arn, std::string_view operation,
                         const std::function<Status(storage::IamManagedPolicyRow& row)>& change);

  // AddUserToGroup (add) or RemoveUserFromGroup.
  Status SetGroupMember(const Caller& c, const std::string& group, const std::string& user,
                        bool add);

  // The frame of the changes to one user, role or group (its deletion, inline policies,
  // attachments, boundary, tags, trust policy, access keys): `operation` authorized on the
  // owner's ARN (with `keys`), a configured owner refused (UnmodifiableEntity), then, in one
  // transaction, `change` of the owner's stored name (NoSuchEntity when there is no such owner).
  Status ChangeOwner(
      const Caller& c, PolicyOwner kind, const std::string& owner, std::string_view operation,
      std::vector<std::pair<std::string, std::string>> keys,
      const std::function<Status(storage::Connection&, const std::string& stored)>& change);

  struct KeyUse {
    SystemTime when;
    std::string service;
    std::string region;
    SystemTime written;  // when this key's use was last written (epoch: never)
  };
  Mutex uses_mu_;
  std::unordered_map<std::string, KeyUse> uses_ GUARDED_BY(uses_mu_);

  storage::Database& db_;
  std::shared_ptr<const ConfiguredEntities> configured_;
  const crypto::SecretBytes root_key_;
  std::shared_ptr<const Clock> clock_;
  std::shared_ptr<crypto::RandomSource> random_;
  std::shared_ptr<AccessCheck> access_;
};

}  // namespace sealstack::api::iam
