// Small string helpers shared by every layer. No allocation unless a string is returned.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sealstack {

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
std::string ToLower(std::string_view s);
bool IsValidUtf8(std::string_view s);       // RFC 3629: no overlongs, surrogates, > U+10FFFF
std::string_view Trim(std::string_view s);  // spaces and tabs at both ends
std::vector<std::string_view> Split(std::string_view s, char sep);
// A `sep`-separated list of header names: each item trimmed and lower-cased, empty items dropped.
std::vector<std::string> SplitHeaderNames(std::string_view s, char sep);
// 1 to 19 ASCII digits (no sign, no spaces) as a number; nullopt for anything else.
std::optional<uint64_t> ParseUnsignedDecimal(std::string_view s);
// 1 to 16 hex digits (either case, nothing else) as a number; nullopt for anything else.
std::optional<uint64_t> ParseUnsignedHex(std::string_view s);

}  // namespace sealstack
