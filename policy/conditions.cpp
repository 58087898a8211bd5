#include "policy/conditions.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "common/strings.h"
#include "common/time_format.h"
#include "policy/wildcard.h"

namespace sealstack::policy {

namespace {

struct BaseOperator {
  std::string_view name;
  ConditionType type;
  Comparison comparison;
  bool negated;
};

constexpr BaseOperator kOperators[] = {
    {"StringEquals", ConditionType::kString, Comparison::kEquals, false},
    {"StringNotEquals", ConditionType::kString, Comparison::kEquals, true},
    {"StringEqualsIgnoreCase", ConditionType::kStringIgnoreCase, Comparison::kEquals, false},
    {"StringNotEqualsIgnoreCase", ConditionType::kStringIgnoreCase, Comparison::kEquals, true},
    {"StringLike", ConditionType::kStringLike, Comparison::kEquals, false},
    {"StringNotLike", ConditionType::kStringLike, Comparison::kEquals, true},
    {"NumericEquals", ConditionType::kNumeric, Comparison::kEquals, false},
    {"NumericNotEquals", ConditionType::kNumeric, Comparison::kEquals, true},
    {"NumericLessThan", ConditionType::kNumeric, Comparison::kLessThan, false},
    {"NumericLessThanEquals", ConditionType::kNumeric, Comparison::kLessThanEquals, false},
    {"NumericGreaterThan", ConditionType::kNumeric, Comparison::kGreaterThan, false},
    {"NumericGreaterThanEquals", ConditionType::kNumeric, Comparison::kGreaterThanEquals, false},
    {"DateEquals", ConditionType::kDate, Comparison::kEquals, false},
    {"DateNotEquals", ConditionType::kDate, Comparison::kEquals, true},
    {"DateLessThan", ConditionType::kDate, Comparison::kLessThan, false},
    {"DateLessThanEquals", ConditionType::kDate, Comparison::kLessThanEquals, false},
    {"DateGreaterThan", ConditionType::kDate, Comparison::kGreaterThan, false},
    {"DateGreaterThanEquals", ConditionType::kDate, Comparison::kGreaterThanEquals, false},
    {"Bool", ConditionType::kBool, Comparison::kEquals, false},
    {"BinaryEquals", ConditionType::kBinary, Comparison::kEquals, false},
    {"IpAddress", ConditionType::kIpAddress, Comparison::kEquals, false},
    {"NotIpAddress", ConditionType::kIpAddress, Comparison::kEquals, true},
    {"ArnEquals", ConditionType::kArn, Comparison::kEquals, false},
    {"ArnLike", ConditionType::kArn, Comparison::kEquals, false},
    {"ArnNotEquals", ConditionType::kArn, Comparison::kEquals, true},
    {"ArnNotLike", ConditionType::kArn, Comparison::kEquals, true},
    {"Null", ConditionType::kNull, Comparison::kEquals, false},
};

template <typename T>
bool Compare(Comparison c, T request, T policy) {
  switch (c) {
    case Comparison::kEquals:
      return request == policy;
    case Comparison::kLessThan:
      return request < policy;
    case Comparison::kLessThanEquals:
      return request <= policy;
    case Comparison::kGreaterThan:
      return request > policy;
    case Comparison::kGreaterThanEquals:
      return request >= policy;
  }
  return false;
}

bool ParseNumber(std::string_view s, double* out) {
  s = Trim(s);
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool ParseBool(std::string_view s, bool* out) {
  if (EqualsIgnoreCase(s, "true")) {
    *out = true;
    return true;
  }
  if (EqualsIgnoreCase(s, "false")) {
    *out = false;
    return true;
  }
  return false;
}

int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Standard or URL-safe alphabet, padding optional.
bool DecodeBase64(std::string_view s, std::string* out) {
  out->clear();
  while (!s.empty() && s.back() == '=') s.remove_suffix(1);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    int d = Base64Digit(c);
    if (d < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return bits < 6;  // a single leftover sextet is not valid base64
}

// Splits an ARN into its six colon-separated parts (the last keeps any further colons).
bool SplitArn(std::string_view arn, std::array<std::string_view, 6>* parts) {
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return false;
    (*parts)[i] = arn.substr(start, colon - start);
    start = colon + 1;
  }
  (*parts)[5] = arn.substr(start);
  return true;
}

bool Digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Result<ConditionOperator> ParseConditionOperator(std::string_view name) {
  ConditionOperator op;
  std::string_view base = name;
  if (StartsWith(base, "ForAnyValue:")) {
    op.set = SetQualifier::kForAnyValue;
    base.remove_prefix(12);
  } else if (StartsWith(base, "ForAllValues:")) {
    op.set = SetQualifier::kForAllValues;
    base.remove_prefix(13);
  }
  if (EndsWith(base, "IfExists")) {
    op.if_exists = true;
    base.remove_suffix(8);
  }
  for (const BaseOperator& b : kOperators) {
    if (b.name != base) continue;
    if (b.type == ConditionType::kNull && (op.if_exists || op.set != SetQualifier::kNone)) {
      break;  // Null takes neither IfExists nor a set qualifier
    }
    op.type = b.type;
    op.comparison = b.comparison;
    op.negated = b.negated;
    return op;
  }
  return Status::InvalidArgument("unknown condition operator \"" + std::string(name) + "\"");
}

bool ParseIpNetwork(std::string_view s, IpNetwork* out) {
  s = Trim(s);
  std::string_view addr = s;
  int prefix = -1;
  size_t slash = s.find('/');
  if (slash != std::string_view::npos) {
    addr = s.substr(0, slash);
    std::string_view p = s.substr(slash + 1);
    if (!Digits(p) || p.size() > 3) return false;
    prefix = 0;
    for (char c : p) prefix = prefix * 10 + (c - '0');
  }
  char buf[64];
  if (addr.empty() || addr.size() >= sizeof(buf)) return false;
  std::memcpy(buf, addr.data(), addr.size());
  buf[addr.size()] = '\0';
  IpNetwork n;
  if (inet_pton(AF_INET, buf, n.bytes.data()) == 1) {
    n.v6 = false;
    if (prefix > 32) return false;
    n.prefix = prefix < 0 ? 32 : prefix;
  } else if (inet_pton(AF_INET6, buf, n.bytes.data()) == 1) {
    n.v6 = true;
    if (prefix > 128) return false;
    n.prefix = prefix < 0 ? 128 : prefix;
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(n.bytes.data(), kMapped, 12) == 0 && n.prefix >= 96) {
      std::memmove(n.bytes.data(), n.bytes.data() + 12, 4);
      std::memset(n.bytes.data() + 4, 0, 12);
      n.v6 = false;
      n.prefix -= 96;
    }
  } else {
    return false;
  }
  *out = n;
  return true;
}

bool IpInNetwork(const IpNetwork& net, const IpNetwork& addr) {
  if (net.v6 != addr.v6) return false;
  int full = net.prefix / 8;
  if (std::memcmp(net.bytes.data(), addr.bytes.data(), static_cast<size_t>(full)) != 0) {
    return false;
  }
  int rest = net.prefix % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (net.bytes[full] & mask) == (addr.bytes[full] & mask);
}

bool ParseConditionDate(std::string_view s, int64_t* micros) {
  s = Trim(s);
  if (s.empty()) return false;
  // Epoch seconds: digits, optional sign and fraction.
  bool numeric = true;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+')) numeric = false;
  }
  if (numeric && s.find('-', 1) == std::string_view::npos) {
    double secs;
    if (!ParseNumber(s, &secs)) return false;
    *micros = static_cast<int64_t>(secs * 1e6);
    return true;
  }
  auto to_micros = [](SystemTime t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  };
  if (auto t = ParseIso8601(s)) {
    *micros = to_micros(*t);
    return true;
  }
  if (s.size() == 10) {  // YYYY-MM-DD
    std::string full(s);
    full += "T00:00:00Z";
    if (auto t = ParseIso8601(full)) {
      *micros = to_micros(*t);
      return true;
    }
    return false;
  }
  // ...±hh:mm offset.
  if (s.size() > 6 && (s[s.size() - 6] == '+' || s[s.size() - 6] == '-') &&
      s[s.size() - 3] == ':') {
    std::string_view off = s.substr(s.size() - 5);
    if (!Digits(off.substr(0, 2)) || !Digits(off.substr(3, 2))) return false;
    int minutes =
        ((off[0] - '0') * 10 + (off[1] - '0')) * 60 + (off[3] - '0') * 10 + (off[4] - '0');
    std::string utc(s.substr(0, s.size() - 6));
    utc += 'Z';
    auto t = ParseIso8601(utc);
    if (!t) return false;
    int64_t delta = int64_t{minutes} * 60 * 1000000;
    *micros = to_micros(*t) + (s[s.size() - 6] == '+' ? -delta : delta);
    return true;
  }
  return false;
}

bool Condition::CompileOperand(ConditionType type, const Template& source,
                               const RequestContext& ctx, Operand* out, std::string* error) {
  bool pattern = type == ConditionType::kStringLike || type == ConditionType::kArn;
  std::string text;
  if (!source.Resolve(ctx, pattern, &text)) {
    *error = "unresolved policy variable";
    return false;
  }
  switch (type) {
    case ConditionType::kString:
    case ConditionType::kStringIgnoreCase:
    case ConditionType::kStringLike:
      out->text = std::move(text);
      return true;
    case ConditionType::kNumeric:
      if (ParseNumber(text, &out->number)) return true;
      *error = "\"" + text + "\" is not a number";
      return false;
    case ConditionType::kDate:
      if (ParseConditionDate(text, &out->micros)) return true;
      *error = "\"" + text + "\" is not an ISO 8601 date or epoch seconds";
      return false;
    case ConditionType::kBool:
    case ConditionType::kNull:
      if (ParseBool(text, &out->boolean)) return true;
      *error = "\"" + text + "\" is not \"true\" or \"false\"";
      return false;
    case ConditionType::kBinary:
      if (DecodeBase64(text, &out->text)) return true;
      *error = "\"" + text + "\" is not base64";
      return false;
    case ConditionType::kIpAddress:
      if (ParseIpNetwork(text, &out->ip)) return true;
      *error = "\"" + text + "\" is not an IP address or CIDR block";
      return false;
    case ConditionType::kArn: {
      std::array<std::string_view, 6> parts;
      if (SplitArn(text, &parts)) {
        for (size_t i = 0; i < 6; ++i) out->arn[i] = std::string(parts[i]);
        out->arn_whole = false;
      } else {
        out->arn[0] = std::move(text);
        out->arn_whole = true;
      }
      return true;
    }
  }
  return false;
}

Result<Condition> Condition::Compile(std::string_view op, std::string_view key,
                                     const std::vector<std::string>& values,
                                     bool variables_enabled) {
  SEALSTACK_ASSIGN_OR_RETURN(ConditionOperator parsed, ParseConditionOperator(op));
  std::string where = std::string(op) + " \"" + std::string(key) + "\"";
  if (key.empty()) {
    return Status::InvalidArgument(std::string(op) + ": empty condition key");
  }
  if (values.empty()) return Status::InvalidArgument(where + ": no values");
  Condition c;
  c.op_ = parsed;
  c.op_name_ = std::string(op);
  c.key_ = ToLower(key);
  bool vars = variables_enabled && parsed.type != ConditionType::kNull;
  for (const std::string& v : values) {
    c.sources_.push_back(Template::Parse(v, vars));
    if (c.sources_.back().has_variables()) c.has_variables_ = true;
  }
  if (!c.has_variables_) {
    static const RequestContext kEmpty;
    c.compiled_.resize(c.sources_.size());
    for (size_t i = 0; i < c.sources_.size(); ++i) {
      std::string error;
      if (!CompileOperand(parsed.type, c.sources_[i], kEmpty, &c.compiled_[i], &error)) {
        return Status::InvalidArgument(where + ": " + error);
      }
    }
  }
  return c;
}

bool Condition::Holds(const Operand& v, std::string_view request) const {
  switch (op_.type) {
    case ConditionType::kString:
      return request == v.text;
    case ConditionType::kStringIgnoreCase:
      return EqualsIgnoreCase(request, v.text);
    case ConditionType::kStringLike:
      return GlobMatch(v.text, request);
    case ConditionType::kNumeric: {
      double n;
      return ParseNumber(request, &n) && Compare(op_.comparison, n, v.number);
    }
    case ConditionType::kDate: {
      int64_t t;
      return ParseConditionDate(request, &t) && Compare(op_.comparison, t, v.micros);
    }
    case ConditionType::kBool: {
      bool b;
      return ParseBool(request, &b) && b == v.boolean;
    }
    case ConditionType::kBinary: {
      std::string bytes;
      return DecodeBase64(request, &bytes) && bytes == v.text;
    }
    case ConditionType::kIpAddress: {
      IpNetwork addr;
      return ParseIpNetwork(request, &addr) && IpInNetwork(v.ip, addr);
    }
    case ConditionType::kArn: {
      if (v.arn_whole) return v.arn[0] == "*";
      std::array<std::string_view, 6> parts;
      if (!SplitArn(request, &parts)) return false;
      for (size_t i = 0; i < 6; ++i) {
        if (!GlobMatch(v.arn[i], parts[i])) return false;
      }
      return true;
    }
    case ConditionType::kNull:
      return false;  // handled in EvaluateWith
  }
  return false;
}

bool Condition::HoldsAny(std::span<const Operand> values, std::string_view request) const {
  for (const Operand& v : values) {
    if (Holds(v, request)) return true;
  }
  return false;
}

bool Condition::EvaluateWith(std::span<const Operand> values,
                             const std::vector<std::string>* request) const {
  if (op_.type == ConditionType::kNull) {
    bool absent = request == nullptr;
    for (const Operand& v : values) {
      if (v.boolean == absent) return true;
    }
    return false;
  }
  if (request == nullptr) {
    if (op_.if_exists) return true;
    switch (op_.set) {
      case SetQualifier::kNone:
        return op_.negated;
      case SetQualifier::kForAnyValue:
        return false;
      case SetQualifier::kForAllValues:
        return true;
    }
  }
  switch (op_.set) {
    case SetQualifier::kNone: {
      bool any = false;
      for (const std::string& r : *request) {
        if (HoldsAny(values, r)) {
          any = true;
          break;
        }
      }
      return op_.negated ? !any : any;
    }
    case SetQualifier::kForAnyValue:
      for (const std::string& r : *request) {
        if (HoldsAny(values, r) != op_.negated) return true;
      }
      return false;
    case SetQualifier::kForAllValues:
      for (const std::string& r : *request) {
        if (HoldsAny(values, r) == op_.negated) return false;
      }
      return true;
  }
  return false;
}

bool Condition::Evaluate(const RequestContext& ctx) const {
  const std::vector<std::string>* request = ctx.Find(key_);
  if (!has_variables_) return EvaluateWith(compiled_, request);
  if (request == nullptr && op_.type != ConditionType::kNull) return EvaluateWith({}, nullptr);
  std::vector<Operand> resolved(sources_.size());
  for (size_t i = 0; i < sources_.size(); ++i) {
    std::string error;
    if (!CompileOperand(op_.type, sources_[i], ctx, &resolved[i], &error)) return false;
  }
  return EvaluateWith(resolved, request);
}

}  // namespace sealstack::policy
