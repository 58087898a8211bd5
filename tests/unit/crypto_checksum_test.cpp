#include <catch2/catch.hpp>

#include <string>

#include "crypto/checksum.h"
#include "crypto/digest.h"

using namespace sealstack::crypto;

namespace {

const std::string kCheck = "123456789";
// The body of every capture in tests/vectors/captures (PROTOCOL captures README).
std::string CaptureBody() {
  std::string body;
  for (int i = 0; i < 4; ++i) body += "hello capture fixture 0123456789\n";
  return body;
}

}  // namespace

TEST_CASE("CRC check values (catalogue of parametrised CRC algorithms)", "[checksum]") {
  CHECK(Crc32(kCheck) == 0xCBF43926u);
  CHECK(Crc32c(kCheck) == 0xE3069283u);
  CHECK(Crc64Nvme(kCheck) == 0xAE8B14860A799888ull);
  CHECK(Crc32("") == 0u);
  CHECK(Crc32c("") == 0u);
  CHECK(Crc64Nvme("") == 0u);
}

TEST_CASE("CRCs are incremental across any split", "[checksum]") {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>((i * 131 + 7) & 0xff));
  const uint32_t c32 = Crc32(data), c32c = Crc32c(data);
  const uint64_t c64 = Crc64Nvme(data);
  for (size_t split : {0, 1, 7, 8, 9, 63, 500, 999, 1000}) {
    std::string_view a(data.data(), split), b(data.data() + split, data.size() - split);
    CHECK(Crc32(b, Crc32(a)) == c32);
    CHECK(Crc32c(b, Crc32c(a)) == c32c);
    CHECK(Crc64Nvme(b, Crc64Nvme(a)) == c64);
  }
  // Slicing-by-8 must agree with the byte-at-a-time path (feeding single bytes).
  uint32_t bytewise = 0;
  for (char c : data) bytewise = Crc32(std::string_view(&c, 1), bytewise);
  CHECK(bytewise == c32);
}

TEST_CASE("Folded CRCs equal the table CRCs at every length and content", "[checksum]") {
  // Lengths around the folding threshold (256) and the 16-byte block, up to a few KiB, with
  // pseudo-random content and the all-zero / all-one extremes.
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (size_t n :
       {size_t{0}, size_t{15}, size_t{255}, size_t{256}, size_t{257}, size_t{271}, size_t{272},
        size_t{1000}, size_t{4096}, size_t{65536 + 16}, size_t{65536 + 5}}) {
    for (int pattern = 0; pattern < 3; ++pattern) {
      std::string data(n, '\0');
      for (char& c : data) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        c = pattern == 0 ? static_cast<char>(x >> 24) : pattern == 1 ? '\0' : '\xff';
      }
      INFO("length " << n << " pattern " << pattern);
      CHECK(Crc32ForTesting(data, true) == Crc32ForTesting(data, false));
      CHECK(Crc32cForTesting(data, true) == Crc32cForTesting(data, false));
      CHECK(Crc64NvmeForTesting(data, true) == Crc64NvmeForTesting(data, false));
    }
  }
  // A long input continued from a non-zero CRC (the register is folded into the first bytes).
  std::string data(10000, 'a');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 255);
  CHECK(Crc64Nvme(std::string_view(data).substr(3000),
                  Crc64Nvme(std::string_view(data).substr(0, 3000))) ==
        Crc64NvmeForTesting(data, false));
  CHECK(Crc32(std::string_view(data).substr(999), Crc32(std::string_view(data).substr(0, 999))) ==
        Crc32ForTesting(data, false));
}

TEST_CASE("Checksum objects produce the S3 wire form", "[checksum]") {
  struct Row {
    ChecksumAlgorithm alg;
    std::string data;
    std::string base64;
  };
  const Row rows[] = {
      {ChecksumAlgorithm::kCrc32, CaptureBody(), "M9c5yA=="},  // captures README
      {ChecksumAlgorithm::kCrc32, kCheck, Base64(std::string("\xCB\xF4\x39\x26", 4))},
      {ChecksumAlgorithm::kCrc32c, kCheck, Base64(std::string("\xE3\x06\x92\x83", 4))},
      {ChecksumAlgorithm::kCrc64Nvme, kCheck,
       Base64(std::string("\xAE\x8B\x14\x86\x0A\x79\x98\x88", 8))},
      // AWS doc trailer example: 66560 x 'a' -> x-amz-checksum-crc32c:sOO8/Q==
      {ChecksumAlgorithm::kCrc32c, std::string(66560, 'a'), "sOO8/Q=="},
      {ChecksumAlgorithm::kSha1, "abc", "qZk+NkcGgWq6PiVxeFDCbJzQ2J0="},
      {ChecksumAlgorithm::kSha256, "", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
  };
  for (const Row& r : rows) {
    Checksum c(r.alg);
    for (size_t i = 0; i < r.data.size(); i += 1000)
      c.Update(std::string_view(r.data).substr(i, 1000));
    std::string got = c.DigestBase64();
    INFO(ChecksumAlgorithmName(r.alg));
    CHECK(got == r.base64);
    CHECK(FromBase64(got)->size() == ChecksumDigestSize(r.alg));
  }
}

TEST_CASE("SHA-256 / SHA-1 / MD5 check vectors", "[checksum]") {
  CHECK(Hex(Sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Hex(Sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Hex(Sha1("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(Base64(Md5(CaptureBody())) == "AAyn3kyHRIUVQR3N7CQpcw==");
}

TEST_CASE("Checksum names and headers", "[checksum]") {
  struct Row {
    ChecksumAlgorithm alg;
    const char* name;
    const char* header;
    size_t size;
  };
  const Row rows[] = {
      {ChecksumAlgorithm::kCrc32, "CRC32", "x-amz-checksum-crc32", 4},
      {ChecksumAlgorithm::kCrc32c, "CRC32C", "x-amz-checksum-crc32c", 4},
      {ChecksumAlgorithm::kCrc64Nvme, "CRC64NVME", "x-amz-checksum-crc64nvme", 8},
      {ChecksumAlgorithm::kSha1, "SHA1", "x-amz-checksum-sha1", 20},
      {ChecksumAlgorithm::kSha256, "SHA256", "x-amz-checksum-sha256", 32},
  };
  for (const Row& r : rows) {
    CHECK(ChecksumAlgorithmName(r.alg) == r.name);
    CHECK(ChecksumHeaderName(r.alg) == r.header);
    CHECK(ChecksumDigestSize(r.alg) == r.size);
    CHECK(ChecksumAlgorithmFromName(r.name) == r.alg);
    CHECK(ChecksumAlgorithmFromHeader(r.header) == r.alg);
  }
  CHECK(ChecksumAlgorithmFromName("crc32c") == ChecksumAlgorithm::kCrc32c);
  CHECK(ChecksumAlgorithmFromHeader("X-Amz-Checksum-CRC32") == ChecksumAlgorithm::kCrc32);
  CHECK_FALSE(ChecksumAlgorithmFromName("MD5"));
  CHECK_FALSE(ChecksumAlgorithmFromHeader("x-amz-checksum-"));
  CHECK_FALSE(ChecksumAlgorithmFromHeader("x-amz-checksum-xxhash64"));
  CHECK_FALSE(ChecksumAlgorithmFromHeader("content-md5"));
}

TEST_CASE("CRCs of pieces combine into the CRC of the whole", "[crypto][checksum]") {
  std::string a(70000, 'a'), b = "the second piece", c(3, '\0');
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<char>(i * 31 + 7);
  const std::string whole = a + b + c;
  for (auto alg :
       {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme}) {
    auto digest = [&](const std::string& s) {
      Checksum sum(alg);
      sum.Update(s);
      return sum.Digest();
    };
    auto combined =
        CombineCrcs(alg, {{digest(a), a.size()}, {digest(b), b.size()}, {digest(c), 3}});
    REQUIRE(combined);
    CHECK(*combined == digest(whole));
    auto single = CombineCrcs(alg, {{digest(b), b.size()}});
    REQUIRE(single);
    CHECK(*single == digest(b));
  }
  CHECK_FALSE(CombineCrcs(ChecksumAlgorithm::kSha256, {}));
  CHECK_FALSE(CombineCrcs(ChecksumAlgorithm::kCrc32, {{"abc", 3}}));
}
