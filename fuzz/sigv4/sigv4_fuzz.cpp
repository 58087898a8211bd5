// libFuzzer target: the SigV4 Authorization header parser and request verification on arbitrary
// request heads. Input: a raw HTTP request head (the captures in tests/vectors/captures are valid
// seeds). Runs ParseAuthorizationHeader on the Authorization value and on the whole input, the
// canonicalisation helpers on the target, and Verify (S3 rules and JSON-service rules) with the
// default test/test principal at the request's own X-Amz-Date, so valid seeds verify.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/sigv4.h"
#include "auth/verifier.h"
#include "common/time_format.h"
#include "fuzz/fuzz_http.h"

using namespace sealstack;
using namespace sealstack::auth;

namespace {

void ParseAuthorization(const HttpRequestHead& head, std::string_view value) {
  auto parsed = sigv4::ParseAuthorizationHeader(value);
  if (!parsed.ok()) return;
  (void)parsed->credential.Scope();
  (void)sigv4::SignedHeadersString(parsed->signed_headers);
  (void)sigv4::CanonicalHeaders(head, parsed->signed_headers);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const PrincipalStore* const kPrincipals = new PrincipalStore();
  std::string_view input(reinterpret_cast<const char*>(data), size);

  std::string_view body;
  HttpRequestHead head = fuzz::ParseHead(input, &body);
  (void)sigv4::ParseAuthorizationHeader(input);
  (void)sigv4::ParseCredential(input);
  if (const std::string* auth = head.FindHeader("authorization")) ParseAuthorization(head, *auth);

  (void)sigv4::CanonicalUri(head.RawPath(), true);
  (void)sigv4::CanonicalUri(head.RawPath(), false);
  (void)sigv4::CanonicalQuery(head.RawQuery(), "X-Amz-Signature");
  (void)ParseQuery(head.RawQuery());
  std::string decoded;
  (void)UriDecode(head.RawPath(), &decoded);
  for (const auto& [name, value] : head.headers) (void)sigv4::CanonicalHeaderValue(value);

  // Verify at the request's own date (else the captures' date) so valid seeds pass the skew.
  SystemTime now = *ParseAmzDate("20261128T013353Z");
  if (const std::string* date = head.FindHeader("x-amz-date")) {
    if (auto t = ParseAmzDate(*date)) now = *t;
  }
  FakeClock clock(now);
  VerifyOptions s3;
  s3.s3 = true;
  (void)Verify(head, *kPrincipals, clock, s3);
  VerifyOptions json;
  json.body_sha256_hex = std::string(sigv4::kEmptySha256);
  (void)Verify(head, *kPrincipals, clock, json);
  return 0;
}
