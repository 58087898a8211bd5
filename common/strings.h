// Small string helpers shared by every layer. No allocation unless a string is returned.
#pragma once

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

}  // namespace sealstack
