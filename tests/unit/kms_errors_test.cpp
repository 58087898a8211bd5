// The KMS error table (kms_errors.cpp, rendered by kms_wire.cpp KmsStatusToWire): every ErrorKind,
// the two JsonInput details, and what happens to a Status no KMS row claims.
#include <catch2/catch.hpp>

#include <iterator>
#include <set>
#include <string>

#include "api/common/json_input.h"
#include "api/kms/kms_errors.h"
#include "api/kms/kms_wire.h"

using namespace sealstack;
using api::kms::ErrorKind;
using api::kms::KmsError;
using api::kms::KmsStatusToWire;

namespace {

// No `default`: -Wswitch flags an ErrorKind added without a row here.
constexpr bool Listed(ErrorKind k) {
  switch (k) {
    case ErrorKind::kNone:
      return false;  // not an error
    case ErrorKind::kNotFound:
    case ErrorKind::kDisabled:
    case ErrorKind::kInvalidState:
    case ErrorKind::kAlreadyExists:
    case ErrorKind::kInvalidCiphertext:
    case ErrorKind::kIncorrectKey:
    case ErrorKind::kInvalidKeyUsage:
    case ErrorKind::kInvalidAliasName:
    case ErrorKind::kInvalidArn:
    case ErrorKind::kInvalidMarker:
    case ErrorKind::kInvalidGrantId:
    case ErrorKind::kInvalidGrantToken:
    case ErrorKind::kInvalidImportToken:
    case ErrorKind::kExpiredImportToken:
    case ErrorKind::kIncorrectKeyMaterial:
    case ErrorKind::kInvalidSignature:
    case ErrorKind::kInvalidMac:
    case ErrorKind::kLimitExceeded:
    case ErrorKind::kMalformedPolicy:
    case ErrorKind::kTag:
    case ErrorKind::kUnsupportedOperation:
    case ErrorKind::kDryRun:
    case ErrorKind::kAccessDenied:
    case ErrorKind::kValidation:
    case ErrorKind::kConflict:
    case ErrorKind::kNotAuthorized:
    case ErrorKind::kInternal:
    case ErrorKind::kThrottling:
    case ErrorKind::kKeyUnavailable:
    case ErrorKind::kDependencyTimeout:
      return true;
  }
  return false;
}

struct Row {
  ErrorKind kind;
  int http_status;
  const char* code;
  StatusCode status_code;  // the generic kind KmsError files it under
};

const Row kRows[] = {
    {ErrorKind::kNotFound, 400, "NotFoundException", StatusCode::kNotFound},
    {ErrorKind::kDisabled, 400, "DisabledException", StatusCode::kFailedPrecondition},
    {ErrorKind::kInvalidState, 400, "KMSInvalidStateException", StatusCode::kFailedPrecondition},
    {ErrorKind::kAlreadyExists, 400, "AlreadyExistsException", StatusCode::kAlreadyExists},
    {ErrorKind::kInvalidCiphertext, 400, "InvalidCiphertextException", StatusCode::kIntegrity},
    {ErrorKind::kIncorrectKey, 400, "IncorrectKeyException", StatusCode::kInvalidArgument},
    {ErrorKind::kInvalidKeyUsage, 400, "InvalidKeyUsageException", StatusCode::kInvalidArgument},
    {ErrorKind::kInvalidAliasName, 400, "InvalidAliasNameException", StatusCode::kInvalidArgument},
    {ErrorKind::kInvalidArn, 400, "InvalidArnException", StatusCode::kInvalidArgument},
    {ErrorKind::kInvalidMarker, 400, "InvalidMarkerException", StatusCode::kInvalidArgument},
    {ErrorKind::kInvalidGrantId, 400, "InvalidGrantIdException", StatusCode::kInvalidArgument},
    {ErrorKind::kInvalidGrantToken, 400, "InvalidGrantTokenException",
     StatusCode::kInvalidArgument},
    {ErrorKind::kInvalidImportToken, 400, "InvalidImportTokenException",
     StatusCode::kInvalidArgument},
    {ErrorKind::kExpiredImportToken, 400, "ExpiredImportTokenException",
     StatusCode::kInvalidArgument},
    {ErrorKind::kIncorrectKeyMaterial, 400, "IncorrectKeyMaterialException",
     StatusCode::kInvalidArgument},
    {ErrorKind::kInvalidSignature, 400, "KMSInvalidSignatureException", StatusCode::kIntegrity},
    {ErrorKind::kInvalidMac, 400, "KMSInvalidMacException", StatusCode::kIntegrity},
    {ErrorKind::kLimitExceeded, 400, "LimitExceededException", StatusCode::kInvalidArgument},
    {ErrorKind::kMalformedPolicy, 400, "MalformedPolicyDocumentException",
     StatusCode::kInvalidArgument},
    {ErrorKind::kTag, 400, "TagException", StatusCode::kInvalidArgument},
    {ErrorKind::kUnsupportedOperation, 400, "UnsupportedOperationException",
     StatusCode::kInvalidArgument},
    {ErrorKind::kDryRun, 400, "DryRunOperationException", StatusCode::kInvalidArgument},
    {ErrorKind::kAccessDenied, 400, "AccessDeniedException", StatusCode::kAccessDenied},
    {ErrorKind::kValidation, 400, "ValidationException", StatusCode::kInvalidArgument},
    {ErrorKind::kConflict, 409, "ConflictException", StatusCode::kInvalidArgument},
    {ErrorKind::kNotAuthorized, 400, "NotAuthorizedException", StatusCode::kAccessDenied},
    {ErrorKind::kInternal, 500, "KMSInternalException", StatusCode::kInternal},
    {ErrorKind::kThrottling, 400, "ThrottlingException", StatusCode::kUnavailable},
    {ErrorKind::kKeyUnavailable, 500, "KeyUnavailableException", StatusCode::kUnavailable},
    {ErrorKind::kDependencyTimeout, 503, "DependencyTimeoutException", StatusCode::kUnavailable},
};

}  // namespace

TEST_CASE("Every KMS ErrorKind maps to its own AWS error type and HTTP status", "[kms][errors]") {
  // Every listed kind has exactly one row, and every row is a listed kind.
  int listed = 0;
  for (int k = static_cast<int>(ErrorKind::kNotFound);
       k <= static_cast<int>(ErrorKind::kDependencyTimeout); ++k) {
    if (Listed(static_cast<ErrorKind>(k))) ++listed;
  }
  REQUIRE(static_cast<size_t>(listed) == std::size(kRows));
  std::set<int> kinds;
  for (const auto& row : kRows) {
    CHECK(Listed(row.kind));
    kinds.insert(static_cast<int>(row.kind));
  }
  REQUIRE(kinds.size() == std::size(kRows));

  std::set<std::string> codes;
  for (const auto& row : kRows) {
    INFO(row.code);
    Status st = KmsError(row.kind, "message for " + std::string(row.code));
    CHECK_FALSE(st.ok());
    CHECK(st.detail() == static_cast<int>(row.kind));
    CHECK(st.code() == row.status_code);
    api::WireError wire = KmsStatusToWire(st);
    CHECK_FALSE(wire.code.empty());
    CHECK(wire.code == row.code);
    CHECK(wire.http_status == row.http_status);
    CHECK(wire.server_fault == (row.http_status >= 500));
    if (row.http_status < 500) {
      CHECK(wire.message == "message for " + std::string(row.code));
    }
    codes.insert(wire.code);
  }
  CHECK(codes.size() == std::size(kRows));  // distinct __type per kind
}

TEST_CASE("An empty KMS error message stays empty on the wire", "[kms][errors]") {
  // InvalidCiphertextException, KMSInvalidSignatureException and KMSInvalidMacException are
  // sent with an empty message, as AWS does.
  const ErrorKind kinds[] = {ErrorKind::kInvalidCiphertext, ErrorKind::kInvalidSignature,
                             ErrorKind::kInvalidMac};
  for (ErrorKind k : kinds) {
    api::WireError wire = KmsStatusToWire(KmsError(k, ""));
    CHECK(wire.message.empty());
    CHECK(wire.http_status == 400);
  }
}

TEST_CASE("JsonInput failures map to SerializationException and ValidationException",
          "[kms][errors]") {
  struct Row {
    const char* body;
    const char* code;
    const char* message_part;
  } rows[] = {
      {"not json", "SerializationException", "not a JSON object"},
      {"[1,2]", "SerializationException", "not a JSON object"},
      {R"({"KeyId": 5})", "SerializationException", "member 'KeyId'"},
      {R"({})", "ValidationException", "Value null at 'keyId' failed to satisfy constraint"},
      {R"({"KeyId": ""})", "ValidationException", "at 'keyId' failed to satisfy constraint"},
  };
  for (const auto& row : rows) {
    INFO(row.body);
    auto in = api::JsonInput::Parse(row.body);
    Status st;
    if (!in.ok()) {
      st = in.status();
    } else {
      (void)in->String("KeyId", true, 1, 2048);
      st = in->Finish();
    }
    REQUIRE_FALSE(st.ok());
    api::WireError wire = KmsStatusToWire(st);
    CHECK(wire.code == row.code);
    CHECK(wire.http_status == 400);
    CHECK_FALSE(wire.server_fault);
    CHECK_THAT(wire.message, Catch::Contains(row.message_part));
  }
}

TEST_CASE("A Status no KMS row claims never leaks its message", "[kms][errors]") {
  const std::string secret = "sqlite: table kms_key_materials row 7 blob 00ff...";
  struct Row {
    Status status;
    int http_status;
    const char* code;
  } rows[] = {
      {Status::Internal(secret), 500, "InternalFailure"},
      {Status::IoError(secret), 500, "InternalFailure"},
      {Status::Integrity(secret), 500, "InternalFailure"},
      {Status::NotFound(secret), 500, "InternalFailure"},
      {Status(StatusCode::kInternal, 99999, secret), 500, "InternalFailure"},
      {Status::Unavailable(secret), 503, "ServiceUnavailableException"},
  };
  for (const auto& row : rows) {
    INFO(row.status.ToString());
    api::WireError wire = KmsStatusToWire(row.status);
    CHECK(wire.http_status == row.http_status);
    CHECK(wire.code == row.code);
    CHECK(wire.server_fault);
    CHECK_FALSE(wire.message.empty());
    CHECK(wire.message.find("sqlite") == std::string::npos);
    CHECK(wire.message.find("00ff") == std::string::npos);
  }
}

// Server faults keep client message and log detail apart, KMSInternalException included.
TEST_CASE("KMSInternalException does not leak the internal message", "[kms][errors]") {
  api::WireError wire = KmsStatusToWire(KmsError(ErrorKind::kInternal, "row 7: bad blob 00ff"));
  CHECK(wire.http_status == 500);
  CHECK(wire.code == "KMSInternalException");
  CHECK(wire.message.find("00ff") == std::string::npos);
}

TEST_CASE("JsonInput timestamps past SystemTime's range saturate instead of overflowing",
          "[kms][errors]") {
  // 1e10 epoch seconds (year 2286) is valid but beyond int64 nanoseconds (2262).
  auto in = api::JsonInput::Parse(R"({"ValidTo": 1e10, "Later": 9.9e10})");
  REQUIRE(in.ok());
  CHECK(in->Timestamp("ValidTo") == SystemTime::max());
  CHECK(in->Timestamp("Later") == SystemTime::max());
  CHECK(in->Finish().ok());
}

TEST_CASE("DescribeKmsError names a KMS failure without the wire layer", "[kms][errors]") {
  auto d = api::kms::DescribeKmsError(KmsError(ErrorKind::kDisabled, "key is disabled."));
  REQUIRE(d.has_value());
  CHECK(d->code == "DisabledException");
  CHECK(d->http_status == 400);
  CHECK(d->message == "key is disabled.");
  CHECK_FALSE(d->server_fault);
  CHECK_FALSE(api::kms::DescribeKmsError(Status::Internal("sqlite: busy")).has_value());
}
