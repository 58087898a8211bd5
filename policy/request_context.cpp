#include "policy/request_context.h"

#include "common/strings.h"

namespace sealstack::policy {

void RequestContext::Set(std::string_view name, std::string value) {
  std::vector<std::string>& v = keys[ToLower(name)];
  v.clear();
  v.push_back(std::move(value));
}

void RequestContext::Add(std::string_view name, std::string value) {
  keys[ToLower(name)].push_back(std::move(value));
}

const std::vector<std::string>* RequestContext::Find(std::string_view lower_name) const {
  auto it = keys.find(lower_name);
  if (it == keys.end() || it->second.empty()) return nullptr;
  return &it->second;
}

namespace {

void SetIfAbsent(RequestContext* ctx, std::string_view lower_name, std::string value) {
  if (ctx->Find(lower_name) == nullptr) ctx->Set(lower_name, std::move(value));
}

// The text after the last '/' of an ARN's resource part.
std::string_view LastSegment(std::string_view arn) {
  size_t slash = arn.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : arn.substr(slash + 1);
}

}  // namespace

void AddPrincipalConditionKeys(RequestContext* ctx) {
  const std::string& account = ctx->principal_account;
  switch (ctx->principal_kind) {
    case PrincipalKind::kAnonymous:
      SetIfAbsent(ctx, "aws:principaltype", "Anonymous");
      return;
    case PrincipalKind::kService:
      if (!ctx->service_principal.empty()) {
        SetIfAbsent(ctx, "aws:principalservicename", ctx->service_principal);
      }
      return;
    case PrincipalKind::kAccountRoot:
      SetIfAbsent(ctx, "aws:principaltype", "Account");
      SetIfAbsent(ctx, "aws:userid", account);
      break;
    case PrincipalKind::kUser:
      SetIfAbsent(ctx, "aws:principaltype", "User");
      SetIfAbsent(ctx, "aws:username", std::string(LastSegment(ctx->principal_arn)));
      SetIfAbsent(ctx, "aws:userid", std::string(LastSegment(ctx->principal_arn)));
      break;
    case PrincipalKind::kRole:
    case PrincipalKind::kAssumedRole: {
      SetIfAbsent(ctx, "aws:principaltype", "AssumedRole");
      // assumed-role/ROLE/SESSION -> "ROLE:SESSION" (AWS uses the role's unique id).
      std::string_view arn = ctx->principal_arn;
      size_t a = arn.find("assumed-role/");
      if (a != std::string_view::npos) {
        std::string id(arn.substr(a + 13));
        size_t slash = id.find('/');
        if (slash != std::string::npos) id[slash] = ':';
        SetIfAbsent(ctx, "aws:userid", std::move(id));
      }
      break;
    }
    case PrincipalKind::kFederatedUser:
      SetIfAbsent(ctx, "aws:principaltype", "FederatedUser");
      break;
    case PrincipalKind::kWebIdentityUser:
      SetIfAbsent(ctx, "aws:principaltype", "WebIdentityUser");
      break;
  }
  if (!account.empty()) SetIfAbsent(ctx, "aws:principalaccount", account);
  const std::string& arn =
      (ctx->principal_kind == PrincipalKind::kAssumedRole && !ctx->role_arn.empty())
          ? ctx->role_arn
          : ctx->principal_arn;
  if (!arn.empty()) SetIfAbsent(ctx, "aws:principalarn", arn);
}

}  // namespace sealstack::policy
