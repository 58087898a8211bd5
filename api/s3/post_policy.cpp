#include "api/s3/post_policy.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>

#include "api/s3/s3_errors.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "crypto/digest.h"

namespace sealstack::api::s3 {

namespace {

Status InvalidPolicy(std::string_view detail) {
  return S3Error(ErrorKind::kInvalidPolicyDocument, "Invalid Policy: " + std::string(detail));
}

Status PolicyDenied(std::string_view detail) {
  return S3Error(ErrorKind::kAccessDenied, "Invalid according to Policy: " + std::string(detail));
}

std::string Json(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

// ["op", "$field", "value"] as S3 quotes a condition: elements as sent, ", " between them.
std::string QuoteCondition(std::string_view op, std::string_view field, std::string_view value) {
  rapidjson::Value o(rapidjson::StringRef(op.data(), op.size()));
  rapidjson::Value f(rapidjson::StringRef(field.data(), field.size()));
  rapidjson::Value v(rapidjson::StringRef(value.data(), value.size()));
  return "[" + Json(o) + ", " + Json(f) + ", " + Json(v) + "]";
}

std::optional<uint64_t> Bound(const rapidjson::Value& v) {
  if (v.IsUint64()) return v.GetUint64();
  // A bound written as a string of digits is read as a number, as S3 reads it.
  if (v.IsString()) {
    return ParseUnsignedDecimal(std::string_view(v.GetString(), v.GetStringLength()));
  }
  return std::nullopt;
}

Result<PostCondition> ParseCondition(const rapidjson::Value& c) {
  PostCondition out;
  if (c.IsObject()) {
    // {"field": "value"} is ["eq", "$field", "value"].
    if (c.MemberCount() != 1) {
      return InvalidPolicy(
          "Invalid Simple-Condition: Simple-Conditions must have exactly one property "
          "specified.");
    }
    const auto& m = *c.MemberBegin();
    if (!m.value.IsString()) {
      return InvalidPolicy("Invalid Simple-Condition: value must be a string.");
    }
    std::string name(m.name.GetString(), m.name.GetStringLength());
    out.field = ToLower(name);
    out.value.assign(m.value.GetString(), m.value.GetStringLength());
    out.text = QuoteCondition("eq", "$" + name, out.value);
    return out;
  }
  if (!c.IsArray() || c.Size() == 0 || !c[0].IsString()) {
    return InvalidPolicy("Invalid Condition: the condition must be an object or an array.");
  }
  const std::string op(c[0].GetString(), c[0].GetStringLength());
  if (EqualsIgnoreCase(op, "content-length-range")) {
    std::optional<uint64_t> min = c.Size() == 3 ? Bound(c[1]) : std::nullopt;
    std::optional<uint64_t> max = c.Size() == 3 ? Bound(c[2]) : std::nullopt;
    if (!min || !max) {
      return InvalidPolicy(
          "Invalid content-length-range condition: it needs two non-negative integers.");
    }
    out.op = PostCondition::Op::kContentLengthRange;
    out.min = *min;
    out.max = *max;
    out.text = Json(c);
    return out;
  }
  const bool eq = EqualsIgnoreCase(op, "eq");
  if (!eq && !EqualsIgnoreCase(op, "starts-with")) {
    return InvalidPolicy("Invalid Condition: unknown condition operator '" + op + "'.");
  }
  if (c.Size() != 3 || !c[1].IsString() || !c[2].IsString()) {
    return InvalidPolicy("Invalid '" + op + "' condition: it needs a field and a string value.");
  }
  std::string field(c[1].GetString(), c[1].GetStringLength());
  if (!StartsWith(field, "$")) {
    return InvalidPolicy("Invalid '" + op + "' condition: the field must start with '$'.");
  }
  out.op = eq ? PostCondition::Op::kEq : PostCondition::Op::kStartsWith;
  out.field = ToLower(std::string_view(field).substr(1));
  out.value.assign(c[2].GetString(), c[2].GetStringLength());
  out.text = QuoteCondition(op, field, out.value);
  return out;
}

bool IsExempt(std::string_view lower_name) {
  // SigV2 forms carry their signature and key id as `signature` and `AWSAccessKeyId`.
  return lower_name == "policy" || lower_name == "x-amz-signature" || lower_name == "file" ||
         lower_name == "signature" || lower_name == "awsaccesskeyid" ||
         StartsWith(lower_name, "x-ignore-");
}

// starts-with on Content-Type holds when every member of a comma-separated list starts so.
bool Matches(const PostCondition& c, std::string_view value) {
  if (c.op == PostCondition::Op::kEq) return value == c.value;
  if (c.field != "content-type") return StartsWith(value, c.value);
  for (std::string_view member : Split(value, ',')) {
    if (!StartsWith(Trim(member), c.value)) return false;
  }
  return true;
}

}  // namespace

Result<PostPolicy> ParsePostPolicy(std::string_view policy_base64) {
  std::optional<std::string> json = crypto::FromBase64(Trim(policy_base64));
  if (!json) return InvalidPolicy("The policy is not valid base64.");
  rapidjson::Document doc;
  doc.Parse(json->data(), json->size());
  if (doc.HasParseError() || !doc.IsObject()) return InvalidPolicy("Invalid JSON.");
  PostPolicy policy;
  auto expiration = doc.FindMember("expiration");
  if (expiration == doc.MemberEnd()) return InvalidPolicy("Missing expiration.");
  if (!expiration->value.IsString()) return InvalidPolicy("Invalid expiration.");
  std::string_view text(expiration->value.GetString(), expiration->value.GetStringLength());
  std::optional<SystemTime> when = ParseIso8601(text);
  if (!when) return InvalidPolicy("Invalid 'expiration' value: '" + std::string(text) + "'");
  policy.expiration = *when;
  auto conditions = doc.FindMember("conditions");
  if (conditions == doc.MemberEnd()) return InvalidPolicy("Missing conditions.");
  if (!conditions->value.IsArray()) return InvalidPolicy("Invalid conditions: must be a list.");
  for (const auto& c : conditions->value.GetArray()) {
    SEALSTACK_ASSIGN_OR_RETURN(PostCondition parsed, ParseCondition(c));
    policy.conditions.push_back(std::move(parsed));
  }
  return policy;
}

Status CheckPostPolicyExpiration(const PostPolicy& policy, SystemTime now,
                                 std::optional<SystemTime> signed_at,
                                 std::optional<SystemTime> signed_at_server) {
  SystemTime expiration = policy.expiration;
  if (signed_at && signed_at_server) {
    // The policy's lifetime as the signer counted it, from the server time of its signing.
    expiration = *signed_at_server + (policy.expiration - *signed_at);
  }
  if (now > expiration) return PolicyDenied("Policy expired.");
  return Status::Ok();
}

Status CheckPostPolicyFields(const PostPolicy& policy, const FormFields& fields,
                             std::string_view bucket, std::string_view key) {
  // The value of a field: the first one sent under that name, any case.
  auto value_of = [&](const std::string& lower) -> std::string_view {
    if (lower == "bucket") return bucket;
    if (lower == "key") return key;
    for (const auto& [name, value] : fields) {
      if (EqualsIgnoreCase(name, lower)) return value;
    }
    return {};
  };
  for (const PostCondition& c : policy.conditions) {
    if (c.op == PostCondition::Op::kContentLengthRange) continue;
    if (!Matches(c, value_of(c.field))) return PolicyDenied("Policy Condition failed: " + c.text);
  }
  std::string extra;
  for (const auto& [name, value] : fields) {
    const std::string lower = ToLower(name);
    if (IsExempt(lower)) continue;
    bool covered = false;
    for (const PostCondition& c : policy.conditions) covered = covered || c.field == lower;
    if (covered) continue;
    if (!extra.empty()) extra += ", ";
    extra += name;
  }
  if (!extra.empty()) return PolicyDenied("Extra input fields: " + extra);
  return Status::Ok();
}

Status CheckPostContentLength(const PostPolicy& policy, uint64_t size, bool final) {
  for (const PostCondition& c : policy.conditions) {
    if (c.op != PostCondition::Op::kContentLengthRange) continue;
    if (size > c.max) {
      return S3Error(
          ErrorKind::kEntityTooLarge, "Your proposed upload exceeds the maximum allowed size",
          {{"ProposedSize", std::to_string(size)}, {"MaxSizeAllowed", std::to_string(c.max)}});
    }
    if (final && size < c.min) {
      return S3Error(
          ErrorKind::kEntityTooSmall,
          "Your proposed upload is smaller than the minimum allowed size",
          {{"ProposedSize", std::to_string(size)}, {"MinSizeAllowed", std::to_string(c.min)}});
    }
  }
  return Status::Ok();
}

}  // namespace sealstack::api::s3
