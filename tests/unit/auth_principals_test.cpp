#include <catch2/catch.hpp>

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
