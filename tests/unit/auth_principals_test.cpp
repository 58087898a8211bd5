#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "auth/principals.h"

using namespace sealstack;
using namespace sealstack::auth;

TEST_CASE("ParsePrincipalArn", "[principals]") {
  struct Row {
    const char* arn;
    bool ok;
    PrincipalType type;
    const char* name;
    const char* session;
  };
  const Row rows[] = {
      {"arn:aws:iam::000000000000:root", true, PrincipalType::kRoot, "", ""},
      {"arn:aws:iam::123456789012:user/alice", true, PrincipalType::kUser, "alice", ""},
      {"arn:aws:iam::123456789012:user/division/team/bob+x@y", true, PrincipalType::kUser,
       "bob+x@y", ""},
      {"arn:aws:iam::123456789012:role/GlueJobRole", true, PrincipalType::kRole, "GlueJobRole", ""},
      {"arn:aws:iam::123456789012:role/service-role/AWSGlueServiceRole", true, PrincipalType::kRole,
       "AWSGlueServiceRole", ""},
      {"arn:aws:sts::123456789012:assumed-role/GlueJobRole/run-1", true,
       PrincipalType::kAssumedRole, "GlueJobRole", "run-1"},
      {"arn:aws-us-gov:iam::123456789012:root", true, PrincipalType::kRoot, "", ""},
      {"arn:aws:iam::12345678901:root", false, {}, "", ""},
      {"arn:aws:iam::1234567890123:root", false, {}, "", ""},
      {"arn:aws:iam:us-east-1:123456789012:root", false, {}, "", ""},
      {"arn:aws:iam::123456789012:group/admins", false, {}, "", ""},
      {"arn:aws:iam::123456789012:user/", false, {}, "", ""},
      {"arn:aws:iam::123456789012:user/bad name", false, {}, "", ""},
      {"arn:aws:sts::123456789012:assumed-role/OnlyRole", false, {}, "", ""},
      {"arn:aws:sts::123456789012:assumed-role/Role/s", false, {}, "", ""},  // session >= 2
      {"arn:aws:kms:us-east-1:123456789012:key/abc", false, {}, "", ""},
      {"not an arn", false, {}, "", ""},
  };
  for (const Row& r : rows) {
    INFO(r.arn);
    Result<ParsedArn> parsed = ParsePrincipalArn(r.arn);
    REQUIRE(parsed.ok() == r.ok);
    if (!r.ok) {
      CHECK(parsed.status().code() == StatusCode::kInvalidArgument);
      continue;
    }
    CHECK(parsed->type == r.type);
    CHECK(parsed->name == r.name);
    CHECK(parsed->session_name == r.session);
  }
}

TEST_CASE("PrincipalTypeName gives CloudTrail userIdentity.type", "[principals]") {
  CHECK(PrincipalTypeName(PrincipalType::kRoot) == "Root");
  CHECK(PrincipalTypeName(PrincipalType::kUser) == "IAMUser");
  CHECK(PrincipalTypeName(PrincipalType::kRole) == "Role");
  CHECK(PrincipalTypeName(PrincipalType::kAssumedRole) == "AssumedRole");
}

TEST_CASE("PrincipalStore", "[principals]") {
  PrincipalStore store;
  auto root = store.FindByAccessKey("test");
  REQUIRE(root);
  CHECK(root->secret_access_key.view() == "test");
  CHECK(root->arn == "arn:aws:iam::000000000000:root");
  CHECK(root->account == "000000000000");
  CHECK(root->type == PrincipalType::kRoot);
  CHECK(store.FindByArn("arn:aws:iam::000000000000:root") == root);

  Principal alice;
  alice.access_key_id = "AKIAALICE";
  alice.secret_access_key = crypto::SecretBytes(std::string_view("s3cret"));
  alice.arn = "arn:aws:iam::123456789012:user/alice";
  REQUIRE(store.Put(alice).ok());
  auto a = store.FindByAccessKey("AKIAALICE");
  REQUIRE(a);
  CHECK(a->account == "123456789012");  // derived from the ARN
  CHECK(a->type == PrincipalType::kUser);
  CHECK(a->name == "alice");

  // A role listed without keys is found by ARN only.
  Principal role;
  role.arn = "arn:aws:iam::123456789012:role/GlueJobRole";
  REQUIRE(store.Put(role).ok());
  CHECK(store.FindByArn(role.arn));
  CHECK_FALSE(store.FindByAccessKey(""));

  // Replacing by key moves the ARN index; the old object stays valid for its holders.
  Principal alice2 = alice;
  alice2.arn = "arn:aws:iam::123456789012:user/alice2";
  REQUIRE(store.Put(alice2).ok());
  CHECK(a->name == "alice");
  CHECK(store.FindByAccessKey("AKIAALICE")->name == "alice2");
  CHECK_FALSE(store.FindByArn("arn:aws:iam::123456789012:user/alice"));

  CHECK(store.Put(Principal{}).code() == StatusCode::kInvalidArgument);  // no ARN
  Principal no_secret;
  no_secret.access_key_id = "AKIANOSECRET";
  no_secret.arn = "arn:aws:iam::123456789012:user/x";
  CHECK(store.Put(no_secret).code() == StatusCode::kInvalidArgument);

  REQUIRE(store.Remove("AKIAALICE").ok());
  CHECK_FALSE(store.FindByAccessKey("AKIAALICE"));
  CHECK_FALSE(store.FindByArn("arn:aws:iam::123456789012:user/alice2"));
  CHECK(store.Remove("AKIAALICE").code() == StatusCode::kNotFound);
}

TEST_CASE("DerivedUniqueId is AWS's shape, a function of the ARN alone", "[principals]") {
  const std::string user = DerivedUniqueId("AIDA", "arn:aws:iam::123456789012:user/alice");
  const std::string role = DerivedUniqueId("AROA", "arn:aws:iam::123456789012:role/alice");
  for (const std::string& id : {user, role}) {
    INFO(id);
    REQUIRE(id.size() == 21);
    for (char c : id.substr(4)) CHECK(((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')));
  }
  CHECK(user.substr(0, 4) == "AIDA");
  CHECK(role.substr(0, 4) == "AROA");
  // The same ARN always gives the same id (restarts, every answer); another ARN another one.
  CHECK(DerivedUniqueId("AIDA", "arn:aws:iam::123456789012:user/alice") == user);
  CHECK(DerivedUniqueId("AIDA", "arn:aws:iam::123456789012:user/bob") != user);
  CHECK(DerivedUniqueId("AIDA", "arn:aws:iam::210987654321:user/alice") != user);
  // Pinned: the id is part of what clients see and may store.
  CHECK(user == "AIDAXX5Y3VXJ2UDUMQWYZ");
}

TEST_CASE("ConfiguredIdentities: an account's users and roles with their long-term keys",
          "[principals]") {
  PrincipalStore store;
  auto put = [&](std::string key, std::string arn, std::string token = "") {
    Principal p;
    p.access_key_id = std::move(key);
    if (!p.access_key_id.empty()) p.secret_access_key = crypto::SecretBytes("secret");
    p.session_token = std::move(token);
    p.arn = std::move(arn);
    const Status st = store.Put(std::move(p));
    REQUIRE(st.ok());
  };
  put("AKIAALICE2", "arn:aws:iam::123456789012:user/alice");
  put("AKIAALICE1", "arn:aws:iam::123456789012:user/alice");
  put("ASIATEMP", "arn:aws:iam::123456789012:user/temp", "token");
  put("", "arn:aws:iam::123456789012:role/team/deployer");
  put("AKIAROOT", "arn:aws:iam::123456789012:root");
  put("AKIAOTHER", "arn:aws:iam::210987654321:user/bob");
  put("ASIASESSION", "arn:aws:sts::123456789012:assumed-role/deployer/s1", "token");

  std::vector<ConfiguredIdentity> found = store.ConfiguredIdentities("123456789012");
  REQUIRE(found.size() == 3);  // not the root, not the session, not the other account
  CHECK(found[0].principal->arn == "arn:aws:iam::123456789012:role/team/deployer");
  CHECK(found[0].access_key_ids.empty());
  CHECK(found[1].principal->arn == "arn:aws:iam::123456789012:user/alice");
  CHECK(found[1].access_key_ids == std::vector<std::string>{"AKIAALICE1", "AKIAALICE2"});
  CHECK(found[2].principal->name == "temp");
  CHECK(found[2].access_key_ids.empty());  // temporary credentials are no access key
  CHECK(store.ConfiguredIdentities(std::string(kDefaultAccount)).empty());  // test/test is root
}
