#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "crypto/secret_bytes.h"

namespace sealstack::crypto {
namespace {

TEST_CASE("SecretBytes prints redacted, never its contents", "[crypto][secret]") {
  SecretBytes secret(std::string_view("hunter2-super-secret"));
  std::ostringstream os;
  os << secret;
  CHECK(os.str() == "<redacted 20 bytes>");
  CHECK(os.str().find("hunter2") == std::string::npos);
  // Catch's own stringification (used in failure messages) goes through operator<< too.
  CHECK(Catch::Detail::stringify(secret) == "<redacted 20 bytes>");
}

TEST_CASE("SecretBytes copies, moves and reveals explicitly", "[crypto][secret]") {
  SecretBytes a(std::string_view("key material"));
  SecretBytes b = a;
  CHECK(b.Reveal() == "key material");
  SecretBytes c = std::move(a);
  CHECK(c.view() == "key material");
  CHECK(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is specified as empty
  SecretBytes d(4);
  CHECK(d.Reveal() == std::string(4, '\0'));
}

TEST_CASE("ConstantTimeEquals compares contents and lengths", "[crypto][secret]") {
  CHECK(ConstantTimeEquals("", ""));
  CHECK(ConstantTimeEquals("abc", "abc"));
  CHECK_FALSE(ConstantTimeEquals("abc", "abd"));
  CHECK_FALSE(ConstantTimeEquals("abc", "abcd"));
  CHECK_FALSE(ConstantTimeEquals("abc", ""));
}

}  // namespace
}  // namespace sealstack::crypto
