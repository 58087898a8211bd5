// AccessCheck (api/common/access.h): the global condition keys every service gets, the one
// policy cache, each service's AccessDenied wording, explicit deny over every allow path, the
// policy modes and the decision observer.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "api/common/access.h"
#include "common/time_format.h"

using namespace sealstack;
using api::AccessCheck;
using api::AccessDecision;
using api::AccessRequest;
using api::AccessRule;
using api::AccessService;
using api::PolicyMode;

namespace {

const std::string kAccount = "111122223333";
const std::string kUserArn = "arn:aws:iam::111122223333:user/alice";
const std::string kKeyArn = "arn:aws:kms:us-east-1:111122223333:key/k1";

// 2026-12-01T00:00:00Z
const SystemTime kStart = *ParseIso8601("2026-12-01T00:00:00Z");

api::Caller User(std::vector<std::string> policies = {}) {
  auto p = std::make_shared<auth::Principal>();
  p->arn = kUserArn;
  p->account = kAccount;
  p->type = auth::PrincipalType::kUser;
  p->name = "alice";
  p->policies = std::move(policies);
  api::Caller c;
  c.principal = std::move(p);
  c.region = "eu-west-1";
  c.source_ip = "10.1.2.3";
  c.secure_transport = true;
  c.user_agent = "Boto3/1.0";
  return c;
}

api::Caller Root() {
  auto p = std::make_shared<auth::Principal>();
  p->arn = "arn:aws:iam::111122223333:root";
  p->account = kAccount;
  p->type = auth::PrincipalType::kRoot;
  api::Caller c;
  c.principal = std::move(p);
  return c;
}

std::string Identity(const std::string& effect, const std::string& condition = "",
                     const std::string& sid = "S") {
  std::string s = R"({"Version":"2012-10-17","Statement":[{"Sid":")" + sid + R"(","Effect":")" +
                  effect + R"(","Action":"*","Resource":"*")";
  if (!condition.empty()) s += R"(,"Condition":)" + condition;
  return s + "}]}";
}

// A key or bucket policy that allows (or denies) everyone in the account.
std::string ResourcePolicy(const std::string& effect) {
  return R"({"Version":"2012-10-17","Statement":[{"Sid":"R","Effect":")" + effect +
         R"(","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"*","Resource":"*"}]})";
}

// One request per service, as each service's authorizer builds it.
AccessRequest RequestFor(AccessService service) {
  AccessRequest r;
  r.service = service;
  switch (service) {
    case AccessService::kKms:
      r.rule = AccessRule::kKeyPolicy;
      r.action = "kms:Decrypt";
      r.resource = kKeyArn;
      r.resource_account = kAccount;
      r.keys = {{"kms:CallerAccount", kAccount}};
      break;
    case AccessService::kS3:
      r.rule = AccessRule::kBucketPolicy;
      r.action = "s3:GetObject";
      r.resource = "arn:aws:s3:::b/k";
      r.resource_account = kAccount;
      r.keys = {{"s3:ResourceAccount", kAccount}};
      break;
    case AccessService::kGlue:
      r.action = "glue:GetJob";
      r.resource = "arn:aws:glue:eu-west-1:111122223333:job/j";
      break;
    case AccessService::kCloudTrail:
      r.action = "cloudtrail:LookupEvents";
      r.resource = "*";
      break;
    case AccessService::kIam:
      r.action = "iam:GetUser";
      r.resource = "arn:aws:iam::111122223333:user/u";
      break;
    case AccessService::kSts:
      r.rule = AccessRule::kTrustPolicy;
      r.action = "sts:AssumeRole";
      r.resource = "arn:aws:iam::111122223333:role/r";
      r.resource_account = kAccount;
      break;
  }
  return r;
}

const AccessService kAll[] = {AccessService::kKms, AccessService::kS3, AccessService::kGlue,
                              AccessService::kCloudTrail};

struct Fixture {
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>(kStart);
  std::vector<std::string> log;
  std::vector<AccessDecision> seen;
  std::shared_ptr<AccessCheck> check;

  explicit Fixture(PolicyMode mode = PolicyMode::kEnforce) {
    check = std::make_shared<AccessCheck>(mode, clock,
                                          [this](const std::string& l) { log.push_back(l); });
    check->SetObserver([this](const AccessDecision& d) { seen.push_back(d); });
  }

  // The service's request with its resource policy allowing the account, so the identity
  // policies decide.
  AccessDecision Check(const api::Caller& c, AccessService service,
                       const std::string& resource_policy = ResourcePolicy("Allow")) {
    AccessRequest r = RequestFor(service);
    if (r.rule != AccessRule::kIdentityOnly) r.resource_policy = resource_policy;
    return check->Check(c, r);
  }
};

}  // namespace

TEST_CASE("Every service's request context carries the same global keys", "[api][access]") {
  Fixture f;
  for (AccessService s : kAll) {
    INFO(static_cast<int>(s));
    policy::RequestContext ctx = f.check->Context(User(), RequestFor(s));
    auto value = [&](const char* lower) {
      const auto* v = ctx.Find(lower);
      return v != nullptr && v->size() == 1 ? (*v)[0] : std::string("<absent>");
    };
    CHECK(value("aws:currenttime") == "2026-12-01T00:00:00Z");
    CHECK(value("aws:epochtime") == "1796083200");
    CHECK(value("aws:securetransport") == "true");
    CHECK(value("aws:sourceip") == "10.1.2.3");
    CHECK(value("aws:useragent") == "Boto3/1.0");
    CHECK(value("aws:requestedregion") == "eu-west-1");
    CHECK(value("aws:principalarn") == kUserArn);
    CHECK(value("aws:principalaccount") == kAccount);
    CHECK(value("aws:principaltype") == "User");
    CHECK(value("aws:username") == "alice");
    CHECK(ctx.Find("aws:userid") != nullptr);
  }
  // The service adds its own keys after them.
  policy::RequestContext kms = f.check->Context(User(), RequestFor(AccessService::kKms));
  REQUIRE(kms.Find("kms:calleraccount") != nullptr);
  // Absent facts are absent keys, not empty values; SecureTransport is always known.
  policy::RequestContext root = f.check->Context(Root(), RequestFor(AccessService::kGlue));
  CHECK(root.Find("aws:sourceip") == nullptr);
  CHECK(root.Find("aws:useragent") == nullptr);
  REQUIRE(root.Find("aws:securetransport") != nullptr);
  CHECK((*root.Find("aws:securetransport"))[0] == "false");
}

TEST_CASE("A time-bound identity policy ends at the same instant on every service",
          "[api][access]") {
  Fixture f;
  const api::Caller c =
      User({Identity("Allow", R"({"DateLessThan":{"aws:CurrentTime":"2026-12-02T00:00:00Z"}})")});
  for (AccessService s : kAll) CHECK(f.Check(c, s).allowed());
  f.clock->Advance(std::chrono::hours(24));
  for (AccessService s : kAll) {
    AccessDecision d = f.Check(c, s);
    CHECK(d.denied());
    CHECK(d.decision == policy::Decision::kImplicitDeny);
  }
  // aws:EpochTime follows the same clock.
  const api::Caller epoch =
      User({Identity("Allow", R"({"NumericLessThan":{"aws:EpochTime":"1796256000"}})")});
  for (AccessService s : kAll) CHECK(f.Check(epoch, s).allowed());
  f.clock->Advance(std::chrono::hours(24));
  for (AccessService s : kAll) CHECK(f.Check(epoch, s).denied());
}

TEST_CASE("A SecureTransport condition behaves the same on every service", "[api][access]") {
  Fixture f;
  api::Caller c = User({Identity("Allow", R"({"Bool":{"aws:SecureTransport":"true"}})")});
  for (AccessService s : kAll) CHECK(f.Check(c, s).allowed());
  c.secure_transport = false;
  for (AccessService s : kAll) CHECK(f.Check(c, s).denied());
}

TEST_CASE("Policies are parsed once, through one cache, by kind and text", "[api][access]") {
  Fixture f;
  const std::string text = Identity("Allow");
  auto a = f.check->Parsed(text, policy::PolicyKind::kIdentity);
  auto b = f.check->Parsed(text, policy::PolicyKind::kIdentity);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->get() == b->get());
  // The same text as a resource policy is another document (it needs a Principal).
  CHECK_FALSE(f.check->Parsed(text, policy::PolicyKind::kResource).ok());
  const std::string key_policy = ResourcePolicy("Allow");
  auto k1 = f.check->Parsed(key_policy, policy::PolicyKind::kResource);
  auto k2 = f.check->Parsed(key_policy, policy::PolicyKind::kResource);
  REQUIRE(k1.ok());
  REQUIRE(k2.ok());
  CHECK(k1->get() == k2->get());
  CHECK_FALSE(f.check->Parsed("{not json", policy::PolicyKind::kIdentity).ok());
}

TEST_CASE("Each service's AccessDenied text comes from one place", "[api][access]") {
  Fixture f;
  static const struct {
    AccessService service;
    const char* implicit;
    const char* explicit_identity;
  } kCases[] = {
      {AccessService::kKms,
       "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:Decrypt on "
       "resource: arn:aws:kms:us-east-1:111122223333:key/k1 because no identity-based policy "
       "allows the kms:Decrypt action",
       "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:Decrypt on "
       "resource: arn:aws:kms:us-east-1:111122223333:key/k1 with an explicit deny in an "
       "identity-based policy"},
      {AccessService::kS3,
       "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on "
       "resource: \"arn:aws:s3:::b/k\" because no identity-based policy allows the s3:GetObject "
       "action",
       "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on "
       "resource: \"arn:aws:s3:::b/k\" with an explicit deny in an identity-based policy"},
      {AccessService::kGlue,
       "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: glue:GetJob on "
       "resource: arn:aws:glue:eu-west-1:111122223333:job/j because no identity-based policy "
       "allows the glue:GetJob action",
       "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: glue:GetJob on "
       "resource: arn:aws:glue:eu-west-1:111122223333:job/j with an explicit deny in an "
       "identity-based policy"},
      {AccessService::kCloudTrail,
       "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: "
       "cloudtrail:LookupEvents because no identity-based policy allows the "
       "cloudtrail:LookupEvents action",
       "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: "
       "cloudtrail:LookupEvents with an explicit deny in an identity-based policy"},
  };
  for (const auto& c : kCases) {
    INFO(c.implicit);
    CHECK(f.Check(User(), c.service).message == c.implicit);
    CHECK(f.Check(User({Identity("Deny")}), c.service).message == c.explicit_identity);
  }
  // Resource-side wording: a key policy that does not allow, a resource policy that denies.
  const std::string other_account = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
    "Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"*","Resource":"*"}]})";
  CHECK(f.Check(User({Identity("Allow")}), AccessService::kKms, other_account).message ==
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:Decrypt on "
        "resource: arn:aws:kms:us-east-1:111122223333:key/k1 because no resource-based policy "
        "allows the kms:Decrypt action");
  CHECK(f.Check(User({Identity("Allow")}), AccessService::kS3, ResourcePolicy("Deny")).message ==
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on "
        "resource: \"arn:aws:s3:::b/k\" with an explicit deny in a resource-based policy");
  // S3 tells another account nothing.
  AccessRequest foreign = RequestFor(AccessService::kS3);
  foreign.resource_account = "999999999999";
  CHECK(f.check->Check(User(), foreign).message == "Access Denied");
  // Allowed calls carry no text.
  CHECK(f.Check(Root(), AccessService::kGlue).message.empty());
}

TEST_CASE("An explicit deny wins over every allow path", "[api][access]") {
  Fixture f;
  const std::string deny = Identity("Deny", "", "NoWay");
  for (AccessService s : kAll) {
    AccessDecision d = f.Check(User({Identity("Allow"), deny}), s);
    CHECK(d.decision == policy::Decision::kExplicitDeny);
    CHECK(d.statement_sid == "NoWay");
    CHECK(d.policy_index == 1);
  }
  // Where identity policies decide alone, they bind the account root too (it needs no Allow,
  // but a Deny attached to it counts). Key and bucket policies ignore a root's identity
  // policies, as AWS has none for it (policy/evaluate.h).
  api::Caller root = Root();
  auto p = std::make_shared<auth::Principal>(*root.principal);
  p->policies = {deny};
  root.principal = p;
  CHECK(f.Check(root, AccessService::kGlue).denied());
  CHECK(f.Check(root, AccessService::kCloudTrail).denied());
  // A grant does not override an explicit deny, and is not even asked.
  AccessRequest r = RequestFor(AccessService::kKms);
  r.resource_policy = ResourcePolicy("Deny");
  int asked = 0;
  r.allowing_grant = [&]() -> std::optional<std::string> {
    ++asked;
    return "grant-1";
  };
  CHECK(f.check->Check(User({Identity("Allow")}), r).denied());
  CHECK(asked == 0);
  // Without a deny the grant is an allow path of its own (no identity policy needed).
  r.resource_policy = ResourcePolicy("Allow");
  CHECK(f.check->Check(User(), r).allowed());
  CHECK(asked == 1);
  // Explained, it names the grant.
  const AccessDecision explained = f.check->Evaluate(User(), r, /*explain=*/true);
  CHECK((explained.policy_kind == "grant" && explained.policy_name == "grant-1"));
}

TEST_CASE("The account root needs no identity policy; users do", "[api][access]") {
  Fixture f;
  for (AccessService s : kAll) {
    CHECK(f.Check(Root(), s).allowed());
    CHECK(f.Check(User(), s).denied());
    CHECK(f.Check(User({Identity("Allow")}), s).allowed());
  }
  // An unreadable key policy allows nobody.
  CHECK(f.Check(Root(), AccessService::kKms, "{not json").denied());
}

TEST_CASE("Policy modes: audit logs and lets through, off skips; the observer sees each",
          "[api][access]") {
  Fixture audit(PolicyMode::kAudit);
  AccessDecision d = audit.Check(User(), AccessService::kGlue);
  CHECK_FALSE(d.allowed());
  CHECK_FALSE(d.denied());
  CHECK_FALSE(d.enforced);
  REQUIRE(audit.log.size() == 1);
  CHECK(audit.log[0] == "policy-mode audit: would deny: " + d.message);
  REQUIRE(audit.seen.size() == 1);
  CHECK(audit.seen[0].action == "glue:GetJob");

  Fixture off(PolicyMode::kOff);
  CHECK(off.Check(User(), AccessService::kS3).allowed());
  CHECK(off.log.empty());
  REQUIRE(off.seen.size() == 1);
  CHECK_FALSE(off.seen[0].enforced);

  Fixture enforce;
  enforce.Check(User({Identity("Allow", "", "Ok")}), AccessService::kCloudTrail);
  REQUIRE(enforce.seen.size() == 1);
  CHECK(enforce.seen[0].allowed());
  CHECK(enforce.seen[0].principal_arn == kUserArn);
  CHECK(enforce.seen[0].statement_sid == "Ok");
  CHECK(enforce.seen[0].statement_index == 0u);
  // Evaluate() (e.g. the KMS lockout check) is not a decision on a call: no observer, no log.
  Fixture quiet(PolicyMode::kAudit);
  CHECK_FALSE(quiet.check->Evaluate(User(), RequestFor(AccessService::kKms)).allowed());
  CHECK(quiet.seen.empty());
  CHECK(quiet.log.empty());
}

TEST_CASE("CheckAction is Check of the identity-only request, in the service's wording",
          "[api][access]") {
  const api::Caller denied = User({Identity("Deny")});
  for (AccessService s : {AccessService::kGlue, AccessService::kCloudTrail}) {
    INFO(static_cast<int>(s));
    const AccessRequest r = RequestFor(s);
    Fixture by_request;
    Fixture by_action;
    for (const api::Caller& c : {Root(), User(), User({Identity("Allow", "", "Ok")}), denied}) {
      const AccessDecision want = by_request.check->Check(c, r);
      const AccessDecision got = by_action.check->CheckAction(c, s, r.action, r.resource);
      CHECK(got.decision == want.decision);
      CHECK(got.denied() == want.denied());
      CHECK(got.message == want.message);
      CHECK(got.statement_sid == want.statement_sid);
    }
    REQUIRE(by_action.seen.size() == by_request.seen.size());
    CHECK(by_action.seen.back().service == s);
    CHECK(by_action.seen.back().action == r.action);
    CHECK(by_action.seen.back().resource == r.resource);
  }
}
