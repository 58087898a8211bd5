#include <catch2/catch.hpp>

#include <string>

#include "crypto/digest.h"
#include "crypto/keywrap.h"
#include "crypto/random.h"

namespace sealstack::crypto {
namespace {

const SecretBytes kRootKey = SecretBytes(std::string(32, 'r'));

SecretBytes Material() {
  std::string s;
  for (int i = 0; i < 32; ++i) s.push_back(static_cast<char>(i));
  return SecretBytes(s);
}

// Golden: expected bytes from an independent Python implementation of docs/formats/wrapped-key.md.
TEST_CASE("wrapped key format golden bytes", "[crypto][keywrap]") {
  SeededRandom random(uint64_t{7});
  auto wrapped = WrapKey(kRootKey, "kms-key", Material(), random, "key-1");
  REQUIRE(wrapped.ok());
  CHECK(wrapped->size() == 32 + kWrappedKeyOverhead);
  CHECK(Hex(*wrapped) ==
        "01e2602f797fc1d3e63d10d3cd"
        "e9b389dcb85d88047608470a50ad136210a46d9bcc747c0271378758c31a9629"
        "ab89430e60b4ca0baa954de85f5aa4cc");
}

TEST_CASE("wrapped keys round trip for any material size", "[crypto][keywrap]") {
  SeededRandom random(uint64_t{1});
  auto wrapper = KeyWrapper::Create(kRootKey, random);
  REQUIRE(wrapper.ok());
  for (size_t size : {0, 1, 16, 32, 64, 512}) {
    INFO("material size " << size);
    const SecretBytes material = random.Secret(size).value();
    auto wrapped = (*wrapper)->Wrap("sse-s3-key", material, "acct-000000000000");
    REQUIRE(wrapped.ok());
    CHECK(wrapped->size() == size + kWrappedKeyOverhead);
    CHECK((*wrapped)[0] == '\x01');
    auto unwrapped = (*wrapper)->Unwrap("sse-s3-key", *wrapped, "acct-000000000000");
    REQUIRE(unwrapped.ok());
    CHECK(unwrapped->Reveal() == material.Reveal());
  }
  // Fresh nonce per wrap: the same material never wraps to the same bytes.
  CHECK((*wrapper)->Wrap("kms-key", Material()).value() !=
        (*wrapper)->Wrap("kms-key", Material()).value());
  // The one-shot unwrap agrees.
  auto wrapped = (*wrapper)->Wrap("kms-key", Material()).value();
  CHECK(UnwrapKey(kRootKey, "kms-key", wrapped).value().Reveal() == Material().Reveal());
}

TEST_CASE("a wrapped key opens only with its purpose, context and root key", "[crypto][keywrap]") {
  SeededRandom random(uint64_t{2});
  const std::string wrapped = WrapKey(kRootKey, "kms-key", Material(), random, "key-1").value();
  struct Case {
    const char* name;
    SecretBytes root;
    std::string purpose, context;
  };
  const Case cases[] = {
      {"other purpose", kRootKey, "sse-s3-key", "key-1"},
      {"purpose prefix", kRootKey, "kms-ke", "key-1"},
      {"purpose/context boundary moved", kRootKey, "kms-keyk", "ey-1"},
      {"other context", kRootKey, "kms-key", "key-2"},
      {"no context", kRootKey, "kms-key", ""},
      {"other root key", SecretBytes(std::string(32, 'R')), "kms-key", "key-1"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    auto unwrapped = UnwrapKey(c.root, c.purpose, wrapped, c.context);
    REQUIRE_FALSE(unwrapped.ok());
    CHECK(unwrapped.status().code() == StatusCode::kIntegrity);
  }
  CHECK(UnwrapKey(kRootKey, "kms-key", wrapped, "key-1").ok());
}

TEST_CASE("corrupted or truncated wrapped keys are rejected", "[crypto][keywrap]") {
  SeededRandom random(uint64_t{3});
  const std::string wrapped = WrapKey(kRootKey, "kms-key", Material(), random).value();
  for (size_t i = 0; i < wrapped.size(); ++i) {
    INFO("bit flipped in byte " << i);
    std::string bad = wrapped;
    bad[i] ^= 0x01;
    CHECK(UnwrapKey(kRootKey, "kms-key", bad).status().code() == StatusCode::kIntegrity);
  }
  for (size_t n : {size_t{0}, size_t{1}, kWrappedKeyOverhead - 1, wrapped.size() - 1}) {
    INFO("truncated to " << n);
    CHECK(UnwrapKey(kRootKey, "kms-key", wrapped.substr(0, n)).status().code() ==
          StatusCode::kIntegrity);
  }
  CHECK(UnwrapKey(kRootKey, "kms-key", wrapped + "x").status().code() == StatusCode::kIntegrity);
}

TEST_CASE("key wrapping rejects bad parameters", "[crypto][keywrap]") {
  SeededRandom random(uint64_t{4});
  CHECK(KeyWrapper::Create(SecretBytes(16), random).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(WrapKey(kRootKey, "", Material(), random).status().code() == StatusCode::kInvalidArgument);
  CHECK(WrapKey(kRootKey, std::string(256, 'p'), Material(), random).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(WrapKey(kRootKey, std::string(255, 'p'), Material(), random).ok());
  CHECK(UnwrapKey(kRootKey, "", std::string(60, 'x')).status().code() ==
        StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sealstack::crypto
