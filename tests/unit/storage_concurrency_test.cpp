// Unit tests for storage/db.h under concurrency: many threads on one Database (in-memory and
// file), lock contention between two Databases on one file, and durability across kill -9.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "storage/db.h"
#include "tests/unit/storage_test_util.h"
#include "tests/unit/test_util.h"

namespace sealstack::storage {
namespace {

namespace fs = std::filesystem;

int64_t Count(Database& db, const std::string& sql) {
  int64_t n = -1;
  Status s = db.WithConnection([&](Connection& c) {
    return c.QueryOne(sql, {}, [&](const Row& r) {
      n = r.ColumnInt64(0);
      return Status::Ok();
    });
  });
  INFO(s.ToString());
  REQUIRE(s.ok());
  return n;
}

// kThreads threads each insert kRows rows (one transaction each, every fifth also bumping a
// shared counter row) while reading counts; every status must be OK and the totals exact.
void HammerFromThreads(Database& db) {
  constexpr int kThreads = 8;
  constexpr int kRows = 100;
  REQUIRE(db.WithTransaction([](Connection& c) {
              return c.Exec(
                  "CREATE TABLE items (thread INTEGER, seq INTEGER, payload BLOB,"
                  "                    PRIMARY KEY (thread, seq));"
                  "CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);"
                  "INSERT INTO counter VALUES (1, 0);");
            }).ok());

  std::atomic<int> failures{0};
  std::vector<std::string> first_error(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto fail = [&](const Status& s) {
        if (s.ok()) return false;
        if (failures.fetch_add(1) == 0 || first_error[t].empty()) first_error[t] = s.ToString();
        return true;
      };
      for (int i = 0; i < kRows; ++i) {
        Status s = db.WithTransaction([&](Connection& c) -> Status {
          const std::string payload(64, static_cast<char>('a' + t));
          SEALSTACK_RETURN_IF_ERROR(
              c.Execute("INSERT INTO items (thread, seq, payload) VALUES (:t, :s, :p)",
                        {{":t", t}, {":s", i}, {":p", Value::Blob(payload)}})
                  .status());
          if (i % 5 == 0) {
            SEALSTACK_RETURN_IF_ERROR(
                c.Execute("UPDATE counter SET n = n + 1 WHERE id = 1").status());
          }
          return Status::Ok();
        });
        if (fail(s)) return;
        int64_t mine = -1;
        s = db.WithConnection([&](Connection& c) {
          return c.QueryOne("SELECT count(*) FROM items WHERE thread = :t", {{":t", t}},
                            [&](const Row& r) {
                              mine = r.ColumnInt64(0);
                              return Status::Ok();
                            });
        });
        if (fail(s)) return;
        if (mine != i + 1) {
          fail(Status::Internal("thread " + std::to_string(t) + " saw " + std::to_string(mine) +
                                " rows after inserting " + std::to_string(i + 1)));
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const std::string& e : first_error) {
    if (!e.empty()) FAIL(e);
  }
  CHECK(failures.load() == 0);
  CHECK(Count(db, "SELECT count(*) FROM items") == kThreads * kRows);
  CHECK(Count(db, "SELECT n FROM counter") == kThreads * (kRows / 5));
  CHECK(db.IntegrityCheck().ok());
}

}  // namespace

TEST_CASE("In-memory database is shared by concurrent threads", "[storage][threads]") {
  auto db = MustOpen({.in_memory = true});
  HammerFromThreads(*db);
}

TEST_CASE("File database takes concurrent writers and readers without BUSY", "[storage][threads]") {
  TempDir dir{"sealstack-storage-test"};
  auto db = MustOpen({.path = dir.File("db")});
  HammerFromThreads(*db);
}

TEST_CASE("Concurrent readers of a file database each get their own connection",
          "[storage][threads]") {
  TempDir dir{"sealstack-storage-test"};
  auto db = MustOpen({.path = dir.File("db")});
  // Two threads each hold a lease at the same time; with a single shared connection the
  // second would wait for the first forever.
  std::atomic<int> holding{0};
  std::atomic<bool> both{false};
  Status results[2];  // Catch2 assertions are not thread-safe: check on the main thread
  auto reader = [&](int r) {
    results[r] = db->WithConnection([&](Connection& c) {
      holding.fetch_add(1);
      for (int i = 0; i < 2000 && holding.load() < 2; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      if (holding.load() == 2) both = true;
      return c.QueryOne("SELECT count(*) FROM meta", {}, [](const Row&) { return Status::Ok(); });
    });
  };
  std::thread a(reader, 0), b(reader, 1);
  a.join();
  b.join();
  CHECK(results[0].ok());
  CHECK(results[1].ok());
  CHECK(both.load());
}

TEST_CASE("A held write lock: WithTransaction waits and retries and then gives up as Unavailable",
          "[storage][threads]") {
  TempDir dir{"sealstack-storage-test"};
  const std::string path = dir.File("db");
  // Two Databases on one file behave like two processes.
  auto holder = MustOpen({.path = path});
  auto waiter = MustOpen({.path = path, .busy_timeout_ms = 20});
  REQUIRE(
      holder->WithTransaction([](Connection& c) { return c.Exec("CREATE TABLE t (x INTEGER)"); })
          .ok());

  auto insert = [](Connection& c) { return c.Execute("INSERT INTO t VALUES (1)").status(); };

  SECTION("released in time: the retry succeeds") {
    // The holder thread takes the write lock, lets the main thread start waiting, commits.
    std::atomic<bool> locked{false};
    Status held;
    std::thread hold([&] {
      held = holder->WithConnection([&](Connection& c) -> Status {
        SEALSTACK_RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE"));
        locked = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(60));
        return c.Exec("COMMIT");
      });
    });
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!locked.load() && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
    Status s = waiter->WithTransaction(insert);
    hold.join();
    CHECK(held.ok());
    INFO(s.ToString());
    CHECK(s.ok());
    CHECK(Count(*waiter, "SELECT count(*) FROM t") == 1);
  }

  SECTION("never released: kUnavailable after bounded retries") {
    auto lease = holder->Acquire();
    REQUIRE(lease.ok());
    REQUIRE((*lease)->Exec("BEGIN IMMEDIATE").ok());
    const auto start = std::chrono::steady_clock::now();
    Status s = waiter->WithTransaction(insert);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(s.code() == StatusCode::kUnavailable);
    CHECK_THAT(s.message(), Catch::Contains("attempts"));
    CHECK(elapsed < std::chrono::seconds(5));
    REQUIRE((*lease)->Exec("ROLLBACK").ok());
    CHECK(waiter->WithTransaction(insert).ok());  // and recovers once the lock is free
  }
}

// The child commits rows one transaction at a time and reports each acknowledged row id on a
// pipe; the parent SIGKILLs it mid-stream. Every reported row must be there after re-opening.
TEST_CASE("Acknowledged writes survive kill -9", "[storage][durability]") {
  TempDir dir{"sealstack-storage-test"};
  const std::string path = dir.File("db");
  {
    auto db = MustOpen({.path = path});
    REQUIRE(db->WithTransaction([](Connection& c) {
                return c.Exec("CREATE TABLE acked (id INTEGER PRIMARY KEY, body BLOB)");
              }).ok());
  }
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Child: no Catch2 assertions here, only _exit.
    close(fds[0]);
    auto db = Database::Open({.path = path});
    if (!db.ok()) _exit(2);
    for (int64_t id = 1;; ++id) {
      Status s = (*db)->WithTransaction([&](Connection& c) {
        return c
            .Execute("INSERT INTO acked (id, body) VALUES (:id, :b)",
                     {{":id", id}, {":b", Value::Blob(std::string(512, 'k'))}})
            .status();
      });
      if (!s.ok()) _exit(3);
      if (write(fds[1], &id, sizeof id) != static_cast<ssize_t>(sizeof id)) _exit(4);
    }
  }
  close(fds[1]);
  int64_t last_acked = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (last_acked < 300 && std::chrono::steady_clock::now() < deadline) {
    int64_t id = 0;
    ssize_t n = read(fds[0], &id, sizeof id);
    if (n != static_cast<ssize_t>(sizeof id)) break;
    last_acked = id;
  }
  REQUIRE(kill(child, SIGKILL) == 0);
  // Drain what was acknowledged before the kill landed.
  for (;;) {
    int64_t id = 0;
    if (read(fds[0], &id, sizeof id) != static_cast<ssize_t>(sizeof id)) break;
    last_acked = id;
  }
  close(fds[0]);
  int wstatus = 0;
  REQUIRE(waitpid(child, &wstatus, 0) == child);
  CHECK(WIFSIGNALED(wstatus));
  REQUIRE(last_acked > 0);

  auto db = MustOpen({.path = path});
  CHECK(db->IntegrityCheck().ok());
  const int64_t present =
      Count(*db, "SELECT count(*) FROM acked WHERE id <= " + std::to_string(last_acked));
  CHECK(present == last_acked);
  CHECK(Count(*db, "SELECT count(*) FROM acked") >= last_acked);
}

}  // namespace sealstack::storage
