// Fixed JWS vectors made once with Python's `cryptography` (RSA 2048 / P-256 keys, the
// signatures over kSigningInput), so the verification is checked against another implementation.
#include <catch2/catch.hpp>

#include "crypto/jws.h"

namespace sealstack::crypto {
namespace {

constexpr char kSigningInput[] = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0";
constexpr char kRsaN[] =
    "szCEcSLZ8Id8RC5YxM0rpBekzvl8jInPh9NfrpDvNpHul1Gyw4ynjLUJixLMbkJtngEPmp7XODxLN16qZn4pJQZR"
    "eHYw3dcBFugH6uB9LEMS1PmzS3CZFEl0-azIuUb8nmRjmlee0BO6iJXWbZrC9lD-WUQpdFVA6y489MlJ84-_OTXV"
    "h4GC1gZaJAgYKcstqmMxX43C63eR5nHHOAo8EF7BgWr7D3w4gseacz95jDEeINsJQ9DG1xK5m47ki8fFCsWzN-YS"
    "d3_ZOjtemGMSesy5E8JkhVIbAZgSNEP1AAwRKaINXaLHwdWIC826z8EQmfC28puKIsBAwbEx2wLM9w";
constexpr char kRsaE[] = "AQAB";
constexpr char kRsaSig[] =
    "EL0Y-NP4RLWqb3tiYEVb8BRqWPahq9QTYiOWq9Wrlnz1hqnS6FK9DhepJ5DLoXAWpTjnWwPM5PTeksgddKRrrV66"
    "vVVJuOu9MrLa9T5iIpukAww0VJwqq4zRNfCcXJVxlLIaw8YMKVr_sXWUw0KYjulZeD7Iy-wtsYFyXnVdkKvxp-ZT"
    "UDzJeaaG6IhEFBDd920Vu6NFlw-oy5KWMvdtS9yShVDZE4hZkY5iEIchQZNTNz2EhtIzyCUtf2SpTFsvwKIjXloO"
    "RtJnt8Di7qnubH0UORVIhA6HKiVt5v54rZiZTt-8V_h9rDwQZIR4NE1zNhEDBjwacb_T7FMwMcVn7A";
constexpr char kEcX[] = "blJxq3P6JysANn7Yjb0h3eFJ1uQAq8OUrhsLrFH4coM";
constexpr char kEcY[] = "nmYf7QZt8eQF_BrZVxzcper54PPmis_Wnhm21TiZ_7E";
constexpr char kEcSig[] =
    "1bk-X-AZK6BpDf1w-DGwUw4Sr3MiE6Vzgm0_H7ZiztxzHKp7ByKXkgOghVKnqnmlD5iCykcBenS4fJhTvcVXTw";

std::string Url(const char* text) {
  auto bytes = FromBase64Url(text);
  REQUIRE(bytes.has_value());
  return *bytes;
}

TEST_CASE("base64url round-trips and refuses the standard alphabet") {
  for (std::string s : {std::string(), std::string("f"), std::string("fo"), std::string("foo"),
                        std::string("\xfb\xff\xfe", 3)}) {
    REQUIRE(FromBase64Url(Base64Url(s)) == s);
  }
  REQUIRE(Base64Url("\xfb\xff") == "-_8");
  REQUIRE_FALSE(FromBase64Url("+/8").has_value());
  REQUIRE_FALSE(FromBase64Url("Zm8=").has_value());
  REQUIRE_FALSE(FromBase64Url("Z").has_value());
}

TEST_CASE("RS256 verifies a signature made elsewhere and nothing else") {
  const std::string sig = Url(kRsaSig);
  REQUIRE(VerifyRs256(Url(kRsaN), Url(kRsaE), kSigningInput, sig).value());
  REQUIRE_FALSE(VerifyRs256(Url(kRsaN), Url(kRsaE), "eyJ0YW1wZXJlZCI6MX0.e30", sig).value());
  std::string flipped = sig;
  flipped[10] = static_cast<char>(flipped[10] ^ 1);
  REQUIRE_FALSE(VerifyRs256(Url(kRsaN), Url(kRsaE), kSigningInput, flipped).value());
  REQUIRE_FALSE(VerifyRs256(Url(kRsaN), Url(kRsaE), kSigningInput, "").value());
  // A short modulus is not a key AWS would take.
  REQUIRE(VerifyRs256(std::string(64, '\x7f'), Url(kRsaE), kSigningInput, sig).status().code() ==
          StatusCode::kInvalidArgument);
}

TEST_CASE("ES256 verifies r || s signatures made elsewhere") {
  const std::string sig = Url(kEcSig);
  REQUIRE(sig.size() == 64);
  REQUIRE(VerifyEs256(Url(kEcX), Url(kEcY), kSigningInput, sig).value());
  REQUIRE_FALSE(VerifyEs256(Url(kEcX), Url(kEcY), "eyJ0YW1wZXJlZCI6MX0.e30", sig).value());
  REQUIRE_FALSE(VerifyEs256(Url(kEcX), Url(kEcY), kSigningInput, sig.substr(0, 63)).value());
  std::string off_curve = Url(kEcY);
  off_curve[31] = static_cast<char>(off_curve[31] ^ 1);
  REQUIRE(VerifyEs256(Url(kEcX), off_curve, kSigningInput, sig).status().code() ==
          StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sealstack::crypto
