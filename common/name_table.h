// Two-way tables between an enum and its AWS wire name, the shape every "Name(x)" /
// "ParseX(name)" pair in the code base shares:
//
//   constexpr NameEntry<HmacKeySpec> kSpecNames[] = {{HmacKeySpec::kHmac224, "HMAC_224"}, ...};
//   std::string_view Name(HmacKeySpec s) { return NameOf(kSpecNames, s); }
//   std::optional<HmacKeySpec> ParseHmacKeySpec(std::string_view n) { return ValueOf(kSpecNames,
//   n); }
#pragma once

#include <iterator>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

namespace sealstack {

template <typename E>
struct NameEntry {
  E value;
  std::string_view name;
};

// A table is any range of NameEntry<E>: a C array or a std::array.
template <typename Table>
using NameTableValue =
    std::remove_cvref_t<decltype(std::begin(std::declval<const Table&>())->value)>;

// The name of `value`, or `missing` when the table does not list it.
template <typename Table>
constexpr std::string_view NameOf(const Table& table, NameTableValue<Table> value,
                                  std::string_view missing = "UNKNOWN") {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return missing;
}

// The value named exactly `name` (case-sensitive, as AWS's enums are), if any.
template <typename Table>
constexpr std::optional<NameTableValue<Table>> ValueOf(const Table& table, std::string_view name) {
  for (const auto& entry : table) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

}  // namespace sealstack
