#include "auth/sigv2.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "common/strings.h"
#include "crypto/digest.h"

namespace sealstack::auth::sigv2 {

namespace {

constexpr std::string_view kSubResources[] = {
    "accelerate",
    "acl",
    "cors",
    "defaultObjectAcl",
    "location",
    "logging",
    "partNumber",
    "policy",
    "requestPayment",
    "torrent",
    "versioning",
    "versionId",
    "versions",
    "website",
    "uploads",
    "uploadId",
    "response-content-type",
    "response-content-language",
    "response-expires",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "delete",
    "lifecycle",
    "tagging",
    "restore",
    "storageClass",
    "notification",
    "replication",
    "analytics",
    "metrics",
    "inventory",
    "select",
    "select-type",
    "object-lock",
};

}  // namespace

bool IsSubResource(std::string_view name) {
  return std::find(std::begin(kSubResources), std::end(kSubResources), name) !=
         std::end(kSubResources);
}

std::string CanonicalResource(std::string_view bucket_prefix, std::string_view raw_path,
                              std::string_view raw_query) {
  std::string out(bucket_prefix);
  out.append(raw_path.empty() ? "/" : raw_path);
  // botocore keeps the raw name, decodes the value, and sorts by name only (stable).
  std::vector<std::pair<std::string, std::optional<std::string>>> qsa;
  for (std::string_view part : Split(raw_query, '&')) {
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string name(part.substr(0, eq));
    if (!IsSubResource(name)) continue;
    std::optional<std::string> value;
    if (eq != std::string_view::npos) {
      std::string decoded;
      if (!UriDecode(part.substr(eq + 1), &decoded)) decoded = std::string(part.substr(eq + 1));
      value = std::move(decoded);
    }
    qsa.emplace_back(std::move(name), std::move(value));
  }
  std::stable_sort(qsa.begin(), qsa.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < qsa.size(); ++i) {
    out.push_back(i == 0 ? '?' : '&');
    out.append(qsa[i].first);
    if (qsa[i].second) out.append("=").append(*qsa[i].second);
  }
  return out;
}

std::string StringToSign(const HttpRequestHead& head, std::string_view expires,
                         std::string_view canonical_resource) {
  std::vector<std::pair<std::string, std::string>> query = ParseQuery(head.RawQuery());
  auto value_of = [&](std::string_view name) -> std::string {
    if (const std::string* h = head.FindHeader(name)) return std::string(Trim(*h));
    for (const auto& [n, v] : query) {
      if (EqualsIgnoreCase(n, name)) return v;
    }
    return "";
  };
  // x-amz-* from headers and from the query (botocore moves them there), joined per name.
  std::map<std::string, std::vector<std::string>> amz;
  for (const auto& [n, v] : head.headers) {
    std::string lower = ToLower(n);
    if (StartsWith(lower, "x-amz-")) amz[lower].emplace_back(Trim(v));
  }
  for (const auto& [n, v] : query) {
    std::string lower = ToLower(n);
    if (StartsWith(lower, "x-amz-") && amz.find(lower) == amz.end()) {
      amz[lower].emplace_back(Trim(v));
    }
  }
  std::string out = head.method;
  out.push_back('\n');
  out.append(value_of("content-md5")).push_back('\n');
  out.append(value_of("content-type")).push_back('\n');
  out.append(expires).push_back('\n');
  for (const auto& [name, values] : amz) {
    out.append(name).push_back(':');
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out.push_back(',');
      out.append(values[i]);
    }
    out.push_back('\n');
  }
  out.append(canonical_resource);
  return out;
}

std::string Sign(std::string_view secret, std::string_view string_to_sign) {
  return crypto::Base64(crypto::HmacSha1(secret, string_to_sign));
}

}  // namespace sealstack::auth::sigv2
