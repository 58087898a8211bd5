// Database: SQLite behind a small RAII surface. storage/ is the only folder that knows SQL;
// repositories (storage/*_repo.*) are written against Connection, and nothing above storage/
// ever sees one. No SQLite type appears in this header.
//
//   SEALSTACK_ASSIGN_OR_RETURN(std::unique_ptr<Database> db,
//                              Database::Open({.path = data_dir + "/sealstack.db"}));
//   SEALSTACK_RETURN_IF_ERROR(db->WithTransaction([&](Connection& c) -> Status {
//     SEALSTACK_ASSIGN_OR_RETURN(int64_t changed,
//                                c.Execute("UPDATE meta SET value = :v WHERE key = :k",
//                                          {{":k", "owner"}, {":v", owner}}));
//     return changed == 1 ? Status::Ok() : Status::NotFound("meta key owner");
//   }));
//
// Modes
//   File (DatabaseOptions::path): journal_mode=WAL, synchronous=NORMAL (see Durability),
//   foreign_keys=ON, busy_timeout. Connections come from a small pool; a thread holds at most
//   one per Database at a time (nested use on the same thread gets the same connection), so
//   readers run in parallel under WAL and writers queue on SQLite's single write lock.
//   In-memory (DatabaseOptions::in_memory, the --in-memory fixtures): exactly one connection,
//   open for the Database's lifetime (the data lives in it), checked out by one thread at a
//   time. We chose this over a shared-cache memory URI with a connection per thread: shared
//   cache uses table-level locks that fail with SQLITE_LOCKED (the busy handler does not apply)
//   and can deadlock two transactions that then both retry; one connection cannot conflict
//   with itself, and fixture traffic is small enough that serialising it costs nothing.
//   (Debian 12's libsqlite3 is built with SQLITE_ENABLE_UNLOCK_NOTIFY; we do not rely on it.)
//
// Durability
//   A transaction is acknowledged when WithTransaction (or Transaction::Commit) returns OK.
//   In WAL mode, synchronous=NORMAL writes the commit to the WAL with write(2) and fsyncs only
//   at checkpoints. A killed process (kill -9, crash, OOM) loses nothing acknowledged: the
//   bytes are in the OS page cache and the next open replays the WAL. Only an OS crash or
//   power loss can drop the last few commits (never corrupting the file). synchronous=FULL
//   would add an fsync per commit to survive power loss as well; the requirement is
//   "an acknowledged write survives kill -9", which NORMAL meets at a fraction of the cost.
//
// Writes and contention
//   Write through WithTransaction: BEGIN IMMEDIATE takes the write lock up front, so a
//   transaction never fails half-way on a lock upgrade (SQLITE_BUSY_SNAPSHOT). This process's
//   writers first queue on one in-process lock (woken at once when it frees, where SQLite's
//   busy handler polls with sleeps of 1 ms and more); waits for other processes, or past
//   busy_timeout_ms, go to SQLite's busy handler; if BEGIN or any statement still reports
//   BUSY/LOCKED, the whole transaction is rolled back and re-run a bounded number of times with
//   jittered exponential backoff. Only then does the caller see kUnavailable.
//
// Errors
//   SQLite result codes become a Status: BUSY/LOCKED (after retries) -> kUnavailable;
//   UNIQUE or PRIMARY KEY constraint -> kAlreadyExists; other constraints (NOT NULL, CHECK,
//   FOREIGN KEY, ...) -> kInvalidArgument; CORRUPT/NOTADB -> kIoError ("corrupt or not a
//   database"); anything else -> kIoError. Messages carry the operation, SQLite's message and
//   the SQL text, never a bound value (bound values may be key material or secrets).
//
// Schema
//   Migrations are the numbered files storage/migrations/NNNN_name.sql, embedded at build
//   time. Open applies those newer than PRAGMA user_version in order, each in its own
//   transaction that also sets user_version, so a failed migration leaves the previous version
//   intact. A database whose user_version is newer than the binary's latest migration is
//   refused (kFailedPrecondition). Re-opening an up-to-date database changes nothing.
//
// Thread safety
//   Database: all methods may be called concurrently from any thread.
//   ConnectionLease, Connection, Statement, Transaction, Row: owned by the thread that
//   acquired the lease; never shared with or handed to another thread, and never kept beyond
//   the lease (or, for Row, beyond the row callback). Do not block on another thread's database
//   work while holding a lease: in in-memory mode that thread waits for your lease.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace sealstack::storage {

struct DatabaseOptions {
  // File to open or create. Its directory must exist. Ignored when in_memory is true.
  std::string path{};  // {}: lets designated initializers omit it without -Wextra noise
  // Keep everything in memory, for tests and --in-memory; gone when the Database is destroyed.
  // Default: false.
  bool in_memory = false;
  // How long one statement waits for a lock held by another connection before SQLite reports
  // BUSY (after which WithTransaction backs off and retries). Default: 5000.
  int busy_timeout_ms = 5000;
};

// One schema migration: version N is applied to a database at version N-1.
struct Migration {
  int version;            // 1, 2, 3, ... without gaps
  std::string_view name;  // e.g. "0001_init.sql", for error messages
  std::string_view sql;   // one or more statements
};

// A value to bind: NULL, a 64-bit integer, a double, text or a blob.
// A Value is a view: text and blob bytes are not copied, so the Value must not outlive them.
// Text and blobs may contain NUL bytes. Integers wider than 64 bits, or unsigned values above
// INT64_MAX, wrap (SQLite has no unsigned type).
class Value {
 public:
  enum class Type { kNull, kInt64, kDouble, kText, kBlob };

  Value() = default;  // NULL
  Value(std::nullptr_t) {}
  Value(std::nullopt_t) {}
  template <std::integral I>
  Value(I v) : type_(Type::kInt64), int_(static_cast<int64_t>(v)) {}
  Value(double v) : type_(Type::kDouble), double_(v) {}
  Value(std::string_view text) : type_(Type::kText), bytes_(text) {}
  Value(const char* text) : type_(Type::kText), bytes_(text) {}  // REQUIRES: text != nullptr
  Value(const std::string& text) : type_(Type::kText), bytes_(text) {}
  template <typename T>
  Value(const std::optional<T>& v) : Value(v ? Value(*v) : Value()) {}

  static Value Text(std::string_view text) { return Value(text); }
  static Value Blob(std::string_view bytes) {
    Value v(bytes);
    v.type_ = Type::kBlob;
    return v;
  }

  Type type() const { return type_; }
  int64_t int64() const { return int_; }             // REQUIRES: type() == kInt64
  double real() const { return double_; }            // REQUIRES: type() == kDouble
  std::string_view bytes() const { return bytes_; }  // REQUIRES: type() is kText or kBlob

 private:
  Type type_ = Type::kNull;
  int64_t int_ = 0;
  double double_ = 0;
  std::string_view bytes_;
};

// A named parameter: {":name", value}. The name carries its prefix (":", "@" or "$"); a bare
// name gets ":" prepended.
struct Param {
  Param(std::string_view param_name, Value param_value) : name(param_name), value(param_value) {}
  std::string_view name;
  Value value;
};

// A list of named parameters, usually written in place: {{":id", id}, {":v", Value::Blob(b)}}.
// A view: it must not outlive the list it was built from (fine for a function argument).
class Params {
 public:
  Params() = default;
  Params(std::initializer_list<Param> list) : data_(std::data(list)), size_(list.size()) {}
  Params(const std::vector<Param>& list) : data_(list.data()), size_(list.size()) {}

  const Param* begin() const { return data_; }
  const Param* end() const { return data_ + size_; }
  size_t size() const { return size_; }

 private:
  const Param* data_ = nullptr;
  size_t size_ = 0;
};

class Connection;
class Database;
class Statement;

namespace internal {
struct StatementSlot;  // defined in db.cpp
struct Access;         // db.cpp's helpers reach private parts through it
}  // namespace internal

// A prepared statement, borrowed from its connection's cache (keyed by SQL text) and returned
// to it, reset and with bindings cleared, on destruction. If the same SQL is already in use on
// the connection (a nested query), a private statement is prepared and finalised instead.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds a parameter by 1-based index or by name (":name"). Text and blob bytes are copied, so
  // the argument need not outlive the call. Unknown names are kInvalidArgument.
  Status Bind(int index, const Value& value);
  Status Bind(std::string_view name, const Value& value);
  Status Bind(const Params& params);

  // Advances to the next row: true if a row is ready for the Column* getters, false when done.
  Result<bool> Step();
  // Steps until done, ignoring any rows.
  Status Run();
  // Rewinds for another execution and clears all bindings.
  void Reset();

  // Column getters for the current row, 0-based. A NULL reads as 0, 0.0 or an empty view.
  // Views stay valid until the next Step, Reset or destruction, and only while the column is
  // read with one getter (reading a blob as text, or vice versa, may convert it in place).
  int ColumnCount() const;
  bool ColumnIsNull(int column) const;
  int64_t ColumnInt64(int column) const;
  double ColumnDouble(int column) const;
  std::string_view ColumnText(int column) const;
  std::string_view ColumnBlob(int column) const;

  const std::string& sql() const;

 private:
  friend class Connection;
  Statement(Connection* connection, internal::StatementSlot* slot);
  Status BindView(int index, const Value& value);  // no copy; for Connection's one-call helpers
  Status BindViews(const Params& params);
  Result<int> IndexOf(std::string_view name) const;
  void Release();

  Connection* connection_ = nullptr;
  internal::StatementSlot* slot_ = nullptr;
};

// The current row, as seen by a Query callback. Valid only during the callback.
class Row {
 public:
  explicit Row(const Statement& statement) : statement_(statement) {}
  int ColumnCount() const { return statement_.ColumnCount(); }
  bool ColumnIsNull(int column) const { return statement_.ColumnIsNull(column); }
  int64_t ColumnInt64(int column) const { return statement_.ColumnInt64(column); }
  double ColumnDouble(int column) const { return statement_.ColumnDouble(column); }
  std::string_view ColumnText(int column) const { return statement_.ColumnText(column); }
  std::string_view ColumnBlob(int column) const { return statement_.ColumnBlob(column); }
  std::string ColumnString(int column) const { return std::string(ColumnText(column)); }

 private:
  const Statement& statement_;
};

// Called once per row; a non-OK Status stops the query and is returned by it.
using RowCallback = std::function<Status(const Row&)>;

// One SQLite connection with its prepared-statement cache. Obtained through a ConnectionLease
// (Database::Acquire, WithConnection, WithTransaction); never constructed directly.
class Connection {
 public:
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Prepares exactly one statement, or takes it from the cache. Several statements in `sql`
  // are kInvalidArgument (use Exec).
  Result<Statement> Prepare(std::string_view sql);

  // Runs a script of zero or more statements without parameters (DDL, PRAGMA, BEGIN ...).
  // Not cached.
  Status Exec(std::string_view sql);

  // Runs one statement with named parameters; returns the number of rows it changed.
  Result<int64_t> Execute(std::string_view sql, const Params& params = {});

  // Execute for the statement's effect alone (INSERT, UPDATE, DELETE whose count is not needed).
  Status Run(std::string_view sql, const Params& params = {});

  // Runs one statement and calls on_row for each row.
  Status Query(std::string_view sql, const Params& params, const RowCallback& on_row);

  // Like Query for exactly one row: kNotFound if there is none, kInternal if there are more.
  Status QueryOne(std::string_view sql, const Params& params, const RowCallback& on_row);

  // The integer in column 0 of the one row a statement returns (SELECT count(*) ...), with
  // QueryOne's errors.
  Result<int64_t> QueryInt64(std::string_view sql, const Params& params = {});

  // True when the statement returns at least one row (SELECT 1 ... WHERE ...).
  Result<bool> Exists(std::string_view sql, const Params& params = {});

  // Runs one statement and appends read(row) to *out for each row.
  template <typename T, typename ReadRow>
  Status QueryAppend(std::string_view sql, const Params& params, std::vector<T>* out,
                     ReadRow read) {
    return Query(sql, params, [&](const Row& row) {
      out->push_back(read(row));
      return Status::Ok();
    });
  }

  // One page of a listing whose statement asks for `limit` + 1 rows: appends read(row) for the
  // first `limit` rows and sets *truncated when the extra row shows there are more.
  template <typename T, typename ReadRow>
  Status QueryPage(std::string_view sql, const Params& params, size_t limit, std::vector<T>* out,
                   bool* truncated, ReadRow read) {
    return Query(sql, params, [&](const Row& row) {
      if (out->size() == limit) {
        *truncated = true;
      } else {
        out->push_back(read(row));
      }
      return Status::Ok();
    });
  }

  // Rowid of the last successful INSERT on this connection.
  int64_t LastInsertRowId() const;

  // True between BEGIN and COMMIT/ROLLBACK.
  bool InTransaction() const;

  struct Stats {
    uint64_t prepares = 0;    // statements compiled by SQLite
    uint64_t cache_hits = 0;  // Prepare calls answered from the cache
    size_t cached = 0;        // statements currently in the cache
  };
  Stats stats() const;

 private:
  friend class Database;
  friend class Statement;
  friend class Transaction;
  friend struct internal::Access;
  struct Rep;
  explicit Connection(std::unique_ptr<Rep> rep);

  std::unique_ptr<Rep> rep_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back on destruction unless committed. Prefer
// Database::WithTransaction, which also retries on contention.
class Transaction {
 public:
  // REQUIRES: !connection.InTransaction(), else kFailedPrecondition.
  // Waits up to busy_timeout_ms for the write lock; kUnavailable if it stays taken.
  static Result<Transaction> Begin(Connection& connection);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();  // ROLLBACK unless committed or rolled back

  // On failure the transaction is rolled back (now, or by the destructor).
  Status Commit();
  Status Rollback();

 private:
  explicit Transaction(Connection* connection) : connection_(connection) {}
  Connection* connection_;  // nullptr once finished
};

// A connection checked out of a Database for the current thread. Destroying the outermost
// lease returns the connection to the pool (rolling back a transaction left open).
class ConnectionLease {
 public:
  ConnectionLease(ConnectionLease&& other) noexcept;
  ConnectionLease& operator=(ConnectionLease&&) = delete;
  ConnectionLease(const ConnectionLease&) = delete;
  ConnectionLease& operator=(const ConnectionLease&) = delete;
  ~ConnectionLease();

  Connection& operator*() const { return *connection_; }
  Connection* operator->() const { return connection_; }

 private:
  friend class Database;
  ConnectionLease(Database* db, Connection* connection, bool owner)
      : db_(db), connection_(connection), owner_(owner) {}

  Database* db_;
  Connection* connection_;
  bool owner_;  // false for a nested lease on the same thread
};

class Database {
 public:
  // Opens (creating if needed) the database and brings its schema up to date with the
  // migrations built into this binary.
  static Result<std::unique_ptr<Database>> Open(const DatabaseOptions& options);
  // As above with an explicit migration list; for tests of the migrator.
  // REQUIRES: versions are 1..N in order (else kInternal).
  static Result<std::unique_ptr<Database>> Open(const DatabaseOptions& options,
                                                std::span<const Migration> migrations);

  // The migrations built into this binary, and the schema version they lead to.
  static std::span<const Migration> BuiltinMigrations();
  static int LatestSchemaVersion();

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  // Closes every connection (the last close of a file database checkpoints and removes the
  // WAL). REQUIRES: no lease is outstanding.
  ~Database();

  // This thread's connection: the one it already holds for this Database, else a pooled one
  // (opened if needed; in in-memory mode, waits until no other thread holds it).
  Result<ConnectionLease> Acquire();

  // Runs fn on this thread's connection, outside any transaction of its own (each statement
  // autocommits unless fn begins one). For reads; write through WithTransaction.
  Status WithConnection(const std::function<Status(Connection&)>& fn);
  // The same for a read that yields a value: fn returns a Result<T>, and Read returns it (or
  // the failure to get a connection).
  template <typename Fn>
  std::invoke_result_t<Fn&, Connection&> Read(Fn&& fn) {
    SEALSTACK_ASSIGN_OR_RETURN(ConnectionLease lease, Acquire());
    return fn(*lease);
  }

  // Runs fn inside BEGIN IMMEDIATE ... COMMIT; rolls back if fn or COMMIT fails and returns
  // that Status. On BUSY/LOCKED the transaction is rolled back and fn runs again (bounded,
  // with backoff), so fn must not have effects outside the database that cannot repeat.
  // Called while this thread is already in a transaction on this Database, fn runs in a
  // SAVEPOINT instead: its failure undoes only its own writes, and retries are the outer's.
  Status WithTransaction(const std::function<Status(Connection&)>& fn);

  // PRAGMA user_version: the last migration applied.
  Result<int> SchemaVersion();

  // Copies the WAL into the database file and truncates it (wal_checkpoint(TRUNCATE)).
  // kUnavailable if readers or a writer kept it from completing. A no-op in memory.
  Status Checkpoint();

  // PRAGMA integrity_check; kIoError with SQLite's findings unless it reports "ok".
  Status IntegrityCheck();

  bool in_memory() const;

 private:
  friend class ConnectionLease;
  struct Rep;
  explicit Database(std::unique_ptr<Rep> rep);
  void Release(Connection* connection);
  void StartCheckpointer();  // file databases: WAL checkpoints off the request path

  std::unique_ptr<Rep> rep_;
};

}  // namespace sealstack::storage
