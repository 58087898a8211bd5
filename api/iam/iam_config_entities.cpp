#include "api/iam/iam_config_entities.h"

#include <chrono>
#include <utility>

namespace sealstack::api::iam {

namespace {

constexpr std::string_view kDefaultTrustPolicy = R"({"Version":"2012-10-17","Statement":[{)"
                                                 R"("Effect":"Allow","Principal":{"AWS":)"
                                                 R"("arn:aws:iam::ACCOUNT:root","Service":)"
                                                 R"("glue.amazonaws.com"},"Action":)"
                                                 R"("sts:AssumeRole"}]})";

SystemTime ConfiguredCreateDate() {
  return SystemTime(std::chrono::seconds(kConfiguredCreateDate));
}

// "/PATH/" of arn:aws:iam::ACCT:user/PATH/NAME ("/" without a path).
std::string ConfiguredPath(const std::string& arn) {
  const size_t colon = arn.rfind(':');
  const size_t type_end = arn.find('/', colon);
  const size_t name_start = arn.rfind('/');
  if (type_end == std::string::npos || type_end == name_start) return "/";
  return arn.substr(type_end, name_start - type_end + 1);
}

std::vector<Tag> ConfiguredTags(const auth::Principal& p) {
  std::vector<Tag> out;
  out.reserve(p.tags.size());
  for (const auto& [key, value] : p.tags) out.push_back({key, value});
  return out;
}

User ConfiguredUser(const auth::Principal& p) {
  return User{ConfiguredPath(p.arn),
              p.name,
              auth::DerivedUniqueId("AIDA", p.arn),
              p.arn,
              ConfiguredCreateDate(),
              ConfiguredTags(p),
              std::nullopt};
}

Role ConfiguredRole(const auth::Principal& p) {
  Role role;
  role.account = p.account;
  role.path = ConfiguredPath(p.arn);
  role.name = p.name;
  role.id = auth::DerivedUniqueId("AROA", p.arn);
  role.arn = p.arn;
  role.created = ConfiguredCreateDate();
  role.trust_policy = DefaultTrustPolicy(p.account);
  role.tags = ConfiguredTags(p);
  role.configured = true;
  return role;
}

// Each identity made an entity by `of`, those whose path starts with `path_prefix`.
template <typename Of>
auto UnderPath(const std::vector<auth::ConfiguredIdentity>& identities,
               std::string_view path_prefix, const Of& of) {
  std::vector<decltype(of(std::declval<const auth::Principal&>()))> out;
  for (const auth::ConfiguredIdentity& identity : identities) {
    auto entity = of(*identity.principal);
    if (StartsWith(entity.path, path_prefix)) out.push_back(std::move(entity));
  }
  return out;
}

auth::PrincipalType TypeOf(PolicyOwner kind) {
  return kind == PolicyOwner::kUser ? auth::PrincipalType::kUser : auth::PrincipalType::kRole;
}

}  // namespace

std::string DefaultTrustPolicy(const std::string& account) {
  std::string doc(kDefaultTrustPolicy);
  doc.replace(doc.find("ACCOUNT"), 7, account);
  return doc;
}

ConfiguredEntities::ConfiguredEntities(std::weak_ptr<const auth::PrincipalStore> store)
    : store_(std::move(store)) {}

std::vector<auth::ConfiguredIdentity> ConfiguredEntities::Identities(
    const std::string& account, auth::PrincipalType type) const {
  std::vector<auth::ConfiguredIdentity> out;
  const std::shared_ptr<const auth::PrincipalStore> store = store_.lock();
  if (store == nullptr) return out;
  for (auth::ConfiguredIdentity& identity : store->ConfiguredIdentities(account)) {
    if (identity.principal->type == type) out.push_back(std::move(identity));
  }
  // IAM's order: by lower-case name. Two ARNs of one name (different paths): the first in ARN
  // order is the entity, as IAM names are unique in an account.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return ToLower(a.principal->name) < ToLower(b.principal->name);
  });
  auto same = [](const auto& a, const auto& b) {
    return ToLower(a.principal->name) == ToLower(b.principal->name);
  };
  out.erase(std::unique(out.begin(), out.end(), same), out.end());
  return out;
}

std::optional<auth::ConfiguredIdentity> ConfiguredEntities::Find(const std::string& account,
                                                                 auth::PrincipalType type,
                                                                 std::string_view name) const {
  const std::string wanted = ToLower(name);
  for (auth::ConfiguredIdentity& identity : Identities(account, type)) {
    if (ToLower(identity.principal->name) == wanted) return std::move(identity);
  }
  return std::nullopt;
}

std::optional<ConfiguredOwner> ConfiguredEntities::FindOwner(const std::string& account,
                                                             PolicyOwner kind,
                                                             std::string_view name) const {
  if (kind == PolicyOwner::kGroup) return std::nullopt;
  std::optional<auth::ConfiguredIdentity> found = Find(account, TypeOf(kind), name);
  if (!found) return std::nullopt;
  const auth::Principal& p = *found->principal;
  ConfiguredOwner owner;
  owner.name = p.name;
  owner.arn = p.arn;
  owner.id = auth::DerivedUniqueId(kind == PolicyOwner::kUser ? "AIDA" : "AROA", p.arn);
  for (size_t i = 0; i < p.policies.size(); ++i) {
    owner.policies.emplace_back("config-" + std::to_string(i), p.policies[i]);
  }
  owner.tags = ConfiguredTags(p);
  owner.access_key_ids = std::move(found->access_key_ids);
  return owner;
}

std::optional<User> ConfiguredEntities::FindUser(const std::string& account,
                                                 std::string_view name) const {
  std::optional<auth::ConfiguredIdentity> found = Find(account, auth::PrincipalType::kUser, name);
  if (!found) return std::nullopt;
  return ConfiguredUser(*found->principal);
}

std::optional<Role> ConfiguredEntities::FindRole(const std::string& account,
                                                 std::string_view name) const {
  std::optional<auth::ConfiguredIdentity> found = Find(account, auth::PrincipalType::kRole, name);
  if (!found) return std::nullopt;
  return ConfiguredRole(*found->principal);
}

std::vector<User> ConfiguredEntities::Users(const std::string& account,
                                            std::string_view path_prefix) const {
  return UnderPath(Identities(account, auth::PrincipalType::kUser), path_prefix, ConfiguredUser);
}

std::vector<Role> ConfiguredEntities::Roles(const std::string& account,
                                            std::string_view path_prefix) const {
  return UnderPath(Identities(account, auth::PrincipalType::kRole), path_prefix, ConfiguredRole);
}

std::optional<std::vector<AccessKey>> ConfiguredEntities::AccessKeys(const std::string& account,
                                                                     std::string_view user) const {
  std::optional<ConfiguredOwner> owner = FindOwner(account, PolicyOwner::kUser, user);
  if (!owner) return std::nullopt;
  std::vector<AccessKey> out;
  for (const std::string& id : owner->access_key_ids) {
    AccessKey key;
    key.user_name = owner->name;
    key.access_key_id = id;
    key.status = "Active";
    key.created = ConfiguredCreateDate();
    out.push_back(std::move(key));
  }
  return out;
}

Status ConfiguredEntities::RefuseChange(const std::string& account, PolicyOwner kind,
                                        std::string_view name) const {
  std::optional<ConfiguredOwner> owner = FindOwner(account, kind, name);
  if (!owner) return Status::Ok();
  const std::string word = kind == PolicyOwner::kUser ? "user" : "role";
  return IamError(ErrorKind::kUnmodifiableEntity,
                  "Cannot perform the operation on the protected " + word + " '" + owner->name +
                      "' - this " + word +
                      " is defined by SealStack's configuration (--config principals or a seed "
                      "document) and is only modifiable there");
}

}  // namespace sealstack::api::iam
