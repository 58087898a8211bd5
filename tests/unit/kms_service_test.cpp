// kms::Service driven directly: in-memory Database, FakeClock, SeededRandom, the root of
// 000000000000 in us-east-1. Covers the cryptographic round trip, persistence across a
// Service restart, deletion, automatic rotation, imported material expiry and re-import, and
// that no stored row ever holds raw key material.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/kms/kms_errors.h"
#include "api/kms/kms_service.h"
#include "api/kms/kms_wire.h"
#include "auth/principals.h"
#include "common/clock.h"
#include "crypto/asymmetric.h"
#include "crypto/digest.h"
#include "crypto/key_import.h"
#include "crypto/random.h"
#include "storage/db.h"

using namespace sealstack;
using api::kms::Caller;
using api::kms::EncryptionContext;
using api::kms::ExpirationModel;
using api::kms::KeySpec;
using api::kms::KeyState;
using api::kms::KeyUsage;
using api::kms::Origin;
using api::kms::Service;
using std::chrono::hours;
using std::chrono::seconds;

namespace {

constexpr auto kDay = hours(24);
constexpr const char* kAccount = "000000000000";
constexpr const char* kRegion = "us-east-1";
// 2024-01-01T00:00:00Z
const SystemTime kStart = SystemTime(seconds(1704067200));

std::string WireCode(const Status& st) {
  return api::kms::KmsStatusToWire(st).code;
}

crypto::SecretBytes Bytes(std::string_view s) {
  return crypto::SecretBytes(s);
}

// 32 bytes that look like nothing else in the database.
crypto::SecretBytes ImportMaterial(uint8_t salt) {
  crypto::SecretBytes m(32);
  for (size_t i = 0; i < 32; ++i) m.data()[i] = static_cast<uint8_t>(0xa5 ^ (i * 7 + salt));
  return m;
}

struct ServiceEnv {
  std::unique_ptr<storage::Database> db;
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>(kStart);
  crypto::SecretBytes root_key = crypto::SecretBytes(std::string(32, '\x42'));
  std::unique_ptr<Service> service;
  Caller caller;
  int opens = 0;

  ServiceEnv() {
    auto opened = storage::Database::Open({.in_memory = true});
    REQUIRE(opened.ok());
    db = std::move(*opened);
    auto p = std::make_shared<auth::Principal>();
    p->arn = std::string("arn:aws:iam::") + kAccount + ":root";
    p->account = kAccount;
    p->type = auth::PrincipalType::kRoot;
    caller.principal = p;
    caller.region = kRegion;
    Open();
  }

  // Destroys the Service (if any) and opens a new one on the same Database. Each open gets its
  // own seed so new key ids never collide with persisted ones.
  void Open() {
    service.reset();
    auto random =
        std::make_shared<crypto::SeededRandom>("kms-service-test-" + std::to_string(opens++));
    auto s = Service::Open(*db, root_key, clock, random);
    REQUIRE(s.ok());
    service = std::move(*s);
  }

  std::shared_ptr<const api::kms::Key> Create(KeySpec spec = KeySpec::kSymmetricDefault,
                                              KeyUsage usage = KeyUsage::kEncryptDecrypt,
                                              Origin origin = Origin::kAwsKms) {
    Service::CreateKeyRequest r;
    r.spec = spec;
    r.usage = usage;
    r.origin = origin;
    r.description = "test key";
    auto key = service->CreateKey(caller, r);
    REQUIRE(key.ok());
    return *key;
  }

  std::string Encrypt(std::string_view key_id, std::string_view plaintext,
                      const EncryptionContext& ctx = {}) {
    auto r = service->Encrypt(caller, key_id, Bytes(plaintext), ctx, "");
    REQUIRE(r.ok());
    return r->ciphertext;
  }

  std::string DecryptOrDie(std::string_view ciphertext, const EncryptionContext& ctx = {}) {
    auto r = service->Decrypt(caller, "", ciphertext, ctx, "");
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return r->plaintext.Reveal();
  }

  std::shared_ptr<const api::kms::Key> Describe(std::string_view key_id) {
    auto k = service->DescribeKey(caller, key_id);
    INFO(k.status().ToString());
    REQUIRE(k.ok());
    return *k;
  }

  int64_t Count(const std::string& sql, const std::string& key_id) {
    int64_t n = -1;
    Status st = db->WithConnection([&](storage::Connection& c) {
      return c.QueryOne(sql, {{":id", key_id}}, [&](const storage::Row& row) {
        n = row.ColumnInt64(0);
        return Status::Ok();
      });
    });
    REQUIRE(st.ok());
    return n;
  }
};

// Imports `material` into an EXTERNAL key through a fresh GetParametersForImport.
Status Import(ServiceEnv& env, const std::string& key_id, const crypto::SecretBytes& material,
              std::optional<SystemTime> valid_to, ExpirationModel model) {
  auto params =
      env.service->GetParametersForImport(env.caller, key_id, "RSAES_OAEP_SHA_256", "RSA_2048");
  REQUIRE(params.ok());
  crypto::SeededRandom wrap_random("client-side");
  auto wrapped = crypto::WrapForImport(
      params->public_key, crypto::WrappingAlgorithm::kRsaesOaepSha256, material, wrap_random);
  REQUIRE(wrapped.ok());
  return env.service
      ->ImportKeyMaterial(env.caller, key_id, params->import_token, *wrapped, valid_to, model)
      .status();
}

}  // namespace

TEST_CASE("KMS Service encrypts and decrypts with a symmetric key", "[kms][service]") {
  ServiceEnv env;
  auto key = env.Create();
  CHECK(key->account == kAccount);
  CHECK(key->region == kRegion);
  CHECK(key->arn == "arn:aws:kms:us-east-1:000000000000:key/" + key->id);
  CHECK(key->state == KeyState::kEnabled);
  CHECK(key->created == kStart);
  REQUIRE(key->materials.size() == 1);
  REQUIRE(env.service->CreateAlias(env.caller, "alias/app", key->id).ok());

  struct Row {
    const char* name;
    std::string key_id;  // as the request names the key
    EncryptionContext context;
    std::string plaintext;
  } rows[] = {
      {"key id", key->id, {}, "hello"},
      {"key ARN", key->arn, {{"purpose", "test"}}, "with context"},
      {"alias name", "alias/app", {{"a", "1"}, {"b", "2"}}, std::string(4096, 'z')},
      {"alias ARN", "arn:aws:kms:us-east-1:000000000000:alias/app", {}, std::string(1, '\0')},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    auto enc = env.service->Encrypt(env.caller, row.key_id, Bytes(row.plaintext), row.context, "");
    REQUIRE(enc.ok());
    CHECK(enc->key_arn == key->arn);
    CHECK(enc->algorithm == "SYMMETRIC_DEFAULT");
    CHECK(enc->material_id == key->materials[0]->id);
    auto header = api::kms::ParseBlobHeader(enc->ciphertext);
    REQUIRE(header);
    CHECK(header->key_id == key->id);
    CHECK(header->material_id == key->materials[0]->id);

    // Without a KeyId (the blob names its key) and with one.
    CHECK(env.DecryptOrDie(enc->ciphertext, row.context) == row.plaintext);
    auto dec = env.service->Decrypt(env.caller, row.key_id, enc->ciphertext, row.context, "");
    REQUIRE(dec.ok());
    CHECK(dec->key_arn == key->arn);
    CHECK(dec->plaintext.view() == row.plaintext);

    // A different context is InvalidCiphertextException with AWS's empty message.
    EncryptionContext wrong = row.context;
    wrong["extra"] = "x";
    auto bad = env.service->Decrypt(env.caller, "", enc->ciphertext, wrong, "");
    REQUIRE_FALSE(bad.ok());
    CHECK(WireCode(bad.status()) == "InvalidCiphertextException");
    CHECK(bad.status().message().empty());
  }
}

TEST_CASE("KMS Service rejects ciphertexts it cannot use", "[kms][service]") {
  ServiceEnv env;
  auto a = env.Create();
  auto b = env.Create();
  std::string ct = env.Encrypt(a->id, "p");
  struct Row {
    const char* name;
    std::string key_id;
    std::string ciphertext;
    const char* code;
  } rows[] = {
      {"KeyId names another key", b->id, ct, "IncorrectKeyException"},
      {"garbage without KeyId", "", "garbage", "InvalidCiphertextException"},
      {"garbage with KeyId", a->id, "garbage", "InvalidCiphertextException"},
      {"truncated", "", ct.substr(0, ct.size() - 1), "InvalidCiphertextException"},
      {"unknown key id in the blob", "", ct.substr(0, 1) + std::string(16, '\x11') + ct.substr(17),
       "AccessDeniedException"},
      {"unknown material id", a->id, ct.substr(0, 17) + std::string(32, '\x22') + ct.substr(49),
       "InvalidCiphertextException"},
      {"unknown KeyId", "11111111-1111-4111-8111-111111111111", ct, "NotFoundException"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    auto r = env.service->Decrypt(env.caller, row.key_id, row.ciphertext, {}, "");
    REQUIRE_FALSE(r.ok());
    CHECK(WireCode(r.status()) == row.code);
  }
}

TEST_CASE("KMS Service enforces the key state on Encrypt and Decrypt", "[kms][service]") {
  ServiceEnv env;
  auto key = env.Create();
  std::string ct = env.Encrypt(key->id, "p");
  REQUIRE(env.service->DisableKey(env.caller, key->id).ok());
  auto enc = env.service->Encrypt(env.caller, key->id, Bytes("p"), {}, "");
  REQUIRE_FALSE(enc.ok());
  CHECK(WireCode(enc.status()) == "DisabledException");
  CHECK(enc.status().message() == key->arn + " is disabled.");
  auto dec = env.service->Decrypt(env.caller, "", ct, {}, "");
  REQUIRE_FALSE(dec.ok());
  CHECK(WireCode(dec.status()) == "DisabledException");
  REQUIRE(env.service->EnableKey(env.caller, key->id).ok());
  CHECK(env.DecryptOrDie(ct) == "p");

  auto cancel = env.service->CancelKeyDeletion(env.caller, key->id);
  REQUIRE_FALSE(cancel.ok());
  CHECK(WireCode(cancel.status()) == "KMSInvalidStateException");
  CHECK(cancel.status().message() == key->arn + " is not pending deletion.");

  REQUIRE(env.service->ScheduleKeyDeletion(env.caller, key->id, 7).ok());
  dec = env.service->Decrypt(env.caller, "", ct, {}, "");
  REQUIRE_FALSE(dec.ok());
  CHECK(WireCode(dec.status()) == "KMSInvalidStateException");
  CHECK(dec.status().message() == key->arn + " is pending deletion.");
  // CancelKeyDeletion always lands in Disabled.
  auto cancelled = env.service->CancelKeyDeletion(env.caller, key->id);
  REQUIRE(cancelled.ok());
  CHECK((*cancelled)->state == KeyState::kDisabled);
  CHECK_FALSE((*cancelled)->deletion_date);
}

TEST_CASE("KMS state survives a Service restart on the same Database", "[kms][service][persist]") {
  ServiceEnv env;
  // Symmetric, with an alias, a grant and rotation enabled.
  auto sym = env.Create();
  REQUIRE(env.service->CreateAlias(env.caller, "alias/persisted", sym->id).ok());
  REQUIRE(env.service->EnableKeyRotation(env.caller, sym->id, 365).ok());
  Service::CreateGrantRequest gr;
  gr.key_id = sym->id;
  gr.grantee = "arn:aws:iam::000000000000:role/app";
  gr.retiring = "arn:aws:iam::000000000000:role/ops";
  gr.operations = {"Encrypt", "Decrypt"};
  gr.constraints.encryption_context_equals = std::map<std::string, std::string>{{"app", "x"}};
  gr.name = "persisted-grant";
  auto grant = env.service->CreateGrant(env.caller, gr);
  REQUIRE(grant.ok());
  const EncryptionContext ctx = {{"app", "x"}};
  const std::string sym_ct = env.Encrypt(sym->id, "symmetric plaintext", ctx);
  auto data_key = env.service->GenerateDataKey(env.caller, sym->id, 32, {}, true);
  REQUIRE(data_key.ok());

  // RSA_2048 signing.
  auto rsa = env.Create(KeySpec::kRsa2048, KeyUsage::kSignVerify);
  std::string rsa_arn;
  const std::string message = "message to sign";
  auto sig = env.service->Sign(env.caller, rsa->id, message, "RAW", "RSASSA_PSS_SHA_256", &rsa_arn);
  REQUIRE(sig.ok());
  std::string public_before;
  REQUIRE(env.service->GetPublicKey(env.caller, rsa->id, &public_before).ok());

  // HMAC_256.
  auto hmac = env.Create(KeySpec::kHmac256, KeyUsage::kGenerateVerifyMac);
  std::string hmac_arn;
  auto mac = env.service->GenerateMac(env.caller, hmac->id, message, "HMAC_SHA_256", &hmac_arn);
  REQUIRE(mac.ok());

  env.Open();  // the old Service is gone; everything comes back from SQLite

  SECTION("DescribeKey returns what was created") {
    struct Row {
      std::shared_ptr<const api::kms::Key> before;
    } rows[] = {{sym}, {rsa}, {hmac}};
    for (const auto& row : rows) {
      INFO(row.before->arn);
      auto after = env.Describe(row.before->id);
      CHECK(after->arn == row.before->arn);
      CHECK(after->spec == row.before->spec);
      CHECK(after->usage == row.before->usage);
      CHECK(after->state == KeyState::kEnabled);
      CHECK(after->created == row.before->created);
      CHECK(after->description == "test key");
      CHECK(after->policy == row.before->policy);
      REQUIRE(after->materials.size() == 1);
      CHECK(after->materials[0]->id == row.before->materials[0]->id);
    }
    auto rot = env.service->GetKeyRotationStatus(env.caller, sym->id);
    REQUIRE(rot.ok());
    CHECK((*rot)->rotation_enabled);
    CHECK((*rot)->rotation_period_days == 365);
    REQUIRE((*rot)->next_rotation);
    CHECK(*(*rot)->next_rotation == kStart + kDay * 365);
  }
  SECTION("old ciphertexts and data keys decrypt") {
    CHECK(env.DecryptOrDie(sym_ct, ctx) == "symmetric plaintext");
    auto dk = env.service->Decrypt(env.caller, "", data_key->ciphertext, {}, "");
    REQUIRE(dk.ok());
    CHECK(dk->plaintext.view() == data_key->plaintext.view());
  }
  SECTION("signatures verify with the same public key") {
    std::string public_after;
    REQUIRE(env.service->GetPublicKey(env.caller, rsa->id, &public_after).ok());
    CHECK(public_after == public_before);
    std::string arn;
    CHECK(env.service->Verify(env.caller, rsa->id, message, "RAW", *sig, "RSASSA_PSS_SHA_256", &arn)
              .ok());
    auto pub = crypto::PublicKey::FromDer(public_after);
    REQUIRE(pub.ok());
    auto verified = pub->Verify(crypto::SigningAlgorithm::kRsassaPssSha256,
                                crypto::MessageType::kRaw, message, *sig);
    REQUIRE(verified.ok());
    CHECK(*verified);
    // A new signature from the reloaded key verifies under the public key from before.
    auto sig2 = env.service->Sign(env.caller, rsa->id, message, "RAW", "RSASSA_PSS_SHA_256", &arn);
    REQUIRE(sig2.ok());
    auto pub_before = crypto::PublicKey::FromDer(public_before);
    REQUIRE(pub_before.ok());
    CHECK(*pub_before->Verify(crypto::SigningAlgorithm::kRsassaPssSha256, crypto::MessageType::kRaw,
                              message, *sig2));
  }
  SECTION("MACs verify") {
    std::string arn;
    CHECK(env.service->VerifyMac(env.caller, hmac->id, message, *mac, "HMAC_SHA_256", &arn).ok());
    auto mac2 = env.service->GenerateMac(env.caller, hmac->id, message, "HMAC_SHA_256", &arn);
    REQUIRE(mac2.ok());
    CHECK(*mac2 == *mac);
  }
  SECTION("the alias resolves") {
    auto enc = env.service->Encrypt(env.caller, "alias/persisted", Bytes("x"), {}, "");
    REQUIRE(enc.ok());
    CHECK(enc->key_arn == sym->arn);
    std::string next;
    auto aliases = env.service->ListAliases(env.caller, sym->id, {}, &next);
    REQUIRE(aliases.ok());
    REQUIRE(aliases->size() == 1);
    CHECK((*aliases)[0].name == "alias/persisted");
    CHECK((*aliases)[0].created == kStart);
  }
  SECTION("the grant is listed") {
    std::string next;
    auto grants = env.service->ListGrants(env.caller, sym->id, "", "", {}, &next);
    REQUIRE(grants.ok());
    REQUIRE(grants->size() == 1);
    const auto& g = (*grants)[0];
    CHECK(g.id == grant->id);
    CHECK(g.name == "persisted-grant");
    CHECK(g.grantee == gr.grantee);
    CHECK(g.retiring == gr.retiring);
    CHECK(g.operations == gr.operations);
    CHECK(g.constraints.encryption_context_equals == gr.constraints.encryption_context_equals);
    CHECK_FALSE(g.constraints.encryption_context_subset);
    CHECK(g.issuing_account == "arn:aws:iam::000000000000:root");
    // The grant token still retires the grant after the restart (only its hash was stored).
    CHECK(env.service->RetireGrant(env.caller, grant->token, "", "").ok());
    CHECK(env.service->GrantsFor(sym->id).empty());
  }
}

TEST_CASE("KMS keys are deleted when their deletion date passes", "[kms][service][lifecycle]") {
  ServiceEnv env;
  auto key = env.Create();
  auto keep = env.Create();
  REQUIRE(env.service->CreateAlias(env.caller, "alias/doomed", key->id).ok());
  Service::CreateGrantRequest gr;
  gr.key_id = key->id;
  gr.grantee = "arn:aws:iam::000000000000:role/app";
  gr.operations = {"Encrypt"};
  REQUIRE(env.service->CreateGrant(env.caller, gr).ok());
  const std::string ct = env.Encrypt(key->id, "gone soon");

  auto scheduled = env.service->ScheduleKeyDeletion(env.caller, key->id, 7);
  REQUIRE(scheduled.ok());
  CHECK((*scheduled)->state == KeyState::kPendingDeletion);
  CHECK((*scheduled)->pending_window_days == 7);
  REQUIRE((*scheduled)->deletion_date);
  CHECK(*(*scheduled)->deletion_date == kStart + kDay * 7);

  struct Table {
    const char* name;
    const char* sql;
  } tables[] = {
      {"kms_keys", "SELECT COUNT(*) FROM kms_keys WHERE key_id = :id"},
      {"kms_key_materials", "SELECT COUNT(*) FROM kms_key_materials WHERE key_id = :id"},
      {"kms_aliases", "SELECT COUNT(*) FROM kms_aliases WHERE key_id = :id"},
      {"kms_grants", "SELECT COUNT(*) FROM kms_grants WHERE key_id = :id"},
  };
  for (const auto& t : tables) {
    INFO(t.name);
    CHECK(env.Count(t.sql, key->id) == 1);
  }

  // One second short of the deletion date the key is still there.
  env.clock->Advance(kDay * 7 - seconds(1));
  env.service->RunDue();
  CHECK(env.Describe(key->id)->state == KeyState::kPendingDeletion);

  env.clock->Advance(seconds(2));  // 7 days + 1 s
  env.service->RunDue();
  auto gone = env.service->DescribeKey(env.caller, key->id);
  REQUIRE_FALSE(gone.ok());
  CHECK(WireCode(gone.status()) == "NotFoundException");
  CHECK(gone.status().message() == "Key '" + key->arn + "' does not exist");
  auto by_alias = env.service->DescribeKey(env.caller, "alias/doomed");
  REQUIRE_FALSE(by_alias.ok());
  CHECK(WireCode(by_alias.status()) == "NotFoundException");
  CHECK_FALSE(env.service->Decrypt(env.caller, "", ct, {}, "").ok());
  for (const auto& t : tables) {
    INFO(t.name);
    CHECK(env.Count(t.sql, key->id) == 0);
  }
  // The other key is untouched, and the deletion is durable.
  CHECK(env.Count(tables[0].sql, keep->id) == 1);
  CHECK(env.Count(tables[1].sql, keep->id) == 1);
  env.Open();
  CHECK_FALSE(env.service->DescribeKey(env.caller, key->id).ok());
  CHECK(env.Describe(keep->id)->state == KeyState::kEnabled);
}

TEST_CASE("KMS automatic rotation adds one material per elapsed period",
          "[kms][service][rotation]") {
  ServiceEnv env;
  auto key = env.Create();
  const std::string first_material = key->materials[0]->id;
  const std::string ct0 = env.Encrypt(key->id, "before rotation", {{"r", "0"}});
  REQUIRE(env.service->EnableKeyRotation(env.caller, key->id, 90).ok());

  env.clock->Advance(kDay * 181);
  env.service->RunDue();

  auto rotated = env.Describe(key->id);
  REQUIRE(rotated->materials.size() == 3);
  CHECK(rotated->materials[0]->id == first_material);
  CHECK(rotated->materials[0]->rotation_type.empty());
  struct Row {
    size_t index;
    SystemTime created;
  } rows[] = {{1, kStart + kDay * 90}, {2, kStart + kDay * 180}};
  for (const auto& row : rows) {
    INFO("material " << row.index);
    const auto& m = rotated->materials[row.index];
    CHECK(m->rotation_type == "AUTOMATIC");
    CHECK(m->created == row.created);
    CHECK(m->seq == static_cast<int64_t>(row.index + 1));
    CHECK(m->id.size() == 64);
    CHECK(m->id != first_material);
  }
  CHECK(rotated->materials[1]->id != rotated->materials[2]->id);
  REQUIRE(rotated->next_rotation);
  CHECK(*rotated->next_rotation == kStart + kDay * 270);

  // Old ciphertexts still decrypt; new ones use the newest material.
  CHECK(env.DecryptOrDie(ct0, {{"r", "0"}}) == "before rotation");
  auto enc = env.service->Encrypt(env.caller, key->id, Bytes("after rotation"), {}, "");
  REQUIRE(enc.ok());
  CHECK(enc->material_id == rotated->materials[2]->id);
  CHECK(api::kms::ParseBlobHeader(enc->ciphertext)->material_id == rotated->materials[2]->id);
  CHECK(env.DecryptOrDie(enc->ciphertext) == "after rotation");

  // Rotations are persisted with their type and date.
  env.Open();
  auto reloaded = env.Describe(key->id);
  REQUIRE(reloaded->materials.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    INFO("material " << i);
    CHECK(reloaded->materials[i]->id == rotated->materials[i]->id);
    CHECK(reloaded->materials[i]->rotation_type == rotated->materials[i]->rotation_type);
    CHECK(reloaded->materials[i]->created == rotated->materials[i]->created);
  }
  CHECK(env.DecryptOrDie(ct0, {{"r", "0"}}) == "before rotation");
}

TEST_CASE("KMS imported key material expires and can be re-imported", "[kms][service][import]") {
  ServiceEnv env;
  auto key = env.Create(KeySpec::kSymmetricDefault, KeyUsage::kEncryptDecrypt, Origin::kExternal);
  CHECK(key->state == KeyState::kPendingImport);
  CHECK(key->materials.empty());
  auto pending = env.service->Encrypt(env.caller, key->id, Bytes("x"), {}, "");
  REQUIRE_FALSE(pending.ok());
  CHECK(WireCode(pending.status()) == "KMSInvalidStateException");
  CHECK(pending.status().message() == key->arn + " is pending import.");

  const crypto::SecretBytes material = ImportMaterial(0);
  REQUIRE(
      Import(env, key->id, material, env.clock->Now() + hours(1), ExpirationModel::kExpires).ok());
  auto imported = env.Describe(key->id);
  CHECK(imported->state == KeyState::kEnabled);
  CHECK(imported->expiration_model == ExpirationModel::kExpires);
  REQUIRE(imported->valid_to);
  CHECK(*imported->valid_to == kStart + hours(1));
  REQUIRE(imported->materials.size() == 1);
  const std::string material_id = imported->materials[0]->id;
  const std::string ct = env.Encrypt(key->id, "under imported material", {{"i", "1"}});
  auto data_key = env.service->GenerateDataKey(env.caller, key->id, 32, {}, true);
  REQUIRE(data_key.ok());

  env.clock->Advance(hours(2));
  env.service->RunDue();
  auto expired = env.Describe(key->id);
  CHECK(expired->state == KeyState::kPendingImport);
  CHECK(expired->materials.empty());
  CHECK_FALSE(expired->valid_to);
  CHECK(env.Count("SELECT COUNT(*) FROM kms_key_materials WHERE key_id = :id", key->id) == 0);
  auto dec = env.service->Decrypt(env.caller, "", ct, {{"i", "1"}}, "");
  REQUIRE_FALSE(dec.ok());
  CHECK(WireCode(dec.status()) == "KMSInvalidStateException");
  CHECK(dec.status().message() == key->arn + " is pending import.");

  SECTION("different material is refused") {
    Status st =
        Import(env, key->id, ImportMaterial(1), std::nullopt, ExpirationModel::kDoesNotExpire);
    REQUIRE_FALSE(st.ok());
    CHECK(WireCode(st) == "IncorrectKeyMaterialException");
    CHECK(env.Describe(key->id)->state == KeyState::kPendingImport);
  }
  SECTION("the same material brings old ciphertexts back") {
    REQUIRE(Import(env, key->id, material, std::nullopt, ExpirationModel::kDoesNotExpire).ok());
    auto back = env.Describe(key->id);
    CHECK(back->state == KeyState::kEnabled);
    CHECK(back->expiration_model == ExpirationModel::kDoesNotExpire);
    REQUIRE(back->materials.size() == 1);
    CHECK(back->materials[0]->id == material_id);
    CHECK(env.DecryptOrDie(ct, {{"i", "1"}}) == "under imported material");
    // ... and after a restart, too; KEY_MATERIAL_DOES_NOT_EXPIRE never expires.
    env.clock->Advance(kDay * 3650);
    env.Open();
    CHECK(env.Describe(key->id)->state == KeyState::kEnabled);
    CHECK(env.DecryptOrDie(ct, {{"i", "1"}}) == "under imported material");
  }
  SECTION("no row or column ever holds the raw material") {
    REQUIRE(Import(env, key->id, material, std::nullopt, ExpirationModel::kDoesNotExpire).ok());
    struct Needle {
      const char* name;
      std::string bytes;
    } needles[] = {
        {"imported material", material.Reveal()},
        {"imported material, hex", crypto::Hex(material.view())},
        {"imported material, base64", crypto::Base64(material.view())},
        {"data key", data_key->plaintext.Reveal()},
        {"data key, hex", crypto::Hex(data_key->plaintext.view())},
        {"data key, base64", crypto::Base64(data_key->plaintext.view())},
    };
    std::vector<std::string> tables;
    size_t cells = 0;
    Status st = env.db->WithConnection([&](storage::Connection& c) -> Status {
      SEALSTACK_RETURN_IF_ERROR(c.Query("SELECT name FROM sqlite_master WHERE type = 'table'", {},
                                        [&](const storage::Row& row) {
                                          tables.push_back(row.ColumnString(0));
                                          return Status::Ok();
                                        }));
      for (const auto& table : tables) {
        SEALSTACK_RETURN_IF_ERROR(
            c.Query("SELECT * FROM \"" + table + "\"", {}, [&](const storage::Row& row) {
              for (int col = 0; col < row.ColumnCount(); ++col) {
                std::string cell(row.ColumnBlob(col));
                ++cells;
                for (const auto& n : needles) {
                  INFO(table << " column " << col << ": " << n.name);
                  CHECK(cell.find(n.bytes) == std::string::npos);
                }
              }
              return Status::Ok();
            }));
      }
      return Status::Ok();
    });
    REQUIRE(st.ok());
    CHECK(std::find(tables.begin(), tables.end(), "kms_key_materials") != tables.end());
    CHECK(std::find(tables.begin(), tables.end(), "kms_keys") != tables.end());
    CHECK(cells > 0);
    CHECK(env.Count("SELECT COUNT(*) FROM kms_key_materials WHERE key_id = :id", key->id) == 1);
  }
}

TEST_CASE("KMS import tokens are single-use and expire", "[kms][service][import]") {
  ServiceEnv env;
  auto key = env.Create(KeySpec::kSymmetricDefault, KeyUsage::kEncryptDecrypt, Origin::kExternal);
  const crypto::SecretBytes material = ImportMaterial(3);
  auto params =
      env.service->GetParametersForImport(env.caller, key->id, "RSAES_OAEP_SHA_256", "RSA_2048");
  REQUIRE(params.ok());
  CHECK(params->valid_to == kStart + kDay);
  crypto::SeededRandom r("client");
  auto wrapped = crypto::WrapForImport(params->public_key,
                                       crypto::WrappingAlgorithm::kRsaesOaepSha256, material, r);
  REQUIRE(wrapped.ok());

  SECTION("an expired token") {
    env.clock->Advance(kDay + seconds(1));
    Status st = env.service
                    ->ImportKeyMaterial(env.caller, key->id, params->import_token, *wrapped,
                                        std::nullopt, ExpirationModel::kDoesNotExpire)
                    .status();
    CHECK(WireCode(st) == "ExpiredImportTokenException");
  }
  SECTION("a token used twice, across a restart") {
    env.Open();  // the import parameters were persisted (wrapping key wrapped)
    REQUIRE(env.service
                ->ImportKeyMaterial(env.caller, key->id, params->import_token, *wrapped,
                                    std::nullopt, ExpirationModel::kDoesNotExpire)
                .ok());
    Status again = env.service
                       ->ImportKeyMaterial(env.caller, key->id, params->import_token, *wrapped,
                                           std::nullopt, ExpirationModel::kDoesNotExpire)
                       .status();
    CHECK(WireCode(again) == "InvalidImportTokenException");
  }
  SECTION("material that does not unwrap") {
    std::string bad = *wrapped;
    bad[bad.size() / 2] = static_cast<char>(bad[bad.size() / 2] ^ 1);
    Status st = env.service
                    ->ImportKeyMaterial(env.caller, key->id, params->import_token, bad,
                                        std::nullopt, ExpirationModel::kDoesNotExpire)
                    .status();
    CHECK(WireCode(st) == "InvalidCiphertextException");
  }
}
