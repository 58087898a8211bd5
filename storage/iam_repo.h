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
  std::string tags;  // JSON [{"Key":..,"Value":..}]
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
};

// Owner of an inline policy.
enum class IamPolicyOwner { kUser, kRole };

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

  static Status DeleteAll(Connection& c);                                  // admin reset
  static Status DeleteAccount(Connection& c, const std::string& account);  // admin reset
};

}  // namespace sealstack::storage
