#include <catch2/catch.hpp>

#include "policy/variables.h"
#include "policy/wildcard.h"

using namespace sealstack::policy;

namespace {
Glob Text(std::string_view text, bool fold = false) {
  std::string p;
  AppendGlobText(text, &p);
  return Glob::Compile(p, fold);
}
}  // namespace

TEST_CASE("Glob: * and ? over whole strings, case-sensitive", "[policy][wildcard]") {
  struct Row {
    const char* pattern;
    const char* subject;
    bool match;
  };
  const Row rows[] = {
      {"*", "", true},
      {"*", "anything:at/all", true},
      {"arn:aws:s3:::b/*", "arn:aws:s3:::b/k/deep", true},
      {"arn:aws:s3:::b/*", "arn:aws:s3:::b", false},
      {"arn:aws:s3:::b*", "arn:aws:s3:::bucket2/x", true},
      {"arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:us-east-1:111122223333:key/abc", true},
      {"arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:us-east-1:444455556666:key/abc", false},
      {"a?c", "abc", true},
      {"a?c", "ac", false},
      {"a?c", "abbc", false},
      {"*a*b*", "xxaxxbxx", true},
      {"*a*b", "xxaxxbxxc", false},
      {"exact", "exact", true},
      {"exact", "Exact", false},
      {"exact", "exactly", false},
      {"pre*", "pre", true},
      {"back\\slash", "back\\slash", true},
      {"a*b*c*d", "aXbYcZd", true},
      {"a*b*c*d", "aXbYcZ", false},
  };
  for (const Row& r : rows) {
    INFO(r.pattern << " vs " << r.subject);
    CHECK(Text(r.pattern).Match(r.subject) == r.match);
  }
}

TEST_CASE("Glob: fold_case lower-cases both sides (actions)", "[policy][wildcard]") {
  CHECK(Text("kms:Generate*", true).Match("KMS:GENERATEDATAKEY"));
  CHECK(Text("kms:Decrypt", true).Match("kms:decrypt"));
  CHECK(Text("KMS:*", true).Match("kms:Encrypt"));
  CHECK(Text("kms:?ncrypt", true).Match("kms:Encrypt"));
  CHECK_FALSE(Text("kms:Generate*", true).Match("kms:Decrypt"));
  CHECK_FALSE(Text("kms:Decrypt", true).Match("kms:Decrypt2"));
}

TEST_CASE("Glob: escaped characters match literally", "[policy][wildcard]") {
  std::string p = "a";
  AppendGlobLiteral("*?", &p);
  Glob g = Glob::Compile(p, false);
  CHECK(g.Match("a*?"));
  CHECK_FALSE(g.Match("abc"));
  CHECK_FALSE(g.Match("axy"));
  std::string q;
  AppendGlobLiteral("x*", &q);
  q += "*";
  CHECK(Glob::Compile(q, false).Match("x*tail"));
  CHECK_FALSE(Glob::Compile(q, false).Match("xtail"));
}

TEST_CASE("Template: variables, defaults and escapes (2012-10-17)", "[policy][variables]") {
  RequestContext ctx;
  ctx.Set("aws:username", "alice");
  ctx.Set("aws:PrincipalTag/team", "blue");
  std::string out;

  Template t = Template::Parse("arn:aws:s3:::b/${aws:username}/*", true);
  CHECK(t.has_variables());
  REQUIRE(t.Resolve(ctx, false, &out));
  CHECK(out == "arn:aws:s3:::b/alice/*");

  Template tag = Template::Parse("team-${AWS:PRINCIPALTAG/TEAM}", true);
  REQUIRE(tag.Resolve(ctx, false, &out));
  CHECK(out == "team-blue");  // variable names are case-insensitive

  Template missing = Template::Parse("${aws:userid}", true);
  CHECK_FALSE(missing.Resolve(ctx, false, &out));

  Template def = Template::Parse("${aws:userid, 'nobody'}", true);
  REQUIRE(def.Resolve(ctx, false, &out));
  CHECK(out == "nobody");

  Template esc = Template::Parse("a${*}b${?}c${$}", true);
  CHECK_FALSE(esc.has_variables());
  CHECK(esc.Plain() == "a*b?c$");
  CHECK(Glob::Compile(esc.Pattern(), false).Match("a*b?c$"));
  CHECK_FALSE(Glob::Compile(esc.Pattern(), false).Match("aXbYc$"));

  // Variable values are literal inside patterns.
  ctx.Set("aws:username", "a*");
  REQUIRE(t.Resolve(ctx, true, &out));
  CHECK(GlobMatch(out, "arn:aws:s3:::b/a*/k"));
  CHECK_FALSE(GlobMatch(out, "arn:aws:s3:::b/abc/k"));

  // Unterminated or malformed: literal text.
  CHECK(Template::Parse("x${aws:username", true).Plain() == "x${aws:username");
}

TEST_CASE("Template: no substitution without variables enabled (2008-10-17)",
          "[policy][variables]") {
  Template t = Template::Parse("b/${aws:username}", false);
  CHECK_FALSE(t.has_variables());
  CHECK(t.Plain() == "b/${aws:username}");
}
