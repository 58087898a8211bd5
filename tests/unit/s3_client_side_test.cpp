// Client-side encryption layers recognised on write (api/s3/client_side.h): ESDK message
// headers built byte by byte from the message format reference, and S3 Encryption Client
// metadata.
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "api/s3/client_side.h"

using namespace sealstack::api::s3;

namespace {

using CseMetadata = std::vector<std::pair<std::string, std::string>>;

const std::string kCseKeyArn =
    "arn:aws:kms:us-east-1:000000000000:key/5eed0001-0000-4000-8000-000000000001";

std::string BigEndian16(size_t n) {
  return std::string{static_cast<char>((n >> 8) & 0xff), static_cast<char>(n & 0xff)};
}
std::string LengthPrefixed(const std::string& s) {
  return BigEndian16(s.size()) + s;
}

// An ESDK header: version 1 (type 0x80, 16-byte message id) or 2 (32-byte id).
std::string BuildEsdkHeader(int version, uint16_t suite, bool with_context, int kms_edks = 1) {
  std::string h(1, static_cast<char>(version));
  if (version == 1) h += '\x80';
  h += BigEndian16(suite);
  h += std::string(version == 1 ? 16 : 32, '\x42');
  if (with_context) {
    const std::string aad = BigEndian16(1) + LengthPrefixed("purpose") + LengthPrefixed("test");
    h += BigEndian16(aad.size()) + aad;
  } else {
    h += BigEndian16(0);
  }
  h += BigEndian16(kms_edks + 1);
  for (int i = 0; i < kms_edks; ++i)
    h += LengthPrefixed("aws-kms") + LengthPrefixed(kCseKeyArn) +
         LengthPrefixed(std::string(64, 'e'));
  h += LengthPrefixed("raw-aes") + LengthPrefixed("my-wrapping-key") +
       LengthPrefixed(std::string(32, 'k'));
  h += '\x02';  // framed content
  return h + std::string(40, '\0');
}

}  // namespace

TEST_CASE("ESDK headers of both message versions are recognised", "[s3][client_side]") {
  static const struct {
    int version;
    uint16_t suite;
    bool context;
    const char* name;
  } cases[] = {
      {2, 0x0578, true, "AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384"},
      {2, 0x0478, false, "AES_256_GCM_HKDF_SHA512_COMMIT_KEY"},
      {1, 0x0378, true, "AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384"},
      {1, 0x0178, false, "AES_256_GCM_IV12_TAG16_HKDF_SHA256"},
  };
  for (const auto& c : cases) {
    auto layer = ParseEsdkHeader(BuildEsdkHeader(c.version, c.suite, c.context));
    REQUIRE(layer);
    CHECK(layer->format == "aws-encryption-sdk");
    CHECK(layer->algorithm == c.name);
    CHECK(layer->message_version == c.version);
    CHECK(layer->kms_keys == std::vector<std::string>{kCseKeyArn});
    CHECK(layer->other_providers == std::vector<std::string>{"raw-aes"});
    CHECK(layer->context.size() == (c.context ? 1u : 0u));
  }
}

TEST_CASE("bodies that are not ESDK messages are not taken for one", "[s3][client_side]") {
  const std::string good = BuildEsdkHeader(2, 0x0578, true);
  CHECK_FALSE(ParseEsdkHeader(""));
  CHECK_FALSE(ParseEsdkHeader("plain text body"));
  CHECK_FALSE(ParseEsdkHeader(good.substr(0, 60)));  // cut short
  CHECK_FALSE(
      ParseEsdkHeader(BuildEsdkHeader(2, 0x0178, true)));  // v2 takes committing suites only
  CHECK_FALSE(ParseEsdkHeader(BuildEsdkHeader(1, 0x0578, true)));  // and v1 none of them
  CHECK_FALSE(ParseEsdkHeader(BuildEsdkHeader(1, 0x1234, true)));  // unknown suite
  std::string bad_type = BuildEsdkHeader(1, 0x0178, true);
  bad_type[1] = '\x81';
  CHECK_FALSE(ParseEsdkHeader(bad_type));
}

TEST_CASE("the prefix collector keeps a bounded start of ESDK-looking bodies only",
          "[s3][client_side]") {
  ClientSidePrefix plain;
  plain.Feed("hello");
  plain.Feed(std::string("\x02", 1));
  CHECK(plain.bytes().empty());

  ClientSidePrefix esdk;
  const std::string header = BuildEsdkHeader(2, 0x0578, true);
  esdk.Feed(header.substr(0, 10));
  esdk.Feed(header.substr(10));
  esdk.Feed(std::string(kClientSidePrefixBytes * 2, 'x'));
  CHECK(esdk.bytes().size() == kClientSidePrefixBytes);
  CHECK(ParseEsdkHeader(esdk.bytes()));
}

TEST_CASE("S3 Encryption Client metadata names its format, algorithms and KMS key",
          "[s3][client_side]") {
  const CseMetadata v2 = {
      {"x-amz-meta-x-amz-key-v2", "AAECAw=="},
      {"x-amz-meta-x-amz-wrap-alg", "kms+context"},
      {"x-amz-meta-x-amz-cek-alg", "AES/GCM/NoPadding"},
      {"x-amz-meta-x-amz-matdesc", R"({"aws:x-amz-cek-alg":"AES/GCM/NoPadding"})"},
      {"x-amz-meta-x-amz-iv", "AAAAAAAAAAAAAAAA"}};
  std::string seen_blob;
  auto layer = DetectClientSide(v2, "", [&](std::string_view blob) {
    seen_blob = std::string(blob);
    return kCseKeyArn;
  });
  CHECK(seen_blob == std::string("\x00\x01\x02\x03", 4));
  CHECK(layer.format == "s3-encryption-client-v2");
  CHECK(layer.algorithm == "AES/GCM/NoPadding");
  CHECK(layer.wrap_algorithm == "kms+context");
  CHECK(layer.kms_keys == std::vector<std::string>{kCseKeyArn});
  CHECK(layer.context.at("aws:x-amz-cek-alg") == "AES/GCM/NoPadding");

  // v1 with a KMS key names it in the matdesc; an unknown blob falls back to it.
  const CseMetadata v1 = {{"x-amz-meta-x-amz-key", "AAECAw=="},
                          {"x-amz-meta-x-amz-matdesc", R"({"kms_cmk_id":"alias/legacy"})"}};
  auto legacy = DetectClientSide(v1, "", [](std::string_view) { return std::string(); });
  CHECK(legacy.format == "s3-encryption-client-v1");
  CHECK(legacy.algorithm == "AES/CBC/PKCS5Padding");
  CHECK(legacy.wrap_algorithm == "kms");
  CHECK(legacy.kms_keys == std::vector<std::string>{"alias/legacy"});

  // AES key wrapping: no KMS key to check.
  const CseMetadata aes = {{"x-amz-meta-x-amz-key-v2", "AAECAw=="},
                           {"x-amz-meta-x-amz-wrap-alg", "AES/GCM"},
                           {"x-amz-meta-x-amz-cek-alg", "AES/GCM/NoPadding"}};
  auto local = DetectClientSide(aes, "", nullptr);
  CHECK(local.kms_keys.empty());
  CHECK(local.other_providers == std::vector<std::string>{"AES/GCM"});

  // Metadata wins over the body; nothing at all is an empty layer.
  CHECK(DetectClientSide(v2, BuildEsdkHeader(2, 0x0578, true), [](std::string_view) {
          return kCseKeyArn;
        }).format == "s3-encryption-client-v2");
  CHECK(DetectClientSide({{"x-amz-meta-colour", "blue"}}, "plain", nullptr).empty());
  CHECK(DetectClientSide({}, BuildEsdkHeader(2, 0x0578, true), nullptr).format ==
        "aws-encryption-sdk");
}
