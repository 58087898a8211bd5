// Unit tests for the version rows of storage/s3_repo.h (migration 0007): the latest flag, the
// null version's replacement, delete markers, version listings and their resume points, and the
// migration of pre-versioning rows to the null version.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "storage/db.h"
#include "storage/s3_repo.h"

namespace sealstack::storage {
namespace {

std::unique_ptr<Database> OpenVersionsDb() {
  auto db = Database::Open({.in_memory = true});
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  REQUIRE(db.value()
              ->WithTransaction([](Connection& c) {
                return S3Repo::CreateBucket(c, {"b", "111122223333", "us-east-1", 1.0, "{}"});
              })
              .ok());
  return std::move(db).value();
}

// Commits version `version_id` of key (a marker when `marker`), with a one-segment body.
Status CommitVersion(Database& db, const std::string& key, const std::string& version_id,
                     bool marker = false) {
  return db.WithTransaction([&](Connection& c) -> Status {
    S3ObjectRow row;
    row.bucket = "b";
    row.key = key;
    row.version_id = version_id;
    row.delete_marker = marker;
    row.created_at = 2.0;
    if (!marker) {
      SEALSTACK_ASSIGN_OR_RETURN(int64_t id, S3Repo::BeginBody(c, "b", key, {}, {}, 2.0));
      std::vector<std::string> sealed = {"segment"};
      SEALSTACK_RETURN_IF_ERROR(S3Repo::AppendSegments(c, id, 0, sealed));
      row.size = 3;
      row.segment_size = 16;
      row.extents.push_back({id, 0, 3, "header"});
    }
    return S3Repo::CommitObject(c, row);
  });
}

// (key, version_id, is_latest, delete_marker) of every version, in listing order.
using Listed = std::vector<std::tuple<std::string, std::string, bool, bool>>;
Listed ListAll(Database& db, S3ListVersionsOptions options = {}) {
  Listed out;
  REQUIRE(db.WithConnection([&](Connection& c) -> Status {
              SEALSTACK_ASSIGN_OR_RETURN(S3VersionPage page, S3Repo::ListVersions(c, "b", options));
              for (const auto& v : page.versions) {
                out.emplace_back(v.key, v.version_id, v.is_latest, v.delete_marker);
              }
              return Status::Ok();
            }).ok());
  return out;
}

int64_t Count(Database& db, const std::string& sql) {
  int64_t n = -1;
  REQUIRE(db.WithConnection([&](Connection& c) -> Status {
              SEALSTACK_ASSIGN_OR_RETURN(n, c.QueryInt64(sql));
              return Status::Ok();
            }).ok());
  return n;
}

TEST_CASE("S3Repo versions: the latest flag, null replacement, markers and deletes",
          "[s3][repo][versions]") {
  auto db = OpenVersionsDb();
  REQUIRE(CommitVersion(*db, "k", "null").ok());
  REQUIRE(CommitVersion(*db, "k", "v1").ok());
  REQUIRE(CommitVersion(*db, "k", "v2").ok());
  CHECK(ListAll(*db) ==
        Listed{{"k", "v2", true, false}, {"k", "v1", false, false}, {"k", "null", false, false}});
  // A new null version replaces the old one (and frees its body) and becomes the latest.
  REQUIRE(CommitVersion(*db, "k", "null").ok());
  CHECK(ListAll(*db) ==
        Listed{{"k", "null", true, false}, {"k", "v2", false, false}, {"k", "v1", false, false}});
  CHECK(Count(*db, "SELECT count(*) FROM s3_object_segments") == 3);
  // A marker hides the key from ListObjects and GetObject reads it as the latest.
  REQUIRE(CommitVersion(*db, "k", "m1", /*marker=*/true).ok());
  REQUIRE(db->WithConnection([](Connection& c) -> Status {
              SEALSTACK_ASSIGN_OR_RETURN(S3ObjectPage page, S3Repo::ListObjects(c, "b", {}));
              CHECK(page.objects.empty());
              SEALSTACK_ASSIGN_OR_RETURN(S3ObjectRow latest, S3Repo::GetObject(c, "b", "k"));
              CHECK((latest.delete_marker && latest.version_id == "m1" && latest.extents.empty()));
              SEALSTACK_ASSIGN_OR_RETURN(S3ObjectRow v1, S3Repo::GetObject(c, "b", "k", "v1"));
              CHECK(v1.extents.size() == 1);
              return Status::Ok();
            }).ok());
  // Deleting the latest by id promotes the next newest; deleting an older one does not.
  REQUIRE(db->WithTransaction([](Connection& c) -> Status {
              SEALSTACK_ASSIGN_OR_RETURN(auto gone, S3Repo::DeleteVersion(c, "b", "k", "m1"));
              CHECK((gone && gone->delete_marker));
              SEALSTACK_ASSIGN_OR_RETURN(auto old, S3Repo::DeleteVersion(c, "b", "k", "v1"));
              CHECK((old && !old->delete_marker));
              SEALSTACK_ASSIGN_OR_RETURN(auto none, S3Repo::DeleteVersion(c, "b", "k", "nope"));
              CHECK(!none);
              return Status::Ok();
            }).ok());
  CHECK(ListAll(*db) == Listed{{"k", "null", true, false}, {"k", "v2", false, false}});
  // The old null version's and v1's segments went with their rows; the other two stay.
  CHECK(Count(*db, "SELECT count(*) FROM s3_object_segments") == 2);
  // A bucket with versions left is not empty.
  CHECK(db->WithTransaction([](Connection& c) { return S3Repo::DeleteBucket(c, "b"); }).code() ==
        StatusCode::kFailedPrecondition);
}

TEST_CASE("S3Repo versions: listings resume after (key, seq) within a prefix",
          "[s3][repo][versions]") {
  auto db = OpenVersionsDb();
  for (const char* key : {"a", "b", "c/x"}) {
    REQUIRE(CommitVersion(*db, key, std::string(key) + "-1").ok());
    REQUIRE(CommitVersion(*db, key, std::string(key) + "-2").ok());
  }
  int64_t b2 = 0;
  REQUIRE(db->WithConnection([&](Connection& c) -> Status {
              SEALSTACK_ASSIGN_OR_RETURN(b2, S3Repo::VersionSeq(c, "b", "b", "b-2"));
              CHECK(S3Repo::VersionSeq(c, "b", "b", "zz").status().code() == StatusCode::kNotFound);
              return Status::Ok();
            }).ok());
  CHECK(ListAll(*db, {.key_marker = "b", .after_seq = b2}) ==
        Listed{{"b", "b-1", false, false},
               {"c/x", "c/x-2", true, false},
               {"c/x", "c/x-1", false, false}});
  CHECK(ListAll(*db, {.key_marker = "a"}) == Listed{{"b", "b-2", true, false},
                                                    {"b", "b-1", false, false},
                                                    {"c/x", "c/x-2", true, false},
                                                    {"c/x", "c/x-1", false, false}});
  CHECK(ListAll(*db, {.prefix = "c/", .limit = 1}) == Listed{{"c/x", "c/x-2", true, false}});
}

TEST_CASE("S3Repo versions: migration 0007 makes old rows the null version of unversioned buckets",
          "[s3][repo][versions]") {
  // A database at schema 6 with one object in an unversioned bucket and one in a bucket whose
  // doc says Enabled, migrated to the latest schema.
  auto all = Database::BuiltinMigrations();
  std::vector<Migration> upto6(all.begin(), all.begin() + 6);
  REQUIRE(upto6.back().version == 6);
  const std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                           "/sealstack-versions-migration-" + std::to_string(::getpid()) + ".db";
  std::remove(path.c_str());
  {
    auto db = Database::Open({.path = path}, upto6);
    REQUIRE(db.ok());
    REQUIRE((*db)
                ->WithTransaction([](Connection& c) {
                  return c.Exec(
                      "INSERT INTO s3_buckets VALUES ('plain', 'a', 'us-east-1', 1, '{}');"
                      "INSERT INTO s3_buckets VALUES ('ver', 'a', 'us-east-1', 1, "
                      "'{\"versioning\":\"Enabled\"}');"
                      "INSERT INTO s3_objects VALUES ('plain', 'k', 'abc', 3, 'e', 16, 2, x'00', "
                      "'{}');"
                      "INSERT INTO s3_objects VALUES ('ver', 'k', 'def', 3, 'e', 16, 2, x'00', "
                      "'{}');"
                      "INSERT INTO s3_object_extents VALUES ('plain', 'k', 0, 7, 0, 3, x'01');"
                      "INSERT INTO s3_object_extents VALUES ('ver', 'k', 0, 8, 0, 3, x'01');");
                })
                .ok());
  }
  auto db = Database::Open({.path = path});
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  REQUIRE((*db)
              ->WithConnection([](Connection& c) -> Status {
                SEALSTACK_ASSIGN_OR_RETURN(S3ObjectRow plain, S3Repo::GetObject(c, "plain", "k"));
                CHECK((plain.version_id == "null" && plain.is_latest && !plain.delete_marker));
                CHECK((plain.extents.size() == 1 && plain.extents[0].object_id == 7));
                SEALSTACK_ASSIGN_OR_RETURN(S3ObjectRow ver, S3Repo::GetObject(c, "ver", "k"));
                CHECK(ver.version_id == "def");
                CHECK(ver.extents.at(0).object_id == 8);
                return Status::Ok();
              })
              .ok());
  db->reset();
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
}

}  // namespace
}  // namespace sealstack::storage
