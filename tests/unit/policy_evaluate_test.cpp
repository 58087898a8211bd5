#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "policy/evaluate.h"

using namespace sealstack::policy;

namespace {

constexpr const char* kAcct = "111122223333";
constexpr const char* kOther = "444455556666";
constexpr const char* kKeyArn =
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

PolicyDocument Resource(const std::string& json) {
  auto doc = ParsePolicy(json, PolicyKind::kResource);
  INFO(json);
  if (!doc.ok()) FAIL(doc.status().message());
  return std::move(doc).value();
}

PolicyDocument Identity(const std::string& json) {
  auto doc = ParsePolicy(json, PolicyKind::kIdentity);
  INFO(json);
  if (!doc.ok()) FAIL(doc.status().message());
  return std::move(doc).value();
}

RequestContext Root(const std::string& account) {
  RequestContext c;
  c.principal_kind = PrincipalKind::kAccountRoot;
  c.principal_arn = "arn:aws:iam::" + account + ":root";
  c.principal_account = account;
  return c;
}

RequestContext User(const std::string& account, const std::string& name) {
  RequestContext c;
  c.principal_kind = PrincipalKind::kUser;
  c.principal_arn = "arn:aws:iam::" + account + ":user/" + name;
  c.principal_account = account;
  return c;
}

RequestContext Session(const std::string& account, const std::string& role,
                       const std::string& session, const std::string& path = "") {
  RequestContext c;
  c.principal_kind = PrincipalKind::kAssumedRole;
  c.principal_arn = "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session;
  c.role_arn = "arn:aws:iam::" + account + ":role/" + path + role;
  c.principal_account = account;
  return c;
}

RequestContext Kms(RequestContext c, const std::string& action) {
  c.action = action;
  c.resource = kKeyArn;
  c.resource_account = kAcct;
  AddPrincipalConditionKeys(&c);
  c.Set("kms:CallerAccount", c.principal_account);
  return c;
}

std::string DefaultKeyPolicy(const std::string& account) {
  return R"({"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::)" +
         account + R"(:root"},"Action":"kms:*","Resource":"*"}]})";
}

const char* kAllowDecrypt =
    R"({"Version":"2012-10-17","Statement":[{"Sid":"UseKey","Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}]})";
const char* kDenyDecrypt =
    R"({"Version":"2012-10-17","Statement":[{"Sid":"NoDecrypt","Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]})";

}  // namespace

TEST_CASE("Account principal: root directly, other identities via delegation",
          "[policy][evaluate]") {
  for (const char* form : {"arn:aws:iam::111122223333:root", "111122223333"}) {
    INFO(form);
    PolicyDocument kp =
        Resource(std::string(R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":")") + form +
                 R"("},"Action":"kms:*","Resource":"*"}]})");
    CHECK(Evaluate(kp, Kms(Root(kAcct), "kms:Decrypt")).decision == Decision::kAllow);
    CHECK(Evaluate(kp, Kms(User(kAcct, "alice"), "kms:Decrypt")).decision ==
          Decision::kAllowViaAccount);
    CHECK(Evaluate(kp, Kms(Session(kAcct, "App", "s1"), "kms:Decrypt")).decision ==
          Decision::kAllowViaAccount);
    CHECK(Evaluate(kp, Kms(Root(kOther), "kms:Decrypt")).decision == Decision::kImplicitDeny);
    CHECK(Evaluate(kp, Kms(User(kOther, "alice"), "kms:Decrypt")).decision ==
          Decision::kImplicitDeny);
  }
}

TEST_CASE("Role, user and session principals", "[policy][evaluate]") {
  PolicyDocument kp = Resource(R"({"Statement":[
    {"Sid":"Role","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":"kms:Decrypt","Resource":"*"},
    {"Sid":"PathRole","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/team/Svc"},"Action":"kms:Decrypt","Resource":"*"},
    {"Sid":"User","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/alice"]},"Action":"kms:Decrypt","Resource":"*"},
    {"Sid":"OneSession","Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/Batch/nightly"},"Action":"kms:Decrypt","Resource":"*"}]})");
  struct Row {
    RequestContext who;
    Decision expected;
    const char* sid;
  };
  RequestContext role_itself = User(kAcct, "x");
  role_itself.principal_kind = PrincipalKind::kRole;
  role_itself.principal_arn = "arn:aws:iam::111122223333:role/App";
  const Row rows[] = {
      {Session(kAcct, "App", "s1"), Decision::kAllow, "Role"},
      {Session(kAcct, "App", "other-session"), Decision::kAllow, "Role"},
      {role_itself, Decision::kAllow, "Role"},
      {Session(kAcct, "Svc", "s", "team/"), Decision::kAllow, "PathRole"},
      {Session(kAcct, "Svc", "s", ""), Decision::kImplicitDeny, ""},  // path differs
      {Session(kAcct, "app", "s1"), Decision::kImplicitDeny, ""},     // exact, case-sensitive
      {Session(kOther, "App", "s1"), Decision::kImplicitDeny, ""},
      {User(kAcct, "alice"), Decision::kAllow, "User"},
      {User(kAcct, "bob"), Decision::kImplicitDeny, ""},
      {Session(kAcct, "Batch", "nightly"), Decision::kAllow, "OneSession"},
      {Session(kAcct, "Batch", "adhoc"), Decision::kImplicitDeny, ""},
      {Root(kAcct), Decision::kImplicitDeny, ""},  // no account statement: root locked out
  };
  for (const Row& r : rows) {
    INFO(r.who.principal_arn << " role " << r.who.role_arn);
    EvaluationResult e = Evaluate(kp, Kms(r.who, "kms:Decrypt"));
    CHECK(e.decision == r.expected);
    if (r.expected == Decision::kAllow) {
      REQUIRE(e.statement);
      CHECK(e.statement->sid == r.sid);
    } else {
      CHECK_FALSE(e.statement);
    }
  }
}

TEST_CASE("Service, anonymous and \"*\" principals", "[policy][evaluate]") {
  PolicyDocument bp = Resource(R"({"Statement":[
    {"Sid":"Logs","Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/logs/*"},
    {"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/public/*"}]})");
  RequestContext svc;
  svc.principal_kind = PrincipalKind::kService;
  svc.service_principal = "logging.s3.amazonaws.com";
  svc.action = "s3:PutObject";
  svc.resource = "arn:aws:s3:::b/logs/1";
  CHECK(Evaluate(bp, svc).decision == Decision::kAllow);
  svc.service_principal = "other.amazonaws.com";
  CHECK(Evaluate(bp, svc).decision == Decision::kImplicitDeny);

  RequestContext anon;
  anon.action = "s3:GetObject";
  anon.resource = "arn:aws:s3:::b/public/x";
  CHECK(Evaluate(bp, anon).decision == Decision::kAllow);
  anon.resource = "arn:aws:s3:::b/private/x";
  CHECK(Evaluate(bp, anon).decision == Decision::kImplicitDeny);
  anon.action = "s3:PutObject";
  anon.resource = "arn:aws:s3:::b/logs/1";
  CHECK(Evaluate(bp, anon).decision == Decision::kImplicitDeny);
}

TEST_CASE("Explicit Deny wins over Allow, in any order, and covers the account",
          "[policy][evaluate]") {
  PolicyDocument kp = Resource(R"({"Statement":[
    {"Sid":"Allow","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:*","Resource":"*"},
    {"Sid":"DenyAcct","Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"kms:ScheduleKeyDeletion","Resource":"*"}]})");
  EvaluationResult ok = Evaluate(kp, Kms(User(kAcct, "alice"), "kms:Decrypt"));
  CHECK(ok.decision == Decision::kAllow);
  EvaluationResult denied = Evaluate(kp, Kms(User(kAcct, "alice"), "kms:ScheduleKeyDeletion"));
  CHECK(denied.decision == Decision::kExplicitDeny);
  REQUIRE(denied.statement);
  CHECK(denied.statement->index == 1);
  CHECK(denied.statement->sid == "DenyAcct");
  CHECK(denied.statement->effect == Effect::kDeny);
  CHECK(Evaluate(kp, Kms(Root(kAcct), "kms:ScheduleKeyDeletion")).decision ==
        Decision::kExplicitDeny);

  // A grant cannot override an explicit deny.
  PolicyDocument deny_all = Resource(
      R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]})");
  AccessDecision d = DecideKms(deny_all, {}, Kms(User(kAcct, "alice"), "kms:Decrypt"), true);
  CHECK(d.decision == Decision::kExplicitDeny);
  CHECK(d.source == DecisionSource::kResourcePolicy);
}

TEST_CASE("NotPrincipal, NotAction, NotResource", "[policy][evaluate]") {
  PolicyDocument bp = Resource(R"({"Statement":[
    {"Sid":"Base","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"},
    {"Sid":"OnlyBob","Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/bob","arn:aws:iam::111122223333:root"]},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"},
    {"Sid":"NoWritesButPut","Effect":"Deny","Principal":"*","NotAction":["s3:Get*","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::b/*"},
    {"Sid":"OnlyData","Effect":"Deny","Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::b/data/*"}]})");
  auto ctx = [](RequestContext c, const char* action, const char* resource) {
    c.action = action;
    c.resource = resource;
    return c;
  };
  // NotPrincipal + Deny: everyone but bob (and the account root) is denied; a listed account
  // exempts only its root, not its other users.
  CHECK(Evaluate(bp, ctx(User(kAcct, "bob"), "s3:DeleteObject", "arn:aws:s3:::b/x")).decision ==
        Decision::kAllow);
  CHECK(Evaluate(bp, ctx(Root(kAcct), "s3:DeleteObject", "arn:aws:s3:::b/x")).decision ==
        Decision::kAllow);
  CHECK(Evaluate(bp, ctx(User(kAcct, "eve"), "s3:DeleteObject", "arn:aws:s3:::b/x")).decision ==
        Decision::kExplicitDeny);
  CHECK(Evaluate(bp, ctx(RequestContext(), "s3:DeleteObject", "arn:aws:s3:::b/x")).decision ==
        Decision::kExplicitDeny);
  // A role listed in NotPrincipal exempts its sessions too.
  PolicyDocument role_only = Resource(
      R"({"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":"s3:*","Resource":"*"}]})");
  CHECK(Evaluate(role_only, ctx(Session(kAcct, "App", "s"), "s3:GetObject", "arn:aws:s3:::b/x"))
            .decision == Decision::kImplicitDeny);
  CHECK(Evaluate(role_only, ctx(Session(kAcct, "Other", "s"), "s3:GetObject", "arn:aws:s3:::b/x"))
            .decision == Decision::kExplicitDeny);
  // NotAction.
  CHECK(Evaluate(bp, ctx(User(kAcct, "eve"), "s3:PutObjectAcl", "arn:aws:s3:::b/x")).decision ==
        Decision::kExplicitDeny);
  CHECK(Evaluate(bp, ctx(User(kAcct, "eve"), "s3:PutObject", "arn:aws:s3:::b/x")).decision ==
        Decision::kAllow);
  // NotResource.
  CHECK(Evaluate(bp, ctx(User(kAcct, "eve"), "s3:GetObject", "arn:aws:s3:::b/data/1")).decision ==
        Decision::kAllow);
  EvaluationResult r =
      Evaluate(bp, ctx(User(kAcct, "eve"), "s3:GetObject", "arn:aws:s3:::b/etc/1"));
  CHECK(r.decision == Decision::kExplicitDeny);
  REQUIRE(r.statement);
  CHECK(r.statement->sid == "OnlyData");
}

TEST_CASE("Action matching is case-insensitive with wildcards; Resource is case-sensitive",
          "[policy][evaluate]") {
  PolicyDocument idp = Identity(R"({"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Action":["KMS:generate*","kms:Re?ncrypt*"],"Resource":"arn:aws:kms:*:111122223333:key/*"},
    {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::Bucket/*"}]})");
  struct Row {
    const char* action;
    const char* resource;
    bool allowed;
  };
  const Row rows[] = {
      {"kms:GenerateDataKey", kKeyArn, true},
      {"KMS:GENERATEDATAKEYWITHOUTPLAINTEXT", kKeyArn, true},
      {"kms:ReEncryptFrom", kKeyArn, true},
      {"kms:Decrypt", kKeyArn, false},
      {"kms:GenerateDataKey", "arn:aws:kms:us-east-1:444455556666:key/x", false},
      {"s3:getobject", "arn:aws:s3:::Bucket/a/b", true},
      {"s3:GetObject", "arn:aws:s3:::bucket/a/b", false},
      {"s3:GetObject", "arn:aws:s3:::Bucket", false},
  };
  for (const Row& r : rows) {
    INFO(r.action << " " << r.resource);
    RequestContext c = User(kAcct, "alice");
    c.action = r.action;
    c.resource = r.resource;
    CHECK((Evaluate(idp, c).decision == Decision::kAllow) == r.allowed);
  }
}

TEST_CASE("Conditions in statements: ViaService example of PROTOCOL 8.3", "[policy][evaluate]") {
  PolicyDocument kp = Resource(R"({"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*",
     "Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com","KMS:CALLERACCOUNT":"111122223333"},
                  "StringLike":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::my-bucket/*"}}}]})");
  RequestContext c = Kms(Session(kAcct, "App", "s"), "kms:GenerateDataKey");
  c.Set("kms:ViaService", "s3.us-east-1.amazonaws.com");
  c.Set("kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::my-bucket/k");
  CHECK(Evaluate(kp, c).decision == Decision::kAllow);
  c.Set("kms:encryptioncontext:aws:s3:arn", "arn:aws:s3:::other/k");
  CHECK(Evaluate(kp, c).decision == Decision::kImplicitDeny);
  c.Set("kms:encryptioncontext:aws:s3:arn", "arn:aws:s3:::my-bucket/k");
  c.keys.erase("kms:viaservice");  // direct call, not through S3
  CHECK(Evaluate(kp, c).decision == Decision::kImplicitDeny);
}

TEST_CASE("Policy variables in Resource (2012-10-17 only)", "[policy][evaluate]") {
  const std::string body =
      R"("Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}])";
  PolicyDocument v2012 = Identity(R"({"Version":"2012-10-17",)" + body + "}");
  PolicyDocument v2008 = Identity("{" + body + "}");
  RequestContext alice = User(kAcct, "alice");
  AddPrincipalConditionKeys(&alice);
  alice.action = "s3:GetObject";
  alice.resource = "arn:aws:s3:::home/alice/notes.txt";
  CHECK(Evaluate(v2012, alice).decision == Decision::kAllow);
  CHECK(Evaluate(v2008, alice).decision == Decision::kImplicitDeny);
  alice.resource = "arn:aws:s3:::home/bob/notes.txt";
  CHECK(Evaluate(v2012, alice).decision == Decision::kImplicitDeny);
  alice.resource = "arn:aws:s3:::home/${aws:username}/notes.txt";
  CHECK(Evaluate(v2008, alice).decision == Decision::kAllow);  // literal in 2008
  // A session has no aws:username: the element matches nothing.
  RequestContext s = Session(kAcct, "App", "s");
  AddPrincipalConditionKeys(&s);
  s.action = "s3:GetObject";
  s.resource = "arn:aws:s3:::home/App/x";
  CHECK(Evaluate(v2012, s).decision == Decision::kImplicitDeny);
}

TEST_CASE("AddPrincipalConditionKeys fills the global principal keys", "[policy][evaluate]") {
  RequestContext s = Session(kAcct, "App", "s1", "team/");
  AddPrincipalConditionKeys(&s);
  REQUIRE(s.Find("aws:principalarn"));
  CHECK(s.Find("aws:principalarn")->front() == "arn:aws:iam::111122223333:role/team/App");
  CHECK(s.Find("aws:principalaccount")->front() == kAcct);
  CHECK(s.Find("aws:principaltype")->front() == "AssumedRole");
  CHECK(s.Find("aws:userid")->front() == "App:s1");
  CHECK(s.Find("aws:username") == nullptr);
  RequestContext u = User(kAcct, "alice");
  AddPrincipalConditionKeys(&u);
  CHECK(u.Find("aws:username")->front() == "alice");
  CHECK(u.Find("aws:principaltype")->front() == "User");
  RequestContext r = Root(kAcct);
  AddPrincipalConditionKeys(&r);
  CHECK(r.Find("aws:principaltype")->front() == "Account");
}

TEST_CASE("DecideKms with the default key policy (PROTOCOL 5.7)", "[policy][kms]") {
  PolicyDocument kp = Resource(DefaultKeyPolicy(kAcct));
  PolicyDocument allow = Identity(kAllowDecrypt);
  PolicyDocument deny = Identity(kDenyDecrypt);
  const PolicyDocument* none[] = {nullptr};
  const PolicyDocument* allows[] = {&allow};
  const PolicyDocument* allow_and_deny[] = {&allow, &deny};

  // Root: allowed by the key policy alone.
  AccessDecision root = DecideKms(kp, {}, Kms(Root(kAcct), "kms:Decrypt"), false);
  CHECK(root.decision == Decision::kAllow);
  CHECK(root.source == DecisionSource::kResourcePolicy);
  REQUIRE(root.statement);
  CHECK(root.statement->sid == "Enable IAM User Permissions");

  // Users and sessions: need an identity Allow on top of the delegation.
  for (const RequestContext& who : {User(kAcct, "alice"), Session(kAcct, "App", "s")}) {
    INFO(who.principal_arn);
    AccessDecision no_iam = DecideKms(kp, none, Kms(who, "kms:Decrypt"), false);
    CHECK(no_iam.decision == Decision::kImplicitDeny);
    CHECK(no_iam.source == DecisionSource::kIdentityPolicy);
    AccessDecision with_iam = DecideKms(kp, allows, Kms(who, "kms:Decrypt"), false);
    CHECK(with_iam.decision == Decision::kAllow);
    CHECK(with_iam.source == DecisionSource::kIdentityPolicy);
    CHECK(with_iam.policy_index == 0);
    AccessDecision denied = DecideKms(kp, allow_and_deny, Kms(who, "kms:Decrypt"), true);
    CHECK(denied.decision == Decision::kExplicitDeny);
    CHECK(denied.source == DecisionSource::kIdentityPolicy);
    CHECK(denied.policy_index == 1);
    CHECK(denied.statement->sid == "NoDecrypt");
    AccessDecision grant = DecideKms(kp, none, Kms(who, "kms:Decrypt"), true);
    CHECK(grant.decision == Decision::kAllow);
    CHECK(grant.source == DecisionSource::kGrant);
    // The identity policy does not cover Encrypt.
    CHECK(DecideKms(kp, allows, Kms(who, "kms:Encrypt"), false).decision ==
          Decision::kImplicitDeny);
  }
}

TEST_CASE("DecideKms without delegation: IAM Allows have no effect", "[policy][kms]") {
  PolicyDocument kp = Resource(R"({"Version":"2012-10-17","Statement":[
    {"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Admin"},"Action":"kms:*","Resource":"*"}]})");
  PolicyDocument allow = Identity(kAllowDecrypt);
  const PolicyDocument* allows[] = {&allow};
  AccessDecision user = DecideKms(kp, allows, Kms(User(kAcct, "alice"), "kms:Decrypt"), false);
  CHECK(user.decision == Decision::kImplicitDeny);
  CHECK(user.source == DecisionSource::kResourcePolicy);
  AccessDecision root = DecideKms(kp, {}, Kms(Root(kAcct), "kms:Decrypt"), false);
  CHECK(root.decision == Decision::kImplicitDeny);
  CHECK(root.source == DecisionSource::kResourcePolicy);
  AccessDecision admin = DecideKms(kp, {}, Kms(Session(kAcct, "Admin", "x"), "kms:Decrypt"), false);
  CHECK(admin.decision == Decision::kAllow);
  CHECK(admin.source == DecisionSource::kResourcePolicy);
}

TEST_CASE("DecideKms cross-account: key policy and the caller's IAM", "[policy][kms]") {
  PolicyDocument kp = Resource(
      DefaultKeyPolicy(kAcct).substr(0, DefaultKeyPolicy(kAcct).size() - 2) +
      R"(,{"Sid":"Other","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":["kms:Decrypt"],"Resource":"*"}]})");
  PolicyDocument allow = Identity(kAllowDecrypt);
  const PolicyDocument* allows[] = {&allow};
  CHECK(DecideKms(kp, {}, Kms(Root(kOther), "kms:Decrypt"), false).allowed());
  CHECK_FALSE(DecideKms(kp, {}, Kms(User(kOther, "bob"), "kms:Decrypt"), false).allowed());
  CHECK(DecideKms(kp, allows, Kms(User(kOther, "bob"), "kms:Decrypt"), false).allowed());
  CHECK_FALSE(DecideKms(kp, allows, Kms(User(kOther, "bob"), "kms:Encrypt"), false).allowed());

  // A cross-account user named directly still needs its own account's IAM Allow.
  PolicyDocument named = Resource(
      R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/bob"},"Action":"kms:Decrypt","Resource":"*"}]})");
  AccessDecision d = DecideKms(named, {}, Kms(User(kOther, "bob"), "kms:Decrypt"), false);
  CHECK(d.decision == Decision::kImplicitDeny);
  CHECK(d.source == DecisionSource::kIdentityPolicy);
  CHECK(DecideKms(named, allows, Kms(User(kOther, "bob"), "kms:Decrypt"), false).allowed());
}

namespace {

std::string S3Policy(const std::string& statements) {
  return R"({"Version":"2012-10-17","Statement":[)" + statements + "]}";
}

const char* kDenyWrongSse =
    R"({"Sid":"DenyWrongSSE","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::BUCKET/*","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}})";
const char* kDenyMissingHeader =
    R"({"Sid":"DenyMissingSSEHeader","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::BUCKET/*","Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}})";
const char* kDenyOtherKey =
    R"({"Sid":"DenyOtherKey","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::BUCKET/*","Condition":{"StringNotEqualsIfExists":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:us-east-1:111122223333:key/good"}}})";
const char* kDenyInsecure =
    R"({"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::BUCKET","arn:aws:s3:::BUCKET/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}})";

struct Put {
  const char* sse;     // nullptr = header absent
  const char* key_id;  // nullptr = header absent
  bool secure;
};

RequestContext PutObject(const Put& p) {
  RequestContext c = Root(kAcct);
  c.action = "s3:PutObject";
  c.resource = "arn:aws:s3:::BUCKET/reports/q1.csv";
  c.resource_account = kAcct;
  if (p.sse) c.Set("s3:x-amz-server-side-encryption", p.sse);
  if (p.key_id) c.Set("s3:x-amz-server-side-encryption-aws-kms-key-id", p.key_id);
  c.Set("aws:SecureTransport", p.secure ? "true" : "false");
  return c;
}

}  // namespace

TEST_CASE("S3 standard deny policies of PROTOCOL 3.8", "[policy][s3]") {
  const char* good_key = "arn:aws:kms:us-east-1:111122223333:key/good";
  const char* bad_key = "arn:aws:kms:us-east-1:111122223333:key/bad";
  struct Row {
    const char* statement;
    Put put;
    bool denied;
  };
  const Row rows[] = {
      // StringNotEquals on a missing header matches: unencrypted uploads are denied.
      {kDenyWrongSse, {nullptr, nullptr, true}, true},
      {kDenyWrongSse, {"AES256", nullptr, true}, true},
      {kDenyWrongSse, {"aws:kms", nullptr, true}, false},
      {kDenyWrongSse, {"aws:kms:dsse", nullptr, true}, true},
      {kDenyMissingHeader, {nullptr, nullptr, true}, true},
      {kDenyMissingHeader, {"AES256", nullptr, true}, false},
      // IfExists makes an absent key TRUE, and negated operators are true on absent keys anyway:
      // an upload relying on the bucket default (no key-id header) is denied too.
      {kDenyOtherKey, {"aws:kms", nullptr, true}, true},
      {kDenyOtherKey, {"aws:kms", good_key, true}, false},
      {kDenyOtherKey, {"aws:kms", bad_key, true}, true},
      {kDenyInsecure, {"aws:kms", good_key, false}, true},
      {kDenyInsecure, {"aws:kms", good_key, true}, false},
  };
  for (const Row& r : rows) {
    INFO(r.statement << " sse=" << (r.put.sse ? r.put.sse : "<absent>")
                     << " key=" << (r.put.key_id ? r.put.key_id : "<absent>"));
    PolicyDocument bp = Resource(S3Policy(r.statement));
    AccessDecision d = DecideS3(&bp, {}, PutObject(r.put));
    CHECK((d.decision == Decision::kExplicitDeny) == r.denied);
    if (!r.denied) {
      CHECK(d.decision == Decision::kAllow);
      CHECK(d.source == DecisionSource::kAccountRoot);
    } else {
      CHECK(d.source == DecisionSource::kResourcePolicy);
    }
  }
  // All four together.
  PolicyDocument all = Resource(S3Policy(std::string(kDenyWrongSse) + "," + kDenyMissingHeader +
                                         "," + kDenyOtherKey + "," + kDenyInsecure));
  CHECK(DecideS3(&all, {}, PutObject({"aws:kms", good_key, true})).allowed());
  AccessDecision d = DecideS3(&all, {}, PutObject({nullptr, nullptr, true}));
  CHECK(d.decision == Decision::kExplicitDeny);
  REQUIRE(d.statement);
  CHECK(d.statement->sid == "DenyWrongSSE");
}

TEST_CASE("DecideS3: same account, cross account, anonymous", "[policy][s3]") {
  PolicyDocument bp = Resource(S3Policy(
      R"({"Sid":"AppReads","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
         {"Sid":"PartnerAcct","Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/shared/*"},
         {"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/public/*"})"));
  PolicyDocument reader = Identity(
      R"({"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]})");
  PolicyDocument no_public = Identity(
      R"({"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b/public/*"}]})");
  const PolicyDocument* readers[] = {&reader};
  const PolicyDocument* deniers[] = {&reader, &no_public};
  auto get = [](RequestContext c, const char* key) {
    c.action = "s3:GetObject";
    c.resource = std::string("arn:aws:s3:::b/") + key;
    c.resource_account = kAcct;
    return c;
  };
  // Same account: bucket policy OR identity policy.
  CHECK(DecideS3(&bp, {}, get(Session(kAcct, "App", "s"), "x")).source ==
        DecisionSource::kResourcePolicy);
  CHECK(DecideS3(&bp, {}, get(Session(kAcct, "App", "s"), "x")).allowed());
  CHECK(DecideS3(&bp, readers, get(User(kAcct, "alice"), "x")).allowed());
  AccessDecision none = DecideS3(&bp, {}, get(User(kAcct, "alice"), "x"));
  CHECK(none.decision == Decision::kImplicitDeny);
  CHECK(none.source == DecisionSource::kIdentityPolicy);
  CHECK(DecideS3(nullptr, readers, get(User(kAcct, "alice"), "x")).allowed());
  CHECK(DecideS3(nullptr, {}, get(Root(kAcct), "x")).allowed());
  AccessDecision denied = DecideS3(&bp, deniers, get(User(kAcct, "alice"), "public/x"));
  CHECK(denied.decision == Decision::kExplicitDeny);
  CHECK(denied.source == DecisionSource::kIdentityPolicy);
  CHECK(denied.policy_index == 1);
  // Cross account: both sides must allow (an account root needs only the bucket policy).
  CHECK(DecideS3(&bp, {}, get(Root(kOther), "shared/x")).allowed());
  CHECK_FALSE(DecideS3(&bp, {}, get(User(kOther, "bob"), "shared/x")).allowed());
  CHECK(DecideS3(&bp, readers, get(User(kOther, "bob"), "shared/x")).allowed());
  AccessDecision outside = DecideS3(&bp, readers, get(User(kOther, "bob"), "private/x"));
  CHECK(outside.decision == Decision::kImplicitDeny);
  CHECK(outside.source == DecisionSource::kResourcePolicy);
  // Anonymous.
  CHECK(DecideS3(&bp, {}, get(RequestContext(), "public/x")).allowed());
  CHECK_FALSE(DecideS3(&bp, {}, get(RequestContext(), "shared/x")).allowed());
  CHECK_FALSE(DecideS3(nullptr, {}, get(RequestContext(), "public/x")).allowed());
}

TEST_CASE("EvaluateSet: deny anywhere wins, Allow beats AllowViaAccount", "[policy][evaluate]") {
  PolicyDocument a = Identity(kAllowDecrypt);
  PolicyDocument d = Identity(kDenyDecrypt);
  RequestContext c = Kms(User(kAcct, "alice"), "kms:Decrypt");
  const PolicyDocument* allow_only[] = {nullptr, &a};
  SetResult r = EvaluateSet(allow_only, c);
  CHECK(r.result.decision == Decision::kAllow);
  CHECK(r.policy_index == 1);
  const PolicyDocument* both[] = {&a, &d};
  r = EvaluateSet(both, c);
  CHECK(r.result.decision == Decision::kExplicitDeny);
  CHECK(r.policy_index == 1);
  CHECK(EvaluateSet({}, c).result.decision == Decision::kImplicitDeny);
  CHECK(DecisionName(Decision::kAllowViaAccount) == "AllowViaAccount");
  for (Decision each : {Decision::kAllow, Decision::kAllowViaAccount, Decision::kExplicitDeny,
                        Decision::kImplicitDeny}) {
    CHECK(DecisionName(each) != "?");
  }
}
