// AccessCheck: the one authorization mechanism of KMS, S3, Glue and CloudTrail.
//
//   caller (api::Caller) ──► Context(): principal fields, aws:* keys from the caller and the
//                            server clock, then the service's own keys (kms:*, s3:*, ...)
//   AccessRequest ─────────► Evaluate(): identity policies (+ key policy and grants, or bucket
//                            policy), parsed through the one policy cache
//                       ───► Check(): --policy-mode, the observer, the denial text
//
// Global condition keys, the same for every service: aws:PrincipalArn, aws:PrincipalAccount,
// aws:PrincipalType, aws:userid, aws:username (policy::AddPrincipalConditionKeys; aws:userid is
// the IAM unique id when the principal has one), aws:PrincipalTag/* (the principal's tags),
// aws:SourceIdentity and aws:TokenIssueTime (sessions), aws:FederatedProvider (web identity),
// aws:CurrentTime and aws:EpochTime (from the injected clock, so POST /_sealstack/clock moves
// them), aws:SecureTransport, aws:RequestedRegion, and aws:SourceIp / aws:UserAgent when known.
//
// How the policies combine (AccessRule, policy/evaluate.h):
//   kIdentityOnly  identity policies; the account root may do anything not explicitly denied
//                  (KMS account-level actions, Glue, CloudTrail)
//   kKeyPolicy     KMS: the key policy is mandatory (DecideKms); grants are asked only when the
//                  policies alone do not allow and nothing denies explicitly
//   kBucketPolicy  S3: optional bucket policy with identity policies (DecideS3)
//   kTrustPolicy   STS AssumeRole: the role's trust policy is mandatory, also in the role's own
//                  account; a statement naming the caller allows (another account's caller also
//                  needs an identity Allow), one naming only the caller's account delegates to
//                  the caller's identity policies; the account root is never let in by default
//
// Denials: the check renders AWS's AccessDenied message once (DenialMessage); each service wraps
// it in its own error (AccessDeniedException / AccessDenied), whose code and status its error
// table owns.
//
// Thread safety: safe for concurrent use. SetObserver must be called before the check is shared.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/common/caller.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "common/result.h"
#include "policy/document.h"
#include "policy/evaluate.h"
#include "policy/request_context.h"

namespace sealstack::api {

// --policy-mode: kEnforce denies; kAudit allows but logs what would have been denied; kOff skips
// authorization.
enum class PolicyMode { kEnforce, kAudit, kOff };

// Whose AccessDenied wording a denial uses.
enum class AccessService { kKms, kS3, kGlue, kCloudTrail, kIam, kSts };

enum class AccessRule { kIdentityOnly, kKeyPolicy, kBucketPolicy, kTrustPolicy };

// One authorization question.
struct AccessRequest {
  AccessService service = AccessService::kKms;
  AccessRule rule = AccessRule::kIdentityOnly;
  std::string action;            // "kms:Decrypt", "s3:PutObject", "glue:GetJob"
  std::string resource;          // the target ARN, or "*"
  std::string resource_account;  // the resource's owner; "" = the caller's account
  // The key policy (kKeyPolicy, required), bucket policy (kBucketPolicy, "" when none) or trust
  // policy (kTrustPolicy, required).
  std::string resource_policy;
  // The service's condition keys (names in any case), added after the global ones.
  std::vector<std::pair<std::string, std::string>> keys;
  // kKeyPolicy: the id of a grant that allows this call, if one does; asked at most once, only
  // when needed.
  std::function<std::optional<std::string>()> allowing_grant;
};

// The outcome of one check, owning everything it names (observers may keep it).
struct AccessDecision {
  AccessService service = AccessService::kKms;
  std::string principal_arn;
  std::string action;
  std::string resource;
  policy::Decision decision = policy::Decision::kImplicitDeny;  // never kAllowViaAccount
  policy::DecisionSource source = policy::DecisionSource::kIdentityPolicy;
  int policy_index = -1;  // the deciding identity policy (position in Principal::policies)
  std::optional<size_t> statement_index;  // the deciding statement, when there is one
  std::string statement_sid;
  std::string message;     // AWS's AccessDenied text; "" when allowed
  std::string request_id;  // the call's (Caller::request_id); "" for in-process questions

  // The explanation (filled when the check explains: an observer is installed, or Simulate).
  // The deciding policy: "key policy" (name: the key ARN), "bucket policy" (the bucket ARN),
  // "identity policy" (name: "#N", its position in the principal's policies), "grant" (name: the
  // grant id), "account root"; "" when nothing decided (an implicit deny).
  std::string policy_kind;
  std::string policy_name;
  // The request context the policies were evaluated against (lower-cased key -> values).
  std::vector<std::pair<std::string, std::vector<std::string>>> context;
  // For an implicit deny: the Allow statements that came closest, most parts matched first,
  // each with what failed first ("action", "principal", "resource", "condition ...").
  struct NearMiss {
    std::string policy_kind;
    std::string policy_name;
    size_t statement_index = 0;
    std::string sid;
    std::string failed;
  };
  std::vector<NearMiss> closest;
  // False only when --policy-mode let the call through without evaluating (kOff) or in spite of
  // a denial (kAudit).
  bool enforced = true;

  bool allowed() const { return decision == policy::Decision::kAllow; }
  // Whether the service must refuse the call.
  bool denied() const { return !allowed() && enforced; }
};

// AWS's AccessDenied message for `d` in the wording of `d.service` (`same_account`: whether the
// caller owns the resource; S3 tells another account only "Access Denied").
std::string DenialMessage(const AccessDecision& d, bool same_account);

class AccessCheck {
 public:
  using LogSink = std::function<void(const std::string& line)>;
  using Observer = std::function<void(AccessDecision&& decision)>;

  // `clock` gives aws:CurrentTime / aws:EpochTime (null: the system clock). `log` receives the
  // would-deny lines of kAudit (null: dropped).
  AccessCheck(PolicyMode mode, std::shared_ptr<const Clock> clock, LogSink log = nullptr);

  PolicyMode mode() const { return mode_; }

  // Called with every decision Check() makes, explained (GET /_sealstack/decisions records them).
  // REQUIRES: called before the check is used concurrently.
  void SetObserver(Observer observer) { observer_ = std::move(observer); }

  // The request context: principal, global aws:* keys, then `r.keys`.
  // REQUIRES: caller.principal != nullptr.
  policy::RequestContext Context(const Caller& caller, const AccessRequest& r) const;

  // Evaluates `r` as `caller`, whatever the policy mode, without telling the observer (e.g. the
  // KMS key-policy lockout check asks "would this policy still allow me?"). With `explain`, the
  // decision carries its explanation (policy_kind ... closest).
  AccessDecision Evaluate(const Caller& caller, const AccessRequest& r, bool explain = false);

  // The authorization of one call: Evaluate() under the policy mode, reported to the observer.
  // The call proceeds unless the result is denied().
  AccessDecision Check(const Caller& caller, const AccessRequest& r);

  // Check() of the question every Glue, CloudWatch Logs and CloudTrail call asks: may `caller` do
  // `action` ("glue:GetJob") on `resource` through its identity policies alone
  // (AccessRule::kIdentityOnly, no service condition keys); a denial is worded as `service`'s.
  AccessDecision CheckAction(const Caller& caller, AccessService service, std::string action,
                             std::string resource);

  // A policy document through the cache (keyed by kind and text); the parse error otherwise.
  Result<std::shared_ptr<const policy::PolicyDocument>> Parsed(std::string_view text,
                                                               policy::PolicyKind kind);

 private:
  const PolicyMode mode_;
  std::shared_ptr<const Clock> clock_;
  LogSink log_;
  Observer observer_;
  // Looked up by the text itself (a string_view; no copy of the policy per request).
  struct TextHash {
    using is_transparent = void;  // NOLINT(readability-identifier-naming): the standard name
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  using PolicyCache = std::unordered_map<std::string, std::shared_ptr<const policy::PolicyDocument>,
                                         TextHash, std::equal_to<>>;
  Mutex mu_;
  PolicyCache identity_cache_ GUARDED_BY(mu_);
  PolicyCache resource_cache_ GUARDED_BY(mu_);
};

}  // namespace sealstack::api
