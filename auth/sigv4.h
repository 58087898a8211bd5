// SigV4 as pure functions: canonical request, string to sign, signing key, signature, and the
// string-to-sign variants for aws-chunked chunk and trailer signatures. Nothing here looks up
// principals or reads a clock; Verify (verifier.h) and PayloadDecoder compose these.
//
// References: docs/protocol-notes.md (header form, chunks and trailers, query form);
// botocore auth.py SigV4Auth / S3SigV4Auth.
//
// Thread safety: all functions are reentrant.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/http_request.h"
#include "common/result.h"
#include "crypto/secret_bytes.h"

namespace sealstack::auth::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kEcdsaAlgorithm = "AWS4-ECDSA-P256-SHA256";  // SigV4a
inline constexpr std::string_view kChunkAlgorithm = "AWS4-HMAC-SHA256-PAYLOAD";
inline constexpr std::string_view kTrailerAlgorithm = "AWS4-HMAC-SHA256-TRAILER";
inline constexpr std::string_view kTerminator = "aws4_request";

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kStreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
inline constexpr std::string_view kStreamingPayloadTrailer =
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
inline constexpr std::string_view kStreamingUnsignedPayloadTrailer =
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
inline constexpr std::string_view kStreamingEcdsaPayload =
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD";
inline constexpr std::string_view kStreamingEcdsaPayloadTrailer =
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER";
// hex(SHA-256("")).
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// The credential of "Credential=AKID/20150830/us-east-1/service/aws4_request".
struct Credential {
  std::string access_key_id;
  std::string date;  // YYYYMMDD
  std::string region;
  std::string service;

  // "DATE/REGION/SERVICE/aws4_request".
  std::string Scope() const;
};

// Parses "AKID/YYYYMMDD/REGION/SERVICE/aws4_request". Fails with InvalidArgument carrying an
// S3-style message fragment ("the Credential is mal-formed; ...", "incorrect terminal ...").
Result<Credential> ParseCredential(std::string_view text);

// The parts of "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=a;b, Signature=hex".
struct AuthorizationHeader {
  Credential credential;
  std::vector<std::string> signed_headers;  // lower-case, in the order sent
  std::string signature;
};

// Parses an Authorization header whose algorithm is kAlgorithm. Separators between the three
// components may be ',' and/or spaces, in any order of components. Fails with InvalidArgument
// whose message is AWS's (S3) AuthorizationHeaderMalformed text.
Result<AuthorizationHeader> ParseAuthorizationHeader(std::string_view value);

// Splits "a;b;c" into lower-case names.
std::vector<std::string> SplitSignedHeaders(std::string_view text);

// S3: the raw path as sent ("" -> "/"). Others: '.' and '..' segments and empty segments removed
// (botocore normalize_url_path), then every byte outside A-Za-z0-9-_.~/ %-encoded again.
std::string CanonicalUri(std::string_view raw_path, bool s3);

// Every query parameter except those named `exclude` (decoded name compared, e.g.
// "X-Amz-Signature"), %-decoded and RFC 3986 re-encoded, sorted by name then value,
// "name=value" joined by '&'.
std::string CanonicalQuery(std::string_view raw_query, std::string_view exclude = {});

// Trims leading/trailing spaces and tabs and collapses inner runs of spaces to one.
std::string CanonicalHeaderValue(std::string_view value);

// "name:value\n" for each of signed_headers (lower-case) in sorted order; repeated headers
// joined with ','. A signed header that is absent contributes "name:\n".
std::string CanonicalHeaders(const HttpRequestHead& head,
                             const std::vector<std::string>& signed_headers);

// Sorted, ';'-joined lower-case names.
std::string SignedHeadersString(std::vector<std::string> signed_headers);

std::string CanonicalRequest(std::string_view method, std::string_view canonical_uri,
                             std::string_view canonical_query, std::string_view canonical_headers,
                             std::string_view signed_headers, std::string_view payload_hash);

// "AWS4-HMAC-SHA256\nAMZDATE\nSCOPE\nhex(SHA256(canonical_request))".
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
crypto::SecretBytes DeriveSigningKey(std::string_view secret, std::string_view date,
                                     std::string_view region, std::string_view service);

// hex(HMAC-SHA256(signing_key, string_to_sign)).
std::string Sign(const crypto::SecretBytes& signing_key, std::string_view string_to_sign);

// "AWS4-HMAC-SHA256-PAYLOAD\nAMZDATE\nSCOPE\nPREV\nhex(SHA256(""))\nCHUNK_SHA256".
std::string ChunkStringToSign(std::string_view amz_date, std::string_view scope,
                              std::string_view previous_signature,
                              std::string_view chunk_sha256_hex);

// "AWS4-HMAC-SHA256-TRAILER\nAMZDATE\nSCOPE\nPREV\nhex(SHA256(canonical_trailers))".
std::string TrailerStringToSign(std::string_view amz_date, std::string_view scope,
                                std::string_view previous_signature,
                                std::string_view canonical_trailers);

// "name:value\n" for each trailer (names lower-cased, values trimmed), sorted by name.
std::string CanonicalTrailers(std::vector<std::pair<std::string, std::string>> trailers);

// "41 57 53 34 ..." (the S3 <StringToSignBytes> / <CanonicalRequestBytes> form).
std::string SpacedHexBytes(std::string_view data);

}  // namespace sealstack::auth::sigv4
