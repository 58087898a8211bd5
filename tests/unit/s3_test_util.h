// Helpers for the S3 unit tests.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include "api/s3/s3_errors.h"
#include "common/status.h"

namespace sealstack::api::s3 {

// The S3 error kind and message of a failed call (the test stops if it succeeded).
inline std::pair<ErrorKind, std::string> ErrorOf(const Status& st) {
  REQUIRE_FALSE(st.ok());
  return {static_cast<ErrorKind>(st.detail()), SplitS3Error(st.message()).first};
}

}  // namespace sealstack::api::s3
