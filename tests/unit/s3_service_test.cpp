// s3::Service called in-process, as another service (a Glue run) calls it: typed inputs,
// plaintext streamed to a sink, domain errors named as S3 names them.
#include <catch2/catch.hpp>

#include "api/kms/kms_service.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_service.h"
#include "api/s3/s3_wire_errors.h"
#include "storage/db.h"

using namespace sealstack;
using namespace sealstack::api;

namespace {

std::shared_ptr<const auth::Principal> RootPrincipal(const std::string& account) {
  auto p = std::make_shared<auth::Principal>();
  p->arn = "arn:aws:iam::" + account + ":root";
  p->account = account;
  p->type = auth::PrincipalType::kRoot;
  return p;
}

struct ServiceFixture {
  ServiceFixture() {
    db = std::move(storage::Database::Open({.path = "", .in_memory = true}).value());
    random = std::make_shared<crypto::SeededRandom>(std::string_view("s3-service"));
    clock = std::make_shared<FakeClock>(SystemTime(std::chrono::seconds(1800000000)));
    root = crypto::SecretBytes(std::string(32, 'r'));
    kms_service = std::move(kms::Service::Open(*db, root, clock, random).value());
    buckets = std::make_unique<s3::BucketService>(*db, clock, s3::BucketOptions{});
    store = std::make_unique<s3::ObjectStore>(*db, *random, *clock);
    keys = std::make_unique<s3::DataKeyService>(*kms_service, root, random, clock);
    parts.buckets = buckets.get();
    parts.store = store.get();
    parts.keys = keys.get();
    caller.principal = RootPrincipal("000000000000");
    caller.region = "us-east-1";
    caller.signature_version = "AWS4-HMAC-SHA256";
    REQUIRE(service().CreateBucket(caller, "scripts", s3::BucketCreation{}).ok());
  }

  s3::Service service() { return s3::Service(parts); }

  Status Put(const std::string& key, const std::string& body, s3::SseHeaders sse = {}) {
    s3::PutObjectInput in;
    in.bucket = "scripts";
    in.key = key;
    in.sse = std::move(sse);
    in.body = [&](const std::function<Status(std::string_view)>& sink) {
      // In pieces, as the wire edge pushes them.
      for (size_t at = 0; at < body.size(); at += 7) {
        SEALSTACK_RETURN_IF_ERROR(sink(std::string_view(body).substr(at, 7)));
      }
      return Status::Ok();
    };
    return service().PutObject(caller, in).status();
  }

  // What Glue does with a job script: read it whole as `who`, up to `limit` bytes.
  Result<std::string> Read(const s3::S3Caller& who, const std::string& bucket,
                           const std::string& key, size_t limit = 1 << 20) {
    s3::GetObjectInput in;
    in.bucket = bucket;
    in.key = key;
    SEALSTACK_ASSIGN_OR_RETURN(s3::ObjectReader reader, service().GetObject(who, in));
    std::string out;
    SEALSTACK_RETURN_IF_ERROR(reader.WriteTo([&](std::string_view piece) {
      if (out.size() + piece.size() > limit) return false;
      out.append(piece);
      return true;
    }));
    return out;
  }

  std::unique_ptr<storage::Database> db;
  std::shared_ptr<crypto::SeededRandom> random;
  std::shared_ptr<FakeClock> clock;
  crypto::SecretBytes root;
  std::unique_ptr<kms::Service> kms_service;
  std::unique_ptr<s3::BucketService> buckets;
  std::unique_ptr<s3::ObjectStore> store;
  std::unique_ptr<s3::DataKeyService> keys;
  s3::ObjectServices parts;
  s3::S3Caller caller;
};

bool Is(const Status& st, s3::ErrorKind kind) {
  return st.detail() == static_cast<int>(kind);
}

}  // namespace

TEST_CASE("GetObject streams the plaintext a PutObject stored", "[s3][service]") {
  ServiceFixture f;
  const std::string script = "print('hello from the job')\n" + std::string(100000, '#');
  REQUIRE(f.Put("jobs/a.py", script).ok());
  auto body = f.Read(f.caller, "scripts", "jobs/a.py");
  REQUIRE(body.ok());
  CHECK(*body == script);

  s3::GetObjectInput in;
  in.bucket = "scripts";
  in.key = "jobs/a.py";
  auto head = f.service().HeadObject(f.caller, in);
  REQUIRE(head.ok());
  CHECK(head->size == script.size());
  CHECK(head->sse.mode == s3::SseMode::kSseS3);
  CHECK(head->etag.size() == 32);
}

TEST_CASE("GetObject serves a range, and a sink that says stop ends the read", "[s3][service]") {
  ServiceFixture f;
  REQUIRE(f.Put("k", "0123456789").ok());
  s3::GetObjectInput in;
  in.bucket = "scripts";
  in.key = "k";
  in.range = "bytes=2-4";
  auto reader = f.service().GetObject(f.caller, in);
  REQUIRE(reader.ok());
  CHECK(reader->head().content_length() == 3);
  std::string got;
  REQUIRE(reader
              ->WriteTo([&](std::string_view p) {
                got.append(p);
                return true;
              })
              .ok());
  CHECK(got == "234");

  auto too_large = f.Read(f.caller, "scripts", "k", /*limit=*/4);
  CHECK(too_large.status().code() == StatusCode::kUnavailable);
}

TEST_CASE("GetObject failures are S3 error kinds with S3's code and message", "[s3][service]") {
  ServiceFixture f;
  REQUIRE(f.Put("k", "x").ok());

  auto no_key = f.Read(f.caller, "scripts", "missing");
  CHECK(Is(no_key.status(), s3::ErrorKind::kNoSuchKey));
  s3::S3ErrorText text = s3::S3ErrorCodeAndMessage(no_key.status());
  CHECK(text.code == "NoSuchKey");
  CHECK(text.message == "The specified key does not exist.");

  auto no_bucket = f.Read(f.caller, "nobucket", "k");
  CHECK(Is(no_bucket.status(), s3::ErrorKind::kNoSuchBucket));
  CHECK(s3::S3ErrorCodeAndMessage(no_bucket.status()).code == "NoSuchBucket");

  s3::S3Caller stranger = f.caller;
  stranger.principal = RootPrincipal("111122223333");
  auto denied = f.Read(stranger, "scripts", "k");
  CHECK(Is(denied.status(), s3::ErrorKind::kAccessDenied));
  text = s3::S3ErrorCodeAndMessage(denied.status());
  CHECK(text.code == "AccessDenied");
  CHECK(text.message == "Access Denied");
}

TEST_CASE("An SSE-KMS object is read through KMS as the caller", "[s3][service]") {
  ServiceFixture f;
  kms::Caller kc;
  kc.principal = f.caller.principal;
  kc.region = "us-east-1";
  const std::string key_arn = f.kms_service->CreateKey(kc, {}).value()->arn;
  s3::SseHeaders sse;
  sse.sse = "aws:kms";
  sse.kms_key_id = key_arn;
  REQUIRE(f.Put("secret.py", "print(1)", sse).ok());
  CHECK(f.Read(f.caller, "scripts", "secret.py").value() == "print(1)");

  REQUIRE(f.kms_service->DisableKey(kc, key_arn).ok());
  auto disabled = f.Read(f.caller, "scripts", "secret.py");
  REQUIRE_FALSE(disabled.ok());
  CHECK(s3::S3ErrorCodeAndMessage(disabled.status()).code == "KMS.DisabledException");
}

TEST_CASE("Conditional reads: If-None-Match answers not-modified, If-Match fails",
          "[s3][service]") {
  ServiceFixture f;
  REQUIRE(f.Put("k", "x").ok());
  s3::GetObjectInput in;
  in.bucket = "scripts";
  in.key = "k";
  const std::string etag = f.service().HeadObject(f.caller, in)->etag;
  in.conditions.if_none_match = "\"" + etag + "\"";
  auto same = f.service().GetObject(f.caller, in);
  REQUIRE(same.ok());
  CHECK(same->head().not_modified);
  in.conditions = {};
  in.conditions.if_match = "\"other\"";
  CHECK(Is(f.service().GetObject(f.caller, in).status(), s3::ErrorKind::kPreconditionFailed));
}
