// Principals: who may call, keyed by access key id.
//
// A principal is configured (config file `principals`, seed documents) or the built-in default
// test/test = arn:aws:iam::000000000000:root. Roles may be listed without keys; they are
// assumed later (Glue job runs) through temporary credentials with a session token.
//
// Thread safety: PrincipalStore is safe for concurrent use; lookups take a shared lock and hand
// out shared_ptr<const Principal>, so a principal replaced while a request runs stays valid.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "auth/principal_directory.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "common/result.h"
#include "crypto/secret_bytes.h"

namespace sealstack::auth {

// kWebIdentityUser: the caller of STS AssumeRoleWithWebIdentity, known only by its OIDC token
// (no access key); it exists for that one trust-policy decision and its audit record.
enum class PrincipalType { kRoot, kUser, kRole, kAssumedRole, kWebIdentityUser };

std::string_view PrincipalTypeName(PrincipalType t);  // "Root", "IAMUser", "AssumedRole", ...

struct ParsedArn {
  std::string account;
  PrincipalType type = PrincipalType::kRoot;
  std::string name;          // user or role name ("" for root)
  std::string session_name;  // assumed-role session ("" otherwise)
};

// Accepts arn:aws:iam::ACCT:root | user/[path/]NAME | role/[path/]NAME and
// arn:aws:sts::ACCT:assumed-role/ROLE/SESSION. ACCT is 12 digits.
Result<ParsedArn> ParsePrincipalArn(std::string_view arn);

struct Principal {
  std::string access_key_id;  // "" for a role listed without keys
  crypto::SecretBytes secret_access_key;
  std::string session_token;          // required on requests when non-empty
  std::optional<SystemTime> expires;  // temporary credentials expire
  std::string arn;
  std::string account;
  PrincipalType type = PrincipalType::kRoot;
  std::string name;
  std::vector<std::string> policies;  // identity policy documents (raw JSON): inline, attached,
                                      // and those of the user's groups
  // The permissions boundary's document (the default version of the policy set as boundary);
  // none: no boundary.
  std::optional<std::string> permissions_boundary;
  // Session policies (AssumeRole Policy and PolicyArns, fixed when the session was issued);
  // empty: the session has none. They intersect with `policies` (api/common/access.h).
  std::vector<std::string> session_policies;
  // kAssumedRole: the role's IAM ARN with its path (arn:aws:iam::ACCT:role/PATH/NAME); "" to
  // derive it from `arn` (a role without a path).
  std::string role_arn;
  // aws:PrincipalTag/*: a user's tags; for a role session the role's tags with the session's
  // tags (AssumeRole Tags, and the calling session's transitive tags) over them.
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<std::string> transitive_tag_keys;  // a session's, passed on when it assumes a role
  std::string source_identity;                   // aws:SourceIdentity ("" = none)
  // aws:FederatedProvider: the OIDC provider's ARN, for a web-identity caller
  // (kWebIdentityUser, whose `name` is the token's sub and `unique_id` PROVIDER:aud:sub) and the
  // role sessions issued to it; "" otherwise.
  std::string federated_provider;
  std::optional<SystemTime> issued;  // a session's aws:TokenIssueTime
  // IAM's unique id (AIDA... for a user, AROA...:SESSION for a role session); "" when the
  // principal is not an IAM entity (config principals: GetCallerIdentity derives one).
  std::string unique_id;

  // Set only on the temporary credentials of a Glue job run: S3 writes signed with them that
  // carry no SSE headers are encrypted this way (the job's security configuration), which is
  // SealStack's model of Glue-managed output. Explicit SSE headers still win.
  struct ObjectEncryption {
    std::string sse_algorithm;  // "AES256" | "aws:kms"
    std::string kms_key_id;     // key ARN for aws:kms ("" = alias/aws/s3)
  };
  std::optional<ObjectEncryption> session_object_encryption;
};

// A configured (config file `principals`, seed document) IAM user or role, as
// PrincipalStore::ConfiguredIdentities answers it.
struct ConfiguredIdentity {
  std::shared_ptr<const Principal> principal;  // type kUser or kRole
  // Its long-term access key ids (those without a session token), in id order.
  std::vector<std::string> access_key_ids;
};

// AWS's shape of an IAM unique id, derived from an ARN: `prefix` ("AIDA" for a user, "AROA" for a
// role) and 17 characters of [A-Z2-7] from the ARN's SHA-256, so a configured principal has the
// same id in every answer and across restarts. 21 characters for a 4-character prefix.
std::string DerivedUniqueId(std::string_view prefix, std::string_view arn);

class PrincipalStore {
 public:
  // The store starts with the default principal test/test (root of 000000000000).
  PrincipalStore();

  // Adds or replaces (by access key id; by ARN for key-less roles).
  // Fails with InvalidArgument for a bad ARN or an access key without a secret.
  Status Put(Principal p);
  Status Remove(std::string_view access_key_id);

  // The users and roles of `account` the store holds (config file, seed), one per ARN, in ARN
  // order; not the account root, not sessions (assumed roles, keys with a session token only).
  std::vector<ConfiguredIdentity> ConfiguredIdentities(std::string_view account) const;

  // The store's own principals first, then the directory's (IAM access keys and sessions).
  std::shared_ptr<const Principal> FindByAccessKey(std::string_view access_key_id) const;
  std::shared_ptr<const Principal> FindByArn(std::string_view arn) const;

  // The directory asked for access keys the store does not hold (null: none).
  void SetDirectory(std::shared_ptr<const PrincipalDirectory> directory);

  // Temporary credentials the directory issued for a service that adds state of its own (a Glue
  // run's role session): from SetSessionExtras on, FindByAccessKey answers the directory's
  // principal (its policies as they are now) with `object_encryption` set; from EndSession on,
  // the key authenticates no more, although the directory's session has not expired (the run is
  // over). An ended entry is dropped once the directory no longer knows the key (expiry).
  void SetSessionExtras(const std::string& access_key_id,
                        std::optional<Principal::ObjectEncryption> object_encryption);
  void EndSession(const std::string& access_key_id);

 private:
  mutable SharedMutex mu_;
  std::shared_ptr<const PrincipalDirectory> directory_ GUARDED_BY(mu_);
  std::unordered_map<std::string, std::shared_ptr<const Principal>> by_key_ GUARDED_BY(mu_);
  std::unordered_map<std::string, std::shared_ptr<const Principal>> by_arn_ GUARDED_BY(mu_);
  struct SessionExtras {
    std::optional<Principal::ObjectEncryption> object_encryption;
    bool ended = false;
  };
  // Mutable: FindByAccessKey drops the entries of sessions that have expired.
  mutable std::unordered_map<std::string, SessionExtras> extras_ GUARDED_BY(mu_);
};

inline constexpr std::string_view kDefaultAccessKeyId = "test";
inline constexpr std::string_view kDefaultSecretAccessKey = "test";
inline constexpr std::string_view kDefaultAccount = "000000000000";

}  // namespace sealstack::auth
