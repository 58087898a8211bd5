// Helpers for the crypto unit tests: known-answer vectors are written in hex.
#pragma once

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "crypto/digest.h"

namespace sealstack::crypto {

// The bytes a hex literal spells; the test stops if it is not valid hex.
inline std::string Unhex(std::string_view hex) {
  std::optional<std::string> bytes = FromHex(hex);
  REQUIRE(bytes.has_value());
  return *bytes;
}

}  // namespace sealstack::crypto
