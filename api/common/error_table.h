// Lookups in a service's error table: a constexpr array of rows, one per ErrorKind, each with a
// `kind` member and whatever the edge needs (HTTP status, AWS error code, ...):
//
//   constexpr ErrorRow kErrorTable[] = {{ErrorKind::kNotFound, 400, "NotFoundException"}, ...};
//   const ErrorRow& row = RowFor(kErrorTable, kind, kErrorTable[std::size(kErrorTable) - 1]);
//   if (const ErrorRow* row = FindRowForDetail(kErrorTable, status.detail())) ...
//
// The enum <-> name tables of common/name_table.h are the same idea for plain names.
#pragma once

#include <cstddef>
#include <type_traits>

namespace sealstack::api {

// The row for `kind`, or null when the table has none.
template <typename Row, size_t N, typename Kind>
constexpr const Row* FindRow(const Row (&rows)[N], Kind kind) {
  for (const Row& row : rows) {
    if (row.kind == kind) return &row;
  }
  return nullptr;
}

// The row for `kind`, or `fallback` when the table has none.
template <typename Row, size_t N, typename Kind>
constexpr const Row& RowFor(const Row (&rows)[N], Kind kind, const Row& fallback) {
  const Row* row = FindRow(rows, kind);
  return row != nullptr ? *row : fallback;
}

// The row for a Status whose detail() carries the table's ErrorKind as an int (KmsError,
// S3Error, ...), or null when the detail names no row (another service's kind, or none).
template <typename Row, size_t N>
constexpr const Row* FindRowForDetail(const Row (&rows)[N], int detail) {
  using Kind = std::remove_cv_t<decltype(Row::kind)>;
  // An int-based enum holds every int, so the cast is exact and only a listed kind matches.
  static_assert(std::is_same_v<std::underlying_type_t<Kind>, int>);
  return FindRow(rows, static_cast<Kind>(detail));
}

}  // namespace sealstack::api
