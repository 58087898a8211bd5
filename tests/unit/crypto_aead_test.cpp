#include <catch2/catch.hpp>

#include <string>

#include "crypto/aead.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "tests/unit/crypto_test_util.h"

namespace sealstack::crypto {
namespace {

SecretBytes Key(std::string_view hex) {
  return SecretBytes(Unhex(hex));
}

const SecretBytes kKey = SecretBytes(std::string(32, 'k'));
const std::string kNonce(12, 'n');

// AES-256 cases 13-16 of McGrew & Viega, "The Galois/Counter Mode of Operation", as used in
// NIST's GCM validation; cross-checked against other implementations.
TEST_CASE("AES-256-GCM matches the GCM spec known-answer vectors", "[crypto][aead]") {
  const std::string k15 = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
  const std::string p15 =
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
  struct Case {
    const char* name;
    std::string key, nonce, aad, plaintext, ciphertext, tag;
  };
  const Case cases[] = {
      {"13", std::string(64, '0'), std::string(24, '0'), "", "", "",
       "530f8afbc74536b9a963b4f1c4cb738b"},
      {"14", std::string(64, '0'), std::string(24, '0'), "", std::string(32, '0'),
       "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
      {"15", k15, "cafebabefacedbaddecaf888", "", p15,
       "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
       "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
       "b094dac5d93471bdec1a502270e3cc6c"},
      {"16", k15, "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
       p15.substr(0, 120),
       "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
       "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
       "76fc6ece0f4e1768cddf8853bb2d551b"},
  };
  for (const Case& c : cases) {
    INFO("test case " << c.name);
    auto sealed = AesGcmSeal(Key(c.key), Unhex(c.nonce), Unhex(c.aad), Unhex(c.plaintext));
    REQUIRE(sealed.ok());
    CHECK(Hex(*sealed) == c.ciphertext + c.tag);
    auto opened = AesGcmOpen(Key(c.key), Unhex(c.nonce), Unhex(c.aad), *sealed);
    REQUIRE(opened.ok());
    CHECK(opened->Reveal() == Unhex(c.plaintext));
  }
}

TEST_CASE("AES-GCM round trips many messages through one reused object", "[crypto][aead]") {
  auto gcm = AesGcm::Create(kKey);
  REQUIRE(gcm.ok());
  SeededRandom random(uint64_t{42});
  for (size_t size : {0, 1, 15, 16, 17, 255, 4096, 65536 + 3}) {
    std::string plaintext = random.Bytes(size).value();
    std::string nonce = random.Bytes(kGcmNonceSize).value();
    std::string aad = random.Bytes(size % 40).value();
    auto sealed = gcm->Seal(nonce, aad, plaintext);
    REQUIRE(sealed.ok());
    CHECK(sealed->size() == size + kGcmTagSize);
    std::string out = "prefix:";
    REQUIRE(gcm->OpenAppend(nonce, aad, *sealed, &out).ok());
    CHECK(out == "prefix:" + plaintext);
    // The one-shot form agrees with the reused object.
    CHECK(AesGcmSeal(kKey, nonce, aad, plaintext).value() == *sealed);
  }
}

TEST_CASE("AES-GCM detects every kind of tampering", "[crypto][aead]") {
  auto gcm = AesGcm::Create(kKey);
  REQUIRE(gcm.ok());
  const std::string aad = "context";
  const std::string sealed = gcm->Seal(kNonce, aad, "attack at dawn").value();

  struct Case {
    const char* name;
    SecretBytes key;
    std::string nonce, aad, sealed;
  };
  auto flip = [&](size_t i) {
    std::string s = sealed;
    s[i] ^= 0x01;
    return s;
  };
  const Case cases[] = {
      {"bit flip in ciphertext", kKey, kNonce, aad, flip(0)},
      {"bit flip in last ciphertext byte", kKey, kNonce, aad, flip(13)},
      {"bit flip in tag", kKey, kNonce, aad, flip(sealed.size() - 1)},
      {"changed AAD", kKey, kNonce, "Context", sealed},
      {"missing AAD", kKey, kNonce, "", sealed},
      {"changed nonce", kKey, std::string(12, 'N'), aad, sealed},
      {"wrong key", SecretBytes(std::string(32, 'K')), kNonce, aad, sealed},
      {"truncated by one byte", kKey, kNonce, aad, sealed.substr(0, sealed.size() - 1)},
      {"tag only", kKey, kNonce, aad, sealed.substr(sealed.size() - kGcmTagSize)},
      {"shorter than a tag", kKey, kNonce, aad, sealed.substr(0, 5)},
      {"empty", kKey, kNonce, aad, ""},
      {"appended byte", kKey, kNonce, aad, sealed + "x"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    auto opened = AesGcmOpen(c.key, c.nonce, c.aad, c.sealed);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.status().code() == StatusCode::kIntegrity);
  }
  // A failed OpenAppend leaves the output exactly as it was.
  std::string out = "keep";
  CHECK(gcm->OpenAppend(kNonce, aad, flip(3), &out).code() == StatusCode::kIntegrity);
  CHECK(out == "keep");
  // And the object still works after a failure.
  CHECK(gcm->Open(kNonce, aad, sealed).value().Reveal() == "attack at dawn");
}

TEST_CASE("AES-GCM rejects wrong key and nonce sizes", "[crypto][aead]") {
  for (size_t size : {0, 16, 24, 31, 33, 64}) {
    INFO("key size " << size);
    auto gcm = AesGcm::Create(SecretBytes(size));
    REQUIRE_FALSE(gcm.ok());
    CHECK(gcm.status().code() == StatusCode::kInvalidArgument);
  }
  auto gcm = AesGcm::Create(kKey);
  REQUIRE(gcm.ok());
  for (size_t size : {0, 8, 11, 13, 16}) {
    INFO("nonce size " << size);
    CHECK(gcm->Seal(std::string(size, 'n'), "", "x").status().code() ==
          StatusCode::kInvalidArgument);
    CHECK(gcm->Open(std::string(size, 'n'), "", std::string(17, 'x')).status().code() ==
          StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace sealstack::crypto
