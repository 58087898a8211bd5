// Micro-benchmark, hidden by default: ./policy_tests "[.bench]" (build Release for real figures).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <string>

#include "policy/evaluate.h"

using namespace sealstack::policy;

namespace {

// A realistic 20-statement key policy: admin roles, per-application usage roles with
// ViaService / encryption-context conditions, grant management, a few Denies, and the
// account delegation statement.
std::string TwentyStatementKeyPolicy() {
  std::string s = R"({"Version":"2012-10-17","Id":"bench","Statement":[)";
  s +=
      R"({"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"})";
  s +=
      R"(,{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/KeyAdmin","arn:aws:iam::111122223333:user/ops"]},"Action":["kms:Create*","kms:Describe*","kms:Enable*","kms:List*","kms:Put*","kms:Update*","kms:Revoke*","kms:Disable*","kms:Get*","kms:Delete*","kms:TagResource","kms:UntagResource","kms:ScheduleKeyDeletion","kms:CancelKeyDeletion"],"Resource":"*"})";
  for (int i = 0; i < 12; ++i) {
    std::string n = std::to_string(i);
    s +=
        R"(,{"Sid":"App)" + n +
        R"(","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App)" + n +
        R"("},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com","kms:CallerAccount":"111122223333"},"StringLike":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::bucket-)" +
        n + R"(/*"}}})";
  }
  s +=
      R"(,{"Sid":"Grants","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Batch"},"Action":["kms:CreateGrant","kms:ListGrants","kms:RevokeGrant"],"Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}})";
  s +=
      R"(,{"Sid":"DenyOutsideOrg","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":["111122223333","444455556666"]}}})";
  s +=
      R"(,{"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}})";
  s +=
      R"(,{"Sid":"DenyDeleteExceptAdmin","Effect":"Deny","Principal":"*","Action":["kms:ScheduleKeyDeletion","kms:PutKeyPolicy"],"Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/KeyAdmin"}}})";
  s +=
      R"(,{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":["kms:Decrypt"],"Resource":"*"})";
  s +=
      R"(,{"Sid":"AllowIpRange","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Legacy"},"Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}})";
  s += "]}";
  return s;
}

}  // namespace

TEST_CASE("Benchmark: 20-statement key policy, 1e6 evaluations", "[.bench][policy]") {
  auto doc = ParsePolicy(TwentyStatementKeyPolicy(), PolicyKind::kResource);
  REQUIRE(doc.ok());
  REQUIRE(doc->statements.size() == 20);

  RequestContext ctx;
  ctx.principal_kind = PrincipalKind::kAssumedRole;
  ctx.principal_arn = "arn:aws:sts::111122223333:assumed-role/App11/session";
  ctx.role_arn = "arn:aws:iam::111122223333:role/App11";
  ctx.principal_account = "111122223333";
  ctx.action = "kms:GenerateDataKey";
  ctx.resource = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  ctx.resource_account = "111122223333";
  AddPrincipalConditionKeys(&ctx);
  ctx.Set("kms:CallerAccount", "111122223333");
  ctx.Set("kms:ViaService", "s3.us-east-1.amazonaws.com");
  ctx.Set("kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::bucket-11/reports/q1.csv");
  ctx.Add("kms:EncryptionContextKeys", "aws:s3:arn");
  ctx.Set("aws:SecureTransport", "true");
  ctx.Set("aws:SourceIp", "10.1.2.3");

  EvaluationResult first = Evaluate(*doc, ctx);
  REQUIRE(first.decision == Decision::kAllow);
  REQUIRE(first.statement->sid == "App11");

  constexpr int kIterations = 1000000;
  int allowed = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kIterations; ++i) {
    allowed += Evaluate(*doc, ctx).decision == Decision::kAllow;
  }
  auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count();
  CHECK(allowed == kIterations);
  std::printf("policy Evaluate, 20 statements: %.1f ns/eval\n",
              static_cast<double>(ns) / kIterations);

  const PolicyDocument* none[] = {nullptr};
  start = std::chrono::steady_clock::now();
  for (int i = 0; i < kIterations; ++i) {
    allowed += DecideKms(*doc, none, ctx, false).allowed();
  }
  ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf("policy DecideKms, 20 statements: %.1f ns/decision\n",
              static_cast<double>(ns) / kIterations);
}
