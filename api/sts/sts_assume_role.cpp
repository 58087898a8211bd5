// STS AssumeRole for the roles of iam::Service.
//
//   caller ──► validate (RoleArn, RoleSessionName, DurationSeconds, ExternalId)
//          ──► the role (a missing role is an AccessDenied, as on AWS)
//          ──► the trust policy (AccessRule::kTrustPolicy: a statement naming the caller
//              allows; one naming only the caller's account delegates to the caller's identity
//              policies, which must allow sts:AssumeRole), with
//              sts:ExternalId and sts:RoleSessionName as condition keys
//          ──► session policies (Policy, PolicyArns: the default versions of managed policies)
//          ──► session tags (Tags, TransitiveTagKeys; a calling session's transitive tags pass
//              on) and SourceIdentity (kept from a calling session): the trust policy must also
//              allow sts:TagSession / sts:SetSourceIdentity, with aws:RequestTag/*, aws:TagKeys,
//              sts:TransitiveTagKeys and sts:SourceIdentity as condition keys; a new tag may not
//              replace an inherited transitive one (InvalidParameterValue)
//          ──► the packed size of session policies and tags (PackedPolicyTooLarge over 100%)
//          ──► iam::Service::CreateRoleSession (ASIA key, secret, token; expiry on the server
//          clock; the session policies kept with the session, intersected at every request)
#include <algorithm>
#include <charconv>
#include <chrono>

#include "api/common/query_audit.h"
#include "api/common/query_response.h"
#include "api/common/xml_writer.h"
#include "api/sts/sts_internal.h"
#include "audit/pending_call.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "policy/document.h"

namespace sealstack::api::sts {

namespace {

constexpr int64_t kMinDuration = 900;
constexpr int64_t kMaxDuration = 43200;
constexpr int64_t kChainedMax = 3600;
constexpr size_t kMaxSessionPolicy = 2048;
constexpr size_t kMaxSessionPolicyArns = 10;
constexpr size_t kMaxSessionTags = 50;
constexpr int64_t kMaxUserSession = 129600;
// What the packed form of a session's policies and tags may hold, in SealStack's count of bytes
// (PackedBytes; docs/iam.md, "Packed session policies and tags").
constexpr size_t kPackedPolicyLimit = 4096;

}  // namespace

std::optional<std::string> Param(const Params& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return std::nullopt;
}

namespace {

bool HasParamPrefix(const Params& params, std::string_view prefix) {
  for (const auto& [k, v] : params) {
    if (k.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

}  // namespace

ApiResponse StsError(int status, std::string code, std::string message, const RequestIds& ids) {
  return RenderError(
      Protocol::kQuery,
      {.http_status = status, .code = std::move(code), .message = std::move(message)}, ids);
}

ApiResponse Validation(std::string_view value, std::string_view member, std::string_view constraint,
                       const RequestIds& ids) {
  std::string message = "1 validation error detected: Value ";
  if (value.data() == nullptr) {
    message += "null";
  } else {
    message += '\'';
    message += value;
    message += '\'';
  }
  message += " at '";
  message += member;
  message += "' failed to satisfy constraint: ";
  message += constraint;
  return StsError(400, "ValidationError", std::move(message), ids);
}

std::optional<ApiResponse> LengthError(std::string_view value, std::string_view member, size_t min,
                                       size_t max, const RequestIds& ids) {
  if (value.size() < min) {
    return Validation(value, member,
                      "Member must have length greater than or equal to " + std::to_string(min),
                      ids);
  }
  if (value.size() > max) {
    return Validation(value, member,
                      "Member must have length less than or equal to " + std::to_string(max), ids);
  }
  return std::nullopt;
}

namespace {

bool IsSessionNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}

}  // namespace

std::optional<ApiResponse> SessionNameError(std::string_view value, std::string_view member,
                                            const RequestIds& ids) {
  if (auto err = LengthError(value, member, 2, 64, ids)) return err;
  if (!std::all_of(value.begin(), value.end(), IsSessionNameChar)) {
    return Validation(value, member, "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
                      ids);
  }
  return std::nullopt;
}

std::optional<ApiResponse> ParseDuration(const Params& params, int64_t max, const RequestIds& ids,
                                         int64_t* out) {
  const std::optional<std::string> d = Param(params, "DurationSeconds");
  if (!d) return std::nullopt;
  auto [ptr, ec] = std::from_chars(d->data(), d->data() + d->size(), *out);
  if (ec != std::errc() || ptr != d->data() + d->size()) {
    return Validation(*d, "durationSeconds", "Member must be a number", ids);
  }
  if (*out < kMinDuration) {
    return Validation(
        *d, "durationSeconds",
        "Member must have value greater than or equal to " + std::to_string(kMinDuration), ids);
  }
  if (*out > max) {
    return Validation(*d, "durationSeconds",
                      "Member must have value less than or equal to " + std::to_string(max), ids);
  }
  return std::nullopt;
}

std::optional<ApiResponse> ParseRoleRequest(const Params& params, const RequestIds& ids,
                                            RoleRequest* out) {
  const std::optional<std::string> role_arn = Param(params, "RoleArn");
  const std::optional<std::string> session = Param(params, "RoleSessionName");
  if (!role_arn) return Validation({}, "roleArn", "Member must not be null", ids);
  if (!session) return Validation({}, "roleSessionName", "Member must not be null", ids);
  if (auto err = LengthError(*role_arn, "roleArn", 20, 2048, ids)) return err;
  if (auto err = SessionNameError(*session, "roleSessionName", ids)) return err;
  out->role_arn = *role_arn;
  out->session_name = *session;
  out->duration = 3600;
  out->duration_given = Param(params, "DurationSeconds").has_value();
  return ParseDuration(params, kMaxDuration, ids, &out->duration);
}

std::optional<ApiResponse> FindTargetRole(const StsDependencies& deps, const RoleRequest& req,
                                          const std::string& denied, const RequestIds& ids,
                                          iam::Role* out) {
  auto parsed = auth::ParsePrincipalArn(req.role_arn);
  if (!parsed.ok() || parsed->type != auth::PrincipalType::kRole) {
    return StsError(400, "ValidationError", req.role_arn + " is invalid", ids);
  }
  Result<iam::Role> role = deps.iam->FindRole(parsed->account, parsed->name);
  if (!role.ok() || role->arn != req.role_arn) return StsError(403, "AccessDenied", denied, ids);
  *out = std::move(*role);
  return std::nullopt;
}

std::optional<ApiResponse> CheckMaxSession(const RoleRequest& req, const iam::Role& role,
                                           const RequestIds& ids) {
  if (req.duration <= role.max_session_duration) return std::nullopt;
  return StsError(400, "ValidationError",
                  "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                  ids);
}

AccessRequest TrustRequest(const iam::Role& role, std::string_view action) {
  AccessRequest r;
  r.service = AccessService::kSts;
  r.rule = AccessRule::kTrustPolicy;
  r.action = std::string(action);
  r.resource = role.arn;
  r.resource_account = role.account;
  r.resource_policy = role.trust_policy;
  return r;
}

size_t PackedBytes(const Params& params, const std::vector<iam::Tag>& tags) {
  size_t n = 0;
  for (char ch : Param(params, "Policy").value_or("")) {
    n += (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r') ? 0 : 1;
  }
  for (int i = 1;; ++i) {
    auto arn = Param(params, "PolicyArns.member." + std::to_string(i) + ".arn");
    if (!arn) break;
    n += arn->size();
  }
  for (const iam::Tag& t : tags) n += t.key.size() + t.value.size();
  return n;
}

ApiResponse IssueRoleSession(
    const StsDependencies& deps, const std::string& action, const iam::Role& role,
    const RoleRequest& req, const Params& params, const iam::SessionContext& context,
    const std::function<std::string(const iam::SessionCredentials&)>& event_json,
    const std::function<void(XmlWriter&)>& more, const RequestIds& ids) {
  // AWS's PackedPolicySize: a percentage, rounded up, of what the packed form may hold.
  const size_t packed = PackedBytes(params, context.tags);
  const size_t percent = (packed * 100 + kPackedPolicyLimit - 1) / kPackedPolicyLimit;
  if (percent > 100) {
    return StsError(400, "PackedPolicyTooLarge",
                    "Packed policy consumes " + std::to_string(percent) +
                        "% of allotted space, please use smaller policy for this operation.",
                    ids);
  }
  if (audit::PendingCall* call = audit::PendingCall::Current()) {
    call->event().resources.push_back({role.arn, role.account, "AWS::IAM::Role"});
  }
  const SystemTime expires = deps.clock->Now() + std::chrono::seconds(req.duration);
  // The event's responseElements, set before the session's transaction writes it: the key id and
  // expiry (the ASIA id is drawn first), never the secret or the token.
  Result<iam::SessionCredentials> creds = deps.iam->CreateRoleSession(
      role, req.session_name, expires, context, [&](const iam::SessionCredentials& c) {
        if (audit::PendingCall* call = audit::PendingCall::Current()) {
          call->event().response_elements = event_json(c);
        }
      });
  if (!creds.ok()) {
    return RenderError(Protocol::kQuery, InternalWireError(Protocol::kQuery), ids);
  }
  return RoleCredentialsResponse(
      action, *creds,
      [&](XmlWriter& x) {
        if (more) more(x);
        if (packed > 0) x.Element("PackedPolicySize", std::to_string(percent));
      },
      ids);
}

std::optional<ApiResponse> ParseSessionPolicies(const StsDependencies& deps, const Params& params,
                                                const RequestIds& ids,
                                                iam::SessionContext* context) {
  if (const std::optional<std::string> policy = Param(params, "Policy")) {
    if (auto err = LengthError(*policy, "policy", 1, kMaxSessionPolicy, ids)) return err;
    auto parsed = policy::ParsePolicy(*policy, policy::PolicyKind::kIdentity);
    if (!parsed.ok()) {
      return StsError(400, "MalformedPolicyDocument", parsed.status().message(), ids);
    }
    context->session_policies.push_back(*policy);
    context->has_session_policy = true;
  }
  std::vector<std::string> policy_arns;
  for (int i = 1;; ++i) {
    auto arn = Param(params, "PolicyArns.member." + std::to_string(i) + ".arn");
    if (!arn) break;
    policy_arns.push_back(*arn);
  }
  if (policy_arns.size() > kMaxSessionPolicyArns) {
    return Validation("[...]", "policyArns", "Member must have length less than or equal to 10",
                      ids);
  }
  for (const std::string& arn : policy_arns) {
    if (arn.size() < 20 || arn.size() > 2048) {
      return Validation(arn, "policyArns.member.arn",
                        "Member must have length greater than or equal to 20", ids);
    }
    context->has_session_policy = true;
    // A policy that does not exist contributes nothing (never more than asked for).
    Result<std::string> doc = deps.iam->ManagedPolicyDocument(arn);
    if (doc.ok()) context->session_policies.push_back(std::move(*doc));
  }
  return std::nullopt;
}

ApiResponse RoleCredentialsResponse(const std::string& action, const iam::SessionCredentials& creds,
                                    const std::function<void(XmlWriter&)>& more,
                                    const RequestIds& ids) {
  return QueryResponse(kStsXmlns, action, ids, [&](XmlWriter& x) {
    x.Open("Credentials")
        .Element("AccessKeyId", creds.access_key_id)
        .Element("SecretAccessKey", creds.secret.view())
        .Element("SessionToken", creds.session_token)
        .Element("Expiration", FormatIso8601(creds.expires))
        .Close();
    if (!creds.assumed_role_arn.empty()) {
      x.Open("AssumedRoleUser")
          .Element("AssumedRoleId", creds.assumed_role_id)
          .Element("Arn", creds.assumed_role_arn)
          .Close();
    }
    if (more) more(x);
  });
}

AccessDecision CheckTrust(const StsDependencies& deps, const Caller& caller,
                          const AccessRequest& r) {
  AccessDecision d = deps.access->Check(caller, r);
  if (audit::PendingCall* call = audit::PendingCall::Current()) {
    call->event().additional_event_data = std::string(R"({"trustDecision":")") +
                                          std::string(policy::DecisionName(d.decision)) + R"("})";
  }
  return d;
}

std::string CredentialsEventJson(const iam::SessionCredentials& c) {
  return R"({"credentials":{"accessKeyId":")" + c.access_key_id + R"(","expiration":")" +
         FormatIso8601(c.expires) + R"("},"assumedRoleUser":{"assumedRoleId":")" +
         c.assumed_role_id + R"(","arn":")" + c.assumed_role_arn + R"("}})";
}

namespace {

ApiResponse AssumeRole(const StsDependencies& deps, const Caller& caller, const Params& params,
                       const RequestIds& ids) {
  const auth::Principal& p = *caller.principal;
  RoleRequest req;
  if (auto err = ParseRoleRequest(params, ids, &req)) return *err;
  const std::optional<std::string> external_id = Param(params, "ExternalId");
  if (external_id) {
    if (auto err = LengthError(*external_id, "externalId", 2, 1224, ids)) return *err;
  }
  // What SealStack does not apply yet is refused rather than ignored: ignoring a session policy
  // would grant more than the caller asked for.
  for (std::string_view unsupported : {"SerialNumber", "TokenCode", "ProvidedContexts.member."}) {
    if (HasParamPrefix(params, unsupported)) {
      return StsError(501, "NotImplemented",
                      "SealStack does not support the AssumeRole parameter " +
                          std::string(unsupported.substr(0, unsupported.find('.'))) + " yet.",
                      ids);
    }
  }

  // Session policies: the session may do only what they (together) and the role allow.
  iam::SessionContext context;
  if (auto err = ParseSessionPolicies(deps, params, ids, &context)) return *err;

  // Session tags, transitive tag keys and the source identity.
  for (int i = 1;; ++i) {
    const std::string base = "Tags.member." + std::to_string(i);
    auto key = Param(params, base + ".Key");
    if (!key) break;
    const std::string value = Param(params, base + ".Value").value_or("");
    if (auto err =
            LengthError(*key, "tags.member." + std::to_string(i) + ".member.key", 1, 128, ids)) {
      return *err;
    }
    if (value.size() > 256) {
      return Validation(value, "tags.member." + std::to_string(i) + ".member.value",
                        "Member must have length less than or equal to 256", ids);
    }
    context.tags.push_back({*key, value});
  }
  if (context.tags.size() > kMaxSessionTags) {
    return Validation("[...]", "tags", "Member must have length less than or equal to 50", ids);
  }
  for (int i = 1;; ++i) {
    auto key = Param(params, "TransitiveTagKeys.member." + std::to_string(i));
    if (!key) break;
    const bool tagged = std::any_of(context.tags.begin(), context.tags.end(),
                                    [&](const iam::Tag& t) { return t.key == *key; });
    if (!tagged) {
      return StsError(400, "InvalidParameterValue",
                      "The specified transitive tag key must be included in the requested tags.",
                      ids);
    }
    context.transitive_tag_keys.push_back(*key);
  }
  const std::optional<std::string> source_identity = Param(params, "SourceIdentity");
  if (source_identity) {
    if (auto err = SessionNameError(*source_identity, "sourceIdentity", ids)) return *err;
  }
  // A session assuming a role passes on its transitive tags and its source identity.
  if (p.type == auth::PrincipalType::kAssumedRole) {
    for (const std::string& k : p.transitive_tag_keys) {
      for (const auto& [tk, tv] : p.tags) {
        if (tk != k) continue;
        if (std::any_of(context.tags.begin(), context.tags.end(),
                        [&](const iam::Tag& t) { return ToLower(t.key) == ToLower(k); })) {
          // AWS refuses a session tag that would replace an inherited transitive one.
          return StsError(400, "InvalidParameterValue",
                          "The session tag " + k +
                              " collides with a transitive tag of the calling session; "
                              "a transitive tag cannot be overridden.",
                          ids);
        }
        context.tags.push_back({tk, tv});
        if (std::find(context.transitive_tag_keys.begin(), context.transitive_tag_keys.end(), k) ==
            context.transitive_tag_keys.end()) {
          context.transitive_tag_keys.push_back(k);
        }
      }
    }
    if (!p.source_identity.empty() && source_identity && *source_identity != p.source_identity) {
      return StsError(403, "AccessDenied",
                      "The source identity cannot be changed: the calling session has source "
                      "identity " +
                          p.source_identity + ".",
                      ids);
    }
  }
  context.source_identity = source_identity.value_or(p.source_identity);

  if (p.type == auth::PrincipalType::kRoot) {
    return StsError(403, "AccessDenied", "Roles may not be assumed by root accounts.", ids);
  }
  const std::string denied =
      "User: " + p.arn +
      " is not authorized to perform: sts:AssumeRole on resource: " + req.role_arn;
  iam::Role target;
  if (auto err = FindTargetRole(deps, req, denied, ids, &target)) return *err;
  const iam::Role* const role = &target;
  if (p.type == auth::PrincipalType::kAssumedRole && req.duration_given &&
      req.duration > kChainedMax) {
    return StsError(400, "ValidationError",
                    "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                    "assumed by role chaining.",
                    ids);
  }
  if (auto err = CheckMaxSession(req, *role, ids)) return *err;
  if (deps.access != nullptr) {
    AccessRequest r = TrustRequest(*role, "sts:AssumeRole");
    r.keys.emplace_back("sts:RoleSessionName", req.session_name);
    if (external_id) r.keys.emplace_back("sts:ExternalId", *external_id);
    for (const iam::Tag& t : context.tags) {
      r.keys.emplace_back("aws:RequestTag/" + t.key, t.value);
      r.keys.emplace_back("aws:TagKeys", t.key);
    }
    for (const std::string& k : context.transitive_tag_keys) {
      r.keys.emplace_back("sts:TransitiveTagKeys", k);
    }
    if (!context.source_identity.empty()) {
      r.keys.emplace_back("sts:SourceIdentity", context.source_identity);
    }
    if (CheckTrust(deps, caller, r).denied()) return StsError(403, "AccessDenied", denied, ids);
    // Tags and a source identity need their own permissions in the trust policy.
    auto refused = [&](const char* action) {
      AccessRequest extra = r;
      extra.action = action;
      return deps.access->Check(caller, extra).denied();
    };
    const std::string on = " on resource: " + role->arn;
    if (!context.tags.empty() && refused("sts:TagSession")) {
      return StsError(403, "AccessDenied",
                      "User: " + p.arn + " is not authorized to perform: sts:TagSession" + on, ids);
    }
    if (source_identity && refused("sts:SetSourceIdentity")) {
      return StsError(
          403, "AccessDenied",
          "User: " + p.arn + " is not authorized to perform: sts:SetSourceIdentity" + on, ids);
    }
  }

  return IssueRoleSession(deps, "AssumeRole", *role, req, params, context, CredentialsEventJson,
                          nullptr, ids);
}

// GetSessionToken: temporary credentials of the calling IAM user (or account root) itself,
// 900..129600 seconds (root: at most 3600), default 43200 (root: 3600).
ApiResponse GetSessionToken(const StsDependencies& deps, const Caller& caller, const Params& params,
                            const RequestIds& ids) {
  const auth::Principal& p = *caller.principal;
  if (p.type == auth::PrincipalType::kAssumedRole || !p.session_token.empty()) {
    return StsError(403, "AccessDenied", "Cannot call GetSessionToken with session credentials",
                    ids);
  }
  const bool root = p.type == auth::PrincipalType::kRoot;
  int64_t duration = root ? 3600 : 43200;
  if (auto err = ParseDuration(params, kMaxUserSession, ids, &duration)) return *err;
  if (root && duration > kChainedMax) duration = kChainedMax;  // AWS caps the root silently
  for (std::string_view unsupported : {"SerialNumber", "TokenCode"}) {
    if (Param(params, unsupported)) {
      return StsError(501, "NotImplemented",
                      "SealStack does not support the GetSessionToken parameter " +
                          std::string(unsupported) + " yet.",
                      ids);
    }
  }
  Result<iam::SessionCredentials> creds =
      deps.iam->CreateUserSession(p, deps.clock->Now() + std::chrono::seconds(duration));
  if (!creds.ok() && creds.status().code() == StatusCode::kUnimplemented) {
    return StsError(501, "NotImplemented",
                    "SealStack issues session tokens to IAM users and the account root only; " +
                        p.arn + " comes from the --config file.",
                    ids);
  }
  if (!creds.ok()) return RenderError(Protocol::kQuery, InternalWireError(Protocol::kQuery), ids);
  return RoleCredentialsResponse("GetSessionToken", *creds, nullptr, ids);
}

// GetAccessKeyInfo: the account an access key belongs to (IAM's keys and sessions; any other
// key is the caller's account, as SealStack's config keys carry no account of their own).
ApiResponse GetAccessKeyInfo(const StsDependencies& deps, const Caller& caller,
                             const Params& params, const RequestIds& ids) {
  const std::optional<std::string> key = Param(params, "AccessKeyId");
  if (!key) return Validation({}, "accessKeyId", "Member must not be null", ids);
  if (auto err = LengthError(*key, "accessKeyId", 16, 128, ids)) return *err;
  std::shared_ptr<const auth::Principal> owner = deps.iam->FindByAccessKey(*key);
  const std::string account = owner ? owner->account : caller.principal->account;
  return QueryResponse(kStsXmlns, "GetAccessKeyInfo", ids,
                       [&](XmlWriter& x) { x.Element("Account", account); });
}

}  // namespace

ApiResponse HandleStsQuery(const StsDependencies& deps, const Caller& caller, const Params& params,
                           const RequestIds& ids) {
  const std::optional<std::string> action = Param(params, "Action");
  if (deps.recorder != nullptr && action &&
      (*action == "AssumeRole" || *action == "GetSessionToken" || *action == "GetAccessKeyInfo" ||
       *action == "AssumeRoleWithWebIdentity")) {
    StsDependencies inner = deps;
    inner.recorder = nullptr;
    // The web identity token is a credential: it stays out of the record, as on AWS.
    Params recorded = params;
    std::erase_if(recorded, [](const auto& kv) { return kv.first == "WebIdentityToken"; });
    Caller recorded_caller = caller;
    if (!recorded_caller.principal) {  // unsigned: the token names the caller once it is read
      auto web = std::make_shared<auth::Principal>();
      web->type = auth::PrincipalType::kWebIdentityUser;
      auto role = auth::ParsePrincipalArn(Param(params, "RoleArn").value_or(""));
      if (role.ok()) web->account = role->account;
      recorded_caller.principal = std::move(web);
    }
    audit::PendingCall call(
        deps.recorder,
        QueryEvent(recorded_caller, "sts.amazonaws.com", *action,
                   caller.region.empty() ? "us-east-1" : caller.region, recorded, ids));
    call.event().read_only = *action == "GetAccessKeyInfo";
    ApiResponse out = HandleStsQuery(inner, caller, params, ids);
    FinishQueryCall(call, out);
    return out;
  }
  const std::optional<std::string> version = Param(params, "Version");
  if (action && deps.iam != nullptr && deps.clock != nullptr &&
      (!version || *version == "2011-06-15")) {
    if (*action == "AssumeRoleWithWebIdentity") {
      return AssumeRoleWithWebIdentity(deps, caller, params, ids);
    }
    if (*action == "AssumeRole") return AssumeRole(deps, caller, params, ids);
    if (*action == "GetSessionToken") return GetSessionToken(deps, caller, params, ids);
    if (*action == "GetAccessKeyInfo") return GetAccessKeyInfo(deps, caller, params, ids);
  }
  if (!caller.principal) {  // an unsigned request that is not a web identity call
    return InvalidActionError(action.value_or(""), version, ids);
  }
  return HandleQuery(*caller.principal, params, ids);
}

}  // namespace sealstack::api::sts
