#include "auth/verifier.h"

#include <chrono>
#include <cstdint>
#include <string_view>
#include <utility>

#include "auth/sigv2.h"
#include "auth/sigv4.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "crypto/digest.h"

namespace sealstack::auth {

namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr minutes kS3MaxSkew{15};
constexpr minutes kServiceMaxSkew{5};

// Time arithmetic that saturates instead of overflowing: a request's date (clamped by the
// parsers) or the admin clock may sit at either end of SystemTime's range. REQUIRES: d >= 0.
SystemTime Plus(SystemTime t, SystemTime::duration d) {
  return t > SystemTime::max() - d ? SystemTime::max() : t + d;
}
SystemTime Minus(SystemTime t, SystemTime::duration d) {
  return t < SystemTime::min() + d ? SystemTime::min() : t - d;
}
constexpr int64_t kMaxPresignExpires = 604800;  // one week

constexpr std::string_view kQueryAuthV4Required =
    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
    "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.";
constexpr std::string_view kQueryAuthV2Required =
    "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters";
constexpr std::string_view kUnsupportedMechanism =
    "The authorization mechanism you have provided is not supported. Please use "
    "AWS4-HMAC-SHA256.";

// Query parameters by exact (case-sensitive) name, as S3 matches them.
class QueryParams {
 public:
  explicit QueryParams(std::string_view raw) : params_(ParseQuery(raw)) {}
  const std::string* Find(std::string_view name) const {
    for (const auto& [n, v] : params_) {
      if (n == name) return &v;
    }
    return nullptr;
  }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

std::string TruncateToSeconds(SystemTime t) {
  return FormatAmzDate(std::chrono::time_point_cast<seconds>(t));
}

std::string IsoSeconds(SystemTime t) {
  return FormatIso8601(std::chrono::time_point_cast<seconds>(t));
}

// Parses a decimal integer that fits int64; nullopt otherwise (sign allowed).
std::optional<int64_t> ParseInt(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return negative ? -v : v;
}

bool IsHexDigest(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

// Maps an x-amz-content-sha256 value to a payload mode.
std::variant<PayloadMode, AuthError> ClassifyPayloadHash(std::string_view value) {
  if (value == sigv4::kUnsignedPayload) return PayloadMode::kUnsigned;
  if (value == sigv4::kStreamingPayload) return PayloadMode::kStreamingSigned;
  if (value == sigv4::kStreamingPayloadTrailer) return PayloadMode::kStreamingSignedTrailer;
  if (value == sigv4::kStreamingUnsignedPayloadTrailer) {
    return PayloadMode::kStreamingUnsignedTrailer;
  }
  if (value == sigv4::kStreamingEcdsaPayload || value == sigv4::kStreamingEcdsaPayloadTrailer) {
    return MakeAuthError(AuthErrorCode::kUnsupportedAlgorithm, std::string(kUnsupportedMechanism));
  }
  if (IsHexDigest(value)) return PayloadMode::kSha256;
  return MakeAuthError(AuthErrorCode::kInvalidContentSha256,
                       "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
                       "STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "
                       "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
                       "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, "
                       "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.");
}

AuthError UnknownAccessKey(std::string_view akid) {
  return MakeAuthError(AuthErrorCode::kUnknownAccessKey,
                       "The AWS Access Key Id you provided does not exist in our records.",
                       {{"AWSAccessKeyId", std::string(akid)}});
}

// Session token and expiry of temporary credentials.
std::optional<AuthError> CheckToken(const Principal& p, const std::string* token, SystemTime now) {
  if (!p.session_token.empty()) {
    if (token == nullptr || !crypto::ConstantTimeEquals(*token, p.session_token)) {
      return MakeAuthError(AuthErrorCode::kInvalidSessionToken,
                           "The provided token is malformed or otherwise invalid.");
    }
  }
  if (p.expires && now >= *p.expires) {
    return MakeAuthError(AuthErrorCode::kExpiredToken, "The provided token has expired.");
  }
  return std::nullopt;
}

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  for (const auto& x : v) {
    if (x == s) return true;
  }
  return false;
}

// Everything a SigV4 signature check needs once the scheme-specific parsing is done.
struct SigV4Parts {
  const HttpRequestHead* head = nullptr;
  const Principal* principal = nullptr;
  sigv4::Credential credential;
  std::string amz_date;
  std::vector<std::string> signed_headers;
  std::string canonical_query;
  std::string payload_hash;
  std::string signature;  // as provided
};

// Computes the expected signature; on mismatch returns kSignatureMismatch with S3's details.
std::optional<AuthError> CheckSigV4Signature(const SigV4Parts& in, bool s3,
                                             crypto::SecretBytes* signing_key) {
  const std::string canonical_request = sigv4::CanonicalRequest(
      in.head->method, sigv4::CanonicalUri(in.head->RawPath(), s3), in.canonical_query,
      sigv4::CanonicalHeaders(*in.head, in.signed_headers),
      sigv4::SignedHeadersString(in.signed_headers), in.payload_hash);
  const std::string string_to_sign =
      sigv4::StringToSign(in.amz_date, in.credential.Scope(), canonical_request);
  *signing_key = sigv4::DeriveSigningKey(in.principal->secret_access_key.view(), in.credential.date,
                                         in.credential.region, in.credential.service);
  const std::string expected = sigv4::Sign(*signing_key, string_to_sign);
  if (crypto::ConstantTimeEquals(expected, in.signature)) return std::nullopt;
  return MakeAuthError(AuthErrorCode::kSignatureMismatch, std::string(kSignatureMismatchMessage),
                       {{"AWSAccessKeyId", in.credential.access_key_id},
                        {"StringToSign", string_to_sign},
                        {"SignatureProvided", in.signature},
                        {"StringToSignBytes", sigv4::SpacedHexBytes(string_to_sign)},
                        {"CanonicalRequest", canonical_request},
                        {"CanonicalRequestBytes", sigv4::SpacedHexBytes(canonical_request)}});
}

// Both clocks a signer may have: the wall clock (every unmodified client) and the server's
// moved clock (signers that follow it, like the JS SDK after a skew correction).
struct RequestClocks {
  const Clock* clock = nullptr;
  SystemTime now;       // server time
  SystemTime real_now;  // wall-clock time
};

bool WithinSkew(SystemTime t, SystemTime now, minutes skew) {
  return t <= Plus(now, skew) && t >= Minus(now, skew);
}

// A header-signed request is in time when its time is within the skew window of the wall clock or
// of the server's clock. Errors speak of the wall clock, the one a client can set right.
std::optional<AuthError> CheckHeaderSkew(const std::string& amz_date, SystemTime request_time,
                                         const RequestClocks& clocks, bool s3) {
  const minutes skew = s3 ? kS3MaxSkew : kServiceMaxSkew;
  if (WithinSkew(request_time, clocks.real_now, skew) ||
      WithinSkew(request_time, clocks.now, skew)) {
    return std::nullopt;
  }
  const SystemTime now = clocks.real_now;
  if (s3) {
    return MakeAuthError(
        AuthErrorCode::kRequestTimeTooSkewed,
        "The difference between the request time and the current time is too large.",
        {{"RequestTime", amz_date},
         {"ServerTime", IsoSeconds(now)},
         {"MaxAllowedSkewMilliseconds", "900000"}});
  }
  if (request_time < Minus(now, kServiceMaxSkew)) {
    return MakeAuthError(AuthErrorCode::kRequestTimeTooSkewed,
                         "Signature expired: " + amz_date + " is now earlier than " +
                             TruncateToSeconds(Minus(now, kServiceMaxSkew)) + " (" +
                             TruncateToSeconds(now) + " - 5 min.)");
  }
  return MakeAuthError(AuthErrorCode::kRequestTimeTooSkewed,
                       "Signature not yet current: " + amz_date + " is still later than " +
                           TruncateToSeconds(Plus(now, kServiceMaxSkew)) + " (" +
                           TruncateToSeconds(now) + " + 5 min.)");
}

void FillChunkContext(VerifiedRequest* v, const SigV4Parts& parts, crypto::SecretBytes key) {
  v->chunk.signing_key = std::move(key);
  v->chunk.amz_date = parts.amz_date;
  v->chunk.scope = parts.credential.Scope();
  v->chunk.seed_signature = parts.signature;
  v->region = parts.credential.region;
  v->signing_service = parts.credential.service;
}

VerifyOutcome VerifyHeaderAuth(const HttpRequestHead& head, const std::string& authorization,
                               const PrincipalStore& principals, const RequestClocks& clocks,
                               const VerifyOptions& options) {
  const SystemTime now = clocks.now;
  std::string_view value = Trim(authorization);
  if (StartsWith(value, "AWS ")) {
    // S3 answers SigV2 header auth where it does not take it (every Region opened after 2014,
    // and all of S3 for new buckets) with 400 InvalidRequest and this text.
    return MakeAuthError(AuthErrorCode::kSigV2HeaderAuth, std::string(kUnsupportedMechanism));
  }
  if (StartsWith(value, sigv4::kEcdsaAlgorithm)) {
    return MakeAuthError(AuthErrorCode::kUnsupportedAlgorithm, std::string(kUnsupportedMechanism));
  }
  if (!StartsWith(value, sigv4::kAlgorithm)) {
    return MakeAuthError(AuthErrorCode::kMalformedAuthorization, "Unsupported Authorization Type");
  }
  Result<sigv4::AuthorizationHeader> parsed = sigv4::ParseAuthorizationHeader(value);
  if (!parsed.ok()) {
    return MakeAuthError(AuthErrorCode::kMalformedAuthorization, parsed.status().message());
  }
  std::shared_ptr<const Principal> principal =
      principals.FindByAccessKey(parsed->credential.access_key_id);
  if (!principal) return UnknownAccessKey(parsed->credential.access_key_id);

  // Request time: X-Amz-Date, else an HTTP-date Date header.
  SigV4Parts parts;
  std::optional<SystemTime> request_time;
  if (const std::string* d = head.FindHeader("x-amz-date")) {
    parts.amz_date = std::string(Trim(*d));
    request_time = ParseAmzDate(parts.amz_date);
  } else if (const std::string* date = head.FindHeader("date")) {
    request_time = ParseHttpDate(Trim(*date));
    if (request_time) parts.amz_date = FormatAmzDate(*request_time);
  }
  if (!request_time) {
    return MakeAuthError(AuthErrorCode::kMalformedAuthorization,
                         "AWS authentication requires a valid Date or x-amz-date header");
  }
  if (parts.amz_date.compare(0, 8, parsed->credential.date) != 0) {
    return MakeAuthError(AuthErrorCode::kMalformedAuthorization,
                         "The authorization header is malformed; Invalid credential date \"" +
                             parsed->credential.date +
                             "\". This date is not the same as X-Amz-Date: \"" +
                             parts.amz_date.substr(0, 8) + "\".");
  }
  if (auto err = CheckHeaderSkew(parts.amz_date, *request_time, clocks, options.s3)) {
    return *err;
  }
  if (!Contains(parsed->signed_headers, "host")) {
    return MakeAuthError(AuthErrorCode::kMalformedAuthorization,
                         "The authorization header is malformed; 'Host' must be a signed header.");
  }
  if (auto err = CheckToken(*principal, head.FindHeader("x-amz-security-token"), now)) {
    return *err;
  }

  VerifiedRequest out;
  const std::string* content_sha = head.FindHeader("x-amz-content-sha256");
  if (content_sha != nullptr) {
    parts.payload_hash = std::string(Trim(*content_sha));
    auto mode = ClassifyPayloadHash(parts.payload_hash);
    if (auto* err = std::get_if<AuthError>(&mode)) return std::move(*err);
    out.payload_mode = std::get<PayloadMode>(mode);
    if (out.payload_mode == PayloadMode::kSha256) {
      out.expected_sha256_hex = ToLower(parts.payload_hash);
      if (!options.s3 && options.body_sha256_hex &&
          ToLower(*options.body_sha256_hex) != out.expected_sha256_hex) {
        return MakeAuthError(AuthErrorCode::kContentSha256Mismatch,
                             "The provided 'x-amz-content-sha256' header does not match what was "
                             "computed.",
                             {{"ClientComputedContentSHA256", out.expected_sha256_hex},
                              {"S3ComputedContentSHA256", ToLower(*options.body_sha256_hex)}});
      }
    }
  } else if (options.s3) {
    return MakeAuthError(AuthErrorCode::kMissingContentSha256,
                         "Missing required header for this request: x-amz-content-sha256");
  } else {
    parts.payload_hash = options.body_sha256_hex ? ToLower(*options.body_sha256_hex)
                                                 : std::string(sigv4::kEmptySha256);
    out.payload_mode = PayloadMode::kSha256;
    out.expected_sha256_hex = parts.payload_hash;
  }

  parts.head = &head;
  parts.principal = principal.get();
  parts.credential = parsed->credential;
  parts.signed_headers = parsed->signed_headers;
  parts.canonical_query = sigv4::CanonicalQuery(head.RawQuery());
  parts.signature = parsed->signature;
  crypto::SecretBytes key;
  if (auto err = CheckSigV4Signature(parts, options.s3, &key)) return *err;
  if (options.s3) {
    // S3 refuses x-amz-* headers left out of the signature: otherwise anyone on the path could
    // add or change, say, x-amz-server-side-encryption without breaking the signature.
    std::string unsigned_headers;
    for (const auto& header : head.headers) {
      std::string lower = ToLower(header.first);
      if (StartsWith(lower, "x-amz-") && !Contains(parsed->signed_headers, lower)) {
        if (!unsigned_headers.empty()) unsigned_headers += ",";
        unsigned_headers += lower;
      }
    }
    if (!unsigned_headers.empty()) {
      return MakeAuthError(AuthErrorCode::kHeadersNotSigned,
                           "There were headers present in the request which were not signed",
                           {{"HeadersNotSigned", unsigned_headers}});
    }
  }

  out.principal = std::move(principal);
  out.scheme = AuthScheme::kSigV4Header;
  FillChunkContext(&out, parts, std::move(key));
  return out;
}

VerifyOutcome VerifyQueryAuthV4(const HttpRequestHead& head, const QueryParams& query,
                                const PrincipalStore& principals, const RequestClocks& clocks) {
  const SystemTime now = clocks.now;
  const std::string* algorithm = query.Find("X-Amz-Algorithm");
  const std::string* credential = query.Find("X-Amz-Credential");
  const std::string* signature = query.Find("X-Amz-Signature");
  const std::string* date = query.Find("X-Amz-Date");
  const std::string* signed_headers = query.Find("X-Amz-SignedHeaders");
  const std::string* expires = query.Find("X-Amz-Expires");
  if (!algorithm || !credential || !signature || !date || !signed_headers || !expires) {
    return MakeAuthError(AuthErrorCode::kMalformedQueryAuth, std::string(kQueryAuthV4Required));
  }
  if (*algorithm == sigv4::kEcdsaAlgorithm) {
    return MakeAuthError(AuthErrorCode::kUnsupportedAlgorithm, std::string(kUnsupportedMechanism));
  }
  if (*algorithm != sigv4::kAlgorithm) {
    return MakeAuthError(AuthErrorCode::kMalformedQueryAuth,
                         "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
  }
  Result<sigv4::Credential> cred = sigv4::ParseCredential(*credential);
  if (!cred.ok()) {
    return MakeAuthError(
        AuthErrorCode::kMalformedQueryAuth,
        "Error parsing the X-Amz-Credential parameter; " + cred.status().message());
  }
  std::optional<SystemTime> request_time = ParseAmzDate(*date);
  if (!request_time) {
    return MakeAuthError(AuthErrorCode::kMalformedQueryAuth,
                         "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  }
  std::optional<int64_t> expires_s = ParseInt(*expires);
  if (!expires_s) {
    return MakeAuthError(AuthErrorCode::kMalformedQueryAuth, "X-Amz-Expires should be a number");
  }
  if (*expires_s < 0) {
    return MakeAuthError(AuthErrorCode::kMalformedQueryAuth, "X-Amz-Expires must be non-negative");
  }
  if (*expires_s == 0) {
    return MakeAuthError(AuthErrorCode::kMalformedQueryAuth,
                         "X-Amz-Expires must be at least 1 second");
  }
  if (*expires_s > kMaxPresignExpires) {
    return MakeAuthError(AuthErrorCode::kMalformedQueryAuth,
                         "X-Amz-Expires must be less than a week (in seconds); that is, the given "
                         "X-Amz-Expires must be less than 604800 seconds");
  }
  if (date->compare(0, 8, cred->date) != 0) {
    return MakeAuthError(AuthErrorCode::kMalformedQueryAuth,
                         "Invalid credential date \"" + cred->date +
                             "\". This date is not the same as X-Amz-Date: \"" +
                             date->substr(0, 8) + "\".");
  }
  std::shared_ptr<const Principal> principal = principals.FindByAccessKey(cred->access_key_id);
  if (!principal) return UnknownAccessKey(cred->access_key_id);

  // Signed by the wall clock (not after it, within the skew), the URL was made at the server
  // time of that moment: it expires X-Amz-Expires later in server time, so a clock advance ages
  // URLs made before it and not those made after. A time beyond the wall clock can only come
  // from a signer that follows the server's clock: it is server time already.
  const bool wall_clock_signed = *request_time <= Plus(clocks.real_now, kS3MaxSkew);
  if (!wall_clock_signed && *request_time > Plus(now, kS3MaxSkew)) {
    return MakeAuthError(AuthErrorCode::kPresignNotYetValid, "Request is not valid yet");
  }
  const SystemTime signed_at =
      wall_clock_signed ? clocks.clock->ServerTimeAt(*request_time) : *request_time;
  const SystemTime expiry = Plus(signed_at, seconds(*expires_s));
  if (now > expiry) {
    return MakeAuthError(AuthErrorCode::kPresignExpired, "Request has expired",
                         {{"X-Amz-Expires", *expires},
                          {"Expires", IsoSeconds(expiry)},
                          {"ServerTime", IsoSeconds(now)}});
  }
  SigV4Parts parts;
  parts.signed_headers = sigv4::SplitSignedHeaders(*signed_headers);
  if (!Contains(parts.signed_headers, "host")) {
    return MakeAuthError(AuthErrorCode::kMalformedQueryAuth,
                         "Query-string authentication requires 'host' in X-Amz-SignedHeaders");
  }
  if (auto err = CheckToken(*principal, query.Find("X-Amz-Security-Token"), now)) return *err;

  VerifiedRequest out;
  out.payload_mode = PayloadMode::kUnsigned;
  parts.payload_hash = std::string(sigv4::kUnsignedPayload);
  if (const std::string* content_sha = query.Find("X-Amz-Content-Sha256")) {
    auto mode = ClassifyPayloadHash(*content_sha);
    if (auto* err = std::get_if<AuthError>(&mode)) return std::move(*err);
    out.payload_mode = std::get<PayloadMode>(mode);
    if (out.payload_mode != PayloadMode::kSha256 && out.payload_mode != PayloadMode::kUnsigned) {
      return MakeAuthError(
          AuthErrorCode::kInvalidContentSha256,
          "X-Amz-Content-Sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value on a "
          "presigned request.");
    }
    parts.payload_hash = *content_sha;
    if (out.payload_mode == PayloadMode::kSha256) out.expected_sha256_hex = ToLower(*content_sha);
  }

  parts.head = &head;
  parts.principal = principal.get();
  parts.credential = std::move(cred).value();
  parts.amz_date = *date;
  parts.canonical_query = sigv4::CanonicalQuery(head.RawQuery(), "X-Amz-Signature");
  parts.signature = *signature;
  crypto::SecretBytes key;
  if (auto err = CheckSigV4Signature(parts, /*s3=*/true, &key)) return *err;

  out.principal = std::move(principal);
  out.scheme = AuthScheme::kSigV4Query;
  FillChunkContext(&out, parts, std::move(key));
  return out;
}

VerifyOutcome VerifyQueryAuthV2(const HttpRequestHead& head, const QueryParams& query,
                                const PrincipalStore& principals, const RequestClocks& clocks,
                                const VerifyOptions& options) {
  const SystemTime now = clocks.now;
  const std::string* akid = query.Find("AWSAccessKeyId");
  const std::string* signature = query.Find("Signature");
  const std::string* expires = query.Find("Expires");
  if (!akid || !signature || !expires) {
    return MakeAuthError(AuthErrorCode::kMalformedSigV2QueryAuth,
                         std::string(kQueryAuthV2Required));
  }
  std::optional<int64_t> expires_s = ParseInt(*expires);
  if (!expires_s || *expires_s < 0) {
    return MakeAuthError(AuthErrorCode::kMalformedSigV2QueryAuth,
                         "Invalid date (should be seconds since epoch): " + *expires);
  }
  std::shared_ptr<const Principal> principal = principals.FindByAccessKey(*akid);
  if (!principal) return UnknownAccessKey(*akid);
  // Far-future Expires values (beyond what SystemTime holds, ~year 2262) never expire; converting
  // them to SystemTime's nanoseconds would overflow.
  constexpr int64_t kMaxExpires =
      std::chrono::duration_cast<seconds>(SystemTime::duration::max()).count();
  const SystemTime expiry =
      *expires_s >= kMaxExpires ? SystemTime::max() : SystemTime{seconds(*expires_s)};
  // SigV2's Expires is an absolute time with no signing time beside it, so it cannot be mapped
  // to server time: it is read on the wall clock, the signer's (docs/admin-api.md).
  if (clocks.real_now > expiry) {
    return MakeAuthError(
        AuthErrorCode::kPresignExpired, "Request has expired",
        {{"Expires", IsoSeconds(expiry)}, {"ServerTime", IsoSeconds(clocks.real_now)}});
  }
  const std::string* token = query.Find("x-amz-security-token");
  if (token == nullptr) token = head.FindHeader("x-amz-security-token");
  if (auto err = CheckToken(*principal, token, now)) return *err;

  const std::string string_to_sign = sigv2::StringToSign(
      head, *expires,
      sigv2::CanonicalResource(options.sigv2_bucket_prefix, head.RawPath(), head.RawQuery()));
  const std::string expected = sigv2::Sign(principal->secret_access_key.view(), string_to_sign);
  if (!crypto::ConstantTimeEquals(expected, *signature)) {
    return MakeAuthError(AuthErrorCode::kSignatureMismatch, std::string(kSignatureMismatchMessage),
                         {{"AWSAccessKeyId", *akid},
                          {"StringToSign", string_to_sign},
                          {"SignatureProvided", *signature},
                          {"StringToSignBytes", sigv4::SpacedHexBytes(string_to_sign)}});
  }
  VerifiedRequest out;
  out.principal = std::move(principal);
  out.scheme = AuthScheme::kSigV2Query;
  out.payload_mode = PayloadMode::kUnsigned;
  out.signing_service = "s3";
  return out;
}

}  // namespace

VerifyOutcome Verify(const HttpRequestHead& head, const PrincipalStore& principals,
                     const Clock& clock, const VerifyOptions& options) {
  const RequestClocks clocks{&clock, clock.Now(), clock.RealNow()};
  const std::string* authorization = head.FindHeader("authorization");
  const QueryParams query(head.RawQuery());
  const bool v4_query = query.Find("X-Amz-Algorithm") || query.Find("X-Amz-Credential") ||
                        query.Find("X-Amz-Signature") || query.Find("X-Amz-Date") ||
                        query.Find("X-Amz-SignedHeaders") || query.Find("X-Amz-Expires");
  const bool v2_query = query.Find("AWSAccessKeyId") || query.Find("Signature");
  if (authorization != nullptr) {
    if (options.s3 && (v4_query || v2_query)) {
      return MakeAuthError(
          AuthErrorCode::kMalformedAuthorization,
          "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
          "Signature query string parameter or the Authorization header should be "
          "specified");
    }
    return VerifyHeaderAuth(head, *authorization, principals, clocks, options);
  }
  if (options.s3 && v4_query) return VerifyQueryAuthV4(head, query, principals, clocks);
  if (options.s3 && v2_query) return VerifyQueryAuthV2(head, query, principals, clocks, options);
  return MakeAuthError(AuthErrorCode::kMissingAuthentication, "Access Denied");
}

}  // namespace sealstack::auth
