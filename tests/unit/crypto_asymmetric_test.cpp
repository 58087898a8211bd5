// Tests for crypto/asymmetric.h and crypto/hmac_key.h: every key spec and algorithm, misuse,
// and cross-checks against an independent implementation (Python `cryptography`, which links
// its own OpenSSL build), skipped with a warning where python3 + cryptography are missing.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "crypto/asymmetric.h"
#include "crypto/digest.h"
#include "crypto/hmac_key.h"
#include "crypto/random.h"
#include "tests/unit/crypto_test_util.h"

namespace sealstack::crypto {

namespace testing {

// Helpers shared with crypto_key_import_test.cpp (same binary), which declares them: one key
// pair per spec per test process (RSA 3072/4096 generation is slow), and the Python interop
// runner defined further down.
const SecretBytes& TestKeyPair(AsymmetricKeySpec spec) {
  static std::mutex mutex;
  static std::map<AsymmetricKeySpec, SecretBytes> keys;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = keys.find(spec);
  if (it == keys.end()) {
    Result<SecretBytes> generated = GenerateKeyPair(spec);
    REQUIRE(generated.ok());
    it = keys.emplace(spec, std::move(*generated)).first;
  }
  return it->second;
}

}  // namespace testing

namespace {

using testing::TestKeyPair;

constexpr AsymmetricKeySpec kAllSpecs[] = {
    AsymmetricKeySpec::kRsa2048,       AsymmetricKeySpec::kRsa3072,
    AsymmetricKeySpec::kRsa4096,       AsymmetricKeySpec::kEccNistP256,
    AsymmetricKeySpec::kEccNistP384,   AsymmetricKeySpec::kEccNistP521,
    AsymmetricKeySpec::kEccSecgP256k1, AsymmetricKeySpec::kEccNistEdwards25519,
};
constexpr AsymmetricKeySpec kRsaSpecs[] = {AsymmetricKeySpec::kRsa2048, AsymmetricKeySpec::kRsa3072,
                                           AsymmetricKeySpec::kRsa4096};
constexpr EncryptionAlgorithm kEncryptionAlgorithms[] = {EncryptionAlgorithm::kRsaesOaepSha1,
                                                         EncryptionAlgorithm::kRsaesOaepSha256};

const PrivateKey& TestPrivateKey(AsymmetricKeySpec spec) {
  static std::mutex mutex;
  static std::map<AsymmetricKeySpec, PrivateKey> keys;
  const SecretBytes& pkcs8 = TestKeyPair(spec);
  std::lock_guard<std::mutex> lock(mutex);
  auto it = keys.find(spec);
  if (it == keys.end()) {
    Result<PrivateKey> parsed = PrivateKey::FromPkcs8(pkcs8);
    REQUIRE(parsed.ok());
    it = keys.emplace(spec, *parsed).first;
  }
  return it->second;
}

std::string Flip(std::string s, size_t i) {
  s[i] = static_cast<char>(s[i] ^ 0x01);
  return s;
}

// ---- Independent implementation: Python `cryptography` -------------------------------------

constexpr char kInteropScript[] = R"PY(
import os, sys
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
from cryptography.hazmat.primitives.keywrap import (aes_key_unwrap_with_padding,
                                                    aes_key_wrap_with_padding)

HASHES = {"SHA_1": hashes.SHA1, "SHA_256": hashes.SHA256, "SHA_384": hashes.SHA384,
          "SHA_512": hashes.SHA512}

def hash_of(alg):  # "RSASSA_PSS_SHA_256" -> SHA256()
    return HASHES["_".join(alg.split("_")[-2:])]()

def sig_args(alg, msgtype):
    h = hash_of(alg)
    chosen = utils.Prehashed(h) if msgtype == "DIGEST" else h
    if alg.startswith("RSASSA_PSS"):
        return [padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size), chosen]
    if alg.startswith("RSASSA_PKCS1"):
        return [padding.PKCS1v15(), chosen]
    if alg.startswith("ECDSA"):
        return [ec.ECDSA(chosen)]
    return []  # ED25519_SHA_512

def oaep(alg):
    h = hash_of(alg)
    return padding.OAEP(mgf=padding.MGF1(algorithm=h), algorithm=h, label=None)

def private(hexder):
    return serialization.load_der_private_key(bytes.fromhex(hexder), None)

def public(hexder):
    return serialization.load_der_public_key(bytes.fromhex(hexder))

def run(op, a):
    if op == "verify":  # spki alg msgtype message signature
        try:
            public(a[0]).verify(bytes.fromhex(a[4]), bytes.fromhex(a[3]), *sig_args(a[1], a[2]))
        except InvalidSignature:
            return "invalid"
        return "valid"
    if op == "sign":  # pkcs8 alg msgtype message
        return private(a[0]).sign(bytes.fromhex(a[3]), *sig_args(a[1], a[2])).hex()
    if op == "encrypt":  # spki alg plaintext
        return public(a[0]).encrypt(bytes.fromhex(a[2]), oaep(a[1])).hex()
    if op == "decrypt":  # pkcs8 alg ciphertext
        return private(a[0]).decrypt(bytes.fromhex(a[2]), oaep(a[1])).hex()
    if op == "ecdh":  # pkcs8 peer_spki
        return private(a[0]).exchange(ec.ECDH(), public(a[1])).hex()
    if op == "wrap":  # spki wrapping_alg material
        key, material = public(a[0]), bytes.fromhex(a[2])
        if not a[1].startswith("RSA_AES_KEY_WRAP"):
            return key.encrypt(material, oaep(a[1])).hex()
        aes = os.urandom(32)
        return (key.encrypt(aes, oaep(a[1])) + aes_key_wrap_with_padding(aes, material)).hex()
    if op == "unwrap":  # pkcs8 wrapping_alg wrapped
        key, wrapped = private(a[0]), bytes.fromhex(a[2])
        if not a[1].startswith("RSA_AES_KEY_WRAP"):
            return key.decrypt(wrapped, oaep(a[1])).hex()
        n = key.key_size // 8
        return aes_key_unwrap_with_padding(key.decrypt(wrapped[:n], oaep(a[1])), wrapped[n:]).hex()
    raise ValueError("unknown op " + op)

# One command per input line ("op arg..."), one result per output line.
for line in sys.stdin:
    words = line.split()
    try:
        print(run(words[0], words[1:]))
    except Exception as e:  # reported, not raised: the C++ side shows it
        print("error: %r" % (e,))
)PY";

// The script lives in a temp file for the life of the test process.
class InteropScript {
 public:
  InteropScript()
      : path_((std::filesystem::temp_directory_path() /
               ("sealstack_interop_" + std::to_string(getpid()) + ".py"))
                  .string()) {
    std::ofstream(path_) << kInteropScript;
  }
  ~InteropScript() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
    std::filesystem::remove(path_ + ".in", ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

// Shared with crypto_key_import_test.cpp, like TestKeyPair.
namespace testing {

bool PythonAvailable() {
  static const bool available =
      std::system("python3 -c 'import cryptography.hazmat.primitives.keywrap' >/dev/null 2>&1") ==
      0;
  if (!available) WARN("python3 with `cryptography` not found: skipping the interop check");
  return available;
}

// Runs the commands (each {op, arg...}) in one python3 process and returns one output line per
// command: "valid" / "invalid" for verify, hex otherwise, "error: ..." if the command failed.
std::vector<std::string> RunPython(const std::vector<std::vector<std::string>>& commands) {
  static const InteropScript script;
  const std::string input_path = script.path() + ".in";
  {
    std::ofstream input(input_path);
    for (const auto& command : commands) {
      for (const std::string& word : command) input << word << ' ';
      input << '\n';
    }
  }
  const std::string shell = "python3 '" + script.path() + "' < '" + input_path + "' 2>&1";
  FILE* pipe = popen(shell.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  const int status = pclose(pipe);
  INFO(output);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = output.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(output.substr(start, end - start));
  }
  REQUIRE(lines.size() == commands.size());
  return lines;
}

}  // namespace testing

namespace {

using testing::PythonAvailable;
using testing::RunPython;

// ---- Fixtures (made with the openssl CLI) --------------------------------------------------

constexpr char kRsaPkcs1Pem[] = R"(-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEAxICMLmQSyTrQt/IFBHqlZWtY8DICcJza7SFxuzaNLni8KEAg
aUWkMf9d46Ipec5ZcZrMhYCm0uc2C29JA7+w/Ex++GcmBBLheSxwmZmuApHJmGaA
hrFFDMuTI1xAvJUeeqHHpRnRPMPqC8Ata7nbMOkrge/5bhB3Do2enc4vybad69Y7
uFkspymwxQXaY9+rHw++19hzc+rhgL60vbHsBdY6xZi2lPhIK/B4zt8Kpr7ATVgc
anfR5r9uk1M1b4rUN37weUdKcRVREIpqDvqQ6FW+r/yGyXr6UGK3anRyzoGVvhca
lfxn6M+WhPQminTAwjeMCyXSrSJ9JtSmEVy+YwIDAQABAoIBAEVuupmlyLGL87Yb
cURs5cZZUPrGYPBTrFO/zoT9OJOkG7AJQKqR7fuwpQdLBGbCz/4BWaUOmWPKSOFv
eBg4ApyTlwXExL0JwtvjJQJROBg2VUphZaayOpjT0fDbpxA7jKJ+SaH/5lwXSbrP
M/1tlZLJwRLPrY4DiV3+En7mHSKjogyXiBhpvazsG6KLl6k/MdbikccEf9hiMQwj
6SnXt/m01yZ5x/GJT6+CQF2pRrdZ/AGhRa7lplTp5zNdDQERO7mJDNw2/3K8yqdr
M/79RAW4ehOf823gT/Yt84HEl9M/KA+dA0kEfOnNP/qRq2uUemiqFeoXdHvc2Gg/
UyISkLkCgYEA99NCeukhzvm1nmyC4bDMcZYACviTpl4IYfShsqcjR/VfyFIG34ox
g+/GfGVk+CGjp2mwU5EU5q3L9yVKKppXqZKniTMnW6Qo6W/N2zjOs09gJKJzK5q/
LXLaUVm5sauDVPM9Y1bmCME+t/hPGPm1JoOGbSwPUh8T85kxzk6hPmUCgYEAyvvk
5m4cd9wE87SH2wH0NBtFFz/2qoST6is6XecC1KVuM59eyJQkiEkv/X8SN78D3eSl
s+i/xzAmEFmuKpeqTu3LsRtul7kwC7yTFg8UVytPhnCzCGei6tR3/Eti1re/xFle
zsg6EafvNwNmsSd2RmcD09bhiuByI787Twzs+ScCgYA7AIYcYzLUZykxXZ5Pg1s5
U8AQ3JuyiUKvp6Fzuk0xDZ9PPxA52lntkoGMDkvas4+WBRig3LLANPKRlcQxnmtu
iObwSEh/jfbblO3K2pyDnktCjZaj9AS+GlEV+ym1viLXb83Wv9KmlPOMs0aJqLHT
SI8RoOLI53NFlNyBxMCo7QKBgQCXgGj5gEfpQiPEDgO0eAHf/laUIt6lqOyJxBf9
TFX1hz/4ccQZ61BVFGMoTna3eu+U53qyDE9PiWVvoK/5BFhOLvhwSSxDPCpbKDWU
Kk8hPKdPjcBizo9vvIONoGq2HlGYaKf1qMaGtRQ7uGMmaHDD3VGjBGg08o7elXXb
66bX0wKBgQCmGu0dlS3jLAkHyt4apdsD2SCfzZiUgbuW+CfspYvmKlt01qDn+upD
iVLuF3buNUEbqw7VNhd23GJtV+ZMn38sdWvYg+/HnB6RnZmYlXfRnN5kodccSzSv
eyz+/J7mJgQcyamFFZ4Cwv/ztuWIm8h9SZXiKpTbePACa4ldYaBNRA==
-----END RSA PRIVATE KEY-----)";

constexpr char kEcSec1Pem[] = R"(-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIE1lvIs0Pr4gHNEgkkCEhcSDGGuGvSpLxDrWI7MISYn8oAoGCCqGSM49
AwEHoUQDQgAEkN9OUAdpRKj0SJWIJ7JHfN9716Nzdv5+UdPrDiON9/XVj/jMDOyn
r+5ZNHlfbsJseUpMzZ2ggf5ZfOoOjqG0pQ==
-----END EC PRIVATE KEY-----)";

constexpr char kEd25519Pkcs8Pem[] = R"(-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIGlj9VS598cBECkAyX6CUv59mLafmcRqTRTXs3LZPwRK
-----END PRIVATE KEY-----)";

constexpr char kP224Pem[] = R"(-----BEGIN EC PRIVATE KEY-----
MGgCAQEEHKTPMcBD0xoNj5PfeEvQWFQHTg7TFS+y7N4jX5GgBwYFK4EEACGhPAM6
AARiQFkwE3v4zIKHG6TzRraie3G00t6jD9EMi0yc0cC0zvgRxzGnOoLYQXoRsf/u
fbx2nzb8Lb355Q==
-----END EC PRIVATE KEY-----)";

constexpr char kX25519Pem[] = R"(-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VuBCIEIFDck43v3yGFcIeV9uZuq5XWNcOaWNm3Gi3XpNf0jg1y
-----END PRIVATE KEY-----)";

constexpr char kEncryptedP384Pem[] = R"(-----BEGIN ENCRYPTED PRIVATE KEY-----
MIIBHDBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQIpIebgqX/bbECAggA
MAwGCCqGSIb3DQIJBQAwHQYJYIZIAWUDBAEqBBDXoNuxrGbMix+/qSIJ24RMBIHA
KhQ9KE3wA657/bpE8sQ5zFe1AtmXFPCiA+mrR6r6byhRHmw0sSe0hXtk9dNv39ch
XgbY8Blg1oXEtlQ0nLZl3+z2K8gg8e8H4E4gWsGfOtGgNZawQk6XUvRmVdRZBN5Y
IOXqD06LFcuUsCKGhd0qASdk3VWmaL2hS0RUtfmtmmI0ecWKVW9tPghCn+wH1Zms
znhVf+Ru4M0y/k7o9DTchVUCK1WHT8cASMDt0xgynWkW4tN45eIj6+JpwgDowkQF
-----END ENCRYPTED PRIVATE KEY-----)";

constexpr char kRsaPemSpkiHex[] =
    "30820122300d06092a864886f70d01010105000382010f003082010a0282010100c4808c2e6412c93ad0b7f2"
    "05047aa5656b58f03202709cdaed2171bb368d2e78bc2840206945a431ff5de3a22979ce59719acc8580a6d2"
    "e7360b6f4903bfb0fc4c7ef867260412e1792c709999ae0291c998668086b1450ccb93235c40bc951e7aa1c7"
    "a519d13cc3ea0bc02d6bb9db30e92b81eff96e10770e8d9e9dce2fc9b69debd63bb8592ca729b0c505da63df"
    "ab1f0fbed7d87373eae180beb4bdb1ec05d63ac598b694f8482bf078cedf0aa6bec04d581c6a77d1e6bf6e93"
    "53356f8ad4377ef079474a711551108a6a0efa90e855beaffc86c97afa5062b76a7472ce8195be171a95fc67"
    "e8cf9684f4268a74c0c2378c0b25d2ad227d26d4a6115cbe630203010001";

constexpr char kEcPemSpkiHex[] =
    "3059301306072a8648ce3d020106082a8648ce3d0301070342000490df4e50076944a8f448958827b2477cdf"
    "7bd7a37376fe7e51d3eb0e238df7f5d58ff8cc0ceca7afee5934795f6ec26c794a4ccd9da081fe597cea0e8e"
    "a1b4a5";

constexpr char kEd25519PemSpkiHex[] =
    "302a300506032b65700321001f4519912f76ca800cf10954d3457522624e1d1e86bf1fd331bb82d99ec0fe3a";

// ---- Names and tables -----------------------------------------------------------------------

TEST_CASE("asymmetric enum names round trip", "[asymmetric]") {
  for (AsymmetricKeySpec spec : kAllSpecs) {
    CHECK(ParseAsymmetricKeySpec(Name(spec)) == spec);
  }
  CHECK(Name(AsymmetricKeySpec::kEccSecgP256k1) == "ECC_SECG_P256K1");
  CHECK(Name(AsymmetricKeySpec::kEccNistEdwards25519) == "ECC_NIST_EDWARDS25519");
  for (const char* name : {"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
                           "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384",
                           "RSASSA_PKCS1_V1_5_SHA_512", "ECDSA_SHA_256", "ECDSA_SHA_384",
                           "ECDSA_SHA_512", "ED25519_SHA_512", "ED25519_PH_SHA_512"}) {
    std::optional<SigningAlgorithm> alg = ParseSigningAlgorithm(name);
    REQUIRE(alg.has_value());
    CHECK(Name(*alg) == name);
  }
  CHECK(ParseMessageType("RAW") == MessageType::kRaw);
  CHECK(ParseMessageType("DIGEST") == MessageType::kDigest);
  CHECK(Name(MessageType::kDigest) == "DIGEST");
  CHECK(ParseEncryptionAlgorithm("RSAES_OAEP_SHA_1") == EncryptionAlgorithm::kRsaesOaepSha1);
  CHECK(Name(EncryptionAlgorithm::kRsaesOaepSha256) == "RSAES_OAEP_SHA_256");
  // Exact names only.
  CHECK_FALSE(ParseAsymmetricKeySpec("rsa_2048").has_value());
  CHECK_FALSE(ParseAsymmetricKeySpec("SYMMETRIC_DEFAULT").has_value());
  CHECK_FALSE(ParseSigningAlgorithm("ECDSA_SHA_256 ").has_value());
  CHECK_FALSE(ParseMessageType("EXTERNAL_MU").has_value());
  CHECK_FALSE(ParseEncryptionAlgorithm("SYMMETRIC_DEFAULT").has_value());
}

TEST_CASE("algorithm tables follow the KMS key spec table", "[asymmetric]") {
  using S = SigningAlgorithm;
  const std::vector<S> rsa = {S::kRsassaPssSha256,      S::kRsassaPssSha384,
                              S::kRsassaPssSha512,      S::kRsassaPkcs1V15Sha256,
                              S::kRsassaPkcs1V15Sha384, S::kRsassaPkcs1V15Sha512};
  CHECK(SigningAlgorithmsFor(AsymmetricKeySpec::kRsa3072) == rsa);
  CHECK(SigningAlgorithmsFor(AsymmetricKeySpec::kEccNistP256) == std::vector<S>{S::kEcdsaSha256});
  CHECK(SigningAlgorithmsFor(AsymmetricKeySpec::kEccNistP384) == std::vector<S>{S::kEcdsaSha384});
  CHECK(SigningAlgorithmsFor(AsymmetricKeySpec::kEccNistP521) == std::vector<S>{S::kEcdsaSha512});
  CHECK(SigningAlgorithmsFor(AsymmetricKeySpec::kEccSecgP256k1) == std::vector<S>{S::kEcdsaSha256});
  CHECK(SigningAlgorithmsFor(AsymmetricKeySpec::kEccNistEdwards25519) ==
        std::vector<S>{S::kEd25519Sha512, S::kEd25519PhSha512});

  for (AsymmetricKeySpec spec : kAllSpecs) {
    INFO(Name(spec));
    CHECK(IsRsa(spec) == (EncryptionAlgorithmsFor(spec).size() == 2));
    CHECK(SupportsKeyAgreement(spec) ==
          (spec == AsymmetricKeySpec::kEccNistP256 || spec == AsymmetricKeySpec::kEccNistP384 ||
           spec == AsymmetricKeySpec::kEccNistP521));
  }
  CHECK(DigestSize(S::kRsassaPssSha256) == 32);
  CHECK(DigestSize(S::kEcdsaSha384) == 48);
  CHECK(DigestSize(S::kRsassaPkcs1V15Sha512) == 64);
  CHECK(DigestSize(S::kEd25519PhSha512) == 64);

  struct Limit {
    AsymmetricKeySpec spec;
    size_t modulus, sha1, sha256;
  };
  for (const Limit& l : {Limit{AsymmetricKeySpec::kRsa2048, 256, 214, 190},
                         Limit{AsymmetricKeySpec::kRsa3072, 384, 342, 318},
                         Limit{AsymmetricKeySpec::kRsa4096, 512, 470, 446}}) {
    CHECK(RsaModulusSize(l.spec) == l.modulus);
    CHECK(MaxPlaintextSize(l.spec, EncryptionAlgorithm::kRsaesOaepSha1) == l.sha1);
    CHECK(MaxPlaintextSize(l.spec, EncryptionAlgorithm::kRsaesOaepSha256) == l.sha256);
  }
  CHECK(MaxPlaintextSize(AsymmetricKeySpec::kEccNistP256, EncryptionAlgorithm::kRsaesOaepSha1) ==
        0);
  CHECK(RsaModulusSize(AsymmetricKeySpec::kEccNistEdwards25519) == 0);
}

// ---- Keys -----------------------------------------------------------------------------------

TEST_CASE("every key spec generates, detects its spec and exports a stable public key",
          "[asymmetric]") {
  for (AsymmetricKeySpec spec : kAllSpecs) {
    INFO(Name(spec));
    const SecretBytes& pkcs8 = TestKeyPair(spec);
    REQUIRE(pkcs8.size() > 32);
    CHECK(pkcs8.data()[0] == 0x30);  // DER SEQUENCE
    CHECK(DetectKeySpec(pkcs8).value() == spec);

    Result<std::string> spki = PublicKeyDer(pkcs8);
    REQUIRE(spki.ok());
    CHECK(PublicKeyDer(pkcs8).value() == *spki);
    const PrivateKey& key = TestPrivateKey(spec);
    CHECK(key.spec() == spec);
    CHECK(key.PublicKeyDer() == *spki);
    CHECK(key.public_key().der() == *spki);
    Result<PublicKey> public_key = PublicKey::FromDer(*spki);
    REQUIRE(public_key.ok());
    CHECK(public_key->spec() == spec);

    // PKCS#8 is our canonical form: re-parsing it as "PEM or DER" changes nothing.
    CHECK(PrivateKeyFromPem(pkcs8.view()).value().Reveal() == pkcs8.Reveal());
  }
  // Fresh keys differ.
  CHECK(GenerateKeyPair(AsymmetricKeySpec::kEccNistP256).value().Reveal() !=
        GenerateKeyPair(AsymmetricKeySpec::kEccNistP256).value().Reveal());
}

TEST_CASE("PEM private keys are imported as PKCS#8", "[asymmetric]") {
  struct Case {
    const char* pem;
    AsymmetricKeySpec spec;
    const char* spki_hex;  // from `openssl pkey -pubout -outform DER`
  };
  for (const Case& c :
       {Case{kRsaPkcs1Pem, AsymmetricKeySpec::kRsa2048, kRsaPemSpkiHex},
        Case{kEcSec1Pem, AsymmetricKeySpec::kEccNistP256, kEcPemSpkiHex},
        Case{kEd25519Pkcs8Pem, AsymmetricKeySpec::kEccNistEdwards25519, kEd25519PemSpkiHex}}) {
    INFO(Name(c.spec));
    Result<SecretBytes> pkcs8 = PrivateKeyFromPem(c.pem);
    REQUIRE(pkcs8.ok());
    CHECK(DetectKeySpec(*pkcs8).value() == c.spec);
    CHECK(Hex(PublicKeyDer(*pkcs8).value()) == c.spki_hex);
    // Idempotent: the PKCS#8 output parses to itself.
    CHECK(PrivateKeyFromPem(pkcs8->view()).value().Reveal() == pkcs8->Reveal());
    // And the key works.
    Result<PrivateKey> key = PrivateKey::FromPkcs8(*pkcs8);
    REQUIRE(key.ok());
    const SigningAlgorithm alg = SigningAlgorithmsFor(c.spec).front();
    const std::string signature = key->Sign(alg, MessageType::kRaw, "seeded").value();
    CHECK(PublicKey::FromDer(Unhex(c.spki_hex))
              .value()
              .Verify(alg, MessageType::kRaw, "seeded", signature)
              .value());
  }
  // PEM embedded in other text (e.g. a seed file) is found.
  CHECK(PrivateKeyFromPem(std::string("# seed key\n") + kEcSec1Pem + "\n").ok());
}

TEST_CASE("malformed, encrypted and unsupported private keys are rejected", "[asymmetric]") {
  auto rejected = [](std::string_view input) {
    Result<SecretBytes> r = PrivateKeyFromPem(input);
    return !r.ok() && r.status().code() == StatusCode::kInvalidArgument;
  };
  CHECK(rejected(""));
  CHECK(rejected("not a key"));
  CHECK(rejected("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
  CHECK(rejected(kEncryptedP384Pem));  // no pass phrase prompt, just a failure
  CHECK(rejected(kP224Pem));           // curve KMS does not offer
  CHECK(rejected(kX25519Pem));         // key agreement only, not a KMS key spec
  CHECK(rejected(std::string(kEcSec1Pem).substr(0, 100)));

  const SecretBytes& pkcs8 = TestKeyPair(AsymmetricKeySpec::kEccNistP256);
  SecretBytes trailing(pkcs8.Reveal() + std::string(1, '\0'));
  SecretBytes truncated(pkcs8.data(), pkcs8.size() - 1);
  for (const SecretBytes* bad : {&trailing, &truncated}) {
    CHECK(DetectKeySpec(*bad).status().code() == StatusCode::kInvalidArgument);
    CHECK(PublicKeyDer(*bad).status().code() == StatusCode::kInvalidArgument);
    CHECK(PrivateKey::FromPkcs8(*bad).status().code() == StatusCode::kInvalidArgument);
  }
  CHECK(DetectKeySpec(SecretBytes()).status().code() == StatusCode::kInvalidArgument);
  // A public key is not a private key, and vice versa.
  const std::string spki = PublicKeyDer(pkcs8).value();
  CHECK(DetectKeySpec(SecretBytes(spki)).status().code() == StatusCode::kInvalidArgument);
  CHECK(PublicKey::FromDer(pkcs8.view()).status().code() == StatusCode::kInvalidArgument);
  CHECK(PublicKey::FromDer(spki + "x").status().code() == StatusCode::kInvalidArgument);
  CHECK(PublicKey::FromDer("").status().code() == StatusCode::kInvalidArgument);
}

// ---- Signing --------------------------------------------------------------------------------

TEST_CASE("sign and verify every allowed algorithm in RAW and DIGEST mode", "[asymmetric]") {
  const std::string message("message to sign \x00\x01\xff", 19);
  for (AsymmetricKeySpec spec : kAllSpecs) {
    const PrivateKey& key = TestPrivateKey(spec);
    const PublicKey public_key = PublicKey::FromDer(key.PublicKeyDer()).value();
    std::optional<PrivateKey> other;  // generating RSA keys is slow: two specs suffice
    if (spec == AsymmetricKeySpec::kEccNistP256 || spec == AsymmetricKeySpec::kRsa2048) {
      other = PrivateKey::FromPkcs8(GenerateKeyPair(spec).value()).value();
    }
    for (SigningAlgorithm alg : SigningAlgorithmsFor(spec)) {
      if (alg == SigningAlgorithm::kEd25519PhSha512) continue;  // unsupported, see below
      for (MessageType type : {MessageType::kRaw, MessageType::kDigest}) {
        if (alg == SigningAlgorithm::kEd25519Sha512 && type == MessageType::kDigest) continue;
        INFO(Name(spec) << " " << Name(alg) << " " << Name(type));
        const std::string input =
            type == MessageType::kRaw ? message : std::string(DigestSize(alg), '\x5a');
        Result<std::string> signature = key.Sign(alg, type, input);
        REQUIRE(signature.ok());
        if (IsRsa(spec)) CHECK(signature->size() == RsaModulusSize(spec));
        if (alg == SigningAlgorithm::kEd25519Sha512) CHECK(signature->size() == 64);
        if (spec != AsymmetricKeySpec::kEccNistEdwards25519 && !IsRsa(spec)) {
          CHECK(signature->front() == '\x30');  // DER Ecdsa-Sig-Value
        }

        CHECK(public_key.Verify(alg, type, input, *signature).value());
        CHECK(key.Verify(alg, type, input, *signature).value());
        // Tampering with the message or the signature gives false, not an error.
        CHECK_FALSE(public_key.Verify(alg, type, Flip(input, 0), *signature).value());
        CHECK_FALSE(public_key.Verify(alg, type, input, Flip(*signature, 7)).value());
        CHECK_FALSE(
            public_key.Verify(alg, type, input, Flip(*signature, signature->size() - 1)).value());
        CHECK_FALSE(public_key.Verify(alg, type, input, signature->substr(0, signature->size() - 1))
                        .value());
        CHECK_FALSE(public_key.Verify(alg, type, input, *signature + std::string(1, '\0')).value());
        CHECK_FALSE(public_key.Verify(alg, type, input, "").value());
        // A signature by another key of the same spec does not verify.
        if (other) {
          CHECK_FALSE(
              public_key.Verify(alg, type, input, other->Sign(alg, type, input).value()).value());
        }
      }
    }
  }
}

TEST_CASE("RAW signs the hash of the message, DIGEST signs the given hash", "[asymmetric]") {
  const std::string message = "hash me";
  const std::string digest = Sha256(message);
  for (auto [spec, alg] :
       {std::pair{AsymmetricKeySpec::kRsa2048, SigningAlgorithm::kRsassaPssSha256},
        std::pair{AsymmetricKeySpec::kRsa2048, SigningAlgorithm::kRsassaPkcs1V15Sha256},
        std::pair{AsymmetricKeySpec::kEccNistP256, SigningAlgorithm::kEcdsaSha256},
        std::pair{AsymmetricKeySpec::kEccSecgP256k1, SigningAlgorithm::kEcdsaSha256}}) {
    INFO(Name(spec) << " " << Name(alg));
    const PrivateKey& key = TestPrivateKey(spec);
    const std::string raw = key.Sign(alg, MessageType::kRaw, message).value();
    const std::string pre = key.Sign(alg, MessageType::kDigest, digest).value();
    CHECK(key.Verify(alg, MessageType::kDigest, digest, raw).value());
    CHECK(key.Verify(alg, MessageType::kRaw, message, pre).value());
    // The message itself, taken as a digest, is something else.
    CHECK_FALSE(key.Verify(alg, MessageType::kDigest, Sha256(digest), raw).value());
  }
  // PKCS#1 v1.5 and Ed25519 are deterministic; PSS and (OpenSSL's) ECDSA are randomised.
  const PrivateKey& rsa = TestPrivateKey(AsymmetricKeySpec::kRsa2048);
  CHECK(rsa.Sign(SigningAlgorithm::kRsassaPkcs1V15Sha256, MessageType::kRaw, message).value() ==
        rsa.Sign(SigningAlgorithm::kRsassaPkcs1V15Sha256, MessageType::kRaw, message).value());
  CHECK(rsa.Sign(SigningAlgorithm::kRsassaPssSha256, MessageType::kRaw, message).value() !=
        rsa.Sign(SigningAlgorithm::kRsassaPssSha256, MessageType::kRaw, message).value());
  const PrivateKey& ed = TestPrivateKey(AsymmetricKeySpec::kEccNistEdwards25519);
  CHECK(ed.Sign(SigningAlgorithm::kEd25519Sha512, MessageType::kRaw, message).value() ==
        ed.Sign(SigningAlgorithm::kEd25519Sha512, MessageType::kRaw, message).value());
}

TEST_CASE("signing misuse is InvalidArgument", "[asymmetric]") {
  const PrivateKey& rsa = TestPrivateKey(AsymmetricKeySpec::kRsa2048);
  const PrivateKey& p256 = TestPrivateKey(AsymmetricKeySpec::kEccNistP256);
  const PrivateKey& ed = TestPrivateKey(AsymmetricKeySpec::kEccNistEdwards25519);
  auto invalid = [](const Status& s) { return s.code() == StatusCode::kInvalidArgument; };
  const std::string digest32(32, 'd');

  // Algorithm not valid for the key spec.
  CHECK(invalid(rsa.Sign(SigningAlgorithm::kEcdsaSha256, MessageType::kRaw, "m").status()));
  CHECK(invalid(p256.Sign(SigningAlgorithm::kEcdsaSha384, MessageType::kRaw, "m").status()));
  CHECK(invalid(p256.Sign(SigningAlgorithm::kRsassaPssSha256, MessageType::kRaw, "m").status()));
  CHECK(invalid(ed.Sign(SigningAlgorithm::kEcdsaSha256, MessageType::kRaw, "m").status()));
  CHECK(invalid(
      p256.Verify(SigningAlgorithm::kEd25519Sha512, MessageType::kRaw, "m", "sig").status()));
  // DIGEST of the wrong length, both ways.
  for (size_t size : {0, 20, 31, 33, 48, 64}) {
    INFO(size);
    const std::string digest(size, 'd');
    CHECK(
        invalid(p256.Sign(SigningAlgorithm::kEcdsaSha256, MessageType::kDigest, digest).status()));
    CHECK(invalid(
        rsa.Sign(SigningAlgorithm::kRsassaPssSha256, MessageType::kDigest, digest).status()));
    CHECK(invalid(p256.public_key()
                      .Verify(SigningAlgorithm::kEcdsaSha256, MessageType::kDigest, digest, "s")
                      .status()));
  }
  CHECK(invalid(
      rsa.Sign(SigningAlgorithm::kRsassaPssSha512, MessageType::kDigest, digest32).status()));
  // Pure Ed25519 signs messages, not digests.
  CHECK(
      invalid(ed.Sign(SigningAlgorithm::kEd25519Sha512, MessageType::kDigest, std::string(64, 'd'))
                  .status()));
  CHECK(invalid(ed.Sign(SigningAlgorithm::kEd25519PhSha512, MessageType::kRaw, "m").status()));
  // Empty messages are the caller's to reject; they sign fine.
  CHECK(p256.Sign(SigningAlgorithm::kEcdsaSha256, MessageType::kRaw, std::string_view()).ok());
  CHECK(ed.Sign(SigningAlgorithm::kEd25519Sha512, MessageType::kRaw, std::string_view()).ok());
}

TEST_CASE("Ed25519ph (ED25519_PH_SHA_512) is Unimplemented on OpenSSL 3.0", "[asymmetric]") {
  const PrivateKey& ed = TestPrivateKey(AsymmetricKeySpec::kEccNistEdwards25519);
  const std::string digest(64, 'd');
  Result<std::string> signature =
      ed.Sign(SigningAlgorithm::kEd25519PhSha512, MessageType::kDigest, digest);
  CHECK(signature.status().code() == StatusCode::kUnimplemented);
  CHECK(ed.Verify(SigningAlgorithm::kEd25519PhSha512, MessageType::kDigest, digest,
                  std::string(64, 's'))
            .status()
            .code() == StatusCode::kUnimplemented);
}

// ---- RSA encryption -------------------------------------------------------------------------

TEST_CASE("RSA OAEP round trips up to the KMS plaintext limits", "[asymmetric]") {
  for (AsymmetricKeySpec spec : kRsaSpecs) {
    const PrivateKey& key = TestPrivateKey(spec);
    for (EncryptionAlgorithm alg : kEncryptionAlgorithms) {
      INFO(Name(spec) << " " << Name(alg));
      const size_t max = MaxPlaintextSize(spec, alg);
      for (size_t size : {size_t{0}, size_t{1}, size_t{32}, max}) {
        const std::string plaintext(size, static_cast<char>('a' + size % 26));
        Result<std::string> ciphertext = key.public_key().Encrypt(alg, plaintext);
        REQUIRE(ciphertext.ok());
        CHECK(ciphertext->size() == RsaModulusSize(spec));
        CHECK(key.Decrypt(alg, *ciphertext).value().Reveal() == plaintext);
      }
      Result<std::string> too_big = key.public_key().Encrypt(alg, std::string(max + 1, 'x'));
      CHECK(too_big.status().code() == StatusCode::kInvalidArgument);
      // Randomised.
      CHECK(key.public_key().Encrypt(alg, "same").value() !=
            key.public_key().Encrypt(alg, "same").value());
    }
  }
}

TEST_CASE("RSA decryption failures are Integrity errors", "[asymmetric]") {
  const PrivateKey& key = TestPrivateKey(AsymmetricKeySpec::kRsa2048);
  const PrivateKey other =
      PrivateKey::FromPkcs8(GenerateKeyPair(AsymmetricKeySpec::kRsa2048).value()).value();
  const std::string ciphertext =
      key.public_key().Encrypt(EncryptionAlgorithm::kRsaesOaepSha256, "secret").value();
  auto integrity = [](const Result<SecretBytes>& r) {
    return r.status().code() == StatusCode::kIntegrity;
  };
  CHECK(integrity(key.Decrypt(EncryptionAlgorithm::kRsaesOaepSha1, ciphertext)));
  CHECK(integrity(other.Decrypt(EncryptionAlgorithm::kRsaesOaepSha256, ciphertext)));
  CHECK(integrity(key.Decrypt(EncryptionAlgorithm::kRsaesOaepSha256, Flip(ciphertext, 100))));
  CHECK(integrity(key.Decrypt(EncryptionAlgorithm::kRsaesOaepSha256, ciphertext.substr(1))));
  CHECK(integrity(key.Decrypt(EncryptionAlgorithm::kRsaesOaepSha256, ciphertext + "x")));
  CHECK(integrity(key.Decrypt(EncryptionAlgorithm::kRsaesOaepSha256, "")));
  CHECK(integrity(key.Decrypt(EncryptionAlgorithm::kRsaesOaepSha256, std::string(256, '\xff'))));
  CHECK(key.Decrypt(EncryptionAlgorithm::kRsaesOaepSha256, ciphertext).value().Reveal() ==
        "secret");

  // Encryption is for RSA keys only.
  const PrivateKey& p256 = TestPrivateKey(AsymmetricKeySpec::kEccNistP256);
  CHECK(p256.public_key().Encrypt(EncryptionAlgorithm::kRsaesOaepSha256, "x").status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(p256.Decrypt(EncryptionAlgorithm::kRsaesOaepSha256, ciphertext).status().code() ==
        StatusCode::kInvalidArgument);
}

// ---- ECDH -----------------------------------------------------------------------------------

TEST_CASE("ECDH derives the same secret both ways", "[asymmetric]") {
  struct Case {
    AsymmetricKeySpec spec;
    size_t secret_size;
  };
  for (const Case& c :
       {Case{AsymmetricKeySpec::kEccNistP256, 32}, Case{AsymmetricKeySpec::kEccNistP384, 48},
        Case{AsymmetricKeySpec::kEccNistP521, 66}}) {
    INFO(Name(c.spec));
    const PrivateKey& alice = TestPrivateKey(c.spec);
    const PrivateKey bob = PrivateKey::FromPkcs8(GenerateKeyPair(c.spec).value()).value();
    Result<SecretBytes> ab = alice.DeriveSharedSecret(bob.PublicKeyDer());
    Result<SecretBytes> ba = bob.DeriveSharedSecret(alice.PublicKeyDer());
    REQUIRE(ab.ok());
    REQUIRE(ba.ok());
    CHECK(ab->size() == c.secret_size);
    CHECK(ab->Reveal() == ba->Reveal());
    const PrivateKey carol = PrivateKey::FromPkcs8(GenerateKeyPair(c.spec).value()).value();
    CHECK(alice.DeriveSharedSecret(carol.PublicKeyDer()).value().Reveal() != ab->Reveal());
  }
}

TEST_CASE("ECDH rejects mismatched curves, bad peers and non-agreement keys", "[asymmetric]") {
  const PrivateKey& p256 = TestPrivateKey(AsymmetricKeySpec::kEccNistP256);
  auto invalid = [](const Result<SecretBytes>& r) {
    return r.status().code() == StatusCode::kInvalidArgument;
  };
  CHECK(invalid(
      p256.DeriveSharedSecret(TestPrivateKey(AsymmetricKeySpec::kEccNistP384).PublicKeyDer())));
  CHECK(invalid(
      p256.DeriveSharedSecret(TestPrivateKey(AsymmetricKeySpec::kEccSecgP256k1).PublicKeyDer())));
  CHECK(
      invalid(p256.DeriveSharedSecret(TestPrivateKey(AsymmetricKeySpec::kRsa2048).PublicKeyDer())));
  CHECK(invalid(p256.DeriveSharedSecret(
      TestPrivateKey(AsymmetricKeySpec::kEccNistEdwards25519).PublicKeyDer())));
  CHECK(invalid(p256.DeriveSharedSecret("")));
  CHECK(invalid(p256.DeriveSharedSecret("garbage")));
  // A P-256 SubjectPublicKeyInfo whose point is not on the curve.
  std::string off_curve = p256.PublicKeyDer();
  off_curve.back() = static_cast<char>(off_curve.back() ^ 0x01);
  CHECK(invalid(p256.DeriveSharedSecret(off_curve)));
  // Only the KEY_AGREEMENT specs derive.
  for (AsymmetricKeySpec spec :
       {AsymmetricKeySpec::kEccSecgP256k1, AsymmetricKeySpec::kEccNistEdwards25519,
        AsymmetricKeySpec::kRsa2048}) {
    INFO(Name(spec));
    CHECK(invalid(TestPrivateKey(spec).DeriveSharedSecret(TestPrivateKey(spec).PublicKeyDer())));
  }
}

// ---- Concurrency ----------------------------------------------------------------------------

TEST_CASE("one PrivateKey may be used by several threads at once", "[asymmetric]") {
  const PrivateKey& rsa = TestPrivateKey(AsymmetricKeySpec::kRsa2048);
  const PrivateKey& p256 = TestPrivateKey(AsymmetricKeySpec::kEccNistP256);
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const std::string message = "thread " + std::to_string(t) + " " + std::to_string(i);
        auto sig = p256.Sign(SigningAlgorithm::kEcdsaSha256, MessageType::kRaw, message);
        auto ok = sig.ok() &&
                  p256.public_key()
                      .Verify(SigningAlgorithm::kEcdsaSha256, MessageType::kRaw, message, *sig)
                      .value();
        auto ct = rsa.public_key().Encrypt(EncryptionAlgorithm::kRsaesOaepSha256, message);
        ok = ok && ct.ok() &&
             rsa.Decrypt(EncryptionAlgorithm::kRsaesOaepSha256, *ct).value().Reveal() == message;
        if (!ok) ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(failures == std::vector<int>(4, 0));
}

// ---- Independent implementation -------------------------------------------------------------

TEST_CASE("our signatures verify with an independent implementation", "[asymmetric][interop]") {
  if (!PythonAvailable()) return;
  struct Case {
    AsymmetricKeySpec spec;
    SigningAlgorithm alg;
    MessageType type;
  };
  using A = AsymmetricKeySpec;
  using S = SigningAlgorithm;
  using M = MessageType;
  const std::vector<Case> cases = {
      Case{A::kRsa2048, S::kRsassaPssSha256, M::kRaw},
      Case{A::kRsa3072, S::kRsassaPssSha384, M::kDigest},
      Case{A::kRsa4096, S::kRsassaPssSha512, M::kRaw},
      Case{A::kRsa2048, S::kRsassaPkcs1V15Sha256, M::kRaw},
      Case{A::kRsa3072, S::kRsassaPkcs1V15Sha512, M::kDigest},
      Case{A::kEccNistP256, S::kEcdsaSha256, M::kRaw},
      Case{A::kEccNistP256, S::kEcdsaSha256, M::kDigest},
      Case{A::kEccNistP384, S::kEcdsaSha384, M::kDigest},
      Case{A::kEccNistP521, S::kEcdsaSha512, M::kRaw},
      Case{A::kEccSecgP256k1, S::kEcdsaSha256, M::kRaw},
      Case{A::kEccNistEdwards25519, S::kEd25519Sha512, M::kRaw},
  };
  // For each case: the signature, then the signature with one bit flipped.
  std::vector<std::vector<std::string>> commands;
  for (const Case& c : cases) {
    const PrivateKey& key = TestPrivateKey(c.spec);
    const std::string input =
        c.type == M::kRaw ? "interop message" : std::string(DigestSize(c.alg), '\x42');
    const std::string signature = key.Sign(c.alg, c.type, input).value();
    for (const std::string& s : {signature, Flip(signature, signature.size() / 2)}) {
      commands.push_back({"verify", Hex(key.PublicKeyDer()), std::string(Name(c.alg)),
                          std::string(Name(c.type)), Hex(input), Hex(s)});
    }
  }
  const std::vector<std::string> results = RunPython(commands);
  for (size_t i = 0; i < cases.size(); ++i) {
    INFO(Name(cases[i].spec) << " " << Name(cases[i].alg) << " " << Name(cases[i].type));
    CHECK(results[2 * i] == "valid");
    CHECK(results[2 * i + 1] == "invalid");
  }
}

TEST_CASE("independent signatures verify here", "[asymmetric][interop]") {
  if (!PythonAvailable()) return;
  using A = AsymmetricKeySpec;
  using S = SigningAlgorithm;
  const std::vector<std::pair<A, S>> cases = {{A::kRsa2048, S::kRsassaPssSha256},
                                              {A::kRsa2048, S::kRsassaPkcs1V15Sha384},
                                              {A::kEccNistP256, S::kEcdsaSha256},
                                              {A::kEccNistEdwards25519, S::kEd25519Sha512}};
  const std::string message = "signed elsewhere";
  std::vector<std::vector<std::string>> commands;
  for (auto [spec, alg] : cases) {
    commands.push_back(
        {"sign", Hex(TestKeyPair(spec).view()), std::string(Name(alg)), "RAW", Hex(message)});
  }
  const std::vector<std::string> signatures = RunPython(commands);
  for (size_t i = 0; i < cases.size(); ++i) {
    auto [spec, alg] = cases[i];
    INFO(Name(spec) << " " << Name(alg) << ": " << signatures[i]);
    std::optional<std::string> signature = FromHex(signatures[i]);
    REQUIRE(signature.has_value());
    CHECK(TestPrivateKey(spec).Verify(alg, MessageType::kRaw, message, *signature).value());
  }
}

TEST_CASE("RSA OAEP and ECDH agree with an independent implementation", "[asymmetric][interop]") {
  if (!PythonAvailable()) return;
  const PrivateKey& rsa = TestPrivateKey(AsymmetricKeySpec::kRsa3072);
  const std::string plaintext = "oaep interop";
  const PrivateKey& alice = TestPrivateKey(AsymmetricKeySpec::kEccNistP384);
  const SecretBytes bob = GenerateKeyPair(AsymmetricKeySpec::kEccNistP384).value();

  std::vector<std::vector<std::string>> commands;
  for (EncryptionAlgorithm alg : kEncryptionAlgorithms) {
    commands.push_back({"decrypt", Hex(TestKeyPair(rsa.spec()).view()), std::string(Name(alg)),
                        Hex(rsa.public_key().Encrypt(alg, plaintext).value())});
    commands.push_back(
        {"encrypt", Hex(rsa.PublicKeyDer()), std::string(Name(alg)), Hex(plaintext)});
  }
  commands.push_back({"ecdh", Hex(bob.view()), Hex(alice.PublicKeyDer())});
  const std::vector<std::string> results = RunPython(commands);

  for (size_t i = 0; i < 2; ++i) {
    const EncryptionAlgorithm alg = kEncryptionAlgorithms[i];
    INFO(Name(alg) << ": " << results[2 * i] << " / " << results[2 * i + 1]);
    CHECK(FromHex(results[2 * i]) == plaintext);  // they decrypt ours
    std::optional<std::string> theirs = FromHex(results[2 * i + 1]);
    REQUIRE(theirs.has_value());
    CHECK(rsa.Decrypt(alg, *theirs).value().Reveal() == plaintext);  // we decrypt theirs
  }
  INFO(results[4]);
  CHECK(Hex(alice.DeriveSharedSecret(PublicKeyDer(bob).value()).value().view()) == results[4]);
}

// ---- HMAC -----------------------------------------------------------------------------------

TEST_CASE("HMAC matches RFC 4231 test case 1", "[asymmetric][hmac]") {
  const SecretBytes key(std::string(20, '\x0b'));
  const std::string data = "Hi There";
  struct Case {
    MacAlgorithm alg;
    const char* hex;
  };
  for (const Case& c : {
           Case{MacAlgorithm::kHmacSha224,
                "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22"},
           Case{MacAlgorithm::kHmacSha256,
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
           Case{MacAlgorithm::kHmacSha384,
                "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
                "faea9ea9076ede7f4af152e8b2fa9cb6"},
           Case{MacAlgorithm::kHmacSha512,
                "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
       }) {
    INFO(Name(c.alg));
    Result<std::string> mac = Mac(c.alg, key, data);
    REQUIRE(mac.ok());
    CHECK(Hex(*mac) == c.hex);
    CHECK(mac->size() == MacSize(c.alg));
    CHECK(VerifyMac(c.alg, key, data, *mac));
    CHECK_FALSE(VerifyMac(c.alg, key, data, Flip(*mac, 0)));
    CHECK_FALSE(VerifyMac(c.alg, key, data, mac->substr(1)));
    CHECK_FALSE(VerifyMac(c.alg, key, data, ""));
    CHECK_FALSE(VerifyMac(c.alg, key, "Hi there", *mac));
    CHECK_FALSE(VerifyMac(c.alg, SecretBytes(std::string(20, '\x0c')), data, *mac));
  }
}

TEST_CASE("HMAC key specs: names, sizes and generation", "[asymmetric][hmac]") {
  struct Case {
    HmacKeySpec spec;
    const char* spec_name;
    MacAlgorithm alg;
    const char* alg_name;
    size_t size;
  };
  SeededRandom random(uint64_t{42});
  for (const Case& c : {
           Case{HmacKeySpec::kHmac224, "HMAC_224", MacAlgorithm::kHmacSha224, "HMAC_SHA_224", 28},
           Case{HmacKeySpec::kHmac256, "HMAC_256", MacAlgorithm::kHmacSha256, "HMAC_SHA_256", 32},
           Case{HmacKeySpec::kHmac384, "HMAC_384", MacAlgorithm::kHmacSha384, "HMAC_SHA_384", 48},
           Case{HmacKeySpec::kHmac512, "HMAC_512", MacAlgorithm::kHmacSha512, "HMAC_SHA_512", 64},
       }) {
    INFO(c.spec_name);
    CHECK(Name(c.spec) == c.spec_name);
    CHECK(ParseHmacKeySpec(c.spec_name) == c.spec);
    CHECK(Name(c.alg) == c.alg_name);
    CHECK(ParseMacAlgorithm(c.alg_name) == c.alg);
    CHECK(MacAlgorithmFor(c.spec) == c.alg);
    CHECK(HmacKeySize(c.spec) == c.size);
    CHECK(MacSize(c.alg) == c.size);
    Result<SecretBytes> key = GenerateHmacKey(c.spec, random);
    REQUIRE(key.ok());
    CHECK(key->size() == c.size);
    CHECK(GenerateHmacKey(c.spec, random).value().Reveal() != key->Reveal());
    CHECK(VerifyMac(c.alg, *key, "m", Mac(c.alg, *key, "m").value()));
  }
  CHECK_FALSE(ParseHmacKeySpec("HMAC_SHA_256").has_value());
  CHECK_FALSE(ParseMacAlgorithm("HMAC_256").has_value());
  CHECK(Mac(MacAlgorithm::kHmacSha256, SecretBytes(), "m").status().code() ==
        StatusCode::kInvalidArgument);
  CHECK_FALSE(VerifyMac(MacAlgorithm::kHmacSha256, SecretBytes(), "m", std::string(32, 'x')));
  // Empty messages (a null string_view too) are fine.
  CHECK(Mac(MacAlgorithm::kHmacSha256, SecretBytes(std::string(32, 'k')), std::string_view()).ok());
  // Imported keys need not have the generated size.
  CHECK(Mac(MacAlgorithm::kHmacSha256, SecretBytes(std::string(100, 'k')), "m").ok());
}

}  // namespace
}  // namespace sealstack::crypto
