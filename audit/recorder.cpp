#include "audit/recorder.h"

#include <algorithm>
#include <random>

#include "common/identifiers.h"

namespace sealstack::audit {

namespace {

constexpr char kTrackingStart[] = "tracking_start_us";
constexpr auto kTrimInterval = std::chrono::seconds(1);
constexpr int kWriteAttempts = 3;
// How often the writer sweeps the shards when nobody waits for it: one transaction and one
// wake-up per interval under load, instead of one per event.
constexpr auto kSweepInterval = std::chrono::milliseconds(10);

// The shard of the calling thread: assigned round-robin on first use.
size_t ShardIndex(size_t shards) {
  static std::atomic<size_t> next{0};
  thread_local size_t index = next.fetch_add(1, std::memory_order_relaxed);
  return index % shards;
}

int64_t ToMicros(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
SystemTime FromMicros(int64_t us) {
  return SystemTime(std::chrono::microseconds(us));
}

// Event ids are identifiers, not secrets: a per-thread PRNG keeps them off the request path's
// cost (no system call per event).
// A UUID in version 7's layout: 48 bits of Unix milliseconds (the host's clock), then random
// bits. Ids made later sort later, so the unique index on event_id grows at its right edge; with
// random (version 4) ids every insert dirtied a random leaf page, which made the audit writer,
// not the calls it records, the limit of sustained KMS-through-S3 throughput.
std::string NewEventId() {
  thread_local std::mt19937_64 rng{
      std::random_device{}() ^
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())};
  const uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  const uint64_t hi = (ms << 16) | (rng() & 0xffffULL);
  return FormatUuid(hi, rng(), 7);
}

}  // namespace

Recorder::Recorder(storage::Database& db, std::shared_ptr<const Clock> clock, RecordSealer sealer,
                   RecorderOptions options)
    : db_(db), clock_(std::move(clock)), sealer_(std::move(sealer)), options_(options) {}

Result<std::unique_ptr<Recorder>> Recorder::Open(storage::Database& db,
                                                 std::shared_ptr<const Clock> clock,
                                                 const crypto::SecretBytes& root_key,
                                                 RecorderOptions options) {
  SEALSTACK_ASSIGN_OR_RETURN(RecordSealer sealer, RecordSealer::Create(root_key));
  std::unique_ptr<Recorder> r(new Recorder(db, std::move(clock), std::move(sealer), options));
  SEALSTACK_RETURN_IF_ERROR(r->SealPlainRecords());
  SystemTime tracking_start;
  int64_t stored_bytes = 0;
  SEALSTACK_RETURN_IF_ERROR(db.WithTransaction([&](storage::Connection& c) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(auto start, storage::AuditRepo::GetMeta(c, kTrackingStart));
    if (start) {
      tracking_start = FromMicros(std::stoll(*start));
    } else {
      tracking_start = r->clock_->Now();
      SEALSTACK_RETURN_IF_ERROR(
          storage::AuditRepo::PutMeta(c, kTrackingStart, std::to_string(ToMicros(tracking_start))));
    }
    SEALSTACK_ASSIGN_OR_RETURN(stored_bytes, storage::AuditRepo::TotalSize(c));
    return Status::Ok();
  }));
  {
    MutexLock lock(r->mu_);
    r->tracking_start_ = tracking_start;
    r->stored_bytes_ = stored_bytes;
  }
  SEALSTACK_RETURN_IF_ERROR(r->Trim());
  r->writer_ = std::thread([p = r.get()] { p->WriterLoop(); });
  return r;
}

Recorder::~Recorder() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_writer_.SignalAll();
  if (writer_.joinable()) writer_.join();
}

void Recorder::Stamp(Event* e) const {
  if (e->event_id.empty()) e->event_id = NewEventId();
  // Millisecond precision, as LookupEvents' EventTime carries it (the record's eventTime shows
  // whole seconds, as CloudTrail's does).
  if (e->time == SystemTime{}) {
    e->time = std::chrono::floor<std::chrono::milliseconds>(clock_->Now());
  }
}

// Data directories written before records were sealed hold plain JSON: seal it in place, a
// batch per transaction, so no plaintext record survives the first start of this version.
Status Recorder::SealPlainRecords() {
  constexpr int64_t kBatch = 500;
  for (;;) {
    bool more = false;
    SEALSTACK_RETURN_IF_ERROR(db_.WithTransaction([&](storage::Connection& c) -> Status {
      SEALSTACK_ASSIGN_OR_RETURN(auto rows, storage::AuditRepo::PlainRecords(c, kBatch));
      for (const auto& row : rows) {
        SEALSTACK_ASSIGN_OR_RETURN(std::string sealed, sealer_.Seal(row.event_id, row.json));
        SEALSTACK_RETURN_IF_ERROR(storage::AuditRepo::ReplaceJson(c, row.seq, sealed));
      }
      more = static_cast<int64_t>(rows.size()) == kBatch;
      return Status::Ok();
    }));
    if (!more) return Status::Ok();
  }
}

Result<storage::AuditEventRow> Recorder::ToRow(const Event& e) const {
  storage::AuditEventRow row;
  row.event_id = e.event_id;
  row.event_time_us = ToMicros(e.time);
  row.account = RecipientAccount(e);
  row.event_source = e.event_source;
  row.event_name = e.event_name;
  row.read_only = e.read_only;
  row.username = UsernameOf(*e.principal);
  row.access_key_id = e.principal->access_key_id;
  row.error_code = e.error_code;
  SEALSTACK_ASSIGN_OR_RETURN(row.json, sealer_.Seal(e.event_id, RenderCloudTrailJson(e)));
  for (const auto& r : e.resources) row.resources.push_back({r.type, r.arn});
  return row;
}

std::string Recorder::Record(Event e) {
  Stamp(&e);
  std::string id = e.event_id;
  if (queued_.load(std::memory_order_relaxed) >= options_.queue_capacity) {
    // Back-pressure: wait until the writer has taken the queue (not until it has written it, so
    // callers keep producing while it writes; memory stays under twice the capacity).
    MutexLock lock(mu_);
    ++full_waiters_;
    ++flush_requests_;
    wake_writer_.Signal();
    while (queued_.load(std::memory_order_relaxed) >= options_.queue_capacity && !writer_done_) {
      progress_.Wait(lock);
    }
    --full_waiters_;
  }
  Shard& shard = shards_[ShardIndex(kShards)];
  {
    MutexLock lock(shard.mu);
    shard.events.push_back(std::move(e));
  }
  queued_.fetch_add(1, std::memory_order_relaxed);
  return id;
}

Status Recorder::RecordIn(storage::Connection& conn, Event e) {
  Stamp(&e);
  SEALSTACK_ASSIGN_OR_RETURN(storage::AuditEventRow row, ToRow(e));
  SEALSTACK_RETURN_IF_ERROR(storage::AuditRepo::Insert(conn, &row));
  MutexLock lock(mu_);
  stored_bytes_ += static_cast<int64_t>(row.json.size());
  return Status::Ok();
}

Status Recorder::Flush() {
  // Every event pushed before this call is in a shard when the sweep that covers this request
  // starts (the writer reads flush_requests_ before it empties the shards).
  MutexLock lock(mu_);
  if (writer_done_) return Status::Ok();
  const uint64_t target = ++flush_requests_;
  wake_writer_.Signal();
  while (sweeps_done_ < target && !writer_done_) progress_.Wait(lock);
  return Status::Ok();
}

Status Recorder::WriteBatch(std::vector<Event>& batch) {
  std::vector<storage::AuditEventRow> rows;
  rows.reserve(batch.size());
  int64_t bytes = 0;
  for (const auto& e : batch) {
    SEALSTACK_ASSIGN_OR_RETURN(storage::AuditEventRow row, ToRow(e));
    bytes += static_cast<int64_t>(row.json.size());
    rows.push_back(std::move(row));
  }
  Status st;
  for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
    st = db_.WithTransaction([&](storage::Connection& c) -> Status {
      for (auto& row : rows) SEALSTACK_RETURN_IF_ERROR(storage::AuditRepo::Insert(c, &row));
      return Status::Ok();
    });
    if (st.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20 << attempt));
  }
  if (st.ok()) {
    MutexLock lock(mu_);
    stored_bytes_ += bytes;
  }
  return st;
}

void Recorder::WriterLoop() {
  std::vector<Event> batch, taken;
  for (;;) {
    uint64_t covers = 0;
    bool stopping = false;
    {
      MutexLock lock(mu_);
      const auto deadline = std::chrono::steady_clock::now() + kSweepInterval;
      while (!stopping_ && flush_requests_ <= sweeps_done_ &&
             wake_writer_.WaitUntil(lock, deadline)) {
      }
      covers = flush_requests_;
      stopping = stopping_;
    }
    // One sweep: take every shard's events, write them in batches.
    batch.clear();
    for (auto& shard : shards_) {
      {
        MutexLock lock(shard.mu);
        taken.swap(shard.events);
      }
      for (auto& e : taken) batch.push_back(std::move(e));
      taken.clear();
    }
    queued_.fetch_sub(batch.size(), std::memory_order_relaxed);
    {
      // Through mu_, so a Record about to wait on a full queue cannot miss this wake-up.
      MutexLock lock(mu_);
    }
    progress_.SignalAll();
    Status st;
    for (size_t i = 0; i < batch.size(); i += options_.batch_size) {
      std::vector<Event> part(
          std::make_move_iterator(batch.begin() + static_cast<ptrdiff_t>(i)),
          std::make_move_iterator(batch.begin() + static_cast<ptrdiff_t>(std::min(
                                                      batch.size(), i + options_.batch_size))));
      Status one = WriteBatch(part);
      if (!one.ok()) st = one;
    }
    bool trim_due = false;
    {
      MutexLock lock(mu_);
      if (!st.ok()) ++write_failures_;
      sweeps_done_ = covers;
      const auto now = std::chrono::steady_clock::now();
      trim_due = !batch.empty() &&
                 (stored_bytes_ > options_.max_bytes || now - last_trim_ >= kTrimInterval);
    }
    progress_.SignalAll();
    if (trim_due) (void)Trim();
    if (stopping && queued_.load() == 0) break;
  }
  {
    MutexLock lock(mu_);
    writer_done_ = true;
  }
  progress_.SignalAll();
}

Status Recorder::TrimIn(storage::Connection& c) {
  const int64_t cutoff = ToMicros(clock_->Now() - std::chrono::hours(24) * options_.retention_days);
  SEALSTACK_ASSIGN_OR_RETURN(int64_t freed, storage::AuditRepo::DeleteBefore(c, cutoff));
  int64_t stored;
  {
    MutexLock lock(mu_);
    stored_bytes_ -= freed;
    stored = stored_bytes_;
  }
  if (stored > options_.max_bytes) {
    SEALSTACK_ASSIGN_OR_RETURN(stored, storage::AuditRepo::TotalSize(c));
    if (stored > options_.max_bytes) {
      // Down to 90% of the bound, so that trimming is not due again at the next event.
      const int64_t target = options_.max_bytes - options_.max_bytes / 10;
      SEALSTACK_ASSIGN_OR_RETURN(int64_t more,
                                 storage::AuditRepo::DeleteOldest(c, stored - target));
      stored -= more;
    }
    MutexLock lock(mu_);
    stored_bytes_ = stored;
  }
  return Status::Ok();
}

Status Recorder::Trim() {
  {
    MutexLock lock(mu_);
    last_trim_ = std::chrono::steady_clock::now();
  }
  return db_.WithTransaction([&](storage::Connection& c) { return TrimIn(c); });
}

Result<LookupPage> Recorder::Lookup(storage::AuditFilter filter) {
  SEALSTACK_RETURN_IF_ERROR(Flush());
  SEALSTACK_RETURN_IF_ERROR(Trim());
  const int64_t limit = filter.limit;
  filter.limit = limit + 1;
  LookupPage page;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& c) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(page.events, storage::AuditRepo::Query(c, filter));
    return Status::Ok();
  }));
  for (auto& row : page.events) {
    SEALSTACK_ASSIGN_OR_RETURN(row.json, sealer_.Open(row.event_id, row.json));
  }
  if (static_cast<int64_t>(page.events.size()) > limit) {
    page.events.resize(static_cast<size_t>(limit));
    const auto& last = page.events.back();
    page.next = std::make_pair(last.event_time_us, last.seq);
  }
  return page;
}

Status Recorder::ForEachJson(
    const std::string& account, int64_t upto,
    const std::function<bool(const std::vector<std::string>&, int64_t last_seq)>& fn) {
  SEALSTACK_RETURN_IF_ERROR(Flush());
  SEALSTACK_RETURN_IF_ERROR(Trim());
  int64_t after = 0;
  constexpr int64_t kPage = 500;
  for (;;) {
    std::vector<std::string> lines;
    int64_t last = after;
    Status opened;
    SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& c) -> Status {
      SEALSTACK_ASSIGN_OR_RETURN(
          last, storage::AuditRepo::ForEachJson(c, account, after, upto, kPage,
                                                [&](std::string_view id, std::string_view j) {
                                                  auto json = sealer_.Open(id, j);
                                                  if (json.ok()) {
                                                    lines.push_back(std::move(*json));
                                                  } else if (opened.ok()) {
                                                    opened = json.status();
                                                  }
                                                }));
      return Status::Ok();
    }));
    SEALSTACK_RETURN_IF_ERROR(opened);
    if (lines.empty()) return Status::Ok();
    if (!fn(lines, last)) return Status::Ok();
    after = last;
  }
}

Result<std::optional<LastUse>> Recorder::LastUseOf(const std::string& resource_arn,
                                                   std::string_view event_source,
                                                   const std::vector<std::string>& names) {
  SEALSTACK_RETURN_IF_ERROR(Flush());
  std::optional<storage::AuditEventRow> row;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& c) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(
        row, storage::AuditRepo::LastSuccessful(c, resource_arn, std::string(event_source), names));
    return Status::Ok();
  }));
  if (!row) return std::optional<LastUse>();
  const SystemTime cutoff = clock_->Now() - std::chrono::hours(24) * options_.retention_days;
  if (FromMicros(row->event_time_us) < cutoff) return std::optional<LastUse>();
  return std::optional<LastUse>(
      LastUse{row->event_name, FromMicros(row->event_time_us), row->event_id});
}

SystemTime Recorder::TrackingStart() const {
  const SystemTime floor = clock_->Now() - std::chrono::hours(24) * options_.retention_days;
  MutexLock lock(mu_);
  return std::max(tracking_start_, floor);
}

Status Recorder::Clear(const std::string& account) {
  SEALSTACK_RETURN_IF_ERROR(Flush());
  const SystemTime now = clock_->Now();
  int64_t stored = 0;
  SEALSTACK_RETURN_IF_ERROR(db_.WithTransaction([&](storage::Connection& c) -> Status {
    SEALSTACK_RETURN_IF_ERROR(storage::AuditRepo::DeleteAll(c, account));
    if (account.empty()) {
      SEALSTACK_RETURN_IF_ERROR(
          storage::AuditRepo::PutMeta(c, kTrackingStart, std::to_string(ToMicros(now))));
    }
    SEALSTACK_ASSIGN_OR_RETURN(stored, storage::AuditRepo::TotalSize(c));
    return Status::Ok();
  }));
  MutexLock lock(mu_);
  stored_bytes_ = stored;
  if (account.empty()) tracking_start_ = now;
  return Status::Ok();
}

uint64_t Recorder::write_failures() const {
  MutexLock lock(mu_);
  return write_failures_;
}

}  // namespace sealstack::audit
