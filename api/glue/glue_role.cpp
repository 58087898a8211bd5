#include "api/glue/glue_role.h"

#include "api/glue/glue_errors.h"
#include "common/time_format.h"
#include "crypto/digest.h"
#include "policy/document.h"
#include "policy/evaluate.h"

namespace sealstack::api::glue {

namespace {

constexpr const char* kGluePrincipal = "glue.amazonaws.com";

std::string RandomToken(crypto::RandomSource& r, size_t n, std::string_view alphabet) {
  auto bytes = r.Bytes(n);
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    unsigned char b = bytes.ok() ? static_cast<unsigned char>((*bytes)[i]) : 0;
    out += alphabet[b % alphabet.size()];
  }
  return out;
}

// A configured role's session: minted here, as the configuration's roles have no IAM entity.
Result<auth::Principal> ConfiguredSession(crypto::RandomSource& random, const auth::Principal& role,
                                          const GlueSessionRequest& request) {
  auth::Principal session;
  session.access_key_id = "ASIA" + RandomToken(random, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
  session.secret_access_key = crypto::SecretBytes(
      RandomToken(random, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"));
  SEALSTACK_ASSIGN_OR_RETURN(std::string token_raw, random.Bytes(96));
  session.session_token = "IQoJb3JpZ2luX2VjE" + crypto::Base64(token_raw);
  session.expires = request.expires;
  session.arn = "arn:aws:sts::" + role.account + ":assumed-role/" + role.name + "/" +
                request.session_name.substr(0, 64);
  session.account = role.account;
  session.type = auth::PrincipalType::kAssumedRole;
  session.name = role.name;
  session.policies = role.policies;
  session.session_object_encryption = request.object_encryption;
  return session;
}

}  // namespace

Result<GlueRole> FindGlueRole(iam::Service* iam, const auth::PrincipalStore& store,
                              const std::string& account, const std::string& role) {
  std::string arn = role;
  if (role.rfind("arn:", 0) != 0) arn = "arn:aws:iam::" + account + ":role/" + role;
  auto parsed = auth::ParsePrincipalArn(arn);
  if (parsed.ok() && parsed->type == auth::PrincipalType::kRole && iam != nullptr) {
    Result<iam::Role> found = iam->FindRole(parsed->account, parsed->name);
    // A role name matches whatever the role's path; an ARN must name its path too. A configured
    // role (also answered by IAM) is assumed below, with a session minted here.
    if (found.ok() && !found->configured && (role.rfind("arn:", 0) != 0 || found->arn == arn)) {
      GlueRole out;
      out.arn = found->arn;
      out.account = found->account;
      out.name = found->name;
      out.iam = std::move(*found);
      return out;
    }
  }
  auto p = store.FindByArn(arn);
  if (p == nullptr || p->type != auth::PrincipalType::kRole) {
    return InvalidInput("Role " + arn +
                        " is not a role SealStack knows: create it with IAM CreateRole, or list "
                        "it under \"principals\" in the --config file (an ARN of the form "
                        "arn:aws:iam::ACCOUNT:role/NAME)");
  }
  GlueRole out;
  out.arn = p->arn;
  out.account = p->account;
  out.name = p->name;
  out.configured = std::move(p);
  return out;
}

bool GlueMayAssume(const GlueRole& role, const std::string& source_arn, SystemTime now) {
  if (!role.iam) return true;
  auto trust = policy::ParsePolicy(role.iam->trust_policy, policy::PolicyKind::kResource);
  if (!trust.ok()) return false;
  policy::RequestContext ctx;
  ctx.principal_kind = policy::PrincipalKind::kService;
  ctx.service_principal = kGluePrincipal;
  ctx.action = "sts:AssumeRole";
  ctx.resource = role.arn;
  ctx.resource_account = role.account;
  ctx.Set("aws:CurrentTime", FormatIso8601(now));
  ctx.Set("aws:EpochTime",
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()));
  ctx.Set("aws:SourceAccount", role.account);
  if (!source_arn.empty()) ctx.Set("aws:SourceArn", source_arn);
  ctx.Set("aws:PrincipalServiceName", kGluePrincipal);
  return policy::Evaluate(*trust, ctx).decision == policy::Decision::kAllow;
}

std::string TrustRefusal(const GlueRole& role) {
  return "Service is unable to assume role " + role.arn + ". Please verify role's TrustPolicy";
}

Result<std::shared_ptr<const auth::Principal>> AssumeGlueRole(iam::Service* iam,
                                                              auth::PrincipalStore& store,
                                                              crypto::RandomSource& random,
                                                              const GlueRole& role,
                                                              const GlueSessionRequest& request) {
  if (role.iam && iam != nullptr) {
    SEALSTACK_ASSIGN_OR_RETURN(
        iam::SessionCredentials creds,
        iam->CreateRoleSession(*role.iam, request.session_name.substr(0, 64), request.expires));
    store.SetSessionExtras(creds.access_key_id, request.object_encryption);
    auto session = store.FindByAccessKey(creds.access_key_id);
    if (session == nullptr) {
      return GlueError(ErrorKind::kInternal, "the role session of " + role.arn + " is not found");
    }
    return session;
  }
  SEALSTACK_ASSIGN_OR_RETURN(auth::Principal session,
                             ConfiguredSession(random, *role.configured, request));
  SEALSTACK_RETURN_IF_ERROR(store.Put(session));
  return store.FindByAccessKey(session.access_key_id);
}

std::shared_ptr<const auth::Principal> CurrentSession(const auth::PrincipalStore& store,
                                                      const auth::Principal& session) {
  return store.FindByAccessKey(session.access_key_id);
}

void EndGlueSession(auth::PrincipalStore& store, const auth::Principal& session) {
  if (!store.Remove(session.access_key_id).ok()) store.EndSession(session.access_key_id);
}

}  // namespace sealstack::api::glue
