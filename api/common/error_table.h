// A service's error table: a constexpr array of rows, one per ErrorKind, each with a `kind`
// member and whatever the edge needs (HTTP status, AWS error code, ...). ErrorRow is the row
// every service uses; the lookups take any row type with a `kind`:
//
//   constexpr ErrorRow<ErrorKind> kErrorTable[] = {
//       {ErrorKind::kNotFound, StatusCode::kNotFound, 400, "NotFoundException"}, ...};
//   Status s = StatusOfKind(kErrorTable, ErrorKind::kNotFound, "no such thing");
//   const ErrorRow& row = RowFor(kErrorTable, kind, kErrorTable[std::size(kErrorTable) - 1]);
//   if (const ErrorRow* row = FindRowForDetail(kErrorTable, status.detail())) ...
//   ErrorKind kind = KindOfStatus(kErrorTable, ErrorKind::kInternal, status);
//
// The enum <-> name tables of common/name_table.h are the same idea for plain names.
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

#include "common/status.h"

namespace sealstack::api {

// One kind of a service's errors: the generic StatusCode the service files it under (what code
// below the edge branches on), and how AWS reports it.
template <typename Kind>
struct ErrorRow {
  Kind kind;
  StatusCode status_code;
  int http_status;
  const char* code;  // AWS's error code: "NotFoundException", "NoSuchKey"
};

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

// The kind of a failed Status in a service's table: its own kind when detail() names a row;
// else, for the generic codes each JSON service answers in its own words (NotFound,
// AlreadyExists, InvalidArgument, AccessDenied, Unavailable), the table's first row filed under
// that code; else `fallback`. So a Status from storage or another layer reads as the service's
// kind, and a table lists the kind each generic code stands for first.
template <typename Row, size_t N, typename Kind>
constexpr Kind KindOfStatus(const Row (&rows)[N], Kind fallback, const Status& status) {
  if (FindRowForDetail(rows, status.detail()) != nullptr) return static_cast<Kind>(status.detail());
  switch (status.code()) {
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kInvalidArgument:
    case StatusCode::kAccessDenied:
    case StatusCode::kUnavailable:
      for (const Row& row : rows) {
        if (row.status_code == status.code()) return row.kind;
      }
      return fallback;
    default:
      return fallback;
  }
}

// A Status of `kind` with detail() == kind, filed under the StatusCode of the kind's row
// (kInvalidArgument when the table has none).
template <typename Row, size_t N, typename Kind>
Status StatusOfKind(const Row (&rows)[N], Kind kind, std::string message) {
  const Row* row = FindRow(rows, kind);
  return Status(row != nullptr ? row->status_code : StatusCode::kInvalidArgument,
                static_cast<int>(kind), std::move(message));
}

}  // namespace sealstack::api
