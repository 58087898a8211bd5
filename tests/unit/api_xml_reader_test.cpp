#include <catch2/catch.hpp>

#include <string>

#include "api/common/xml_reader.h"

using namespace sealstack;
using api::XmlDocument;
using api::XmlLimits;
using api::XmlNode;

namespace {

bool IsMalformed(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument && s.detail() == api::kDetailMalformedXml;
}

// <a><a>...</a></a> nested `depth` levels.
std::string Nested(size_t depth) {
  std::string s;
  for (size_t i = 0; i < depth; ++i) s += "<a>";
  for (size_t i = 0; i < depth; ++i) s += "</a>";
  return s;
}

}  // namespace

TEST_CASE("XmlDocument parses elements, text and local names", "[api][xml]") {
  auto doc = XmlDocument::Parse(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
      "  <Object><Key>a &amp; b</Key></Object>\n"
      "  <s3:Object "
      "xmlns:s3=\"x\"><s3:Key>&#x41;&#66;</s3:Key><VersionId>v1</VersionId></s3:Object>"
      "  <Quiet>true</Quiet>\n"
      "</Delete>\n");
  REQUIRE(doc.ok());
  XmlNode root = doc->root();
  CHECK(root.valid());
  CHECK(root.name() == "Delete");
  CHECK(root.CountChildren("Object") == 2);
  auto objects = root.Children("Object");
  REQUIRE(objects.size() == 2);
  CHECK(objects[0].ChildText("Key") == "a & b");
  CHECK(objects[1].ChildText("Key") == "AB");
  CHECK(objects[1].ChildText("VersionId") == "v1");
  CHECK(objects[0].ChildText("VersionId") == std::nullopt);
  CHECK(root.Children().size() == 3);
  CHECK_FALSE(root.Child("Missing").valid());
  CHECK(root.Child("Missing").Text().empty());
  CHECK(root.Child("Missing").Child("Deeper").name().empty());
}

TEST_CASE("XmlNode keeps whitespace-only text and joins CDATA", "[api][xml]") {
  auto doc = XmlDocument::Parse("<r><k> </k><t>\t\n</t><c>a<![CDATA[<b>&]]>c</c><e/></r>");
  REQUIRE(doc.ok());
  CHECK(doc->root().ChildText("k") == " ");
  CHECK(doc->root().ChildText("t") == "\t\n");
  CHECK(doc->root().ChildText("c") == "a<b>&c");
  CHECK(doc->root().ChildText("e") == "");
}

TEST_CASE("XmlNode typed lookups", "[api][xml]") {
  auto doc = XmlDocument::Parse(
      "<r><t>true</t><f> FALSE </f><x>yes</x><n>42</n><neg>-3</neg><big>99999999999</big>"
      "<bad>4x</bad><empty></empty></r>");
  REQUIRE(doc.ok());
  XmlNode r = doc->root();
  CHECK(r.ChildBool("t").value() == true);
  CHECK(r.ChildBool("f").value() == false);
  CHECK(r.ChildBool("absent").value() == std::nullopt);
  CHECK(IsMalformed(r.ChildBool("x").status()));
  CHECK(r.ChildInt("n", 1, 100).value() == 42);
  CHECK(r.ChildInt("neg", -10, 10).value() == -3);
  CHECK(r.ChildInt("absent", 0, 1).value() == std::nullopt);
  CHECK(IsMalformed(r.ChildInt("big", 0, 1'000'000).status()));
  CHECK(IsMalformed(r.ChildInt("bad", 0, 100).status()));
  CHECK(IsMalformed(r.ChildInt("empty", 0, 100).status()));
  CHECK(IsMalformed(r.ChildInt("n", 43, 100).status()));
}

TEST_CASE("XmlDocument rejects DOCTYPE, so XXE and billion laughs never expand", "[api][xml]") {
  const char* xxe =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE Delete [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
      "<Delete><Object><Key>&xxe;</Key></Object></Delete>";
  const char* laughs =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE lolz [\n"
      " <!ENTITY lol \"lol\">\n"
      " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
      " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
      " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
      "]>\n"
      "<lolz>&lol3;</lolz>";
  const char* plain_doctype = "<!DOCTYPE r><r/>";
  for (const char* body : {xxe, laughs, plain_doctype}) {
    auto doc = XmlDocument::Parse(body);
    CHECK_FALSE(doc.ok());
    CHECK(IsMalformed(doc.status()));
  }
}

TEST_CASE("XmlDocument leaves undeclared entities as literal text", "[api][xml]") {
  auto doc = XmlDocument::Parse("<r><k>&xxe;</k></r>");
  REQUIRE(doc.ok());
  CHECK(doc->root().ChildText("k") == "&xxe;");
}

TEST_CASE("XmlDocument enforces the depth limit without recursion", "[api][xml]") {
  CHECK(XmlDocument::Parse(Nested(32)).ok());
  auto too_deep = XmlDocument::Parse(Nested(33));
  CHECK(IsMalformed(too_deep.status()));
  // Far deeper than any stack would survive if parsing or checking recursed.
  CHECK(IsMalformed(XmlDocument::Parse(Nested(200'000)).status()));
  XmlLimits shallow;
  shallow.max_depth = 2;
  CHECK(XmlDocument::Parse("<a><b/></a>", shallow).ok());
  CHECK(IsMalformed(XmlDocument::Parse("<a><b><c/></b></a>", shallow).status()));
}

TEST_CASE("XmlDocument enforces the element count limit", "[api][xml]") {
  XmlLimits limits;
  limits.max_elements = 10;
  std::string ten = "<r>";
  for (int i = 0; i < 9; ++i) ten += "<k/>";
  ten += "</r>";
  CHECK(XmlDocument::Parse(ten, limits).ok());
  std::string eleven = ten;
  eleven.insert(3, "<k/>");
  CHECK(IsMalformed(XmlDocument::Parse(eleven, limits).status()));
}

TEST_CASE("XmlDocument rejects malformed documents", "[api][xml]") {
  const char* bad[] = {
      "",                        // no root
      "   ",                     // no root
      "<r>",                     // unclosed
      "<r></s>",                 // mismatched
      "<r/><r/>",                // two roots
      "<r/>trailing",            // text after the root
      "text<r/>",                // text before the root
      "<r><?php evil() ?></r>",  // processing instruction
      "<?pi x?><r/>",            // processing instruction at top level
      "<r>\xC3\x28</r>",         // invalid UTF-8
      "<r>\xED\xA0\x80</r>",     // UTF-16 surrogate encoded in UTF-8
      "<r>\xC0\xAF</r>",         // overlong '/'
      "<r a=\"1></r>",           // broken attribute
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
    INFO("case " << i);
    auto doc = XmlDocument::Parse(bad[i]);
    CHECK_FALSE(doc.ok());
    CHECK(IsMalformed(doc.status()));
  }
}

TEST_CASE("XmlDocument accepts a comment, declaration and valid multibyte UTF-8", "[api][xml]") {
  auto doc = XmlDocument::Parse(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><!-- hi --><r><k>\xC3\xA9\xE2\x82\xAC"
      "\xF0\x9F\x98\x80</k><!-- c --></r><!-- after -->");
  REQUIRE(doc.ok());
  CHECK(doc->root().ChildText("k") == "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST_CASE("XmlDocument is movable and nodes stay valid after a move", "[api][xml]") {
  auto parsed = XmlDocument::Parse("<r><k>v</k></r>");
  REQUIRE(parsed.ok());
  XmlDocument doc = std::move(parsed).value();
  XmlNode k = doc.root().Child("k");
  XmlDocument moved = std::move(doc);
  CHECK(k.Text() == "v");
  CHECK(moved.root().name() == "r");
}
