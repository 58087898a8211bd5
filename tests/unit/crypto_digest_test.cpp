// Known answers for the hashes, HMACs and text encodings in crypto/digest.h.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "crypto/digest.h"
#include "tests/unit/crypto_test_util.h"

namespace sealstack::crypto {
namespace {

TEST_CASE("digests match published known answers", "[crypto][digest]") {
  struct Case {
    const char* name;
    std::string (*fn)(std::string_view);
    std::string input;
    const char* hex;
  };
  const std::string million_a(1000000, 'a');
  const Case cases[] = {
      {"MD5('')", Md5, "", "d41d8cd98f00b204e9800998ecf8427e"},
      {"MD5('abc')", Md5, "abc", "900150983cd24fb0d6963f7d28e17f72"},
      {"SHA1('')", Sha1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
      {"SHA1('abc')", Sha1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
      {"SHA256('')", Sha256, "",
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"SHA256('abc')", Sha256, "abc",
       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"SHA256(448-bit)", Sha256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {"SHA256(million a)", Sha256, million_a,
       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(Hex(c.fn(c.input)) == c.hex);
  }
}

TEST_CASE("HMAC-SHA256 matches RFC 4231 test cases 1 and 2", "[crypto][digest]") {
  CHECK(Hex(HmacSha256(std::string(20, '\x0b'), "Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(Hex(HmacSha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("HMAC-SHA256 hashes a key longer than a block first (RFC 4231 test case 6)",
          "[crypto][digest]") {
  CHECK(Hex(HmacSha256(std::string(131, '\xaa'),
                       "Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // A key of exactly one block (64 bytes) is used as it is: RFC 4231 has no such case, so
  // the answer is what Python's hmac module gives.
  CHECK(Hex(HmacSha256(std::string(64, 'k'), "m")) ==
        "3b7a8d453e76edb519238a515105a57508d0f169f480ebeee120a9e7803289fa");
}

TEST_CASE("HMAC-SHA1 matches RFC 2202 test case 2", "[crypto][digest]") {
  CHECK(Hex(HmacSha1("Jefe", "what do ya want for nothing?")) ==
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST_CASE("HashStream equals the one-shot digest however the input is split", "[crypto][digest]") {
  const std::string data = "The quick brown fox jumps over the lazy dog";
  for (size_t piece : {1, 3, 7, 64}) {
    HashStream stream(HashStream::Algorithm::kSha256);
    for (size_t i = 0; i < data.size(); i += piece)
      stream.Update(std::string_view(data).substr(i, piece));
    CHECK(stream.Finish() == Sha256(data));
  }
  HashStream md5(HashStream::Algorithm::kMd5);
  md5.Update(data);
  CHECK(Hex(md5.Finish()) == "9e107d9d372bb6826bd81d3542a419d6");
}

TEST_CASE("Hex and Base64 match RFC 4648 section 10 vectors", "[crypto][digest]") {
  struct Case {
    const char* raw;
    const char* base64;
    const char* base16;
  };
  const Case cases[] = {
      {"", "", ""},
      {"f", "Zg==", "66"},
      {"fo", "Zm8=", "666f"},
      {"foo", "Zm9v", "666f6f"},
      {"foob", "Zm9vYg==", "666f6f62"},
      {"fooba", "Zm9vYmE=", "666f6f6261"},
      {"foobar", "Zm9vYmFy", "666f6f626172"},
  };
  for (const Case& c : cases) {
    INFO(c.raw);
    CHECK(Base64(c.raw) == c.base64);
    CHECK(FromBase64(c.base64) == std::optional<std::string>(c.raw));
    CHECK(Hex(c.raw) == c.base16);
    CHECK(FromHex(c.base16) == std::optional<std::string>(c.raw));
  }
  CHECK(FromHex("666F6F") == std::optional<std::string>("foo"));  // upper case accepted
  CHECK(Base64(std::string("\xfb\xff", 2)) == "+/8=");            // standard alphabet
}

TEST_CASE("Base64 round trips every length and byte value", "[crypto][digest]") {
  std::string bytes;
  for (int n = 0; n < 300; ++n) {
    INFO(n);
    const std::string text = Base64(bytes);
    CHECK(text.size() == (bytes.size() + 2) / 3 * 4);
    CHECK(FromBase64(text) == std::optional<std::string>(bytes));
    bytes.push_back(static_cast<char>((n * 167 + 13) & 0xff));
  }
}

TEST_CASE("FromBase64 rejects everything but canonical padded standard base64",
          "[crypto][digest]") {
  const char* bad[] = {
      "Zg",          // missing padding
      "Zg=",         // short padding
      "Zg===",       // length not a multiple of 4
      "Z===",        // too much padding
      "====",        // padding only
      "Zm9v YmFy",   // whitespace
      "Zm9vYg==\n",  // trailing newline
      " Zm9v",       // leading space
      "Zg==Zg==",    // padding before the end
      "Zm=v",        // padding in the middle of a group
      "Zm9-",        // URL-safe alphabet
      "Zm9_",        // URL-safe alphabet
      "Zh==",        // non-zero pad bits (non-canonical "f")
      "Zm9=",        // non-zero pad bits (non-canonical "fo")
  };
  for (const char* text : bad) {
    INFO(text);
    CHECK_FALSE(FromBase64(text).has_value());
  }
  CHECK_FALSE(FromBase64(std::string_view("Zm9v\0\0\0\0", 8)).has_value());
}

TEST_CASE("FromHex rejects odd lengths and non-hex characters", "[crypto][digest]") {
  for (const char* text : {"6", "666", "6g", "0x66", " 66", "66 "}) {
    INFO(text);
    CHECK_FALSE(FromHex(text).has_value());
  }
  CHECK(Unhex("00ff") == std::string("\x00\xff", 2));
}

}  // namespace
}  // namespace sealstack::crypto
