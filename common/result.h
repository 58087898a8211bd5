// Result<T>: a value or a non-OK Status.
//
// REQUIRES: a Result is never built from an OK Status (that would be a value-less success).
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "common/status.h"

namespace sealstack {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace sealstack

#define SEALSTACK_CONCAT_INNER(a, b) a##b
#define SEALSTACK_CONCAT(a, b) SEALSTACK_CONCAT_INNER(a, b)
// SEALSTACK_ASSIGN_OR_RETURN(auto x, Compute()); returns the Status if Compute() failed.
// NOLINTBEGIN(bugprone-macro-parentheses): lhs is a declaration and tmp a name, not expressions.
#define SEALSTACK_ASSIGN_OR_RETURN(lhs, expr) \
  SEALSTACK_ASSIGN_OR_RETURN_IMPL(SEALSTACK_CONCAT(_result_, __LINE__), lhs, expr)
#define SEALSTACK_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
