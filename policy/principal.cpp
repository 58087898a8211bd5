#include "policy/principal.h"

#include <algorithm>

#include "common/identifiers.h"
#include "common/name_table.h"
#include "common/strings.h"

namespace sealstack::policy {

namespace {

bool Contains(const std::vector<std::string>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

constexpr NameEntry<PrincipalType> kPrincipalTypeNames[] = {
    {PrincipalType::kAws, "AWS"},
    {PrincipalType::kService, "Service"},
    {PrincipalType::kFederated, "Federated"},
    {PrincipalType::kCanonicalUser, "CanonicalUser"},
};

}  // namespace

std::string_view PrincipalTypeName(PrincipalType type) {
  return NameOf(kPrincipalTypeNames, type, "?");
}

std::optional<PrincipalType> ParsePrincipalType(std::string_view name) {
  return ValueOf(kPrincipalTypeNames, name);
}

PrincipalSet PrincipalSet::Anyone() {
  PrincipalSet p;
  p.anyone_ = true;
  return p;
}

bool PrincipalSet::empty() const {
  return !anyone_ && accounts_.empty() && roles_.empty() && exact_.empty() && services_.empty() &&
         federated_.empty() && canonical_.empty();
}

Status PrincipalSet::Add(PrincipalType type, std::string_view value) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("invalid " + std::string(PrincipalTypeName(type)) +
                                   " principal \"" + std::string(value) +
                                   "\": " + std::string(why));
  };
  if (value.empty()) return bad("empty");
  if (value == "*") {
    if (type != PrincipalType::kAws) return bad("\"*\" is only allowed as an AWS principal");
    anyone_ = true;
    return Status::Ok();
  }
  if (value.find('*') != std::string_view::npos || value.find('?') != std::string_view::npos) {
    return bad("wildcards are not allowed in a principal (only \"*\" as the whole value)");
  }
  switch (type) {
    case PrincipalType::kService:
      services_.push_back(ToLower(value));
      return Status::Ok();
    case PrincipalType::kFederated:
      federated_.emplace_back(value);
      return Status::Ok();
    case PrincipalType::kCanonicalUser:
      canonical_.emplace_back(value);
      return Status::Ok();
    case PrincipalType::kAws:
      break;
  }
  if (IsAccountId(value)) {
    accounts_.emplace_back(value);
    return Status::Ok();
  }
  // arn:PARTITION:(iam|sts)::ACCT:RESOURCE
  std::vector<std::string_view> parts = Split(value, ':');
  if (parts.size() < 6 || parts[0] != "arn" || parts[1].empty()) {
    return bad("expected \"*\", a 12-digit account id or an IAM ARN");
  }
  if (parts[2] != "iam" && parts[2] != "sts") return bad("service must be iam or sts");
  if (!parts[3].empty()) return bad("IAM ARNs have no region");
  if (!IsAccountId(parts[4])) return bad("account must be 12 digits");
  size_t start = 0;
  for (int i = 0; i < 5; ++i) start = value.find(':', start) + 1;
  std::string_view resource = value.substr(start);
  if (resource.empty()) return bad("no resource part");
  if (parts[2] == "iam" && resource == "root") {
    accounts_.emplace_back(parts[4]);
  } else if (parts[2] == "iam" && StartsWith(resource, "role/")) {
    roles_.emplace_back(value);
  } else {
    exact_.emplace_back(value);
  }
  return Status::Ok();
}

PrincipalMatch PrincipalSet::Match(const RequestContext& ctx) const {
  if (anyone_) return PrincipalMatch::kDirect;
  switch (ctx.principal_kind) {
    case PrincipalKind::kAnonymous:
      return PrincipalMatch::kNone;
    case PrincipalKind::kService:
      // Service principals are lower-case by convention; compare without allocating.
      for (const std::string& s : services_) {
        if (EqualsIgnoreCase(s, ctx.service_principal)) return PrincipalMatch::kDirect;
      }
      return PrincipalMatch::kNone;
    default:
      break;
  }
  if (!ctx.canonical_user.empty() && Contains(canonical_, ctx.canonical_user)) {
    return PrincipalMatch::kDirect;
  }
  if (!ctx.federated_provider.empty() && Contains(federated_, ctx.federated_provider)) {
    return PrincipalMatch::kDirect;
  }
  if (Contains(exact_, ctx.principal_arn)) return PrincipalMatch::kDirect;
  if (ctx.principal_kind == PrincipalKind::kRole && Contains(roles_, ctx.principal_arn)) {
    return PrincipalMatch::kDirect;
  }
  if (ctx.principal_kind == PrincipalKind::kAssumedRole && !ctx.role_arn.empty() &&
      Contains(roles_, ctx.role_arn)) {
    return PrincipalMatch::kDirect;
  }
  if (!ctx.principal_account.empty() && Contains(accounts_, ctx.principal_account)) {
    return ctx.principal_kind == PrincipalKind::kAccountRoot ? PrincipalMatch::kDirect
                                                             : PrincipalMatch::kViaAccount;
  }
  return PrincipalMatch::kNone;
}

}  // namespace sealstack::policy
