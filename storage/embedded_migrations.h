// The migrations compiled into this binary (generated from storage/migrations/*.sql by
// storage/CMakeLists.txt). Internal to storage/: use Database::BuiltinMigrations().
#pragma once

#include <span>

#include "storage/db.h"

namespace sealstack::storage::internal {

// Ordered by version, 1..N without gaps; the views point at static storage.
std::span<const Migration> EmbeddedMigrations();

}  // namespace sealstack::storage::internal
