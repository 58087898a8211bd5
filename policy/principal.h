// PrincipalSet: the compiled Principal / NotPrincipal element of a resource-policy statement,
// and how a caller (RequestContext) matches it.
//
//   "*" | {"AWS": "*"}                    anyone, anonymous and services included
//   {"AWS": "123456789012"}               the account 123456789012 (same as ...:root below)
//   {"AWS": "arn:aws:iam::ACCT:root"}     the account
//   {"AWS": "arn:aws:iam::ACCT:role/R"}   role R and every session of it (assumed-role/R/*)
//   {"AWS": "arn:aws:iam::ACCT:user/U"}   exactly that user (any other ARN: exactly that ARN)
//   {"Service": "s3.amazonaws.com"}       that service acting as itself
//   {"Federated": ...}, {"CanonicalUser": ...}
// Values are a string or a list of strings. Wildcards are refused except "*" as a whole value.
//
// An account principal matches the account's root user DIRECTLY. For the account's other
// identities (users, roles, sessions) it only DELEGATES to that account's IAM: the statement
// applies, but the identity also needs an identity-policy Allow (docs/policy.md, "Principals").
//
// Thread safety: immutable after Parse.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "policy/request_context.h"

namespace sealstack::policy {

enum class PrincipalMatch {
  kNone,
  kDirect,      // names the caller (or anyone), no identity policy needed
  kViaAccount,  // names the caller's account; the caller is not its root
};

// The principal-element type a value came from.
enum class PrincipalType { kAws, kService, kFederated, kCanonicalUser };

// The element key of a type ("AWS", "Service", "Federated", "CanonicalUser"), and back.
std::string_view PrincipalTypeName(PrincipalType type);
std::optional<PrincipalType> ParsePrincipalType(std::string_view name);

class PrincipalSet {
 public:
  // "*" everywhere.
  static PrincipalSet Anyone();
  // Adds one value of the given type. InvalidArgument (message names the value) when it is
  // not "*", a 12-digit account, or an IAM/STS ARN (for kAws), or is empty / wildcarded.
  Status Add(PrincipalType type, std::string_view value);

  PrincipalMatch Match(const RequestContext& ctx) const;

  bool anyone() const { return anyone_; }
  bool empty() const;

 private:
  bool anyone_ = false;
  std::vector<std::string> accounts_;  // 12-digit account ids
  std::vector<std::string> roles_;     // arn:PART:iam::ACCT:role/...
  std::vector<std::string> exact_;     // other IAM/STS ARNs: users, sessions, federated users
  std::vector<std::string> services_;  // lower-cased
  std::vector<std::string> federated_;
  std::vector<std::string> canonical_;
};

}  // namespace sealstack::policy
