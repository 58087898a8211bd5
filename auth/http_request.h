// HttpRequestHead: what auth needs to know about a request before its body, independent of
// the HTTP layer (server/http_head.h parses it).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sealstack::auth {

struct HttpRequestHead {
  std::string method;  // "GET", "PUT", ...
  std::string target;  // the raw request-target as sent: "/bucket/a%20b?list-type=2"
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent, in order
  bool secure = false;                                       // arrived over TLS
  std::string remote_addr;

  // First value of a header, case-insensitive name; nullptr when absent.
  const std::string* FindHeader(std::string_view name) const;
  std::string_view RawPath() const;   // target before '?'
  std::string_view RawQuery() const;  // target after '?' ("" when none)
};

// Splits a raw query into (decoded name, decoded value) pairs in order. '+' stays '+'
// (AWS query strings are RFC 3986, not form-encoded). Malformed %-escapes are kept literally.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view raw_query);
// %XX decoding; returns false on a malformed escape.
bool UriDecode(std::string_view in, std::string* out);
// RFC 3986 encoding: A-Z a-z 0-9 - _ . ~ kept, everything else %XX upper-case; '/' kept when
// keep_slash.
std::string UriEncode(std::string_view in, bool keep_slash);

}  // namespace sealstack::auth
