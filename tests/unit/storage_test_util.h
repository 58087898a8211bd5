// Helpers for the storage unit tests.
#pragma once

#include <memory>
#include <utility>

#include "storage/db.h"
#include "tests/unit/test_util.h"

namespace sealstack::storage {

// Opens a database or stops the test with the reason.
inline std::unique_ptr<Database> MustOpen(const DatabaseOptions& options) {
  auto db = Database::Open(options);
  REQUIRE_OK(db);
  return std::move(db).value();
}

}  // namespace sealstack::storage
