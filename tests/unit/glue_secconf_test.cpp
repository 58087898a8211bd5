// Security-configuration validation (api/glue ReadEncryptionConfiguration): which
// EncryptionConfiguration documents CreateSecurityConfiguration accepts, and the
// InvalidInputException it gives for the rest.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "api/glue/glue_errors.h"
#include "api/glue/glue_wire_readers.h"

using namespace sealstack;
using namespace sealstack::api;
using namespace sealstack::api::glue;

namespace {

constexpr const char* kKey = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef";

Status Check(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  REQUIRE(!d.HasParseError());
  JsonInput in = JsonInput::Of(d, GlueInputStyle());
  (void)ReadEncryptionConfiguration(in);
  return GlueInputStatus(in);
}

std::string WithKey(std::string tmpl) {
  for (size_t at = tmpl.find("KEY"); at != std::string::npos; at = tmpl.find("KEY")) {
    tmpl.replace(at, 3, kKey);
  }
  return tmpl;
}

}  // namespace

TEST_CASE("valid encryption configurations", "[glue][secconf]") {
  const char* kValid[] = {
      "{}",
      R"({"S3Encryption":[]})",
      R"({"S3Encryption":[{"S3EncryptionMode":"DISABLED"}]})",
      R"({"S3Encryption":[{"S3EncryptionMode":"SSE-S3"}]})",
      R"({"S3Encryption":[{"S3EncryptionMode":"SSE-KMS","KmsKeyArn":"KEY"}]})",
      R"({"CloudWatchEncryption":{"CloudWatchEncryptionMode":"DISABLED"}})",
      R"({"CloudWatchEncryption":{"CloudWatchEncryptionMode":"SSE-KMS","KmsKeyArn":"KEY"}})",
      R"({"JobBookmarksEncryption":{"JobBookmarksEncryptionMode":"DISABLED"}})",
      R"({"JobBookmarksEncryption":{"JobBookmarksEncryptionMode":"CSE-KMS","KmsKeyArn":"KEY"}})",
      R"({"DataQualityEncryption":{"DataQualityEncryptionMode":"SSE-KMS","KmsKeyArn":"KEY"}})",
      // One element each, split over lines (parenthesized: clang's -Wstring-concatenation).
      (R"({"S3Encryption":[{"S3EncryptionMode":"SSE-KMS","KmsKeyArn":"KEY"}],)"
       R"("CloudWatchEncryption":{"CloudWatchEncryptionMode":"SSE-KMS","KmsKeyArn":"KEY"},)"
       R"("JobBookmarksEncryption":{"JobBookmarksEncryptionMode":"CSE-KMS","KmsKeyArn":"KEY"}})"),
      (R"({"S3Encryption":[{"S3EncryptionMode":"SSE-KMS",)"
       R"("KmsKeyArn":"arn:aws-us-gov:kms:us-gov-west-1:000000000000:key/k"}]})"),
  };
  for (const char* c : kValid) {
    INFO(c);
    CHECK(Check(WithKey(c)).ok());
  }
}

TEST_CASE("invalid encryption configurations are InvalidInputException", "[glue][secconf]") {
  const std::pair<const char*, const char*> kInvalid[] = {
      {"[]", "must be a structure"},
      {R"({"S3Encryption":{}})", "must be a list"},
      {R"({"S3Encryption":[{"S3EncryptionMode":"SSE-S3"},{"S3EncryptionMode":"DISABLED"}]})",
       "only one"},
      {R"({"S3Encryption":[{"S3EncryptionMode":"SSE-C"}]})", "enum value set"},
      {R"({"S3Encryption":[{"S3EncryptionMode":"SSE-KMS"}]})", "KmsKeyArn is required"},
      {R"({"S3Encryption":[{"S3EncryptionMode":"SSE-KMS","KmsKeyArn":"alias/x"}]})",
       "Invalid KmsKeyArn"},
      {R"({"S3Encryption":[{"S3EncryptionMode":"SSE-KMS","KmsKeyArn":"1234abcd"}]})",
       "Invalid KmsKeyArn"},
      {R"({"S3Encryption":[{"S3EncryptionMode":"SSE-S3","KmsKeyArn":"KEY"}]})",
       "must not be given"},
      {R"({"S3Encryption":[{"KmsKeyArn":"KEY"}]})", "must not be given"},
      {R"({"CloudWatchEncryption":{"CloudWatchEncryptionMode":"SSE-KMS"}})",
       "KmsKeyArn is required"},
      {R"({"CloudWatchEncryption":{"CloudWatchEncryptionMode":"SSE-S3"}})", "enum value set"},
      {R"({"CloudWatchEncryption":{"CloudWatchEncryptionMode":"DISABLED","KmsKeyArn":"KEY"}})",
       "must not be given"},
      {R"({"CloudWatchEncryption":[]})", "must be a structure"},
      {R"({"JobBookmarksEncryption":{"JobBookmarksEncryptionMode":"SSE-KMS","KmsKeyArn":"KEY"}})",
       "enum value set"},
      {R"({"JobBookmarksEncryption":{"JobBookmarksEncryptionMode":"CSE-KMS"}})",
       "KmsKeyArn is required"},
      {R"({"DataQualityEncryption":{"DataQualityEncryptionMode":"SSE-KMS"}})",
       "KmsKeyArn is required"},
      {R"({"S3Encryption":[{"S3EncryptionMode":7}]})", "enum value set"},
  };
  for (const auto& [doc, why] : kInvalid) {
    INFO(doc);
    Status st = Check(WithKey(doc));
    REQUIRE(!st.ok());
    CHECK(static_cast<ErrorKind>(st.detail()) == ErrorKind::kInvalidInput);
    CHECK(st.message().find(why) != std::string::npos);
  }
}
