// Build-time tool: applies the embedded migrations to an empty in-memory database and writes
// the schema they produce (the CREATE statements of every object migration 0001 did not make,
// in creation order) as a C++ source file. A new database then gets migration 0001 and this
// snapshot in one transaction instead of replaying every migration: the table rebuilds of the
// later migrations (0007, 0011, 0012: each ALTER TABLE re-parses the schema) cost ~3 ms of
// every in-memory start and every fresh data directory.
//
// The snapshot is only valid if replaying and snapshotting give the same database, so the tool
// refuses (and the build fails) when a migration after 0001 changes an object 0001 made, or
// leaves rows in a new database (rows would not be in the snapshot). 0001's own rows (the
// instance id, the creation time) are computed when it runs, which is why it is not snapshotted.
//
// Usage: make_schema_snapshot OUT.cpp
#include <sqlite3.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "storage/embedded_migrations.h"

namespace {

struct Object {
  std::string type;
  std::string name;
  std::string sql;
};

[[noreturn]] void Fail(const std::string& why) {
  std::fprintf(stderr, "make_schema_snapshot: %s\n", why.c_str());
  std::exit(1);
}

void Exec(sqlite3* db, const std::string& sql, const std::string& what) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string message = err != nullptr ? err : "?";
    sqlite3_free(err);
    Fail(what + ": " + message);
  }
}

std::vector<std::vector<std::string>> Rows(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    Fail("prepare " + sql + ": " + sqlite3_errmsg(db));
  }
  std::vector<std::vector<std::string>> out;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const unsigned char* text = sqlite3_column_text(stmt, i);
      row.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
    }
    out.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  return out;
}

// Every object with SQL of its own (internal autoindexes have none; sqlite_sequence comes back
// by itself with the first AUTOINCREMENT table), in creation order.
std::vector<Object> Objects(sqlite3* db) {
  std::vector<Object> out;
  for (auto& row : Rows(db,
                        "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL "
                        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid")) {
    out.push_back({row[0], row[1], row[2]});
  }
  return out;
}

std::map<std::string, long> RowCounts(sqlite3* db, const std::vector<Object>& objects) {
  std::map<std::string, long> out;
  for (const Object& o : objects) {
    if (o.type != "table") continue;
    out[o.name] = std::stol(Rows(db, "SELECT count(*) FROM \"" + o.name + "\"")[0][0]);
  }
  return out;
}

std::string HexLiteral(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && i % 32 == 0) out += "\"\n    \"";
    char hex[5];
    std::snprintf(hex, sizeof(hex), "\\x%02x", static_cast<unsigned char>(s[i]));
    out += hex;
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) Fail("usage: make_schema_snapshot OUT.cpp");
  const auto migrations = sealstack::storage::internal::EmbeddedMigrations();
  if (migrations.empty()) Fail("no migrations");
  sqlite3* db = nullptr;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) Fail("cannot open an in-memory database");
  Exec(db, "PRAGMA foreign_keys=ON", "foreign keys");

  Exec(db, std::string(migrations[0].sql), std::string(migrations[0].name));
  const std::vector<Object> base = Objects(db);
  const std::map<std::string, long> base_rows = RowCounts(db, base);
  for (size_t i = 1; i < migrations.size(); ++i) {
    Exec(db, std::string(migrations[i].sql), std::string(migrations[i].name));
  }
  const std::vector<Object> final_objects = Objects(db);

  std::map<std::string, std::string> final_sql;
  for (const Object& o : final_objects) final_sql[o.name] = o.sql;
  for (const Object& o : base) {
    auto it = final_sql.find(o.name);
    if (it == final_sql.end() || it->second != o.sql) {
      Fail("a later migration changes " + o.name + ", which " + std::string(migrations[0].name) +
           " creates: the snapshot cannot start after it");
    }
  }
  for (const auto& [table, count] : RowCounts(db, final_objects)) {
    auto it = base_rows.find(table);
    if (count != (it == base_rows.end() ? 0 : it->second)) {
      Fail("table " + table + " holds rows a migration after " + std::string(migrations[0].name) +
           " inserted into a new database: they would be missing from the snapshot");
    }
  }

  std::string sql;
  for (const Object& o : final_objects) {
    bool in_base = false;
    for (const Object& b : base) in_base = in_base || b.name == o.name;
    if (in_base) continue;
    sql += o.sql;
    sql += ";\n";
  }
  sqlite3_close(db);

  std::ofstream out(argv[1], std::ios::trunc);
  out << "// Generated by storage/snapshot/make_schema_snapshot.cpp from "
         "storage/migrations/*.sql.\n"
         "// Do not edit.\n"
         "#include \"storage/schema_snapshot.h\"\n\n"
         "namespace sealstack::storage::internal {\n\n"
         "const SchemaSnapshot& BuiltinSchemaSnapshot() {\n"
         "  static constexpr char kSql[] =\n    "
      << HexLiteral(sql)
      << ";\n"
         "  static constexpr SchemaSnapshot kSnapshot{"
      << migrations[0].version << ", " << migrations.back().version
      << ", std::string_view(kSql, sizeof(kSql) - 1)};\n"
         "  return kSnapshot;\n"
         "}\n\n"
         "}  // namespace sealstack::storage::internal\n";
  if (!out.good()) Fail(std::string("cannot write ") + argv[1]);
  return 0;
}
