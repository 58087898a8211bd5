#include <catch2/catch.hpp>

#include "api/glue/partition_expression.h"
#include "test_util.h"

using namespace sealstack;
using namespace sealstack::api::glue;

namespace {

const std::vector<PartitionKeyColumn> kKeys = {
    {"year", "int"}, {"month", "string"}, {"day", "date"}, {"amount", "decimal(10,2)"}};

bool Match(const char* expr, std::vector<std::string> values) {
  auto parsed = PartitionExpression::Parse(expr, kKeys);
  REQUIRE_OK(parsed);
  return parsed->Matches(values);
}

}  // namespace

TEST_CASE("partition expressions: the documented operators", "[glue]") {
  static const struct {
    const char* expr;
    bool expected;
  } kCases[] = {
      {"year = 2024", true},
      {"year <> 2024", false},
      {"year != 2023", true},
      {"year > 2023 AND year < 2025", true},
      {"year >= 2025 OR month = '07'", true},
      {"year <= 2023", false},
      {"NOT year = 2023", true},
      {"NOT (year = 2024 AND month = '07')", false},
      {"year BETWEEN 2020 AND 2024", true},
      {"year NOT BETWEEN 2020 AND 2024", false},
      {"month IN ('06', '07', '08')", true},
      {"month NOT IN ('06', '08')", true},
      {"month LIKE '0%'", true},
      {"month LIKE '_8'", false},
      {"month NOT LIKE '1%'", true},
      {"day >= '2024-07-01' AND day < '2024-08-01'", true},
      {"amount > 9.5", true},
      {"year = '2024'", true},  // a string literal compared as the key's number type
      {"`Year` = 2024", true},  // quoted and case-insensitive names
      {"YEAR = 2024 and (month = '01' or month = '07')", true},
      {"year IS NULL", false},
      {"year IS NOT NULL", true},
      {"month = 'it''s'", false},
      {"month > '06'", true},  // text comparison for string keys
  };
  for (const auto& c : kCases) {
    INFO(c.expr);
    CHECK(Match(c.expr, {"2024", "07", "2024-07-15", "10.25"}) == c.expected);
  }
}

TEST_CASE("partition expressions: numeric keys compare as numbers, not text", "[glue]") {
  CHECK(Match("year > 999", {"2024", "01", "2024-01-01", "1"}));  // as text "2024" < "999"
  CHECK_FALSE(Match("year = 2024", {"abc", "01", "2024-01-01", "1"}));
}

TEST_CASE("partition expressions: what is refused", "[glue]") {
  static const char* const kBad[] = {
      "nokey = 1", "year =",         "year = 1 AND",  "(year = 1",         "year = 'open",
      "year ! 1",  "year BETWEEN 1", "month IN '01'", "year = 1 year = 2", "year # 1",
  };
  for (const char* expr : kBad) {
    INFO(expr);
    auto parsed = PartitionExpression::Parse(expr, kKeys);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == StatusCode::kInvalidArgument);
  }
  auto typed = PartitionExpression::Parse("flag = true", {{"flag", "boolean"}});
  REQUIRE_FALSE(typed.ok());
  CHECK(typed.status().message().find("boolean") != std::string::npos);
}
