#include <catch2/catch.hpp>

#include "api/common/errors.h"
#include "api/common/request_id.h"
#include "api/sts/sts_service.h"

using namespace sealstack;
using api::Protocol;

namespace {
auth::AuthError Err(auth::AuthErrorCode code) {
  return {code, "detail", {}};
}
}  // namespace

TEST_CASE("Every auth failure maps to AWS's code and status in each protocol", "[api]") {
  using C = auth::AuthErrorCode;
  struct Row {
    C code;
    int s3_status;
    const char* s3;
    int json_status;
    const char* json;
    int query_status;
    const char* query;
  } rows[] = {
      {C::kMissingAuthentication, 403, "AccessDenied", 400, "MissingAuthenticationTokenException",
       403, "MissingAuthenticationToken"},
      {C::kMalformedAuthorization, 400, "AuthorizationHeaderMalformed", 400,
       "IncompleteSignatureException", 400, "IncompleteSignature"},
      {C::kUnknownAccessKey, 403, "InvalidAccessKeyId", 400, "UnrecognizedClientException", 403,
       "InvalidClientTokenId"},
      {C::kSignatureMismatch, 403, "SignatureDoesNotMatch", 400, "InvalidSignatureException", 403,
       "SignatureDoesNotMatch"},
      {C::kRequestTimeTooSkewed, 403, "RequestTimeTooSkewed", 400, "InvalidSignatureException", 403,
       "SignatureDoesNotMatch"},
      {C::kExpiredToken, 400, "ExpiredToken", 400, "ExpiredTokenException", 403, "ExpiredToken"},
      {C::kPresignExpired, 403, "AccessDenied", 400, "IncompleteSignatureException", 400,
       "IncompleteSignature"},
      {C::kMalformedQueryAuth, 400, "AuthorizationQueryParametersError", 400,
       "IncompleteSignatureException", 400, "IncompleteSignature"},
      {C::kContentSha256Mismatch, 400, "XAmzContentSHA256Mismatch", 400,
       "InvalidSignatureException", 403, "SignatureDoesNotMatch"},
      {C::kBadTrailerChecksum, 400, "BadDigest", 400, "IncompleteSignatureException", 400,
       "IncompleteSignature"},
      {C::kIncompleteBody, 400, "IncompleteBody", 400, "IncompleteSignatureException", 400,
       "IncompleteSignature"},
  };
  for (const auto& row : rows) {
    INFO(static_cast<int>(row.code));
    auto s3 = api::AuthErrorToWire(Err(row.code), Protocol::kS3);
    CHECK(s3.http_status == row.s3_status);
    CHECK(s3.code == row.s3);
    auto json = api::AuthErrorToWire(Err(row.code), Protocol::kJson);
    CHECK(json.http_status == row.json_status);
    CHECK(json.code == row.json);
    auto query = api::AuthErrorToWire(Err(row.code), Protocol::kQuery);
    CHECK(query.http_status == row.query_status);
    CHECK(query.code == row.query);
  }
}

TEST_CASE("Error bodies in each protocol's shape", "[api]") {
  api::WireError e{404, "NotFoundException", "Key 'x' does <not> exist", {}, false};
  api::RequestIds ids{"req-1", "host-1"};

  auto json = api::RenderError(Protocol::kJson, e, ids);
  CHECK(json.status == 404);
  CHECK(json.body == R"({"__type":"NotFoundException","message":"Key 'x' does <not> exist"})");
  REQUIRE(json.FindHeader("x-amzn-ErrorType"));
  CHECK(*json.FindHeader("x-amzn-ErrorType") == "NotFoundException");
  CHECK(*json.FindHeader("x-amzn-RequestId") == "req-1");
  CHECK(*json.FindHeader("Content-Type") == "application/x-amz-json-1.1");

  api::WireError s3e{403, "SignatureDoesNotMatch", "bad", {{"AWSAccessKeyId", "test"}}, false};
  auto s3 = api::RenderError(Protocol::kS3, s3e, ids, "/b/k");
  CHECK(s3.body ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code>"
        "<Message>bad</Message><AWSAccessKeyId>test</AWSAccessKeyId><Resource>/b/k</Resource>"
        "<RequestId>req-1</RequestId><HostId>host-1</HostId></Error>");
  CHECK(*s3.FindHeader("x-amz-request-id") == "req-1");
  CHECK(*s3.FindHeader("x-amz-id-2") == "host-1");
  auto head = api::RenderError(Protocol::kS3, s3e, ids, "/b/k", /*head_request=*/true);
  CHECK(head.body.empty());
  CHECK(head.status == 403);

  auto query = api::RenderError(Protocol::kQuery, e, ids);
  CHECK(query.body.find("<Type>Sender</Type><Code>NotFoundException</Code>"
                        "<Message>Key &apos;x&apos; does &lt;not&gt; exist</Message>") !=
        std::string::npos);
  CHECK(query.body.find("<RequestId>req-1</RequestId></ErrorResponse>") != std::string::npos);
}

TEST_CASE("Internal errors never leak detail", "[api]") {
  auto w = api::StatusToWire(Status::Internal("sqlite said: disk I/O error at /secret/path"),
                             Protocol::kJson);
  CHECK(w.http_status == 500);
  CHECK(w.code == "InternalFailure");
  CHECK(w.message.find("secret") == std::string::npos);
  CHECK(api::StatusToWire(Status::Internal("x"), Protocol::kS3).code == "InternalError");
}

TEST_CASE("Request ids have AWS's shapes", "[api]") {
  std::string uuid = api::NewUuidRequestId();
  CHECK(uuid.size() == 36);
  CHECK(uuid[14] == '4');
  std::string s3 = api::NewS3RequestId();
  CHECK(s3.size() == 16);
  for (char c : s3) CHECK(((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')));
  CHECK(api::NewS3HostId().size() == 56);
  CHECK(api::NewUuidRequestId() != api::NewUuidRequestId());
}

TEST_CASE("GetCallerIdentity per principal type", "[api][sts]") {
  auth::Principal root;
  root.arn = "arn:aws:iam::000000000000:root";
  root.account = "000000000000";
  root.type = auth::PrincipalType::kRoot;
  CHECK(api::sts::GetCallerIdentity(root).user_id == "000000000000");

  auth::Principal alice;
  alice.arn = "arn:aws:iam::111122223333:user/alice";
  alice.account = "111122223333";
  alice.type = auth::PrincipalType::kUser;
  auto id = api::sts::GetCallerIdentity(alice);
  CHECK(id.user_id.size() == 21);
  CHECK(id.user_id.rfind("AIDA", 0) == 0);
  CHECK(id.user_id == api::sts::GetCallerIdentity(alice).user_id);  // stable

  auth::Principal session;
  session.arn = "arn:aws:sts::111122223333:assumed-role/GlueRole/run-1";
  session.account = "111122223333";
  session.type = auth::PrincipalType::kAssumedRole;
  auto sid = api::sts::GetCallerIdentity(session);
  CHECK(sid.user_id.rfind("AROA", 0) == 0);
  CHECK(sid.user_id.substr(sid.user_id.size() - 6) == ":run-1");

  auto r = api::sts::HandleQuery(
      alice, {{"Action", "GetCallerIdentity"}, {"Version", "2011-06-15"}}, {"rid", ""});
  CHECK(r.status == 200);
  CHECK(r.body.find("<Arn>arn:aws:iam::111122223333:user/alice</Arn>") != std::string::npos);
  CHECK(r.body.find("<RequestId>rid</RequestId>") != std::string::npos);
  auto bad = api::sts::HandleQuery(alice, {{"Action", "AssumeRoot"}}, {"rid", ""});
  CHECK(bad.status == 400);
  CHECK(bad.body.find("<Code>InvalidAction</Code>") != std::string::npos);
}

TEST_CASE("S3's auth-error table lists every AuthErrorCode", "[api]") {
  using C = auth::AuthErrorCode;
  for (int c = static_cast<int>(C::kMissingAuthentication);
       c <= static_cast<int>(C::kChunkTooSmall); ++c) {
    INFO(c);
    auto s3 = api::AuthErrorToWire(Err(static_cast<C>(c)), Protocol::kS3);
    CHECK_FALSE(s3.code.empty());
    CHECK(s3.http_status != 500);  // WireError's default: a missing row
    CHECK_FALSE(s3.message.empty());
  }
}
