#include <catch2/catch.hpp>

#include "api/glue/glue_errors.h"
#include "api/glue/glue_wire.h"

using namespace sealstack;
using namespace sealstack::api::glue;

TEST_CASE("every Glue error kind maps to its exception name and status", "[glue]") {
  const std::pair<ErrorKind, const char*> kCases[] = {
      {ErrorKind::kEntityNotFound, "EntityNotFoundException"},
      {ErrorKind::kAlreadyExists, "AlreadyExistsException"},
      {ErrorKind::kInvalidInput, "InvalidInputException"},
      {ErrorKind::kConcurrentRunsExceeded, "ConcurrentRunsExceededException"},
      {ErrorKind::kAccessDenied, "AccessDeniedException"},
      {ErrorKind::kGlueEncryption, "GlueEncryptionException"},
      {ErrorKind::kResourceNumberLimitExceeded, "ResourceNumberLimitExceededException"},
      {ErrorKind::kConcurrentModification, "ConcurrentModificationException"},
      {ErrorKind::kCrawlerRunning, "CrawlerRunningException"},
      {ErrorKind::kCrawlerNotRunning, "CrawlerNotRunningException"},
      {ErrorKind::kCrawlerStopping, "CrawlerStoppingException"},
  };
  for (const auto& [kind, name] : kCases) {
    api::WireError w = GlueStatusToWire(GlueError(kind, "m"));
    CHECK(w.code == name);
    CHECK(w.http_status == 400);
    CHECK(w.message == "m");
  }
  api::WireError internal = GlueStatusToWire(GlueError(ErrorKind::kInternal, "secret detail"));
  CHECK(internal.code == "InternalServiceException");
  CHECK(internal.http_status == 500);
  CHECK(internal.message.find("secret") == std::string::npos);
  CHECK(GlueStatusToWire(Status::IoError("disk")).http_status == 500);
}

TEST_CASE("Glue error bodies use __type and a capital Message", "[glue]") {
  api::ApiResponse r =
      RenderGlueError({400, "EntityNotFoundException", "gone", {}, false}, {"req-1", ""});
  CHECK(r.status == 400);
  CHECK(r.body == R"({"__type":"EntityNotFoundException","Message":"gone"})");
  REQUIRE(r.FindHeader("x-amzn-ErrorType") != nullptr);
}

TEST_CASE("a Status without a Glue kind is reported by its code", "[glue]") {
  const struct {
    Status status;
    ErrorKind kind;
    const char* code;
    int http_status;
  } kCases[] = {
      {Status::NotFound("x"), ErrorKind::kEntityNotFound, "EntityNotFoundException", 400},
      {Status(StatusCode::kAlreadyExists, "x"), ErrorKind::kAlreadyExists, "AlreadyExistsException",
       400},
      {Status::InvalidArgument("x"), ErrorKind::kInvalidInput, "InvalidInputException", 400},
      {Status(StatusCode::kAccessDenied, "x"), ErrorKind::kAccessDenied, "AccessDeniedException",
       400},
      {Status(StatusCode::kUnavailable, "x"), ErrorKind::kThrottling, "ThrottlingException", 400},
      {Status::IoError("x"), ErrorKind::kInternal, "InternalServiceException", 500},
      // Codes a Glue kind is filed under, but that no kind stands for from outside Glue.
      {Status(StatusCode::kFailedPrecondition, "x"), ErrorKind::kInternal,
       "InternalServiceException", 500},
      {Status(StatusCode::kResourceExhausted, "x"), ErrorKind::kInternal,
       "InternalServiceException", 500},
  };
  for (const auto& c : kCases) {
    CHECK(KindOf(c.status) == c.kind);
    api::WireError w = GlueStatusToWire(c.status);
    CHECK(w.code == c.code);
    CHECK(w.http_status == c.http_status);
    CHECK(std::string(ErrorKindName(c.kind)) == c.code);
  }
  CHECK(GlueStatusToWire(Status(StatusCode::kUnavailable, "x")).message == "Rate exceeded");
  CHECK(std::string(ErrorKindName(ErrorKind::kNone)).empty());
}
