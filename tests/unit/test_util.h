// Helpers shared by the unit tests: a temporary directory, and REQUIRE_OK, which prints the
// Status of a failed call (LevelDB's ASSERT_LEVELDB_OK) instead of a bare "ok() is false".
#pragma once

#include <stdlib.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "common/result.h"
#include "common/status.h"

namespace sealstack {

// A fresh directory under the system temp dir (mkdtemp: unique, mode 0700), removed with
// everything in it at scope exit.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "sealstack-test") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name ("" gives the directory with a trailing separator).
  std::string File(const std::string& name) const {
    return (std::filesystem::path(path_) / name).string();
  }

 private:
  std::string path_;
};

namespace test_internal {
inline Status StatusOf(const Status& s) {
  return s;
}
template <typename T>
Status StatusOf(const Result<T>& r) {
  return r.status();
}
}  // namespace test_internal

}  // namespace sealstack

// REQUIRE_OK(expr): expr is a Status or a Result<T>; on failure the test stops and shows it.
#define REQUIRE_OK(expr)                                           \
  do {                                                             \
    const ::sealstack::Status sealstack_require_ok_status =        \
        ::sealstack::test_internal::StatusOf(expr);                \
    INFO(#expr << ": " << sealstack_require_ok_status.ToString()); \
    REQUIRE(sealstack_require_ok_status.ok());                     \
  } while (false)
