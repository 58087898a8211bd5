// Status: success, or an error kind plus a message.
//
// Modelled on LevelDB's Status: every fallible call below the API edge returns a Status (or a
// Result<T>, see result.h). OK carries no allocation. The kind is a domain kind, never an AWS
// error code: api/common maps kinds to the wire, one table per service.
//
// Thread safety: a Status is a value; distinct objects may be used from distinct threads.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace sealstack {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed or out of range
  kNotFound,            // the named thing does not exist (or is not visible to the caller)
  kAlreadyExists,       // a create collided with an existing thing
  kFailedPrecondition,  // the thing exists but its state forbids the operation
  kAccessDenied,        // authenticated, but not allowed
  kUnauthenticated,     // who is calling could not be established
  kIntegrity,           // authenticated data failed verification (tag, MAC, checksum)
  kResourceExhausted,   // a size or count limit was hit
  kUnimplemented,       // a known operation that SealStack does not provide (yet)
  kUnavailable,         // transient: retry may succeed (busy database, injected fault)
  kIoError,             // the file system or database failed
  kInternal,            // a bug or an impossible state
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  // `detail` refines the code with a service's own error kind (e.g. kms::ErrorKind), so the
  // service's edge table can pick the exact AWS error without parsing messages. 0 = none.
  Status(StatusCode code, int detail, std::string message)
      : code_(code), detail_(detail), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status AccessDenied(std::string m) { return {StatusCode::kAccessDenied, std::move(m)}; }
  static Status Unauthenticated(std::string m) {
    return {StatusCode::kUnauthenticated, std::move(m)};
  }
  static Status Integrity(std::string m) { return {StatusCode::kIntegrity, std::move(m)}; }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  int detail() const { return detail_; }
  const std::string& message() const { return message_; }

  // "NotFound: no such key" — for logs and test failure messages.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  int detail_ = 0;
  std::string message_;
};

// InvalidArgument about one field of a document the caller gave (a seed file, an admin
// request body): "WHERE: MESSAGE", e.g. "kms.keys[2].id: required".
Status InvalidField(std::string_view where, std::string_view message);

}  // namespace sealstack

// Propagates a non-OK Status out of the enclosing function. The variable name carries the
// line number so the macro nests inside lambdas without -Wshadow.
#define SEALSTACK_RETURN_IF_ERROR(expr) \
  SEALSTACK_RETURN_IF_ERROR_IMPL(SEALSTACK_STATUS_CONCAT(_status_, __LINE__), expr)
#define SEALSTACK_STATUS_CONCAT_INNER(a, b) a##b
#define SEALSTACK_STATUS_CONCAT(a, b) SEALSTACK_STATUS_CONCAT_INNER(a, b)
// NOLINTBEGIN(bugprone-macro-parentheses): var is a name, not an expression.
#define SEALSTACK_RETURN_IF_ERROR_IMPL(var, expr) \
  do {                                            \
    ::sealstack::Status var = (expr);             \
    if (!var.ok()) return var;                    \
  } while (0)
// NOLINTEND(bugprone-macro-parentheses)
