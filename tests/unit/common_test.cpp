#include <catch2/catch.hpp>

#include "common/identifiers.h"
#include "common/result.h"
#include "common/strings.h"
#include "common/time_format.h"

using namespace sealstack;

TEST_CASE("Status carries kind and message; OK is the default", "[common]") {
  Status ok;
  CHECK(ok.ok());
  CHECK(ok.ToString() == "OK");
  Status nf = Status::NotFound("no such key");
  CHECK_FALSE(nf.ok());
  CHECK(nf.code() == StatusCode::kNotFound);
  CHECK(nf.ToString() == "NotFound: no such key");
}

namespace {
Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}
Result<int> Quarter(int x) {
  SEALSTACK_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}
}  // namespace

TEST_CASE("Result propagates the first error", "[common]") {
  CHECK(*Quarter(8) == 2);
  CHECK(Quarter(6).status().code() == StatusCode::kInvalidArgument);
  CHECK(Quarter(6).status().message() == "odd");
  CHECK(Quarter(8).status().ok());
}

TEST_CASE("Amz dates round-trip and reject malformed input", "[common]") {
  auto t = ParseAmzDate("20150830T123600Z");
  REQUIRE(t.has_value());
  CHECK(std::chrono::system_clock::to_time_t(*t) == 1440938160);
  CHECK(FormatAmzDate(*t) == "20150830T123600Z");
  for (const char* bad : {"", "20150830T123600", "2015083T123600Z", "20151330T123600Z",
                          "20150830T253600Z", "2015-08-30T12:36:00Z", "20150830X123600Z"}) {
    INFO(bad);
    CHECK_FALSE(ParseAmzDate(bad).has_value());
  }
}

TEST_CASE("dates beyond SystemTime's range saturate or fail, never overflow", "[common]") {
  // SystemTime holds int64 nanoseconds: 1677-09-21 .. 2262-04-11.
  CHECK(ParseAmzDate("30261128T013357Z") == SystemTime::max());
  CHECK(ParseIso8601("3030-01-01T00:00:00.5Z") == SystemTime::max());
  CHECK(ParseAmzDate("22620411T235947Z") == SystemTime::max());
  CHECK(ParseAmzDate("22620101T000000Z") < SystemTime::max());
  CHECK_FALSE(ParseAmzDate("10000101T000000Z").has_value());
  CHECK_FALSE(ParseIso8601("0001-01-01T00:00:00Z").has_value());
}

TEST_CASE("ISO 8601 and HTTP dates parse and format in UTC", "[common]") {
  auto t = ParseIso8601("2024-02-29T23:59:59.250Z");
  REQUIRE(t.has_value());
  CHECK(FormatIso8601(*t, true) == "2024-02-29T23:59:59.250Z");
  CHECK(FormatIso8601(*t) == "2024-02-29T23:59:59Z");
  CHECK_FALSE(ParseIso8601("2024-02-29 23:59:59Z").has_value());
  CHECK_FALSE(ParseIso8601("2024-02-29T23:59:59").has_value());

  auto h = ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT");
  REQUIRE(h.has_value());
  CHECK(std::chrono::system_clock::to_time_t(*h) == 784111777);
  CHECK(FormatHttpDate(*h) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK_FALSE(ParseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT").has_value());
  CHECK(ToEpochSeconds(*h) == Approx(784111777.0));
}

TEST_CASE("String helpers", "[common]") {
  CHECK(EqualsIgnoreCase("X-Amz-Date", "x-amz-date"));
  CHECK_FALSE(EqualsIgnoreCase("x-amz-date", "x-amz-dat"));
  CHECK(Trim("  a b \t") == "a b");
  CHECK(Trim("   ").empty());
  CHECK(ToLower("AbC") == "abc");
  auto parts = Split("a,,b", ',');
  REQUIRE(parts.size() == 3);
  CHECK(parts[1].empty());
  CHECK(StartsWith("TrentService.Encrypt", "TrentService."));
  CHECK(EndsWith("bucket.localhost", ".localhost"));
  CHECK(SplitHeaderNames(" Host ;;X-Amz-Date", ';') ==
        std::vector<std::string>{"host", "x-amz-date"});
  CHECK(SplitHeaderNames("", ',').empty());
  CHECK(ParseUnsignedDecimal("0") == 0u);
  CHECK(ParseUnsignedDecimal("9999999999999999999") == 9999999999999999999u);
  CHECK_FALSE(ParseUnsignedDecimal("10000000000000000000"));  // 20 digits
  CHECK_FALSE(ParseUnsignedDecimal(""));
  CHECK_FALSE(ParseUnsignedDecimal("+1"));
  CHECK_FALSE(ParseUnsignedDecimal(" 1"));
}

TEST_CASE("FakeClock and OffsetClock move only when told", "[common]") {
  FakeClock fake(SystemTime(std::chrono::seconds(1000)));
  fake.Advance(std::chrono::seconds(5));
  CHECK(fake.Now() == SystemTime(std::chrono::seconds(1005)));
  OffsetClock offset;
  auto before = offset.Now();
  offset.Advance(std::chrono::hours(24 * 7));
  CHECK(offset.Now() - before >= std::chrono::hours(24 * 7));
  CHECK(offset.offset() == std::chrono::hours(24 * 7));
}

TEST_CASE("OffsetClock maps a signed time to the server time of that moment", "[common]") {
  using std::chrono::hours;
  using std::chrono::seconds;
  OffsetClock clock;
  const SystemTime signed_before = std::chrono::floor<seconds>(clock.RealNow());
  CHECK(clock.ServerTimeAt(signed_before) == signed_before);  // no move yet: identity
  const SystemTime moved_at = clock.RealNow();
  const SystemTime counts_from = clock.Advance(hours(24 * 8));
  // Now() moves at once; signed times map with the new offset from the next whole second.
  CHECK(clock.Now() - clock.RealNow() >= hours(24 * 8) - seconds(1));
  CHECK(counts_from > moved_at);
  CHECK(counts_from - moved_at <= seconds(1));
  CHECK(counts_from == std::chrono::floor<seconds>(counts_from));
  // Signed (whole seconds) before the move: the old offset; at or after counts_from: the new.
  CHECK(clock.ServerTimeAt(signed_before) == signed_before);
  CHECK(clock.ServerTimeAt(counts_from - seconds(1)) == counts_from - seconds(1));
  CHECK(clock.ServerTimeAt(counts_from) == counts_from + hours(24 * 8));
  CHECK(clock.ServerTimeAt(counts_from + hours(1)) == counts_from + hours(1) + hours(24 * 8));
  // A second move before counts_from replaces the first for signed times.
  const SystemTime again = clock.SetOffset(std::chrono::microseconds(0));
  CHECK(again >= counts_from);
  CHECK(clock.offset() == std::chrono::microseconds(0));
  CHECK(clock.ServerTimeAt(again) == again);
  CHECK(clock.ServerTimeAt(signed_before) == signed_before);
}

TEST_CASE("Identifier shapes: accounts, regions, operations, name characters", "[common]") {
  using sealstack::IsAccountId;
  using sealstack::IsAlnumPlus;
  using sealstack::IsOperationName;
  using sealstack::IsRegionName;
  CHECK(IsAccountId("111122223333"));
  for (const char* bad : {"", "11112222333", "1111222233334", "11112222333a", " 11122223333"}) {
    CHECK_FALSE(IsAccountId(bad));
  }
  for (const char* good : {"us-east-1", "eu-central-2", "us-gov-west-1", "ap-southeast-10"}) {
    CHECK(IsRegionName(good));
  }
  for (const char* bad : {"", "us", "us-east", "us-1", "useast-1", "us-East-1", "us--east-1",
                          "us-east-1-", "-us-east-1", "us-east-1a", "u-east-1"}) {
    INFO(bad);
    CHECK_FALSE(IsRegionName(bad));
  }
  CHECK(IsOperationName("GenerateDataKey"));
  CHECK(IsOperationName("Ab"));
  for (const char* bad : {"", "A", "encrypt", "Get-Object", "Get Object"})
    CHECK_FALSE(IsOperationName(bad));
  CHECK(IsAlnumPlus("alias/My_key-1", "/_-"));
  CHECK_FALSE(IsAlnumPlus("", "/_-"));
  CHECK_FALSE(IsAlnumPlus("alias/my key", "/_-"));
  CHECK_FALSE(IsAlnumPlus("alias:x", "/_-"));
}

TEST_CASE("FormatUuid stamps the version and variant and prints 8-4-4-4-12 hex", "[common]") {
  CHECK(FormatUuid(0, 0, 4) == "00000000-0000-4000-8000-000000000000");
  CHECK(FormatUuid(~0ULL, ~0ULL, 7) == "ffffffff-ffff-7fff-bfff-ffffffffffff");
  CHECK(FormatUuid(0x0123456789abcdefULL, 0xfedcba9876543210ULL, 4) ==
        "01234567-89ab-4def-bedc-ba9876543210");
}

TEST_CASE("StatusCodeName names every StatusCode", "[common]") {
  for (int c = static_cast<int>(StatusCode::kOk); c <= static_cast<int>(StatusCode::kInternal);
       ++c) {
    INFO(c);
    CHECK(StatusCodeName(static_cast<StatusCode>(c)) != "Unknown");
  }
  CHECK(StatusCodeName(StatusCode::kFailedPrecondition) == "FailedPrecondition");
}
