#include "server/decision_log.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/common/json_fields.h"
#include "common/strings.h"
#include "common/time_format.h"

namespace sealstack::server {

namespace {

bool Matches(const RecordedDecision& r, const DecisionFilter& f) {
  const api::AccessDecision& d = r.decision;
  if (!f.principal.empty() && d.principal_arn != f.principal) return false;
  if (!f.action.empty() && !EqualsIgnoreCase(d.action, f.action)) return false;
  if (!f.resource.empty() && d.resource != f.resource) return false;
  if (f.since && r.time < *f.since) return false;
  if (f.result.empty()) return true;
  if (f.result == "deny") return !d.allowed();
  return ResultName(d) == f.result;
}

}  // namespace

std::string_view ResultName(const api::AccessDecision& d) {
  switch (d.decision) {
    case policy::Decision::kAllow:
      return "allow";
    case policy::Decision::kExplicitDeny:
      return "explicit_deny";
    case policy::Decision::kAllowViaAccount:  // never final; an implicit deny if it were
    case policy::Decision::kImplicitDeny:
      break;
  }
  return "implicit_deny";
}

void DecisionLog::Add(SystemTime time, api::AccessDecision decision) {
  MutexLock lock(mu_);
  ring_.push_back({next_seq_++, time, std::move(decision)});
  while (ring_.size() > capacity_) ring_.pop_front();
}

std::vector<RecordedDecision> DecisionLog::Find(const DecisionFilter& filter) const {
  std::vector<RecordedDecision> out;
  MutexLock lock(mu_);
  for (auto it = ring_.rbegin(); it != ring_.rend() && out.size() < filter.limit; ++it) {
    if (Matches(*it, filter)) out.push_back(*it);
  }
  return out;
}

std::optional<RecordedDecision> DecisionLog::LastDenialOf(std::string_view request_id) const {
  if (request_id.empty()) return std::nullopt;
  MutexLock lock(mu_);
  for (auto it = ring_.rbegin(); it != ring_.rend(); ++it) {
    if (it->decision.request_id == request_id && it->decision.denied()) return *it;
  }
  return std::nullopt;
}

void DecisionLog::Clear() {
  MutexLock lock(mu_);
  ring_.clear();
}

std::string DecidingStatement(const api::AccessDecision& d) {
  if (d.policy_kind.empty()) {
    return "no statement allows " + d.action + " (implicit deny)";
  }
  std::string out = d.policy_kind;
  if (!d.policy_name.empty()) out += " " + d.policy_name;
  if (d.statement_index) {
    out += " statement " + std::to_string(*d.statement_index);
    if (!d.statement_sid.empty()) out += " (Sid \"" + d.statement_sid + "\")";
  }
  return out;
}

std::string DecisionJson(const RecordedDecision& r) {
  const api::AccessDecision& d = r.decision;
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  api::WriteJsonInt64(w, "seq", r.seq);
  api::WriteJsonString(w, "time", FormatIso8601(r.time, true));
  api::WriteJsonString(w, "request_id", d.request_id);
  api::WriteJsonString(w, "principal", d.principal_arn);
  api::WriteJsonString(w, "action", d.action);
  api::WriteJsonString(w, "resource", d.resource);
  api::WriteJsonString(w, "result", std::string(ResultName(d)));
  api::WriteJsonBool(w, "enforced", d.enforced);
  w.Key("decided_by");
  if (d.policy_kind.empty()) {
    w.Null();
  } else {
    w.StartObject();
    api::WriteJsonString(w, "policy_kind", d.policy_kind);
    api::WriteJsonString(w, "policy_name", d.policy_name);
    w.Key("statement_index");
    if (d.statement_index) {
      w.Uint64(*d.statement_index);
    } else {
      w.Null();
    }
    api::WriteJsonString(w, "sid", d.statement_sid);
    w.EndObject();
  }
  w.Key("closest");
  w.StartArray();
  for (const auto& m : d.closest) {
    w.StartObject();
    api::WriteJsonString(w, "policy_kind", m.policy_kind);
    api::WriteJsonString(w, "policy_name", m.policy_name);
    api::WriteJsonUint64(w, "statement_index", m.statement_index);
    api::WriteJsonString(w, "sid", m.sid);
    api::WriteJsonString(w, "failed", m.failed);
    w.EndObject();
  }
  w.EndArray();
  w.Key("context");
  w.StartObject();
  for (const auto& [key, values] : d.context) {
    w.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
    w.StartArray();
    for (const auto& v : values) w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
    w.EndArray();
  }
  w.EndObject();
  api::WriteJsonString(w, "message", d.message);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace sealstack::server
