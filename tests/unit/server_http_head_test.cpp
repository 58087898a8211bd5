#include <catch2/catch.hpp>

#include <string>

#include "server/http_head.h"

using sealstack::server::HeadError;
using sealstack::server::HeadProblem;
using sealstack::server::kMaxHeaderLineBytes;
using sealstack::server::kMaxTargetBytes;
using sealstack::server::ParseRequestHead;

namespace {

std::string HeaderValue(const sealstack::server::ParsedHead& p, const std::string& name) {
  const std::string* v = p.head.FindHeader(name);
  return v == nullptr ? "<absent>" : *v;
}

}  // namespace

TEST_CASE("ParseRequestHead reads the request line and the headers as sent") {
  auto p = ParseRequestHead(
      "PUT /b/a%20k?x=1 HTTP/1.1\r\nHost: x\r\nx-amz-Meta-A:  v 1 \r\nContent-Length: 5\r\n\r\n",
      true);
  CHECK(p.error == HeadError::kNone);
  CHECK(p.problem == HeadProblem::kNone);
  CHECK(p.head.method == "PUT");
  CHECK(p.head.target == "/b/a%20k?x=1");  // raw: decoding is the services'
  REQUIRE(p.head.headers.size() == 3);
  CHECK(p.head.headers[1].first == "x-amz-Meta-A");  // names as sent, in order
  CHECK(p.head.headers[1].second == "v 1");          // values trimmed of surrounding whitespace
  CHECK(p.content_length == 5);
  CHECK_FALSE(p.chunked);
  CHECK(p.keep_alive);
  CHECK_FALSE(p.expect_continue);
}

TEST_CASE("ParseRequestHead keeps header values byte for byte (SigV4 signed them)") {
  auto p = ParseRequestHead(
      "PUT /b/k HTTP/1.1\r\nx-amz-tagging: a%3Ab=1\r\nx-amz-copy-source: /b/100%25\r\n"
      "Range: bytes=5-2\r\nx-amz-meta-empty:\r\n\r\n",
      true);
  CHECK(HeaderValue(p, "x-amz-tagging") == "a%3Ab=1");
  CHECK(HeaderValue(p, "x-amz-copy-source") == "/b/100%25");
  CHECK(HeaderValue(p, "range") == "bytes=5-2");  // an invalid range is S3's to ignore
  CHECK(HeaderValue(p, "x-amz-meta-empty").empty());
}

TEST_CASE("ParseRequestHead refuses Content-Lengths that are not one decimal number") {
  for (const char* value : {"abc", "-1", "+5", "1 2", "0x5", "", "12345678901234567890"}) {
    auto p = ParseRequestHead(
        std::string("PUT / HTTP/1.1\r\nContent-Length: ") + value + "\r\n\r\n", true);
    INFO(value);
    CHECK(p.problem == HeadProblem::kBadContentLength);
    CHECK(p.content_length == 0);  // the body is never read
  }
  auto conflicting =
      ParseRequestHead("PUT / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", true);
  CHECK(conflicting.problem == HeadProblem::kBadContentLength);
  auto equal =
      ParseRequestHead("PUT / HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n", true);
  CHECK(equal.problem == HeadProblem::kNone);
  CHECK(equal.content_length == 5);
  auto padded = ParseRequestHead("PUT / HTTP/1.1\r\nContent-Length:\t 0012 \r\n\r\n", true);
  CHECK(padded.problem == HeadProblem::kNone);
  CHECK(padded.content_length == 12);
  auto max =
      ParseRequestHead("PUT / HTTP/1.1\r\nContent-Length: 9999999999999999999\r\n\r\n", true);
  CHECK(max.content_length == 9999999999999999999ull);
}

TEST_CASE("ParseRequestHead drops a header line over the line limit") {
  const std::string big = "X-Big: " + std::string(kMaxHeaderLineBytes, 'a') + "\r\n";
  auto p = ParseRequestHead("GET / HTTP/1.1\r\n" + big + "Host: x\r\n\r\n", true);
  CHECK(p.problem == HeadProblem::kHeaderSectionTooLarge);
  CHECK(HeaderValue(p, "X-Big") == "<absent>");
  CHECK(HeaderValue(p, "Host") == "x");
  // Exactly at the limit (CRLF included) is still fine.
  const std::string edge = "X-E: " + std::string(kMaxHeaderLineBytes - 7, 'e') + "\r\n";
  REQUIRE(edge.size() == kMaxHeaderLineBytes);
  CHECK(ParseRequestHead("GET / HTTP/1.1\r\n" + edge + "\r\n", true).problem == HeadProblem::kNone);
}

TEST_CASE("ParseRequestHead keeps the complete lines of a head cut at the bound") {
  auto p = ParseRequestHead("GET / HTTP/1.1\r\nHost: x\r\nX-Cut: abc", false);
  CHECK(p.error == HeadError::kNone);
  CHECK(p.problem == HeadProblem::kHeaderSectionTooLarge);
  CHECK(HeaderValue(p, "Host") == "x");
  CHECK(HeaderValue(p, "X-Cut") == "<absent>");
}

TEST_CASE("ParseRequestHead answers a request line it cannot use") {
  for (const char* head : {"GET /\r\n\r\n", "GET / HTTP/2.0\r\n\r\n", "FETCH / HTTP/1.1\r\n\r\n",
                           "GET  / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\n\r\n", "\r\n\r\n",
                           "GET / HTTP/1.1 x\r\n\r\n"}) {
    INFO(head);
    CHECK(ParseRequestHead(head, true).error == HeadError::kMalformed);
  }
  // Obsolete line folding (a line starting with whitespace).
  CHECK(ParseRequestHead("GET / HTTP/1.1\r\nA: b\r\n c: d\r\n\r\n", true).error ==
        HeadError::kMalformed);
  const std::string long_target(kMaxTargetBytes + 1, 'a');
  CHECK(ParseRequestHead("GET /" + long_target + " HTTP/1.1\r\n\r\n", true).error ==
        HeadError::kUriTooLong);
  CHECK(ParseRequestHead("GET /" + long_target, false).error == HeadError::kUriTooLong);
  CHECK(ParseRequestHead("TRACE / HTTP/1.1\r\n\r\n", true).error == HeadError::kNone);
}

TEST_CASE("ParseRequestHead skips header lines without CRLF or colon") {
  auto p = ParseRequestHead("GET / HTTP/1.1\r\nRange: bytes=0-1\nNoColon\r\nHost: x\r\n\r\n", true);
  CHECK(p.error == HeadError::kNone);
  CHECK(HeaderValue(p, "Host") == "x");
  CHECK(p.head.headers.size() == 1);
}

TEST_CASE("ParseRequestHead finds the body framing and the connection's fate") {
  auto chunked = ParseRequestHead(
      "PUT / HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\nContent-Length: 9\r\n\r\n", true);
  CHECK(chunked.chunked);
  CHECK(chunked.content_length == 0);
  auto close = ParseRequestHead("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n", true);
  CHECK_FALSE(close.keep_alive);
  auto http10 = ParseRequestHead("GET / HTTP/1.0\r\n\r\n", true);
  CHECK(http10.http10);
  CHECK_FALSE(http10.keep_alive);
  auto http10_keep = ParseRequestHead("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true);
  CHECK(http10_keep.keep_alive);
  auto expect = ParseRequestHead("PUT / HTTP/1.1\r\nExpect: 100-Continue\r\n\r\n", true);
  CHECK(expect.expect_continue);
}
