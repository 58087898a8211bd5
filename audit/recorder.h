// audit::Recorder: the audit trail. Services hand it audit::Events; it stores them as CloudTrail
// records (storage/audit_repo.h), answers lookups, and keeps the trail within its retention
// bounds.
//
// Two ways in, chosen by what the call did:
//   RecordIn(conn, e)  a call that changed state: write the event in the SAME transaction as the
//                      change (the caller's Database::WithTransaction), so either both are
//                      durable or neither.
//   Record(e)          a call that changed nothing (KMS Encrypt/Decrypt/GenerateDataKey, reads,
//                      failed calls): queued in memory (per-thread shards, no shared lock) and
//                      written by a background thread in batches every few milliseconds, or at
//                      once when a reader waits, so the request path never waits for SQLite or
//                      for other request threads. The queue is bounded
//                      (RecorderOptions::queue_capacity); a full queue makes Record wait until
//                      the writer takes it (back-pressure, never a silent drop), so at most
//                      twice the capacity is in memory, queued or being written.
// Readers (Lookup, ForEachJson, LastUse) first Flush(), so a caller always sees its own events.
//
// At rest, each record's JSON is sealed (record_sealer.h); readers get it opened.
//
// Retention: events older than retention_days (by the injected clock) and the oldest events
// beyond max_bytes of stored JSON are deleted by Trim(), which the writer runs after a batch
// when due (at most once a second, or at once when over the size bound) and readers run before
// they read.
//
// REQUIRES (Record, Flush and the readers): the calling thread holds no database lease (it would
// wait for the writer, which may need that lease in --in-memory mode).
//
// Thread safety: all methods are safe to call concurrently. The destructor writes what is
// queued and stops the writer; destroy the Recorder before its Database.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "audit/event.h"
#include "audit/record_sealer.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "common/result.h"
#include "storage/audit_repo.h"
#include "storage/db.h"

namespace sealstack::audit {

struct RecorderOptions {
  int retention_days = 90;                         // Default: 90, as CloudTrail's event history.
  int64_t max_bytes = int64_t{256} * 1024 * 1024;  // Default: 256 MiB of stored JSON.
  size_t queue_capacity = 8192;                    // events waiting for the writer
  size_t batch_size = 1024;                        // events per writer transaction
};

// One page of LookupEvents.
struct LookupPage {
  std::vector<storage::AuditEventRow> events;
  std::optional<std::pair<int64_t, int64_t>> next;  // cursor (time_us, seq) when more remain
};

struct LastUse {
  std::string event_name;
  SystemTime time;
  std::string event_id;
};

class Recorder {
 public:
  // Records are sealed at rest under a key derived from `root_key` (record_sealer.h); records an
  // older version stored plain are sealed here, before anything else.
  static Result<std::unique_ptr<Recorder>> Open(storage::Database& db,
                                                std::shared_ptr<const Clock> clock,
                                                const crypto::SecretBytes& root_key,
                                                RecorderOptions options = {});
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Queues an event; returns its eventID. Assigns event_id and time when empty.
  std::string Record(Event e);
  // Writes an event inside the caller's open transaction. Assigns event_id and time when empty.
  Status RecordIn(storage::Connection& conn, Event e);
  // Waits until every event queued before the call is written.
  Status Flush();

  // Newest first. Flushes and trims first.
  Result<LookupPage> Lookup(storage::AuditFilter filter);
  // Every retained event's JSON in recording order (`account` "" = all; up to seq `upto`, 0 = no
  // bound), a page at a time with the seq of the page's last event; `fn` runs without a database
  // lease held, so it may block on a socket. Stops when fn returns false.
  Status ForEachJson(
      const std::string& account, int64_t upto,
      const std::function<bool(const std::vector<std::string>&, int64_t last_seq)>& fn);
  // The newest successful call named one of `names` from `event_source` on `resource_arn`.
  Result<std::optional<LastUse>> LastUseOf(const std::string& resource_arn,
                                           std::string_view event_source,
                                           const std::vector<std::string>& names);
  // When the retained trail begins: the later of its start (first open or last Clear) and
  // now - retention_days.
  SystemTime TrackingStart() const;

  // Deletes every event (account "" ) or one account's (admin reset).
  Status Clear(const std::string& account = "");
  // Applies the retention bounds now.
  Status Trim();

  const RecorderOptions& options() const { return options_; }
  uint64_t write_failures() const;  // batches the writer could not store (logged by the owner)

 private:
  Recorder(storage::Database& db, std::shared_ptr<const Clock> clock, RecordSealer sealer,
           RecorderOptions options);
  void Stamp(Event* e) const;
  Result<storage::AuditEventRow> ToRow(const Event& e) const;  // the JSON sealed
  Status SealPlainRecords();
  void WriterLoop() EXCLUDES(mu_);
  Status WriteBatch(std::vector<Event>& batch) EXCLUDES(mu_);
  Status TrimIn(storage::Connection& c) EXCLUDES(mu_);

  storage::Database& db_;
  std::shared_ptr<const Clock> clock_;
  const RecordSealer sealer_;
  RecorderOptions options_;

  // The queue is sharded: a request thread appends to its own shard under that shard's mutex
  // (never contended by other request threads), so a thread preempted while holding it (the
  // machine may be busy) stalls nobody else. The writer empties all shards in one sweep.
  struct Shard {
    Mutex mu;
    std::vector<Event> events GUARDED_BY(mu);
  };
  static constexpr size_t kShards = 16;
  Shard shards_[kShards];
  std::atomic<size_t> queued_{0};  // events in the shards

  mutable Mutex mu_;
  CondVar wake_writer_;  // a flush is requested, or stopping
  CondVar progress_;     // a sweep completed (flushers; Record on a full queue)
  uint64_t flush_requests_ GUARDED_BY(mu_) = 0;
  uint64_t sweeps_done_ GUARDED_BY(mu_) = 0;  // flush_requests_ covered so far
  int full_waiters_ GUARDED_BY(mu_) = 0;
  uint64_t write_failures_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool writer_done_ GUARDED_BY(mu_) = false;
  int64_t stored_bytes_ GUARDED_BY(mu_) = 0;  // approximate
  SystemTime tracking_start_ GUARDED_BY(mu_){};
  std::chrono::steady_clock::time_point last_trim_ GUARDED_BY(mu_){};
  std::thread writer_;
};

}  // namespace sealstack::audit
