#include "auth/sigv4.h"

#include <algorithm>
#include <initializer_list>
#include <optional>

#include "common/strings.h"
#include "crypto/digest.h"
#include "crypto/secret_bytes.h"

namespace sealstack::auth::sigv4 {

namespace {

constexpr std::string_view kCredentialShape =
    "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".";
constexpr std::string_view kMalformedPrefix = "The authorization header is malformed; ";

bool IsSpace(char c) {
  return c == ' ' || c == '\t';
}

// The canonical request and the strings to sign are their parts one to a line, the last
// without a newline.
std::string JoinLines(std::initializer_list<std::string_view> lines) {
  size_t size = 0;
  for (std::string_view line : lines) size += line.size() + 1;
  std::string out;
  out.reserve(size);
  for (std::string_view line : lines) out.append(line).push_back('\n');
  if (!out.empty()) out.pop_back();  // the last line's
  return out;
}

}  // namespace

std::string Credential::Scope() const {
  std::string s;
  s.reserve(date.size() + region.size() + service.size() + 16);
  s.append(date).append("/").append(region).append("/").append(service).append("/");
  s.append(kTerminator);
  return s;
}

Result<Credential> ParseCredential(std::string_view text) {
  std::vector<std::string_view> parts = Split(text, '/');
  if (parts.size() != 5 || parts[0].empty() || parts[1].size() != 8 || parts[2].empty() ||
      parts[3].empty()) {
    return Status::InvalidArgument(std::string(kCredentialShape));
  }
  for (char c : parts[1]) {
    if (c < '0' || c > '9') return Status::InvalidArgument(std::string(kCredentialShape));
  }
  if (parts[4] != kTerminator) {
    return Status::InvalidArgument("incorrect terminal \"" + std::string(parts[4]) +
                                   "\". This endpoint uses \"aws4_request\".");
  }
  return Credential{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                    std::string(parts[3])};
}

Result<AuthorizationHeader> ParseAuthorizationHeader(std::string_view value) {
  value = Trim(value);
  if (!StartsWith(value, kAlgorithm) ||
      (value.size() > kAlgorithm.size() && !IsSpace(value[kAlgorithm.size()]))) {
    return Status::InvalidArgument(std::string(kMalformedPrefix) +
                                   "the authorization header requires three components: "
                                   "Credential, SignedHeaders, and Signature.");
  }
  std::string_view rest = value.substr(kAlgorithm.size());
  std::optional<std::string_view> credential, signed_headers, signature;
  size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && (IsSpace(rest[i]) || rest[i] == ',')) ++i;
    size_t start = i;
    while (i < rest.size() && !IsSpace(rest[i]) && rest[i] != ',') ++i;
    std::string_view token = rest.substr(start, i - start);
    if (token.empty()) break;
    size_t eq = token.find('=');
    if (eq == std::string_view::npos) continue;  // AWS ignores stray tokens
    std::string_view k = token.substr(0, eq);
    std::string_view v = token.substr(eq + 1);
    if (k == "Credential")
      credential = v;
    else if (k == "SignedHeaders")
      signed_headers = v;
    else if (k == "Signature")
      signature = v;
  }
  if (!credential) {
    return Status::InvalidArgument(std::string(kMalformedPrefix) + std::string(kCredentialShape));
  }
  if (!signed_headers || !signature || signed_headers->empty() || signature->empty()) {
    return Status::InvalidArgument(std::string(kMalformedPrefix) +
                                   "the authorization header requires three components: "
                                   "Credential, SignedHeaders, and Signature.");
  }
  Result<Credential> cred = ParseCredential(*credential);
  if (!cred.ok()) {
    return Status::InvalidArgument(std::string(kMalformedPrefix) + cred.status().message());
  }
  AuthorizationHeader h;
  h.credential = std::move(cred).value();
  h.signed_headers = SplitSignedHeaders(*signed_headers);
  h.signature = std::string(*signature);
  return h;
}

std::vector<std::string> SplitSignedHeaders(std::string_view text) {
  return SplitHeaderNames(text, ';');
}

std::string CanonicalUri(std::string_view raw_path, bool s3) {
  if (raw_path.empty()) return "/";
  if (s3) return std::string(raw_path);
  // botocore normalize_url_path / remove_dot_segments: drops empty and '.' segments, pops on
  // '..', keeps a leading and (when segments remain) a trailing slash.
  std::vector<std::string_view> out;
  for (std::string_view seg : Split(raw_path, '/')) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(seg);
  }
  std::string normalized;
  if (raw_path.front() == '/') normalized.push_back('/');
  for (size_t i = 0; i < out.size(); ++i) {
    if (i > 0) normalized.push_back('/');
    normalized.append(out[i]);
  }
  if (raw_path.back() == '/' && !out.empty()) normalized.push_back('/');
  if (normalized.empty()) normalized = "/";
  return UriEncode(normalized, /*keep_slash=*/true);
}

std::string CanonicalQuery(std::string_view raw_query, std::string_view exclude) {
  std::vector<std::pair<std::string, std::string>> params;
  for (auto& [name, value] : ParseQuery(raw_query)) {
    if (!exclude.empty() && name == exclude) continue;
    params.emplace_back(UriEncode(name, false), UriEncode(value, false));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out.append(name).append("=").append(value);
  }
  return out;
}

std::string CanonicalHeaderValue(std::string_view value) {
  value = Trim(value);
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out.push_back(c);
  }
  return out;
}

std::string CanonicalHeaders(const HttpRequestHead& head,
                             const std::vector<std::string>& signed_headers) {
  std::vector<std::string> names = signed_headers;
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string out;
  for (const std::string& name : names) {
    out.append(name).push_back(':');
    bool first = true;
    for (const auto& [n, v] : head.headers) {
      if (!EqualsIgnoreCase(n, name)) continue;
      if (!first) out.push_back(',');
      out.append(CanonicalHeaderValue(v));
      first = false;
    }
    out.push_back('\n');
  }
  return out;
}

std::string SignedHeadersString(std::vector<std::string> signed_headers) {
  std::sort(signed_headers.begin(), signed_headers.end());
  signed_headers.erase(std::unique(signed_headers.begin(), signed_headers.end()),
                       signed_headers.end());
  std::string out;
  for (const std::string& name : signed_headers) {
    if (!out.empty()) out.push_back(';');
    out.append(name);
  }
  return out;
}

std::string CanonicalRequest(std::string_view method, std::string_view canonical_uri,
                             std::string_view canonical_query, std::string_view canonical_headers,
                             std::string_view signed_headers, std::string_view payload_hash) {
  return JoinLines(
      {method, canonical_uri, canonical_query, canonical_headers, signed_headers, payload_hash});
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  return JoinLines({kAlgorithm, amz_date, scope, crypto::Hex(crypto::Sha256(canonical_request))});
}

namespace {

crypto::SecretBytes DeriveSigningKeyUncached(std::string_view secret, std::string_view date,
                                             std::string_view region, std::string_view service) {
  crypto::SecretBytes k_secret(std::string("AWS4").append(secret));
  crypto::SecretBytes k_date(crypto::HmacSha256(k_secret.view(), date));
  crypto::SecretBytes k_region(crypto::HmacSha256(k_date.view(), region));
  crypto::SecretBytes k_service(crypto::HmacSha256(k_region.view(), service));
  return crypto::SecretBytes(crypto::HmacSha256(k_service.view(), kTerminator));
}

// The last key a thread derived, with what it was derived from. A connection's requests are
// served by one thread and its client signs with one secret and one scope for a day, so one
// entry saves the four HMACs of nearly every request (a third of a KMS call's SigV4 work). The
// secret is compared in constant time; the entry lives in this thread's memory only.
struct SigningKeyCache {
  crypto::SecretBytes secret;
  std::string date, region, service;
  crypto::SecretBytes key;
};

}  // namespace

crypto::SecretBytes DeriveSigningKey(std::string_view secret, std::string_view date,
                                     std::string_view region, std::string_view service) {
  thread_local SigningKeyCache cache;
  if (!cache.key.empty() && cache.date == date && cache.region == region &&
      cache.service == service && crypto::ConstantTimeEquals(cache.secret.view(), secret)) {
    return cache.key;
  }
  crypto::SecretBytes key = DeriveSigningKeyUncached(secret, date, region, service);
  cache.secret = crypto::SecretBytes(secret);
  cache.date = date;
  cache.region = region;
  cache.service = service;
  cache.key = key;
  return key;
}

std::string Sign(const crypto::SecretBytes& signing_key, std::string_view string_to_sign) {
  return crypto::Hex(crypto::HmacSha256(signing_key.view(), string_to_sign));
}

std::string ChunkStringToSign(std::string_view amz_date, std::string_view scope,
                              std::string_view previous_signature,
                              std::string_view chunk_sha256_hex) {
  return JoinLines(
      {kChunkAlgorithm, amz_date, scope, previous_signature, kEmptySha256, chunk_sha256_hex});
}

std::string TrailerStringToSign(std::string_view amz_date, std::string_view scope,
                                std::string_view previous_signature,
                                std::string_view canonical_trailers) {
  return JoinLines({kTrailerAlgorithm, amz_date, scope, previous_signature,
                    crypto::Hex(crypto::Sha256(canonical_trailers))});
}

std::string CanonicalTrailers(std::vector<std::pair<std::string, std::string>> trailers) {
  for (auto& [name, value] : trailers) {
    name = ToLower(Trim(name));
    value = std::string(Trim(value));
  }
  std::stable_sort(trailers.begin(), trailers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [name, value] : trailers)
    out.append(name).append(":").append(value).append("\n");
  return out;
}

std::string SpacedHexBytes(std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 3);
  for (char ch : data) {
    auto c = static_cast<unsigned char>(ch);
    if (!out.empty()) out.push_back(' ');
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

}  // namespace sealstack::auth::sigv4
