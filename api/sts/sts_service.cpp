#include "api/sts/sts_service.h"

#include "api/sts/sts_internal.h"

#include "api/common/query_response.h"
#include "api/common/xml_writer.h"

namespace sealstack::api::sts {

namespace {

std::string Find(const std::vector<std::pair<std::string, std::string>>& params,
                 std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace

CallerIdentity GetCallerIdentity(const auth::Principal& principal) {
  CallerIdentity id;
  id.arn = principal.arn;
  id.account = principal.account;
  if (!principal.unique_id.empty()) {  // an IAM user or role session: its IAM id
    id.user_id = principal.unique_id;
    return id;
  }
  switch (principal.type) {
    case auth::PrincipalType::kRoot:
      id.user_id = principal.account;
      break;
    case auth::PrincipalType::kUser:
      id.user_id = auth::DerivedUniqueId("AIDA", principal.arn);
      break;
    case auth::PrincipalType::kRole:
    case auth::PrincipalType::kWebIdentityUser:  // never signs a request; for completeness
      id.user_id = auth::DerivedUniqueId("AROA", principal.arn);
      break;
    case auth::PrincipalType::kAssumedRole: {
      auto parsed = auth::ParsePrincipalArn(principal.arn);
      std::string role = parsed.ok() ? parsed->name : principal.name;
      std::string session = parsed.ok() ? parsed->session_name : "";
      id.user_id =
          auth::DerivedUniqueId("AROA", "arn:aws:iam::" + principal.account + ":role/" + role) +
          ":" + session;
      break;
    }
  }
  return id;
}

ApiResponse HandleQuery(const auth::Principal& principal,
                        const std::vector<std::pair<std::string, std::string>>& params,
                        const RequestIds& ids) {
  const std::string action = Find(params, "Action");
  const std::string version = Find(params, "Version");
  if (action.empty()) {
    return StsError(400, "MissingAction", "Missing Action parameter", ids);
  }
  if (action != "GetCallerIdentity" || (!version.empty() && version != "2011-06-15")) {
    return InvalidActionError(action, version, ids);
  }

  CallerIdentity id = GetCallerIdentity(principal);
  return QueryResponse(kStsXmlns, action, ids, [&](XmlWriter& x) {
    x.Element("Arn", id.arn).Element("UserId", id.user_id).Element("Account", id.account);
  });
}

}  // namespace sealstack::api::sts
