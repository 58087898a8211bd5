// Seed documents (server/seed.h): parse errors name the entry; applying is idempotent and
// all-or-nothing; seeded keys carry the given material.
#include <catch2/catch.hpp>

#include "crypto/digest.h"
#include "server/config.h"
#include "server/seed.h"
#include "server/server.h"

using namespace sealstack;

namespace {

const std::string kSym = crypto::Base64(std::string(32, '\x11'));

std::string Doc(const std::string& keys, const std::string& buckets = "[]") {
  return R"({"keys": )" + keys + R"(, "buckets": )" + buckets + "}";
}

std::string Message(std::string_view json) {
  auto doc = server::ParseSeedDocument(json, "us-east-1");
  REQUIRE_FALSE(doc.ok());
  CHECK(doc.status().code() == StatusCode::kInvalidArgument);
  return doc.status().message();
}

std::unique_ptr<server::Server> InMemoryServer() {
  server::Config c;
  c.in_memory = true;
  c.port = 0;
  auto s = server::Server::Create(c);
  REQUIRE(s.ok());
  return std::move(*s);
}

}  // namespace

TEST_CASE("Seed parse errors name the entry and field", "[server][seed]") {
  CHECK(Message("[]") == "seed: expected a JSON object");
  CHECK(Message("{").rfind("seed: invalid JSON", 0) == 0);
  CHECK(Message(R"({"nope": 1})").rfind("nope: unknown section", 0) == 0);
  CHECK(Message(Doc(R"([{"id": "11111111-2222-3333-4444-555555555555", "material": "x"}])")) ==
        "keys[0].material: not valid base64");
  CHECK(Message(Doc(R"([{"material": ")" + kSym + R"("}])")) == "keys[0].id: required");
  CHECK(Message(Doc(R"([{"id": "11111111-2222-3333-4444-555555555555", "material": ")" + kSym +
                    R"(", "aliases": [1]}])")) == "keys[0].aliases[0]: expected a string");
  CHECK(Message(Doc(R"([{"id": "11111111-2222-3333-4444-555555555555", "material": ")" + kSym +
                    R"("}, {"id": "11111111-2222-3333-4444-555555555555", "material": ")" + kSym +
                    R"("}])"))
            .rfind("keys[1].id:", 0) == 0);
  CHECK(Message(Doc("[]", R"([{"name": "ok-bucket", "encryption": {"SSEAlgorithm": "DES"}}])")) ==
        "buckets[0].encryption.SSEAlgorithm: expected AES256, aws:kms or aws:kms:dsse");
  CHECK(Message(R"({"glue": {"x": 1}})") == "glue.x: unknown field");
  CHECK(Message(R"({"glue": {"security_configurations": [{"Name": "s"}]}})") ==
        "glue.security_configurations[0].EncryptionConfiguration: required");
  CHECK(Message(R"({"glue": {"catalog_encryption": [{"DataCatalogEncryptionSettings":
        {"EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS-WITH-SERVICE-ROLE"}}}]}})")
            .rfind("glue.catalog_encryption[0].DataCatalogEncryptionSettings: "
                   "CatalogEncryptionServiceRole is required",
                   0) == 0);
  CHECK(server::ParseSeedDocument(R"({"glue": {}})", "us-east-1").ok());
}

TEST_CASE("Seeding is idempotent and all-or-nothing", "[server][seed]") {
  auto srv = InMemoryServer();
  server::ServerContext& ctx = srv->context();
  const std::string good =
      Doc(R"([{"id": "11111111-2222-3333-4444-555555555555", "material": ")" + kSym +
              R"(", "aliases": ["alias/one"]}])",
          R"([{"name": "seeded-bucket", "encryption": {"SSEAlgorithm": "aws:kms"}}])");
  auto first = server::SeedFromJson(ctx, good);
  REQUIRE(first.ok());
  CHECK(first->keys == 1);
  CHECK(first->buckets == 1);
  CHECK(first->changed == 2);
  auto second = server::SeedFromJson(ctx, good);
  REQUIRE(second.ok());
  CHECK(second->changed == 0);

  // The stored material is the given one: its id is derived from it and the key id.
  auto key = ctx.kms->KeyArnOf("11111111-2222-3333-4444-555555555555");
  CHECK(key == "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555");
  auto material_id = api::kms::Service::SeedMaterialId(
      "11111111-2222-3333-4444-555555555555", crypto::SecretBytes(std::string(32, '\x11')));
  REQUIRE(material_id.ok());
  CHECK(material_id->size() == 64);

  // A document whose second key conflicts with state changes nothing, not even the first key.
  const std::string other = crypto::Base64(std::string(32, '\x22'));
  auto bad = server::SeedFromJson(
      ctx, Doc(R"([{"id": "99999999-2222-3333-4444-555555555555", "material": ")" + other +
               R"("}, {"id": "11111111-2222-3333-4444-555555555555", "material": ")" + other +
               R"("}])"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().rfind("keys[1].material:", 0) == 0);
  CHECK(ctx.kms->KeyArnOf("99999999-2222-3333-4444-555555555555") ==
        "99999999-2222-3333-4444-555555555555");  // unknown: not created
}

TEST_CASE("The seed flag and SEALSTACK_SEED set the seed file", "[server][seed][config]") {
  const char* argv[] = {"sealstack", "--seed", "/tmp/seed.json"};
  std::map<std::string, std::string> env;
  auto p = server::ParseCommandLine(3, argv, &env);
  REQUIRE(p.ok());
  CHECK(p->config.seed_file == "/tmp/seed.json");
  env["SEALSTACK_SEED"] = "/tmp/env-seed.json";
  const char* argv2[] = {"sealstack"};
  p = server::ParseCommandLine(1, argv2, &env);
  REQUIRE(p.ok());
  CHECK(p->config.seed_file == "/tmp/env-seed.json");
}
