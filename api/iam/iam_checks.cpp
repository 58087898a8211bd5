// AWS's validation of IAM request members: lengths, ranges, names, paths, tags, policy
// documents and policy ARNs, with AWS's messages.
#include "api/iam/iam_internal.h"
#include "common/strings.h"
#include "policy/document.h"

namespace sealstack::api::iam {

namespace {

constexpr int64_t kDefaultMaxItems = 100;

bool IsIamNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}

}  // namespace

// AWS's validation text for one member ("1 validation error detected: ...").
Status Invalid(std::string_view value, std::string_view member, std::string_view constraint) {
  return IamError(ErrorKind::kValidation,
                  "1 validation error detected: Value '" + std::string(value) + "' at '" +
                      std::string(member) +
                      "' failed to satisfy constraint: " + std::string(constraint));
}

// AWS's length constraint of one member.
Status CheckLength(std::string_view value, std::string_view member, size_t min, size_t max) {
  if (value.size() < min) {
    return Invalid(value, member,
                   "Member must have length greater than or equal to " + std::to_string(min));
  }
  if (value.size() > max) {
    return Invalid(value, member,
                   "Member must have length less than or equal to " + std::to_string(max));
  }
  return Status::Ok();
}

// AWS's range constraint of one number member.
Status CheckRange(int64_t value, std::string_view member, int64_t min, int64_t max) {
  if (value < min) {
    return Invalid(std::to_string(value), member,
                   "Member must have value greater than or equal to " + std::to_string(min));
  }
  if (value > max) {
    return Invalid(std::to_string(value), member,
                   "Member must have value less than or equal to " + std::to_string(max));
  }
  return Status::Ok();
}

Status CheckName(std::string_view value, std::string_view member, size_t max) {
  SEALSTACK_RETURN_IF_ERROR(CheckLength(value, member, 1, max));
  for (char ch : value) {
    if (!IsIamNameChar(ch)) {
      return Invalid(value, member, "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    }
  }
  return Status::Ok();
}

Status CheckPath(std::string_view path, std::string_view member) {
  bool ok = !path.empty() && path.size() <= 512 && path.front() == '/' && path.back() == '/';
  for (char ch : path) ok = ok && ch >= 0x21 && ch <= 0x7e;
  if (!ok) {
    return Invalid(path, member,
                   "Member must satisfy regular expression pattern: "
                   "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
  }
  return Status::Ok();
}

Status CheckTags(const std::vector<Tag>& tags) {
  if (tags.size() > 50) {
    return Invalid("[...]", "tags", "Member must have length less than or equal to 50");
  }
  for (const Tag& t : tags) {
    if (t.key.empty() || t.key.size() > 128) {
      return Invalid(t.key, "tags.member.key", "Member must have length less than or equal to 128");
    }
    if (t.value.size() > 256) {
      return Invalid(t.value, "tags.member.value",
                     "Member must have length less than or equal to 256");
    }
  }
  return Status::Ok();
}

Status CheckNewEntity(std::string_view name, std::string_view member, size_t max,
                      std::string_view path, const std::vector<Tag>& tags) {
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, member, max));
  SEALSTACK_RETURN_IF_ERROR(CheckPath(path, "path"));
  return CheckTags(tags);
}

Result<int64_t> MaxItems(const ListInput& in) {
  const int64_t n = in.max_items.value_or(kDefaultMaxItems);
  SEALSTACK_RETURN_IF_ERROR(CheckRange(n, "maxItems", 1, 1000));
  return n;
}

Status ValidatePolicy(const std::string& doc, policy::PolicyKind kind) {
  if (doc.empty()) {
    return Invalid(doc, "policyDocument", "Member must have length greater than or equal to 1");
  }
  auto parsed = policy::ParsePolicy(doc, kind);
  if (!parsed.ok()) return IamError(ErrorKind::kMalformedPolicyDocument, parsed.status().message());
  return Status::Ok();
}

// The size IAM counts against its quotas: the document without white space.
size_t PolicySize(std::string_view doc) {
  size_t n = 0;
  for (char ch : doc) n += (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r') ? 0 : 1;
  return n;
}

Status CheckPolicyArn(const std::string& arn, std::string_view member) {
  SEALSTACK_RETURN_IF_ERROR(CheckLength(arn, member, 20, 2048));
  if (!StartsWith(arn, "arn:aws:iam::") || arn.find(":policy/") == std::string::npos) {
    return IamError(ErrorKind::kInvalidInput, "ARN " + arn + " is not valid.");
  }
  return Status::Ok();
}

}  // namespace sealstack::api::iam
