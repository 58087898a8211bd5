// Condition: one (operator, key, values) entry of a statement's Condition block, compiled once.
//
//   "Condition": { "StringLike": { "kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::b/*"] } }
//                  ^operator       ^key (case-insensitive)            ^values (OR; "none of" for
//                                                                      negated operators)
// Operators (docs/policy.md): String{Equals,NotEquals,EqualsIgnoreCase,NotEqualsIgnoreCase,Like,
// NotLike}, Numeric{Equals,NotEquals,LessThan,LessThanEquals,GreaterThan,GreaterThanEquals},
// Date{same six} (ISO 8601 or epoch seconds), Bool, BinaryEquals (base64), IpAddress,
// NotIpAddress (IPv4/IPv6 CIDR), ArnEquals, ArnLike, ArnNotEquals, ArnNotLike (per ARN part,
// wildcards per part), Null. Every operator but Null takes the `IfExists` suffix and the
// `ForAnyValue:` / `ForAllValues:` prefixes. Operator names are case-sensitive, as AWS writes
// them; unknown names are rejected at compile time.
//
// A policy ARN value with fewer than six parts matches nothing, except "*" which matches any
// request value.
//
// Semantics for request values R (absent = key missing or empty) and policy values V:
//   holds(r)      = some v in V relates to r (equals, matches, is less than, ...)
//   absent, IfExists                    -> true
//   absent, no qualifier                -> true for negated operators, false otherwise
//   absent, ForAnyValue / ForAllValues  -> false / true
//   present, no qualifier               -> some r holds (negated: no r holds)
//   present, ForAnyValue                -> some r: holds(r) (negated: some r: !holds(r))
//   present, ForAllValues               -> every r: holds(r) (negated: every r: !holds(r))
//   Null                                -> some v in V: v == ("true" iff absent)
// A request value that cannot be read as the operator's type (a non-number for Numeric*, ...)
// holds for no policy value. A value whose policy variable cannot be resolved makes the whole
// entry false.
//
// Thread safety: a compiled Condition is immutable; Evaluate is const and allocation-free
// unless its values contain policy variables.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "policy/request_context.h"
#include "policy/variables.h"

namespace sealstack::policy {

enum class ConditionType {
  kString,
  kStringIgnoreCase,
  kStringLike,
  kNumeric,
  kDate,
  kBool,
  kBinary,
  kIpAddress,
  kArn,
  kNull,
};

enum class Comparison { kEquals, kLessThan, kLessThanEquals, kGreaterThan, kGreaterThanEquals };
enum class SetQualifier { kNone, kForAnyValue, kForAllValues };

struct ConditionOperator {
  ConditionType type = ConditionType::kString;
  Comparison comparison = Comparison::kEquals;
  bool negated = false;
  bool if_exists = false;
  SetQualifier set = SetQualifier::kNone;
};

// "ForAllValues:StringNotEqualsIfExists" -> {kString, kEquals, negated, if_exists, kForAllValues}.
// InvalidArgument naming the operator when unknown.
Result<ConditionOperator> ParseConditionOperator(std::string_view name);

// An IPv4 or IPv6 network (an address is a /32 or /128 network).
struct IpNetwork {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};
  int prefix = 0;
};
// "10.0.0.0/8", "2001:db8::/32", "192.0.2.7". IPv4-mapped IPv6 addresses become IPv4.
bool ParseIpNetwork(std::string_view s, IpNetwork* out);
bool IpInNetwork(const IpNetwork& net, const IpNetwork& addr);

// ISO 8601 ("2025-01-01T00:00:00Z", with fraction, with +hh:mm offset, or a bare date) or epoch
// seconds (fraction allowed) -> microseconds since the epoch.
bool ParseConditionDate(std::string_view s, int64_t* micros);

class Condition {
 public:
  // `key` in any case; `values` as written in the policy (JSON numbers and booleans already
  // turned into their text). Fails with InvalidArgument (message names the operator, key and
  // value, without statement context) on an unknown operator, no values, or a value the
  // operator cannot read (a non-number for Numeric*, a bad CIDR, ...).
  static Result<Condition> Compile(std::string_view op, std::string_view key,
                                   const std::vector<std::string>& values, bool variables_enabled);

  bool Evaluate(const RequestContext& ctx) const;

  const ConditionOperator& op() const { return op_; }
  const std::string& op_name() const { return op_name_; }  // as written: "StringEquals"
  const std::string& key() const { return key_; }          // lower-cased

 private:
  // One policy value in the operator's own type.
  struct Operand {
    std::string text;  // String*: the string; StringLike: escaped pattern; Binary: raw bytes
    double number = 0;
    int64_t micros = 0;
    bool boolean = false;
    IpNetwork ip;
    std::array<std::string, 6> arn;  // kArn: escaped pattern of each ARN part
    bool arn_whole = false;  // kArn value with fewer than 6 parts (arn[0]): only "*" matches
  };

  static bool CompileOperand(ConditionType type, const Template& source, const RequestContext& ctx,
                             Operand* out, std::string* error);
  bool Holds(const Operand& v, std::string_view request) const;
  bool HoldsAny(std::span<const Operand> values, std::string_view request) const;
  bool EvaluateWith(std::span<const Operand> values, const std::vector<std::string>* request) const;

  ConditionOperator op_;
  std::string op_name_;
  std::string key_;
  std::vector<Template> sources_;  // as written; resolved per request when has_variables_
  std::vector<Operand> compiled_;  // one per source; only when !has_variables_
  bool has_variables_ = false;
};

// All entries of one statement's Condition element; true when every entry is true.
struct ConditionBlock {
  std::vector<Condition> conditions;
  bool Evaluate(const RequestContext& ctx) const {
    for (const Condition& c : conditions) {
      if (!c.Evaluate(ctx)) return false;
    }
    return true;
  }
};

}  // namespace sealstack::policy
