#include <catch2/catch.hpp>

#include <set>

#include "api/kms/kms_errors.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_wire_errors.h"

using namespace sealstack;
using namespace sealstack::api;

TEST_CASE("Every S3 error kind has a code and status, details travel along", "[s3][errors]") {
  std::set<std::string> codes;
  for (int k = static_cast<int>(s3::ErrorKind::kInvalidArgument);
       k <= static_cast<int>(s3::ErrorKind::kNotImplemented); ++k) {
    INFO(k);
    WireError w = s3::S3StatusToWire(s3::S3Error(static_cast<s3::ErrorKind>(k), "m"));
    CHECK_FALSE(w.code.empty());
    CHECK(w.http_status >= 300);
    CHECK(w.message == "m");
    codes.insert(w.code);
  }
  CHECK(codes.size() >= 25);
  WireError with = s3::S3StatusToWire(s3::S3Error(
      s3::ErrorKind::kNoSuchBucket, "The specified bucket does not exist", {{"BucketName", "b"}}));
  CHECK(with.http_status == 404);
  CHECK(with.code == "NoSuchBucket");
  REQUIRE(with.details.size() == 1);
  CHECK(with.details[0].second == "b");
}

TEST_CASE("KMS failures surface as S3 reports them", "[s3][errors]") {
  struct Row {
    kms::ErrorKind kind;
    int status;
    const char* code;
  } rows[] = {
      {kms::ErrorKind::kNotFound, 400, "KMS.NotFoundException"},
      {kms::ErrorKind::kDisabled, 400, "KMS.DisabledException"},
      {kms::ErrorKind::kInvalidState, 400, "KMS.KMSInvalidStateException"},
      {kms::ErrorKind::kInvalidKeyUsage, 400, "KMS.InvalidKeyUsageException"},
      {kms::ErrorKind::kAccessDenied, 403, "AccessDenied"},
      {kms::ErrorKind::kInternal, 500, "KMS.KMSInternalException"},
  };
  for (const auto& row : rows) {
    WireError w = s3::S3StatusToWire(kms::KmsError(row.kind, "arn:... is disabled."));
    CHECK(w.http_status == row.status);
    CHECK(w.code == row.code);
    CHECK(w.message == "arn:... is disabled.");
  }
  CHECK(s3::S3StatusToWire(Status::Internal("secret detail")).message.find("secret") ==
        std::string::npos);
  // KMS answers InvalidCiphertextException without a message; S3's error still has one.
  WireError bad_blob = s3::S3StatusToWire(kms::KmsError(kms::ErrorKind::kInvalidCiphertext, ""));
  CHECK(bad_blob.http_status == 400);
  CHECK(bad_blob.code == "KMS.InvalidCiphertextException");
  CHECK(bad_blob.message.find("InvalidCiphertextException") != std::string::npos);
}

TEST_CASE("The kinds after NotImplemented have codes too", "[s3][errors]") {
  for (int k = static_cast<int>(s3::ErrorKind::kInvalidPartNumber);
       k <= static_cast<int>(s3::ErrorKind::kBadRequest); ++k) {
    INFO(k);
    WireError w = s3::S3StatusToWire(s3::S3Error(static_cast<s3::ErrorKind>(k), "m"));
    CHECK_FALSE(w.code.empty());
    CHECK(w.http_status >= 300);
  }
  s3::S3ErrorText text = s3::S3ErrorCodeAndMessage(
      s3::S3Error(s3::ErrorKind::kUserKeyMustBeSpecified, "The key parameter must be specified"));
  CHECK(text.code == "UserKeyMustBeSpecified");
  CHECK(text.message == "The key parameter must be specified");
}
