// Tests for crypto/key_import.h: every wrapping algorithm with every wrapping key spec, unwrap
// failures, and a cross-check of the RSA_AES_KEY_WRAP format with Python `cryptography`
// (aes_key_wrap_with_padding), skipped with a warning where it is missing.
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crypto/asymmetric.h"
#include "crypto/digest.h"
#include "crypto/key_import.h"
#include "crypto/random.h"

namespace sealstack::crypto {

// Defined in crypto_asymmetric_test.cpp (same test binary).
namespace testing {
const SecretBytes& TestKeyPair(AsymmetricKeySpec spec);
bool PythonAvailable();
std::vector<std::string> RunPython(const std::vector<std::vector<std::string>>& commands);
}  // namespace testing

namespace {

using testing::PythonAvailable;
using testing::RunPython;

constexpr WrappingKeySpec kWrappingKeySpecs[] = {
    WrappingKeySpec::kRsa2048, WrappingKeySpec::kRsa3072, WrappingKeySpec::kRsa4096};
constexpr WrappingAlgorithm kWrappingAlgorithms[] = {
    WrappingAlgorithm::kRsaesOaepSha1, WrappingAlgorithm::kRsaesOaepSha256,
    WrappingAlgorithm::kRsaAesKeyWrapSha1, WrappingAlgorithm::kRsaAesKeyWrapSha256};

bool UsesKeyWrap(WrappingAlgorithm alg) {
  return alg == WrappingAlgorithm::kRsaAesKeyWrapSha1 ||
         alg == WrappingAlgorithm::kRsaAesKeyWrapSha256;
}

// The wrapping key pairs come from the shared per-process cache: ToAsymmetricKeySpec is the
// whole of GenerateWrappingKey, which the "wrapping keys" test exercises on its own.
const PrivateKey& WrappingKey(WrappingKeySpec spec) {
  static std::map<WrappingKeySpec, PrivateKey> keys;
  auto it = keys.find(spec);
  if (it == keys.end()) {
    Result<PrivateKey> key = PrivateKey::FromPkcs8(testing::TestKeyPair(ToAsymmetricKeySpec(spec)));
    REQUIRE(key.ok());
    it = keys.emplace(spec, *key).first;
  }
  return it->second;
}

bool IsUnwrapFailure(const Result<SecretBytes>& r) {
  return r.status().code() == StatusCode::kInvalidArgument &&
         r.status().message() == "the wrapped key material could not be decrypted";
}

TEST_CASE("import enum names round trip", "[import]") {
  for (const char* name : {"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1",
                           "RSA_AES_KEY_WRAP_SHA_256"}) {
    std::optional<WrappingAlgorithm> alg = ParseWrappingAlgorithm(name);
    REQUIRE(alg.has_value());
    CHECK(Name(*alg) == name);
  }
  for (WrappingKeySpec spec : kWrappingKeySpecs) {
    CHECK(ParseWrappingKeySpec(Name(spec)) == spec);
    CHECK(Name(spec) == Name(ToAsymmetricKeySpec(spec)));
  }
  CHECK_FALSE(ParseWrappingAlgorithm("RSAES_PKCS1_V1_5").has_value());  // deprecated by AWS
  CHECK_FALSE(ParseWrappingAlgorithm("rsaes_oaep_sha_256").has_value());
  CHECK_FALSE(ParseWrappingKeySpec("ECC_NIST_P256").has_value());
}

TEST_CASE("wrapping keys are RSA key pairs of the requested size", "[import]") {
  Result<SecretBytes> pkcs8 = GenerateWrappingKey(WrappingKeySpec::kRsa2048);
  REQUIRE(pkcs8.ok());
  CHECK(DetectKeySpec(*pkcs8).value() == AsymmetricKeySpec::kRsa2048);
  for (WrappingKeySpec spec : kWrappingKeySpecs) {
    CHECK(WrappingKey(spec).spec() == ToAsymmetricKeySpec(spec));
  }
}

TEST_CASE("key material round trips for every wrapping algorithm and key spec", "[import]") {
  SeededRandom random(uint64_t{5649});
  // Symmetric material (SYMMETRIC_DEFAULT imports are 32 bytes; HMAC up to 128) and, for the
  // key-wrap algorithms, asymmetric private keys too large for plain RSAES.
  const std::vector<SecretBytes> small = {random.Secret(32).value(), random.Secret(1).value(),
                                          random.Secret(64).value()};
  const std::vector<SecretBytes> large = {testing::TestKeyPair(AsymmetricKeySpec::kEccNistP521),
                                          testing::TestKeyPair(AsymmetricKeySpec::kRsa4096),
                                          random.Secret(1000).value()};

  for (WrappingKeySpec spec : kWrappingKeySpecs) {
    const PrivateKey& key = WrappingKey(spec);
    const size_t modulus = RsaModulusSize(key.spec());
    for (WrappingAlgorithm alg : kWrappingAlgorithms) {
      std::vector<const SecretBytes*> materials;
      for (const SecretBytes& m : small) materials.push_back(&m);
      if (UsesKeyWrap(alg)) {
        for (const SecretBytes& m : large) materials.push_back(&m);
      }
      for (const SecretBytes* material : materials) {
        INFO(Name(spec) << " " << Name(alg) << " material " << material->size() << " bytes");
        Result<std::string> wrapped = WrapForImport(key.PublicKeyDer(), alg, *material, random);
        REQUIRE(wrapped.ok());
        if (UsesKeyWrap(alg)) {
          // RSA part, then RFC 5649: the material padded to 8 bytes plus an 8-byte block.
          CHECK(wrapped->size() == modulus + (material->size() + 7) / 8 * 8 + 8);
        } else {
          CHECK(wrapped->size() == modulus);
        }
        Result<SecretBytes> unwrapped = UnwrapImportedKeyMaterial(key, alg, *wrapped);
        REQUIRE(unwrapped.ok());
        CHECK(unwrapped->Reveal() == material->Reveal());
      }
    }
  }
}

TEST_CASE("imported asymmetric key material is usable", "[import]") {
  SeededRandom random(uint64_t{1});
  const PrivateKey& wrapping_key = WrappingKey(WrappingKeySpec::kRsa2048);
  const SecretBytes& pkcs8 = testing::TestKeyPair(AsymmetricKeySpec::kEccNistP256);
  const std::string wrapped = WrapForImport(wrapping_key.PublicKeyDer(),
                                            WrappingAlgorithm::kRsaAesKeyWrapSha256, pkcs8, random)
                                  .value();
  Result<SecretBytes> imported =
      UnwrapImportedKeyMaterial(wrapping_key, WrappingAlgorithm::kRsaAesKeyWrapSha256, wrapped);
  REQUIRE(imported.ok());
  CHECK(DetectKeySpec(*imported).value() == AsymmetricKeySpec::kEccNistP256);
  CHECK(PublicKeyDer(*imported).value() == PublicKeyDer(pkcs8).value());
}

TEST_CASE("plain RSAES wrapping is limited by the OAEP plaintext size", "[import]") {
  SeededRandom random(uint64_t{2});
  const PrivateKey& key = WrappingKey(WrappingKeySpec::kRsa2048);
  struct Case {
    WrappingAlgorithm alg;
    size_t max;
  };
  for (const Case& c : {Case{WrappingAlgorithm::kRsaesOaepSha1, 214},
                        Case{WrappingAlgorithm::kRsaesOaepSha256, 190}}) {
    INFO(Name(c.alg));
    CHECK(WrapForImport(key.PublicKeyDer(), c.alg, random.Secret(c.max).value(), random).ok());
    CHECK(WrapForImport(key.PublicKeyDer(), c.alg, random.Secret(c.max + 1).value(), random)
              .status()
              .code() == StatusCode::kInvalidArgument);
  }
  // Misuse on the client side.
  CHECK(WrapForImport(key.PublicKeyDer(), WrappingAlgorithm::kRsaAesKeyWrapSha256, SecretBytes(),
                      random)
            .status()
            .code() == StatusCode::kInvalidArgument);
  CHECK(WrapForImport("not a key", WrappingAlgorithm::kRsaesOaepSha256, random.Secret(32).value(),
                      random)
            .status()
            .code() == StatusCode::kInvalidArgument);
  const std::string ec_public =
      PublicKeyDer(testing::TestKeyPair(AsymmetricKeySpec::kEccNistP256)).value();
  CHECK(WrapForImport(ec_public, WrappingAlgorithm::kRsaesOaepSha256, random.Secret(32).value(),
                      random)
            .status()
            .code() == StatusCode::kInvalidArgument);
}

TEST_CASE("material that does not unwrap is InvalidArgument", "[import]") {
  SeededRandom random(uint64_t{3});
  const PrivateKey& key = WrappingKey(WrappingKeySpec::kRsa2048);
  const PrivateKey& other_key = WrappingKey(WrappingKeySpec::kRsa3072);
  const SecretBytes material = random.Secret(32).value();

  for (WrappingAlgorithm alg : kWrappingAlgorithms) {
    INFO(Name(alg));
    const std::string wrapped = WrapForImport(key.PublicKeyDer(), alg, material, random).value();
    REQUIRE(UnwrapImportedKeyMaterial(key, alg, wrapped).ok());
    CHECK(IsUnwrapFailure(UnwrapImportedKeyMaterial(other_key, alg, wrapped)));
    CHECK(IsUnwrapFailure(UnwrapImportedKeyMaterial(key, alg, "")));
    CHECK(IsUnwrapFailure(UnwrapImportedKeyMaterial(key, alg, wrapped.substr(1))));
    CHECK(IsUnwrapFailure(
        UnwrapImportedKeyMaterial(key, alg, wrapped.substr(0, wrapped.size() - 1))));
    CHECK(IsUnwrapFailure(UnwrapImportedKeyMaterial(key, alg, wrapped + std::string(8, 'x'))));
    // A flipped bit in the RSA part, and (key wrap) in the AES-KWP part.
    std::string tampered = wrapped;
    tampered[10] = static_cast<char>(tampered[10] ^ 0x01);
    CHECK(IsUnwrapFailure(UnwrapImportedKeyMaterial(key, alg, tampered)));
    if (UsesKeyWrap(alg)) {
      tampered = wrapped;
      tampered[260] = static_cast<char>(tampered[260] ^ 0x01);
      CHECK(IsUnwrapFailure(UnwrapImportedKeyMaterial(key, alg, tampered)));
      // The RSA part alone is not enough.
      CHECK(IsUnwrapFailure(UnwrapImportedKeyMaterial(key, alg, wrapped.substr(0, 256))));
    }
  }

  // The wrong algorithm: SHA-1 vs SHA-256 OAEP, and plain RSAES vs key wrap.
  const std::string oaep256 =
      WrapForImport(key.PublicKeyDer(), WrappingAlgorithm::kRsaesOaepSha256, material, random)
          .value();
  CHECK(
      IsUnwrapFailure(UnwrapImportedKeyMaterial(key, WrappingAlgorithm::kRsaesOaepSha1, oaep256)));
  CHECK(IsUnwrapFailure(
      UnwrapImportedKeyMaterial(key, WrappingAlgorithm::kRsaAesKeyWrapSha256, oaep256)));
  const std::string kwp256 =
      WrapForImport(key.PublicKeyDer(), WrappingAlgorithm::kRsaAesKeyWrapSha256, material, random)
          .value();
  CHECK(IsUnwrapFailure(
      UnwrapImportedKeyMaterial(key, WrappingAlgorithm::kRsaAesKeyWrapSha1, kwp256)));
  CHECK(
      IsUnwrapFailure(UnwrapImportedKeyMaterial(key, WrappingAlgorithm::kRsaesOaepSha256, kwp256)));

  // A non-RSA wrapping key is a caller error.
  const PrivateKey ec =
      PrivateKey::FromPkcs8(testing::TestKeyPair(AsymmetricKeySpec::kEccNistP256)).value();
  CHECK(
      UnwrapImportedKeyMaterial(ec, WrappingAlgorithm::kRsaesOaepSha256, oaep256).status().code() ==
      StatusCode::kInvalidArgument);
}

TEST_CASE("wrapped key material agrees with an independent implementation", "[import][interop]") {
  if (!PythonAvailable()) return;
  SeededRandom random(uint64_t{4});
  const PrivateKey& key = WrappingKey(WrappingKeySpec::kRsa3072);
  const std::string private_hex = Hex(testing::TestKeyPair(key.spec()).view());
  // An RSA private key as material: the case that needs RSA_AES_KEY_WRAP.
  const SecretBytes& rsa_material = testing::TestKeyPair(AsymmetricKeySpec::kRsa2048);
  const SecretBytes aes_material = random.Secret(32).value();
  struct Case {
    WrappingAlgorithm alg;
    const SecretBytes* material;
  };
  const std::vector<Case> cases = {{WrappingAlgorithm::kRsaAesKeyWrapSha256, &rsa_material},
                                   {WrappingAlgorithm::kRsaAesKeyWrapSha1, &aes_material},
                                   {WrappingAlgorithm::kRsaesOaepSha256, &aes_material}};
  std::vector<std::vector<std::string>> commands;
  for (const Case& c : cases) {
    const std::string ours = WrapForImport(key.PublicKeyDer(), c.alg, *c.material, random).value();
    commands.push_back({"unwrap", private_hex, std::string(Name(c.alg)), Hex(ours)});
    commands.push_back(
        {"wrap", Hex(key.PublicKeyDer()), std::string(Name(c.alg)), Hex(c.material->view())});
  }
  const std::vector<std::string> results = RunPython(commands);
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    INFO(Name(c.alg) << ": " << results[2 * i] << " / " << results[2 * i + 1]);
    CHECK(results[2 * i] == Hex(c.material->view()));  // they unwrap ours
    std::optional<std::string> theirs = FromHex(results[2 * i + 1]);
    REQUIRE(theirs.has_value());
    Result<SecretBytes> unwrapped = UnwrapImportedKeyMaterial(key, c.alg, *theirs);
    REQUIRE(unwrapped.ok());
    CHECK(unwrapped->Reveal() == c.material->Reveal());  // we unwrap theirs
  }
}

}  // namespace
}  // namespace sealstack::crypto
