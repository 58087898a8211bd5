// FaultInjector (api/common/faults.h): matching, counts, probabilities (on a seeded source),
// latency and the admin-facing list.
#include <catch2/catch.hpp>

#include <memory>

#include "api/common/faults.h"
#include "crypto/random.h"

using namespace sealstack;
using api::FaultInjector;
using api::FaultSpec;

namespace {

std::shared_ptr<FaultInjector> Injector(uint64_t seed = 7) {
  return std::make_shared<FaultInjector>(std::make_shared<crypto::SeededRandom>(seed));
}

FaultSpec Throttle(std::string op = "Encrypt") {
  FaultSpec s;
  s.service = "kms";
  s.operation = std::move(op);
  s.error = "ThrottlingException";
  s.http_status = 400;
  return s;
}

}  // namespace

TEST_CASE("No faults: nothing fires", "[api][faults]") {
  auto f = Injector();
  CHECK(f->empty());
  CHECK_FALSE(f->Check("kms", "Encrypt", "arn:aws:kms:us-east-1:000000000000:key/x"));
}

TEST_CASE("A counted fault fires that many times, then is gone", "[api][faults]") {
  auto f = Injector();
  FaultSpec s = Throttle();
  s.count = 2;
  auto id = f->Add(s);
  REQUIRE(id.ok());
  CHECK(id->rfind("f-", 0) == 0);
  CHECK_FALSE(f->Check("kms", "Decrypt"));  // other operation
  CHECK_FALSE(f->Check("s3", "Encrypt"));   // other service
  auto hit = f->Check("kms", "Encrypt");
  REQUIRE(hit);
  CHECK(hit->id == *id);
  CHECK(hit->error == "ThrottlingException");
  CHECK(hit->http_status == 400);
  CHECK_FALSE(hit->message.empty());
  REQUIRE(f->List().size() == 1);
  CHECK(f->List()[0].remaining == 1);
  CHECK(f->List()[0].fired == 1);
  CHECK(f->Check("kms", "Encrypt"));
  CHECK(f->List().empty());
  CHECK(f->empty());
  CHECK_FALSE(f->Check("kms", "Encrypt"));
}

TEST_CASE("Operation * and resources", "[api][faults]") {
  auto f = Injector();
  FaultSpec s = Throttle("*");
  s.resource = "arn:aws:kms:us-east-1:000000000000:key/a";
  REQUIRE(f->Add(s).ok());
  CHECK(f->Check("kms", "Decrypt", "arn:aws:kms:us-east-1:000000000000:key/a"));
  CHECK(f->Check("kms", "DescribeKey", "arn:aws:kms:us-east-1:000000000000:key/a"));
  CHECK_FALSE(f->Check("kms", "Decrypt", "arn:aws:kms:us-east-1:000000000000:key/b"));
  CHECK_FALSE(f->Check("kms", "ListKeys"));
}

TEST_CASE("Probability is rolled on the injected source", "[api][faults]") {
  auto count_hits = [](uint64_t seed) {
    auto f = Injector(seed);
    FaultSpec s = Throttle();
    s.probability = 0.25;
    REQUIRE(f->Add(s).ok());
    int hits = 0;
    for (int i = 0; i < 2000; ++i) hits += f->Check("kms", "Encrypt") ? 1 : 0;
    return hits;
  };
  const int hits = count_hits(42);
  CHECK(hits == count_hits(42));  // reproducible for a seed
  CHECK(hits > 400);              // ~500 expected; bounds far outside sampling noise
  CHECK(hits < 600);
  auto never = Injector();
  FaultSpec s = Throttle();
  s.probability = 0;
  REQUIRE(never->Add(s).ok());
  for (int i = 0; i < 100; ++i) CHECK_FALSE(never->Check("kms", "Encrypt"));
  CHECK(never->List()[0].fired == 0);
}

TEST_CASE("Latency adds up; the first error wins and later error faults are not spent",
          "[api][faults]") {
  auto f = Injector();
  FaultSpec slow = Throttle("*");  // (not `operation = "*"`: GCC 12 -Wrestrict false positive)
  slow.error.clear();
  slow.http_status = 0;
  slow.latency_ms = 5;
  REQUIRE(f->Add(slow).ok());
  FaultSpec first = Throttle();
  first.latency_ms = 7;
  first.count = 1;
  auto first_id = f->Add(first);
  FaultSpec second = Throttle();
  second.error = "KMSInternalException";
  second.count = 1;
  REQUIRE(f->Add(second).ok());
  auto hit = f->Check("kms", "Encrypt");
  REQUIRE(hit);
  CHECK(hit->id == *first_id);
  CHECK(hit->latency == std::chrono::milliseconds(12));
  REQUIRE(f->List().size() == 2);  // slow (unlimited) and second (unspent)
  CHECK(f->List()[1].remaining == 1);
  hit = f->Check("kms", "Encrypt");
  REQUIRE(hit);
  CHECK(hit->error == "KMSInternalException");
  // Latency only: CheckAndDelay waits and lets the call proceed.
  hit = f->Check("kms", "Encrypt");
  REQUIRE(hit);
  CHECK(hit->error.empty());
  CHECK_FALSE(f->CheckAndDelay("kms", "Encrypt"));
}

TEST_CASE("Add validates the shape; Remove and Clear", "[api][faults]") {
  auto f = Injector();
  FaultSpec s = Throttle();
  s.service = "ec2";
  CHECK(f->Add(s).status().message().rfind("service:", 0) == 0);
  s = Throttle();
  s.probability = 1.5;
  CHECK(f->Add(s).status().message().rfind("probability:", 0) == 0);
  s = Throttle();
  s.count = 0;
  CHECK(f->Add(s).status().message().rfind("count:", 0) == 0);
  s = Throttle();
  s.error.clear();
  CHECK(f->Add(s).status().message().rfind("error:", 0) == 0);
  s = Throttle();
  s.latency_ms = -1;
  CHECK(f->Add(s).status().message().rfind("latency_ms:", 0) == 0);
  CHECK(f->List().empty());

  auto a = f->Add(Throttle());
  auto b = f->Add(Throttle("Decrypt"));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a != *b);
  CHECK(f->Remove(*a));
  CHECK_FALSE(f->Remove(*a));
  REQUIRE(f->List().size() == 1);
  CHECK(f->List()[0].id == *b);
  f->Clear();
  CHECK(f->empty());
}
