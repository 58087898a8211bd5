#include <catch2/catch.hpp>

#include "server/router.h"

using namespace sealstack;
using server::Classify;
using server::Service;

namespace {
auth::HttpRequestHead Head(std::string method, std::string target,
                           std::vector<std::pair<std::string, std::string>> headers) {
  auth::HttpRequestHead h;
  h.method = std::move(method);
  h.target = std::move(target);
  h.headers = std::move(headers);
  return h;
}
}  // namespace

TEST_CASE("JSON 1.1 requests route by X-Amz-Target prefix", "[router]") {
  struct Row {
    const char* target;
    Service service;
    const char* op;
  } rows[] = {
      {"TrentService.Encrypt", Service::kKms, "Encrypt"},
      {"AWSGlue.CreateJob", Service::kGlue, "CreateJob"},
      {"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", Service::kCloudTrail,
       "LookupEvents"},
      {"DynamoDB_20120810.GetItem", Service::kUnknownJson, "DynamoDB_20120810.GetItem"},
  };
  for (const auto& row : rows) {
    INFO(row.target);
    auto r = Classify(Head("POST", "/", {{"Host", "localhost:4566"}, {"X-Amz-Target", row.target}}),
                      "localhost");
    CHECK(r.protocol == api::Protocol::kJson);
    CHECK(r.service == row.service);
    CHECK(r.operation == row.op);
  }
}

TEST_CASE("STS Query requests are recognised by scope, form POST or ?Action=", "[router]") {
  auto by_scope =
      Classify(Head("POST", "/",
                    {{"Authorization",
                      "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request, "
                      "SignedHeaders=host, Signature=00"}}),
               "localhost");
  CHECK(by_scope.protocol == api::Protocol::kQuery);
  auto by_form = Classify(
      Head("POST", "/", {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}}),
      "localhost");
  CHECK(by_form.protocol == api::Protocol::kQuery);
  auto by_get =
      Classify(Head("GET", "/?Action=GetCallerIdentity&Version=2011-06-15", {}), "localhost");
  CHECK(by_get.protocol == api::Protocol::kQuery);
  // A form POST signed for S3 (a browser-style upload to a bucket) stays S3.
  auto s3_post =
      Classify(Head("POST", "/bucket",
                    {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Authorization",
                      "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, "
                      "SignedHeaders=host, Signature=00"}}),
               "localhost");
  CHECK(s3_post.protocol == api::Protocol::kS3);
}

TEST_CASE("S3 path-style and virtual-hosted addressing", "[router]") {
  struct Row {
    const char* host;
    const char* target;
    const char* bucket;
    const char* key;
    bool virtual_hosted;
  } rows[] = {
      {"localhost:4566", "/", "", "", false},
      {"localhost:4566", "/bucket", "bucket", "", false},
      {"localhost:4566", "/bucket/", "bucket", "", false},
      {"127.0.0.1:4566", "/bucket/a/b%20c.txt?x=1", "bucket", "a/b%20c.txt", false},
      {"s3.localhost:4566", "/bucket/k", "bucket", "k", false},
      {"bucket.localhost:4566", "/k/1", "bucket", "k/1", true},
      {"my.dotted.bucket.localhost", "/k", "my.dotted.bucket", "k", true},
      {"bucket.s3.localhost:4566", "/", "bucket", "", true},
      {"bucket.s3.us-east-1.amazonaws.com", "/k", "bucket", "k", true},
      {"[::1]:4566", "/bucket/k", "bucket", "k", false},
  };
  for (const auto& row : rows) {
    INFO(row.host << " " << row.target);
    auto r = Classify(Head("GET", row.target, {{"Host", row.host}}), "localhost");
    CHECK(r.protocol == api::Protocol::kS3);
    CHECK(r.bucket == row.bucket);
    CHECK(r.key == row.key);
    CHECK(r.virtual_hosted == row.virtual_hosted);
  }
}

TEST_CASE("Admin paths win over everything else", "[router]") {
  auto r = Classify(Head("GET", "/_sealstack/health", {{"X-Amz-Target", "TrentService.Encrypt"}}),
                    "localhost");
  CHECK(r.protocol == api::Protocol::kAdmin);
  CHECK(r.admin_path == "health");
}

TEST_CASE("ServiceName names every Service", "[router]") {
  for (Service s : {Service::kAdmin, Service::kKms, Service::kGlue, Service::kCloudTrail,
                    Service::kUnknownJson, Service::kSts, Service::kS3}) {
    INFO(static_cast<int>(s));
    CHECK(server::ServiceName(s) != "?");
  }
  CHECK(server::ServiceName(Service::kCloudTrail) == "cloudtrail");
}
