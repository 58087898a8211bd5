// server::DecisionLog: a bounded ring of explained decisions, newest first, with filters.
#include <catch2/catch.hpp>

#include <string>

#include "server/decision_log.h"

using namespace sealstack;
using namespace sealstack::server;

namespace {

api::AccessDecision Decision(const std::string& principal, const std::string& action,
                             policy::Decision result, const std::string& request_id = "") {
  api::AccessDecision d;
  d.principal_arn = principal;
  d.action = action;
  d.resource = "*";
  d.decision = result;
  d.request_id = request_id;
  return d;
}

const SystemTime kT0{std::chrono::seconds(1'800'000'000)};

}  // namespace

TEST_CASE("DecisionLog keeps the newest, answers newest first, and filters", "[server]") {
  DecisionLog log(3);
  log.Add(kT0, Decision("arn:a", "kms:Encrypt", policy::Decision::kAllow));
  log.Add(kT0 + std::chrono::seconds(1),
          Decision("arn:b", "kms:Decrypt", policy::Decision::kExplicitDeny, "req-1"));
  log.Add(kT0 + std::chrono::seconds(2),
          Decision("arn:a", "kms:Decrypt", policy::Decision::kImplicitDeny, "req-2"));
  log.Add(kT0 + std::chrono::seconds(3),
          Decision("arn:a", "kms:ListKeys", policy::Decision::kAllow));  // the first one goes
  auto all = log.Find({});
  REQUIRE(all.size() == 3);
  CHECK(all[0].decision.action == "kms:ListKeys");
  CHECK(all[2].seq == 2);
  CHECK(log.Find({.result = "deny"}).size() == 2);
  CHECK(log.Find({.result = "explicit_deny"}).at(0).decision.principal_arn == "arn:b");
  CHECK(log.Find({.principal = "arn:a", .action = "KMS:DECRYPT"}).size() == 1);
  CHECK(log.Find({.since = kT0 + std::chrono::seconds(2)}).size() == 2);
  CHECK(log.Find({.limit = 1}).size() == 1);
  REQUIRE(log.LastDenialOf("req-2"));
  CHECK(ResultName(log.LastDenialOf("req-2")->decision) == "implicit_deny");
  CHECK_FALSE(log.LastDenialOf("req-9"));
  CHECK_FALSE(log.LastDenialOf(""));
  log.Clear();
  CHECK(log.Find({}).empty());
}

TEST_CASE("DecidingStatement names the policy, the statement and its Sid", "[server]") {
  api::AccessDecision d = Decision("arn:a", "kms:Decrypt", policy::Decision::kExplicitDeny);
  d.policy_kind = "key policy";
  d.policy_name = "arn:aws:kms:us-east-1:111122223333:key/k1";
  d.statement_index = 2;
  d.statement_sid = "NoDecrypt";
  CHECK(DecidingStatement(d) ==
        R"(key policy arn:aws:kms:us-east-1:111122223333:key/k1 statement 2 (Sid "NoDecrypt"))");
  api::AccessDecision none = Decision("arn:a", "kms:Decrypt", policy::Decision::kImplicitDeny);
  CHECK(DecidingStatement(none) == "no statement allows kms:Decrypt (implicit deny)");
}
