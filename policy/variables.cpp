#include "policy/variables.h"

#include "common/strings.h"
#include "policy/wildcard.h"

namespace sealstack::policy {

namespace {

// Parses the inside of `${...}` as `KEY` or `KEY, 'DEFAULT'`. False when malformed.
bool ParseVariable(std::string_view inner, std::string* key, std::string* fallback,
                   bool* has_fallback) {
  size_t comma = inner.find(',');
  std::string_view name = Trim(inner.substr(0, comma));
  if (name.empty()) return false;
  *key = ToLower(name);
  *has_fallback = false;
  if (comma == std::string_view::npos) return true;
  std::string_view def = Trim(inner.substr(comma + 1));
  if (def.size() < 2 || def.front() != '\'' || def.back() != '\'') return false;
  *fallback = std::string(def.substr(1, def.size() - 2));
  *has_fallback = true;
  return true;
}

}  // namespace

Template Template::Parse(std::string_view text, bool variables_enabled) {
  Template t;
  auto add_text = [&t](Kind kind, std::string_view s) {
    if (s.empty()) return;
    if (!t.parts_.empty() && t.parts_.back().kind == kind) {
      t.parts_.back().text.append(s);
    } else {
      t.parts_.push_back(Part{kind, std::string(s), {}, false});
    }
  };
  if (!variables_enabled) {
    add_text(Kind::kText, text);
    return t;
  }
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("${", pos);
    if (open == std::string_view::npos) break;
    size_t close = text.find('}', open + 2);
    if (close == std::string_view::npos) break;
    add_text(Kind::kText, text.substr(pos, open - pos));
    std::string_view inner = text.substr(open + 2, close - open - 2);
    Part var{Kind::kVariable, {}, {}, false};
    if (inner == "*" || inner == "?" || inner == "$") {
      add_text(Kind::kLiteral, inner);
    } else if (ParseVariable(inner, &var.text, &var.fallback, &var.has_fallback)) {
      t.parts_.push_back(std::move(var));
      t.has_variables_ = true;
    } else {
      add_text(Kind::kText, text.substr(open, close + 1 - open));
    }
    pos = close + 1;
  }
  add_text(Kind::kText, text.substr(pos));
  return t;
}

bool Template::Resolve(const RequestContext& ctx, bool as_pattern, std::string* out) const {
  out->clear();
  for (const Part& p : parts_) {
    std::string_view value = p.text;
    if (p.kind == Kind::kVariable) {
      const std::vector<std::string>* v = ctx.Find(p.text);
      if (v != nullptr) {
        value = v->front();
      } else if (p.has_fallback) {
        value = p.fallback;
      } else {
        return false;
      }
    }
    if (!as_pattern) {
      out->append(value);
    } else if (p.kind == Kind::kText) {
      AppendGlobText(value, out);
    } else {
      AppendGlobLiteral(value, out);
    }
  }
  return true;
}

std::string Template::Plain() const {
  std::string out;
  static const RequestContext kEmpty;
  Resolve(kEmpty, false, &out);
  return out;
}

std::string Template::Pattern() const {
  std::string out;
  static const RequestContext kEmpty;
  Resolve(kEmpty, true, &out);
  return out;
}

}  // namespace sealstack::policy
