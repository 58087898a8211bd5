// Unit tests for storage/s3_repo.h: the SQL behind buckets, objects, bodies and uploads.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "storage/db.h"
#include "storage/s3_repo.h"

namespace sealstack::storage {
namespace {

std::unique_ptr<Database> OpenMemory() {
  auto db = Database::Open({.in_memory = true});
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  return std::move(db).value();
}

Status Tx(Database& db, const std::function<Status(Connection&)>& fn) {
  return db.WithTransaction(fn);
}

S3BucketRow Bucket(const std::string& name, const std::string& account = "111122223333") {
  return {name, account, "us-east-1", 1.5, "{\"encryption\":\"AES256\"}"};
}

// A committed object at (bucket, key) with one body of `segments` fake sealed segments.
Status PutFake(Connection& c, const std::string& bucket, const std::string& key, int segments = 2) {
  SEALSTACK_ASSIGN_OR_RETURN(int64_t id, S3Repo::BeginBody(c, bucket, key, {}, {}, 2.0));
  std::vector<std::string> sealed(segments, std::string(20, 's'));
  SEALSTACK_RETURN_IF_ERROR(S3Repo::AppendSegments(c, id, 0, sealed));
  S3ObjectRow row;
  row.bucket = bucket;
  row.key = key;
  row.version_id = "v-" + key;
  row.size = 4;
  row.etag = "etag";
  row.segment_size = 16;
  row.created_at = 3.0;
  row.wrapped_key = std::string("\x00\x01wk", 4);
  row.doc = "{}";
  row.extents.push_back({id, 0, 4, "header"});
  return S3Repo::CommitObject(c, row);
}

int64_t CountSegments(Database& db) {
  int64_t n = -1;
  REQUIRE(db.WithConnection([&](Connection& c) -> Status {
              SEALSTACK_ASSIGN_OR_RETURN(n, S3Repo::CountSegments(c));
              return Status::Ok();
            }).ok());
  return n;
}

TEST_CASE("S3Repo: buckets are created, listed by account and deleted only when empty",
          "[s3][repo]") {
  auto db = OpenMemory();
  REQUIRE(Tx(*db, [](Connection& c) { return S3Repo::CreateBucket(c, Bucket("zeta")); }).ok());
  REQUIRE(Tx(*db, [](Connection& c) { return S3Repo::CreateBucket(c, Bucket("alpha")); }).ok());
  REQUIRE(Tx(*db, [](Connection& c) {
            return S3Repo::CreateBucket(c, Bucket("other", "999999999999"));
          }).ok());
  CHECK(Tx(*db, [](Connection& c) {
          return S3Repo::CreateBucket(c, Bucket("alpha", "999999999999"));
        }).code() == StatusCode::kAlreadyExists);

  REQUIRE(db->WithConnection([](Connection& c) -> Status {
              SEALSTACK_ASSIGN_OR_RETURN(auto mine, S3Repo::ListBuckets(c, "111122223333"));
              REQUIRE(mine.size() == 2);
              CHECK(mine[0].name == "alpha");
              CHECK(mine[1].name == "zeta");
              CHECK(mine[0].doc == "{\"encryption\":\"AES256\"}");
              CHECK(mine[0].created_at == 1.5);
              SEALSTACK_ASSIGN_OR_RETURN(auto row, S3Repo::GetBucket(c, "other"));
              CHECK(row.account == "999999999999");
              CHECK(S3Repo::GetBucket(c, "nope").status().code() == StatusCode::kNotFound);
              return Status::Ok();
            }).ok());

  REQUIRE(Tx(*db, [](Connection& c) {
            return S3Repo::PutBucketDoc(c, "alpha", "{\"policy\":{}}");
          }).ok());
  CHECK(Tx(*db, [](Connection& c) { return S3Repo::PutBucketDoc(c, "nope", "{}"); }).code() ==
        StatusCode::kNotFound);

  REQUIRE(Tx(*db, [](Connection& c) { return PutFake(c, "alpha", "k"); }).ok());
  CHECK(Tx(*db, [](Connection& c) { return S3Repo::DeleteBucket(c, "alpha"); }).code() ==
        StatusCode::kFailedPrecondition);
  REQUIRE(Tx(*db, [](Connection& c) {
            return S3Repo::DeleteVersion(c, "alpha", "k", "v-k").status();
          }).ok());
  // An upload in progress does not keep a bucket alive; it goes with it.
  REQUIRE(
      Tx(*db, [](Connection& c) -> Status {
        SEALSTACK_RETURN_IF_ERROR(S3Repo::CreateUpload(c, {"up1", "alpha", "k", 4.0, "wk", "{}"}));
        SEALSTACK_ASSIGN_OR_RETURN(int64_t id, S3Repo::BeginBody(c, "alpha", "k", "up1", 1, 5));
        std::vector<std::string> sealed = {"x", "y"};
        SEALSTACK_RETURN_IF_ERROR(S3Repo::AppendSegments(c, id, 0, sealed));
        return S3Repo::CommitPart(c, {"up1", 1, 2, "e", std::nullopt, id, 16, "h", 5.0});
      }).ok());
  CHECK(CountSegments(*db) == 2);
  REQUIRE(Tx(*db, [](Connection& c) { return S3Repo::DeleteBucket(c, "alpha"); }).ok());
  CHECK(CountSegments(*db) == 0);
  CHECK(Tx(*db, [](Connection& c) { return S3Repo::DeleteBucket(c, "alpha"); }).code() ==
        StatusCode::kNotFound);
  REQUIRE(db->WithConnection([](Connection& c) {
              CHECK(S3Repo::GetUpload(c, "up1").status().code() == StatusCode::kNotFound);
              return Status::Ok();
            }).ok());
}

TEST_CASE("S3Repo: objects list in bytewise key order with prefix, start-after and limit",
          "[s3][repo]") {
  auto db = OpenMemory();
  REQUIRE(Tx(*db, [](Connection& c) { return S3Repo::CreateBucket(c, Bucket("b")); }).ok());
  REQUIRE(Tx(*db, [](Connection& c) { return S3Repo::CreateBucket(c, Bucket("c")); }).ok());
  // UTF-8 "é" (C3 A9) sorts after "z" bytewise; "\xff" keys test the prefix upper bound.
  const std::vector<std::string> keys = {"a", "a/b",   "a/c",       "ab", "z", "\xc3\xa9t\xc3\xa9",
                                         "B", "p\xff", "p\xff\xff", "q"};
  for (const std::string& k : keys) {
    REQUIRE(Tx(*db, [&](Connection& c) { return PutFake(c, "b", k); }).ok());
  }
  REQUIRE(Tx(*db, [](Connection& c) { return PutFake(c, "c", "a/x"); }).ok());

  auto list = [&](const S3ListObjectsOptions& o) {
    std::vector<std::string> out;
    bool truncated = false;
    REQUIRE(db->WithConnection([&](Connection& c) -> Status {
                SEALSTACK_ASSIGN_OR_RETURN(S3ObjectPage page, S3Repo::ListObjects(c, "b", o));
                for (const auto& row : page.objects) out.push_back(row.key);
                truncated = page.truncated;
                return Status::Ok();
              }).ok());
    return std::make_pair(out, truncated);
  };
  using V = std::vector<std::string>;
  CHECK(list({}).first ==
        V{"B", "a", "a/b", "a/c", "ab", "p\xff", "p\xff\xff", "q", "z", "\xc3\xa9t\xc3\xa9"});
  CHECK(list({.prefix = "a/"}).first == V{"a/b", "a/c"});
  CHECK(list({.prefix = "a"}).first == V{"a", "a/b", "a/c", "ab"});
  CHECK(list({.prefix = "p\xff"}).first == V{"p\xff", "p\xff\xff"});
  CHECK(list({.prefix = "\xc3"}).first == V{"\xc3\xa9t\xc3\xa9"});
  CHECK(list({.prefix = "nothing"}).first.empty());
  CHECK(list({.start_after = "a/b"}).first.front() == "a/c");
  CHECK(list({.prefix = "a", .start_after = "a/c"}).first == V{"ab"});
  auto [first, truncated] = list({.limit = 3});
  CHECK(first == V{"B", "a", "a/b"});
  CHECK(truncated);
  auto [last, more] = list({.start_after = "q", .limit = 2});
  CHECK(last == V{"z", "\xc3\xa9t\xc3\xa9"});
  CHECK_FALSE(more);

  REQUIRE(db->WithConnection([](Connection& c) -> Status {
              SEALSTACK_ASSIGN_OR_RETURN(S3ObjectRow row, S3Repo::GetObject(c, "b", "a/b"));
              CHECK(row.version_id == "v-a/b");
              CHECK(row.wrapped_key == std::string("\x00\x01wk", 4));
              CHECK(row.segment_size == 16);
              REQUIRE(row.extents.size() == 1);
              CHECK(row.extents[0].header == "header");
              CHECK(S3Repo::ListObjects(c, "b", {.limit = 0}).status().code() ==
                    StatusCode::kInvalidArgument);
              return Status::Ok();
            }).ok());
}

TEST_CASE("S3Repo: a commit needs pending bodies, tiling extents and a bucket", "[s3][repo]") {
  auto db = OpenMemory();
  REQUIRE(Tx(*db, [](Connection& c) { return S3Repo::CreateBucket(c, Bucket("b")); }).ok());
  int64_t id = 0;
  REQUIRE(Tx(*db, [&](Connection& c) -> Status {
            SEALSTACK_ASSIGN_OR_RETURN(id, S3Repo::BeginBody(c, "b", "k", {}, {}, 1.0));
            return Status::Ok();
          }).ok());
  S3ObjectRow row;
  row.bucket = std::string("b");  // (std::string: GCC 12 -O3 -Wrestrict false positive)
  row.key = std::string("k");
  row.version_id = std::string("v");
  row.size = 10;
  row.doc = std::string("{}");
  row.extents.push_back({id, 0, 9, "h"});
  CHECK(Tx(*db, [&](Connection& c) { return S3Repo::CommitObject(c, row); }).code() ==
        StatusCode::kInvalidArgument);
  row.extents[0].size = 10;
  row.bucket = std::string("nobucket");
  CHECK(Tx(*db, [&](Connection& c) { return S3Repo::CommitObject(c, row); }).code() ==
        StatusCode::kNotFound);
  row.bucket = std::string("b");
  REQUIRE(Tx(*db, [&](Connection& c) { return S3Repo::CommitObject(c, row); }).ok());
  // The body was consumed: it cannot be committed again, nor appended to.
  CHECK(Tx(*db, [&](Connection& c) { return S3Repo::CommitObject(c, row); }).code() ==
        StatusCode::kFailedPrecondition);
  std::vector<std::string> sealed = {"x"};
  CHECK(Tx(*db, [&](Connection& c) { return S3Repo::AppendSegments(c, id, 0, sealed); }).code() ==
        StatusCode::kFailedPrecondition);
  // DiscardBody of a committed body leaves it alone.
  REQUIRE(Tx(*db, [&](Connection& c) { return S3Repo::DiscardBody(c, id); }).ok());
  REQUIRE(db->WithConnection([&](Connection& c) -> Status {
              SEALSTACK_ASSIGN_OR_RETURN(bool owned, S3Repo::ObjectOwnsBody(c, id));
              CHECK(owned);
              return S3Repo::GetObject(c, "b", "k").status();
            }).ok());
}

TEST_CASE("S3Repo: segments read back in order within [first, last]", "[s3][repo]") {
  auto db = OpenMemory();
  int64_t id = 0;
  REQUIRE(Tx(*db, [&](Connection& c) -> Status {
            SEALSTACK_ASSIGN_OR_RETURN(id, S3Repo::BeginBody(c, "b", "k", {}, {}, 1.0));
            std::vector<std::string> a = {"s0", "s1", "s2"};
            std::vector<std::string> b = {"s3", std::string("s\0"
                                                            "4",
                                                            3)};
            SEALSTACK_RETURN_IF_ERROR(S3Repo::AppendSegments(c, id, 0, a));
            return S3Repo::AppendSegments(c, id, 3, b);
          }).ok());
  std::vector<std::pair<uint64_t, std::string>> seen;
  REQUIRE(db->WithConnection([&](Connection& c) {
              return S3Repo::ReadSegments(c, id, 1, 4, [&](uint64_t seq, std::string_view s) {
                seen.emplace_back(seq, std::string(s));
                return Status::Ok();
              });
            }).ok());
  REQUIRE(seen.size() == 4);
  CHECK(seen[0] == std::make_pair(uint64_t{1}, std::string("s1")));
  CHECK(seen[3] == std::make_pair(uint64_t{4}, std::string("s\0"
                                                           "4",
                                                           3)));
  // Appending a segment twice is a conflict, not a silent overwrite.
  std::vector<std::string> again = {"dup"};
  CHECK(Tx(*db, [&](Connection& c) { return S3Repo::AppendSegments(c, id, 2, again); }).code() ==
        StatusCode::kAlreadyExists);
  // A callback error stops the read.
  CHECK(db->WithConnection([&](Connection& c) {
            return S3Repo::ReadSegments(
                c, id, 0, 4, [](uint64_t, std::string_view) { return Status::Internal("stop"); });
          }).code() == StatusCode::kInternal);
}

TEST_CASE("S3Repo: uploads list by key and upload id, with markers", "[s3][repo]") {
  auto db = OpenMemory();
  REQUIRE(Tx(*db, [](Connection& c) -> Status {
            SEALSTACK_RETURN_IF_ERROR(S3Repo::CreateBucket(c, Bucket("b")));
            for (const auto& [id, key] : std::vector<std::pair<std::string, std::string>>{
                     {"u2", "a"}, {"u1", "a"}, {"u3", "b"}, {"u4", "c/d"}}) {
              SEALSTACK_RETURN_IF_ERROR(S3Repo::CreateUpload(c, {id, "b", key, 1.0, "", "{}"}));
            }
            return Status::Ok();
          }).ok());
  CHECK(Tx(*db, [](Connection& c) {
          return S3Repo::CreateUpload(c, {"u1", "b", "x", 1.0, "", "{}"});
        }).code() == StatusCode::kAlreadyExists);
  auto ids = [&](const S3ListUploadsOptions& o) {
    std::vector<std::string> out;
    REQUIRE(db->WithConnection([&](Connection& c) -> Status {
                SEALSTACK_ASSIGN_OR_RETURN(S3UploadPage page, S3Repo::ListUploads(c, "b", o));
                for (const auto& u : page.uploads) out.push_back(u.upload_id);
                if (page.truncated) out.push_back("...");
                return Status::Ok();
              }).ok());
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(ids({}) == V{"u1", "u2", "u3", "u4"});
  CHECK(ids({.limit = 2}) == V{"u1", "u2", "..."});
  CHECK(ids({.key_marker = "a", .upload_id_marker = "u1"}) == V{"u2", "u3", "u4"});
  CHECK(ids({.key_marker = "a"}) == V{"u1", "u2", "u3", "u4"});
  CHECK(ids({.key_marker = "a", .upload_id_marker = "u2"}) == V{"u3", "u4"});
  CHECK(ids({.prefix = "c/"}) == V{"u4"});
}

TEST_CASE("S3Repo: the sweep honours its cutoff and every owner of segments", "[s3][repo]") {
  auto db = OpenMemory();
  int64_t old_id = 0;
  int64_t young_id = 0;
  REQUIRE(Tx(*db, [&](Connection& c) -> Status {
            SEALSTACK_RETURN_IF_ERROR(S3Repo::CreateBucket(c, Bucket("b")));
            SEALSTACK_RETURN_IF_ERROR(PutFake(c, "b", "kept", 3));
            SEALSTACK_RETURN_IF_ERROR(S3Repo::CreateUpload(c, {"up", "b", "mp", 1.0, "", "{}"}));
            SEALSTACK_ASSIGN_OR_RETURN(int64_t part, S3Repo::BeginBody(c, "b", "mp", "up", 1, 1));
            std::vector<std::string> two = {"p0", "p1"};
            SEALSTACK_RETURN_IF_ERROR(S3Repo::AppendSegments(c, part, 0, two));
            SEALSTACK_RETURN_IF_ERROR(
                S3Repo::CommitPart(c, {"up", 1, 4, "e", "crc", part, 16, "h", 1.0}));
            SEALSTACK_ASSIGN_OR_RETURN(old_id, S3Repo::BeginBody(c, "b", "x", {}, {}, 10.0));
            SEALSTACK_ASSIGN_OR_RETURN(young_id, S3Repo::BeginBody(c, "b", "y", {}, {}, 20.0));
            SEALSTACK_RETURN_IF_ERROR(S3Repo::AppendSegments(c, old_id, 0, two));
            SEALSTACK_RETURN_IF_ERROR(S3Repo::AppendSegments(c, young_id, 0, two));
            return c.Execute("INSERT INTO s3_object_segments VALUES (424242, 0, x'00')").status();
          }).ok());
  CHECK(CountSegments(*db) == 3 + 2 + 2 + 2 + 1);
  S3SweepStats stats;
  REQUIRE(Tx(*db, [&](Connection& c) -> Status {
            SEALSTACK_ASSIGN_OR_RETURN(stats, S3Repo::SweepOrphans(c, 15.0));
            return Status::Ok();
          }).ok());
  CHECK(stats.pending_bodies == 1);
  CHECK(stats.segments == 3);  // the old body's two, and the unowned one
  CHECK(CountSegments(*db) == 3 + 2 + 2);
  REQUIRE(db->WithConnection([&](Connection& c) -> Status {
              SEALSTACK_ASSIGN_OR_RETURN(int64_t pending, S3Repo::CountPendingBodies(c));
              CHECK(pending == 1);
              SEALSTACK_ASSIGN_OR_RETURN(S3PartPage parts, S3Repo::ListParts(c, "up", 0, 10));
              REQUIRE(parts.parts.size() == 1);
              CHECK(parts.parts[0].checksum == "crc");
              return Status::Ok();
            }).ok());
}

}  // namespace
}  // namespace sealstack::storage
