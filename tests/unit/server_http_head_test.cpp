#include <catch2/catch.hpp>

#include "server/http_connection.h"

using sealstack::server::HeadProblem;
using sealstack::server::kMaxHeaderLineBytes;
using sealstack::server::ScanHead;

TEST_CASE("ScanHead passes an ordinary head through unchanged") {
  const std::string head = "PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n";
  auto scan = ScanHead(head, true);
  CHECK(scan.head == head);
  CHECK(scan.problem == HeadProblem::kNone);
  CHECK(scan.withheld.empty());
}

TEST_CASE("ScanHead withholds Range headers, as sent, from the library") {
  auto scan = ScanHead("GET /b/k HTTP/1.1\r\nrange:  bytes=5-2 \r\nHost: x\r\n\r\n", true);
  CHECK(scan.head == "GET /b/k HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(scan.problem == HeadProblem::kNone);
  REQUIRE(scan.withheld.size() == 1);
  CHECK(scan.withheld[0].first == "range");
  CHECK(scan.withheld[0].second == "bytes=5-2");
}

TEST_CASE("ScanHead refuses Content-Lengths that are not one decimal number") {
  for (const char* value : {"abc", "-1", "+5", "1 2", "0x5", "", "12345678901234567890"}) {
    auto scan =
        ScanHead(std::string("PUT / HTTP/1.1\r\nContent-Length: ") + value + "\r\n\r\n", true);
    INFO(value);
    CHECK(scan.problem == HeadProblem::kBadContentLength);
    CHECK(scan.head == "PUT / HTTP/1.1\r\n\r\n");  // no length reaches the library
  }
  auto conflicting =
      ScanHead("PUT / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", true);
  CHECK(conflicting.problem == HeadProblem::kBadContentLength);
  auto equal = ScanHead("PUT / HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n", true);
  CHECK(equal.problem == HeadProblem::kNone);
  auto padded = ScanHead("PUT / HTTP/1.1\r\nContent-Length:\t 0012 \r\n\r\n", true);
  CHECK(padded.problem == HeadProblem::kNone);
}

TEST_CASE("ScanHead drops a header line over the library's line limit") {
  const std::string big = "X-Big: " + std::string(kMaxHeaderLineBytes, 'a') + "\r\n";
  auto scan = ScanHead("GET / HTTP/1.1\r\n" + big + "Host: x\r\n\r\n", true);
  CHECK(scan.problem == HeadProblem::kHeaderSectionTooLarge);
  CHECK(scan.head == "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  // Exactly at the limit (CRLF included) is still fine.
  const std::string edge = "X-E: " + std::string(kMaxHeaderLineBytes - 7, 'e') + "\r\n";
  REQUIRE(edge.size() == kMaxHeaderLineBytes);
  CHECK(ScanHead("GET / HTTP/1.1\r\n" + edge + "\r\n", true).problem == HeadProblem::kNone);
}

TEST_CASE("ScanHead closes a head cut at the bound with its complete lines") {
  auto scan = ScanHead("GET / HTTP/1.1\r\nHost: x\r\nX-Cut: abc", false);
  CHECK(scan.problem == HeadProblem::kHeaderSectionTooLarge);
  CHECK(scan.head == "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  auto no_line = ScanHead("GET /aaaa", false);
  CHECK(no_line.head == "GET /aaaa\r\n\r\n");
}

TEST_CASE("ScanHead leaves lines the library ignores alone") {
  // cpp-httplib skips header lines that do not end in CRLF; a bare-LF Range is not withheld.
  auto scan = ScanHead("GET / HTTP/1.1\r\nRange: bytes=0-1\n\r\n", true);
  CHECK(scan.withheld.empty());
  CHECK(scan.head == "GET / HTTP/1.1\r\nRange: bytes=0-1\n\r\n");
}

TEST_CASE("ScanHead escapes '%' in header values so the library's decoding restores them") {
  auto scan = ScanHead(
      "PUT /b/k HTTP/1.1\r\nx-amz-tagging: a%3Ab=1\r\nx-amz-copy-source: /b/100%25\r\n\r\n", true);
  CHECK(scan.head ==
        "PUT /b/k HTTP/1.1\r\nx-amz-tagging: a%253Ab=1\r\nx-amz-copy-source: /b/100%2525\r\n\r\n");
  CHECK(scan.problem == HeadProblem::kNone);
  // The request line is cpp-httplib's to decode, as before.
  CHECK(ScanHead("GET /b/a%20b HTTP/1.1\r\n\r\n", true).head == "GET /b/a%20b HTTP/1.1\r\n\r\n");
  // Escaping may not push a line past the library's limit unnoticed.
  const std::string big(kMaxHeaderLineBytes / 2, '%');
  auto over = ScanHead("GET / HTTP/1.1\r\nx-amz-meta-a: " + big + "\r\n\r\n", true);
  CHECK(over.problem == HeadProblem::kHeaderSectionTooLarge);
}
