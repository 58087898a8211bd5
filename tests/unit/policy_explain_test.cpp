// policy::Explain: which part of each statement failed, for "why was I denied?".
#include <catch2/catch.hpp>

#include <string>

#include "policy/explain.h"

using namespace sealstack::policy;

namespace {

RequestContext UserCalling(const std::string& action) {
  RequestContext c;
  c.principal_kind = PrincipalKind::kUser;
  c.principal_arn = "arn:aws:iam::111122223333:user/alice";
  c.principal_account = "111122223333";
  c.action = action;
  c.resource = "arn:aws:kms:us-east-1:111122223333:key/k1";
  c.resource_account = "111122223333";
  return c;
}

PolicyDocument Parse(const std::string& json, PolicyKind kind) {
  auto doc = ParsePolicy(json, kind);
  if (!doc.ok()) FAIL(doc.status().message());
  return std::move(doc).value();
}

}  // namespace

TEST_CASE("Explain names the first part of each statement that fails", "[policy][explain]") {
  const PolicyDocument doc = Parse(R"({"Version": "2012-10-17", "Statement": [
    {"Sid": "OtherAction", "Effect": "Allow", "Principal": "*", "Action": "kms:Encrypt",
     "Resource": "*"},
    {"Sid": "OtherUser", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/bob"},
     "Action": "kms:Decrypt", "Resource": "*"},
    {"Sid": "OtherKey", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt",
     "Resource": "arn:aws:kms:us-east-1:111122223333:key/k2"},
    {"Sid": "Context", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt",
     "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:purpose": "billing"},
                                    "Bool": {"aws:SecureTransport": "true"}}},
    {"Sid": "Account", "Effect": "Allow", "Principal": {"AWS": "111122223333"},
     "Action": "kms:*", "Resource": "*"}]})",
                                   PolicyKind::kResource);
  RequestContext ctx = UserCalling("kms:Decrypt");
  ctx.Set("kms:EncryptionContext:purpose", "marketing");
  ctx.Set("aws:SecureTransport", "true");
  const auto traces = Explain(doc, ctx);
  REQUIRE(traces.size() == 5);
  CHECK(traces[0].FirstFailure() == "action");
  CHECK(traces[1].FirstFailure() == "principal");
  CHECK(traces[2].FirstFailure() == "resource");
  CHECK(traces[3].FirstFailure() ==
        R"(condition StringEquals kms:encryptioncontext:purpose (request: ["marketing"]))");
  CHECK(traces[3].parts_matched() == 3);
  CHECK(traces[3].sid == "Context");
  CHECK(traces[4].applies());
  CHECK(traces[4].via_account);
  CHECK(traces[4].FirstFailure().empty());
  // A key the request does not carry is shown as absent.
  RequestContext bare = UserCalling("kms:Decrypt");
  CHECK(Explain(doc, bare)[3].failed_condition ==
        "StringEquals kms:encryptioncontext:purpose (request: (absent))");
}

TEST_CASE("Explain: identity policies have no principal to fail", "[policy][explain]") {
  const PolicyDocument doc = Parse(
      R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt",
          "Resource": "*"}]})",
      PolicyKind::kIdentity);
  const auto traces = Explain(doc, UserCalling("kms:Decrypt"));
  REQUIRE(traces.size() == 1);
  CHECK(traces[0].applies());
  CHECK_FALSE(traces[0].via_account);
  CHECK(traces[0].sid.empty());
}
