#include "common/status.h"

#include "common/name_table.h"

namespace sealstack {

namespace {

constexpr NameEntry<StatusCode> kStatusCodeNames[] = {
    {StatusCode::kOk, "OK"},
    {StatusCode::kInvalidArgument, "InvalidArgument"},
    {StatusCode::kNotFound, "NotFound"},
    {StatusCode::kAlreadyExists, "AlreadyExists"},
    {StatusCode::kFailedPrecondition, "FailedPrecondition"},
    {StatusCode::kAccessDenied, "AccessDenied"},
    {StatusCode::kUnauthenticated, "Unauthenticated"},
    {StatusCode::kIntegrity, "Integrity"},
    {StatusCode::kResourceExhausted, "ResourceExhausted"},
    {StatusCode::kUnimplemented, "Unimplemented"},
    {StatusCode::kUnavailable, "Unavailable"},
    {StatusCode::kIoError, "IoError"},
    {StatusCode::kInternal, "Internal"},
};

}  // namespace

std::string_view StatusCodeName(StatusCode code) {
  return NameOf(kStatusCodeNames, code, "Unknown");
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

Status InvalidField(std::string_view where, std::string_view message) {
  std::string m(where);
  m += ": ";
  m += message;
  return Status::InvalidArgument(std::move(m));
}

}  // namespace sealstack
