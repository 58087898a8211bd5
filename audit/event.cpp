#include "audit/event.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <cstdio>

#include "common/time_format.h"

namespace sealstack::audit {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
void Key(Writer& w, std::string_view s) {
  w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
void Member(Writer& w, std::string_view k, std::string_view v) {
  Key(w, k);
  Str(w, v);
}
// JSON text the caller rendered, or null.
void RawOrNull(Writer& w, std::string_view json) {
  if (json.empty()) {
    w.Null();
  } else {
    w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  }
}

// A stable 64-bit FNV-1a hash, printed as 16 upper-case hex digits; not a secret, only an id.
std::string StableId(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llX", static_cast<unsigned long long>(h));
  return buf;
}

struct RoleOfSession {
  std::string role_arn, role_name, session;
};
RoleOfSession SessionParts(const auth::Principal& p) {
  RoleOfSession out;
  auto parsed = auth::ParsePrincipalArn(p.arn);
  if (!parsed.ok()) return out;
  out.role_name = parsed->name;
  out.session = parsed->session_name;
  // An IAM role session knows its role's ARN with the path.
  out.role_arn =
      p.role_arn.empty() ? "arn:aws:iam::" + p.account + ":role/" + out.role_name : p.role_arn;
  return out;
}

}  // namespace

const std::string& RecipientAccount(const Event& e) {
  return e.recipient_account.empty() ? e.principal->account : e.recipient_account;
}

std::string UsernameOf(const auth::Principal& p) {
  switch (p.type) {
    case auth::PrincipalType::kRoot:
      return "root";
    case auth::PrincipalType::kAssumedRole:
      return SessionParts(p).session;
    case auth::PrincipalType::kUser:
    case auth::PrincipalType::kRole:
    case auth::PrincipalType::kWebIdentityUser:  // the token's sub
      return p.name;
  }
  return p.name;
}

std::string PrincipalIdOf(const auth::Principal& p) {
  if (!p.unique_id.empty()) return p.unique_id;  // IAM's own id (AIDA..., AROA...:SESSION)
  switch (p.type) {
    case auth::PrincipalType::kRoot:
      return p.account;
    case auth::PrincipalType::kUser:
      return "AIDA" + StableId(p.arn);
    case auth::PrincipalType::kRole:
      return "AROA" + StableId(p.arn);
    case auth::PrincipalType::kAssumedRole: {
      RoleOfSession s = SessionParts(p);
      return "AROA" + StableId(s.role_arn) + ":" + s.session;
    }
    case auth::PrincipalType::kWebIdentityUser:
      return p.federated_provider;
  }
  return StableId(p.arn);
}

std::string RenderCloudTrailJson(const Event& e) {
  const auth::Principal& p = *e.principal;
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Member(w, "eventVersion", "1.11");
  Key(w, "userIdentity");
  w.StartObject();
  const bool assumed = p.type == auth::PrincipalType::kAssumedRole;
  Member(w, "type", assumed ? "AssumedRole" : auth::PrincipalTypeName(p.type));
  if (p.type == auth::PrincipalType::kWebIdentityUser) {
    // As AWS logs AssumeRoleWithWebIdentity: PROVIDER:aud:sub, the sub, the provider; no ARN.
    Member(w, "principalId", PrincipalIdOf(p));
    Member(w, "userName", p.name);
    Member(w, "identityProvider", p.federated_provider);
  } else {
    Member(w, "principalId", PrincipalIdOf(p));
    Member(w, "arn", p.arn);
    Member(w, "accountId", p.account);
    if (!p.access_key_id.empty()) Member(w, "accessKeyId", p.access_key_id);
    if (p.type == auth::PrincipalType::kUser) Member(w, "userName", p.name);
    if (assumed || p.type == auth::PrincipalType::kRole) {
      RoleOfSession s = SessionParts(p);
      Key(w, "sessionContext");
      w.StartObject();
      Key(w, "sessionIssuer");
      w.StartObject();
      Member(w, "type", "Role");
      const size_t colon = p.unique_id.find(':');
      Member(w, "principalId",
             colon != std::string::npos ? p.unique_id.substr(0, colon)
                                        : "AROA" + StableId(s.role_arn));
      Member(w, "arn", s.role_arn);
      Member(w, "accountId", p.account);
      Member(w, "userName", s.role_name);
      w.EndObject();
      Key(w, "attributes");
      w.StartObject();
      Member(w, "mfaAuthenticated", "false");
      w.EndObject();
      w.EndObject();
    }
  }
  if (!e.invoked_by.empty()) Member(w, "invokedBy", e.invoked_by);
  w.EndObject();
  Member(w, "eventTime", FormatIso8601(e.time));
  Member(w, "eventSource", e.event_source);
  Member(w, "eventName", e.event_name);
  Member(w, "awsRegion", e.region);
  Member(w, "sourceIPAddress", e.source_ip.empty() ? e.invoked_by : e.source_ip);
  Member(w, "userAgent", e.user_agent.empty() ? e.invoked_by : e.user_agent);
  if (!e.error_code.empty()) {
    Member(w, "errorCode", e.error_code);
    Member(w, "errorMessage", e.error_message);
  }
  Key(w, "requestParameters");
  RawOrNull(w, e.request_parameters);
  Key(w, "responseElements");
  RawOrNull(w, e.response_elements);
  if (!e.additional_event_data.empty()) {
    Key(w, "additionalEventData");
    w.RawValue(e.additional_event_data.data(), e.additional_event_data.size(),
               rapidjson::kObjectType);
  }
  Member(w, "requestID", e.request_id);
  Member(w, "eventID", e.event_id);
  Key(w, "readOnly");
  w.Bool(e.read_only);
  if (!e.resources.empty()) {
    Key(w, "resources");
    w.StartArray();
    for (const auto& r : e.resources) {
      w.StartObject();
      Member(w, "accountId", r.account);
      Member(w, "type", r.type);
      Member(w, "ARN", r.arn);
      w.EndObject();
    }
    w.EndArray();
  }
  Member(w, "eventType", "AwsApiCall");
  Key(w, "managementEvent");
  w.Bool(e.management);
  Member(w, "recipientAccountId", RecipientAccount(e));
  Member(w, "eventCategory", e.management ? "Management" : "Data");
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string LowerCamel(std::string_view name) {
  std::string out(name);
  size_t run = 0;
  while (run < out.size() && std::isupper(static_cast<unsigned char>(out[run]))) ++run;
  size_t lower = run;
  // "SSEAlgorithm": the 'A' starts the next word; "KeyId": the 'K' is the word.
  if (run > 1 && run < out.size() && std::islower(static_cast<unsigned char>(out[run]))) {
    lower = run - 1;
  }
  if (run == 1) lower = 1;
  for (size_t i = 0; i < lower; ++i) {
    out[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[i])));
  }
  return out;
}

void ParamsBuilder::Name(std::string_view name) {
  out_ += out_.empty() ? "{" : ",";
  rapidjson::StringBuffer buf;
  Writer w(buf);
  Str(w, name);
  out_.append(buf.GetString(), buf.GetSize());
  out_ += ':';
}

ParamsBuilder& ParamsBuilder::String(std::string_view name, std::string_view value) {
  Name(name);
  rapidjson::StringBuffer buf;
  Writer w(buf);
  Str(w, value);
  out_.append(buf.GetString(), buf.GetSize());
  return *this;
}

ParamsBuilder& ParamsBuilder::Bool(std::string_view name, bool value) {
  Name(name);
  out_ += value ? "true" : "false";
  return *this;
}

ParamsBuilder& ParamsBuilder::Int(std::string_view name, int64_t value) {
  Name(name);
  out_ += std::to_string(value);
  return *this;
}

ParamsBuilder& ParamsBuilder::Map(std::string_view name,
                                  const std::map<std::string, std::string>& value) {
  Name(name);
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  for (const auto& [k, v] : value) Member(w, k, v);
  w.EndObject();
  out_.append(buf.GetString(), buf.GetSize());
  return *this;
}

ParamsBuilder& ParamsBuilder::List(std::string_view name, const std::vector<std::string>& value) {
  Name(name);
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartArray();
  for (const auto& v : value) Str(w, v);
  w.EndArray();
  out_.append(buf.GetString(), buf.GetSize());
  return *this;
}

ParamsBuilder& ParamsBuilder::Raw(std::string_view name, std::string_view json) {
  Name(name);
  out_ += json;
  return *this;
}

std::string ParamsBuilder::Build() const {
  return out_.empty() ? "{}" : out_ + "}";
}

}  // namespace sealstack::audit
