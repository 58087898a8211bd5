// The intersection rules of AWS's "Policy evaluation logic" (IAM user guide): identity policies
// ∩ permissions boundary ∩ session policies, plus what a resource policy grants, explicit deny
// anywhere, and cross-account requests. The cases follow the guide's examples.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "policy/evaluate.h"

namespace intersection_test {

using namespace sealstack::policy;

constexpr const char* kAcct = "111122223333";
constexpr const char* kOther = "444455556666";
constexpr const char* kBucket = "arn:aws:s3:::amzn-s3-demo-bucket/report.csv";
constexpr const char* kKey =
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

PolicyDocument Doc(const std::string& json, PolicyKind kind) {
  auto doc = ParsePolicy(json, kind);
  INFO(json);
  if (!doc.ok()) FAIL(doc.status().message());
  return std::move(doc).value();
}

PolicyDocument Allow(const std::string& actions, const std::string& effect = "Allow") {
  return Doc(R"({"Version":"2012-10-17","Statement":[{"Effect":")" + effect + R"(","Action":)" +
                 actions + R"(,"Resource":"*"}]})",
             PolicyKind::kIdentity);
}

PolicyDocument Grant(const std::string& principal, const std::string& actions,
                     const std::string& effect = "Allow") {
  return Doc(R"({"Version":"2012-10-17","Statement":[{"Effect":")" + effect +
                 R"(","Principal":{"AWS":")" + principal + R"("},"Action":)" + actions +
                 R"(,"Resource":"*"}]})",
             PolicyKind::kResource);
}

RequestContext Shirley(const std::string& action, const std::string& resource_account = kAcct) {
  RequestContext c;
  c.principal_kind = PrincipalKind::kUser;
  c.principal_arn = std::string("arn:aws:iam::") + kAcct + ":user/ShirleyRodriguez";
  c.principal_account = kAcct;
  c.action = action;
  c.resource = action.rfind("kms:", 0) == 0 ? kKey : kBucket;
  c.resource_account = resource_account;
  return c;
}

RequestContext RoleSession(const std::string& action) {
  RequestContext c;
  c.principal_kind = PrincipalKind::kAssumedRole;
  c.principal_arn = std::string("arn:aws:sts::") + kAcct + ":assumed-role/Analyst/s1";
  c.role_arn = std::string("arn:aws:iam::") + kAcct + ":role/Analyst";
  c.principal_account = kAcct;
  c.action = action;
  c.resource = action.rfind("kms:", 0) == 0 ? kKey : kBucket;
  c.resource_account = kAcct;
  return c;
}

const std::string kRoleArn = std::string("arn:aws:iam::") + kAcct + ":role/Analyst";
const std::string kSessionArn = std::string("arn:aws:sts::") + kAcct + ":assumed-role/Analyst/s1";
const std::string kUserArn = std::string("arn:aws:iam::") + kAcct + ":user/ShirleyRodriguez";

TEST_CASE("Boundary x identity: only what both allow", "[policy][intersection]") {
  // The guide's example: the boundary allows S3, CloudWatch and EC2; the identity policy allows
  // iam:CreateUser. The user can do neither (no action is in both).
  const PolicyDocument boundary = Allow(R"(["s3:*","cloudwatch:*","ec2:*"])");
  const PolicyDocument create_user = Allow(R"("iam:CreateUser")");
  const PolicyDocument* id1[] = {&create_user};
  PrincipalPolicies p(id1);
  p.boundary = &boundary;
  AccessDecision d = DecideIdentity(p, Shirley("iam:CreateUser"));
  CHECK(d.decision == Decision::kImplicitDeny);
  CHECK(d.source == DecisionSource::kPermissionsBoundary);
  d = DecideIdentity(p, Shirley("s3:GetObject"));
  CHECK(d.decision == Decision::kImplicitDeny);
  CHECK(d.source == DecisionSource::kIdentityPolicy);

  const PolicyDocument s3_all = Allow(R"("s3:*")");
  const PolicyDocument* id2[] = {&s3_all};
  PrincipalPolicies q(id2);
  q.boundary = &boundary;
  CHECK(DecideIdentity(q, Shirley("s3:PutObject")).allowed());
  // An explicit deny in the boundary wins over the identity Allow.
  const PolicyDocument deny_put = Allow(R"("s3:PutObject")", "Deny");
  q.boundary = &deny_put;
  d = DecideIdentity(q, Shirley("s3:PutObject"));
  CHECK(d.decision == Decision::kExplicitDeny);
  CHECK(d.source == DecisionSource::kPermissionsBoundary);
}

TEST_CASE("Session policy x identity: a session never exceeds its role", "[policy][intersection]") {
  const PolicyDocument kms_all = Allow(R"("kms:*")");
  const PolicyDocument decrypt = Allow(R"("kms:Decrypt")");
  const PolicyDocument s3_all = Allow(R"("s3:*")");
  const PolicyDocument* role[] = {&kms_all};
  const PolicyDocument* session[] = {&decrypt, &s3_all};  // session policies allow as a union
  PrincipalPolicies p(role);
  p.session = session;
  p.has_session_policy = true;
  CHECK(DecideIdentity(p, RoleSession("kms:Decrypt")).allowed());
  AccessDecision d = DecideIdentity(p, RoleSession("kms:Encrypt"));
  CHECK(d.decision == Decision::kImplicitDeny);
  CHECK(d.source == DecisionSource::kSessionPolicy);
  d = DecideIdentity(p, RoleSession("s3:GetObject"));  // the session allows, the role does not
  CHECK(d.decision == Decision::kImplicitDeny);
  CHECK(d.source == DecisionSource::kIdentityPolicy);
  // Session policies present but none readable (every PolicyArn gone): nothing is allowed.
  PrincipalPolicies none(role);
  none.has_session_policy = true;
  CHECK(DecideIdentity(none, RoleSession("kms:Decrypt")).source == DecisionSource::kSessionPolicy);
}

TEST_CASE("Boundary x session x identity: all three must allow", "[policy][intersection]") {
  const PolicyDocument id = Allow(R"(["kms:Decrypt","kms:Encrypt","kms:DescribeKey"])");
  const PolicyDocument boundary = Allow(R"(["kms:Decrypt","kms:Encrypt"])");
  const PolicyDocument session = Allow(R"(["kms:Decrypt","kms:DescribeKey"])");
  const PolicyDocument* ids[] = {&id};
  const PolicyDocument* sessions[] = {&session};
  PrincipalPolicies p(ids);
  p.boundary = &boundary;
  p.session = sessions;
  p.has_session_policy = true;
  CHECK(DecideIdentity(p, RoleSession("kms:Decrypt")).allowed());
  CHECK(DecideIdentity(p, RoleSession("kms:Encrypt")).source == DecisionSource::kSessionPolicy);
  CHECK(DecideIdentity(p, RoleSession("kms:DescribeKey")).source ==
        DecisionSource::kPermissionsBoundary);
}

TEST_CASE("Same account: a resource policy naming a user is not limited by its boundary",
          "[policy][intersection]") {
  // "Within an account, an implicit deny in a permissions boundary does not limit the
  // permissions granted to an IAM user by a resource-based policy."
  const PolicyDocument bucket = Grant(kUserArn, R"("s3:GetObject")");
  const PolicyDocument boundary = Allow(R"("ec2:*")");
  PrincipalPolicies p;
  p.boundary = &boundary;
  AccessDecision d = DecideS3(&bucket, p, Shirley("s3:GetObject"));
  CHECK(d.allowed());
  CHECK(d.source == DecisionSource::kResourcePolicy);
  // An explicit deny in the boundary still wins.
  const PolicyDocument deny = Allow(R"("s3:*")", "Deny");
  p.boundary = &deny;
  d = DecideS3(&bucket, p, Shirley("s3:GetObject"));
  CHECK(d.decision == Decision::kExplicitDeny);
  CHECK(d.source == DecisionSource::kPermissionsBoundary);
}

TEST_CASE("Same account: a grant to the role ARN is limited, one to the session ARN is not",
          "[policy][intersection]") {
  const PolicyDocument describe = Allow(R"("kms:DescribeKey")");
  const PolicyDocument* sessions[] = {&describe};
  PrincipalPolicies p;
  p.session = sessions;
  p.has_session_policy = true;

  const PolicyDocument to_role = Grant(kRoleArn, R"("kms:Decrypt")");
  AccessDecision d = DecideKms(to_role, p, RoleSession("kms:Decrypt"), false);
  CHECK(d.decision == Decision::kImplicitDeny);
  CHECK(d.source == DecisionSource::kSessionPolicy);
  const PolicyDocument to_session = Grant(kSessionArn, R"("kms:Decrypt")");
  d = DecideKms(to_session, p, RoleSession("kms:Decrypt"), false);
  CHECK(d.allowed());
  CHECK(d.source == DecisionSource::kResourcePolicy);

  // The role's boundary limits the role ARN's grant the same way.
  const PolicyDocument boundary = Allow(R"("s3:*")");
  PrincipalPolicies b;
  b.boundary = &boundary;
  d = DecideKms(to_role, b, RoleSession("kms:Decrypt"), false);
  CHECK(d.source == DecisionSource::kPermissionsBoundary);
  CHECK(DecideKms(to_session, b, RoleSession("kms:Decrypt"), false).allowed());
  // Without a boundary or session policy the role's grant stands alone.
  CHECK(DecideKms(to_role, PrincipalPolicies(), RoleSession("kms:Decrypt"), false).allowed());
}

TEST_CASE("Delegation to the account: the whole identity path must allow",
          "[policy][intersection]") {
  const PolicyDocument key_policy =
      Grant(std::string("arn:aws:iam::") + kAcct + ":root", R"("kms:*")");
  const PolicyDocument kms_all = Allow(R"("kms:*")");
  const PolicyDocument boundary = Allow(R"("kms:Encrypt")");
  const PolicyDocument* ids[] = {&kms_all};
  PrincipalPolicies p(ids);
  CHECK(DecideKms(key_policy, p, Shirley("kms:Decrypt"), false).allowed());
  p.boundary = &boundary;
  AccessDecision d = DecideKms(key_policy, p, Shirley("kms:Decrypt"), false);
  CHECK(d.decision == Decision::kImplicitDeny);
  CHECK(d.source == DecisionSource::kPermissionsBoundary);
  CHECK(DecideKms(key_policy, p, Shirley("kms:Encrypt"), false).allowed());
}

TEST_CASE("Cross-account: the resource policy AND the identity path", "[policy][intersection]") {
  // The bucket is in another account; its policy names Shirley.
  const PolicyDocument bucket = Grant(kUserArn, R"("s3:GetObject")");
  const PolicyDocument s3_read = Allow(R"("s3:GetObject")");
  const PolicyDocument ec2 = Allow(R"("ec2:*")");
  const PolicyDocument* ids[] = {&s3_read};
  PrincipalPolicies p(ids);
  CHECK(DecideS3(&bucket, p, Shirley("s3:GetObject", kOther)).allowed());
  // A boundary that does not allow it cuts the identity side: denied.
  p.boundary = &ec2;
  AccessDecision d = DecideS3(&bucket, p, Shirley("s3:GetObject", kOther));
  CHECK(d.decision == Decision::kImplicitDeny);
  CHECK(d.source == DecisionSource::kPermissionsBoundary);
  // No identity Allow: denied although the bucket policy names her.
  d = DecideS3(&bucket, PrincipalPolicies(), Shirley("s3:GetObject", kOther));
  CHECK(d.decision == Decision::kImplicitDeny);
  CHECK(d.source == DecisionSource::kIdentityPolicy);
  // No bucket-policy Allow: denied although her identity path allows.
  const PolicyDocument other =
      Grant(std::string("arn:aws:iam::") + kOther + ":root", R"("s3:GetObject")");
  d = DecideS3(&other, PrincipalPolicies(ids), Shirley("s3:GetObject", kOther));
  CHECK(d.decision == Decision::kImplicitDeny);
  CHECK(d.source == DecisionSource::kResourcePolicy);
}

TEST_CASE("Trust policy with the caller's boundary", "[policy][intersection]") {
  const PolicyDocument names_user = Grant(kUserArn, R"("sts:AssumeRole")");
  const PolicyDocument names_account =
      Grant(std::string("arn:aws:iam::") + kAcct + ":root", R"("sts:AssumeRole")");
  const PolicyDocument assume = Allow(R"("sts:AssumeRole")");
  const PolicyDocument boundary = Allow(R"("s3:*")");
  const PolicyDocument* ids[] = {&assume};
  PrincipalPolicies p(ids);
  p.boundary = &boundary;
  RequestContext ctx = Shirley("sts:AssumeRole");
  ctx.resource = kRoleArn;
  // Named directly in the same account: the trust policy's grant stands.
  CHECK(DecideTrust(&names_user, p, ctx).allowed());
  // Through the account: the identity path, cut by the boundary.
  AccessDecision d = DecideTrust(&names_account, p, ctx);
  CHECK(d.decision == Decision::kImplicitDeny);
  CHECK(d.source == DecisionSource::kPermissionsBoundary);
  // Unreadable trust policy: nobody.
  CHECK(DecideTrust(nullptr, p, ctx).source == DecisionSource::kResourcePolicy);
}

}  // namespace intersection_test
