#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "api/s3/post_policy.h"
#include "api/s3/s3_errors.h"
#include "crypto/digest.h"
#include "test_util.h"

using namespace sealstack;
using namespace sealstack::api::s3;

namespace {

std::string PolicyB64(const std::string& json) {
  return crypto::Base64(json);
}

std::string PolicyDoc(const std::string& conditions,
                      const std::string& expiration = "2030-01-01T00:00:00.000Z") {
  return PolicyB64(R"({"expiration": ")" + expiration + R"(", "conditions": )" + conditions + "}");
}

PostPolicy PolicyOf(const std::string& conditions) {
  Result<PostPolicy> p = ParsePostPolicy(PolicyDoc(conditions));
  REQUIRE_OK(p.status());
  return *p;
}

std::string PolicyCode(const Status& st) {
  auto d = DescribeS3Error(st);
  return d ? d->code : "";
}

std::string PolicyMessage(const Status& st) {
  return SplitS3Error(st.message()).first;
}

}  // namespace

TEST_CASE("ParsePostPolicy reads expiration and the three condition forms", "[s3][post]") {
  PostPolicy p =
      PolicyOf(R"([{"bucket": "b"}, ["StArTs-WiTh", "$KeY", "user/"], ["eq", "$acl", "private"],)"
               R"( ["content-length-range", 1, 1024]])");
  REQUIRE(p.conditions.size() == 4);
  CHECK(p.conditions[0].field == "bucket");
  CHECK(p.conditions[0].text == R"(["eq", "$bucket", "b"])");
  CHECK(p.conditions[1].op == PostCondition::Op::kStartsWith);
  CHECK(p.conditions[1].field == "key");
  CHECK(p.conditions[2].op == PostCondition::Op::kEq);
  CHECK(p.conditions[3].op == PostCondition::Op::kContentLengthRange);
  CHECK(p.conditions[3].min == 1);
  CHECK(p.conditions[3].max == 1024);
  CHECK(p.expiration == SystemTime(std::chrono::seconds(1893456000)));
}

TEST_CASE("ParsePostPolicy refuses documents S3 cannot read", "[s3][post]") {
  struct Row {
    std::string policy;
    std::string message;
  } rows[] = {
      {"%%%", "Invalid Policy: The policy is not valid base64."},
      {PolicyB64("not json"), "Invalid Policy: Invalid JSON."},
      {PolicyB64(R"({"conditions": []})"), "Invalid Policy: Missing expiration."},
      {PolicyB64(R"({"EXPIRATION": "2030-01-01T00:00:00Z", "conditions": []})"),
       "Invalid Policy: Missing expiration."},
      {PolicyB64(R"({"expiration": "2030-01-01T00:00:00Z"})"),
       "Invalid Policy: Missing conditions."},
      {PolicyB64(R"({"expiration": "2030-01-01T00:00:00Z", "CONDITIONS": []})"),
       "Invalid Policy: Missing conditions."},
      {PolicyB64(R"({"expiration": "tomorrow", "conditions": []})"),
       "Invalid Policy: Invalid 'expiration' value: 'tomorrow'"},
      {PolicyDoc("[{}]"),
       "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one "
       "property specified."},
      {PolicyDoc(R"([{"acl": 1}])"),
       "Invalid Policy: Invalid Simple-Condition: value must be a string."},
      {PolicyDoc(R"([["content-length-range", 0]])"), ""},
      {PolicyDoc(R"([["content-length-range", -1, 0]])"), ""},
      {PolicyDoc(R"([["in", "$key", "a"]])"), ""},
      {PolicyDoc(R"([["eq", "key", "a"]])"), ""},
  };
  for (const Row& row : rows) {
    INFO(row.policy);
    Result<PostPolicy> p = ParsePostPolicy(row.policy);
    REQUIRE_FALSE(p.ok());
    CHECK(PolicyCode(p.status()) == "InvalidPolicyDocument");
    if (!row.message.empty()) CHECK(PolicyMessage(p.status()) == row.message);
  }
}

TEST_CASE("CheckPostPolicyFields applies eq and starts-with, then the extra-field rule",
          "[s3][post]") {
  PostPolicy p = PolicyOf(
      R"([{"bucket": "b"}, ["starts-with", "$key", "user/"], {"ACL": "private"},)"
      R"( ["starts-with", "$Content-Type", "image/"], ["starts-with", "$x-amz-meta-tag", ""]])");
  FormFields ok = {{"key", "user/${filename}"},
                   {"acl", "private"},
                   {"content-type", "image/png, image/jpeg"},
                   {"Policy", "..."},
                   {"X-Amz-Signature", "..."},
                   {"x-ignore-this", "1"}};
  REQUIRE_OK(CheckPostPolicyFields(p, ok, "b", "user/a.png"));

  Status wrong_bucket = CheckPostPolicyFields(p, ok, "other", "user/a.png");
  CHECK(PolicyCode(wrong_bucket) == "AccessDenied");
  CHECK(PolicyMessage(wrong_bucket) ==
        R"(Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "b"])");

  Status wrong_key = CheckPostPolicyFields(p, ok, "b", "admin/a.png");
  CHECK(
      PolicyMessage(wrong_key) ==
      R"(Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/"])");

  FormFields mixed = ok;
  mixed[2].second = "image/png, text/html";
  CHECK(PolicyCode(CheckPostPolicyFields(p, mixed, "b", "user/a")) == "AccessDenied");

  FormFields extra = ok;
  extra.emplace_back("x-amz-meta-note", "hi");
  extra.emplace_back("Cache-Control", "no-cache");
  Status st = CheckPostPolicyFields(p, extra, "b", "user/a");
  CHECK(PolicyMessage(st) ==
        "Invalid according to Policy: Extra input fields: x-amz-meta-note, Cache-Control");
}

TEST_CASE("A condition on a field the form lacks holds only for an empty value", "[s3][post]") {
  FormFields fields = {{"key", "k"}};
  CHECK(CheckPostPolicyFields(
            PolicyOf(R"([["starts-with", "$key", ""], ["eq", "$x-amz-meta-a", ""]])"), fields, "b",
            "k")
            .ok());
  CHECK_FALSE(
      CheckPostPolicyFields(
          PolicyOf(R"([["starts-with", "$key", ""], ["starts-with", "$x-amz-meta-a", "v"]])"),
          fields, "b", "k")
          .ok());
}

TEST_CASE("CheckPostContentLength answers EntityTooSmall and EntityTooLarge", "[s3][post]") {
  PostPolicy p = PolicyOf(R"([["content-length-range", 10, 20]])");
  CHECK(CheckPostContentLength(p, 5, /*final=*/false).ok());
  Status small = CheckPostContentLength(p, 5, /*final=*/true);
  CHECK(PolicyCode(small) == "EntityTooSmall");
  CHECK(SplitS3Error(small.message()).second.at(1).first == "MinSizeAllowed");
  CHECK(PolicyCode(CheckPostContentLength(p, 21, /*final=*/false)) == "EntityTooLarge");
  CHECK(CheckPostContentLength(p, 20, /*final=*/true).ok());
  CHECK(CheckPostContentLength(PolicyOf("[]"), 1u << 30, true).ok());
}

TEST_CASE("CheckPostPolicyExpiration reads the expiration on the server's clock", "[s3][post]") {
  PostPolicy p = PolicyOf("[]");  // expires 2030-01-01
  const SystemTime expiration = p.expiration;
  using std::chrono::hours;
  CHECK(CheckPostPolicyExpiration(p, expiration - hours(1), std::nullopt, std::nullopt).ok());
  Status expired = CheckPostPolicyExpiration(p, expiration + hours(1), std::nullopt, std::nullopt);
  CHECK(PolicyCode(expired) == "AccessDenied");
  CHECK(PolicyMessage(expired) == "Invalid according to Policy: Policy expired.");
  // Signed an hour before expiry at a moment the server's clock read two hours later: the policy
  // lives an hour of server time from then.
  const SystemTime signed_at = expiration - hours(1);
  const SystemTime server_signed = signed_at + hours(2);
  CHECK(CheckPostPolicyExpiration(p, server_signed + std::chrono::minutes(59), signed_at,
                                  server_signed)
            .ok());
  CHECK_FALSE(CheckPostPolicyExpiration(p, server_signed + std::chrono::minutes(61), signed_at,
                                        server_signed)
                  .ok());
}
