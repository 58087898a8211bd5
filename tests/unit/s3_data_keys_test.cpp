#include <catch2/catch.hpp>

#include "api/kms/kms_authorizer.h"
#include "api/kms/kms_errors.h"
#include "api/kms/kms_service.h"
#include "api/s3/data_keys.h"
#include "api/s3/s3_errors.h"
#include "crypto/digest.h"
#include "storage/db.h"

using namespace sealstack;
using namespace sealstack::api;

namespace {

struct DataKeysFixture {
  DataKeysFixture() {
    db = std::move(storage::Database::Open({.path = "", .in_memory = true}).value());
    random = std::make_shared<crypto::SeededRandom>(std::string_view("s3-data-keys"));
    clock = std::make_shared<FakeClock>(SystemTime(std::chrono::seconds(1800000000)));
    root = crypto::SecretBytes(std::string(32, 'r'));
    kms_service = std::move(kms::Service::Open(*db, root, clock, random).value());
    keys = std::make_unique<s3::DataKeyService>(*kms_service, root, random, clock);
    auto p = std::make_shared<auth::Principal>();
    p->arn = "arn:aws:iam::000000000000:root";
    p->account = "000000000000";
    p->type = auth::PrincipalType::kRoot;
    caller.principal = p;
    caller.region = "us-east-1";
  }
  std::string NewKmsKey() { return kms_service->CreateKey(caller, {}).value()->arn; }
  std::unique_ptr<storage::Database> db;
  std::shared_ptr<crypto::SeededRandom> random;
  std::shared_ptr<FakeClock> clock;
  crypto::SecretBytes root;
  std::unique_ptr<kms::Service> kms_service;
  std::unique_ptr<s3::DataKeyService> keys;
  kms::Caller caller;
};

s3::WriteEncryption Mode(s3::SseMode mode, std::string kms_key = "", bool bucket_key = false) {
  s3::WriteEncryption e;
  e.mode = mode;
  e.kms_key_id = std::move(kms_key);
  e.bucket_key = bucket_key;
  return e;
}

}  // namespace

TEST_CASE("SSE-S3 data keys round trip under the bucket owner's account key", "[s3][keys]") {
  DataKeysFixture f;
  auto dk = f.keys->NewDataKey(f.caller, Mode(s3::SseMode::kSseS3), "000000000000", "b", "k");
  REQUIRE(dk.ok());
  CHECK(dk->plaintext.size() == 32);
  CHECK(dk->protection.wrapped_key.find(dk->plaintext.Reveal()) == std::string::npos);
  auto opened = f.keys->OpenDataKey(f.caller, "000000000000", dk->protection, std::nullopt);
  REQUIRE(opened.ok());
  CHECK(opened->view() == dk->plaintext.view());
  // Another account's S3 key does not open it.
  CHECK_FALSE(f.keys->OpenDataKey(f.caller, "111122223333", dk->protection, std::nullopt).ok());
  CHECK(f.keys->kms_calls() == 0);
}

TEST_CASE("SSE-C keeps only a salted HMAC and refuses the wrong key with 403", "[s3][keys]") {
  DataKeysFixture f;
  s3::WriteEncryption e = Mode(s3::SseMode::kSseC);
  const std::string raw(32, 'c');
  e.customer_key = s3::CustomerKey{crypto::SecretBytes(raw), crypto::Base64(crypto::Md5(raw))};
  auto dk = f.keys->NewDataKey(f.caller, e, "000000000000", "b", "k");
  REQUIRE(dk.ok());
  const auto& p = dk->protection;
  for (const std::string* field : {&p.wrapped_key, &p.customer_key_hmac, &p.customer_key_salt}) {
    CHECK(field->find(raw) == std::string::npos);
  }
  CHECK(f.keys->OpenDataKey(f.caller, "000000000000", p, e.customer_key)->view() ==
        dk->plaintext.view());
  s3::CustomerKey wrong{crypto::SecretBytes(std::string(32, 'w')), ""};
  auto bad = f.keys->OpenDataKey(f.caller, "000000000000", p, wrong);
  CHECK(bad.status().detail() == static_cast<int>(s3::ErrorKind::kSseCustomerKeyMismatch));
  auto missing = f.keys->OpenDataKey(f.caller, "000000000000", p, std::nullopt);
  CHECK(missing.status().detail() == static_cast<int>(s3::ErrorKind::kInvalidRequest));
}

TEST_CASE("SSE-KMS calls KMS as the caller via S3 with the object ARN context", "[s3][keys]") {
  DataKeysFixture f;
  const std::string arn = f.NewKmsKey();
  auto dk =
      f.keys->NewDataKey(f.caller, Mode(s3::SseMode::kSseKms, arn), "000000000000", "b", "dir/k");
  REQUIRE(dk.ok());
  CHECK(dk->protection.kms_key_arn == arn);
  CHECK(dk->protection.encryption_context.at("aws:s3:arn") == "arn:aws:s3:::b/dir/k");
  CHECK(f.keys->kms_calls() == 1);
  auto opened = f.keys->OpenDataKey(f.caller, "000000000000", dk->protection, std::nullopt);
  REQUIRE(opened.ok());
  CHECK(opened->view() == dk->plaintext.view());
  // Disabling the key makes the object unreadable, with KMS's own error kind.
  REQUIRE(f.kms_service->DisableKey(f.caller, arn).ok());
  auto disabled = f.keys->OpenDataKey(f.caller, "000000000000", dk->protection, std::nullopt);
  CHECK(disabled.status().detail() == static_cast<int>(kms::ErrorKind::kDisabled));
  REQUIRE(f.kms_service->EnableKey(f.caller, arn).ok());
  CHECK(f.keys->OpenDataKey(f.caller, "000000000000", dk->protection, std::nullopt).ok());
}

TEST_CASE("aws:kms without a key uses the AWS-managed alias/aws/s3 key", "[s3][keys]") {
  DataKeysFixture f;
  auto dk = f.keys->NewDataKey(f.caller, Mode(s3::SseMode::kSseKms), "000000000000", "b", "k");
  REQUIRE(dk.ok());
  auto managed = f.kms_service->DescribeKey(f.caller, "alias/aws/s3");
  REQUIRE(managed.ok());
  CHECK((*managed)->manager == kms::KeyManager::kAws);
  CHECK(dk->protection.kms_key_arn == (*managed)->arn);
  CHECK((*managed)->description ==
        "Default key that protects my S3 objects when no other key is defined");
}

TEST_CASE("Bucket keys: one KMS data key serves many objects of a bucket", "[s3][keys]") {
  DataKeysFixture f;
  const std::string arn = f.NewKmsKey();
  std::vector<s3::DataKey> objects;
  for (int i = 0; i < 10; ++i) {
    std::string key = "k";  // (GCC 12 -Wrestrict false positive on "k" + ...)
    key += std::to_string(i);
    auto dk = f.keys->NewDataKey(f.caller, Mode(s3::SseMode::kSseKms, arn, true), "000000000000",
                                 "b", key);
    REQUIRE(dk.ok());
    CHECK(dk->protection.encryption_context.at("aws:s3:arn") == "arn:aws:s3:::b");
    objects.push_back(std::move(*dk));
  }
  CHECK(f.keys->kms_calls() == 1);
  CHECK(objects[0].plaintext.view() != objects[1].plaintext.view());  // per-object data keys
  for (const auto& o : objects) {
    CHECK(f.keys->OpenDataKey(f.caller, "000000000000", o.protection, std::nullopt)->view() ==
          o.plaintext.view());
  }
  // The cache expires: a later object asks KMS again.
  f.clock->Advance(std::chrono::minutes(11));
  REQUIRE(
      f.keys
          ->NewDataKey(f.caller, Mode(s3::SseMode::kSseKms, arn, true), "000000000000", "b", "late")
          .ok());
  CHECK(f.keys->kms_calls() == 1 + 10 + 1);
}

TEST_CASE("A cached bucket key never serves a principal KMS would deny", "[s3][keys]") {
  DataKeysFixture f;
  api::kms::KmsAuthorizer::Install(
      *f.kms_service,
      std::make_shared<api::kms::KmsAuthorizer>(
          *f.kms_service, std::make_shared<api::AccessCheck>(api::PolicyMode::kEnforce, f.clock)));
  const std::string arn = f.NewKmsKey();  // default policy: the account, through IAM
  REQUIRE(f.keys
              ->NewDataKey(f.caller, Mode(s3::SseMode::kSseKms, arn, true), "000000000000", "b",
                           "by-root")
              .ok());
  // A user of the same account with no identity policy: KMS denies it, cached key or not.
  kms::Caller user = f.caller;
  auto p = std::make_shared<auth::Principal>();
  p->arn = "arn:aws:iam::000000000000:user/nopolicy";
  p->account = "000000000000";
  p->type = auth::PrincipalType::kUser;
  user.principal = p;
  auto denied = f.keys->NewDataKey(user, Mode(s3::SseMode::kSseKms, arn, true), "000000000000", "b",
                                   "by-user");
  CHECK(denied.status().detail() == static_cast<int>(kms::ErrorKind::kAccessDenied));
}
