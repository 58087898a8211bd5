// KmsAuthorizer installed on a kms::Service: key policies, identity policies, explicit denies,
// grants with encryption-context constraints, audit mode, and the lockout safety check.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/kms/kms_authorizer.h"
#include "api/kms/kms_errors.h"
#include "api/kms/kms_service.h"
#include "api/kms/kms_wire.h"
#include "auth/principals.h"
#include "common/clock.h"
#include "crypto/random.h"
#include "storage/db.h"

using namespace sealstack;
using api::PolicyMode;
using api::kms::Caller;
using api::kms::EncryptionContext;
using api::kms::KmsAuthorizer;
using api::kms::Service;

namespace {

constexpr const char* kRootArn = "arn:aws:iam::000000000000:root";
constexpr const char* kAppRole = "arn:aws:iam::000000000000:role/app";
constexpr const char* kAuditorRole = "arn:aws:iam::000000000000:role/auditor";
constexpr const char* kPlainRole = "arn:aws:iam::000000000000:role/plain";
constexpr const char* kGranteeRole = "arn:aws:iam::000000000000:role/grantee";

// The root keeps kms:* (so PutKeyPolicy stays possible); role/app may Encrypt and Decrypt;
// role/auditor is explicitly denied Decrypt.
constexpr const char* kKeyPolicy = R"({
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Root", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
     "Action": "kms:*", "Resource": "*"},
    {"Sid": "App", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::000000000000:role/app"},
     "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"},
    {"Sid": "NoDecryptForAuditor", "Effect": "Deny",
     "Principal": {"AWS": "arn:aws:iam::000000000000:role/auditor"},
     "Action": "kms:Decrypt", "Resource": "*"}
  ]
})";

std::shared_ptr<const auth::Principal> MakePrincipal(std::string arn, auth::PrincipalType type,
                                                     std::vector<std::string> policies = {}) {
  auto p = std::make_shared<auth::Principal>();
  p->arn = std::move(arn);
  p->account = "000000000000";
  p->type = type;
  p->policies = std::move(policies);
  return p;
}

Caller As(std::shared_ptr<const auth::Principal> p) {
  Caller c;
  c.principal = std::move(p);
  c.region = "us-east-1";
  return c;
}

std::string Denied(const std::string& who, const std::string& action, const std::string& resource,
                   const std::string& why) {
  return "User: " + who + " is not authorized to perform: " + action + " on resource: " + resource +
         " " + why;
}

struct AuthorizerEnv {
  std::unique_ptr<storage::Database> db;
  std::shared_ptr<FakeClock> clock =
      std::make_shared<FakeClock>(SystemTime(std::chrono::seconds(1704067200)));
  std::unique_ptr<Service> service;
  std::vector<std::string> audit;
  Caller root = As(MakePrincipal(kRootArn, auth::PrincipalType::kRoot));

  explicit AuthorizerEnv(PolicyMode mode) {
    auto opened = storage::Database::Open({.in_memory = true});
    REQUIRE(opened.ok());
    db = std::move(*opened);
    auto s = Service::Open(*db, crypto::SecretBytes(std::string(32, '\x07')), clock,
                           std::make_shared<crypto::SeededRandom>("kms-authorizer-test"));
    REQUIRE(s.ok());
    service = std::move(*s);
    KmsAuthorizer::Install(
        *service,
        std::make_shared<KmsAuthorizer>(*service, std::make_shared<api::AccessCheck>(
                                                      mode, clock, [this](const std::string& line) {
                                                        audit.push_back(line);
                                                      })));
  }

  std::shared_ptr<const api::kms::Key> Create(std::optional<std::string> policy = std::nullopt) {
    Service::CreateKeyRequest r;
    r.policy = std::move(policy);
    auto k = service->CreateKey(root, r);
    INFO(k.status().ToString());
    REQUIRE(k.ok());
    return *k;
  }
};

Status Encrypt(AuthorizerEnv& env, const Caller& c, const std::string& key,
               const EncryptionContext& ctx) {
  return env.service->Encrypt(c, key, crypto::SecretBytes(std::string_view("p")), ctx, "").status();
}

}  // namespace

TEST_CASE("KmsAuthorizer decides Encrypt by principal under the default and a custom key policy",
          "[kms][authorizer]") {
  AuthorizerEnv env(PolicyMode::kEnforce);
  auto default_key = env.Create();
  auto custom_key = env.Create(std::string(kKeyPolicy));
  const std::string encrypt_policy = R"({"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]})";
  const std::string deny_policy = R"({"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
      {"Effect": "Deny", "Action": "kms:Encrypt", "Resource": "*"}]})";

  const std::string no_identity_allow =
      "because no identity-based policy allows the kms:Encrypt action";
  const std::string no_resource_allow =
      "because no resource-based policy allows the kms:Encrypt action";
  struct Row {
    const char* name;
    std::shared_ptr<const auth::Principal> who;
    std::string key_arn;
    std::string why;  // "" = allowed
  } rows[] = {
      {"root, default policy", MakePrincipal(kRootArn, auth::PrincipalType::kRoot),
       default_key->arn, ""},
      {"role without identity policy, default policy",
       MakePrincipal(kPlainRole, auth::PrincipalType::kRole), default_key->arn, no_identity_allow},
      {"role with an identity Allow, default policy (delegation to the account)",
       MakePrincipal(kPlainRole, auth::PrincipalType::kRole, {encrypt_policy}), default_key->arn,
       ""},
      {"role with an identity Deny, default policy",
       MakePrincipal(kPlainRole, auth::PrincipalType::kRole, {deny_policy}), default_key->arn,
       "with an explicit deny in an identity-based policy"},
      {"root, custom policy", MakePrincipal(kRootArn, auth::PrincipalType::kRoot), custom_key->arn,
       ""},
      {"role named in the key policy", MakePrincipal(kAppRole, auth::PrincipalType::kRole),
       custom_key->arn, ""},
      {"session of the role named in the key policy",
       MakePrincipal("arn:aws:sts::000000000000:assumed-role/app/session-1",
                     auth::PrincipalType::kAssumedRole),
       custom_key->arn, ""},
      {"role not named, no identity policy", MakePrincipal(kPlainRole, auth::PrincipalType::kRole),
       custom_key->arn, no_identity_allow},
      {"role denied Decrypt only may Encrypt only with an identity Allow",
       MakePrincipal(kAuditorRole, auth::PrincipalType::kRole), custom_key->arn, no_identity_allow},
      {"another account's root", nullptr, custom_key->arn, no_resource_allow},
  };
  for (auto& row : rows) {
    INFO(row.name);
    if (!row.who) {
      auto p = std::make_shared<auth::Principal>();
      p->arn = "arn:aws:iam::111122223333:root";
      p->account = "111122223333";
      p->type = auth::PrincipalType::kRoot;
      row.who = p;
    }
    Status st = Encrypt(env, As(row.who), row.key_arn, {});
    if (row.why.empty()) {
      CHECK(st.ok());
      continue;
    }
    REQUIRE_FALSE(st.ok());
    CHECK(api::kms::KmsStatusToWire(st).code == "AccessDeniedException");
    CHECK(st.message() == Denied(row.who->arn, "kms:Encrypt", row.key_arn, row.why));
  }
}

TEST_CASE("An explicit Deny in the key policy wins over every Allow", "[kms][authorizer]") {
  AuthorizerEnv env(PolicyMode::kEnforce);
  auto key = env.Create(std::string(kKeyPolicy));
  auto ct =
      env.service->Encrypt(env.root, key->id, crypto::SecretBytes(std::string_view("p")), {}, "");
  REQUIRE(ct.ok());
  // Even an identity policy allowing kms:* does not undo a key-policy Deny.
  const std::string allow_all = R"({"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]})";
  auto auditor = As(MakePrincipal(kAuditorRole, auth::PrincipalType::kRole, {allow_all}));
  CHECK(Encrypt(env, auditor, key->id, {}).ok());
  auto dec = env.service->Decrypt(auditor, "", ct->ciphertext, {}, "");
  REQUIRE_FALSE(dec.ok());
  CHECK(api::kms::KmsStatusToWire(dec.status()).code == "AccessDeniedException");
  CHECK(dec.status().message() == Denied(kAuditorRole, "kms:Decrypt", key->arn,
                                         "with an explicit deny in a resource-based policy"));
  // role/app decrypts the same ciphertext.
  auto app = As(MakePrincipal(kAppRole, auth::PrincipalType::kRole));
  auto ok = env.service->Decrypt(app, "", ct->ciphertext, {}, "");
  REQUIRE(ok.ok());
  CHECK(ok->plaintext.view() == "p");
}

TEST_CASE("Account-level KMS actions need an identity Allow except for the root",
          "[kms][authorizer]") {
  AuthorizerEnv env(PolicyMode::kEnforce);
  Service::CreateKeyRequest r;
  CHECK(env.service->CreateKey(env.root, r).ok());
  auto plain = As(MakePrincipal(kPlainRole, auth::PrincipalType::kRole));
  auto denied = env.service->CreateKey(plain, r);
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.status().message() ==
        Denied(kPlainRole, "kms:CreateKey", "*",
               "because no identity-based policy allows the kms:CreateKey action"));
  const std::string allow_create = R"({"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"}]})";
  auto creator = As(MakePrincipal(kPlainRole, auth::PrincipalType::kRole, {allow_create}));
  CHECK(env.service->CreateKey(creator, r).ok());
}

TEST_CASE("Audit mode allows and logs what enforce mode would deny", "[kms][authorizer]") {
  AuthorizerEnv env(PolicyMode::kAudit);
  auto key = env.Create(std::string(kKeyPolicy));
  auto plain = As(MakePrincipal(kPlainRole, auth::PrincipalType::kRole));

  // Allowed calls log nothing.
  CHECK(Encrypt(env, env.root, key->id, {}).ok());
  CHECK(Encrypt(env, As(MakePrincipal(kAppRole, auth::PrincipalType::kRole)), key->id, {}).ok());
  CHECK(env.audit.empty());

  // A call enforce mode would deny goes through and is logged once.
  CHECK(Encrypt(env, plain, key->id, {}).ok());
  REQUIRE(env.audit.size() == 1);
  CHECK(env.audit[0] ==
        "policy-mode audit: would deny: " +
            Denied(kPlainRole, "kms:Encrypt", key->arn,
                   "because no identity-based policy allows the kms:Encrypt action"));

  // Explicit denies too.
  auto ct =
      env.service->Encrypt(env.root, key->id, crypto::SecretBytes(std::string_view("p")), {}, "");
  REQUIRE(ct.ok());
  auto auditor = As(MakePrincipal(kAuditorRole, auth::PrincipalType::kRole));
  CHECK(env.service->Decrypt(auditor, "", ct->ciphertext, {}, "").ok());
  REQUIRE(env.audit.size() == 2);
  CHECK_THAT(env.audit[1], Catch::Contains("with an explicit deny in a resource-based policy"));
}

TEST_CASE("Off mode allows everything and logs nothing", "[kms][authorizer]") {
  AuthorizerEnv env(PolicyMode::kOff);
  auto key = env.Create(std::string(kKeyPolicy));
  auto plain = As(MakePrincipal(kPlainRole, auth::PrincipalType::kRole));
  CHECK(Encrypt(env, plain, key->id, {}).ok());
  CHECK(env.audit.empty());
}

TEST_CASE("A grant allows its operations only under its encryption context constraint",
          "[kms][authorizer][grants]") {
  AuthorizerEnv env(PolicyMode::kEnforce);
  auto key = env.Create();  // default policy: only the account (and delegated identities)
  Service::CreateGrantRequest equals;
  equals.key_id = key->id;
  equals.grantee = kGranteeRole;
  equals.operations = {"Encrypt", "Decrypt"};
  equals.constraints.encryption_context_equals = std::map<std::string, std::string>{{"app", "x"}};
  REQUIRE(env.service->CreateGrant(env.root, equals).ok());
  Service::CreateGrantRequest subset;
  subset.key_id = key->id;
  subset.grantee = kAppRole;
  subset.operations = {"Encrypt"};
  subset.constraints.encryption_context_subset = std::map<std::string, std::string>{{"app", "x"}};
  REQUIRE(env.service->CreateGrant(env.root, subset).ok());

  const auto grantee = MakePrincipal(kGranteeRole, auth::PrincipalType::kRole);
  const auto session = MakePrincipal("arn:aws:sts::000000000000:assumed-role/grantee/session-1",
                                     auth::PrincipalType::kAssumedRole);
  const auto app = MakePrincipal(kAppRole, auth::PrincipalType::kRole);
  const auto other = MakePrincipal(kPlainRole, auth::PrincipalType::kRole);
  struct Row {
    const char* name;
    std::shared_ptr<const auth::Principal> who;
    EncryptionContext context;
    bool allowed;
  } rows[] = {
      {"equals: exact context", grantee, {{"app", "x"}}, true},
      {"equals: session of the grantee role", session, {{"app", "x"}}, true},
      {"equals: wrong value", grantee, {{"app", "y"}}, false},
      {"equals: extra pair", grantee, {{"app", "x"}, {"extra", "1"}}, false},
      {"equals: no context", grantee, {}, false},
      {"equals: key and value swapped", grantee, {{"x", "app"}}, false},
      {"subset: exact context", app, {{"app", "x"}}, true},
      {"subset: extra pair", app, {{"app", "x"}, {"extra", "1"}}, true},
      {"subset: missing pair", app, {{"extra", "1"}}, false},
      {"subset: no context", app, {}, false},
      {"not a grantee", other, {{"app", "x"}}, false},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    Status st = Encrypt(env, As(row.who), key->id, row.context);
    CHECK(st.ok() == row.allowed);
    if (!row.allowed) {
      CHECK(api::kms::KmsStatusToWire(st).code == "AccessDeniedException");
      CHECK(st.message() ==
            Denied(row.who->arn, "kms:Encrypt", key->arn,
                   "because no identity-based policy allows the kms:Encrypt action"));
    }
  }

  // Decrypt follows the same constraint; operations outside the grant stay denied.
  auto ct = env.service->Encrypt(env.root, key->id, crypto::SecretBytes(std::string_view("g")),
                                 {{"app", "x"}}, "");
  REQUIRE(ct.ok());
  auto dec = env.service->Decrypt(As(grantee), "", ct->ciphertext, {{"app", "x"}}, "");
  REQUIRE(dec.ok());
  CHECK(dec->plaintext.view() == "g");
  CHECK_FALSE(env.service->Decrypt(As(app), "", ct->ciphertext, {{"app", "x"}}, "").ok());
  CHECK_FALSE(env.service->GenerateDataKey(As(grantee), key->id, 32, {{"app", "x"}}, true).ok());
  CHECK_FALSE(env.service->DisableKey(As(grantee), key->id).ok());
}

TEST_CASE("KmsAuthorizer validates key policies and refuses lockouts", "[kms][authorizer]") {
  AuthorizerEnv env(PolicyMode::kEnforce);
  // Without the root statement, the root could never call PutKeyPolicy again.
  const std::string lockout = R"({"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:role/app"},
       "Action": "kms:*", "Resource": "*"}]})";
  Service::CreateKeyRequest r;
  r.policy = lockout;
  auto refused = env.service->CreateKey(env.root, r);
  REQUIRE_FALSE(refused.ok());
  CHECK(api::kms::KmsStatusToWire(refused.status()).code == "MalformedPolicyDocumentException");
  CHECK(refused.status().message() ==
        "The new key policy will not allow you to update the key policy in the future.");
  r.bypass_policy_lockout_check = true;
  CHECK(env.service->CreateKey(env.root, r).ok());

  auto key = env.Create();
  Status put = env.service->PutKeyPolicy(env.root, key->id, lockout, false);
  CHECK(api::kms::KmsStatusToWire(put).code == "MalformedPolicyDocumentException");
  CHECK(env.service->PutKeyPolicy(env.root, key->id, kKeyPolicy, false).ok());

  struct Row {
    const char* name;
    const char* policy;
  } malformed[] = {
      {"not JSON", "{"},
      {"no Statement", R"({"Version": "2012-10-17"})"},
      {"unknown Effect", R"({"Version": "2012-10-17", "Statement": [
          {"Effect": "Maybe", "Principal": "*", "Action": "kms:*", "Resource": "*"}]})"},
  };
  for (const auto& row : malformed) {
    INFO(row.name);
    Status st = env.service->CheckPolicy(row.policy);
    REQUIRE_FALSE(st.ok());
    CHECK(api::kms::KmsStatusToWire(st).code == "MalformedPolicyDocumentException");
  }
  CHECK(env.service->CheckPolicy(kKeyPolicy).ok());
}
