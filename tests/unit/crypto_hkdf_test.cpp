#include <catch2/catch.hpp>

#include <string>

#include "crypto/digest.h"
#include "crypto/hkdf.h"
#include "tests/unit/crypto_test_util.h"

namespace sealstack::crypto {
namespace {

TEST_CASE("HKDF-SHA256 matches RFC 5869 test cases 1 and 3", "[crypto][hkdf]") {
  const SecretBytes ikm(std::string(22, '\x0b'));
  auto okm1 =
      HkdfSha256(ikm, Unhex("000102030405060708090a0b0c"), Unhex("f0f1f2f3f4f5f6f7f8f9"), 42);
  REQUIRE(okm1.ok());
  CHECK(Hex(okm1->view()) ==
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  auto okm3 = HkdfSha256(ikm, "", "", 42);
  REQUIRE(okm3.ok());
  CHECK(Hex(okm3->view()) ==
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST_CASE("HKDF-SHA256 matches RFC 5869 test case 2 (long inputs, salt beyond a block)",
          "[crypto][hkdf]") {
  auto bytes = [](int from, int to) {
    std::string s;
    for (int b = from; b < to; ++b) s.push_back(static_cast<char>(b));
    return s;
  };
  const SecretBytes ikm(bytes(0x00, 0x50));
  auto okm = HkdfSha256(ikm, bytes(0x60, 0xb0), bytes(0xb0, 0x100), 82);
  REQUIRE(okm.ok());
  CHECK(Hex(okm->view()) ==
        "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c6"
        "5e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

TEST_CASE("HKDF-SHA256 rejects impossible output lengths", "[crypto][hkdf]") {
  const SecretBytes ikm(std::string(32, 'k'));
  CHECK(HkdfSha256(ikm, "s", "i", 0).status().code() == StatusCode::kInvalidArgument);
  CHECK(HkdfSha256(ikm, "s", "i", 255 * 32 + 1).status().code() == StatusCode::kInvalidArgument);
  CHECK(HkdfSha256(ikm, "s", "i", 255 * 32).ok());
}

}  // namespace
}  // namespace sealstack::crypto
