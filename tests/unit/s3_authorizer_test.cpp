#include <catch2/catch.hpp>

#include "api/common/access.h"
#include "api/s3/bucket_service.h"
#include "api/s3/s3_authorizer.h"
#include "api/s3/s3_errors.h"
#include "tests/unit/s3_test_util.h"

using namespace sealstack;
using namespace sealstack::api::s3;

namespace {

const std::string kOwner = "111111111111";
const std::string kOther = "222222222222";

std::shared_ptr<api::AccessCheck> Check(api::PolicyMode mode,
                                        api::AccessCheck::LogSink log = nullptr) {
  return std::make_shared<api::AccessCheck>(mode, nullptr, std::move(log));
}

S3Caller CallerOf(const std::string& arn, auth::PrincipalType type, const std::string& account,
                  std::vector<std::string> policies = {}) {
  auto p = std::make_shared<auth::Principal>();
  p->arn = arn;
  p->type = type;
  p->account = account;
  p->policies = std::move(policies);
  S3Caller c;
  c.principal = p;
  c.region = "us-east-1";
  c.auth_type = "REST-HEADER";
  c.signature_version = "AWS4-HMAC-SHA256";
  return c;
}

S3Caller Root(const std::string& account) {
  return CallerOf("arn:aws:iam::" + account + ":root", auth::PrincipalType::kRoot, account);
}

S3Access Put(std::vector<std::pair<std::string, std::string>> keys = {}) {
  return S3Access{"s3:PutObject", ObjectArn("b", "k"), std::move(keys)};
}

const char* kDenyUnencrypted = R"({"Version":"2012-10-17","Statement":[{"Sid":"DenyNoKms",
  "Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*",
  "Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}}]})";

}  // namespace

TEST_CASE("The owning account's root needs no policy; its users need an identity Allow",
          "[s3][authorizer]") {
  S3Authorizer a(Check(api::PolicyMode::kEnforce));
  CHECK(a.Authorize(Root(kOwner), kOwner, "", Put()).ok());

  S3Caller user =
      CallerOf("arn:aws:iam::" + kOwner + ":user/alice", auth::PrincipalType::kUser, kOwner);
  auto [kind, message] = ErrorOf(a.Authorize(user, kOwner, "", Put()));
  CHECK(kind == ErrorKind::kAccessDenied);
  CHECK(message ==
        "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: "
        "s3:PutObject on resource: \"arn:aws:s3:::b/k\" because no identity-based "
        "policy allows the s3:PutObject action");

  S3Caller allowed = CallerOf(
      "arn:aws:iam::" + kOwner + ":user/bob", auth::PrincipalType::kUser, kOwner,
      {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})"});
  CHECK(a.Authorize(allowed, kOwner, "", Put()).ok());
}

TEST_CASE("A deny-unencrypted bucket policy looks at the request's SSE header only",
          "[s3][authorizer]") {
  S3Authorizer a(Check(api::PolicyMode::kEnforce));
  auto [kind, message] = ErrorOf(a.Authorize(Root(kOwner), kOwner, kDenyUnencrypted, Put()));
  CHECK(kind == ErrorKind::kAccessDenied);
  CHECK_THAT(message, Catch::EndsWith("with an explicit deny in a resource-based policy"));
  CHECK_FALSE(a.Authorize(Root(kOwner), kOwner, kDenyUnencrypted,
                          Put({{"s3:x-amz-server-side-encryption", "AES256"}}))
                  .ok());
  CHECK(a.Authorize(Root(kOwner), kOwner, kDenyUnencrypted,
                    Put({{"s3:x-amz-server-side-encryption", "aws:kms"}}))
            .ok());
  // GetObject is not covered by the statement.
  CHECK(a.Authorize(Root(kOwner), kOwner, kDenyUnencrypted,
                    S3Access{"s3:GetObject", ObjectArn("b", "k"), {}})
            .ok());
}

TEST_CASE("Another account gets in only through the bucket policy", "[s3][authorizer]") {
  S3Authorizer a(Check(api::PolicyMode::kEnforce));
  auto [kind, message] = ErrorOf(a.Authorize(Root(kOther), kOwner, "", Put()));
  CHECK(kind == ErrorKind::kAccessDenied);
  CHECK(message == "Access Denied");
  const std::string allow_other = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
    "Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"s3:PutObject",
    "Resource":"arn:aws:s3:::b/*"}]})";
  CHECK(a.Authorize(Root(kOther), kOwner, allow_other, Put()).ok());
  // A user of the other account also needs its own identity policy.
  S3Caller user =
      CallerOf("arn:aws:iam::" + kOther + ":user/carol", auth::PrincipalType::kUser, kOther);
  CHECK_FALSE(a.Authorize(user, kOwner, allow_other, Put()).ok());
}

TEST_CASE("The owner's root keeps the bucket-policy operations under a deny-all policy",
          "[s3][authorizer]") {
  S3Authorizer a(Check(api::PolicyMode::kEnforce));
  const std::string deny_all = R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny",
    "Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]})";
  CHECK_FALSE(a.Authorize(Root(kOwner), kOwner, deny_all, Put()).ok());
  for (const char* action : {"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"}) {
    CHECK(a.Authorize(Root(kOwner), kOwner, deny_all, S3Access{action, BucketArn("b"), {}}).ok());
  }
}

TEST_CASE("Audit mode allows and reports; off allows", "[s3][authorizer]") {
  std::vector<std::string> lines;
  S3Authorizer audit(
      Check(api::PolicyMode::kAudit, [&](const std::string& line) { lines.push_back(line); }));
  CHECK(audit.Authorize(Root(kOther), kOwner, "", Put()).ok());
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::Contains("would deny"));
  S3Authorizer off(Check(api::PolicyMode::kOff));
  CHECK(off.Authorize(Root(kOther), kOwner, "", Put()).ok());
}

TEST_CASE("Bucket policies are validated", "[s3][authorizer]") {
  S3Authorizer a(Check(api::PolicyMode::kEnforce));
  CHECK(a.ValidateBucketPolicy(kDenyUnencrypted, "b").ok());
  auto [k1, m1] = ErrorOf(a.ValidateBucketPolicy("{not json", "b"));
  CHECK(k1 == ErrorKind::kMalformedPolicy);
  auto [k2, m2] = ErrorOf(a.ValidateBucketPolicy(kDenyUnencrypted, "other-bucket"));
  CHECK(k2 == ErrorKind::kMalformedPolicy);
  CHECK(m2 == "Policy has invalid resource");
  // A resource policy needs a Principal.
  auto [k3, m3] = ErrorOf(a.ValidateBucketPolicy(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})",
      "b"));
  CHECK(k3 == ErrorKind::kMalformedPolicy);
}
