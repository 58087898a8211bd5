// audit::Recorder and the CloudTrail record shape: queued and in-transaction recording,
// newest-first lookups with one attribute and cursors, retention by age and by size, and the
// userIdentity of each principal type, and records sealed at rest.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include <map>

#include "audit/event.h"
#include "audit/recorder.h"
#include "storage/audit_repo.h"
#include "storage/db.h"

namespace sealstack::audit {
namespace {

using storage::AuditFilter;

SystemTime T0() {
  return SystemTime(std::chrono::seconds(1'800'000'000));
}

std::shared_ptr<const auth::Principal> MakePrincipal(const std::string& arn,
                                                     const std::string& akid) {
  auto p = std::make_shared<auth::Principal>();
  auto parsed = auth::ParsePrincipalArn(arn);
  REQUIRE(parsed.ok());
  p->arn = arn;
  p->account = parsed->account;
  p->type = parsed->type;
  p->name = parsed->name;
  p->access_key_id = akid;
  return p;
}

Event KmsEvent(std::shared_ptr<const auth::Principal> p, const std::string& name,
               const std::string& key_arn) {
  Event e;
  e.principal = std::move(p);
  e.event_source = std::string(kKmsEventSource);
  e.event_name = name;
  e.region = "us-east-1";
  e.read_only = name != "CreateKey";
  e.source_ip = "192.0.2.1";
  e.user_agent = "test-agent";
  e.request_id = "req-" + name;
  e.request_parameters = ParamsBuilder().String("keyId", key_arn).Build();
  e.resources.push_back({key_arn, "000000000000", std::string(kKmsKeyType)});
  return e;
}

struct Fixture {
  std::unique_ptr<storage::Database> db;
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>(T0());
  std::unique_ptr<Recorder> recorder;
  std::shared_ptr<const auth::Principal> root =
      MakePrincipal("arn:aws:iam::000000000000:root", "test");

  explicit Fixture(RecorderOptions options = {}) {
    auto opened = storage::Database::Open({.in_memory = true});
    REQUIRE(opened.ok());
    db = std::move(*opened);
    Reopen(options);
  }

  void Reopen(RecorderOptions options = {}) {
    recorder.reset();
    auto r = Recorder::Open(*db, clock, RootKey(), options);
    REQUIRE(r.ok());
    recorder = std::move(*r);
  }

  static crypto::SecretBytes RootKey() { return crypto::SecretBytes(std::string(32, 'r')); }

  // The stored form of every record's JSON, by event id.
  std::map<std::string, std::string> Stored() {
    std::map<std::string, std::string> out;
    REQUIRE(db->WithConnection([&](storage::Connection& c) {
                return c.Query("SELECT event_id, json FROM audit_events", {},
                               [&](const storage::Row& r) {
                                 out[r.ColumnString(0)] = r.ColumnString(1);
                                 return Status::Ok();
                               });
              }).ok());
    return out;
  }

  std::vector<storage::AuditEventRow> All(AuditFilter f = {}) {
    f.account = f.account.empty() ? "000000000000" : f.account;
    auto page = recorder->Lookup(f);
    REQUIRE(page.ok());
    return page->events;
  }
};

const std::string kKeyA = "arn:aws:kms:us-east-1:000000000000:key/aaaa";
const std::string kKeyB = "arn:aws:kms:us-east-1:000000000000:key/bbbb";

TEST_CASE("queued events are visible to the next lookup, newest first") {
  Fixture f;
  for (int i = 0; i < 5; ++i) {
    f.recorder->Record(KmsEvent(f.root, "Encrypt", kKeyA));
    f.clock->Advance(std::chrono::seconds(1));
  }
  f.recorder->Record(KmsEvent(f.root, "Decrypt", kKeyB));
  auto all = f.All();
  REQUIRE(all.size() == 6);
  CHECK(all[0].event_name == "Decrypt");
  for (size_t i = 1; i < all.size(); ++i) CHECK(all[i - 1].event_time_us >= all[i].event_time_us);
  CHECK(all[0].resources.size() == 1);
  CHECK(all[0].resources[0].name == kKeyB);
}

TEST_CASE("one attribute filters; a cursor pages without overlap") {
  Fixture f;
  for (int i = 0; i < 7; ++i) f.recorder->Record(KmsEvent(f.root, "Encrypt", kKeyA));
  f.recorder->Record(KmsEvent(f.root, "Decrypt", kKeyB));
  AuditFilter by_name;
  by_name.attribute = AuditFilter::Attribute::kEventName;
  by_name.value = "Encrypt";
  by_name.account = "000000000000";
  by_name.limit = 3;
  std::vector<std::string> ids;
  for (int page = 0; page < 5; ++page) {
    auto p = f.recorder->Lookup(by_name);
    REQUIRE(p.ok());
    for (const auto& e : p->events) ids.push_back(e.event_id);
    if (!p->next) break;
    by_name.before = p->next;
  }
  CHECK(ids.size() == 7);
  std::sort(ids.begin(), ids.end());
  CHECK(std::unique(ids.begin(), ids.end()) == ids.end());

  AuditFilter by_resource;
  by_resource.attribute = AuditFilter::Attribute::kResourceName;
  by_resource.value = kKeyB;
  CHECK(f.All(by_resource).size() == 1);
  AuditFilter read_only;
  read_only.attribute = AuditFilter::Attribute::kReadOnly;
  read_only.value = "false";
  CHECK(f.All(read_only).empty());
  AuditFilter other_account;
  other_account.account = "111122223333";
  CHECK(f.All(other_account).empty());
}

TEST_CASE("RecordIn commits and rolls back with the caller's transaction") {
  Fixture f;
  Status failed = f.db->WithTransaction([&](storage::Connection& c) -> Status {
    REQUIRE(f.recorder->RecordIn(c, KmsEvent(f.root, "CreateKey", kKeyA)).ok());
    return Status::Internal("the effect failed");
  });
  CHECK_FALSE(failed.ok());
  CHECK(f.All().empty());
  REQUIRE(f.db->WithTransaction([&](storage::Connection& c) {
                return f.recorder->RecordIn(c, KmsEvent(f.root, "CreateKey", kKeyA));
              })
              .ok());
  auto all = f.All();
  REQUIRE(all.size() == 1);
  CHECK_FALSE(all[0].read_only);
}

TEST_CASE("retention drops events older than the configured days, by the injected clock") {
  RecorderOptions options;
  options.retention_days = 2;
  Fixture f(options);
  f.recorder->Record(KmsEvent(f.root, "Encrypt", kKeyA));
  f.clock->Advance(std::chrono::hours(24));
  f.recorder->Record(KmsEvent(f.root, "Decrypt", kKeyA));
  CHECK(f.All().size() == 2);
  auto last = f.recorder->LastUseOf(kKeyA, kKmsEventSource, {"Encrypt", "Decrypt"});
  REQUIRE(last.ok());
  REQUIRE(last->has_value());
  CHECK((*last)->event_name == "Decrypt");
  f.clock->Advance(std::chrono::hours(25));  // the Encrypt is now 49 h old
  auto kept = f.All();
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].event_name == "Decrypt");
  CHECK(f.recorder->TrackingStart() == f.clock->Now() - std::chrono::hours(48));
}

TEST_CASE("retention keeps the stored JSON under the size bound, dropping the oldest") {
  RecorderOptions options;
  options.max_bytes = 20'000;
  Fixture f(options);
  for (int i = 0; i < 100; ++i) {
    f.recorder->Record(KmsEvent(f.root, "Encrypt", kKeyA));
    f.clock->Advance(std::chrono::seconds(1));
  }
  f.recorder->Record(KmsEvent(f.root, "Decrypt", kKeyB));
  auto all = f.All();  // Lookup trims first
  size_t bytes = 0;
  for (const auto& e : all) bytes += e.json.size();
  CHECK(bytes <= 20'000);
  CHECK(all.size() < 100);
  CHECK(all.front().event_name == "Decrypt");  // the newest survive
}

TEST_CASE("Clear empties the trail and restarts tracking") {
  Fixture f;
  f.recorder->Record(KmsEvent(f.root, "Encrypt", kKeyA));
  f.clock->Advance(std::chrono::hours(1));
  REQUIRE(f.recorder->Clear().ok());
  CHECK(f.All().empty());
  CHECK(f.recorder->TrackingStart() == f.clock->Now());
}

TEST_CASE("the record has CloudTrail's shape, per principal type") {
  Event e = KmsEvent(MakePrincipal("arn:aws:iam::000000000000:user/Alice", "AKIAALICE"), "Encrypt",
                     kKeyA);
  e.event_id = "11111111-2222-4333-8444-555555555555";
  e.time = T0();
  rapidjson::Document d;
  std::string json = RenderCloudTrailJson(e);
  d.Parse(json.c_str());
  REQUIRE(d.IsObject());
  CHECK(std::string(d["eventVersion"].GetString()) == "1.11");
  CHECK(std::string(d["userIdentity"]["type"].GetString()) == "IAMUser");
  CHECK(std::string(d["userIdentity"]["userName"].GetString()) == "Alice");
  CHECK(std::string(d["userIdentity"]["principalId"].GetString()).rfind("AIDA", 0) == 0);
  CHECK(std::string(d["eventTime"].GetString()) == "2027-01-15T08:00:00Z");
  CHECK(d["responseElements"].IsNull());
  CHECK(std::string(d["requestParameters"]["keyId"].GetString()) == kKeyA);
  CHECK(std::string(d["resources"][0]["type"].GetString()) == "AWS::KMS::Key");
  CHECK(std::string(d["eventCategory"].GetString()) == "Management");
  CHECK(std::string(d["recipientAccountId"].GetString()) == "000000000000");
  CHECK_FALSE(d.HasMember("errorCode"));

  // A call S3 made for the user: invokedBy, and the service as source and agent.
  e.invoked_by = "s3.amazonaws.com";
  e.source_ip.clear();
  e.user_agent.clear();
  e.error_code = "AccessDeniedException";
  e.error_message = "denied";
  json = RenderCloudTrailJson(e);
  d.Parse(json.c_str());
  CHECK(std::string(d["userIdentity"]["invokedBy"].GetString()) == "s3.amazonaws.com");
  CHECK(std::string(d["sourceIPAddress"].GetString()) == "s3.amazonaws.com");
  CHECK(std::string(d["userAgent"].GetString()) == "s3.amazonaws.com");
  CHECK(std::string(d["errorCode"].GetString()) == "AccessDeniedException");

  auto session = MakePrincipal("arn:aws:sts::000000000000:assumed-role/App/s1", "ASIAX");
  CHECK(UsernameOf(*session) == "s1");
  e.principal = session;
  json = RenderCloudTrailJson(e);
  d.Parse(json.c_str());
  CHECK(std::string(d["userIdentity"]["type"].GetString()) == "AssumedRole");
  CHECK(std::string(d["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"].GetString()) ==
        "arn:aws:iam::000000000000:role/App");
  CHECK(UsernameOf(*MakePrincipal("arn:aws:iam::000000000000:root", "test")) == "root");
}

TEST_CASE("LowerCamel follows CloudTrail's member names") {
  CHECK(LowerCamel("KeyId") == "keyId");
  CHECK(LowerCamel("EncryptionContext") == "encryptionContext");
  CHECK(LowerCamel("SSEAlgorithm") == "sseAlgorithm");
  CHECK(LowerCamel("KMSMasterKeyID") == "kmsMasterKeyID");
  CHECK(LowerCamel("ID") == "id");
  CHECK(LowerCamel("keyId") == "keyId");
  CHECK(ParamsBuilder()
            .String("keyId", "k")
            .Int("numberOfBytes", 32)
            .Map("encryptionContext", {{"a", "b"}})
            .Build() == R"({"keyId":"k","numberOfBytes":32,"encryptionContext":{"a":"b"}})");
}

TEST_CASE("records are sealed at rest; lookups and the admin stream open them") {
  Fixture f;
  Event e = KmsEvent(f.root, "Encrypt", kKeyA);
  e.request_parameters =
      ParamsBuilder().String("keyId", kKeyA).String("purpose", "secret-context-value").Build();
  const std::string id = f.recorder->Record(e);
  auto all = f.All();
  REQUIRE(all.size() == 1);
  CHECK(all[0].json.find("secret-context-value") != std::string::npos);
  auto stored = f.Stored();
  REQUIRE(stored.count(id) == 1);
  CHECK(RecordSealer::IsSealed(stored[id]));
  CHECK(stored[id].find("secret-context-value") == std::string::npos);
  CHECK(stored[id].find("Encrypt") == std::string::npos);
  std::vector<std::string> lines;
  REQUIRE(f.recorder
              ->ForEachJson("", 0,
                            [&](const std::vector<std::string>& page, int64_t) {
                              lines.insert(lines.end(), page.begin(), page.end());
                              return true;
                            })
              .ok());
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == all[0].json);
}

TEST_CASE("a sealed record moved to another event does not open") {
  Fixture f;
  const std::string a = f.recorder->Record(KmsEvent(f.root, "Encrypt", kKeyA));
  const std::string b = f.recorder->Record(KmsEvent(f.root, "Decrypt", kKeyB));
  REQUIRE(f.All().size() == 2);
  auto stored = f.Stored();
  REQUIRE(f.db->WithTransaction([&](storage::Connection& c) {
                return c.Run("UPDATE audit_events SET json = :j WHERE event_id = :id",
                             {{"j", stored[a]}, {"id", b}});
              })
              .ok());
  AuditFilter filter;
  filter.account = "000000000000";
  auto page = f.recorder->Lookup(filter);
  REQUIRE_FALSE(page.ok());
  CHECK(page.status().code() == StatusCode::kIntegrity);
}

TEST_CASE("plain records an older version stored are sealed when the trail opens") {
  Fixture f;
  storage::AuditEventRow old;
  old.event_id = "00000000-0000-0000-0000-000000000001";
  old.event_time_us =
      std::chrono::duration_cast<std::chrono::microseconds>(T0().time_since_epoch()).count();
  old.account = "000000000000";
  old.event_source = "kms.amazonaws.com";
  old.event_name = "Encrypt";
  old.json = R"({"eventName":"Encrypt","requestParameters":{"purpose":"old-plaintext"}})";
  REQUIRE(f.db->WithTransaction(
                  [&](storage::Connection& c) { return storage::AuditRepo::Insert(c, &old); })
              .ok());
  f.Reopen();
  auto stored = f.Stored();
  CHECK(RecordSealer::IsSealed(stored[old.event_id]));
  CHECK(stored[old.event_id].find("old-plaintext") == std::string::npos);
  auto all = f.All();
  REQUIRE(all.size() == 1);
  CHECK(all[0].json == old.json);
}

TEST_CASE("DeleteOldest frees the oldest rows until the bytes asked for, across pages") {
  auto opened = storage::Database::Open({.in_memory = true});
  REQUIRE(opened.ok());
  storage::Database& db = **opened;
  constexpr int kRows = 1300;  // more than one page of the walk (512 rows)
  REQUIRE(db.WithTransaction([&](storage::Connection& c) -> Status {
              for (int i = 0; i < kRows; ++i) {
                storage::AuditEventRow row;
                row.event_id = "id-" + std::to_string(i);
                row.event_time_us = i;
                row.account = "000000000000";
                row.event_source = "kms.amazonaws.com";
                row.event_name = "Encrypt";
                row.json = std::string(100, 'x');
                SEALSTACK_RETURN_IF_ERROR(storage::AuditRepo::Insert(c, &row));
              }
              return Status::Ok();
            }).ok());
  auto delete_oldest = [&](int64_t bytes) {
    int64_t freed = -1;
    REQUIRE(db.WithTransaction([&](storage::Connection& c) -> Status {
                SEALSTACK_ASSIGN_OR_RETURN(freed, storage::AuditRepo::DeleteOldest(c, bytes));
                return Status::Ok();
              }).ok());
    return freed;
  };
  auto total = [&] {
    int64_t bytes = -1;
    REQUIRE(db.WithTransaction([&](storage::Connection& c) -> Status {
                SEALSTACK_ASSIGN_OR_RETURN(bytes, storage::AuditRepo::TotalSize(c));
                return Status::Ok();
              }).ok());
    return bytes;
  };
  CHECK(delete_oldest(70'001) == 70'100);  // 701 rows: the first that reach the bytes
  CHECK(total() == (kRows - 701) * 100);
  CHECK(delete_oldest(0) == 0);
  CHECK(delete_oldest(1'000'000) == (kRows - 701) * 100);  // more than stored: all of it
  CHECK(total() == 0);
  CHECK(delete_oldest(1) == 0);  // nothing left
}

}  // namespace
}  // namespace sealstack::audit
