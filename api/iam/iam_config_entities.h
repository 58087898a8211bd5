// ConfiguredEntities: the config-file and seed principals of an account (auth::PrincipalStore),
// seen as the IAM users and roles they are, so that GetUser, ListRoles, GetRolePolicy, ... answer
// them as AWS answers any user or role (issue 16). iam::Service asks it before its own rows.
//
// The projection of a configured principal arn:aws:iam::ACCT:user/PATH/NAME (or role/...):
//   Path, UserName / RoleName   PATH ("/" when the ARN has none), NAME
//   UserId / RoleId             auth::DerivedUniqueId("AIDA" | "AROA", ARN): 21 characters, the
//                               same in every answer, across restarts, and in GetCallerIdentity
//   CreateDate                  kConfiguredCreateDate (2020-01-01T00:00:00Z), fixed, so answers
//                               are reproducible
//   AssumeRolePolicyDocument    DefaultTrustPolicy(ACCT): the config formats have none
//   MaxSessionDuration          3600
//   Tags                        the principal's tags
//   inline policies             the principal's `policies`, named "config-0", "config-1", ... in
//                               the order the configuration lists them
//   access keys                 the principal's long-term keys, Active, created at CreateDate
// A configured entity shadows a stored one of the same name (names are case-insensitive); it has
// no attached policies, boundary, groups or instance profiles, and it is read-only:
// RefuseChange answers UnmodifiableEntity (400) for every change IAM would make to it.
// The store is read at each call, so principals seeded later appear at once.
//
// Thread safety: safe for concurrent use (the store is).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "api/iam/iam_service.h"
#include "auth/principals.h"
#include "common/clock.h"
#include "common/status.h"
#include "common/strings.h"

namespace sealstack::api::iam {

// 2020-01-01T00:00:00Z.
inline constexpr int64_t kConfiguredCreateDate = 1577836800;

// The trust policy a configured role shows and STS AssumeRole applies: the account (through the
// caller's identity policies, as a statement naming arn:aws:iam::ACCT:root does) and Glue (which
// assumes configured roles for job runs and crawls, docs/glue.md) may assume it.
std::string DefaultTrustPolicy(const std::string& account);

// A configured user or role: its name as configured, its inline policies (name, document), its
// tags and (users) its access key ids.
struct ConfiguredOwner {
  std::string name;
  std::string arn;
  std::string id;  // AIDA... / AROA...
  std::vector<std::pair<std::string, std::string>> policies;
  std::vector<Tag> tags;
  std::vector<std::string> access_key_ids;
};

class ConfiguredEntities {
 public:
  // An expired or empty store: there are none.
  explicit ConfiguredEntities(std::weak_ptr<const auth::PrincipalStore> store);

  // The configured user / role of `account` named `name` (in any case); none when there is none.
  std::optional<User> FindUser(const std::string& account, std::string_view name) const;
  std::optional<Role> FindRole(const std::string& account, std::string_view name) const;
  // REQUIRES: kind != kGroup (no configured groups: none).
  std::optional<ConfiguredOwner> FindOwner(const std::string& account, PolicyOwner kind,
                                           std::string_view name) const;

  // All configured users / roles of `account` whose path starts with `path_prefix`.
  std::vector<User> Users(const std::string& account, std::string_view path_prefix) const;
  std::vector<Role> Roles(const std::string& account, std::string_view path_prefix) const;

  // The configured access keys of the user, Active (none when it is not configured).
  std::optional<std::vector<AccessKey>> AccessKeys(const std::string& account,
                                                   std::string_view user) const;

  // UnmodifiableEntity "Cannot perform the operation on the protected user|role 'NAME' - ..."
  // when `name` is a configured user or role of `account`; OK otherwise (groups: always OK).
  Status RefuseChange(const std::string& account, PolicyOwner kind, std::string_view name) const;

 private:
  // The account's configured identities of `type`, by lower-case name, one per name.
  std::vector<auth::ConfiguredIdentity> Identities(const std::string& account,
                                                   auth::PrincipalType type) const;
  // The one named `name` (in any case).
  std::optional<auth::ConfiguredIdentity> Find(const std::string& account, auth::PrincipalType type,
                                               std::string_view name) const;

  const std::weak_ptr<const auth::PrincipalStore> store_;
};

// `stored` and `configured` (each sorted by lower-case name) as one list in that order, without
// the stored items a configured one of the same name shadows.
template <typename T>
std::vector<T> MergeByName(std::vector<T> stored, std::vector<T> configured) {
  std::unordered_set<std::string> shadowed;
  for (const T& item : configured) shadowed.insert(ToLower(item.name));
  std::vector<T> out;
  out.reserve(stored.size() + configured.size());
  for (T& item : stored) {
    if (shadowed.count(ToLower(item.name)) == 0) out.push_back(std::move(item));
  }
  const auto middle = static_cast<std::ptrdiff_t>(out.size());
  for (T& item : configured) out.push_back(std::move(item));
  std::inplace_merge(out.begin(), out.begin() + middle, out.end(),
                     [](const T& a, const T& b) { return ToLower(a.name) < ToLower(b.name); });
  return out;
}

}  // namespace sealstack::api::iam
