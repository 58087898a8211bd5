// RequestContext: everything policy evaluation knows about one request. The services (KMS, S3,
// Glue) fill it in from the authenticated principal and the operation; nothing in policy/ reads
// a clock, a header or a database.
//
// Condition keys live in one map whose names are LOWER-CASED (IAM condition key names are
// case-insensitive). Use Set/Add, which lower-case for you. A key that is absent and a key
// whose value list is empty are the same thing ("absent") to every operator.
// Single-valued keys hold one value; multi-valued keys (kms:EncryptionContextKeys, aws:TagKeys,
// kms:GrantOperations, kms:ResourceAliases) hold several.
// For `kms:EncryptionContext:<k>` the whole name, `<k>` included, is lower-cased (AWS treats the
// context key part as case-insensitive); two context keys that differ only in case add two
// values to one entry.
//
// Policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`, ...) are looked up in the same
// map, so a variable has a value exactly when the condition key of that name is present.
//
// Time: `aws:CurrentTime` (ISO 8601) and `aws:EpochTime` are ordinary keys set by the caller
// from its injected Clock.
//
// Thread safety: a value type; evaluation only reads it.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sealstack::policy {

// Who is calling, as far as Principal matching cares.
enum class PrincipalKind {
  kAnonymous,      // unsigned S3 request; principal_arn and principal_account are ""
  kAccountRoot,    // arn:aws:iam::ACCT:root
  kUser,           // arn:aws:iam::ACCT:user/[path/]NAME
  kRole,           // arn:aws:iam::ACCT:role/[path/]NAME (rare as a caller; sessions are usual)
  kAssumedRole,    // arn:aws:sts::ACCT:assumed-role/ROLE/SESSION; role_arn names the role
  kFederatedUser,  // arn:aws:sts::ACCT:federated-user/NAME
  // AssumeRoleWithWebIdentity's caller: no ARN; federated_provider names its OIDC provider.
  kWebIdentityUser,
  kService,  // an AWS service acting as itself; service_principal is set
};

using ConditionKeyMap = std::map<std::string, std::vector<std::string>, std::less<>>;

struct RequestContext {
  // --- The caller.
  PrincipalKind principal_kind = PrincipalKind::kAnonymous;
  std::string principal_arn;      // as authenticated (the session ARN for assumed roles)
  std::string principal_account;  // 12 digits; "" for anonymous and service callers
  // For kAssumedRole: the role's IAM ARN including its path, arn:aws:iam::ACCT:role/path/R.
  // A role ARN in a Principal element matches every session of that role through it.
  std::string role_arn;
  std::string service_principal;   // kService: "s3.amazonaws.com"
  std::string canonical_user;      // S3 canonical user id of the caller, if known
  std::string federated_provider;  // web-identity / SAML provider, if any

  // --- The operation.
  std::string action;    // "kms:Decrypt", "s3:PutObject" (any case)
  std::string resource;  // the target ARN: key ARN, arn:aws:s3:::bucket/key
  // The account that owns the resource (key owner, bucket owner). Used by DecideKms/DecideS3
  // to tell same-account from cross-account calls. "" means "the caller's account".
  std::string resource_account;

  // --- Condition keys, names lower-cased.
  ConditionKeyMap keys;

  bool principal_is_root() const { return principal_kind == PrincipalKind::kAccountRoot; }

  // Replaces the values of `name` (any case) with one value.
  void Set(std::string_view name, std::string value);
  // Appends one value to `name` (multi-valued keys).
  void Add(std::string_view name, std::string value);
  // Values of a key; `lower_name` must already be lower-case. nullptr when absent or empty.
  const std::vector<std::string>* Find(std::string_view lower_name) const;
};

// Fills in the global keys that follow from the principal fields, unless already set:
// aws:PrincipalArn (the role ARN for assumed-role sessions), aws:PrincipalAccount,
// aws:PrincipalType ("Account", "User", "AssumedRole", "FederatedUser", "Anonymous"),
// aws:username (IAM users only) and aws:userid (the account id for the root, the
// "ROLE:SESSION" pair for sessions when no unique id is known, the user name for users).
// Services call this once after filling the principal fields.
void AddPrincipalConditionKeys(RequestContext* ctx);

}  // namespace sealstack::policy
