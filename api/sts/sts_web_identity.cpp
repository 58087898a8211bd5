// STS AssumeRoleWithWebIdentity against the OpenID Connect providers of iam::Service.
//
//   unsigned request ──► validate (RoleArn, RoleSessionName, WebIdentityToken, DurationSeconds,
//                        Policy, PolicyArns; ProviderId: OAuth 2.0 tokens are not emulated)
//        ──► the token: header.payload.signature, base64url JSON (InvalidIdentityToken)
//        ──► the role (missing: AccessDenied, as a refusing trust policy)
//        ──► the provider of the role's account whose URL is the token's iss
//            (InvalidIdentityToken "No OpenIDConnect provider found ...")
//        ──► the signature: RS256 / ES256 with a key of the issuer's JWKS, which a test hands in
//            (PUT /_sealstack/oidc/jwks; none: IDPCommunicationError)
//        ──► exp / nbf on the server clock (ExpiredTokenException / InvalidIdentityToken)
//        ──► aud among the provider's client ids (InvalidIdentityToken "Incorrect token audience")
//        ──► the trust policy with the caller as {"Federated": PROVIDER_ARN}, action
//            sts:AssumeRoleWithWebIdentity, keys HOST/PATH:aud, :sub, :amr (AccessDenied "Not
//            authorized to perform sts:AssumeRoleWithWebIdentity")
//        ──► the packed size of the session policies (PackedPolicyTooLarge over 100%)
//        ──► iam::Service::CreateRoleSession, aws:FederatedProvider kept with the session
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include <chrono>

#include "api/sts/sts_internal.h"
#include "audit/pending_call.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "crypto/jws.h"

namespace sealstack::api::sts {

namespace {

constexpr size_t kMinWebToken = 4;
constexpr size_t kMaxWebToken = 20000;
constexpr std::string_view kWebIdentityAction = "sts:AssumeRoleWithWebIdentity";

// The claims AWS reads from an OIDC ID token.
struct IdToken {
  std::string alg;
  std::string kid;
  std::string iss;
  std::vector<std::string> aud;
  std::string sub;
  std::optional<int64_t> exp;
  std::optional<int64_t> nbf;
  std::vector<std::string> amr;
  std::string signing_input;  // header.payload, as sent
  std::string signature;      // raw bytes
};

std::optional<rapidjson::Document> JsonPart(std::string_view part) {
  std::optional<std::string> text = crypto::FromBase64Url(part);
  if (!text) return std::nullopt;
  rapidjson::Document d;
  d.Parse(text->c_str(), text->size());
  if (d.HasParseError() || !d.IsObject()) return std::nullopt;
  return d;
}

std::string StringMember(const rapidjson::Value& v, const char* name) {
  auto it = v.FindMember(name);
  if (it == v.MemberEnd() || !it->value.IsString()) return "";
  return {it->value.GetString(), it->value.GetStringLength()};
}

// A claim that is a string or an array of strings.
std::vector<std::string> StringsMember(const rapidjson::Value& v, const char* name) {
  std::vector<std::string> out;
  auto it = v.FindMember(name);
  if (it == v.MemberEnd()) return out;
  if (it->value.IsString()) {
    out.emplace_back(it->value.GetString(), it->value.GetStringLength());
  } else if (it->value.IsArray()) {
    for (const auto& e : it->value.GetArray()) {
      if (e.IsString()) out.emplace_back(e.GetString(), e.GetStringLength());
    }
  }
  return out;
}

std::optional<int64_t> TimeMember(const rapidjson::Value& v, const char* name) {
  auto it = v.FindMember(name);
  if (it == v.MemberEnd() || !it->value.IsNumber()) return std::nullopt;
  return static_cast<int64_t>(it->value.GetDouble());
}

std::optional<IdToken> ParseIdToken(std::string_view token) {
  const size_t a = token.find('.');
  const size_t b = a == std::string_view::npos ? a : token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  std::optional<rapidjson::Document> header = JsonPart(token.substr(0, a));
  std::optional<rapidjson::Document> payload = JsonPart(token.substr(a + 1, b - a - 1));
  std::optional<std::string> signature = crypto::FromBase64Url(token.substr(b + 1));
  if (!header || !payload || !signature) return std::nullopt;
  IdToken t;
  t.alg = StringMember(*header, "alg");
  t.kid = StringMember(*header, "kid");
  t.iss = StringMember(*payload, "iss");
  t.aud = StringsMember(*payload, "aud");
  t.sub = StringMember(*payload, "sub");
  t.exp = TimeMember(*payload, "exp");
  t.nbf = TimeMember(*payload, "nbf");
  t.amr = StringsMember(*payload, "amr");
  t.signing_input = std::string(token.substr(0, b));
  t.signature = std::move(*signature);
  return t;
}

enum class SignatureCheck { kValid, kInvalid, kNoKeys };

// Whether a key of the JWKS document (the token's kid if it names one) verifies the token.
SignatureCheck VerifySignature(const IdToken& t, const std::string& jwks) {
  rapidjson::Document d;
  d.Parse(jwks.c_str(), jwks.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("keys") || !d["keys"].IsArray()) {
    return SignatureCheck::kNoKeys;
  }
  for (const auto& k : d["keys"].GetArray()) {
    if (!k.IsObject()) continue;
    if (!t.kid.empty() && StringMember(k, "kid") != t.kid) continue;
    const std::string kty = StringMember(k, "kty");
    Result<bool> ok = false;
    if (t.alg == "RS256" && kty == "RSA") {
      auto n = crypto::FromBase64Url(StringMember(k, "n"));
      auto e = crypto::FromBase64Url(StringMember(k, "e"));
      if (!n || !e) continue;
      ok = crypto::VerifyRs256(*n, *e, t.signing_input, t.signature);
    } else if (t.alg == "ES256" && kty == "EC" && StringMember(k, "crv") == "P-256") {
      auto x = crypto::FromBase64Url(StringMember(k, "x"));
      auto y = crypto::FromBase64Url(StringMember(k, "y"));
      if (!x || !y) continue;
      ok = crypto::VerifyEs256(*x, *y, t.signing_input, t.signature);
    } else {
      continue;
    }
    if (ok.ok() && *ok) return SignatureCheck::kValid;
  }
  return SignatureCheck::kInvalid;
}

// A JSON string literal of `s`, quotes included.
std::string QuotedJson(std::string_view s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return {buf.GetString(), buf.GetSize()};
}

ApiResponse InvalidToken(std::string message, const RequestIds& ids) {
  return StsError(400, "InvalidIdentityToken", std::move(message), ids);
}

}  // namespace

ApiResponse AssumeRoleWithWebIdentity(const StsDependencies& deps, const Caller& caller,
                                      const Params& params, const RequestIds& ids) {
  RoleRequest req;
  if (auto err = ParseRoleRequest(params, ids, &req)) return *err;
  const std::optional<std::string> token_text = Param(params, "WebIdentityToken");
  if (!token_text) return Validation({}, "webIdentityToken", "Member must not be null", ids);
  if (token_text->size() < kMinWebToken || token_text->size() > kMaxWebToken) {
    // The token is sensitive: AWS leaves its value out of the message.
    return Validation("***", "webIdentityToken",
                      token_text->size() < kMinWebToken
                          ? "Member must have length greater than or equal to 4"
                          : "Member must have length less than or equal to 20000",
                      ids);
  }
  if (Param(params, "ProviderId")) {
    return StsError(501, "NotImplemented",
                    "SealStack accepts OpenID Connect ID tokens only: ProviderId (OAuth 2.0 "
                    "access tokens of Login with Amazon or Facebook) is not emulated.",
                    ids);
  }
  iam::SessionContext context;
  if (auto err = ParseSessionPolicies(deps, params, ids, &context)) return *err;

  std::optional<IdToken> token = ParseIdToken(*token_text);
  if (!token) {
    return InvalidToken(
        "The web identity token that was passed could not be validated by AWS. Get a new "
        "identity token from the identity provider and then retry the request.",
        ids);
  }
  const std::string denied = "Not authorized to perform " + std::string(kWebIdentityAction);
  iam::Role target;
  if (auto err = FindTargetRole(deps, req, denied, ids, &target)) return *err;
  const iam::Role* const role = &target;

  Result<iam::OidcProvider> provider = deps.iam->FindOidcProvider(role->account, token->iss);
  if (!provider.ok()) {
    return InvalidToken("No OpenIDConnect provider found in your account for " + token->iss, ids);
  }
  // Who is calling, for the trust policy and the audit record.
  auto web = std::make_shared<auth::Principal>();
  web->type = auth::PrincipalType::kWebIdentityUser;
  web->account = role->account;
  web->name = token->sub;
  web->federated_provider = provider->arn;
  const std::string audience = token->aud.empty() ? "" : token->aud.front();
  web->unique_id = provider->arn + ":" + audience + ":" + token->sub;
  if (audit::PendingCall* call = audit::PendingCall::Current()) call->event().principal = web;

  Result<std::string> jwks = deps.iam->GetJwks(provider->url);
  const SignatureCheck signature =
      jwks.ok() ? VerifySignature(*token, *jwks) : SignatureCheck::kNoKeys;
  if (signature == SignatureCheck::kNoKeys) {
    return StsError(400, "IDPCommunicationError",
                    "Couldn't retrieve verification key from your identity provider,  please "
                    "reference AssumeRoleWithWebIdentity documentation for requirements "
                    "(SealStack: PUT the issuer's JWKS document to /_sealstack/oidc/jwks?url=" +
                        token->iss + ")",
                    ids);
  }
  if (signature == SignatureCheck::kInvalid) {
    return InvalidToken("Couldn't verify the signature of the web identity token.", ids);
  }
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(deps.clock->Now().time_since_epoch())
          .count();
  if (!token->exp) return InvalidToken("The web identity token has no exp claim.", ids);
  if (now >= *token->exp) {
    // AWS's wording, the missing space included.
    return StsError(400, "ExpiredTokenException",
                    "Token expired: current date/time " + std::to_string(now) +
                        " must be before the expiration date/time" + std::to_string(*token->exp),
                    ids);
  }
  if (token->nbf && now < *token->nbf) {
    return InvalidToken("Token is not yet valid: current date/time " + std::to_string(now) +
                            " must be after the not-before date/time " +
                            std::to_string(*token->nbf),
                        ids);
  }
  const auto matched = std::find_if(token->aud.begin(), token->aud.end(), [&](const auto& a) {
    return std::find(provider->client_ids.begin(), provider->client_ids.end(), a) !=
           provider->client_ids.end();
  });
  if (matched == token->aud.end()) return InvalidToken("Incorrect token audience", ids);
  if (token->sub.empty()) {
    return StsError(403, "IDPRejectedClaim", "The web identity token has no sub claim.", ids);
  }
  web->unique_id = provider->arn + ":" + *matched + ":" + token->sub;

  if (auto err = CheckMaxSession(req, *role, ids)) return *err;
  if (deps.access != nullptr) {
    AccessRequest r = TrustRequest(*role, kWebIdentityAction);
    r.keys.emplace_back(provider->url + ":aud", *matched);
    r.keys.emplace_back(provider->url + ":sub", token->sub);
    for (const std::string& a : token->amr) r.keys.emplace_back(provider->url + ":amr", a);
    r.keys.emplace_back("sts:RoleSessionName", req.session_name);
    Caller web_caller = caller;
    web_caller.principal = web;
    if (CheckTrust(deps, web_caller, r).denied()) {
      return StsError(403, "AccessDenied", denied, ids);
    }
  }

  context.federated_provider = provider->arn;
  return IssueRoleSession(
      deps, "AssumeRoleWithWebIdentity", *role, req, params, context,
      [&](const iam::SessionCredentials& c) {
        std::string json = CredentialsEventJson(c);
        json.pop_back();  // the object's '}': the web identity members follow
        return json + R"(,"subjectFromWebIdentityToken":)" + QuotedJson(token->sub) +
               R"(,"audience":)" + QuotedJson(*matched) + R"(,"provider":)" +
               QuotedJson(provider->arn) + "}";
      },
      [&](XmlWriter& x) {
        x.Element("SubjectFromWebIdentityToken", token->sub)
            .Element("Audience", *matched)
            .Element("Provider", provider->arn);
      },
      ids);
}

}  // namespace sealstack::api::sts
