// OpenID Connect providers (Create/Get/List/Delete/...OpenIDConnectProvider) and the JWKS
// documents tests hand in for their issuers.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "api/iam/iam_internal.h"
#include "audit/pending_call.h"
#include "common/strings.h"

namespace sealstack::api::iam {

namespace {

constexpr size_t kMaxClientIds = 100;
constexpr size_t kMaxThumbprints = 5;
constexpr size_t kThumbprintLength = 40;
constexpr std::string_view kHttps = "https://";

std::string StringsJson(const std::vector<std::string>& values) {
  return JsonArray(values, WriteJsonString);
}

std::vector<std::string> StringsOf(const std::string& json) {
  std::vector<std::string> out;
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  if (d.HasParseError() || !d.IsArray()) return out;
  for (const auto& v : d.GetArray()) {
    if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

std::string OidcArn(const std::string& account, const std::string& url) {
  return "arn:aws:iam::" + account + ":oidc-provider/" + url;
}

OidcProvider OidcOfRow(const storage::IamOidcProviderRow& r) {
  return OidcProvider{r.account,
                      r.url,
                      OidcArn(r.account, r.url),
                      StringsOf(r.client_ids),
                      StringsOf(r.thumbprints),
                      TagsOf(r.tags),
                      FromEpoch(r.created)};
}

// An issuer URL as providers and JWKS documents are keyed: without the scheme and a final '/'.
std::string IssuerKey(std::string_view url) {
  if (StartsWith(url, kHttps)) url.remove_prefix(kHttps.size());
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

// The URL part of a provider ARN of `account` (InvalidInput for anything else).
Result<std::string> OidcUrlOfArn(const std::string& account, const std::string& arn) {
  SEALSTACK_RETURN_IF_ERROR(CheckLength(arn, "openIDConnectProviderArn", 20, 2048));
  const std::string prefix = "arn:aws:iam::" + account + ":oidc-provider/";
  if (!StartsWith(arn, prefix) || arn.size() == prefix.size()) {
    return IamError(ErrorKind::kInvalidInput, "ARN " + arn + " is not valid.");
  }
  return arn.substr(prefix.size());
}

Status NoSuchOidcProvider(const std::string& arn) {
  return IamError(ErrorKind::kNoSuchEntity, "OpenIDConnect Provider not found for arn " + arn);
}

Status CheckClientId(const std::string& id) {
  return CheckLength(id, "clientID", 1, 255);
}

Status CheckThumbprints(const std::vector<std::string>& thumbprints) {
  for (const std::string& t : thumbprints) {
    if (t.size() != kThumbprintLength) {
      return Invalid(t, "thumbprintList",
                     "Member must satisfy constraint: [Member must have length less than or equal "
                     "to 40, Member must have length greater than or equal to 40]");
    }
  }
  if (thumbprints.size() > kMaxThumbprints) {
    return IamError(ErrorKind::kInvalidInput, "Thumbprint list must contain fewer than 5 entries.");
  }
  return Status::Ok();
}

}  // namespace

Result<OidcProvider> Service::CreateOidcProvider(const Caller& c,
                                                 const CreateOidcProviderInput& in) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckLength(in.url, "url", 1, 255));
  const std::string url = IssuerKey(in.url);
  if (!StartsWith(in.url, kHttps) || url.empty() || url.find_first_of(" ?#") != std::string::npos) {
    return IamError(ErrorKind::kValidation, "Invalid Open ID Connect Provider URL");
  }
  for (const std::string& id : in.client_ids) SEALSTACK_RETURN_IF_ERROR(CheckClientId(id));
  SEALSTACK_RETURN_IF_ERROR(CheckThumbprints(in.thumbprints));
  if (in.client_ids.size() > kMaxClientIds) {
    return IamError(ErrorKind::kLimitExceeded,
                    "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100");
  }
  SEALSTACK_RETURN_IF_ERROR(CheckTags(in.tags));
  const std::string arn = OidcArn(account, url);
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "CreateOpenIDConnectProvider", arn, RequestTagKeys(in.tags)));
  std::vector<std::string> client_ids;
  for (const std::string& id : in.client_ids) {  // a client id given twice is kept once
    if (std::find(client_ids.begin(), client_ids.end(), id) == client_ids.end()) {
      client_ids.push_back(id);
    }
  }
  storage::IamOidcProviderRow row{account,
                                  url,
                                  StringsJson(client_ids),
                                  StringsJson(in.thumbprints),
                                  TagsJson(in.tags),
                                  EpochSeconds(clock_->Now())};
  const Status st = audit::PendingCall::InTransaction(
      db_, [&](storage::Connection& conn) { return IamRepo::InsertOidcProvider(conn, row); });
  SEALSTACK_RETURN_IF_ERROR(
      OrAlreadyExists(st, "Provider with url " + std::string(kHttps) + url + " already exists."));
  return OidcOfRow(row);
}

Result<OidcProvider> Service::FindOidcProvider(const std::string& account, const std::string& url) {
  SEALSTACK_ASSIGN_OR_RETURN(storage::IamOidcProviderRow row,
                             ReadFrom(db_, [&](storage::Connection& conn) {
                               return IamRepo::GetOidcProvider(conn, account, IssuerKey(url));
                             }));
  return OidcOfRow(row);
}

Result<OidcProvider> Service::GetOidcProvider(const Caller& c, const std::string& arn) {
  const std::string& account = c.principal->account;
  SEALSTACK_ASSIGN_OR_RETURN(std::string url, OidcUrlOfArn(account, arn));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetOpenIDConnectProvider", arn));
  return OrMissing(FindOidcProvider(account, url), NoSuchOidcProvider(arn));
}

Result<std::vector<OidcProvider>> Service::ListOidcProviders(const Caller& c) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "ListOpenIDConnectProviders", "arn:aws:iam::" + account + ":oidc-provider/*"));
  return ReadFrom(db_, [&](storage::Connection& conn) {
    return AllOf(IamRepo::ListOidcProviders(conn, account), OidcOfRow);
  });
}

Status Service::DeleteOidcProvider(const Caller& c, const std::string& arn) {
  const std::string& account = c.principal->account;
  SEALSTACK_ASSIGN_OR_RETURN(std::string url, OidcUrlOfArn(account, arn));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeleteOpenIDConnectProvider", arn));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(bool deleted, IamRepo::DeleteOidcProvider(conn, account, url));
    return deleted ? Status::Ok() : NoSuchOidcProvider(arn);
  });
}

Status Service::ChangeOidcProvider(const Caller& c, OidcChange change, const std::string& arn,
                                   const std::vector<std::string>& values,
                                   const std::vector<Tag>& tags) {
  const std::string& account = c.principal->account;
  SEALSTACK_ASSIGN_OR_RETURN(std::string url, OidcUrlOfArn(account, arn));
  std::string_view operation;
  std::vector<std::pair<std::string, std::string>> keys;
  switch (change) {
    case OidcChange::kAddClientId:
    case OidcChange::kRemoveClientId:
      for (const std::string& id : values) SEALSTACK_RETURN_IF_ERROR(CheckClientId(id));
      operation = change == OidcChange::kAddClientId ? "AddClientIDToOpenIDConnectProvider"
                                                     : "RemoveClientIDFromOpenIDConnectProvider";
      break;
    case OidcChange::kSetThumbprints:
      SEALSTACK_RETURN_IF_ERROR(CheckThumbprints(values));
      operation = "UpdateOpenIDConnectProviderThumbprint";
      break;
    case OidcChange::kTag:
      SEALSTACK_RETURN_IF_ERROR(CheckTags(tags));
      keys = RequestTagKeys(tags);
      operation = "TagOpenIDConnectProvider";
      break;
    case OidcChange::kUntag:
      for (const std::string& k : values) keys.emplace_back("aws:TagKeys", k);
      operation = "UntagOpenIDConnectProvider";
      break;
  }
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, operation, arn, std::move(keys)));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(
        storage::IamOidcProviderRow row,
        OrMissing(IamRepo::GetOidcProvider(conn, account, url), NoSuchOidcProvider(arn)));
    std::vector<std::string> ids = StringsOf(row.client_ids);
    switch (change) {
      case OidcChange::kAddClientId:
        for (const std::string& id : values) {
          if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
        }
        if (ids.size() > kMaxClientIds) {
          return IamError(ErrorKind::kLimitExceeded,
                          "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100");
        }
        break;
      case OidcChange::kRemoveClientId:  // removing one that is not there is no error
        for (const std::string& id : values) std::erase(ids, id);
        break;
      case OidcChange::kSetThumbprints:
        row.thumbprints = StringsJson(values);
        break;
      case OidcChange::kTag: {
        SEALSTACK_ASSIGN_OR_RETURN(std::vector<Tag> merged,
                                   MergeTags(TagsOf(row.tags), tags, "OpenIdConnectProvider"));
        row.tags = TagsJson(merged);
        break;
      }
      case OidcChange::kUntag:
        row.tags = TagsJson(WithoutTags(TagsOf(row.tags), values));
        break;
    }
    row.client_ids = StringsJson(ids);
    return IamRepo::UpdateOidcProvider(conn, row);
  });
}

Result<size_t> Service::PutJwks(const std::string& url, const std::string& jwks) {
  rapidjson::Document d;
  d.Parse(jwks.c_str(), jwks.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("keys") || !d["keys"].IsArray()) {
    return Status::InvalidArgument("a JWKS document is a JSON object with a \"keys\" array");
  }
  for (const auto& k : d["keys"].GetArray()) {
    if (!k.IsObject() || !k.HasMember("kty") || !k["kty"].IsString()) {
      return Status::InvalidArgument("each key of a JWKS document is an object with \"kty\"");
    }
  }
  const std::string key = IssuerKey(url);
  if (key.empty()) return Status::InvalidArgument("url: the issuer URL (the tokens' iss)");
  SEALSTACK_RETURN_IF_ERROR(db_.WithTransaction([&](storage::Connection& conn) {
    return IamRepo::PutJwks(conn, key, jwks, EpochSeconds(clock_->Now()));
  }));
  return d["keys"].GetArray().Size();
}

Result<std::string> Service::GetJwks(const std::string& url) {
  return ReadFrom(
      db_, [&](storage::Connection& conn) { return IamRepo::GetJwks(conn, IssuerKey(url)); });
}

}  // namespace sealstack::api::iam
