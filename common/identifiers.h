// Shape checks for AWS identifiers that several modules validate (seed documents, the admin
// API, KMS alias names, Glue key ARNs). Hand-written rather than std::regex: they run per
// request, and GCC's <regex> trips -Wmaybe-uninitialized in sanitizer builds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sealstack {

// Exactly 12 decimal digits: "111122223333".
bool IsAccountId(std::string_view s);
// Two lowercase letters, then one or more "-word" parts, then "-<digits>": "us-east-1",
// "eu-central-2", "us-gov-west-1" (the shape of ^[a-z]{2}(-[a-z]+)+-[0-9]+$).
bool IsRegionName(std::string_view s);
// An uppercase letter followed by at least one letter or digit: "GenerateDataKey".
bool IsOperationName(std::string_view s);
// Non-empty and every byte an ASCII letter, digit, or one of `extra`.
bool IsAlnumPlus(std::string_view s, std::string_view extra);

// The 8-4-4-4-12 lowercase hex text of the UUID whose 128 bits are `hi` then `lo`, with the
// version nibble set to `version` (4 random, 7 time-ordered) and the RFC 4122 variant (10xx):
// "0f8fad5b-d9cb-469f-a165-70867728950e". The other bits are used as given.
std::string FormatUuid(uint64_t hi, uint64_t lo, unsigned version);

}  // namespace sealstack
