#include "policy/wildcard.h"

namespace sealstack::policy {

namespace {

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// True when the escaped pattern contains an unescaped `*` or `?`.
bool HasWildcard(std::string_view p) {
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      ++i;
    } else if (p[i] == '*' || p[i] == '?') {
      return true;
    }
  }
  return false;
}

std::string Unescape(std::string_view p) {
  std::string out;
  out.reserve(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\' && i + 1 < p.size()) ++i;
    out.push_back(p[i]);
  }
  return out;
}

// Classic two-cursor matcher with single-star backtracking: O(|p|*|s|) worst case, linear for
// the patterns policies use. `fold` lower-cases the subject (the pattern is already lower).
bool MatchEscaped(std::string_view p, std::string_view s, bool fold) {
  size_t pi = 0, si = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size()) {
      char c = p[pi];
      if (c == '*') {
        star_p = ++pi;
        star_s = si;
        continue;
      }
      if (c == '?') {
        ++pi;
        ++si;
        continue;
      }
      size_t width = 1;
      if (c == '\\' && pi + 1 < p.size()) {
        c = p[pi + 1];
        width = 2;
      }
      char sc = fold ? Lower(s[si]) : s[si];
      if (c == sc) {
        pi += width;
        ++si;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p;
    si = ++star_s;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool EqualFold(std::string_view lower_pattern, std::string_view s) {
  if (lower_pattern.size() != s.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (lower_pattern[i] != Lower(s[i])) return false;
  }
  return true;
}

}  // namespace

void AppendGlobLiteral(std::string_view s, std::string* out) {
  for (char c : s) {
    if (c == '*' || c == '?' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
}

void AppendGlobText(std::string_view s, std::string* out) {
  for (char c : s) {
    if (c == '\\') out->push_back('\\');
    out->push_back(c);
  }
}

Glob Glob::Compile(std::string_view escaped, bool fold_case) {
  Glob g;
  g.fold_case_ = fold_case;
  g.escaped_ = std::string(escaped);
  if (fold_case) {
    for (char& c : g.escaped_) c = Lower(c);
  }
  std::string_view p = g.escaped_;
  if (p == "*") {
    g.shape_ = Shape::kAny;
  } else if (!HasWildcard(p)) {
    g.shape_ = Shape::kExact;
    g.literal_ = Unescape(p);
  } else if (p.back() == '*' && !HasWildcard(p.substr(0, p.size() - 1)) &&
             !(p.size() >= 2 && p[p.size() - 2] == '\\')) {
    g.shape_ = Shape::kPrefix;
    g.literal_ = Unescape(p.substr(0, p.size() - 1));
  } else {
    g.shape_ = Shape::kGeneral;
  }
  return g;
}

bool Glob::Match(std::string_view s) const {
  return MatchFolding(s, fold_case_);
}

bool Glob::MatchLowered(std::string_view s) const {
  return MatchFolding(s, false);
}

bool Glob::MatchFolding(std::string_view s, bool fold_case) const {
  switch (shape_) {
    case Shape::kNothing:
      return false;
    case Shape::kAny:
      return true;
    case Shape::kExact:
      return fold_case ? EqualFold(literal_, s) : s == literal_;
    case Shape::kPrefix:
      if (s.size() < literal_.size()) return false;
      return fold_case ? EqualFold(literal_, s.substr(0, literal_.size()))
                       : s.substr(0, literal_.size()) == literal_;
    case Shape::kGeneral:
      return MatchEscaped(escaped_, s, fold_case);
  }
  return false;
}

bool GlobMatch(std::string_view escaped, std::string_view subject) {
  return MatchEscaped(escaped, subject, false);
}

}  // namespace sealstack::policy
