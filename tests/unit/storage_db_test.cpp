// Unit tests for storage/db.h: migrations, persistence, statements, transactions, errors.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "storage/db.h"
#include "tests/unit/storage_test_util.h"
#include "tests/unit/test_util.h"

namespace sealstack::storage {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<Database> OpenMemory() {
  return MustOpen({.in_memory = true});
}

// Reads one text value of meta, or "" if absent.
std::string Meta(Database& db, const std::string& key) {
  std::string value;
  Status s = db.WithConnection([&](Connection& c) {
    return c.QueryOne("SELECT value FROM meta WHERE key = :key", {{":key", key}},
                      [&](const Row& row) {
                        value = row.ColumnString(0);
                        return Status::Ok();
                      });
  });
  return s.ok() ? value : "";
}

int64_t QueryInt(Database& db, const std::string& sql) {
  int64_t out = -1;
  Status s = db.WithConnection([&](Connection& c) {
    return c.QueryOne(sql, {}, [&](const Row& row) {
      out = row.ColumnInt64(0);
      return Status::Ok();
    });
  });
  INFO(s.ToString());
  REQUIRE(s.ok());
  return out;
}

std::string QueryText(Database& db, const std::string& sql) {
  std::string out;
  Status s = db.WithConnection([&](Connection& c) {
    return c.QueryOne(sql, {}, [&](const Row& row) {
      out = row.ColumnString(0);
      return Status::Ok();
    });
  });
  INFO(s.ToString());
  REQUIRE(s.ok());
  return out;
}

Status CreateKv(Database& db) {
  return db.WithTransaction(
      [](Connection& c) { return c.Exec("CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB)"); });
}

Status PutKv(Connection& c, std::string_view k, std::string_view v) {
  return c.Execute("INSERT INTO kv (k, v) VALUES (:k, :v)", {{":k", k}, {":v", Value::Blob(v)}})
      .status();
}

int64_t CountKv(Database& db) {
  return QueryInt(db, "SELECT count(*) FROM kv");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Options and opening

TEST_CASE("Open rejects options without a path", "[storage]") {
  auto db = Database::Open(DatabaseOptions{});
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("The built-in migrations are embedded and numbered from 1", "[storage]") {
  auto all = Database::BuiltinMigrations();
  REQUIRE_FALSE(all.empty());
  CHECK(all[0].version == 1);
  CHECK(all[0].name == "0001_init.sql");
  CHECK(all[0].sql.find("CREATE TABLE meta") != std::string_view::npos);
  CHECK(Database::LatestSchemaVersion() == all.back().version);
}

TEST_CASE("A new database gets every migration and the meta rows", "[storage]") {
  auto db = OpenMemory();
  auto version = db->SchemaVersion();
  REQUIRE(version.ok());
  CHECK(*version == Database::LatestSchemaVersion());
  CHECK(Meta(*db, "instance_id").size() == 32);
  CHECK(Meta(*db, "created_at").size() > 10);
  CHECK(QueryInt(*db, "PRAGMA foreign_keys") == 1);
}

TEST_CASE("A new database from the schema snapshot equals one built migration by migration",
          "[storage]") {
  // Database::Open gives a new database migration 0001 and then the build-time snapshot of the
  // schema; a copy of the migration list (not the built-in one) is replayed one by one.
  auto builtin = Database::BuiltinMigrations();
  const std::vector<Migration> copy(builtin.begin(), builtin.end());
  auto snapshot = OpenMemory();
  auto replayed = Database::Open({.in_memory = true}, copy);
  REQUIRE(replayed.ok());
  const std::string schema_sql =
      "SELECT group_concat(type || ' ' || name || ' ' || tbl_name || ' ' || ifnull(sql, '-'), "
      "char(10)) FROM (SELECT * FROM sqlite_schema ORDER BY type, name)";
  const std::string schema = QueryText(*snapshot, schema_sql);
  CHECK(schema.find("CREATE TABLE s3_objects") != std::string::npos);
  CHECK(schema == QueryText(**replayed, schema_sql));
  CHECK(QueryInt(*snapshot, "PRAGMA user_version") == Database::LatestSchemaVersion());
  CHECK(QueryInt(**replayed, "PRAGMA user_version") == Database::LatestSchemaVersion());
  CHECK(QueryInt(*snapshot, "SELECT count(*) FROM meta") == 2);
  CHECK(Meta(*snapshot, "instance_id") != Meta(**replayed, "instance_id"));
  // The same foreign keys and the same AUTOINCREMENT bookkeeping.
  CHECK(QueryText(*snapshot,
                  "SELECT group_concat(name) FROM sqlite_schema WHERE name LIKE "
                  "'sqlite_%' ORDER BY name") ==
        QueryText(**replayed,
                  "SELECT group_concat(name) FROM sqlite_schema WHERE name LIKE "
                  "'sqlite_%' ORDER BY name"));
}

TEST_CASE("A database part-way through the migrations is brought up to date one by one",
          "[storage]") {
  TempDir dir{"sealstack-storage-test"};
  const std::string path = dir.File("db");
  auto builtin = Database::BuiltinMigrations();
  {
    auto old = Database::Open({.path = path}, builtin.subspan(0, 6));
    REQUIRE(old.ok());
    CHECK(*(*old)->SchemaVersion() == 6);
  }
  auto db = MustOpen({.path = path});
  CHECK(*db->SchemaVersion() == Database::LatestSchemaVersion());
  auto fresh = OpenMemory();
  const std::string tables =
      "SELECT group_concat(name) FROM (SELECT name FROM sqlite_schema ORDER BY name)";
  CHECK(QueryText(*db, tables) == QueryText(*fresh, tables));
}

TEST_CASE("Re-opening a file database is idempotent and keeps its instance id", "[storage]") {
  TempDir dir{"sealstack-storage-test"};
  const std::string path = dir.File("sealstack.db");
  std::string instance_id;
  {
    auto db = MustOpen({.path = path});
    instance_id = Meta(*db, "instance_id");
    REQUIRE(instance_id.size() == 32);
    CHECK(QueryInt(*db, "SELECT count(*) FROM meta") == 2);
  }
  for (int i = 0; i < 3; ++i) {
    auto db = MustOpen({.path = path});
    CHECK(Meta(*db, "instance_id") == instance_id);
    CHECK(QueryInt(*db, "SELECT count(*) FROM meta") == 2);
    CHECK(QueryInt(*db, "PRAGMA user_version") == Database::LatestSchemaVersion());
  }
}

TEST_CASE("File mode runs in WAL with synchronous=NORMAL and foreign keys on", "[storage]") {
  TempDir dir{"sealstack-storage-test"};
  auto db = MustOpen({.path = dir.File("db")});
  CHECK(QueryText(*db, "PRAGMA journal_mode") == "wal");
  CHECK(QueryInt(*db, "PRAGMA synchronous") == 1);  // NORMAL
  CHECK(QueryInt(*db, "PRAGMA foreign_keys") == 1);
  CHECK(QueryInt(*db, "PRAGMA busy_timeout") == 5000);
  CHECK_FALSE(db->in_memory());
}

TEST_CASE("A database newer than the binary is refused", "[storage]") {
  TempDir dir{"sealstack-storage-test"};
  const std::string path = dir.File("db");
  const int newer = Database::LatestSchemaVersion() + 1;
  {
    auto db = MustOpen({.path = path});
    REQUIRE(db->WithConnection([&](Connection& c) {
                return c.Exec("PRAGMA user_version = " + std::to_string(newer));
              }).ok());
  }
  auto db = Database::Open({.path = path});
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(db.status().message(), Catch::Contains("newer"));
  CHECK_THAT(db.status().message(), Catch::Contains(std::to_string(newer)));
}

TEST_CASE("Migrations apply in order and once and each in its own transaction", "[storage]") {
  TempDir dir{"sealstack-storage-test"};
  const std::string path = dir.File("db");
  const Migration m1{1, "0001_a.sql", "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);"};
  const Migration m2{2, "0002_b.sql", "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (2);"};
  const Migration bad{3, "0003_bad.sql",
                      "CREATE TABLE c (z INTEGER); INSERT INTO nowhere VALUES (1);"};
  {
    const Migration first[] = {m1};
    auto db = Database::Open({.path = path}, first);
    REQUIRE(db.ok());
    CHECK(*(*db)->SchemaVersion() == 1);
  }
  {
    const Migration both[] = {m1, m2};
    auto db = Database::Open({.path = path}, both);
    REQUIRE(db.ok());
    CHECK(*(*db)->SchemaVersion() == 2);
    CHECK(QueryInt(**db, "SELECT count(*) FROM a") == 2);  // m1 did not run again
  }
  {
    const Migration three[] = {m1, m2, bad};
    auto db = Database::Open({.path = path}, three);
    REQUIRE_FALSE(db.ok());
    CHECK(db.status().code() == StatusCode::kIoError);
    CHECK_THAT(db.status().message(), Catch::Contains("0003_bad.sql"));
  }
  {
    const Migration both[] = {m1, m2};
    auto db = Database::Open({.path = path}, both);
    REQUIRE(db.ok());
    CHECK(*(*db)->SchemaVersion() == 2);
    // The failed migration left nothing behind: table c was rolled back with it.
    CHECK(QueryInt(**db, "SELECT count(*) FROM sqlite_schema WHERE name = 'c'") == 0);
  }
}

TEST_CASE("A migration list with a gap is refused", "[storage]") {
  const Migration gap[] = {{1, "0001_a.sql", "SELECT 1"}, {3, "0003_c.sql", "SELECT 1"}};
  auto db = Database::Open({.in_memory = true}, gap);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == StatusCode::kInternal);
}

TEST_CASE("A file that is not a database is reported as such", "[storage]") {
  TempDir dir{"sealstack-storage-test"};
  const std::string path = dir.File("garbage.db");
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(8192, 'x');
  }
  auto db = Database::Open({.path = path});
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == StatusCode::kIoError);
  CHECK_THAT(db.status().message(), Catch::Contains("not a SQLite database"));
}

TEST_CASE("Data in a file database survives closing and re-opening", "[storage]") {
  TempDir dir{"sealstack-storage-test"};
  const std::string path = dir.File("db");
  {
    auto db = MustOpen({.path = path});
    REQUIRE(CreateKv(*db).ok());
    REQUIRE(db->WithTransaction([](Connection& c) { return PutKv(c, "a", "1"); }).ok());
    REQUIRE(db->WithTransaction([](Connection& c) { return PutKv(c, "b", "2"); }).ok());
  }
  auto db = MustOpen({.path = path});
  CHECK(CountKv(*db) == 2);
  CHECK(QueryText(*db, "SELECT v FROM kv WHERE k = 'b'") == "2");
}

TEST_CASE("Two in-memory databases are separate", "[storage]") {
  auto a = OpenMemory();
  auto b = OpenMemory();
  REQUIRE(CreateKv(*a).ok());
  CHECK(QueryInt(*b, "SELECT count(*) FROM sqlite_schema WHERE name = 'kv'") == 0);
  CHECK(Meta(*a, "instance_id") != Meta(*b, "instance_id"));
  CHECK(a->in_memory());
}

// ---------------------------------------------------------------------------------------------
// Values and statements

TEST_CASE("Values round-trip: blobs with NULs and empty blobs and text and numbers and NULL",
          "[storage]") {
  auto db = OpenMemory();
  const std::string with_nuls("a\0b\0\0c\xff", 7);
  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 + 7);
  const std::string text_nul("x\0y", 3);

  Status s = db->WithTransaction([&](Connection& c) -> Status {
    SEALSTACK_RETURN_IF_ERROR(
        c.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB, s TEXT, i INTEGER, d REAL)"));
    const char* sql = "INSERT INTO t (id, b, s, i, d) VALUES (:id, :b, :s, :i, :d)";
    SEALSTACK_RETURN_IF_ERROR(c.Execute(sql, {{":id", 1},
                                              {":b", Value::Blob(with_nuls)},
                                              {":s", text_nul},
                                              {":i", INT64_MIN},
                                              {":d", 0.25}})
                                  .status());
    SEALSTACK_RETURN_IF_ERROR(
        c.Execute(
             sql,
             {{":id", 2}, {":b", Value::Blob("")}, {":s", ""}, {":i", INT64_MAX}, {":d", -1e300}})
            .status());
    SEALSTACK_RETURN_IF_ERROR(c.Execute(sql, {{":id", 3},
                                              {":b", Value::Blob(big)},
                                              {":s", nullptr},
                                              {":i", std::optional<int>()},
                                              {":d", Value()}})
                                  .status());
    return Status::Ok();
  });
  INFO(s.ToString());
  REQUIRE(s.ok());

  struct Got {
    std::string b, s;
    bool b_null, s_null, i_null;
    int64_t i;
    double d;
  };
  std::vector<Got> rows;
  s = db->WithConnection([&](Connection& c) {
    return c.Query("SELECT b, s, i, d FROM t ORDER BY id", {}, [&](const Row& r) {
      rows.push_back(Got{std::string(r.ColumnBlob(0)), r.ColumnString(1), r.ColumnIsNull(0),
                         r.ColumnIsNull(1), r.ColumnIsNull(2), r.ColumnInt64(2),
                         r.ColumnDouble(3)});
      return Status::Ok();
    });
  });
  REQUIRE(s.ok());
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].b == with_nuls);
  CHECK(rows[0].s == text_nul);
  CHECK(rows[0].i == INT64_MIN);
  CHECK(rows[0].d == 0.25);
  CHECK(rows[1].b.empty());
  CHECK_FALSE(rows[1].b_null);  // an empty blob is not NULL
  CHECK_FALSE(rows[1].s_null);
  CHECK(rows[1].i == INT64_MAX);
  CHECK(rows[1].d == -1e300);
  CHECK(rows[2].b == big);
  CHECK(rows[2].s_null);
  CHECK(rows[2].i_null);
  CHECK(QueryText(*db, "SELECT typeof(b) FROM t WHERE id = 2") == "blob");
  CHECK(QueryText(*db, "SELECT typeof(d) FROM t WHERE id = 3") == "null");
}

TEST_CASE("Statements bind by index and by name with or without the colon", "[storage]") {
  auto db = OpenMemory();
  Status s = db->WithConnection([&](Connection& c) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(Statement stmt, c.Prepare("SELECT ?1 + :b, :c || 'z'"));
    SEALSTACK_RETURN_IF_ERROR(stmt.Bind(1, 40));
    SEALSTACK_RETURN_IF_ERROR(stmt.Bind("b", 2));
    std::string temporary = "y";
    SEALSTACK_RETURN_IF_ERROR(stmt.Bind(":c", temporary));
    temporary = "overwritten";  // Bind copied the bytes
    SEALSTACK_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    REQUIRE(has_row);
    CHECK(stmt.ColumnCount() == 2);
    CHECK(stmt.ColumnInt64(0) == 42);
    CHECK(stmt.ColumnText(1) == "yz");
    SEALSTACK_ASSIGN_OR_RETURN(bool more, stmt.Step());
    CHECK_FALSE(more);

    stmt.Reset();  // clears bindings: NULL + NULL
    SEALSTACK_ASSIGN_OR_RETURN(has_row, stmt.Step());
    REQUIRE(has_row);
    CHECK(stmt.ColumnIsNull(0));

    Status unknown = stmt.Bind(":nope", 1);
    CHECK(unknown.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(unknown.message(), Catch::Contains(":nope"));
    return Status::Ok();
  });
  INFO(s.ToString());
  CHECK(s.ok());
}

TEST_CASE("Prepare refuses several statements and bad SQL", "[storage]") {
  auto db = OpenMemory();
  Status s = db->WithConnection([&](Connection& c) {
    CHECK(c.Prepare("SELECT 1; SELECT 2").status().code() == StatusCode::kInvalidArgument);
    CHECK(c.Prepare("SELECT 1;  \n").ok());
    CHECK(c.Prepare("   ").status().code() == StatusCode::kInvalidArgument);
    auto bad = c.Prepare("SELEKT 1");
    CHECK(bad.status().code() == StatusCode::kIoError);
    CHECK_THAT(bad.status().message(), Catch::Contains("SELEKT 1"));
    return Status::Ok();
  });
  CHECK(s.ok());
}

TEST_CASE("Prepared statements are cached per connection by SQL text", "[storage]") {
  auto db = OpenMemory();
  REQUIRE(CreateKv(*db).ok());
  Status s = db->WithConnection([&](Connection& c) -> Status {
    const Connection::Stats before = c.stats();
    for (int i = 0; i < 10; ++i) {
      std::string key = "k";  // (not "k" + ...: GCC 12 -Wrestrict false positive at -O2)
      key += std::to_string(i);
      SEALSTACK_RETURN_IF_ERROR(PutKv(c, key, "v"));
    }
    const Connection::Stats after = c.stats();
    CHECK(after.prepares == before.prepares + 1);  // compiled once
    CHECK(after.cache_hits == before.cache_hits + 9);

    // The same SQL nested inside itself gets a private statement, not the busy cached one.
    const std::string sql = "SELECT k FROM kv ORDER BY k";
    int outer = 0, inner = 0;
    SEALSTACK_RETURN_IF_ERROR(c.Query(sql, {}, [&](const Row&) {
      ++outer;
      return c.Query(sql, {}, [&](const Row&) {
        ++inner;
        return Status::Ok();
      });
    }));
    CHECK(outer == 10);
    CHECK(inner == 100);
    const Connection::Stats nested = c.stats();
    CHECK(nested.cached == after.cached + 1);  // the private copies were not cached
    return Status::Ok();
  });
  INFO(s.ToString());
  CHECK(s.ok());
}

TEST_CASE("QueryOne: NotFound for no row and Internal for two", "[storage]") {
  auto db = OpenMemory();
  REQUIRE(CreateKv(*db).ok());
  Status s = db->WithConnection([&](Connection& c) {
    auto noop = [](const Row&) { return Status::Ok(); };
    CHECK(c.QueryOne("SELECT v FROM kv WHERE k = :k", {{":k", "x"}}, noop).code() ==
          StatusCode::kNotFound);
    REQUIRE(PutKv(c, "a", "1").ok());
    REQUIRE(PutKv(c, "b", "2").ok());
    CHECK(c.QueryOne("SELECT v FROM kv", {}, noop).code() == StatusCode::kInternal);
    // A callback error stops the query and comes back unchanged.
    CHECK(c.Query("SELECT v FROM kv", {}, [](const Row&) {
             return Status::Integrity("stop");
           }).code() == StatusCode::kIntegrity);
    return Status::Ok();
  });
  CHECK(s.ok());
}

TEST_CASE("Execute reports changed rows and LastInsertRowId", "[storage]") {
  auto db = OpenMemory();
  Status s = db->WithTransaction([&](Connection& c) -> Status {
    SEALSTACK_RETURN_IF_ERROR(c.Exec("CREATE TABLE n (id INTEGER PRIMARY KEY, x INTEGER)"));
    for (int i = 0; i < 5; ++i) {
      SEALSTACK_RETURN_IF_ERROR(c.Execute("INSERT INTO n (x) VALUES (:x)", {{":x", i}}).status());
    }
    CHECK(c.LastInsertRowId() == 5);
    SEALSTACK_ASSIGN_OR_RETURN(int64_t changed,
                               c.Execute("UPDATE n SET x = x + 1 WHERE x >= :min", {{":min", 2}}));
    CHECK(changed == 3);
    std::vector<Param> dynamic = {{":a", 1}, {":b", 2}};
    SEALSTACK_ASSIGN_OR_RETURN(changed, c.Execute("DELETE FROM n WHERE id IN (:a, :b)", dynamic));
    CHECK(changed == 2);
    return Status::Ok();
  });
  INFO(s.ToString());
  CHECK(s.ok());
}

// ---------------------------------------------------------------------------------------------
// Transactions

TEST_CASE("WithTransaction commits on OK and rolls back on error", "[storage]") {
  auto db = OpenMemory();
  REQUIRE(CreateKv(*db).ok());
  REQUIRE(db->WithTransaction([](Connection& c) { return PutKv(c, "kept", "1"); }).ok());

  Status s = db->WithTransaction([](Connection& c) -> Status {
    SEALSTACK_RETURN_IF_ERROR(PutKv(c, "dropped", "2"));
    return Status::FailedPrecondition("changed my mind");
  });
  CHECK(s.code() == StatusCode::kFailedPrecondition);
  CHECK(s.message() == "changed my mind");
  CHECK(CountKv(*db) == 1);

  // A failing statement half-way rolls back the statements before it.
  s = db->WithTransaction([](Connection& c) -> Status {
    SEALSTACK_RETURN_IF_ERROR(PutKv(c, "also dropped", "3"));
    return PutKv(c, "kept", "duplicate");
  });
  CHECK(s.code() == StatusCode::kAlreadyExists);
  CHECK(CountKv(*db) == 1);
}

TEST_CASE("Transaction rolls back on destruction unless committed", "[storage]") {
  TempDir dir{"sealstack-storage-test"};
  auto db = MustOpen({.path = dir.File("db")});
  REQUIRE(CreateKv(*db).ok());
  Status s = db->WithConnection([&](Connection& c) -> Status {
    {
      SEALSTACK_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(c));
      CHECK(c.InTransaction());
      SEALSTACK_RETURN_IF_ERROR(PutKv(c, "gone", "1"));
    }
    CHECK_FALSE(c.InTransaction());
    {
      SEALSTACK_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(c));
      SEALSTACK_RETURN_IF_ERROR(PutKv(c, "here", "1"));
      SEALSTACK_RETURN_IF_ERROR(tx.Commit());
      CHECK(tx.Commit().code() == StatusCode::kFailedPrecondition);
    }
    {
      SEALSTACK_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(c));
      CHECK(Transaction::Begin(c).status().code() == StatusCode::kFailedPrecondition);
      SEALSTACK_RETURN_IF_ERROR(PutKv(c, "rolled back", "1"));
      SEALSTACK_RETURN_IF_ERROR(tx.Rollback());
    }
    return Status::Ok();
  });
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(CountKv(*db) == 1);
  CHECK(QueryText(*db, "SELECT k FROM kv") == "here");
}

TEST_CASE("A transaction left open by a lease is rolled back when the lease ends", "[storage]") {
  auto db = OpenMemory();
  REQUIRE(CreateKv(*db).ok());
  {
    auto lease = db->Acquire();
    REQUIRE(lease.ok());
    REQUIRE((*lease)->Exec("BEGIN IMMEDIATE").ok());
    REQUIRE(PutKv(**lease, "uncommitted", "1").ok());
  }
  CHECK(CountKv(*db) == 0);
  CHECK(db->WithTransaction([](Connection& c) { return PutKv(c, "next", "1"); }).ok());
}

TEST_CASE("Nested WithTransaction uses a savepoint on the same connection", "[storage]") {
  auto db = OpenMemory();
  REQUIRE(CreateKv(*db).ok());
  Status s = db->WithTransaction([&](Connection& outer) -> Status {
    SEALSTACK_RETURN_IF_ERROR(PutKv(outer, "outer", "1"));
    Status inner_ok = db->WithTransaction([&](Connection& inner) {
      CHECK(&inner == &outer);
      return PutKv(inner, "inner ok", "1");
    });
    SEALSTACK_RETURN_IF_ERROR(inner_ok);
    Status inner_bad = db->WithTransaction([&](Connection& inner) -> Status {
      SEALSTACK_RETURN_IF_ERROR(PutKv(inner, "inner bad", "1"));
      return Status::InvalidArgument("undo me");
    });
    CHECK(inner_bad.code() == StatusCode::kInvalidArgument);
    // Reads through a nested lease see the outer transaction's own writes.
    int64_t seen = -1;
    SEALSTACK_RETURN_IF_ERROR(db->WithConnection([&](Connection& c) {
      return c.QueryOne("SELECT count(*) FROM kv", {}, [&](const Row& r) {
        seen = r.ColumnInt64(0);
        return Status::Ok();
      });
    }));
    CHECK(seen == 2);
    return Status::Ok();
  });
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(CountKv(*db) == 2);
  CHECK(QueryInt(*db, "SELECT count(*) FROM kv WHERE k = 'inner bad'") == 0);
}

// ---------------------------------------------------------------------------------------------
// Errors

TEST_CASE("Constraint violations map to AlreadyExists or InvalidArgument", "[storage]") {
  auto db = OpenMemory();
  const std::string secret = "s3cr3t-key-material-do-not-log";
  Status s = db->WithTransaction([](Connection& c) {
    return c.Exec(
        "CREATE TABLE parent (id TEXT PRIMARY KEY);"
        "CREATE TABLE child (id TEXT PRIMARY KEY, parent TEXT NOT NULL REFERENCES parent(id),"
        "                    name TEXT UNIQUE, n INTEGER CHECK (n >= 0));");
  });
  REQUIRE(s.ok());
  REQUIRE(db->WithTransaction([](Connection& c) {
              return c.Execute("INSERT INTO parent VALUES ('p')").status();
            }).ok());
  auto insert_child = [&](std::string_view id, std::string_view parent, std::string_view name,
                          int n) {
    return db->WithTransaction([&](Connection& c) {
      return c
          .Execute("INSERT INTO child (id, parent, name, n) VALUES (:id, :p, :name, :n)",
                   {{":id", id}, {":p", parent}, {":name", name}, {":n", n}})
          .status();
    });
  };
  REQUIRE(insert_child(secret, "p", "a", 1).ok());

  Status pk = insert_child(secret, "p", "b", 1);
  CHECK(pk.code() == StatusCode::kAlreadyExists);
  CHECK_THAT(pk.message(), Catch::Contains("child.id"));
  CHECK_THAT(pk.message(), !Catch::Contains(secret));  // bound values never appear

  Status unique = insert_child("c2", "p", "a", 1);
  CHECK(unique.code() == StatusCode::kAlreadyExists);

  Status fk = insert_child("c3", secret, "c", 1);  // proves foreign_keys=ON
  CHECK(fk.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(fk.message(), !Catch::Contains(secret));

  Status check = insert_child("c4", "p", "d", -1);
  CHECK(check.code() == StatusCode::kInvalidArgument);

  Status not_null = db->WithTransaction([](Connection& c) {
    return c.Execute("INSERT INTO child (id, parent) VALUES ('c5', :p)", {{":p", nullptr}})
        .status();
  });
  CHECK(not_null.code() == StatusCode::kInvalidArgument);
  CHECK(QueryInt(*db, "SELECT count(*) FROM child") == 1);
}

// ---------------------------------------------------------------------------------------------
// Maintenance

TEST_CASE("IntegrityCheck is ok and Checkpoint truncates the WAL", "[storage]") {
  TempDir dir{"sealstack-storage-test"};
  const std::string path = dir.File("db");
  auto db = MustOpen({.path = path});
  REQUIRE(CreateKv(*db).ok());
  for (int i = 0; i < 50; ++i) {
    REQUIRE(db->WithTransaction([&](Connection& c) {
                std::string key = "k";  // (GCC 12 -Wrestrict false positive on "k" + ...)
                key += std::to_string(i);
                return PutKv(c, key, std::string(1000, 'v'));
              }).ok());
  }
  CHECK(std::filesystem::file_size(path + "-wal") > 0);
  Status cp = db->Checkpoint();
  INFO(cp.ToString());
  CHECK(cp.ok());
  CHECK(std::filesystem::file_size(path + "-wal") == 0);
  CHECK(db->IntegrityCheck().ok());
  CHECK(CountKv(*db) == 50);

  auto mem = OpenMemory();
  CHECK(mem->Checkpoint().ok());
  CHECK(mem->IntegrityCheck().ok());
}

TEST_CASE("Closing a file database removes the WAL", "[storage]") {
  TempDir dir{"sealstack-storage-test"};
  const std::string path = dir.File("db");
  {
    auto db = MustOpen({.path = path});
    REQUIRE(CreateKv(*db).ok());
    CHECK(std::filesystem::exists(path + "-wal"));
  }
  CHECK_FALSE(std::filesystem::exists(path + "-wal"));
}

}  // namespace sealstack::storage
