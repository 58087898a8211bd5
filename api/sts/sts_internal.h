// What the STS operations share (internal to api/sts): the Query parameters, AWS's validation
// and error answers, the role-request members AssumeRole and AssumeRoleWithWebIdentity have in
// common, and the credentials response.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/common/xml_writer.h"
#include "api/sts/sts_service.h"

namespace sealstack::api::sts {

using Params = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kStsXmlns = "https://sts.amazonaws.com/doc/2011-06-15/";

std::optional<std::string> Param(const Params& params, std::string_view name);

// An STS error answer (Query protocol).
ApiResponse StsError(int status, std::string code, std::string message, const RequestIds& ids);

// AWS's "1 validation error detected: Value 'V' at 'member' failed to satisfy constraint: C"
// (a value with data() == nullptr is written as null).
ApiResponse Validation(std::string_view value, std::string_view member, std::string_view constraint,
                       const RequestIds& ids);

// AWS's length constraint of one member (nullopt: min <= value.size() <= max).
std::optional<ApiResponse> LengthError(std::string_view value, std::string_view member, size_t min,
                                       size_t max, const RequestIds& ids);

// A RoleSessionName or SourceIdentity: 2..64 characters of [\w+=,.@-] (nullopt: valid).
std::optional<ApiResponse> SessionNameError(std::string_view value, std::string_view member,
                                            const RequestIds& ids);

// DurationSeconds when given: a number of at least 900 and at most `max` (nullopt: valid,
// *out set; absent: *out unchanged).
std::optional<ApiResponse> ParseDuration(const Params& params, int64_t max, const RequestIds& ids,
                                         int64_t* out);

// RoleArn, RoleSessionName and DurationSeconds of AssumeRole / AssumeRoleWithWebIdentity.
struct RoleRequest {
  std::string role_arn;
  std::string session_name;
  int64_t duration = 3600;
  bool duration_given = false;
};

// The role request's members, validated as AWS does (nullopt: valid, *out filled).
std::optional<ApiResponse> ParseRoleRequest(const Params& params, const RequestIds& ids,
                                            RoleRequest* out);

// Policy and PolicyArns into context->session_policies (nullopt: valid).
std::optional<ApiResponse> ParseSessionPolicies(const StsDependencies& deps, const Params& params,
                                                const RequestIds& ids,
                                                iam::SessionContext* context);

// <ACTION>Response/<ACTION>Result with Credentials, AssumedRoleUser (when the credentials name
// a role session), then what `more` writes.
ApiResponse RoleCredentialsResponse(const std::string& action, const iam::SessionCredentials& creds,
                                    const std::function<void(XmlWriter&)>& more,
                                    const RequestIds& ids);

// The role a RoleArn names (nullopt: found, *out set). An ARN that is not a role's:
// ValidationError; no such role: AccessDenied `denied` (AWS does not tell it from a trust policy
// that says no).
std::optional<ApiResponse> FindTargetRole(const StsDependencies& deps, const RoleRequest& req,
                                          const std::string& denied, const RequestIds& ids,
                                          iam::Role* out);

// ValidationError when DurationSeconds exceeds the role's MaxSessionDuration.
std::optional<ApiResponse> CheckMaxSession(const RoleRequest& req, const iam::Role& role,
                                           const RequestIds& ids);

// The trust-policy request for `action` on `role` (its condition keys are the caller's to add).
AccessRequest TrustRequest(const iam::Role& role, std::string_view action);

// Issues the session of `req` on `role` (iam::Service::CreateRoleSession): first the packed size
// of the session policies (Policy, PolicyArns in `params`) and the session's tags (context.tags,
// inherited transitive ones included) — PackedPolicyTooLarge when over 100% —, then names the
// role in the audit event and sets its responseElements to `event_json(credentials)` before the
// session is stored; answers <ACTION>Response with the credentials, what `more` writes and
// PackedPolicySize (when anything was counted).
ApiResponse IssueRoleSession(
    const StsDependencies& deps, const std::string& action, const iam::Role& role,
    const RoleRequest& req, const Params& params, const iam::SessionContext& context,
    const std::function<std::string(const iam::SessionCredentials&)>& event_json,
    const std::function<void(XmlWriter&)>& more, const RequestIds& ids);

// The trust-policy decision of `r` (AccessRule::kTrustPolicy) for `caller`, also written to the
// pending audit event as additionalEventData {"trustDecision": ...}.
AccessDecision CheckTrust(const StsDependencies& deps, const Caller& caller,
                          const AccessRequest& r);

// The audit event's responseElements for issued role credentials: the key id, expiry and the
// assumed role user; never the secret or the token.
std::string CredentialsEventJson(const iam::SessionCredentials& creds);

// STS AssumeRoleWithWebIdentity (sts_web_identity.cpp): unsigned; `caller` carries only the
// request's facts (region, source IP, user agent), its principal is ignored.
ApiResponse AssumeRoleWithWebIdentity(const StsDependencies& deps, const Caller& caller,
                                      const Params& params, const RequestIds& ids);

}  // namespace sealstack::api::sts
