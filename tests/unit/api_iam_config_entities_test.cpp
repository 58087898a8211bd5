// iam::ConfiguredEntities: configured principals projected as IAM users and roles.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/iam/iam_config_entities.h"
#include "policy/document.h"

using namespace sealstack;
using sealstack::api::iam::ConfiguredEntities;
using sealstack::api::iam::ConfiguredOwner;
using sealstack::api::iam::DefaultTrustPolicy;
using sealstack::api::iam::ErrorKind;
using sealstack::api::iam::kConfiguredCreateDate;
using sealstack::api::iam::MergeByName;
using sealstack::api::iam::PolicyOwner;

namespace {

std::shared_ptr<auth::PrincipalStore> ConfiguredStore() {
  auto store = std::make_shared<auth::PrincipalStore>();
  auto put = [&](std::string key, std::string arn, std::vector<std::string> policies) {
    auth::Principal p;
    p.access_key_id = std::move(key);
    if (!p.access_key_id.empty()) p.secret_access_key = crypto::SecretBytes("secret");
    p.arn = std::move(arn);
    p.policies = std::move(policies);
    const Status st = store->Put(std::move(p));
    REQUIRE(st.ok());
  };
  put("AKIAALICE", "arn:aws:iam::123456789012:user/alice", {R"({"Statement":[]})"});
  put("", "arn:aws:iam::123456789012:role/team/deployer", {"doc-a", "doc-b"});
  return store;
}

}  // namespace

TEST_CASE("ConfiguredEntities projects users and roles", "[iam]") {
  auto store = ConfiguredStore();
  ConfiguredEntities entities(store);
  const std::string account = "123456789012";

  std::optional<api::iam::User> user = entities.FindUser(account, "ALICE");
  REQUIRE(user);
  CHECK(user->name == "alice");
  CHECK(user->path == "/");
  CHECK(user->id == auth::DerivedUniqueId("AIDA", "arn:aws:iam::123456789012:user/alice"));
  CHECK(user->created == SystemTime(std::chrono::seconds(kConfiguredCreateDate)));
  CHECK_FALSE(entities.FindUser(account, "deployer"));  // a role, not a user
  CHECK_FALSE(entities.FindUser("210987654321", "alice"));

  std::optional<api::iam::Role> role = entities.FindRole(account, "deployer");
  REQUIRE(role);
  CHECK(role->path == "/team/");
  CHECK(role->arn == "arn:aws:iam::123456789012:role/team/deployer");
  CHECK(role->id.substr(0, 4) == "AROA");
  CHECK(role->configured);
  CHECK(role->max_session_duration == 3600);
  CHECK(role->trust_policy == DefaultTrustPolicy(account));
  CHECK(policy::ParsePolicy(role->trust_policy, policy::PolicyKind::kResource).ok());

  std::optional<ConfiguredOwner> owner =
      entities.FindOwner(account, PolicyOwner::kRole, "deployer");
  REQUIRE(owner);
  REQUIRE(owner->policies.size() == 2);
  CHECK(owner->policies[0] == std::make_pair(std::string("config-0"), std::string("doc-a")));
  CHECK(owner->policies[1] == std::make_pair(std::string("config-1"), std::string("doc-b")));
  CHECK(owner->id == role->id);
  CHECK_FALSE(entities.FindOwner(account, PolicyOwner::kGroup, "deployer"));

  auto keys = entities.AccessKeys(account, "alice");
  REQUIRE(keys);
  REQUIRE(keys->size() == 1);
  CHECK((*keys)[0].access_key_id == "AKIAALICE");
  CHECK((*keys)[0].status == "Active");
  CHECK_FALSE(entities.AccessKeys(account, "nobody"));

  CHECK(entities.Roles(account, "/team/").size() == 1);
  CHECK(entities.Roles(account, "/other/").empty());
  CHECK(entities.Users(account, "/").size() == 1);

  Status refused = entities.RefuseChange(account, PolicyOwner::kRole, "Deployer");
  CHECK(refused.detail() == static_cast<int>(ErrorKind::kUnmodifiableEntity));
  CHECK(entities.RefuseChange(account, PolicyOwner::kUser, "bob").ok());
  CHECK(entities.RefuseChange(account, PolicyOwner::kGroup, "deployer").ok());

  store.reset();  // the store is gone: there are none
  CHECK_FALSE(entities.FindUser(account, "alice"));
}

TEST_CASE("MergeByName: one name order, configured entities shadow stored ones", "[iam]") {
  struct Item {
    std::string name;
    int from = 0;
  };
  std::vector<Item> stored = {{"aaron", 0}, {"Alice", 0}, {"zed", 0}};
  std::vector<Item> configured = {{"alice", 1}, {"Bea", 1}};
  std::vector<Item> merged = MergeByName(std::move(stored), std::move(configured));
  REQUIRE(merged.size() == 4);
  CHECK(merged[0].name == "aaron");
  CHECK(merged[1].name == "alice");
  CHECK(merged[1].from == 1);
  CHECK(merged[2].name == "Bea");
  CHECK(merged[3].name == "zed");
}
