// iam::Service: IAM users, roles, inline policies and access keys in SQLite
// (storage/iam_repo.h), and the STS role sessions issued from them. The typed half of IAM; the
// Query wire layer (iam_wire.h) parses, calls and renders.
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
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/common/access.h"
#include "api/common/caller.h"
#include "api/iam/iam_errors.h"
#include "auth/principal_directory.h"
#include "auth/principals.h"
#include "common/clock.h"
#include "common/result.h"
#include "crypto/random.h"
#include "crypto/secret_bytes.h"
#include "storage/db.h"

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
};

struct CreateRoleInput {
  std::string name;
  std::optional<std::string> path;
  std::string trust_policy;
  std::optional<std::string> description;
  std::optional<int64_t> max_session_duration;
  std::vector<Tag> tags;
};

enum class PolicyOwner { kUser, kRole };

// Temporary credentials of a role session (STS AssumeRole).
struct SessionCredentials {
  std::string access_key_id;  // ASIA...
  crypto::SecretBytes secret;
  std::string session_token;
  SystemTime expires;
  std::string assumed_role_arn;  // arn:aws:sts::ACCT:assumed-role/ROLE/SESSION
  std::string assumed_role_id;   // AROA...:SESSION
};

class Service : public auth::PrincipalDirectory {
 public:
  Service(storage::Database& db, crypto::SecretBytes root_key, std::shared_ptr<const Clock> clock,
          std::shared_ptr<crypto::RandomSource> random, std::shared_ptr<AccessCheck> access);

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

  // No user: the calling user.
  Result<AccessKey> CreateAccessKey(const Caller& c, const std::optional<std::string>& user);
  Result<std::vector<AccessKey>> ListAccessKeys(const Caller& c,
                                                const std::optional<std::string>& user);
  Status UpdateAccessKey(const Caller& c, const std::optional<std::string>& user,
                         const std::string& access_key_id, const std::string& status);
  Status DeleteAccessKey(const Caller& c, const std::optional<std::string>& user,
                         const std::string& access_key_id);

  // For STS: a role of `account` without authorization (STS decides by the trust policy).
  Result<Role> FindRole(const std::string& account, const std::string& name);
  // For STS: issues and stores temporary credentials of `role` named `session_name`.
  Result<SessionCredentials> CreateRoleSession(const Role& role, const std::string& session_name,
                                               SystemTime expires);

  std::shared_ptr<const auth::Principal> FindByAccessKey(
      std::string_view access_key_id) const override;

  Status Reset();
  Status ResetAccount(const std::string& account);

 private:
  Status Authorize(const Caller& c, std::string_view operation, const std::string& resource);
  // The user an operation without UserName acts on: the caller, if a user.
  Result<std::string> UserOf(const Caller& c, const std::optional<std::string>& user) const;
  std::shared_ptr<const auth::Principal> UserPrincipal(std::string_view access_key_id) const;
  std::shared_ptr<const auth::Principal> SessionPrincipal(std::string_view access_key_id) const;

  storage::Database& db_;
  const crypto::SecretBytes root_key_;
  std::shared_ptr<const Clock> clock_;
  std::shared_ptr<crypto::RandomSource> random_;
  std::shared_ptr<AccessCheck> access_;
};

}  // namespace sealstack::api::iam
