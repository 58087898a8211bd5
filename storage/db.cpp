#include "storage/db.h"

#include <sqlite3.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <utility>

#include "common/mutex.h"
#include "storage/embedded_migrations.h"
#include "storage/schema_snapshot.h"

namespace sealstack::storage {

namespace internal {

// A prepared statement and the SQL it was compiled from. Cached slots live in their
// connection's cache for the connection's lifetime; private ones are owned by one Statement.
struct StatementSlot {
  sqlite3_stmt* stmt = nullptr;
  std::string sql;
  bool cached = false;
  bool in_use = false;
};

}  // namespace internal

namespace {

using internal::StatementSlot;

// Bounded retry for BUSY/LOCKED that outlasts the busy handler (or bypasses it, as SQLite
// does when waiting could deadlock). Attempt k sleeps ~kBackoffBase * 2^k, capped, jittered.
constexpr int kMaxAttempts = 6;
constexpr std::chrono::milliseconds kBackoffBase{2};
constexpr std::chrono::milliseconds kBackoffCap{100};

// Statements cached per connection. SQL text is mostly static, so this is rarely reached; past
// it, statements are prepared per use (dynamic SQL such as IN lists must not grow the cache).
constexpr size_t kMaxCachedStatements = 256;

// Idle file-mode connections kept open for reuse; extra ones are closed on release.
constexpr size_t kMaxIdleConnections = 16;

// SQL text in error messages is cut here (migration scripts can be long).
constexpr size_t kMaxSqlInMessage = 200;

std::string ShortSql(std::string_view sql) {
  if (sql.size() <= kMaxSqlInMessage) return std::string(sql);
  return std::string(sql.substr(0, kMaxSqlInMessage)) + "...";
}

bool IsBusyCode(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

// Maps a SQLite result code to a Status. `what` names the operation; SQLite's own message
// names tables, columns and constraints but never a bound value.
Status MapError(int rc, sqlite3* db, std::string_view what, std::string_view sql) {
  std::string msg(what);
  msg += ": ";
  const char* errstr = sqlite3_errstr(rc);
  msg += errstr;
  if (db != nullptr) {
    const char* detail = sqlite3_errmsg(db);
    if (detail != nullptr && std::strcmp(detail, errstr) != 0 &&
        std::strcmp(detail, "not an error") != 0) {
      msg += " (";
      msg += detail;
      msg += ")";
    }
  }
  if (!sql.empty()) {
    msg += " [sql: ";
    msg += ShortSql(sql);
    msg += "]";
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable("database busy: " + msg);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
        return Status::AlreadyExists(msg);
      }
      return Status::InvalidArgument(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::IoError("database file is corrupt or is not a SQLite database: " + msg);
    default:
      return Status::IoError(msg);
  }
}

std::chrono::milliseconds Backoff(int attempt) {
  thread_local std::minstd_rand rng(std::random_device{}());
  auto base = kBackoffBase * (int64_t{1} << std::min(attempt, 10));
  base = std::min<std::chrono::milliseconds>(base, kBackoffCap);
  std::uniform_int_distribution<int64_t> jitter(base.count() / 2, base.count());
  return std::chrono::milliseconds(jitter(rng));
}

// The leases this thread holds, innermost last: a nested Acquire on the same Database reuses
// the connection instead of taking (or, in memory mode, waiting for) a second one.
struct HeldLease {
  const Database* db;
  Connection* connection;
};
thread_local std::vector<HeldLease> tls_held_leases;

}  // namespace

// ---------------------------------------------------------------------------------------------
// Connection

struct Connection::Rep {
  struct StringHash {
    using is_transparent = void;  // NOLINT(readability-identifier-naming): the std name
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  sqlite3* db = nullptr;
  std::unordered_map<std::string, std::unique_ptr<StatementSlot>, StringHash, std::equal_to<>>
      cache;
  uint64_t prepares = 0;
  uint64_t cache_hits = 0;
  uint64_t busy_events = 0;   // BUSY/LOCKED results seen; WithTransaction retries on a change
  size_t statements_out = 0;  // Statement objects alive on this connection

  Status Error(int rc, std::string_view what, std::string_view sql = {}) {
    if (IsBusyCode(rc)) ++busy_events;
    return MapError(rc, db, what, sql);
  }
};

namespace internal {

struct Access {
  static Connection::Rep& rep(Connection& c) { return *c.rep_; }
  static std::unique_ptr<Connection> MakeConnection(sqlite3* db) {
    auto rep = std::make_unique<Connection::Rep>();
    rep->db = db;
    return std::unique_ptr<Connection>(new Connection(std::move(rep)));
  }
};

}  // namespace internal

using internal::Access;

Connection::Connection(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}

Connection::~Connection() {
  if (rep_ == nullptr) return;
  assert(rep_->statements_out == 0);
  for (auto& [sql, slot] : rep_->cache) sqlite3_finalize(slot->stmt);
  rep_->cache.clear();
  // close_v2: should a statement have leaked, the handle is released when it is finalised
  // instead of failing here.
  sqlite3_close_v2(rep_->db);
}

Result<Statement> Connection::Prepare(std::string_view sql) {
  auto it = rep_->cache.find(sql);
  if (it != rep_->cache.end() && !it->second->in_use) {
    ++rep_->cache_hits;
    it->second->in_use = true;
    ++rep_->statements_out;
    return Statement(this, it->second.get());
  }
  if (sql.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status::InvalidArgument("prepare: SQL text too long");
  }
  const bool cacheable = it == rep_->cache.end() && rep_->cache.size() < kMaxCachedStatements;
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  ++rep_->prepares;
  int rc = sqlite3_prepare_v3(rep_->db, sql.data(), static_cast<int>(sql.size()),
                              cacheable ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, &tail);
  if (rc != SQLITE_OK) return rep_->Error(rc, "prepare", sql);
  if (stmt == nullptr) {
    return Status::InvalidArgument("prepare: no SQL statement [sql: " + ShortSql(sql) + "]");
  }
  std::string_view rest(tail, static_cast<size_t>(sql.data() + sql.size() - tail));
  if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    sqlite3_finalize(stmt);
    return Status::InvalidArgument(
        "prepare: more than one statement (use Exec for scripts) [sql: " + ShortSql(sql) + "]");
  }
  auto slot = std::make_unique<StatementSlot>();
  slot->stmt = stmt;
  slot->sql = std::string(sql);
  slot->cached = cacheable;
  slot->in_use = true;
  StatementSlot* raw = slot.get();
  if (cacheable) {
    rep_->cache.emplace(raw->sql, std::move(slot));
  } else {
    (void)slot.release();  // owned by the Statement, deleted in Statement::Release
  }
  ++rep_->statements_out;
  return Statement(this, raw);
}

Status Connection::Exec(std::string_view sql) {
  const std::string text(sql);
  int rc = sqlite3_exec(rep_->db, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return rep_->Error(rc, "exec", sql);
  return Status::Ok();
}

Result<int64_t> Connection::Execute(std::string_view sql, const Params& params) {
  SEALSTACK_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  SEALSTACK_RETURN_IF_ERROR(stmt.BindViews(params));
  SEALSTACK_RETURN_IF_ERROR(stmt.Run());
  return static_cast<int64_t>(sqlite3_changes64(rep_->db));
}

Status Connection::Run(std::string_view sql, const Params& params) {
  return Execute(sql, params).status();
}

Result<int64_t> Connection::QueryInt64(std::string_view sql, const Params& params) {
  int64_t value = 0;
  SEALSTACK_RETURN_IF_ERROR(QueryOne(sql, params, [&](const Row& row) {
    value = row.ColumnInt64(0);
    return Status::Ok();
  }));
  return value;
}

Result<bool> Connection::Exists(std::string_view sql, const Params& params) {
  bool found = false;
  SEALSTACK_RETURN_IF_ERROR(Query(sql, params, [&](const Row&) {
    found = true;
    return Status::Ok();
  }));
  return found;
}

Status Connection::Query(std::string_view sql, const Params& params, const RowCallback& on_row) {
  SEALSTACK_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  SEALSTACK_RETURN_IF_ERROR(stmt.BindViews(params));
  for (;;) {
    SEALSTACK_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return Status::Ok();
    SEALSTACK_RETURN_IF_ERROR(on_row(Row(stmt)));
  }
}

Status Connection::QueryOne(std::string_view sql, const Params& params, const RowCallback& on_row) {
  SEALSTACK_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  SEALSTACK_RETURN_IF_ERROR(stmt.BindViews(params));
  SEALSTACK_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) return Status::NotFound("no row [sql: " + ShortSql(sql) + "]");
  SEALSTACK_RETURN_IF_ERROR(on_row(Row(stmt)));
  SEALSTACK_ASSIGN_OR_RETURN(bool another, stmt.Step());
  if (another) return Status::Internal("QueryOne: more than one row [sql: " + ShortSql(sql) + "]");
  return Status::Ok();
}

int64_t Connection::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(rep_->db);
}

bool Connection::InTransaction() const {
  return sqlite3_get_autocommit(rep_->db) == 0;
}

Connection::Stats Connection::stats() const {
  return Stats{rep_->prepares, rep_->cache_hits, rep_->cache.size()};
}

// ---------------------------------------------------------------------------------------------
// Statement

Statement::Statement(Connection* connection, StatementSlot* slot)
    : connection_(connection), slot_(slot) {}

Statement::Statement(Statement&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)),
      slot_(std::exchange(other.slot_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    Release();
    connection_ = std::exchange(other.connection_, nullptr);
    slot_ = std::exchange(other.slot_, nullptr);
  }
  return *this;
}

Statement::~Statement() {
  Release();
}

void Statement::Release() {
  if (slot_ == nullptr) return;
  if (slot_->cached) {
    sqlite3_reset(slot_->stmt);
    sqlite3_clear_bindings(slot_->stmt);
    slot_->in_use = false;
  } else {
    sqlite3_finalize(slot_->stmt);
    delete slot_;
  }
  --connection_->rep_->statements_out;
  slot_ = nullptr;
  connection_ = nullptr;
}

namespace {

// Binds with SQLITE_TRANSIENT (copy) or SQLITE_STATIC (the caller keeps the bytes alive until
// the statement is reset, as Connection's one-call helpers do).
int BindValue(sqlite3_stmt* stmt, int index, const Value& value, bool copy) {
  // A null pointer would bind NULL: empty text and blobs need a non-null one.
  static constexpr char kEmpty[] = "";
  auto destructor = copy ? SQLITE_TRANSIENT : SQLITE_STATIC;
  switch (value.type()) {
    case Value::Type::kNull:
      return sqlite3_bind_null(stmt, index);
    case Value::Type::kInt64:
      return sqlite3_bind_int64(stmt, index, value.int64());
    case Value::Type::kDouble:
      return sqlite3_bind_double(stmt, index, value.real());
    case Value::Type::kText: {
      const char* data = value.bytes().data() != nullptr ? value.bytes().data() : kEmpty;
      return sqlite3_bind_text64(stmt, index, data, value.bytes().size(), destructor, SQLITE_UTF8);
    }
    case Value::Type::kBlob: {
      const char* data = value.bytes().data() != nullptr ? value.bytes().data() : kEmpty;
      return sqlite3_bind_blob64(stmt, index, data, value.bytes().size(), destructor);
    }
  }
  return SQLITE_MISUSE;
}

}  // namespace

Result<int> Statement::IndexOf(std::string_view name) const {
  std::string key;
  if (name.empty() || (name[0] != ':' && name[0] != '@' && name[0] != '$')) key = ":";
  key += name;
  int index = sqlite3_bind_parameter_index(slot_->stmt, key.c_str());
  if (index == 0) {
    return Status::InvalidArgument("bind: no parameter " + key + " [sql: " + ShortSql(slot_->sql) +
                                   "]");
  }
  return index;
}

Status Statement::Bind(int index, const Value& value) {
  int rc = BindValue(slot_->stmt, index, value, /*copy=*/true);
  if (rc != SQLITE_OK) return connection_->rep_->Error(rc, "bind", slot_->sql);
  return Status::Ok();
}

Status Statement::BindView(int index, const Value& value) {
  int rc = BindValue(slot_->stmt, index, value, /*copy=*/false);
  if (rc != SQLITE_OK) return connection_->rep_->Error(rc, "bind", slot_->sql);
  return Status::Ok();
}

Status Statement::Bind(std::string_view name, const Value& value) {
  SEALSTACK_ASSIGN_OR_RETURN(int index, IndexOf(name));
  return Bind(index, value);
}

Status Statement::Bind(const Params& params) {
  for (const Param& p : params) SEALSTACK_RETURN_IF_ERROR(Bind(p.name, p.value));
  return Status::Ok();
}

Status Statement::BindViews(const Params& params) {
  for (const Param& p : params) {
    SEALSTACK_ASSIGN_OR_RETURN(int index, IndexOf(p.name));
    SEALSTACK_RETURN_IF_ERROR(BindView(index, p.value));
  }
  return Status::Ok();
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(slot_->stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return connection_->rep_->Error(rc, "step", slot_->sql);
}

Status Statement::Run() {
  for (;;) {
    SEALSTACK_ASSIGN_OR_RETURN(bool has_row, Step());
    if (!has_row) return Status::Ok();
  }
}

void Statement::Reset() {
  sqlite3_reset(slot_->stmt);
  sqlite3_clear_bindings(slot_->stmt);
}

int Statement::ColumnCount() const {
  return sqlite3_column_count(slot_->stmt);
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(slot_->stmt, column) == SQLITE_NULL;
}

int64_t Statement::ColumnInt64(int column) const {
  return sqlite3_column_int64(slot_->stmt, column);
}

double Statement::ColumnDouble(int column) const {
  return sqlite3_column_double(slot_->stmt, column);
}

std::string_view Statement::ColumnText(int column) const {
  // Pointer first, then size: the size call must see the value in its final (text) form.
  const unsigned char* data = sqlite3_column_text(slot_->stmt, column);
  int size = sqlite3_column_bytes(slot_->stmt, column);
  if (data == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(data), static_cast<size_t>(size));
}

std::string_view Statement::ColumnBlob(int column) const {
  const void* data = sqlite3_column_blob(slot_->stmt, column);
  int size = sqlite3_column_bytes(slot_->stmt, column);
  if (data == nullptr) return {};
  return std::string_view(static_cast<const char*>(data), static_cast<size_t>(size));
}

const std::string& Statement::sql() const {
  return slot_->sql;
}

// ---------------------------------------------------------------------------------------------
// Transaction

Result<Transaction> Transaction::Begin(Connection& connection) {
  if (connection.InTransaction()) {
    return Status::FailedPrecondition("BEGIN: connection is already in a transaction");
  }
  SEALSTACK_RETURN_IF_ERROR(connection.Run("BEGIN IMMEDIATE"));
  return Transaction(&connection);
}

Transaction::Transaction(Transaction&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)) {}

Transaction::~Transaction() {
  if (connection_ != nullptr) (void)Rollback();
}

Status Transaction::Commit() {
  if (connection_ == nullptr) return Status::FailedPrecondition("COMMIT: transaction is finished");
  Status s = connection_->Execute("COMMIT").status();
  // A failed COMMIT may leave the transaction open (BUSY) or already rolled back by SQLite;
  // either way it is over for the caller: roll back what is left.
  if (!s.ok()) {
    (void)Rollback();
    return s;
  }
  connection_ = nullptr;
  return Status::Ok();
}

Status Transaction::Rollback() {
  if (connection_ == nullptr) return Status::Ok();
  Connection* connection = std::exchange(connection_, nullptr);
  if (!connection->InTransaction()) return Status::Ok();  // SQLite already rolled back
  return connection->Exec("ROLLBACK");
}

// ---------------------------------------------------------------------------------------------
// ConnectionLease

ConnectionLease::ConnectionLease(ConnectionLease&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      connection_(std::exchange(other.connection_, nullptr)),
      owner_(std::exchange(other.owner_, false)) {}

ConnectionLease::~ConnectionLease() {
  if (owner_ && connection_ != nullptr) db_->Release(connection_);
}

// ---------------------------------------------------------------------------------------------
// Database

namespace internal {

// The turn of one writer at a time (Database::Rep::writers).
struct WriterQueue {
  Mutex mu;
  CondVar done;
  bool active GUARDED_BY(mu) = false;
};

// One writer's turn: taken in the constructor when it frees within `patience`, given back in
// the destructor; after `patience` the writer goes ahead without it.
class WriterTurn {
 public:
  WriterTurn(WriterQueue* queue, std::chrono::milliseconds patience) : queue_(queue) {
    MutexLock lock(queue_->mu);
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (queue_->active && queue_->done.WaitUntil(lock, deadline)) {
    }
    if (queue_->active) return;
    queue_->active = true;
    held_ = true;
  }
  ~WriterTurn() {
    if (!held_) return;
    {
      MutexLock lock(queue_->mu);
      queue_->active = false;
    }
    queue_->done.Signal();
  }
  WriterTurn(const WriterTurn&) = delete;
  WriterTurn& operator=(const WriterTurn&) = delete;

 private:
  WriterQueue* queue_;
  bool held_ = false;
};

}  // namespace internal

struct Database::Rep {
  DatabaseOptions options;
  size_t max_open = 0;  // 1 in memory mode, unbounded for files

  Mutex mu;
  CondVar released;
  std::vector<std::unique_ptr<Connection>> idle GUARDED_BY(mu);
  size_t open GUARDED_BY(mu) = 0;  // connections idle or leased

  // File databases: WAL checkpoints run on this thread, not inside the commit of whichever
  // request crossed SQLite's auto-checkpoint threshold (that was a quarter of a large upload's
  // time, spent writing pages and fsyncing while the client waited).
  std::thread checkpointer;
  CondVar wake;
  bool stopping GUARDED_BY(mu) = false;

  // Writers of a file database queue here, not in SQLite's busy handler, which sleeps 1, 2, 5,
  // 10, ... ms between attempts to take the write lock: with 8 concurrent 4 KiB PUTs that
  // sleeping set the tail (p90 32 ms, p99 194 ms against a transaction of ~0.3 ms). A writer that
  // waits longer than the busy timeout goes ahead without its turn (SQLite's own locking still
  // serializes the writes), so a lock-order cycle through some other mutex cannot deadlock.
  // (A flag under a Mutex rather than std::timed_mutex, whose timed lock TSan cannot see.)
  internal::WriterQueue writers;
};

namespace {

// Opens one connection and sets its per-connection pragmas.
Result<std::unique_ptr<Connection>> OpenConnection(const DatabaseOptions& options);

}  // namespace

Database::Database(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}

Database::~Database() {
  if (rep_->checkpointer.joinable()) {
    {
      MutexLock lock(rep_->mu);
      rep_->stopping = true;
    }
    rep_->wake.SignalAll();
    rep_->checkpointer.join();
  }
  MutexLock lock(rep_->mu);
  assert(rep_->idle.size() == rep_->open && "Database destroyed while a lease is outstanding");
  rep_->idle.clear();  // closes the connections
  rep_->open = 0;
}

bool Database::in_memory() const {
  return rep_->options.in_memory;
}

std::span<const Migration> Database::BuiltinMigrations() {
  return internal::EmbeddedMigrations();
}

int Database::LatestSchemaVersion() {
  auto all = BuiltinMigrations();
  return all.empty() ? 0 : all.back().version;
}

Result<ConnectionLease> Database::Acquire() {
  for (const HeldLease& held : tls_held_leases) {
    if (held.db == this) return ConnectionLease(this, held.connection, /*owner=*/false);
  }
  std::unique_ptr<Connection> connection;
  {
    MutexLock lock(rep_->mu);
    for (;;) {
      if (!rep_->idle.empty()) {
        connection = std::move(rep_->idle.back());
        rep_->idle.pop_back();
        break;
      }
      if (rep_->open < rep_->max_open) {
        ++rep_->open;
        break;
      }
      rep_->released.Wait(lock);
    }
  }
  if (connection == nullptr) {
    auto opened = OpenConnection(rep_->options);
    if (!opened.ok()) {
      MutexLock lock(rep_->mu);
      --rep_->open;
      rep_->released.Signal();
      return opened.status();
    }
    connection = std::move(opened).value();
  }
  Connection* raw = connection.release();
  tls_held_leases.push_back(HeldLease{this, raw});
  return ConnectionLease(this, raw, /*owner=*/true);
}

void Database::Release(Connection* connection) {
  std::unique_ptr<Connection> owned(connection);
  auto it = std::find_if(tls_held_leases.begin(), tls_held_leases.end(),
                         [&](const HeldLease& h) { return h.db == this; });
  assert(it != tls_held_leases.end() && "lease released on another thread");
  if (it != tls_held_leases.end()) tls_held_leases.erase(it);
  assert(owned->rep_->statements_out == 0 && "Statement outlived its lease");
  if (owned->InTransaction()) (void)owned->Exec("ROLLBACK");

  MutexLock lock(rep_->mu);
  const bool keep = rep_->options.in_memory ||
                    (!owned->InTransaction() && rep_->idle.size() < kMaxIdleConnections);
  if (keep) {
    rep_->idle.push_back(std::move(owned));
  } else {
    --rep_->open;
    // Closing under the lock is cheap (no checkpoint while other connections exist).
    owned.reset();
  }
  rep_->released.Signal();
}

Status Database::WithConnection(const std::function<Status(Connection&)>& fn) {
  SEALSTACK_ASSIGN_OR_RETURN(ConnectionLease lease, Acquire());
  return fn(*lease);
}

namespace {

// Runs attempt() until it succeeds, fails for a reason other than contention, or
// kMaxAttempts is reached. Contention = kUnavailable while the connection saw BUSY/LOCKED.
Status RetryOnBusy(Connection& c, const std::function<Status()>& attempt) {
  const auto& rep = Access::rep(c);
  Status last;
  for (int i = 0; i < kMaxAttempts; ++i) {
    const uint64_t busy_before = rep.busy_events;
    last = attempt();
    const bool contention =
        last.code() == StatusCode::kUnavailable && rep.busy_events != busy_before;
    if (!contention) return last;
    if (i + 1 < kMaxAttempts) std::this_thread::sleep_for(Backoff(i));
  }
  return Status::Unavailable(last.message() + " (gave up after " + std::to_string(kMaxAttempts) +
                             " attempts)");
}

Status RunInSavepoint(Connection& c, const std::function<Status(Connection&)>& fn) {
  SEALSTACK_RETURN_IF_ERROR(c.Exec("SAVEPOINT sealstack_nested"));
  Status s = fn(c);
  if (s.ok()) return c.Exec("RELEASE sealstack_nested");
  if (c.InTransaction()) (void)c.Exec("ROLLBACK TO sealstack_nested; RELEASE sealstack_nested");
  return s;
}

}  // namespace

Status Database::WithTransaction(const std::function<Status(Connection&)>& fn) {
  SEALSTACK_ASSIGN_OR_RETURN(ConnectionLease lease, Acquire());
  Connection& c = *lease;
  if (c.InTransaction()) return RunInSavepoint(c, fn);
  // In memory, the one connection already serializes the writers.
  std::optional<internal::WriterTurn> turn;
  if (!rep_->options.in_memory) {
    turn.emplace(&rep_->writers, std::chrono::milliseconds(rep_->options.busy_timeout_ms));
  }
  return RetryOnBusy(c, [&]() -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(c));
    SEALSTACK_RETURN_IF_ERROR(fn(c));
    return tx.Commit();
  });
}

namespace {

Result<int> ReadUserVersion(Connection& c) {
  int version = 0;
  SEALSTACK_RETURN_IF_ERROR(c.QueryOne("PRAGMA user_version", {}, [&](const Row& row) {
    version = static_cast<int>(row.ColumnInt64(0));
    return Status::Ok();
  }));
  return version;
}

}  // namespace

Result<int> Database::SchemaVersion() {
  SEALSTACK_ASSIGN_OR_RETURN(ConnectionLease lease, Acquire());
  return ReadUserVersion(*lease);
}

Status Database::Checkpoint() {
  if (rep_->options.in_memory) return Status::Ok();
  SEALSTACK_ASSIGN_OR_RETURN(ConnectionLease lease, Acquire());
  int64_t busy = 0;
  SEALSTACK_RETURN_IF_ERROR(
      lease->QueryOne("PRAGMA wal_checkpoint(TRUNCATE)", {}, [&](const Row& row) {
        busy = row.ColumnInt64(0);
        return Status::Ok();
      }));
  if (busy != 0) {
    return Status::Unavailable("checkpoint: readers or a writer kept the WAL from being truncated");
  }
  return Status::Ok();
}

Status Database::IntegrityCheck() {
  SEALSTACK_ASSIGN_OR_RETURN(ConnectionLease lease, Acquire());
  std::vector<std::string> findings;
  SEALSTACK_RETURN_IF_ERROR(lease->Query("PRAGMA integrity_check", {}, [&](const Row& row) {
    if (findings.size() < 10) findings.push_back(row.ColumnString(0));
    return Status::Ok();
  }));
  if (findings.size() == 1 && findings[0] == "ok") return Status::Ok();
  std::string msg = "integrity check failed:";
  for (const std::string& f : findings) msg += " " + f + ";";
  return Status::IoError(msg);
}

namespace {

Result<std::unique_ptr<Connection>> OpenConnection(const DatabaseOptions& options) {
  // NOMUTEX: a connection is used by one thread at a time (the lease holder), so SQLite's
  // per-connection mutex would only cost.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const std::string path = options.in_memory ? std::string(":memory:") : options.path;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = MapError(rc, db, "open " + path, {});
    sqlite3_close_v2(db);
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  // From here the Connection owns db and closes it on any early return.
  std::unique_ptr<Connection> connection = Access::MakeConnection(db);

  if (!options.in_memory) {
    // WAL is a property of the file; asking again on an already-WAL file is a cheap no-op and
    // verifies it (file systems without shared memory support refuse it).
    std::string mode;
    SEALSTACK_RETURN_IF_ERROR(
        connection->QueryOne("PRAGMA journal_mode=WAL", {}, [&](const Row& row) {
          mode = row.ColumnString(0);
          return Status::Ok();
        }));
    if (mode != "wal") {
      return Status::IoError("open " + path + ": cannot enable WAL journal mode (got '" + mode +
                             "')");
    }
    // NORMAL, not FULL: in WAL mode a commit with NORMAL is durable against a killed process
    // (the WAL bytes are in the OS page cache) and only an OS crash or power loss can lose the
    // last commits; FULL would fsync on every commit. See "Durability" in db.h.
    SEALSTACK_RETURN_IF_ERROR(connection->Exec("PRAGMA synchronous=NORMAL"));
    // Checkpoints are the background thread's (Database::StartCheckpointer). A commit runs one
    // itself only if the WAL grows past ~64 MiB anyway (the checkpointer is stalled by a long
    // reader): a bound on the WAL, not the normal path.
    SEALSTACK_RETURN_IF_ERROR(connection->Exec("PRAGMA wal_autocheckpoint=16384"));
  }
  SEALSTACK_RETURN_IF_ERROR(connection->Exec("PRAGMA foreign_keys=ON"));
  return connection;
}

Status ValidateMigrations(std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return Status::Internal("migration " + std::string(migrations[i].name) + " has version " +
                              std::to_string(migrations[i].version) + ", expected " +
                              std::to_string(i + 1));
    }
  }
  return Status::Ok();
}

Status ApplyMigrations(Connection& c, std::span<const Migration> migrations) {
  SEALSTACK_RETURN_IF_ERROR(ValidateMigrations(migrations));
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  SEALSTACK_ASSIGN_OR_RETURN(int current, ReadUserVersion(c));
  if (current > latest) {
    return Status::FailedPrecondition("database schema version " + std::to_string(current) +
                                      " is newer than this sealstack supports (" +
                                      std::to_string(latest) +
                                      "); it was written by a newer release, refusing to open it");
  }
  // A new database built from the built-in migrations: their first ones as themselves, the
  // rest as the build-time snapshot of the schema they produce, in one transaction.
  const internal::SchemaSnapshot& snapshot = internal::BuiltinSchemaSnapshot();
  const bool use_snapshot = current == 0 &&
                            migrations.data() == internal::EmbeddedMigrations().data() &&
                            snapshot.version == latest;
  for (const Migration& m : migrations) {
    if (use_snapshot && m.version > snapshot.base_version) break;
    if (m.version <= current) continue;
    // (Not SEALSTACK_RETURN_IF_ERROR around the lambda: its nested uses would shadow _st.)
    Status applied = RetryOnBusy(c, [&]() -> Status {
      SEALSTACK_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(c));
      // Another process may have migrated while we waited for the write lock.
      SEALSTACK_ASSIGN_OR_RETURN(int now, ReadUserVersion(c));
      if (now >= m.version) return Status::Ok();
      Status s = c.Exec(m.sql);
      if (!s.ok()) {
        return Status(s.code(), "migration " + std::string(m.name) + ": " + s.message());
      }
      SEALSTACK_RETURN_IF_ERROR(c.Exec("PRAGMA user_version = " + std::to_string(m.version)));
      return tx.Commit();
    });
    if (!applied.ok()) return applied;
  }
  if (!use_snapshot || snapshot.version == snapshot.base_version) return Status::Ok();
  return RetryOnBusy(c, [&]() -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(c));
    SEALSTACK_ASSIGN_OR_RETURN(int now, ReadUserVersion(c));
    if (now != snapshot.base_version) return Status::Ok();  // another process got here first
    Status s = c.Exec(snapshot.sql);
    if (!s.ok()) return Status(s.code(), "schema snapshot: " + s.message());
    SEALSTACK_RETURN_IF_ERROR(c.Exec("PRAGMA user_version = " + std::to_string(snapshot.version)));
    return tx.Commit();
  });
}

}  // namespace

Result<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options) {
  return Open(options, BuiltinMigrations());
}

Result<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options,
                                                 std::span<const Migration> migrations) {
  if (!options.in_memory && options.path.empty()) {
    return Status::InvalidArgument("DatabaseOptions: path is empty and in_memory is false");
  }
  if (options.busy_timeout_ms < 0) {
    return Status::InvalidArgument("DatabaseOptions: busy_timeout_ms is negative");
  }
  auto rep = std::make_unique<Rep>();
  rep->options = options;
  rep->max_open = options.in_memory ? 1 : std::numeric_limits<size_t>::max();

  // The first connection runs the migrations and then becomes the pool's first idle one
  // (in memory mode, the only one: it holds the data until the Database is destroyed).
  SEALSTACK_ASSIGN_OR_RETURN(std::unique_ptr<Connection> first, OpenConnection(options));
  SEALSTACK_RETURN_IF_ERROR(ApplyMigrations(*first, migrations));
  {
    MutexLock lock(rep->mu);  // not shared yet; the lock is for the analysis, and costs nothing
    rep->idle.push_back(std::move(first));
    rep->open = 1;
  }
  std::unique_ptr<Database> db(new Database(std::move(rep)));
  if (!options.in_memory) db->StartCheckpointer();
  return db;
}

void Database::StartCheckpointer() {
  rep_->checkpointer = std::thread([this] {
    constexpr auto kInterval = std::chrono::milliseconds(100);
    MutexLock lock(rep_->mu);
    while (!rep_->stopping) {
      const auto deadline = std::chrono::steady_clock::now() + kInterval;
      while (!rep_->stopping && rep_->wake.WaitUntil(lock, deadline)) {
      }
      if (rep_->stopping) break;
      lock.Unlock();
      {
        // PASSIVE: copies what it can without waiting for readers or writers; a no-op when the
        // WAL holds nothing new. Errors are left for the next round (and the next start).
        auto lease = Acquire();
        if (lease.ok()) (void)(*lease)->Exec("PRAGMA wal_checkpoint(PASSIVE)");
      }
      lock.Lock();
    }
  });
}

}  // namespace sealstack::storage
