#include "api/s3/cors.h"

#include <algorithm>

#include "common/strings.h"

namespace sealstack::api::s3 {

namespace {

bool Equal(std::string_view a, std::string_view b, bool ignore_case) {
  return ignore_case ? EqualsIgnoreCase(a, b) : a == b;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

}  // namespace

bool CorsWildcardMatch(std::string_view pattern, std::string_view value, bool ignore_case) {
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return Equal(pattern, value, ignore_case);
  std::string_view head = pattern.substr(0, star);
  std::string_view tail = pattern.substr(star + 1);
  if (value.size() < head.size() + tail.size()) return false;
  return Equal(value.substr(0, head.size()), head, ignore_case) &&
         Equal(value.substr(value.size() - tail.size()), tail, ignore_case);
}

const CorsRule* MatchCorsRule(const std::vector<CorsRule>& rules, std::string_view origin,
                              std::string_view method,
                              const std::vector<std::string>& request_headers) {
  for (const CorsRule& rule : rules) {
    bool origin_ok = std::any_of(
        rule.allowed_origins.begin(), rule.allowed_origins.end(),
        [&](const std::string& o) { return CorsWildcardMatch(o, origin, /*ignore_case=*/false); });
    if (!origin_ok) continue;
    if (std::find(rule.allowed_methods.begin(), rule.allowed_methods.end(), method) ==
        rule.allowed_methods.end()) {
      continue;
    }
    bool headers_ok =
        std::all_of(request_headers.begin(), request_headers.end(), [&](const std::string& h) {
          return std::any_of(rule.allowed_headers.begin(), rule.allowed_headers.end(),
                             [&](const std::string& allowed) {
                               return CorsWildcardMatch(allowed, h, /*ignore_case=*/true);
                             });
        });
    if (headers_ok) return &rule;
  }
  return nullptr;
}

std::vector<std::pair<std::string, std::string>> CorsResponseHeaders(
    const CorsRule& rule, std::string_view origin,
    const std::vector<std::string>& request_headers) {
  std::vector<std::pair<std::string, std::string>> out;
  const bool any_origin = std::find(rule.allowed_origins.begin(), rule.allowed_origins.end(),
                                    "*") != rule.allowed_origins.end();
  out.emplace_back("Access-Control-Allow-Origin", any_origin ? "*" : std::string(origin));
  if (!any_origin) out.emplace_back("Access-Control-Allow-Credentials", "true");
  out.emplace_back("Access-Control-Allow-Methods", Join(rule.allowed_methods));
  if (!request_headers.empty()) {
    out.emplace_back("Access-Control-Allow-Headers", Join(request_headers));
  }
  if (!rule.expose_headers.empty()) {
    out.emplace_back("Access-Control-Expose-Headers", Join(rule.expose_headers));
  }
  if (rule.max_age_seconds) {
    out.emplace_back("Access-Control-Max-Age", std::to_string(*rule.max_age_seconds));
  }
  out.emplace_back("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
  return out;
}

std::vector<std::string> ParseCorsHeaderList(std::string_view value) {
  return SplitHeaderNames(value, ',');
}

}  // namespace sealstack::api::s3
