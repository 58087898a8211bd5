// Unit tests for api/s3/object_store.h: round trips, ranges, visibility, abort/replace cleanup,
// concurrent writers, crash sweep, tampering, data at rest, bounded writer memory, multipart.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/s3/object_store.h"
#include "api/s3/s3_errors.h"
#include "crypto/checksum.h"
#include "crypto/digest.h"
#include "crypto/keywrap.h"
#include "crypto/random.h"
#include "storage/body_files.h"
#include "storage/db.h"
#include "storage/s3_repo.h"
#include "tests/unit/test_util.h"

namespace sealstack::api::s3 {
namespace {

namespace fs = std::filesystem;
using crypto::SecretBytes;
using storage::Connection;
using storage::Database;
using storage::S3Repo;

constexpr uint32_t kSeg = crypto::kDefaultSegmentSize;

// Deterministic, non-repeating bytes: a different stream per seed.
std::string Bytes(size_t n, uint64_t seed) {
  std::string out(n, '\0');
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out[i] = static_cast<char>(x >> 24);
  }
  return out;
}

// A database, a store over it and a bucket "b".
struct Env {
  explicit Env(ObjectStoreOptions options = {}, std::string path = "")
      : options_(options), path_(std::move(path)) {
    Open();
    Status created = db->WithTransaction([](Connection& c) {
      return S3Repo::CreateBucket(c, {"b", "111122223333", "us-east-1", 1.0, "{}"});
    });
    REQUIRE((created.ok() || created.code() == StatusCode::kAlreadyExists));  // a re-opened file
    key = *random.Secret(32);
  }

  void Open() {
    storage::DatabaseOptions o;
    if (path_.empty()) {
      o.in_memory = true;
    } else {
      o.path = path_;
    }
    auto opened = Database::Open(o);
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    db = std::move(opened).value();
    store = std::make_unique<ObjectStore>(*db, random, clock, options_);
  }
  void Close() {
    store.reset();
    db.reset();
  }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    REQUIRE(db->WithConnection([&](Connection& c) {
                return c.QueryOne(sql, {}, [&](const storage::Row& r) {
                  n = r.ColumnInt64(0);
                  return Status::Ok();
                });
              }).ok());
    return n;
  }
  int64_t Segments() { return Count("SELECT count(*) FROM s3_object_segments"); }
  int64_t Pending() { return Count("SELECT count(*) FROM s3_pending_bodies"); }

  ObjectInfo MustPut(const std::string& k, const std::string& body) {
    auto info = store->Put("b", k, key, body, {.wrapped_key = "wk", .doc = "{}"});
    INFO(info.status().ToString());
    REQUIRE(info.ok());
    return *info;
  }

  Result<std::string> ReadAll(const ObjectInfo& info, std::optional<ByteRange> range = {},
                              const SecretBytes* with_key = nullptr) {
    std::string out;
    Status s = store->Read(info, with_key ? *with_key : key, range, [&](std::string_view p) {
      out.append(p);
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  std::string MustRead(const std::string& k, std::optional<ByteRange> range = {}) {
    auto info = store->Head("b", k);
    INFO(info.status().ToString());
    REQUIRE(info.ok());
    auto body = ReadAll(*info, range);
    INFO(body.status().ToString());
    REQUIRE(body.ok());
    return *body;
  }

  ObjectStoreOptions options_;
  std::string path_;
  crypto::SeededRandom random{uint64_t{42}};
  FakeClock clock{SystemTime(std::chrono::seconds(1'700'000'000))};
  std::unique_ptr<Database> db;
  std::unique_ptr<ObjectStore> store;
  SecretBytes key;
};

uint64_t SegmentCount(uint64_t size, uint32_t seg) {
  return size == 0 ? 1 : (size + seg - 1) / seg;
}

// Interesting offsets for an object of `size` bytes cut into `seg`-byte segments.
std::vector<uint64_t> Boundaries(uint64_t size, uint32_t seg) {
  std::set<uint64_t> points = {0, 1, size / 2};
  for (uint64_t b = seg; b < size + seg; b += seg) {
    for (int64_t d : {-2, -1, 0, 1}) {
      int64_t p = static_cast<int64_t>(b) + d;
      if (p >= 0) points.insert(static_cast<uint64_t>(p));
    }
  }
  points.insert(size - 1);
  points.insert(size >= 2 ? size - 2 : 0);
  std::vector<uint64_t> out;
  for (uint64_t p : points) {
    if (p < size) out.push_back(p);
  }
  return out;
}

// Checks every pair of boundary points plus `random_ranges` random ranges.
void CheckRanges(Env& env, const ObjectInfo& info, const std::string& plain, uint32_t seg,
                 int random_ranges) {
  if (plain.empty()) return;
  std::vector<uint64_t> points = Boundaries(plain.size(), seg);
  std::vector<ByteRange> ranges;
  for (uint64_t a : points) {
    for (uint64_t b : points) {
      if (a <= b) ranges.push_back({a, b});
    }
  }
  std::mt19937_64 rng(plain.size());
  for (int i = 0; i < random_ranges; ++i) {
    uint64_t a = rng() % plain.size();
    uint64_t b = rng() % plain.size();
    ranges.push_back({std::min(a, b), std::max(a, b)});
  }
  for (const ByteRange& r : ranges) {
    auto got = env.ReadAll(info, r);
    INFO("size " << plain.size() << " range [" << r.first << ", " << r.last << "]");
    REQUIRE(got.ok());
    REQUIRE(*got == plain.substr(r.first, r.last - r.first + 1));
  }
}

TEST_CASE("ObjectStore: round trip at segment-boundary sizes", "[s3][object_store]") {
  Env env;
  const std::vector<uint64_t> sizes = {0, 1, kSeg - 1, kSeg, kSeg + 1, kSeg * 7 / 2, 10 << 20};
  for (uint64_t size : sizes) {
    INFO("size " << size);
    const std::string key = "obj-" + std::to_string(size);
    const std::string plain = Bytes(size, size);
    ObjectInfo put = env.MustPut(key, plain);
    CHECK(put.size == size);
    CHECK(put.etag == crypto::Hex(crypto::Md5(plain)));
    CHECK(put.segment_size == kSeg);
    CHECK(put.version_id == "null");  // no version asked for: the null version

    auto head = env.store->Head("b", key);
    REQUIRE(head.ok());
    CHECK(head->size == size);
    CHECK(head->etag == put.etag);
    CHECK(head->wrapped_key == "wk");
    CHECK(head->version_id == put.version_id);
    CHECK(head->created_at == env.clock.Now());
    REQUIRE(head->extents.size() == 1);
    CHECK(env.Count("SELECT count(*) FROM s3_object_segments WHERE object_id = " +
                    std::to_string(head->extents[0].object_id)) ==
          static_cast<int64_t>(SegmentCount(size, kSeg)));
    CHECK(env.MustRead(key) == plain);
  }
  CHECK(env.Pending() == 0);
  // A range outside the object, or any range of an empty object, is the caller's mistake.
  auto empty = env.store->Head("b", "obj-0");
  REQUIRE(empty.ok());
  CHECK(env.ReadAll(*empty, ByteRange{0, 0}).status().code() == StatusCode::kInvalidArgument);
  auto one = env.store->Head("b", "obj-1");
  REQUIRE(one.ok());
  CHECK(env.ReadAll(*one, ByteRange{0, 1}).status().code() == StatusCode::kInvalidArgument);
  CHECK(env.ReadAll(*one, ByteRange{1, 0}).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("ObjectStore: every sampled range equals the plaintext slice", "[s3][object_store]") {
  SECTION("default segments") {
    Env env;
    for (uint64_t size : {uint64_t{1}, uint64_t{kSeg - 1}, uint64_t{kSeg}, uint64_t{kSeg + 1},
                          uint64_t{kSeg * 7 / 2}}) {
      const std::string plain = Bytes(size, size + 7);
      ObjectInfo info = env.MustPut("k", plain);
      CheckRanges(env, info, plain, kSeg, 100);
    }
  }
  SECTION("small segments, small read batches") {
    Env env({.segment_size = 16, .write_batch_segments = 3, .read_batch_segments = 2});
    for (uint64_t size : {uint64_t{15}, uint64_t{16}, uint64_t{17}, uint64_t{100}, uint64_t{257}}) {
      const std::string plain = Bytes(size, size);
      ObjectInfo info = env.MustPut("k", plain);
      CHECK(env.Segments() == static_cast<int64_t>(SegmentCount(size, 16)));
      CheckRanges(env, info, plain, 16, 200);
    }
  }
}

TEST_CASE("ObjectStore: the writer computes size, MD5 and checksum while streaming",
          "[s3][object_store]") {
  Env env;
  const std::string plain = Bytes(3 * kSeg + 5, 9);
  auto w = env.store->NewObjectWriter("b", "k", env.key,
                                      {.checksum = crypto::ChecksumAlgorithm::kCrc32c});
  REQUIRE(w.ok());
  for (size_t at = 0; at < plain.size(); at += 1000) {
    REQUIRE((*w)->Append(std::string_view(plain).substr(at, 1000)).ok());
  }
  CHECK((*w)->size() == plain.size());
  auto body = (*w)->Finish();
  REQUIRE(body.ok());
  crypto::Checksum crc(crypto::ChecksumAlgorithm::kCrc32c);
  crc.Update(plain);
  CHECK(body->size == plain.size());
  CHECK(body->md5 == crypto::Md5(plain));
  CHECK(body->checksum == crc.DigestBase64());
  CHECK((*w)->Append("more").code() == StatusCode::kFailedPrecondition);
  // Finish is idempotent; Commit after it uses the caller's etag when given.
  CHECK((*w)->Finish()->md5 == body->md5);
  auto info =
      (*w)->Commit({.version_id = "v1", .wrapped_key = "wk", .doc = "{\"a\":1}", .etag = "custom"});
  REQUIRE(info.ok());
  CHECK(info->version_id == "v1");
  CHECK(info->etag == "custom");
  CHECK((*w)->Commit({}).status().code() == StatusCode::kFailedPrecondition);
  CHECK((*w)->CommitPart().status().code() == StatusCode::kFailedPrecondition);
  CHECK(env.MustRead("k") == plain);
  CHECK(env.store->Head("b", "k")->doc == "{\"a\":1}");
}

TEST_CASE("ObjectStore: a reader sees nothing, or the old object, until the commit",
          "[s3][object_store]") {
  Env env({.segment_size = 1024, .write_batch_segments = 2});
  const std::string v1 = Bytes(5000, 1);
  const std::string v2 = Bytes(9000, 2);

  auto w = env.store->NewObjectWriter("b", "k", env.key);
  REQUIRE(w.ok());
  REQUIRE((*w)->Append(std::string_view(v1).substr(0, 4000)).ok());
  CHECK(env.Segments() > 0);  // stored, but not visible
  CHECK(env.store->Head("b", "k").status().code() == StatusCode::kNotFound);
  CHECK(env.store->List("b", {})->objects.empty());
  REQUIRE((*w)->Append(std::string_view(v1).substr(4000)).ok());
  REQUIRE((*w)->Commit({}).ok());
  CHECK(env.MustRead("k") == v1);

  auto old = env.store->Head("b", "k");
  REQUIRE(old.ok());
  auto w2 = env.store->NewObjectWriter("b", "k", env.key);
  REQUIRE(w2.ok());
  REQUIRE((*w2)->Append(v2).ok());
  REQUIRE((*w2)->Finish().ok());
  // Everything of v2 is stored; readers still get v1 until the commit.
  CHECK(env.MustRead("k") == v1);
  CHECK(env.ReadAll(*old).value() == v1);
  CHECK(env.store->Head("b", "k")->version_id == old->version_id);
  REQUIRE((*w2)->Commit({}).ok());
  CHECK(env.MustRead("k") == v2);
  // A reader holding the old object's info learns it is gone (retry from Head), never data.
  auto stale = env.ReadAll(*old);
  CHECK(stale.status().code() == StatusCode::kUnavailable);
}

TEST_CASE("ObjectStore: abort, destruction and failures leave no segments", "[s3][object_store]") {
  Env env({.segment_size = 1024, .write_batch_segments = 4});
  const std::string plain = Bytes(20 * 1024 + 3, 3);
  SECTION("Abort") {
    auto w = env.store->NewObjectWriter("b", "k", env.key);
    REQUIRE(w.ok());
    REQUIRE((*w)->Append(plain).ok());
    CHECK(env.Segments() >= 16);
    CHECK(env.Pending() == 1);
    REQUIRE((*w)->Abort().ok());
    CHECK((*w)->Append("x").code() == StatusCode::kFailedPrecondition);
    CHECK((*w)->Commit({}).status().code() == StatusCode::kFailedPrecondition);
  }
  SECTION("destroyed uncommitted") {
    auto w = env.store->NewObjectWriter("b", "k", env.key);
    REQUIRE(w.ok());
    REQUIRE((*w)->Append(plain).ok());
    REQUIRE((*w)->Finish().ok());
  }
  SECTION("commit into a missing bucket") {
    auto w = env.store->NewObjectWriter("nobucket", "k", env.key);
    REQUIRE(w.ok());
    REQUIRE((*w)->Append(plain).ok());
    CHECK((*w)->Commit({}).status().code() == StatusCode::kNotFound);
    CHECK((*w)->Commit({}).status().code() == StatusCode::kNotFound);  // sticks
  }
  SECTION("body swept while being written") {
    auto w = env.store->NewObjectWriter("b", "k", env.key);
    REQUIRE(w.ok());
    REQUIRE((*w)->Append(plain).ok());
    REQUIRE(env.store->SweepOrphans().ok());
    CHECK((*w)->Append(plain).code() == StatusCode::kFailedPrecondition);
  }
  SECTION("bad data key") {
    auto w = env.store->NewObjectWriter("b", "k", SecretBytes(16));
    CHECK(w.status().code() == StatusCode::kInvalidArgument);
  }
  CHECK(env.Segments() == 0);
  CHECK(env.Pending() == 0);
  CHECK(env.store->Head("b", "k").status().code() == StatusCode::kNotFound);
}

TEST_CASE("ObjectStore: replacing or deleting an object deletes its segments",
          "[s3][object_store]") {
  Env env({.segment_size = 1024});
  env.MustPut("other", Bytes(3000, 9));
  const int64_t other_segments = env.Segments();
  env.MustPut("k", Bytes(10 * 1024, 1));
  CHECK(env.Segments() == other_segments + 10);
  env.MustPut("k", Bytes(2 * 1024 + 1, 2));
  CHECK(env.Segments() == other_segments + 3);
  CHECK(env.MustRead("k") == Bytes(2 * 1024 + 1, 2));
  CHECK(env.Count("SELECT count(*) FROM s3_object_extents") == 2);

  CHECK(env.store->Delete("b", "k").value() == true);
  CHECK(env.store->Delete("b", "k").value() == false);
  CHECK(env.Segments() == other_segments);
  CHECK(env.store->Head("b", "k").status().code() == StatusCode::kNotFound);
  CHECK(env.MustRead("other") == Bytes(3000, 9));
}

TEST_CASE("ObjectStore: concurrent writers of one key end with one complete object",
          "[s3][object_store]") {
  TempDir dir{"sealstack-s3-test"};
  Env env({.segment_size = 1024, .write_batch_segments = 4}, dir.File("s3.db"));
  constexpr int kWriters = 8;
  const size_t size = 1024 * 7 / 2 * 10;  // 35 segments
  std::vector<std::string> bodies;
  for (int i = 0; i < kWriters; ++i) bodies.push_back(Bytes(size, 100 + i));

  std::vector<Status> results(kWriters);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      auto w = env.store->NewObjectWriter("b", "k", env.key);
      if (!w.ok()) {
        results[i] = w.status();
        return;
      }
      ++ready;
      while (ready.load() < kWriters) std::this_thread::yield();  // interleave the appends
      for (size_t at = 0; at < size; at += 777) {
        Status s = (*w)->Append(std::string_view(bodies[i]).substr(at, 777));
        if (!s.ok()) {
          results[i] = s;
          return;
        }
      }
      results[i] = (*w)->Commit({}).status();
    });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : results) {
    INFO(s.ToString());
    CHECK(s.ok());
  }
  const std::string got = env.MustRead("k");
  CHECK(std::count(bodies.begin(), bodies.end(), got) == 1);
  CHECK(env.Segments() == 35);  // only the winner's segments remain
  CHECK(env.Pending() == 0);
}

TEST_CASE("ObjectStore: start-up sweep removes what a crash left", "[s3][object_store]") {
  TempDir dir{"sealstack-s3-test"};
  const std::string path = dir.File("s3.db");
  Env env({.segment_size = 1024, .write_batch_segments = 4}, path);
  const std::string kept = Bytes(5000, 1);
  env.MustPut("kept", kept);
  const int64_t kept_segments = env.Segments();

  // A PUT in flight when the process dies: its pending row and flushed segments stay behind.
  auto w = env.store->NewObjectWriter("b", "crashed", env.key);
  REQUIRE(w.ok());
  REQUIRE((*w)->Append(Bytes(40 * 1024, 2)).ok());
  (*w)->AbandonForTesting();
  w->reset();
  // A part in flight too.
  auto upload = env.store->CreateMultipartUpload("b", "mp", "wk", "{}");
  REQUIRE(upload.ok());
  auto pw = env.store->NewPartWriter(upload->upload_id, 1, env.key);
  REQUIRE(pw.ok());
  REQUIRE((*pw)->Append(Bytes(9 * 1024, 3)).ok());
  (*pw)->AbandonForTesting();
  pw->reset();
  // And segments nobody owns at all (e.g. written by an older build).
  REQUIRE(env.db
              ->WithTransaction([](Connection& c) {
                return c
                    .Execute(
                        "INSERT INTO s3_object_segments (object_id, seq, sealed) "
                        "VALUES (999999, 0, x'00'), (999999, 1, x'01')")
                    .status();
              })
              .ok());
  CHECK(env.Pending() == 2);
  CHECK(env.Segments() == kept_segments + 36 + 8 + 2);

  env.Close();
  env.Open();  // "restart"
  auto swept = env.store->SweepOrphans();
  REQUIRE(swept.ok());
  CHECK(swept->pending_bodies == 2);
  // 39 of the crashed PUT's 40 segments were sealed, 36 of them stored (batches of 4); 8 of the
  // part's 9 were sealed and stored; plus the 2 unowned ones.
  CHECK(swept->segments == 36 + 8 + 2);
  CHECK(env.Pending() == 0);
  CHECK(env.Segments() == kept_segments);
  CHECK(env.MustRead("kept") == kept);
  CHECK(env.store->Head("b", "crashed").status().code() == StatusCode::kNotFound);
  // The upload itself survives (S3 keeps uploads until aborted); its part is gone.
  CHECK(env.store->ListParts(upload->upload_id)->parts.empty());
  // A second sweep finds nothing.
  CHECK(env.store->SweepOrphans()->segments == 0);
}

TEST_CASE("ObjectStore: a sweep with a cutoff spares young writers", "[s3][object_store]") {
  Env env({.segment_size = 1024, .write_batch_segments = 1});
  auto w = env.store->NewObjectWriter("b", "k", env.key);
  REQUIRE(w.ok());
  REQUIRE((*w)->Append(Bytes(4096, 1)).ok());
  auto swept = env.store->SweepOrphans(env.clock.Now());
  REQUIRE(swept.ok());
  CHECK(swept->pending_bodies == 0);
  CHECK(swept->segments == 0);
  REQUIRE((*w)->Commit({}).ok());
  CHECK(env.MustRead("k") == Bytes(4096, 1));
}

void FlipByte(Database& db, int64_t object_id, int64_t seq, size_t at) {
  REQUIRE(db.WithTransaction([&](Connection& c) -> Status {
              std::string sealed;
              SEALSTACK_RETURN_IF_ERROR(c.QueryOne(
                  "SELECT sealed FROM s3_object_segments WHERE object_id = :id AND seq = :seq",
                  {{"id", object_id}, {"seq", seq}}, [&](const storage::Row& r) {
                    sealed = std::string(r.ColumnBlob(0));
                    return Status::Ok();
                  }));
              sealed[at % sealed.size()] ^= 0x01;
              return c
                  .Execute(
                      "UPDATE s3_object_segments SET sealed = :s WHERE object_id = :id AND "
                      "seq = :seq",
                      {{"s", storage::Value::Blob(sealed)}, {"id", object_id}, {"seq", seq}})
                  .status();
            }).ok());
}

TEST_CASE("ObjectStore: a read hands out whole verified batches, up to the tampered one",
          "[s3][object_store]") {
  Env env({.segment_size = 1024});
  const std::string plain = Bytes(20 * 1024, 7);  // 20 segments: a batch of 16, then 4
  ObjectInfo info = env.MustPut("k", plain);
  FlipByte(*env.db, info.extents[0].object_id, 17, 5);
  std::vector<size_t> pieces;
  std::string delivered;
  Status s = env.store->Read(info, env.key, std::nullopt, [&](std::string_view p) {
    pieces.push_back(p.size());
    delivered.append(p);
    return Status::Ok();
  });
  CHECK(s.code() == StatusCode::kIntegrity);
  CHECK(pieces == std::vector<size_t>{16 * 1024});  // one piece per batch
  CHECK(delivered == plain.substr(0, 16 * 1024));
  // A range that starts and ends inside segments is clipped at both ends of its batch.
  pieces.clear();
  delivered.clear();
  REQUIRE(env.store
              ->Read(info, env.key, ByteRange{1000, 16 * 1024 + 10},
                     [&](std::string_view p) {
                       pieces.push_back(p.size());
                       delivered.append(p);
                       return Status::Ok();
                     })
              .ok());
  CHECK(pieces == std::vector<size_t>{16 * 1024 - 1000, 11});
  CHECK(delivered == plain.substr(1000, 16 * 1024 + 11 - 1000));
}

TEST_CASE("ObjectStore: tampering fails with Integrity, other objects unaffected",
          "[s3][object_store]") {
  Env env({.segment_size = 1024});
  const std::string plain = Bytes(4 * 1024 + 100, 5);
  const std::string other = Bytes(3000, 6);
  ObjectInfo info = env.MustPut("k", plain);
  env.MustPut("other", other);
  const int64_t id = info.extents[0].object_id;
  std::string delivered;
  auto read = [&](std::optional<ByteRange> r) {
    delivered.clear();
    return env.store->Read(info, env.key, r, [&](std::string_view p) {
      delivered.append(p);
      return Status::Ok();
    });
  };

  SECTION("a flipped byte in a segment") {
    FlipByte(*env.db, id, 1, 17);
    CHECK(read(std::nullopt).code() == StatusCode::kIntegrity);
    // Only verified bytes go out, a read batch (16 segments here) at a time: the flipped
    // segment is in the first batch, so none of it went out.
    CHECK(delivered.empty());
    CHECK(read(ByteRange{1024, 1024}).code() == StatusCode::kIntegrity);
    CHECK(read(ByteRange{0, 1023}).ok());  // the untouched segment still verifies
    CHECK(delivered == plain.substr(0, 1024));
  }
  SECTION("a flipped tag byte in the last segment") {
    FlipByte(*env.db, id, 4, 100 + 3);
    CHECK(read(std::nullopt).code() == StatusCode::kIntegrity);
    CHECK(read(ByteRange{4 * 1024, 4 * 1024 + 99}).code() == StatusCode::kIntegrity);
  }
  SECTION("a missing segment") {
    REQUIRE(env.db
                ->WithTransaction([&](Connection& c) {
                  return c
                      .Execute(
                          "DELETE FROM s3_object_segments WHERE object_id = :id AND "
                          "seq = 2",
                          {{"id", id}})
                      .status();
                })
                .ok());
    CHECK(read(std::nullopt).code() == StatusCode::kIntegrity);
    CHECK(read(ByteRange{2048, 2048}).code() == StatusCode::kIntegrity);
  }
  SECTION("two segments swapped") {
    REQUIRE(env.db
                ->WithTransaction([&](Connection& c) {
                  return c.Exec("UPDATE s3_object_segments SET seq = -1 WHERE object_id = " +
                                std::to_string(id) + " AND seq = 0; " +
                                "UPDATE s3_object_segments SET seq = 0 WHERE object_id = " +
                                std::to_string(id) + " AND seq = 1; " +
                                "UPDATE s3_object_segments SET seq = 1 WHERE object_id = " +
                                std::to_string(id) + " AND seq = -1;");
                })
                .ok());
    CHECK(read(std::nullopt).code() == StatusCode::kIntegrity);
    CHECK(delivered.empty());
  }
  SECTION("a segment spliced in from another object under the same key") {
    const int64_t other_id = env.store->Head("b", "other")->extents[0].object_id;
    REQUIRE(env.db
                ->WithTransaction([&](Connection& c) {
                  return c
                      .Execute(
                          "UPDATE s3_object_segments SET sealed = (SELECT sealed FROM "
                          "s3_object_segments WHERE object_id = :o AND seq = 0) "
                          "WHERE object_id = :id AND seq = 0",
                          {{"o", other_id}, {"id", id}})
                      .status();
                })
                .ok());
    CHECK(read(ByteRange{0, 0}).code() == StatusCode::kIntegrity);
  }
  SECTION("a tampered header or size in the metadata") {
    auto tampered = info;
    tampered.extents[0].header[12] ^= 0x01;
    CHECK(env.store
              ->Read(tampered, env.key, std::nullopt, [](std::string_view) { return Status::Ok(); })
              .code() == StatusCode::kIntegrity);
    REQUIRE(env.db
                ->WithTransaction([&](Connection& c) {
                  return c.Exec(
                      "UPDATE s3_objects SET size = size - 100 WHERE key = 'k'; "
                      "UPDATE s3_object_extents SET size = size - 100 WHERE version_seq IN "
                      "(SELECT seq FROM s3_objects WHERE key = 'k');");
                })
                .ok());
    auto lying = env.store->Head("b", "k");
    REQUIRE(lying.ok());
    CHECK(env.ReadAll(*lying).status().code() == StatusCode::kIntegrity);
  }
  SECTION("the wrong data key") {
    SecretBytes wrong = *env.random.Secret(32);
    CHECK(env.ReadAll(info, {}, &wrong).status().code() == StatusCode::kIntegrity);
  }
  CHECK(env.MustRead("other") == other);
}

// Every occurrence check for `needle` in `hay`.
bool Contains(std::string_view hay, std::string_view needle) {
  return !needle.empty() && hay.find(needle) != std::string_view::npos;
}

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST_CASE("ObjectStore: the database file holds neither plaintext nor the data key",
          "[s3][object_store]") {
  TempDir dir{"sealstack-s3-test"};
  const std::string path = dir.File("s3.db");
  Env env({.segment_size = 4096, .write_batch_segments = 4}, path);
  const std::string canary = "SEALSTACK-CANARY-PLAINTEXT-0123456789";
  std::string plain;
  for (int i = 0; plain.size() < 300 * 1024; ++i) plain += canary + std::to_string(i) + "\n";
  const SecretBytes root = *env.random.Secret(32);
  auto wrapped = crypto::WrapKey(root, "sse-s3-object", env.key, env.random);
  REQUIRE(wrapped.ok());
  REQUIRE(env.store->Put("b", "secret.txt", env.key, plain, {.wrapped_key = *wrapped}).ok());
  auto upload = env.store->CreateMultipartUpload("b", "mp", *wrapped, "{}");
  REQUIRE(upload.ok());
  auto pw = env.store->NewPartWriter(upload->upload_id, 1, env.key);
  REQUIRE(pw.ok());
  REQUIRE((*pw)->Append(plain).ok());
  REQUIRE((*pw)->CommitPart().ok());
  CHECK(env.MustRead("secret.txt") == plain);

  const std::vector<std::string> needles = {canary, plain.substr(5000, 64), env.key.Reveal(),
                                            crypto::Hex(env.key.view()),
                                            crypto::Base64(env.key.view())};
  // 1. Every column of every row of every table, through SQL.
  std::vector<std::string> tables;
  REQUIRE(env.db
              ->WithConnection([&](Connection& c) {
                return c.Query("SELECT name FROM sqlite_master WHERE type = 'table'", {},
                               [&](const storage::Row& r) {
                                 tables.push_back(r.ColumnString(0));
                                 return Status::Ok();
                               });
              })
              .ok());
  CHECK(std::count(tables.begin(), tables.end(), "s3_object_segments") == 1);
  int64_t cells = 0;
  for (const std::string& table : tables) {
    REQUIRE(env.db
                ->WithConnection([&](Connection& c) {
                  return c.Query("SELECT * FROM \"" + table + "\"", {}, [&](const storage::Row& r) {
                    for (int col = 0; col < r.ColumnCount(); ++col) {
                      std::string_view v = r.ColumnBlob(col);
                      ++cells;
                      for (const std::string& n : needles) {
                        INFO(table << " column " << col);
                        CHECK_FALSE(Contains(v, n));
                      }
                    }
                    return Status::Ok();
                  });
                })
                .ok());
  }
  CHECK(cells > 100);
  // 2. The raw bytes on disk: the database, its WAL (live) and shared memory file.
  auto scan_files = [&] {
    for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
      const std::string bytes = FileBytes(file);
      for (const std::string& n : needles) {
        INFO(file << " (" << bytes.size() << " bytes)");
        CHECK_FALSE(Contains(bytes, n));
      }
    }
  };
  CHECK(fs::exists(path + "-wal"));
  scan_files();
  env.Close();  // checkpoints the WAL into the file
  CHECK(fs::file_size(path) > plain.size());
  scan_files();
}

// ---- Bodies as files (storage/body_files.h), as the server runs on a data directory ----

// A file database with bodies under <dir>/bodies. With one segment per write batch, every
// body fills its first batch and so goes to a file.
struct FileEnv {
  explicit FileEnv(ObjectStoreOptions options = {.segment_size = 1024, .write_batch_segments = 1}) {
    auto files = storage::BodyFiles::Open(dir.File("bodies"));
    REQUIRE(files.ok());
    options.body_files = std::move(files).value();
    env = std::make_unique<Env>(options, dir.File("s3.db"));
  }
  const storage::BodyFiles& files() const { return *env->store->options().body_files; }
  bool HasFile(int64_t id) const { return fs::exists(files().PathOf(id)); }
  int64_t FileCount() const {
    int64_t n = 0;
    REQUIRE(files()
                .ForEach([&](int64_t) {
                  ++n;
                  return Status::Ok();
                })
                .ok());
    return n;
  }
  void FlipFileByte(int64_t id, uint64_t offset) const {
    std::fstream f(files().PathOf(id), std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(f.good());
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x01);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(&c, 1);
  }

  TempDir dir{"sealstack-s3-test"};
  std::unique_ptr<Env> env;
};

TEST_CASE("ObjectStore with body files: bodies larger than a write batch are files, others rows",
          "[s3][object_store][body_files]") {
  FileEnv fe({.segment_size = 1024, .write_batch_segments = 3, .read_batch_segments = 2});
  Env& env = *fe.env;
  int64_t row_segments = 0;
  for (uint64_t size : {uint64_t{0}, uint64_t{1}, uint64_t{1023}, uint64_t{1024}, uint64_t{1025},
                        uint64_t{2 * 1024 + 1}, uint64_t{3 * 1024}, uint64_t{3 * 1024 + 1},
                        uint64_t{7 * 1024 + 5}, uint64_t{40 * 1024}}) {
    const std::string plain = Bytes(size, size + 1);
    std::string key = "k";
    key += std::to_string(size);
    ObjectInfo info = env.MustPut(key, plain);
    const uint64_t segments = SegmentCount(size, 1024);
    INFO("size " << size << ", " << segments << " segments");
    if (segments > 3) {  // more than one batch of 3: a file from the first full batch
      REQUIRE(fe.HasFile(info.extents[0].object_id));
      // Segment k at k * (1024 + 16): the file is exactly the sealed segments.
      CHECK(fs::file_size(fe.files().PathOf(info.extents[0].object_id)) ==
            size + segments * crypto::kSegmentOverhead);
    } else {
      CHECK_FALSE(fe.HasFile(info.extents[0].object_id));
      row_segments += static_cast<int64_t>(segments);
    }
    CHECK(env.Segments() == row_segments);
    CHECK(env.MustRead(key) == plain);
    CheckRanges(env, info, plain, 1024, 20);
  }
  CHECK(env.Pending() == 0);
  // Replacing a row body by a file body and back frees each the right way.
  env.MustPut("k0", Bytes(10 * 1024, 7));
  env.MustPut("k40960", Bytes(10, 8));
  REQUIRE(env.store->RemoveFreedBodies().ok());
  CHECK(env.Segments() == row_segments - 1 + 1);
  CHECK(env.MustRead("k0") == Bytes(10 * 1024, 7));
  CHECK(env.MustRead("k40960") == Bytes(10, 8));
  CHECK(env.Count("SELECT count(*) FROM s3_freed_bodies") == 0);
}

TEST_CASE("ObjectStore with body files: freed bodies lose their files after the commit",
          "[s3][object_store][body_files]") {
  FileEnv fe;
  Env& env = *fe.env;
  const int64_t first = env.MustPut("k", Bytes(5000, 1)).extents[0].object_id;
  const int64_t other = env.MustPut("other", Bytes(3000, 2)).extents[0].object_id;
  const int64_t second = env.MustPut("k", Bytes(2000, 3)).extents[0].object_id;
  REQUIRE(env.store->RemoveFreedBodies().ok());
  CHECK_FALSE(fe.HasFile(first));
  CHECK(fe.HasFile(second));
  CHECK(env.MustRead("k") == Bytes(2000, 3));

  // A reader that opened the body before it was replaced... is told it was replaced, or reads it
  // whole; never a mix. Here: Head, replace, remove, then read the stale info.
  auto stale = env.store->Head("b", "k");
  REQUIRE(stale.ok());
  env.MustPut("k", Bytes(100, 4));
  REQUIRE(env.store->RemoveFreedBodies().ok());
  CHECK(env.ReadAll(*stale).status().code() == StatusCode::kUnavailable);

  CHECK(env.store->Delete("b", "k").value());
  REQUIRE(env.store->RemoveFreedBodies().ok());
  CHECK(fe.FileCount() == 1);
  CHECK(fe.HasFile(other));
  CHECK(env.Count("SELECT count(*) FROM s3_freed_bodies") == 0);

  SECTION("aborted writers and uploads") {
    auto w = env.store->NewObjectWriter("b", "aborted", env.key);
    REQUIRE(w.ok());
    REQUIRE((*w)->Append(Bytes(10 * 1024, 5)).ok());
    REQUIRE((*w)->Abort().ok());
    auto upload = env.store->CreateMultipartUpload("b", "mp", "wk", "{}");
    REQUIRE(upload.ok());
    for (int part : {1, 2, 2}) {  // part 2 twice: the first one is replaced
      auto pw = env.store->NewPartWriter(upload->upload_id, part, env.key);
      REQUIRE(pw.ok());
      REQUIRE((*pw)->Append(Bytes(3000, 10 + part)).ok());
      REQUIRE((*pw)->CommitPart().ok());
    }
    REQUIRE(env.store->AbortMultipartUpload(upload->upload_id).ok());
    REQUIRE(env.store->RemoveFreedBodies().ok());
    CHECK(fe.FileCount() == 1);
  }
  SECTION("a completed upload keeps the chosen parts only") {
    auto upload = env.store->CreateMultipartUpload("b", "mp", "wk", "{}");
    REQUIRE(upload.ok());
    for (int part : {1, 2, 3}) {
      auto pw = env.store->NewPartWriter(upload->upload_id, part, env.key);
      REQUIRE(pw.ok());
      REQUIRE((*pw)->Append(Bytes(3000, 20 + part)).ok());
      REQUIRE((*pw)->CommitPart().ok());
    }
    const PartChoice chosen[] = {{1, ""}, {3, ""}};
    REQUIRE(env.store->CompleteMultipartUpload(upload->upload_id, chosen, {}).ok());
    REQUIRE(env.store->RemoveFreedBodies().ok());
    CHECK(fe.FileCount() == 3);  // other + parts 1 and 3
    CHECK(env.MustRead("mp") == Bytes(3000, 21) + Bytes(3000, 23));
  }
}

TEST_CASE("ObjectStore with body files: the start-up sweep removes files nobody owns",
          "[s3][object_store][body_files]") {
  FileEnv fe({.segment_size = 1024, .write_batch_segments = 4});
  Env& env = *fe.env;
  const std::string kept = Bytes(5000, 1);
  const int64_t kept_id = env.MustPut("kept", kept).extents[0].object_id;
  auto w = env.store->NewObjectWriter("b", "crashed", env.key);
  REQUIRE(w.ok());
  REQUIRE((*w)->Append(Bytes(40 * 1024, 2)).ok());
  const int64_t crashed_id = env.Count("SELECT max(object_id) FROM s3_pending_bodies");
  (*w)->AbandonForTesting();
  w->reset();
  // A file left by a crash between a commit that freed it and its removal: no row at all.
  { std::ofstream(fe.files().PathOf(777777)) << "sealed bytes"; }
  // And something that is not a body file: left alone.
  { std::ofstream(fe.dir.File("bodies") + "/00/README") << "not a body"; }
  CHECK(fe.FileCount() == 3);

  env.Close();
  env.Open();  // "restart"
  auto swept = env.store->SweepOrphans();
  REQUIRE(swept.ok());
  CHECK(swept->pending_bodies == 1);
  CHECK(swept->files == 1);  // 777777; the crashed body's file went through s3_freed_bodies
  CHECK(fe.FileCount() == 1);
  CHECK(fe.HasFile(kept_id));
  CHECK_FALSE(fe.HasFile(crashed_id));
  CHECK(fs::exists(fe.dir.File("bodies") + "/00/README"));
  CHECK(env.MustRead("kept") == kept);
  CHECK(env.store->SweepOrphans()->files == 0);
}

TEST_CASE("ObjectStore with body files: tampered, truncated or missing files fail with Integrity",
          "[s3][object_store][body_files]") {
  FileEnv fe;
  Env& env = *fe.env;
  const std::string plain = Bytes(4 * 1024 + 100, 5);
  const std::string other = Bytes(3000, 6);
  ObjectInfo info = env.MustPut("k", plain);
  env.MustPut("other", other);
  const int64_t id = info.extents[0].object_id;
  const uint64_t stride = 1024 + crypto::kSegmentOverhead;
  SECTION("a flipped ciphertext byte") {
    fe.FlipFileByte(id, stride + 17);
    CHECK(env.ReadAll(info).status().code() == StatusCode::kIntegrity);
    CHECK(env.ReadAll(info, ByteRange{1024, 1024}).status().code() == StatusCode::kIntegrity);
    CHECK(*env.ReadAll(info, ByteRange{0, 1023}) == plain.substr(0, 1024));
  }
  SECTION("a flipped tag byte of the last segment") {
    fe.FlipFileByte(id, 4 * stride + 100 + 3);
    CHECK(env.ReadAll(info).status().code() == StatusCode::kIntegrity);
  }
  SECTION("two segments swapped") {
    std::string bytes = FileBytes(fe.files().PathOf(id));
    std::string swapped = bytes.substr(stride, stride);
    swapped += bytes.substr(0, stride);
    swapped += bytes.substr(2 * stride);
    std::ofstream(fe.files().PathOf(id), std::ios::binary | std::ios::trunc) << swapped;
    CHECK(env.ReadAll(info).status().code() == StatusCode::kIntegrity);
  }
  SECTION("truncated before the last segment") {
    fs::resize_file(fe.files().PathOf(id), 3 * stride);
    CHECK(env.ReadAll(info).status().code() == StatusCode::kIntegrity);
    CHECK(*env.ReadAll(info, ByteRange{0, 2047}) == plain.substr(0, 2048));
  }
  SECTION("the last segment missing") {
    fs::resize_file(fe.files().PathOf(id), 4 * stride);
    CHECK(env.ReadAll(info).status().code() == StatusCode::kIntegrity);
  }
  SECTION("the file is gone while the object still owns it") {
    fs::remove(fe.files().PathOf(id));
    CHECK(env.ReadAll(info).status().code() == StatusCode::kIntegrity);
  }
  CHECK(env.MustRead("other") == other);
}

TEST_CASE("ObjectStore with body files: bodies stored as rows by an older build still read",
          "[s3][object_store][body_files]") {
  TempDir dir{"sealstack-s3-test"};
  const std::string db_path = dir.File("s3.db");
  const std::string plain = Bytes(10 * 1024 + 7, 8);
  {
    Env rows({.segment_size = 1024}, db_path);  // no body files: segments as rows
    rows.MustPut("old", plain);
    CHECK(rows.Segments() == 11);
  }
  auto files = storage::BodyFiles::Open(dir.File("bodies"));
  REQUIRE(files.ok());
  Env env({.segment_size = 1024, .body_files = std::move(files).value()}, db_path);
  CHECK(env.MustRead("old") == plain);
  CHECK(env.MustRead("old", ByteRange{5000, 9000}) == plain.substr(5000, 4001));
  env.MustPut("old", Bytes(100, 9));  // replacing it frees the rows as before
  CHECK(env.Segments() == 1);         // the new, small body
  REQUIRE(env.store->RemoveFreedBodies().ok());
  CHECK(env.MustRead("old") == Bytes(100, 9));
}

TEST_CASE("ObjectStore with body files: no plaintext or data key in any file of the directory",
          "[s3][object_store][body_files]") {
  FileEnv fe({.segment_size = 4096, .write_batch_segments = 4});
  Env& env = *fe.env;
  const std::string canary = "SEALSTACK-CANARY-PLAINTEXT-0123456789";
  std::string plain;
  for (int i = 0; plain.size() < 300 * 1024; ++i) plain += canary + std::to_string(i) + "\n";
  REQUIRE(env.store->Put("b", "secret.txt", env.key, plain, {.wrapped_key = "wk"}).ok());
  CHECK(env.MustRead("secret.txt") == plain);
  const std::vector<std::string> needles = {canary, plain.substr(5000, 64), env.key.Reveal(),
                                            crypto::Hex(env.key.view())};
  int64_t scanned = 0;
  for (const auto& entry : fs::recursive_directory_iterator(fe.dir.File(""))) {
    if (!entry.is_regular_file()) continue;
    const std::string bytes = FileBytes(entry.path().string());
    scanned += static_cast<int64_t>(bytes.size());
    for (const std::string& n : needles) {
      INFO(entry.path().string());
      CHECK_FALSE(Contains(bytes, n));
    }
  }
  CHECK(scanned > static_cast<int64_t>(plain.size()));
}

TEST_CASE("ObjectStore: writer memory stays bounded whatever the object size",
          "[s3][object_store]") {
  TempDir dir{"sealstack-s3-test"};
  const size_t batch = GENERATE(size_t{1}, ObjectStoreOptions{}.write_batch_segments, size_t{16});
  Env env({.write_batch_segments = batch}, dir.File("s3.db"));
  auto w = env.store->NewObjectWriter("b", "big", env.key);
  REQUIRE(w.ok());
  const size_t total = size_t{64} << 20;
  const std::string block = Bytes((1 << 20) + 3, 77);
  const std::vector<size_t> pieces = {1, 4096, kSeg - 1, kSeg + 1, block.size(), 7};
  size_t written = 0;
  for (size_t i = 0; written < total; ++i) {
    size_t n = std::min(pieces[i % pieces.size()], total - written);
    REQUIRE((*w)->Append(std::string_view(block).substr(0, n)).ok());
    written += n;
    REQUIRE((*w)->buffered_bytes() <= batch * (kSeg + 16) + kSeg);
  }
  auto info = (*w)->Commit({});
  REQUIRE(info.ok());
  CHECK(info->size == total);
  const size_t budget = batch * (kSeg + crypto::kSegmentOverhead) + kSeg;
  INFO("high water " << (*w)->buffered_bytes_high_water() << ", budget " << budget);
  CHECK((*w)->buffered_bytes_high_water() <= budget);
  CHECK((*w)->buffered_bytes_high_water() >= kSeg);
  CHECK(env.Segments() == 1024);
}

TEST_CASE("ObjectStore: multipart parts out of order, completed in order", "[s3][object_store]") {
  Env env({.segment_size = 1024, .write_batch_segments = 2, .read_batch_segments = 3});
  auto upload = env.store->CreateMultipartUpload("b", "mp", "wrapped", "{\"sse\":\"AES256\"}");
  REQUIRE(upload.ok());
  CHECK(upload->upload_id.size() == 32);
  CHECK(env.store->GetMultipartUpload(upload->upload_id)->doc == "{\"sse\":\"AES256\"}");

  const std::vector<std::string> parts = {Bytes(5000, 1), Bytes(3 * 1024, 2), Bytes(1, 3),
                                          Bytes(2500, 4)};
  auto put_part = [&](int number, const std::string& body) {
    auto w = env.store->NewPartWriter(upload->upload_id, number, env.key,
                                      {.checksum = crypto::ChecksumAlgorithm::kSha256});
    REQUIRE(w.ok());
    for (size_t at = 0; at < body.size(); at += 700) {
      REQUIRE((*w)->Append(std::string_view(body).substr(at, 700)).ok());
    }
    CHECK((*w)->Commit({}).status().code() == StatusCode::kFailedPrecondition);
    auto part = (*w)->CommitPart();
    REQUIRE(part.ok());
    CHECK(part->etag == crypto::Hex(crypto::Md5(body)));
    CHECK(part->checksum == crypto::Base64(crypto::Sha256(body)));
    return *part;
  };
  put_part(3, parts[2]);
  put_part(1, Bytes(7777, 99));  // replaced below
  put_part(4, parts[3]);
  put_part(9, Bytes(3000, 9));  // never completed: deleted at completion
  put_part(2, parts[1]);
  put_part(1, parts[0]);
  CHECK(env.Pending() == 0);
  auto listed = env.store->ListParts(upload->upload_id);
  REQUIRE(listed.ok());
  REQUIRE(listed->parts.size() == 5);
  CHECK(listed->parts[0].part_number == 1);
  CHECK(listed->parts[0].size == 5000);  // the replacement
  auto page = env.store->ListParts(upload->upload_id, 2, 2);
  REQUIRE(page->parts.size() == 2);
  CHECK(page->parts[0].part_number == 3);
  CHECK(page->truncated);
  CHECK(env.store->NewPartWriter(upload->upload_id, 0, env.key).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(env.store->NewPartWriter(upload->upload_id, 10001, env.key).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(env.store->ListMultipartUploads("b", {})->uploads.size() == 1);
  CHECK(env.store->Head("b", "mp").status().code() == StatusCode::kNotFound);

  // Bad part lists change nothing.
  std::vector<PartChoice> unordered = {{2, ""}, {1, ""}};
  auto bad = env.store->CompleteMultipartUpload(upload->upload_id, unordered, {});
  CHECK(bad.status().detail() == static_cast<int>(ErrorKind::kInvalidPartOrder));
  std::vector<PartChoice> missing = {{1, ""}, {5, ""}};
  bad = env.store->CompleteMultipartUpload(upload->upload_id, missing, {});
  CHECK(bad.status().detail() == static_cast<int>(ErrorKind::kInvalidPart));
  std::vector<PartChoice> wrong_etag = {{1, crypto::Hex(crypto::Md5("x"))}};
  bad = env.store->CompleteMultipartUpload(upload->upload_id, wrong_etag, {});
  CHECK(bad.status().detail() == static_cast<int>(ErrorKind::kInvalidPart));

  std::vector<PartChoice> chosen;
  std::string md5s;
  for (int n = 1; n <= 4; ++n) {
    chosen.push_back({n, crypto::Hex(crypto::Md5(parts[n - 1]))});
    md5s += crypto::Md5(parts[n - 1]);
  }
  auto done = env.store->CompleteMultipartUpload(upload->upload_id, chosen,
                                                 {.wrapped_key = "wrapped", .doc = "{}"});
  INFO(done.status().ToString());
  REQUIRE(done.ok());
  const std::string whole = parts[0] + parts[1] + parts[2] + parts[3];
  CHECK(done->size == whole.size());
  CHECK(done->etag == crypto::Hex(crypto::Md5(md5s)) + "-4");
  REQUIRE(done->extents.size() == 4);

  auto head = env.store->Head("b", "mp");
  REQUIRE(head.ok());
  CHECK(head->etag == done->etag);
  CHECK(head->wrapped_key == "wrapped");
  CHECK(env.ReadAll(*head).value() == whole);
  CheckRanges(env, *head, whole, 1024, 300);
  // Ranges across part boundaries, explicitly.
  for (ByteRange r : {ByteRange{4999, 5000}, ByteRange{4000, 8200}, ByteRange{8191, 8193},
                      ByteRange{8192, 8192}, ByteRange{0, whole.size() - 1}}) {
    CHECK(env.ReadAll(*head, r).value() == whole.substr(r.first, r.last - r.first + 1));
  }
  // The upload is gone, with the unused part 9 and the replaced part 1.
  CHECK(env.store->GetMultipartUpload(upload->upload_id).status().code() == StatusCode::kNotFound);
  CHECK(env.store->ListMultipartUploads("b", {})->uploads.empty());
  int64_t expected_segments = 0;
  for (const auto& p : parts) expected_segments += SegmentCount(p.size(), 1024);
  CHECK(env.Segments() == expected_segments);
  CHECK(env.store->CompleteMultipartUpload(upload->upload_id, chosen, {}).status().code() ==
        StatusCode::kNotFound);

  // A multipart object replaced by a PUT takes all its extents' segments with it.
  env.MustPut("mp", "small");
  CHECK(env.Segments() == 1);
  CHECK(env.MustRead("mp") == "small");
}

TEST_CASE("ObjectStore: aborting a multipart upload deletes its parts", "[s3][object_store]") {
  Env env({.segment_size = 1024});
  auto upload = env.store->CreateMultipartUpload("b", "mp", "wk", "{}");
  REQUIRE(upload.ok());
  for (int n = 1; n <= 3; ++n) {
    auto w = env.store->NewPartWriter(upload->upload_id, n, env.key);
    REQUIRE(w.ok());
    REQUIRE((*w)->Append(Bytes(3000, n)).ok());
    REQUIRE((*w)->CommitPart().ok());
  }
  // A part still streaming when the upload is aborted cannot commit afterwards.
  auto late = env.store->NewPartWriter(upload->upload_id, 4, env.key);
  REQUIRE(late.ok());
  REQUIRE((*late)->Append(Bytes(3000, 4)).ok());
  CHECK(env.Segments() == 9);  // the late part's segments are still buffered
  CHECK(env.Pending() == 0);   // and a body that fits in one batch has no pending row yet
  REQUIRE(env.store->AbortMultipartUpload(upload->upload_id).ok());
  CHECK((*late)->CommitPart().status().code() == StatusCode::kNotFound);
  CHECK(env.Segments() == 0);
  CHECK(env.Pending() == 0);
  CHECK(env.store->AbortMultipartUpload(upload->upload_id).code() == StatusCode::kNotFound);
  CHECK(env.store->NewPartWriter(upload->upload_id, 1, env.key).status().code() ==
        StatusCode::kNotFound);
  CHECK(env.store->ListParts(upload->upload_id).status().code() == StatusCode::kNotFound);
  CHECK(env.store->CreateMultipartUpload("nobucket", "k", "", "{}").status().code() ==
        StatusCode::kNotFound);
}

TEST_CASE("ObjectStore: a body that fits in one batch is stored by its commit alone",
          "[s3][object_store]") {
  Env env({.segment_size = 1024, .write_batch_segments = 4});
  auto w = env.store->NewObjectWriter("b", "small", env.key);
  REQUIRE(w.ok());
  REQUIRE((*w)->Append(Bytes(3 * 1024 + 5, 1)).ok());  // 4 segments: one batch, sealed at Finish
  REQUIRE((*w)->Finish().ok());
  CHECK(env.Pending() == 0);
  CHECK(env.Segments() == 0);
  REQUIRE((*w)->Commit({}).ok());
  CHECK(env.Pending() == 0);
  CHECK(env.Segments() == 4);
  CHECK(env.MustRead("small") == Bytes(3 * 1024 + 5, 1));
  // A failed commit (no such bucket) stores nothing; an aborted small writer stores nothing.
  auto lost = env.store->NewObjectWriter("nobucket", "k", env.key);
  REQUIRE(lost.ok());
  REQUIRE((*lost)->Append("tiny").ok());
  CHECK((*lost)->Commit({}).status().code() == StatusCode::kNotFound);
  auto dropped = env.store->NewObjectWriter("b", "dropped", env.key);
  REQUIRE(dropped.ok());
  REQUIRE((*dropped)->Append("tiny").ok());
  REQUIRE((*dropped)->Abort().ok());
  CHECK(env.Pending() == 0);
  CHECK(env.Segments() == 4);
  CHECK(env.store->Head("b", "dropped").status().code() == StatusCode::kNotFound);
}

TEST_CASE("ObjectStore: list objects by prefix and start-after", "[s3][object_store]") {
  Env env;
  for (const char* k : {"a/1", "a/2", "a/3", "b/1", "a0"}) env.MustPut(k, k);
  auto page = env.store->List("b", {.prefix = "a/", .start_after = "", .limit = 2});
  REQUIRE(page.ok());
  REQUIRE(page->objects.size() == 2);
  CHECK(page->objects[0].key == "a/1");
  CHECK(page->objects[1].key == "a/2");
  CHECK(page->truncated);
  CHECK(page->objects[0].extents.empty());
  CHECK(page->objects[0].size == 3);
  page = env.store->List("b", {.prefix = "a/", .start_after = "a/2", .limit = 2});
  REQUIRE(page->objects.size() == 1);
  CHECK(page->objects[0].key == "a/3");
  CHECK_FALSE(page->truncated);
}

// Release-build figures for the report: ./s3_tests "[.bench]"
TEST_CASE("ObjectStore: 64 MiB write and read throughput", "[.bench]") {
  for (size_t batch : {size_t{1}, size_t{4}, size_t{16}}) {
    for (bool in_memory : {false, true}) {
      TempDir dir{"sealstack-s3-test"};
      Env env({.write_batch_segments = batch}, in_memory ? "" : dir.File("s3.db"));
      const size_t total = size_t{64} << 20;
      const std::string piece = Bytes(256 * 1024, 1);
      auto t0 = std::chrono::steady_clock::now();
      auto w = env.store->NewObjectWriter("b", "big", env.key);
      REQUIRE(w.ok());
      for (size_t at = 0; at < total; at += piece.size()) REQUIRE((*w)->Append(piece).ok());
      auto info = (*w)->Commit({});
      REQUIRE(info.ok());
      auto t1 = std::chrono::steady_clock::now();
      uint64_t read = 0;
      REQUIRE(env.store
                  ->Read(*info, env.key, std::nullopt,
                         [&](std::string_view p) {
                           read += p.size();
                           return Status::Ok();
                         })
                  .ok());
      auto t2 = std::chrono::steady_clock::now();
      REQUIRE(read == total);
      auto mbps = [&](auto d) {
        return static_cast<double>(total) / (1 << 20) / std::chrono::duration<double>(d).count();
      };
      std::cout << (in_memory ? "memory" : "file") << " batch " << batch << ": write "
                << mbps(t1 - t0) << " MiB/s, read " << mbps(t2 - t1) << " MiB/s, high water "
                << (*w)->buffered_bytes_high_water() << " bytes\n";
    }
  }
}

// Four writers at once, 16 MiB each, to see what the batch size does under contention.
TEST_CASE("ObjectStore: concurrent write throughput", "[.bench]") {
  for (size_t batch : {size_t{1}, size_t{4}, size_t{16}}) {
    TempDir dir{"sealstack-s3-test"};
    Env env({.write_batch_segments = batch}, dir.File("s3.db"));
    const size_t each = size_t{16} << 20;
    const std::string piece = Bytes(64 * 1024, 1);
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&, i] {
        std::string key = "k";
        key += std::to_string(i);
        auto w = env.store->NewObjectWriter("b", key, env.key);
        if (!w.ok()) return void(++failures);
        for (size_t at = 0; at < each; at += piece.size()) {
          if (!(*w)->Append(piece).ok()) return void(++failures);
        }
        if (!(*w)->Commit({}).ok()) ++failures;
      });
    }
    for (auto& t : threads) t.join();
    auto t1 = std::chrono::steady_clock::now();
    REQUIRE(failures == 0);
    std::cout << "4 writers, batch " << batch << ": "
              << 4.0 * each / (1 << 20) / std::chrono::duration<double>(t1 - t0).count()
              << " MiB/s total\n";
  }
}

}  // namespace
}  // namespace sealstack::api::s3
