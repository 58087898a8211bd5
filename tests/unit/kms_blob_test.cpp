// The symmetric KMS ciphertext blob (ciphertext_blob.h, docs/formats/kms-ciphertext.md):
// round trips, the canonical encryption context, a golden blob that pins the format, tampering
// with every byte of every region, and the UUID codec.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "api/kms/ciphertext_blob.h"
#include "crypto/aead.h"
#include "crypto/digest.h"
#include "crypto/random.h"

using namespace sealstack;
using api::kms::BlobHeader;
using api::kms::CanonicalContext;
using api::kms::EncryptionContext;
using api::kms::OpenBlob;
using api::kms::ParseBlobHeader;
using api::kms::SealBlob;

namespace {

constexpr const char* kKeyId = "1234abcd-12ab-34cd-56ef-1234567890ab";
const std::string kMaterialId(64, 'a');  // 32 bytes of 0xaa

crypto::SecretBytes Material(uint8_t first = 0) {
  crypto::SecretBytes m(32);
  for (size_t i = 0; i < 32; ++i) m.data()[i] = static_cast<uint8_t>(first + i);
  return m;
}

std::string Seal(const EncryptionContext& ctx, std::string_view plaintext,
                 std::string_view seed = "blob-test") {
  crypto::SeededRandom random(seed);
  auto blob = SealBlob(Material(), {kKeyId, kMaterialId}, ctx, plaintext, random);
  REQUIRE(blob.ok());
  return *blob;
}

// Seed "kms-golden-v1", key 00 01 .. 1f, the key and material ids above, and the context and
// plaintext of the golden test.
constexpr const char* kGoldenBlobHex =
    "01"                                                                // version
    "1234abcd12ab34cd56ef1234567890ab"                                  // key id
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"  // material id
    "da41b2340b8fe1dba8b9a030"                                          // iv
    "de92ab7a1ef208ffa6b9ee8210b006fd2e032d9d12feb568ec3b"              // ciphertext
    "1b491817aeda86495e3971b723da44e7";                                 // tag

std::string Hex(std::string_view s) {
  return crypto::Hex(s);
}

}  // namespace

TEST_CASE("SealBlob and OpenBlob round trip", "[kms][blob]") {
  struct Row {
    const char* name;
    EncryptionContext context;
    std::string plaintext;
  } rows[] = {
      {"empty plaintext, no context", {}, ""},
      {"one byte", {}, "x"},
      {"with context", {{"purpose", "test"}, {"bucket", "b1"}}, "hello, world"},
      {"binary plaintext", {{"k", ""}}, std::string("\0\x01\xff\x00z", 5)},
      {"4 KiB", {{"a", "1"}}, std::string(4096, 'q')},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    std::string blob = Seal(row.context, row.plaintext);
    CHECK(blob.size() == api::kms::kBlobOverhead + row.plaintext.size());
    auto header = ParseBlobHeader(blob);
    REQUIRE(header);
    CHECK(header->key_id == kKeyId);
    CHECK(header->material_id == kMaterialId);
    auto opened = OpenBlob(Material(), blob, row.context);
    REQUIRE(opened.ok());
    CHECK(opened->view() == row.plaintext);
  }
}

TEST_CASE("OpenBlob with the wrong material is an integrity failure", "[kms][blob]") {
  std::string blob = Seal({}, "secret");
  auto opened = OpenBlob(Material(1), blob, {});
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().code() == StatusCode::kIntegrity);
}

TEST_CASE("SealBlob rejects a malformed key id or material id", "[kms][blob]") {
  struct Row {
    const char* key_id;
    std::string material_id;
  } rows[] = {
      {"not-a-uuid", kMaterialId},    {"1234ABCD-12AB-34CD-56EF-1234567890AB", kMaterialId},
      {kKeyId, std::string(62, 'a')}, {kKeyId, std::string(66, 'a')},
      {kKeyId, std::string(64, 'g')}, {kKeyId, ""},
      {"mrk-1234abcd", kMaterialId},  {"mrk-1234abcd12ab34cd56ef1234567890zz", kMaterialId},
  };
  for (const auto& row : rows) {
    INFO(row.key_id << " / " << row.material_id);
    crypto::SeededRandom random("x");
    auto blob = SealBlob(Material(), {row.key_id, row.material_id}, {}, "p", random);
    REQUIRE_FALSE(blob.ok());
    CHECK(blob.status().code() == StatusCode::kInternal);
  }
}

TEST_CASE("The canonical encryption context is sorted and length-prefixed", "[kms][blob]") {
  struct Row {
    const char* name;
    EncryptionContext context;
    const char* hex;
  } rows[] = {
      {"empty", {}, "00000000"},
      {"one pair",
       {{"a", "1"}},
       "00000001"
       "00000001"
       "61"
       "00000001"
       "31"},
      {"sorted by key bytewise",
       {{"b", "2"}, {"a", "1"}, {"B", "3"}},
       "00000003"
       "00000001"
       "42"
       "00000001"
       "33"  // "B" < "a" < "b" bytewise
       "00000001"
       "61"
       "00000001"
       "31"
       "00000001"
       "62"
       "00000001"
       "32"},
      {"empty key and value",
       {{"", ""}},
       "00000001"
       "00000000"
       "00000000"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    CHECK(Hex(CanonicalContext(row.context)) == row.hex);
  }
}

TEST_CASE("The encryption context is order-independent but binds every key and value",
          "[kms][blob]") {
  // Built in two insertion orders: the same std::map, the same canonical form, the same AAD.
  EncryptionContext forward;
  forward["alpha"] = "1";
  forward["beta"] = "2";
  forward["gamma"] = "3";
  EncryptionContext backward;
  backward["gamma"] = "3";
  backward["beta"] = "2";
  backward["alpha"] = "1";
  CHECK(CanonicalContext(forward) == CanonicalContext(backward));
  std::string blob = Seal(forward, "payload");
  auto same = OpenBlob(Material(), blob, backward);
  REQUIRE(same.ok());
  CHECK(same->view() == "payload");

  struct Row {
    const char* name;
    EncryptionContext sealed;
    EncryptionContext opened;
  } rows[] = {
      {"key and value swapped", {{"a", "b"}}, {{"b", "a"}}},
      {"value changed", {{"a", "b"}}, {{"a", "c"}}},
      {"key changed", {{"a", "b"}}, {{"A", "b"}}},
      {"pair missing", {{"a", "b"}, {"c", "d"}}, {{"a", "b"}}},
      {"pair added", {{"a", "b"}}, {{"a", "b"}, {"c", "d"}}},
      {"context dropped", {{"a", "b"}}, {}},
      {"context invented", {}, {{"a", "b"}}},
      {"empty pair is not no pair", {{"", ""}}, {}},
      {"boundary moved between key and value", {{"ab", "c"}}, {{"a", "bc"}}},
      {"values exchanged between keys", {{"a", "1"}, {"b", "2"}}, {{"a", "2"}, {"b", "1"}}},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    CHECK(CanonicalContext(row.sealed) != CanonicalContext(row.opened));
    std::string sealed = Seal(row.sealed, "payload");
    REQUIRE(OpenBlob(Material(), sealed, row.sealed).ok());
    auto opened = OpenBlob(Material(), sealed, row.opened);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.status().code() == StatusCode::kIntegrity);
  }
}

TEST_CASE("Golden KMS ciphertext blob pins the format", "[kms][blob][golden]") {
  // blob = 0x01 | key_id:16 | material_id:32 | iv:12 | ct | tag:16
  // aad  = "sealstack-kms-ciphertext" | blob[0..49) | canonical(context)
  const EncryptionContext context = {{"purpose", "golden"}, {"aws:s3:arn", "arn:aws:s3:::b/k"}};
  const std::string plaintext = "SealStack golden plaintext";
  const std::string blob = Seal(context, plaintext, "kms-golden-v1");
  REQUIRE(blob.size() == 1 + 16 + 32 + 12 + plaintext.size() + 16);

  // The layout, region by region.
  CHECK(Hex(blob.substr(0, 1)) == "01");
  CHECK(Hex(blob.substr(1, 16)) == "1234abcd12ab34cd56ef1234567890ab");
  CHECK(Hex(blob.substr(17, 32)) == kMaterialId);
  crypto::SeededRandom same_seed("kms-golden-v1");
  auto iv = same_seed.Bytes(crypto::kGcmNonceSize);
  REQUIRE(iv.ok());
  CHECK(blob.substr(49, 12) == *iv);  // the IV is the first 12 bytes the RandomSource gave

  // Ciphertext and tag are AES-256-GCM over the documented AAD, recomputed independently.
  std::string aad = "sealstack-kms-ciphertext";
  aad += blob.substr(0, 49);
  aad += CanonicalContext(context);
  auto sealed = crypto::AesGcmSeal(Material(), *iv, aad, plaintext);
  REQUIRE(sealed.ok());
  CHECK(blob.substr(61) == *sealed);

  // And the whole blob, byte for byte: any format change must change this constant on purpose.
  CHECK(Hex(blob) == kGoldenBlobHex);
}

TEST_CASE("Tampering with any byte of any blob region fails to open", "[kms][blob]") {
  const EncryptionContext context = {{"k", "v"}};
  const std::string plaintext = "tamper me";
  const std::string blob = Seal(context, plaintext);
  const size_t ct_begin = 61;
  const size_t tag_begin = ct_begin + plaintext.size();
  struct Region {
    const char* name;
    size_t begin, end;
    bool header_rejects;  // ParseBlobHeader itself refuses the blob
  } regions[] = {
      {"version", 0, 1, true},
      {"key id", 1, 17, false},
      {"material id", 17, 49, false},
      {"iv", 49, 61, false},
      {"ciphertext", ct_begin, tag_begin, false},
      {"tag", tag_begin, blob.size(), false},
  };
  REQUIRE(regions[5].end - regions[5].begin == crypto::kGcmTagSize);
  for (const auto& region : regions) {
    for (size_t i = region.begin; i < region.end; ++i) {
      for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}}) {
        INFO(region.name << " byte " << i << " ^ " << int{flip});
        std::string bad = blob;
        bad[i] = static_cast<char>(bad[i] ^ flip);
        CHECK(ParseBlobHeader(bad).has_value() == !region.header_rejects);
        auto opened = OpenBlob(Material(), bad, context);
        REQUIRE_FALSE(opened.ok());
        CHECK(opened.status().code() == StatusCode::kIntegrity);
      }
    }
  }
}

TEST_CASE("Multi-Region key blobs are version 0x02 and name their mrk- key id", "[kms][blob]") {
  const std::string mrk = "mrk-1234abcd12ab34cd56ef1234567890ab";
  crypto::SeededRandom random("blob-test");
  auto blob = SealBlob(Material(), {mrk, kMaterialId}, {{"a", "b"}}, "multi", random);
  REQUIRE(blob.ok());
  CHECK(blob->size() == api::kms::kBlobOverhead + 5);
  CHECK(Hex(blob->substr(0, 17)) == "021234abcd12ab34cd56ef1234567890ab");
  auto header = ParseBlobHeader(*blob);
  REQUIRE(header);
  CHECK(header->key_id == mrk);
  CHECK(header->material_id == kMaterialId);
  auto opened = OpenBlob(Material(), *blob, {{"a", "b"}});
  REQUIRE(opened.ok());
  CHECK(opened->view() == "multi");
  // The version byte is authenticated: the same bytes relabelled as a UUID key's blob (the
  // key named 1234abcd-...) do not open.
  std::string relabelled = *blob;
  relabelled[0] = '\x01';
  REQUIRE(ParseBlobHeader(relabelled));
  CHECK(ParseBlobHeader(relabelled)->key_id == kKeyId);
  CHECK_FALSE(OpenBlob(Material(), relabelled, {{"a", "b"}}).ok());
}

TEST_CASE("ParseBlobHeader rejects short blobs and unknown versions", "[kms][blob]") {
  const std::string blob = Seal({}, "");  // exactly kBlobOverhead bytes
  REQUIRE(blob.size() == api::kms::kBlobOverhead);
  CHECK(ParseBlobHeader(blob));
  struct Row {
    const char* name;
    std::string input;
  } rows[] = {
      {"empty", ""},
      {"one byte short", blob.substr(0, blob.size() - 1)},
      {"header only", blob.substr(0, api::kms::kBlobHeaderSize)},
      {"version 0x00", std::string(1, '\x00') + blob.substr(1)},
      {"version 0x03", std::string(1, '\x03') + blob.substr(1)},
      {"version 0xff", std::string(1, '\xff') + blob.substr(1)},
      {"base64 text, not bytes", crypto::Base64(blob)},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    CHECK_FALSE(ParseBlobHeader(row.input));
    auto opened = OpenBlob(Material(), row.input, {});
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.status().code() == StatusCode::kIntegrity);
  }
}

TEST_CASE("UuidToBytes and UuidFromBytes round trip", "[kms][blob][uuid]") {
  const char* uuids[] = {"1234abcd-12ab-34cd-56ef-1234567890ab",
                         "00000000-0000-0000-0000-000000000000",
                         "ffffffff-ffff-4fff-bfff-ffffffffffff"};
  for (const char* u : uuids) {
    INFO(u);
    auto bytes = api::kms::UuidToBytes(u);
    REQUIRE(bytes);
    CHECK(bytes->size() == 16);
    CHECK(api::kms::UuidFromBytes(*bytes) == u);
  }
  CHECK(Hex(*api::kms::UuidToBytes("1234abcd-12ab-34cd-56ef-1234567890ab")) ==
        "1234abcd12ab34cd56ef1234567890ab");
  std::string raw;
  for (int i = 0; i < 16; ++i) raw.push_back(static_cast<char>(i * 17));
  CHECK(api::kms::UuidFromBytes(raw) == "00112233-4455-6677-8899-aabbccddeeff");
  CHECK(*api::kms::UuidToBytes(api::kms::UuidFromBytes(raw)) == raw);
}

TEST_CASE("UuidToBytes rejects malformed ids", "[kms][blob][uuid]") {
  const char* bad[] = {
      "",
      "1234abcd12ab34cd56ef1234567890ab",       // no dashes
      "1234abcd-12ab-34cd-56ef-1234567890a",    // 35 characters
      "1234abcd-12ab-34cd-56ef-1234567890abc",  // 37 characters
      "1234abc-d12ab-34cd-56ef-1234567890ab",   // first dash moved
      "1234abcd-12ab-34cd-56ef1-234567890ab",   // last dash moved
      "1234abcd-12ab-34cd-56ef-1234567890aG",   // not hex
      "1234ABCD-12AB-34CD-56EF-1234567890AB",   // upper case (KMS key ids are lower case)
      "1234abcd-12ab-34cd-56ef-12345678-0ab",   // a fifth dash in place of a digit
      "1234abcd-12ab-34cd-56ef-1234-678-0ab",   // two more dashes (an even 30 hex digits left)
      "1234abcd-12ab-34cd-56ef-1234567890a ",   // trailing space
      "alias/1234abcd-12ab-34cd-56ef-123456",   // 36 characters, wrong shape
  };
  for (const char* u : bad) {
    INFO("'" << u << "'");
    CHECK_FALSE(api::kms::UuidToBytes(u));
  }
}
