// CORS as S3 evaluates it (AWS "Using cross-origin resource sharing": how S3 evaluates the CORS
// configuration): the first rule, in document order, whose AllowedOrigin matches the Origin,
// whose AllowedMethod has the method, and whose AllowedHeader covers every requested header
// decides. Origins and headers may carry one '*' wildcard; header names compare without case.
//
// A preflight (OPTIONS) that matches answers 200 with the Access-Control-* headers; one that
// does not answers 403 AccessForbidden. An actual request carrying Origin gets the same headers
// when a rule matches its method, and none otherwise (its answer is unchanged).
//
// Pure functions. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sealstack::api::s3 {

struct CorsRule {
  std::string id;
  std::vector<std::string> allowed_methods;  // GET PUT HEAD POST DELETE
  std::vector<std::string> allowed_origins;
  std::vector<std::string> allowed_headers;
  std::vector<std::string> expose_headers;
  std::optional<int64_t> max_age_seconds;
};

// S3's wildcard match: `pattern` with at most one '*' standing for any run of characters.
// `ignore_case` for header names.
bool CorsWildcardMatch(std::string_view pattern, std::string_view value, bool ignore_case);

// The first rule allowing `origin` to use `method` with `request_headers` (lower-case names),
// or nullptr.
const CorsRule* MatchCorsRule(const std::vector<CorsRule>& rules, std::string_view origin,
                              std::string_view method,
                              const std::vector<std::string>& request_headers);

// The Access-Control-* and Vary headers S3 answers for `rule` (AWS's recorded answers):
// Allow-Origin is "*" for a rule whose origin is "*" (and then no Allow-Credentials), else the
// Origin sent with Allow-Credentials: true; Allow-Methods lists the rule's methods; Allow-Headers
// echoes the requested headers (preflight only); Expose-Headers and Max-Age when the rule has
// them; Vary: Origin, Access-Control-Request-Headers, Access-Control-Request-Method.
std::vector<std::pair<std::string, std::string>> CorsResponseHeaders(
    const CorsRule& rule, std::string_view origin, const std::vector<std::string>& request_headers);

// "a, B ,c" -> {"a", "b", "c"}: the Access-Control-Request-Headers list, lower-cased.
std::vector<std::string> ParseCorsHeaderList(std::string_view value);

}  // namespace sealstack::api::s3
