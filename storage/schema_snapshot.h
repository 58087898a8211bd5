// The schema the built-in migrations produce, as one script (generated at build time by
// storage/snapshot/make_schema_snapshot.cpp). Internal to storage/: Database::Open gives a new
// database migration `base_version` and then this script, instead of replaying the migrations
// after it one by one.
#pragma once

#include <string_view>

namespace sealstack::storage::internal {

struct SchemaSnapshot {
  int base_version;  // the migrations up to this one run as themselves first
  int version;       // the schema version the script brings a database to
  std::string_view sql;
};

const SchemaSnapshot& BuiltinSchemaSnapshot();

}  // namespace sealstack::storage::internal
