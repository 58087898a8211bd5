#include <catch2/catch.hpp>

#include <string>

#include "policy/document.h"

using namespace sealstack::policy;

TEST_CASE("ParsePolicy: the default KMS key policy", "[policy][document]") {
  auto doc = ParsePolicy(R"({
    "Version": "2012-10-17",
    "Id": "key-default-1",
    "Statement": [{
      "Sid": "Enable IAM User Permissions",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": "kms:*",
      "Resource": "*"
    }]
  })",
                         PolicyKind::kResource);
  REQUIRE(doc.ok());
  CHECK(doc->version == "2012-10-17");
  CHECK(doc->id == "key-default-1");
  REQUIRE(doc->statements.size() == 1);
  const Statement& s = doc->statements[0];
  CHECK(s.sid == "Enable IAM User Permissions");
  CHECK(s.effect == Effect::kAllow);
  CHECK(s.has_principal);
  CHECK_FALSE(s.not_principal);
  CHECK(s.actions.size() == 1);
  CHECK(s.resources.size() == 1);
  CHECK(s.condition.conditions.empty());
}

TEST_CASE("ParsePolicy: accepted shapes", "[policy][document]") {
  const char* good[] = {
      // Statement as a single object, no Version (2008 semantics), no Sid.
      R"({"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*"}})",
      R"({"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*","Resource":"*"}]})",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:role/App","arn:aws:sts::111122223333:assumed-role/App/s1"]},"NotAction":["kms:Delete*"],"NotResource":"arn:aws:kms:*:*:key/x"}]})",
      R"({"Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com","CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]})",
      R"({"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/Bob"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]})",
      R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:max-keys":10},"StringEquals":{"a":["x","y"]}}}]})",
  };
  for (const char* json : good) {
    INFO(json);
    auto doc = ParsePolicy(json, PolicyKind::kResource);
    CHECK(doc.ok());
    if (!doc.ok()) WARN(doc.status().message());
  }
  auto identity = ParsePolicy(
      R"({"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]})",
      PolicyKind::kIdentity);
  CHECK(identity.ok());
}

TEST_CASE("ParsePolicy: malformed documents name the place", "[policy][document]") {
  struct Bad {
    const char* name;
    PolicyKind kind;
    const char* json;
    const char* fragment;
  };
  const PolicyKind R = PolicyKind::kResource;
  const PolicyKind I = PolicyKind::kIdentity;
  const Bad rows[] = {
      {"json syntax", R, R"({"Statement": [})", "JSON syntax error at offset 15"},
      {"trailing junk", R, R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"*"}} x)",
       "JSON syntax error at offset"},
      {"not an object", R, R"([1,2])", "policy must be a JSON object, not a list"},
      {"bad version", R, R"({"Version":"2012-10-18","Statement":[]})", "Version: must be"},
      {"unknown top field", R, R"({"Statment":[{"Effect":"Allow","Principal":"*","Action":"*"}]})",
       "unknown top-level field \"Statment\""},
      {"missing Statement", R, R"({"Version":"2012-10-17"})", "Statement: missing"},
      {"empty Statement", R, R"({"Statement":[]})", "Statement: empty list"},
      {"Statement string", R, R"({"Statement":"x"})", "Statement: must be an object or a list"},
      {"Statement entry not object", R,
       R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"*"}, 5]})",
       "Statement[1]: must be an object, not a number"},
      {"missing Effect", R, R"({"Statement":[{"Sid":"S1","Principal":"*","Action":"*"}]})",
       "Statement[0] (Sid \"S1\"): Effect: missing"},
      {"Effect case", R,
       R"({"Statement":[{"Sid":"S1","Effect":"allow","Principal":"*","Action":"*"}]})",
       "Statement[0] (Sid \"S1\"): Effect: \"allow\" is not \"Allow\" or \"Deny\""},
      {"unknown statement field", R,
       R"({"Statement":[{"Sid":"S1","Effect":"Allow","Principal":"*","Action":"*","Resources":"*"}]})",
       "Statement[0] (Sid \"S1\"): Resources: unknown statement field"},
      {"no Action", R, R"({"Statement":[{"Effect":"Allow","Principal":"*","Resource":"*"}]})",
       "Statement[0]: Action: missing"},
      {"Action and NotAction", R,
       R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","NotAction":"s3:*"}]})",
       "NotAction: Action and NotAction are exclusive"},
      {"Resource and NotResource", R,
       R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","NotResource":"*"}]})",
       "Resource and NotResource are exclusive"},
      {"Principal and NotPrincipal", R,
       R"({"Statement":[{"Effect":"Deny","Principal":"*","NotPrincipal":"*","Action":"*"}]})",
       "Principal and NotPrincipal are exclusive"},
      {"action without service", R,
       R"({"Statement":[{"Sid":"X","Effect":"Allow","Principal":"*","Action":["kms:Encrypt","Decrypt"]}]})",
       "Statement[0] (Sid \"X\"): Action: \"Decrypt\" is not \"*\" or \"service:action\""},
      {"empty Action list", R, R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":[]}]})",
       "Statement[0]: Action: empty list"},
      {"Action number", R, R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":[1]}]})",
       "Action: list entries must be strings, not a number"},
      {"bad resource", R,
       R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"bucket/*"}]})",
       "Resource: \"bucket/*\" is not \"*\" or an ARN"},
      {"resource policy without principal", R,
       R"({"Statement":[{"Sid":"NoP","Effect":"Allow","Action":"*","Resource":"*"}]})",
       "Statement[0] (Sid \"NoP\"): Principal: missing"},
      {"identity policy with principal", I,
       R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]})",
       "Principal: not allowed in an identity policy"},
      {"identity policy without resource", I, R"({"Statement":[{"Effect":"Allow","Action":"*"}]})",
       "Resource: missing (identity policies need Resource or NotResource)"},
      {"string principal not *", R,
       R"({"Statement":[{"Effect":"Allow","Principal":"111122223333","Action":"*"}]})",
       "Principal: a string principal must be \"*\""},
      {"unknown principal type", R,
       R"({"Statement":[{"Effect":"Allow","Principal":{"IAM":"x"},"Action":"*"}]})",
       "Principal: unknown principal type \"IAM\""},
      {"wildcard in principal ARN", R,
       R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/*"},"Action":"*"}]})",
       "Principal.AWS: invalid AWS principal \"arn:aws:iam::111122223333:role/*\": wildcards"},
      {"principal not an ARN", R,
       R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"*"}]})",
       "Principal.AWS: invalid AWS principal \"bob\""},
      {"principal bad account", R,
       R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1234:root"},"Action":"*"}]})",
       "account must be 12 digits"},
      {"empty principal object", R,
       R"({"Statement":[{"Effect":"Allow","Principal":{},"Action":"*"}]})",
       "Principal: empty principal object"},
      {"unknown condition operator", R,
       R"({"Statement":[{"Sid":"C","Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringEqualz":{"a":"b"}}}]})",
       "Statement[0] (Sid \"C\"): Condition: unknown condition operator \"StringEqualz\""},
      {"condition operator not object", R,
       R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringEquals":"x"}}]})",
       "Condition.StringEquals: must be an object of condition keys"},
      {"condition value object", R,
       R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringEquals":{"k":{"a":1}}}}]})",
       "Condition.StringEquals.k: value must be a string"},
      {"condition empty values", R,
       R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringEquals":{"k":[]}}}]})",
       "Condition.StringEquals.k: empty list of values"},
      {"numeric condition not a number", R,
       R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"NumericLessThan":{"k":"ten"}}}]})",
       "Condition: NumericLessThan \"k\": \"ten\" is not a number"},
      {"duplicate Sid", R,
       R"({"Statement":[{"Sid":"A","Effect":"Allow","Principal":"*","Action":"*"},{"Sid":"A","Effect":"Deny","Principal":"*","Action":"*"}]})",
       "Statement[1] (Sid \"A\"): Sid: duplicate statement id"},
      {"duplicate field", R,
       R"({"Statement":[{"Effect":"Allow","Effect":"Deny","Principal":"*","Action":"*"}]})",
       "duplicate field \"Effect\""},
      {"Sid not string", R,
       R"({"Statement":[{"Sid":1,"Effect":"Allow","Principal":"*","Action":"*"}]})",
       "Statement[0]: Sid: must be a string"},
      {"invalid UTF-8", R, "{\"Id\":\"\xff\",\"Statement\":[]}", "JSON syntax error at offset"},
  };
  for (const Bad& b : rows) {
    INFO(b.name);
    auto doc = ParsePolicy(b.json, b.kind);
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.status().code() == sealstack::StatusCode::kInvalidArgument);
    CHECK_THAT(doc.status().message(), Catch::Contains(b.fragment));
  }
}

TEST_CASE("ParsePolicy: deep nesting and huge input do not crash", "[policy][document]") {
  std::string deep(100000, '[');
  CHECK_FALSE(ParsePolicy(deep, PolicyKind::kResource).ok());
  std::string many = R"({"Statement":[)";
  for (int i = 0; i < 500; ++i) {
    if (i) many += ",";
    many +=
        R"({"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"})";
  }
  many += "]}";
  auto doc = ParsePolicy(many, PolicyKind::kResource);
  REQUIRE(doc.ok());
  CHECK(doc->statements.size() == 500);
}

TEST_CASE("ParsePolicy: messages name every JSON type of a wrong value", "[policy][document]") {
  const std::pair<const char*, const char*> rows[] = {
      {"null", "not null"},    {"false", "not a boolean"}, {"true", "not a boolean"},
      {"{}", "not an object"}, {"[]", "not a list"},       {"1", "not a number"},
  };
  // (a string is the one type Sid accepts; "a string" is named by other fields' messages)
  for (const auto& [sid, fragment] : rows) {
    INFO(sid);
    auto doc = ParsePolicy(std::string(R"({"Statement":[{"Sid":)") + sid +
                               R"(,"Effect":"Allow","Principal":"*","Action":"*"}]})",
                           PolicyKind::kResource);
    REQUIRE_FALSE(doc.ok());
    CHECK_THAT(doc.status().message(), Catch::Contains(fragment));
  }
  auto doc = ParsePolicy(R"({"Statement":[{"Sid":"s","Effect":5,"Principal":"*","Action":"*"}]})",
                         PolicyKind::kResource);
  REQUIRE_FALSE(doc.ok());
  CHECK_THAT(doc.status().message(), Catch::Contains("Effect: must be a string, not a number"));
}

TEST_CASE("PrincipalTypeName and ParsePrincipalType are one two-way table", "[policy][document]") {
  for (PrincipalType t : {PrincipalType::kAws, PrincipalType::kService, PrincipalType::kFederated,
                          PrincipalType::kCanonicalUser}) {
    INFO(static_cast<int>(t));
    CHECK(PrincipalTypeName(t) != "?");
    CHECK(ParsePrincipalType(PrincipalTypeName(t)) == t);
  }
  CHECK(PrincipalTypeName(PrincipalType::kAws) == "AWS");
  CHECK_FALSE(ParsePrincipalType("aws").has_value());
}
