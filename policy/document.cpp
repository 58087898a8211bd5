#include "policy/document.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <charconv>
#include <set>

#include "common/name_table.h"
#include "common/strings.h"

namespace sealstack::policy {

bool ResourcePattern::Match(const RequestContext& ctx) const {
  if (!source.has_variables()) return glob.Match(ctx.resource);
  std::string pattern;
  if (!source.Resolve(ctx, /*as_pattern=*/true, &pattern)) return false;
  return GlobMatch(pattern, ctx.resource);
}

namespace {

using JsonValue = rapidjson::Value;

// How a message names the JSON type of a value ("must be a string, not a number").
constexpr NameEntry<rapidjson::Type> kJsonTypeNames[] = {
    {rapidjson::kNullType, "null"},       {rapidjson::kFalseType, "a boolean"},
    {rapidjson::kTrueType, "a boolean"},  {rapidjson::kObjectType, "an object"},
    {rapidjson::kArrayType, "a list"},    {rapidjson::kStringType, "a string"},
    {rapidjson::kNumberType, "a number"},
};

std::string TypeName(const JsonValue& v) {
  return std::string(NameOf(kJsonTypeNames, v.GetType(), "?"));
}

std::string_view View(const JsonValue& v) {
  return {v.GetString(), v.GetStringLength()};
}

std::string Quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  out.append(s);
  out.push_back('"');
  return out;
}

// Collects the messages of one statement: "Statement[i] (Sid "x"): Field: what".
class StatementErrors {
 public:
  StatementErrors(size_t index, std::string_view sid) {
    where_ = "Statement[" + std::to_string(index) + "]";
    if (!sid.empty()) where_ += " (Sid " + Quote(sid) + ")";
  }
  Status Error(std::string_view field, std::string_view what) const {
    return Status::InvalidArgument(where_ + ": " + std::string(field) + ": " + std::string(what));
  }

 private:
  std::string where_;
};

// Rejects duplicate member names (RapidJSON keeps both; AWS documents are unambiguous).
Status CheckNoDuplicates(const JsonValue& obj, const std::string& where) {
  std::set<std::string_view> seen;
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    if (!seen.insert(View(it->name)).second) {
      return Status::InvalidArgument(where + "duplicate field " + Quote(View(it->name)));
    }
  }
  return Status::Ok();
}

// A string or a non-empty list of strings -> list.
Status StringList(const JsonValue& v, const StatementErrors& err, std::string_view field,
                  std::vector<std::string_view>* out) {
  out->clear();
  if (v.IsString()) {
    out->push_back(View(v));
    return Status::Ok();
  }
  if (!v.IsArray()) {
    return err.Error(field,
                     std::string("must be a string or a list of strings, not ") + TypeName(v));
  }
  if (v.Empty()) return err.Error(field, "empty list");
  for (const JsonValue& e : v.GetArray()) {
    if (!e.IsString()) {
      return err.Error(field, std::string("list entries must be strings, not ") + TypeName(e));
    }
    out->push_back(View(e));
  }
  return Status::Ok();
}

// A condition value: string, number or boolean, as text.
bool ScalarText(const JsonValue& v, std::string* out) {
  if (v.IsString()) {
    *out = std::string(View(v));
  } else if (v.IsBool()) {
    *out = v.GetBool() ? "true" : "false";
  } else if (v.IsInt64()) {
    *out = std::to_string(v.GetInt64());
  } else if (v.IsUint64()) {
    *out = std::to_string(v.GetUint64());
  } else if (v.IsNumber()) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v.GetDouble());
    if (ec != std::errc()) return false;
    *out = std::string(buf, end);
  } else {
    return false;
  }
  return true;
}

Status ParsePrincipal(const JsonValue& v, const StatementErrors& err, std::string_view field,
                      PrincipalSet* out) {
  if (v.IsString()) {
    if (View(v) != "*") {
      return err.Error(field, "a string principal must be \"*\"; use {\"AWS\": " + Quote(View(v)) +
                                  "} for an account or ARN");
    }
    *out = PrincipalSet::Anyone();
    return Status::Ok();
  }
  if (!v.IsObject()) {
    return err.Error(field, std::string("must be \"*\" or an object, not ") + TypeName(v));
  }
  if (v.MemberCount() == 0) return err.Error(field, "empty principal object");
  Status dup = CheckNoDuplicates(v, "");
  if (!dup.ok()) return err.Error(field, dup.message());
  std::vector<std::string_view> values;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    std::string_view type_name = View(it->name);
    std::optional<PrincipalType> type = ParsePrincipalType(type_name);
    if (!type) {
      return err.Error(field, "unknown principal type " + Quote(type_name) +
                                  " (expected AWS, Service, Federated or CanonicalUser)");
    }
    std::string sub = std::string(field) + "." + std::string(type_name);
    SEALSTACK_RETURN_IF_ERROR(StringList(it->value, err, sub, &values));
    for (std::string_view p : values) {
      Status st = out->Add(*type, p);
      if (!st.ok()) return err.Error(sub, st.message());
    }
  }
  return Status::Ok();
}

Status ParseActions(const JsonValue& v, const StatementErrors& err, std::string_view field,
                    std::vector<Glob>* out) {
  std::vector<std::string_view> values;
  SEALSTACK_RETURN_IF_ERROR(StringList(v, err, field, &values));
  for (std::string_view a : values) {
    size_t colon = a.find(':');
    if (a != "*" && (colon == std::string_view::npos || colon == 0 || colon + 1 == a.size())) {
      return err.Error(field, Quote(a) + " is not \"*\" or \"service:action\"");
    }
    std::string pattern;
    AppendGlobText(a, &pattern);
    out->push_back(Glob::Compile(pattern, /*fold_case=*/true));
  }
  return Status::Ok();
}

Status ParseResources(const JsonValue& v, const StatementErrors& err, std::string_view field,
                      bool variables, std::vector<ResourcePattern>* out) {
  std::vector<std::string_view> values;
  SEALSTACK_RETURN_IF_ERROR(StringList(v, err, field, &values));
  for (std::string_view r : values) {
    if (r != "*" && !StartsWith(r, "arn:")) {
      return err.Error(field, Quote(r) + " is not \"*\" or an ARN");
    }
    ResourcePattern p;
    p.source = Template::Parse(r, variables);
    if (!p.source.has_variables()) p.glob = Glob::Compile(p.source.Pattern(), false);
    out->push_back(std::move(p));
  }
  return Status::Ok();
}

Status ParseCondition(const JsonValue& v, const StatementErrors& err, bool variables,
                      ConditionBlock* out) {
  if (!v.IsObject())
    return err.Error("Condition", std::string("must be an object, not ") + TypeName(v));
  Status dup = CheckNoDuplicates(v, "");
  if (!dup.ok()) return err.Error("Condition", dup.message());
  std::vector<std::string> values;
  for (auto op = v.MemberBegin(); op != v.MemberEnd(); ++op) {
    std::string op_name(View(op->name));
    std::string field = "Condition." + op_name;
    auto parsed = ParseConditionOperator(op_name);
    if (!parsed.ok()) return err.Error("Condition", parsed.status().message());
    if (!op->value.IsObject()) {
      return err.Error(
          field, std::string("must be an object of condition keys, not ") + TypeName(op->value));
    }
    if (op->value.MemberCount() == 0) return err.Error(field, "no condition keys");
    dup = CheckNoDuplicates(op->value, "");
    if (!dup.ok()) return err.Error(field, dup.message());
    for (auto key = op->value.MemberBegin(); key != op->value.MemberEnd(); ++key) {
      std::string key_field = field + "." + std::string(View(key->name));
      values.clear();
      const JsonValue& val = key->value;
      if (val.IsArray()) {
        if (val.Empty()) return err.Error(key_field, "empty list of values");
        for (const JsonValue& e : val.GetArray()) {
          std::string text;
          if (!ScalarText(e, &text)) {
            return err.Error(
                key_field,
                std::string("values must be strings, numbers or booleans, not ") + TypeName(e));
          }
          values.push_back(std::move(text));
        }
      } else {
        std::string text;
        if (!ScalarText(val, &text)) {
          return err.Error(
              key_field,
              std::string("value must be a string, number, boolean or a list of them, not ") +
                  TypeName(val));
        }
        values.push_back(std::move(text));
      }
      auto c = Condition::Compile(op_name, View(key->name), values, variables);
      if (!c.ok()) return err.Error("Condition", c.status().message());
      out->conditions.push_back(std::move(c).value());
    }
  }
  return Status::Ok();
}

Result<Statement> ParseStatement(const JsonValue& v, size_t index, PolicyKind kind,
                                 bool variables) {
  if (!v.IsObject()) {
    return Status::InvalidArgument("Statement[" + std::to_string(index) +
                                   "]: must be an object, not " + TypeName(v));
  }
  Statement s;
  auto sid_it = v.FindMember("Sid");
  if (sid_it != v.MemberEnd() && sid_it->value.IsString()) s.sid = std::string(View(sid_it->value));
  StatementErrors err(index, s.sid);
  {
    Status dup = CheckNoDuplicates(v, "");
    if (!dup.ok()) return err.Error("Statement", dup.message());
  }

  const JsonValue* effect = nullptr;
  const JsonValue* principal = nullptr;
  const JsonValue* action = nullptr;
  const JsonValue* resource = nullptr;
  const JsonValue* condition = nullptr;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    std::string_view name = View(it->name);
    const JsonValue* value = &it->value;
    if (name == "Sid") {
      if (!value->IsString())
        return err.Error("Sid", std::string("must be a string, not ") + TypeName(*value));
    } else if (name == "Effect") {
      effect = value;
    } else if (name == "Principal" || name == "NotPrincipal") {
      if (principal != nullptr) return err.Error(name, "Principal and NotPrincipal are exclusive");
      principal = value;
      s.not_principal = name == "NotPrincipal";
    } else if (name == "Action" || name == "NotAction") {
      if (action != nullptr) return err.Error(name, "Action and NotAction are exclusive");
      action = value;
      s.not_action = name == "NotAction";
    } else if (name == "Resource" || name == "NotResource") {
      if (resource != nullptr) return err.Error(name, "Resource and NotResource are exclusive");
      resource = value;
      s.not_resource = name == "NotResource";
    } else if (name == "Condition") {
      condition = value;
    } else {
      return err.Error(name, "unknown statement field");
    }
  }

  if (effect == nullptr) return err.Error("Effect", "missing");
  if (!effect->IsString())
    return err.Error("Effect", std::string("must be a string, not ") + TypeName(*effect));
  if (View(*effect) == "Allow") {
    s.effect = Effect::kAllow;
  } else if (View(*effect) == "Deny") {
    s.effect = Effect::kDeny;
  } else {
    return err.Error("Effect", Quote(View(*effect)) + " is not \"Allow\" or \"Deny\"");
  }

  if (kind == PolicyKind::kResource) {
    if (principal == nullptr)
      return err.Error("Principal", "missing (resource policies need Principal or NotPrincipal)");
    SEALSTACK_RETURN_IF_ERROR(ParsePrincipal(
        *principal, err, s.not_principal ? "NotPrincipal" : "Principal", &s.principals));
    s.has_principal = true;
  } else if (principal != nullptr) {
    return err.Error(s.not_principal ? "NotPrincipal" : "Principal",
                     "not allowed in an identity policy");
  }

  if (action == nullptr)
    return err.Error("Action", "missing (one of Action or NotAction is required)");
  SEALSTACK_RETURN_IF_ERROR(
      ParseActions(*action, err, s.not_action ? "NotAction" : "Action", &s.actions));

  if (resource != nullptr) {
    SEALSTACK_RETURN_IF_ERROR(ParseResources(
        *resource, err, s.not_resource ? "NotResource" : "Resource", variables, &s.resources));
  } else if (kind == PolicyKind::kIdentity) {
    return err.Error("Resource", "missing (identity policies need Resource or NotResource)");
  }

  if (condition != nullptr) {
    SEALSTACK_RETURN_IF_ERROR(ParseCondition(*condition, err, variables, &s.condition));
  }
  return s;
}

}  // namespace

Result<PolicyDocument> ParsePolicy(std::string_view json, PolicyKind kind) {
  rapidjson::Document d;
  // Iterative: no recursion, so deeply nested input cannot exhaust the stack. Trailing
  // non-whitespace after the root value is an error (kParseErrorDocumentRootNotSingular).
  d.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(json.data(),
                                                                                  json.size());
  if (d.HasParseError()) {
    return Status::InvalidArgument("JSON syntax error at offset " +
                                   std::to_string(d.GetErrorOffset()) + ": " +
                                   rapidjson::GetParseError_En(d.GetParseError()));
  }
  const JsonValue& root = d;
  if (!root.IsObject()) {
    return Status::InvalidArgument(std::string("policy must be a JSON object, not ") +
                                   TypeName(root));
  }
  SEALSTACK_RETURN_IF_ERROR(CheckNoDuplicates(root, "policy: "));

  PolicyDocument doc;
  doc.kind = kind;
  const JsonValue* statements = nullptr;
  for (auto it = root.MemberBegin(); it != root.MemberEnd(); ++it) {
    std::string_view name = View(it->name);
    if (name == "Version") {
      if (!it->value.IsString() ||
          (View(it->value) != "2012-10-17" && View(it->value) != "2008-10-17")) {
        return Status::InvalidArgument("Version: must be \"2012-10-17\" or \"2008-10-17\"");
      }
      doc.version = std::string(View(it->value));
    } else if (name == "Id") {
      if (!it->value.IsString()) {
        return Status::InvalidArgument(std::string("Id: must be a string, not ") +
                                       TypeName(it->value));
      }
      doc.id = std::string(View(it->value));
    } else if (name == "Statement") {
      statements = &it->value;
    } else {
      return Status::InvalidArgument("unknown top-level field " + Quote(name) +
                                     " (expected Version, Id, Statement)");
    }
  }
  if (statements == nullptr) return Status::InvalidArgument("Statement: missing");
  bool variables = doc.variables_enabled();
  std::set<std::string> sids;
  auto add = [&](const JsonValue& v, size_t i) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(Statement s, ParseStatement(v, i, kind, variables));
    if (!s.sid.empty() && !sids.insert(s.sid).second) {
      return Status::InvalidArgument("Statement[" + std::to_string(i) + "] (Sid " + Quote(s.sid) +
                                     "): Sid: duplicate statement id");
    }
    doc.statements.push_back(std::move(s));
    return Status::Ok();
  };
  if (statements->IsArray()) {
    if (statements->Empty()) return Status::InvalidArgument("Statement: empty list");
    size_t i = 0;
    for (const JsonValue& v : statements->GetArray()) SEALSTACK_RETURN_IF_ERROR(add(v, i++));
  } else if (statements->IsObject()) {
    SEALSTACK_RETURN_IF_ERROR(add(*statements, 0));
  } else {
    return Status::InvalidArgument(std::string("Statement: must be an object or a list, not ") +
                                   TypeName(*statements));
  }
  return doc;
}

}  // namespace sealstack::policy
