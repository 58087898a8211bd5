#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "policy/conditions.h"

using namespace sealstack::policy;

namespace {

using Values = std::vector<std::string>;

struct Row {
  const char* op;
  Values policy;
  std::optional<Values> request;  // nullopt = key absent
  bool expected;
};

bool Eval(const Row& r, const char* key = "test:Key") {
  auto c = Condition::Compile(r.op, key, r.policy, /*variables_enabled=*/true);
  REQUIRE(c.ok());
  RequestContext ctx;
  if (r.request) {
    for (const std::string& v : *r.request) ctx.Add("test:key", v);
  }
  return c->Evaluate(ctx);
}

void RunTable(const std::vector<Row>& rows) {
  for (const Row& r : rows) {
    std::string req = "<absent>";
    if (r.request) {
      req = "[";
      for (const auto& v : *r.request) req += v + ",";
      req += "]";
    }
    INFO(r.op << " policy[0]=" << r.policy.front() << " request=" << req);
    CHECK(Eval(r) == r.expected);
  }
}

const std::optional<Values> kAbsent = std::nullopt;

}  // namespace

TEST_CASE("String operators: positive, negated, absent, IfExists, case", "[policy][conditions]") {
  RunTable({
      {"StringEquals", {"aws:kms"}, Values{"aws:kms"}, true},
      {"StringEquals", {"aws:kms"}, Values{"AWS:KMS"}, false},      // values case-sensitive
      {"StringEquals", {"a", "aws:kms"}, Values{"aws:kms"}, true},  // values OR
      {"StringEquals", {"aws:kms"}, kAbsent, false},
      {"StringEqualsIfExists", {"aws:kms"}, kAbsent, true},
      {"StringEqualsIfExists", {"aws:kms"}, Values{"AES256"}, false},
      {"StringNotEquals", {"aws:kms"}, Values{"AES256"}, true},
      {"StringNotEquals", {"aws:kms"}, Values{"aws:kms"}, false},
      {"StringNotEquals", {"a", "b"}, Values{"b"}, false},  // equals none of them
      {"StringNotEquals", {"a", "b"}, Values{"c"}, true},
      {"StringNotEquals", {"aws:kms"}, kAbsent, true},  // missing header matches!
      {"StringNotEqualsIfExists", {"aws:kms"}, kAbsent, true},
      {"StringNotEqualsIfExists", {"aws:kms"}, Values{"aws:kms"}, false},
      {"StringEqualsIgnoreCase", {"AES256"}, Values{"aes256"}, true},
      {"StringEqualsIgnoreCase", {"AES256"}, Values{"aes25"}, false},
      {"StringEqualsIgnoreCase", {"AES256"}, kAbsent, false},
      {"StringNotEqualsIgnoreCase", {"AES256"}, Values{"aes256"}, false},
      {"StringNotEqualsIgnoreCase", {"AES256"}, Values{"aws:kms"}, true},
      {"StringNotEqualsIgnoreCase", {"AES256"}, kAbsent, true},
      {"StringLike", {"arn:aws:s3:::b/*"}, Values{"arn:aws:s3:::b/k"}, true},
      {"StringLike", {"arn:aws:s3:::b/*"}, Values{"arn:aws:s3:::c/k"}, false},
      {"StringLike", {"ab?"}, Values{"abc"}, true},
      {"StringLike", {"AB*"}, Values{"abc"}, false},
      {"StringLike", {"x*"}, kAbsent, false},
      {"StringLikeIfExists", {"x*"}, kAbsent, true},
      {"StringNotLike", {"x*"}, Values{"xyz"}, false},
      {"StringNotLike", {"x*"}, Values{"abc"}, true},
      {"StringNotLike", {"x*"}, kAbsent, true},
      {"StringNotLike", {"a*", "x*"}, Values{"abc"}, false},
  });
}

TEST_CASE("Numeric operators", "[policy][conditions]") {
  RunTable({
      {"NumericEquals", {"7"}, Values{"7"}, true},
      {"NumericEquals", {"7"}, Values{"7.0"}, true},
      {"NumericEquals", {"7"}, Values{"8"}, false},
      {"NumericEquals", {"7"}, Values{"seven"}, false},
      {"NumericEquals", {"7"}, kAbsent, false},
      {"NumericEqualsIfExists", {"7"}, kAbsent, true},
      {"NumericNotEquals", {"7"}, Values{"8"}, true},
      {"NumericNotEquals", {"7"}, Values{"7"}, false},
      {"NumericNotEquals", {"7"}, kAbsent, true},
      {"NumericLessThan", {"30"}, Values{"7"}, true},
      {"NumericLessThan", {"30"}, Values{"30"}, false},
      {"NumericLessThanEquals", {"30"}, Values{"30"}, true},
      {"NumericLessThanEquals", {"30"}, Values{"31"}, false},
      {"NumericGreaterThan", {"7"}, Values{"30"}, true},
      {"NumericGreaterThan", {"7"}, Values{"7"}, false},
      {"NumericGreaterThanEquals", {"7"}, Values{"7"}, true},
      {"NumericGreaterThanEquals", {"7"}, Values{"-1"}, false},
      {"NumericGreaterThanEquals", {"7"}, kAbsent, false},
      {"NumericGreaterThanEqualsIfExists", {"7"}, kAbsent, true},
      {"NumericLessThan", {"1.5"}, Values{"1.25"}, true},
  });
}

TEST_CASE("Date operators: ISO 8601 and epoch seconds", "[policy][conditions]") {
  RunTable({
      {"DateEquals", {"2025-01-01T00:00:00Z"}, Values{"1735689600"}, true},
      {"DateEquals", {"1735689600"}, Values{"2025-01-01T00:00:00Z"}, true},
      {"DateEquals", {"2025-01-01"}, Values{"2025-01-01T00:00:00.000Z"}, true},
      {"DateEquals", {"2025-01-01T01:00:00+01:00"}, Values{"2025-01-01T00:00:00Z"}, true},
      {"DateNotEquals", {"2025-01-01T00:00:00Z"}, Values{"2025-01-02T00:00:00Z"}, true},
      {"DateNotEquals", {"2025-01-01T00:00:00Z"}, Values{"2025-01-01T00:00:00Z"}, false},
      {"DateNotEquals", {"2025-01-01T00:00:00Z"}, kAbsent, true},
      {"DateLessThan", {"2025-06-01T00:00:00Z"}, Values{"2025-01-01T00:00:00Z"}, true},
      {"DateLessThan", {"2025-06-01T00:00:00Z"}, Values{"2025-06-01T00:00:00Z"}, false},
      {"DateLessThanEquals", {"2025-06-01T00:00:00Z"}, Values{"2025-06-01T00:00:00Z"}, true},
      {"DateGreaterThan", {"2025-06-01T00:00:00Z"}, Values{"2026-01-01T00:00:00Z"}, true},
      {"DateGreaterThan", {"2025-06-01T00:00:00Z"}, Values{"2024-01-01T00:00:00Z"}, false},
      {"DateGreaterThanEquals", {"2025-06-01T00:00:00Z"}, Values{"2025-06-01T00:00:00Z"}, true},
      {"DateGreaterThan", {"2025-06-01T00:00:00Z"}, Values{"not a date"}, false},
      {"DateGreaterThan", {"2025-06-01T00:00:00Z"}, kAbsent, false},
      {"DateGreaterThanIfExists", {"2025-06-01T00:00:00Z"}, kAbsent, true},
  });
}

TEST_CASE("Bool, BinaryEquals, Null", "[policy][conditions]") {
  RunTable({
      {"Bool", {"true"}, Values{"true"}, true},
      {"Bool", {"false"}, Values{"false"}, true},
      {"Bool", {"false"}, Values{"true"}, false},
      {"Bool", {"true"}, Values{"TRUE"}, true},
      {"Bool", {"true"}, Values{"yes"}, false},
      {"Bool", {"false"}, kAbsent, false},
      {"BoolIfExists", {"false"}, kAbsent, true},
      {"BinaryEquals", {"QmluYXJ5"}, Values{"QmluYXJ5"}, true},
      {"BinaryEquals", {"QmluYXI="}, Values{"QmluYXI"}, true},  // padding optional
      {"BinaryEquals", {"QmluYXJ5"}, Values{"QmluYXJ6"}, false},
      {"BinaryEquals", {"QmluYXJ5"}, kAbsent, false},
      {"BinaryEqualsIfExists", {"QmluYXJ5"}, kAbsent, true},
      {"Null", {"true"}, kAbsent, true},
      {"Null", {"true"}, Values{"x"}, false},
      {"Null", {"false"}, Values{"x"}, true},
      {"Null", {"false"}, kAbsent, false},
      {"Null", {"true"}, Values{}, true},  // an empty value list is absent
  });
}

TEST_CASE("IpAddress / NotIpAddress over IPv4 and IPv6 CIDRs", "[policy][conditions]") {
  RunTable({
      {"IpAddress", {"203.0.113.0/24"}, Values{"203.0.113.7"}, true},
      {"IpAddress", {"203.0.113.0/24"}, Values{"203.0.114.7"}, false},
      {"IpAddress", {"10.0.0.0/8", "192.168.0.0/16"}, Values{"192.168.3.4"}, true},
      {"IpAddress", {"203.0.113.7"}, Values{"203.0.113.7"}, true},
      {"IpAddress", {"203.0.113.0/25"}, Values{"203.0.113.200"}, false},
      {"IpAddress", {"0.0.0.0/0"}, Values{"8.8.8.8"}, true},
      {"IpAddress", {"2001:db8::/32"}, Values{"2001:db8:1::1"}, true},
      {"IpAddress", {"2001:db8::/32"}, Values{"2001:db9::1"}, false},
      {"IpAddress", {"2001:db8::/32"}, Values{"203.0.113.7"}, false},
      {"IpAddress", {"127.0.0.0/8"}, Values{"::ffff:127.0.0.1"}, true},
      {"IpAddress", {"127.0.0.0/8"}, Values{"not-an-ip"}, false},
      {"IpAddress", {"127.0.0.0/8"}, kAbsent, false},
      {"IpAddressIfExists", {"127.0.0.0/8"}, kAbsent, true},
      {"NotIpAddress", {"127.0.0.0/8"}, Values{"10.1.1.1"}, true},
      {"NotIpAddress", {"127.0.0.0/8"}, Values{"127.0.0.1"}, false},
      {"NotIpAddress", {"127.0.0.0/8"}, kAbsent, true},
  });
}

TEST_CASE("Arn operators compare the six parts, wildcards per part", "[policy][conditions]") {
  RunTable({
      {"ArnEquals",
       {"arn:aws:iam::111122223333:role/App"},
       Values{"arn:aws:iam::111122223333:role/App"},
       true},
      {"ArnEquals",
       {"arn:aws:iam::111122223333:role/App"},
       Values{"arn:aws:iam::111122223333:role/app"},
       false},
      {"ArnLike", {"arn:aws:iam::*:role/App"}, Values{"arn:aws:iam::444455556666:role/App"}, true},
      {"ArnLike", {"arn:aws:s3:::b/*"}, Values{"arn:aws:s3:::b/a:b/c"}, true},
      // `*` in one part does not swallow the colons of another.
      {"ArnLike",
       {"arn:aws:*::111122223333:role/App"},
       Values{"arn:aws:iam:us-east-1:111122223333:role/App"},
       false},
      {"ArnLike", {"*"}, Values{"arn:aws:iam::111122223333:role/App"}, true},
      {"ArnLike", {"arn:aws:*"}, Values{"arn:aws:iam::111122223333:role/App"}, false},
      {"ArnLike",
       {"arn:aws:*::111122223333:role/App"},
       Values{"arn:aws:iam::111122223333:role/App"},
       true},
      {"ArnLike", {"arn:aws:iam::*:*"}, Values{"not-an-arn"}, false},
      {"ArnEquals", {"arn:aws:iam::*:role/App"}, Values{"arn:aws:iam::1:role/App"}, true},
      {"ArnNotEquals",
       {"arn:aws:iam::111122223333:role/App"},
       Values{"arn:aws:iam::111122223333:role/Other"},
       true},
      {"ArnNotLike",
       {"arn:aws:iam::111122223333:role/*"},
       Values{"arn:aws:iam::111122223333:role/App"},
       false},
      {"ArnNotLike", {"arn:aws:iam::111122223333:role/*"}, kAbsent, true},
      {"ArnLike", {"arn:aws:iam::111122223333:role/*"}, kAbsent, false},
      {"ArnLikeIfExists", {"arn:aws:iam::111122223333:role/*"}, kAbsent, true},
  });
}

TEST_CASE("ForAnyValue / ForAllValues, including empty and absent sets", "[policy][conditions]") {
  RunTable({
      {"ForAnyValue:StringEquals", {"a", "b"}, Values{"x", "b"}, true},
      {"ForAnyValue:StringEquals", {"a", "b"}, Values{"x", "y"}, false},
      {"ForAnyValue:StringEquals", {"a"}, kAbsent, false},
      {"ForAnyValue:StringEquals", {"a"}, Values{}, false},
      {"ForAnyValue:StringEqualsIfExists", {"a"}, kAbsent, true},
      {"ForAllValues:StringEquals", {"a", "b"}, Values{"a", "b"}, true},
      {"ForAllValues:StringEquals", {"a", "b"}, Values{"a", "c"}, false},
      {"ForAllValues:StringEquals", {"a"}, kAbsent, true},  // vacuous truth
      {"ForAllValues:StringEquals", {"a"}, Values{}, true},
      {"ForAllValues:StringLike", {"aws:*"}, Values{"aws:s3:arn", "aws:x"}, true},
      {"ForAllValues:StringLike", {"aws:*"}, Values{"aws:s3:arn", "user"}, false},
      // Negated: per request value "equals none of the policy values".
      {"ForAnyValue:StringNotEquals", {"a", "b"}, Values{"a", "c"}, true},
      {"ForAnyValue:StringNotEquals", {"a", "b"}, Values{"a", "b"}, false},
      {"ForAllValues:StringNotEquals", {"a", "b"}, Values{"c", "d"}, true},
      {"ForAllValues:StringNotEquals", {"a", "b"}, Values{"c", "a"}, false},
      {"ForAllValues:StringNotEquals", {"a"}, kAbsent, true},
      {"ForAnyValue:StringNotEquals", {"a"}, kAbsent, false},
      {"ForAnyValue:NumericGreaterThan", {"10"}, Values{"1", "11"}, true},
      {"ForAllValues:NumericGreaterThan", {"10"}, Values{"1", "11"}, false},
      // No qualifier on a multi-valued key: some value matches (negated: none does).
      {"StringEquals", {"b"}, Values{"a", "b"}, true},
      {"StringNotEquals", {"b"}, Values{"a", "b"}, false},
  });
}

TEST_CASE("Condition key names are case-insensitive, values are not", "[policy][conditions]") {
  auto c =
      Condition::Compile("StringEquals", "KMS:EncryptionContext:Department", {"Finance"}, true);
  REQUIRE(c.ok());
  CHECK(c->key() == "kms:encryptioncontext:department");
  RequestContext ctx;
  ctx.Set("kms:encryptioncontext:department", "Finance");
  CHECK(c->Evaluate(ctx));
  RequestContext other_case_key;
  other_case_key.Set("kms:EncryptionContext:DEPARTMENT", "Finance");  // Set lower-cases
  CHECK(c->Evaluate(other_case_key));
  RequestContext other_case_value;
  other_case_value.Set("kms:encryptioncontext:department", "finance");
  CHECK_FALSE(c->Evaluate(other_case_value));
}

TEST_CASE("Policy variables in condition values", "[policy][conditions]") {
  auto c = Condition::Compile("StringLike", "s3:prefix", {"home/${aws:username}/*"}, true);
  REQUIRE(c.ok());
  RequestContext ctx;
  ctx.Set("aws:username", "alice");
  ctx.Set("s3:prefix", "home/alice/docs");
  CHECK(c->Evaluate(ctx));
  ctx.Set("s3:prefix", "home/bob/docs");
  CHECK_FALSE(c->Evaluate(ctx));
  RequestContext no_user;  // unresolvable variable: the entry is false
  no_user.Set("s3:prefix", "home/alice/docs");
  CHECK_FALSE(c->Evaluate(no_user));

  auto acct =
      Condition::Compile("StringEquals", "kms:CallerAccount", {"${aws:PrincipalAccount}"}, true);
  REQUIRE(acct.ok());
  RequestContext a;
  a.Set("aws:principalaccount", "111122223333");
  a.Set("kms:calleraccount", "111122223333");
  CHECK(acct->Evaluate(a));

  // With variables disabled (2008-10-17) the text is literal.
  auto literal = Condition::Compile("StringEquals", "k", {"${aws:username}"}, false);
  REQUIRE(literal.ok());
  RequestContext l;
  l.Set("aws:username", "alice");
  l.Set("k", "${aws:username}");
  CHECK(literal->Evaluate(l));
}

TEST_CASE("Condition::Compile rejects unknown operators and unreadable values",
          "[policy][conditions]") {
  struct Bad {
    const char* op;
    Values values;
    const char* fragment;
  };
  const Bad rows[] = {
      {"StringEqualz", {"a"}, "unknown condition operator \"StringEqualz\""},
      {"stringequals", {"a"}, "unknown condition operator"},
      {"NullIfExists", {"true"}, "unknown condition operator"},
      {"ForAnyValue:Null", {"true"}, "unknown condition operator"},
      {"ForSomeValues:StringEquals", {"a"}, "unknown condition operator"},
      {"NumericEquals", {"seven"}, "\"seven\" is not a number"},
      {"DateLessThan", {"yesterday"}, "is not an ISO 8601 date"},
      {"Bool", {"yes"}, "is not \"true\" or \"false\""},
      {"Null", {"maybe"}, "is not \"true\" or \"false\""},
      {"IpAddress", {"10.0.0.0/33"}, "is not an IP address or CIDR"},
      {"IpAddress", {"300.0.0.1"}, "is not an IP address or CIDR"},
      {"BinaryEquals", {"!!!"}, "is not base64"},
      {"StringEquals", {}, "no values"},
  };
  for (const Bad& b : rows) {
    INFO(b.op);
    auto c = Condition::Compile(b.op, "k", b.values, true);
    REQUIRE_FALSE(c.ok());
    CHECK_THAT(c.status().message(), Catch::Contains(b.fragment));
  }
}

TEST_CASE("ParseIpNetwork and ParseConditionDate edge cases", "[policy][conditions]") {
  IpNetwork n;
  CHECK(ParseIpNetwork("::1", &n));
  CHECK(n.v6);
  CHECK(n.prefix == 128);
  CHECK_FALSE(ParseIpNetwork("1.2.3.4/", &n));
  CHECK_FALSE(ParseIpNetwork("", &n));
  int64_t t = 0;
  CHECK(ParseConditionDate("0", &t));
  CHECK(t == 0);
  CHECK(ParseConditionDate("1.5", &t));
  CHECK(t == 1500000);
  CHECK_FALSE(ParseConditionDate("2025-13-45", &t));
}
