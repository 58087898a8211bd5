// IamRepo: the rows behind IAM (users, roles, inline policies, access keys) and STS role
// sessions. api/iam owns the rules (names, limits, which secret is wrapped how); this layer
// only stores, finds and lists. Secrets arrive already wrapped under the root key.
//
// Users and roles are found by name case-insensitively (IAM's uniqueness rule); listings are
// ordered by the lower-cased name.
//
// Thread safety: stateless; safe for concurrent use with distinct connections.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/db.h"

namespace sealstack::storage {

struct IamUserRow {
  std::string account;
  std::string name;
  std::string path;  // "/" or "/a/b/"
  std::string id;    // AIDA...
  int64_t created = 0;
  std::string tags;                     // JSON [{"Key":..,"Value":..}]
  std::optional<std::string> boundary;  // permissions boundary policy ARN
};

struct IamRoleRow {
  std::string account;
  std::string name;
  std::string path;
  std::string id;  // AROA...
  int64_t created = 0;
  std::string trust_policy;
  std::optional<std::string> description;
  int64_t max_session = 3600;
  std::string tags;
  std::optional<std::string> boundary;
};

struct IamAccessKeyRow {
  std::string access_key_id;
  std::string account;
  std::string user_name;
  std::string status;  // "Active" | "Inactive"
  int64_t created = 0;
  std::string wrapped_secret;
};

struct IamSessionRow {
  std::string access_key_id;
  std::string account;
  std::string role_name;
  std::string session_name;
  std::string wrapped_secret;
  std::string wrapped_token;
  int64_t issued = 0;
  int64_t expires = 0;
  std::string context = "{}";  // JSON: session policies, tags, source identity (not secret)
};

struct IamGroupRow {
  std::string account;
  std::string name;
  std::string path;
  std::string id;  // AGPA...
  int64_t created = 0;
};

struct IamManagedPolicyRow {
  std::string account;
  std::string name;
  std::string path;
  std::string id;  // ANPA...
  std::string arn;
  std::optional<std::string> description;
  std::string default_version;  // "v1"
  int64_t next_version = 2;
  std::string versions;  // JSON [{"VersionId","Document","CreateDate"}]
  int64_t created = 0;
  int64_t updated = 0;
};

// An OpenID Connect provider (CreateOpenIDConnectProvider); url without "https://".
struct IamOidcProviderRow {
  std::string account;
  std::string url;
  std::string client_ids = "[]";   // JSON array of strings
  std::string thumbprints = "[]";  // JSON array of strings
  std::string tags = "[]";
  int64_t created = 0;
};

struct IamInstanceProfileRow {
  std::string account;
  std::string name;
  std::string path;
  std::string id;  // AIPA...
  int64_t created = 0;
  std::string tags = "[]";
  std::optional<std::string> role;  // the stored name of its role, if it has one
};

// When an access key was last used (GetAccessKeyLastUsed).
struct IamKeyLastUsed {
  int64_t when = 0;  // Unix seconds
  std::string service;
  std::string region;
};

// Owner of an inline policy.
enum class IamPolicyOwner { kUser, kRole, kGroup };

// "user" | "role" | "group": the kind as the rows store it (and as IAM's ARNs name it).
const char* IamPolicyOwnerName(IamPolicyOwner kind);

class IamRepo {
 public:
  // kAlreadyExists when the account has a user of that name (in any case).
  static Status InsertUser(Connection& c, const IamUserRow& row);
  // kNotFound when absent.
  static Result<IamUserRow> GetUser(Connection& c, const std::string& account,
                                    const std::string& name);
  // Users whose path starts with path_prefix and whose lower-cased name is > after.
  static Result<std::vector<IamUserRow>> ListUsers(Connection& c, const std::string& account,
                                                   const std::string& path_prefix,
                                                   const std::string& after, size_t limit);
  static Result<bool> DeleteUser(Connection& c, const std::string& account,
                                 const std::string& name);

  static Status InsertRole(Connection& c, const IamRoleRow& row);
  static Result<IamRoleRow> GetRole(Connection& c, const std::string& account,
                                    const std::string& name);
  static Result<std::vector<IamRoleRow>> ListRoles(Connection& c, const std::string& account,
                                                   const std::string& path_prefix,
                                                   const std::string& after, size_t limit);
  static Result<bool> DeleteRole(Connection& c, const std::string& account,
                                 const std::string& name);
  static Status UpdateTrustPolicy(Connection& c, const std::string& account,
                                  const std::string& name, const std::string& doc);

  // Inline policies of a user or role (`owner`: its stored name). Put inserts or replaces.
  static Status PutPolicy(Connection& c, const std::string& account, IamPolicyOwner kind,
                          const std::string& owner, const std::string& name,
                          const std::string& doc);
  static Result<std::string> GetPolicy(Connection& c, const std::string& account,
                                       IamPolicyOwner kind, const std::string& owner,
                                       const std::string& name);
  static Result<bool> DeletePolicy(Connection& c, const std::string& account, IamPolicyOwner kind,
                                   const std::string& owner, const std::string& name);
  // (name, document) pairs ordered by name.
  static Result<std::vector<std::pair<std::string, std::string>>> ListPolicies(
      Connection& c, const std::string& account, IamPolicyOwner kind, const std::string& owner);

  static Status InsertAccessKey(Connection& c, const IamAccessKeyRow& row);
  static Result<IamAccessKeyRow> GetAccessKey(Connection& c, const std::string& access_key_id);
  static Result<std::vector<IamAccessKeyRow>> ListAccessKeys(Connection& c,
                                                             const std::string& account,
                                                             const std::string& user_name);
  static Result<bool> UpdateAccessKeyStatus(Connection& c, const std::string& account,
                                            const std::string& user_name,
                                            const std::string& access_key_id,
                                            const std::string& status);
  static Result<bool> DeleteAccessKey(Connection& c, const std::string& account,
                                      const std::string& user_name,
                                      const std::string& access_key_id);

  static Status InsertSession(Connection& c, const IamSessionRow& row);
  static Result<IamSessionRow> GetSession(Connection& c, const std::string& access_key_id);
  // Removes sessions that expired before `now` (Unix seconds); returns how many.
  static Result<int64_t> DeleteExpiredSessions(Connection& c, int64_t now);

  // Groups and their members (stored names).
  static Status InsertGroup(Connection& c, const IamGroupRow& row);
  static Result<IamGroupRow> GetGroup(Connection& c, const std::string& account,
                                      const std::string& name);
  static Result<std::vector<IamGroupRow>> ListGroups(Connection& c, const std::string& account,
                                                     const std::string& path_prefix,
                                                     const std::string& after, size_t limit);
  static Result<bool> DeleteGroup(Connection& c, const std::string& account,
                                  const std::string& name);
  static Status AddMember(Connection& c, const std::string& account, const std::string& group,
                          const std::string& user);
  static Result<bool> RemoveMember(Connection& c, const std::string& account,
                                   const std::string& group, const std::string& user);
  static Result<std::vector<std::string>> ListMembers(Connection& c, const std::string& account,
                                                      const std::string& group);
  static Result<std::vector<std::string>> ListGroupsOfUser(Connection& c,
                                                           const std::string& account,
                                                           const std::string& user);

  // Managed policies, found by ARN.
  static Status InsertManagedPolicy(Connection& c, const IamManagedPolicyRow& row);
  static Result<IamManagedPolicyRow> GetManagedPolicy(Connection& c, const std::string& arn);
  static Result<std::vector<IamManagedPolicyRow>> ListManagedPolicies(
      Connection& c, const std::string& account, const std::string& path_prefix,
      const std::string& after, size_t limit);
  // Replaces versions, default_version, next_version and updated.
  static Status UpdateManagedPolicy(Connection& c, const IamManagedPolicyRow& row);
  static Result<bool> DeleteManagedPolicy(Connection& c, const std::string& arn);

  // Attachments of managed policies to users, roles and groups. Attach is idempotent.
  static Status Attach(Connection& c, const std::string& account, IamPolicyOwner kind,
                       const std::string& owner, const std::string& policy_arn);
  static Result<bool> Detach(Connection& c, const std::string& account, IamPolicyOwner kind,
                             const std::string& owner, const std::string& policy_arn);
  // Policy ARNs attached to one entity, ordered.
  static Result<std::vector<std::string>> ListAttached(Connection& c, const std::string& account,
                                                       IamPolicyOwner kind,
                                                       const std::string& owner);
  // The entities a policy is attached to: (kind "user" | "role" | "group", stored name).
  static Result<std::vector<std::pair<std::string, std::string>>> ListAttachments(
      Connection& c, const std::string& policy_arn);
  // How many users and roles have `policy_arn` as permissions boundary.
  static Result<int64_t> CountBoundaryUses(Connection& c, const std::string& policy_arn);
  // Sets (or with nullopt removes) the permissions boundary of a user or role.
  static Result<bool> SetBoundary(Connection& c, const std::string& account, IamPolicyOwner kind,
                                  const std::string& name,
                                  const std::optional<std::string>& policy_arn);

  // Replaces the tags (JSON) of a user or role; NotFound when absent.
  static Status SetTags(Connection& c, const std::string& account, IamPolicyOwner kind,
                        const std::string& name, const std::string& tags);

  // OpenID Connect providers, keyed by (account, url). Insert: kAlreadyExists when present.
  static Status InsertOidcProvider(Connection& c, const IamOidcProviderRow& row);
  static Result<IamOidcProviderRow> GetOidcProvider(Connection& c, const std::string& account,
                                                    const std::string& url);
  static Result<std::vector<IamOidcProviderRow>> ListOidcProviders(Connection& c,
                                                                   const std::string& account);
  // Replaces client_ids, thumbprints and tags.
  static Status UpdateOidcProvider(Connection& c, const IamOidcProviderRow& row);
  static Result<bool> DeleteOidcProvider(Connection& c, const std::string& account,
                                         const std::string& url);
  // The JWKS document of an issuer (url without "https://"); Put inserts or replaces.
  static Status PutJwks(Connection& c, const std::string& url, const std::string& jwks,
                        int64_t now);
  static Result<std::string> GetJwks(Connection& c, const std::string& url);

  // Instance profiles, found by name case-insensitively.
  static Status InsertInstanceProfile(Connection& c, const IamInstanceProfileRow& row);
  static Result<IamInstanceProfileRow> GetInstanceProfile(Connection& c, const std::string& account,
                                                          const std::string& name);
  static Result<std::vector<IamInstanceProfileRow>> ListInstanceProfiles(
      Connection& c, const std::string& account, const std::string& path_prefix,
      const std::string& after, size_t limit);
  // The profiles holding `role` (its stored name).
  static Result<std::vector<IamInstanceProfileRow>> ListInstanceProfilesOfRole(
      Connection& c, const std::string& account, const std::string& role);
  // Sets (nullopt: clears) the role and replaces the tags.
  static Status UpdateInstanceProfile(Connection& c, const IamInstanceProfileRow& row);
  static Result<bool> DeleteInstanceProfile(Connection& c, const std::string& account,
                                            const std::string& name);

  // Access keys' last use: recorded (no-op for an unknown key) and read back (nullopt: never).
  static Status SetKeyLastUsed(Connection& c, const std::string& access_key_id,
                               const IamKeyLastUsed& used);
  static Result<std::optional<IamKeyLastUsed>> GetKeyLastUsed(Connection& c,
                                                              const std::string& access_key_id);

  // UpdateUser / UpdateRole.
  static Status RenameUser(Connection& c, const std::string& account, const std::string& name,
                           const std::string& new_name, const std::string& new_path);
  static Status UpdateRoleSettings(Connection& c, const std::string& account,
                                   const std::string& name,
                                   const std::optional<std::string>& description,
                                   int64_t max_session);

  static Status DeleteAll(Connection& c);                                  // admin reset
  static Status DeleteAccount(Connection& c, const std::string& account);  // admin reset
};

}  // namespace sealstack::storage
