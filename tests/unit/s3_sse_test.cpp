#include <catch2/catch.hpp>

#include "api/s3/s3_errors.h"
#include "api/s3/sse.h"
#include "crypto/digest.h"
#include "tests/unit/s3_test_util.h"

using namespace sealstack;
using namespace sealstack::api::s3;

namespace {

const std::string kKey32(32, 'k');
const std::string kKeyB64 = crypto::Base64(kKey32);
const std::string kKeyMd5 = crypto::Base64(crypto::Md5(kKey32));

WritePolicy Policy() {
  WritePolicy p;
  p.principal_arn = "arn:aws:iam::000000000000:root";
  p.object_arn = "arn:aws:s3:::b/k";
  return p;
}

// The error message (without the detail fields) and the kind.
}  // namespace

TEST_CASE("SSE precedence: SSE-C then SSE header then bucket default then SSE-S3", "[s3][sse]") {
  BucketDefault kms_default{"aws:kms", "alias/bucket-key", true, false};
  SseHeaders none;
  auto d = ResolveWriteEncryption(none, BucketDefault{}, Policy());
  REQUIRE(d.ok());
  CHECK(d->mode == SseMode::kSseS3);
  CHECK_FALSE(d->from_request_headers);

  auto bucket = ResolveWriteEncryption(none, kms_default, Policy());
  REQUIRE(bucket.ok());
  CHECK(bucket->mode == SseMode::kSseKms);
  CHECK(bucket->kms_key_id == "alias/bucket-key");
  CHECK(bucket->bucket_key);

  SseHeaders aes;
  aes.sse = "AES256";
  auto req = ResolveWriteEncryption(aes, kms_default, Policy());
  REQUIRE(req.ok());
  CHECK(req->mode == SseMode::kSseS3);
  CHECK_FALSE(req->bucket_key);

  SseHeaders kms;
  kms.sse = "aws:kms";
  auto managed = ResolveWriteEncryption(kms, BucketDefault{}, Policy());
  REQUIRE(managed.ok());
  CHECK(managed->kms_key_id.empty());  // -> alias/aws/s3

  SseHeaders dsse;
  dsse.sse = "aws:kms:dsse";
  dsse.bucket_key = "true";
  auto d2 = ResolveWriteEncryption(dsse, kms_default, Policy());
  REQUIRE(d2.ok());
  CHECK(d2->mode == SseMode::kDsseKms);
  CHECK_FALSE(d2->bucket_key);  // DSSE never uses bucket keys

  SseHeaders c;
  c.customer_algorithm = "AES256";
  c.customer_key = kKeyB64;
  c.customer_key_md5 = kKeyMd5;
  auto ssec = ResolveWriteEncryption(c, kms_default, Policy());
  REQUIRE(ssec.ok());
  CHECK(ssec->mode == SseMode::kSseC);
  REQUIRE(ssec->customer_key);
  CHECK(ssec->customer_key->key.view() == kKey32);
  CHECK(ssec->customer_key->key_md5 == kKeyMd5);
}

TEST_CASE("SSE error rows of PROTOCOL 3.4", "[s3][sse]") {
  struct Row {
    const char* name;
    SseHeaders h;
    ErrorKind kind;
    const char* message;
  };
  auto with = [](auto f) {
    SseHeaders h;
    f(h);
    return h;
  };
  std::vector<Row> rows = {
      {"ssec+sse", with([](SseHeaders& h) {
         h.sse = "AES256";
         h.customer_algorithm = "AES256";
         h.customer_key = kKeyB64;
       }),
       ErrorKind::kInvalidArgument,
       "Server Side Encryption with Customer provided key is incompatible with the encryption "
       "method specified"},
      {"bad algorithm", with([](SseHeaders& h) {
         h.customer_algorithm = "AES128";
         h.customer_key = kKeyB64;
       }),
       ErrorKind::kInvalidEncryptionAlgorithm,
       "The Encryption request you specified is not valid. Supported value: AES256."},
      {"key without algorithm", with([](SseHeaders& h) { h.customer_key = kKeyB64; }),
       ErrorKind::kInvalidArgument,
       "Requests specifying Server Side Encryption with Customer provided keys must provide a "
       "valid encryption algorithm."},
      {"algorithm without key", with([](SseHeaders& h) { h.customer_algorithm = "AES256"; }),
       ErrorKind::kInvalidArgument,
       "Requests specifying Server Side Encryption with Customer provided keys must provide an "
       "appropriate secret key."},
      {"bad md5", with([](SseHeaders& h) {
         h.customer_algorithm = "AES256";
         h.customer_key = kKeyB64;
         h.customer_key_md5 = crypto::Base64(crypto::Md5("other"));
       }),
       ErrorKind::kInvalidArgument,
       "The calculated MD5 hash of the key did not match the hash that was provided."},
      {"missing md5", with([](SseHeaders& h) {
         h.customer_algorithm = "AES256";
         h.customer_key = kKeyB64;
       }),
       ErrorKind::kInvalidArgument,
       "Requests specifying Server Side Encryption with Customer provided keys must provide the "
       "client calculated MD5 of the secret key."},
      {"short key", with([](SseHeaders& h) {
         h.customer_algorithm = "AES256";
         h.customer_key = crypto::Base64("short");
         h.customer_key_md5 = crypto::Base64(crypto::Md5("short"));
       }),
       ErrorKind::kInvalidArgument, "The secret key was invalid for the specified algorithm."},
      {"unsupported sse", with([](SseHeaders& h) { h.sse = ""; }), ErrorKind::kInvalidArgument,
       "The encryption method specified is not supported"},
      {"kms key id without aws:kms", with([](SseHeaders& h) {
         h.sse = "AES256";
         h.kms_key_id = "alias/x";
       }),
       ErrorKind::kInvalidArgument,
       "Server Side Encryption with AWS KMS managed key requires HTTP header "
       "x-amz-server-side-encryption : aws:kms"},
      {"bad context", with([](SseHeaders& h) {
         h.sse = "aws:kms";
         h.context = "not base64 json";
       }),
       ErrorKind::kInvalidArgument,
       "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string "
       "holding JSON which represents a string-string map"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    auto r = ResolveWriteEncryption(row.h, BucketDefault{}, Policy());
    auto [kind, message] = ErrorOf(r.status());
    CHECK(kind == row.kind);
    CHECK(message == row.message);
  }
}

TEST_CASE("SSE-C blocked by the bucket and over plain HTTP when required", "[s3][sse]") {
  SseHeaders c;
  c.customer_algorithm = "AES256";
  c.customer_key = kKeyB64;
  c.customer_key_md5 = kKeyMd5;
  BucketDefault blocked;
  blocked.block_sse_c = true;
  auto [kind, message] = ErrorOf(ResolveWriteEncryption(c, blocked, Policy()).status());
  CHECK(kind == ErrorKind::kSseCBlocked);
  CHECK(message.find("because this bucket has blocked upload requests that specify Server Side "
                     "Encryption with Customer provided keys (SSE-C)") != std::string::npos);
  CHECK(message.find("BlockedEncryptionTypes NONE") != std::string::npos);
  CHECK(message.find("--sse-c-blocked-by-default false") != std::string::npos);
  WritePolicy tls = Policy();
  tls.require_tls_for_sse_c = true;
  auto [kind2, message2] = ErrorOf(ResolveWriteEncryption(c, BucketDefault{}, tls).status());
  CHECK(kind2 == ErrorKind::kInvalidRequest);
  tls.secure_transport = true;
  CHECK(ResolveWriteEncryption(c, BucketDefault{}, tls).ok());
}

TEST_CASE("SSE-C key checks differ for writes, parts and reads", "[s3][sse]") {
  SseHeaders no_md5;
  no_md5.customer_algorithm = "AES256";
  no_md5.customer_key = kKeyB64;
  CHECK_FALSE(ParseCustomerKey(no_md5, CustomerKeyUse::kWrite).ok());
  CHECK(ParseCustomerKey(no_md5, CustomerKeyUse::kPart).ok());
  CHECK(ParseCustomerKey(no_md5, CustomerKeyUse::kRead).ok());

  SseHeaders short_key;
  short_key.customer_algorithm = "AES256";
  short_key.customer_key = crypto::Base64("0123456789");
  short_key.customer_key_md5 = crypto::Base64(crypto::Md5("0123456789"));
  CHECK_FALSE(ParseCustomerKey(short_key, CustomerKeyUse::kWrite).ok());
  CHECK_FALSE(ParseCustomerKey(short_key, CustomerKeyUse::kPart).ok());
  auto read = ParseCustomerKey(short_key, CustomerKeyUse::kRead);
  REQUIRE(read.ok());  // compared with the object's key later: 403
  REQUIRE(*read);
  CHECK((*read)->key.size() == 10);

  SseHeaders empty = short_key;
  empty.customer_key = "";
  empty.customer_key_md5 = crypto::Base64(crypto::Md5(""));
  auto [kind, message] = ErrorOf(ParseCustomerKey(empty, CustomerKeyUse::kRead).status());
  CHECK(kind == ErrorKind::kInvalidArgument);
  CHECK(message == "The secret key was invalid for the specified algorithm.");
}

TEST_CASE("Encryption context header and read-side checks", "[s3][sse]") {
  auto ctx = ParseEncryptionContextHeader(crypto::Base64(R"({"team":"a","env":"test"})"));
  REQUIRE(ctx.ok());
  CHECK(ctx->at("team") == "a");
  CHECK_FALSE(ParseEncryptionContextHeader(crypto::Base64(R"({"n":1})")).ok());
  SseHeaders read;
  read.sse = "AES256";
  CHECK(static_cast<ErrorKind>(CheckReadHeaders(read).detail()) == ErrorKind::kInvalidArgument);
  CHECK(CheckReadHeaders(SseHeaders{}).ok());
  auto details = SplitS3Error(CheckReadHeaders(read).message()).second;
  REQUIRE(details.size() == 2);
  CHECK(details[0] ==
        std::make_pair(std::string("ArgumentName"), std::string("x-amz-server-side-encryption")));
  auto headers =
      ExtractSseHeaders({{"X-Amz-Server-Side-Encryption", "aws:kms"},
                         {"x-amz-copy-source-server-side-encryption-customer-key", "k"}});
  CHECK(*headers.sse == "aws:kms");
  CHECK_FALSE(headers.customer_key.has_value());
  CHECK(*ExtractSseHeaders({{"x-amz-copy-source-server-side-encryption-customer-key", "k"}}, true)
             .customer_key == "k");
}

TEST_CASE("SseHeaderValue and ParseSseHeaderValue are one two-way table", "[s3][sse]") {
  for (SseMode m : {SseMode::kSseS3, SseMode::kSseKms, SseMode::kDsseKms}) {
    INFO(static_cast<int>(m));
    CHECK_FALSE(SseHeaderValue(m).empty());
    CHECK(ParseSseHeaderValue(SseHeaderValue(m)) == m);
  }
  CHECK(SseHeaderValue(SseMode::kSseC).empty());
  CHECK_FALSE(ParseSseHeaderValue("").has_value());
  CHECK_FALSE(ParseSseHeaderValue("aws:KMS").has_value());
}
