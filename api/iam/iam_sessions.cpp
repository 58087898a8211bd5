// Temporary credentials: role sessions (STS AssumeRole*) and user sessions (GetSessionToken),
// issued, wrapped and stored with their context.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>

#include "api/iam/iam_internal.h"
#include "audit/pending_call.h"
#include "crypto/digest.h"
#include "crypto/keywrap.h"

namespace sealstack::api::iam {

namespace {

// Expired sessions are kept this long, so their keys answer ExpiredToken rather than "unknown".
constexpr auto kExpiredSessionsKept = std::chrono::hours(24 * 7);

// iam_sessions.context: {"SessionPolicies": [doc, ...], "HasSessionPolicy": bool}.
std::string SessionContextJson(const SessionContext& ctx) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  const auto strings = [&w](const std::vector<std::string>& values) {
    w.StartArray();
    for (const std::string& v : values) WriteJsonString(w, v);
    w.EndArray();
  };
  w.Key("SessionPolicies");
  strings(ctx.session_policies);
  w.Key("HasSessionPolicy");
  w.Bool(ctx.has_session_policy);
  w.Key("Tags");
  w.RawValue(TagsJson(ctx.tags).c_str(), TagsJson(ctx.tags).size(), rapidjson::kArrayType);
  w.Key("TransitiveTagKeys");
  strings(ctx.transitive_tag_keys);
  w.Key("SourceIdentity");
  WriteJsonString(w, ctx.source_identity);
  w.Key("UserName");
  WriteJsonString(w, ctx.user_name);
  if (!ctx.federated_provider.empty()) {
    w.Key("FederatedProvider");
    WriteJsonString(w, ctx.federated_provider);
  }
  w.EndObject();
  return buf.GetString();
}

}  // namespace

SessionContext SessionContextOf(const std::string& json) {
  SessionContext out;
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  if (d.HasParseError() || !d.IsObject()) return out;
  if (d.HasMember("SessionPolicies") && d["SessionPolicies"].IsArray()) {
    for (const auto& v : d["SessionPolicies"].GetArray()) {
      if (v.IsString()) out.session_policies.emplace_back(v.GetString(), v.GetStringLength());
    }
  }
  if (d.HasMember("HasSessionPolicy") && d["HasSessionPolicy"].IsBool()) {
    out.has_session_policy = d["HasSessionPolicy"].GetBool();
  }
  if (d.HasMember("Tags") && d["Tags"].IsArray()) {
    for (const auto& v : d["Tags"].GetArray()) {
      if (v.IsObject() && v.HasMember("Key") && v.HasMember("Value") && v["Key"].IsString() &&
          v["Value"].IsString()) {
        out.tags.push_back({v["Key"].GetString(), v["Value"].GetString()});
      }
    }
  }
  if (d.HasMember("TransitiveTagKeys") && d["TransitiveTagKeys"].IsArray()) {
    for (const auto& v : d["TransitiveTagKeys"].GetArray()) {
      if (v.IsString()) out.transitive_tag_keys.emplace_back(v.GetString());
    }
  }
  if (d.HasMember("SourceIdentity") && d["SourceIdentity"].IsString()) {
    out.source_identity = d["SourceIdentity"].GetString();
  }
  if (d.HasMember("UserName") && d["UserName"].IsString()) {
    out.user_name = d["UserName"].GetString();
  }
  if (d.HasMember("FederatedProvider") && d["FederatedProvider"].IsString()) {
    out.federated_provider = d["FederatedProvider"].GetString();
  }
  return out;
}

Result<SessionCredentials> Service::CreateRoleSession(
    const Role& role, const std::string& session_name, SystemTime expires,
    const SessionContext& context,
    const std::function<void(const SessionCredentials&)>& before_store) {
  const std::string arn =
      "arn:aws:sts::" + role.account + ":assumed-role/" + role.name + "/" + session_name;
  const std::string id = role.id + ":" + session_name;
  SEALSTACK_ASSIGN_OR_RETURN(SessionCredentials out,
                             StoreSession(role.account, role.name, session_name, expires, context,
                                          [&](const SessionCredentials& c) {
                                            if (!before_store) return;
                                            SessionCredentials named;
                                            named.access_key_id = c.access_key_id;
                                            named.expires = c.expires;
                                            named.assumed_role_arn = arn;
                                            named.assumed_role_id = id;
                                            before_store(named);
                                          }));
  out.assumed_role_arn = arn;
  out.assumed_role_id = id;
  return out;
}

Result<SessionCredentials> Service::CreateUserSession(const auth::Principal& caller,
                                                      SystemTime expires) {
  SessionContext context;
  if (caller.type == auth::PrincipalType::kUser) {
    // Only IAM users (their identity is read again at each request).
    Result<storage::IamUserRow> row = ReadFrom(db_, [&](storage::Connection& conn) {
      return IamRepo::GetUser(conn, caller.account, caller.name);
    });
    if (!row.ok() || row->id != caller.unique_id) {
      return Status::Unimplemented("GetSessionToken for a user that is not an IAM user");
    }
    context.user_name = row->name;
  } else if (caller.type != auth::PrincipalType::kRoot) {
    return Status::InvalidArgument("not a user");
  }
  return StoreSession(caller.account, "", "", expires, context);
}

Result<SessionCredentials> Service::StoreSession(
    const std::string& account, const std::string& role_name, const std::string& session_name,
    SystemTime expires, const SessionContext& context,
    const std::function<void(const SessionCredentials&)>& before_store) {
  SessionCredentials out;
  SEALSTACK_ASSIGN_OR_RETURN(std::string id_suffix, RandomString(*random_, 16, kIdAlphabet));
  SEALSTACK_ASSIGN_OR_RETURN(std::string secret_text, RandomString(*random_, 40, kSecretAlphabet));
  SEALSTACK_ASSIGN_OR_RETURN(std::string token_raw, random_->Bytes(96));
  out.access_key_id = "ASIA" + id_suffix;
  out.secret = crypto::SecretBytes(secret_text);
  // The same token shape as Glue run sessions (api/glue/glue_runs.cpp).
  out.session_token = "IQoJb3JpZ2luX2VjE" + crypto::Base64(token_raw);
  out.expires = expires;
  SEALSTACK_ASSIGN_OR_RETURN(std::string wrapped_secret,
                             crypto::WrapKey(root_key_, kSessionPurpose, out.secret, *random_,
                                             out.access_key_id + "/secret"));
  SEALSTACK_ASSIGN_OR_RETURN(
      std::string wrapped_token,
      crypto::WrapKey(root_key_, kSessionPurpose, crypto::SecretBytes(out.session_token), *random_,
                      out.access_key_id + "/token"));
  if (before_store) before_store(out);
  const SystemTime now = clock_->Now();
  storage::IamSessionRow row{out.access_key_id,
                             account,
                             role_name,
                             session_name,
                             wrapped_secret,
                             wrapped_token,
                             EpochSeconds(now),
                             EpochSeconds(expires),
                             SessionContextJson(context)};
  SEALSTACK_RETURN_IF_ERROR(
      audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
        SEALSTACK_RETURN_IF_ERROR(
            IamRepo::DeleteExpiredSessions(conn, EpochSeconds(now - kExpiredSessionsKept))
                .status());
        return IamRepo::InsertSession(conn, row);
      }));
  return out;
}

}  // namespace sealstack::api::iam
