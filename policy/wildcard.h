// Wildcard patterns as IAM uses them: `*` matches any run of characters (including none, and
// including `:` and `/`), `?` matches exactly one character. Everything else is literal.
//
// A compiled Glob is stored in its "escaped" form, where a backslash makes the next character
// literal; that is how `${*}` / `${?}` escapes and policy-variable values (which must match
// literally) are kept apart from real wildcards. Build patterns from policy text with
// EscapeGlobLiteral / AppendPatternText, never by hand.
//
// Matching never allocates. Thread safety: a Glob is immutable after Compile; share freely.
#pragma once

#include <string>
#include <string_view>

namespace sealstack::policy {

// Appends `s` to `out` so that every character in it matches only itself.
void AppendGlobLiteral(std::string_view s, std::string* out);
// Appends raw policy text (where `*` and `?` are wildcards) to an escaped pattern.
void AppendGlobText(std::string_view s, std::string* out);

class Glob {
 public:
  Glob() = default;
  // `escaped` is an escaped pattern (see above). With fold_case, the pattern is lower-cased
  // here and Match lower-cases the subject on the fly (ASCII): IAM action names.
  static Glob Compile(std::string_view escaped, bool fold_case);

  bool Match(std::string_view subject) const;
  // Match for a subject the caller has already lower-cased (fold_case globs only; saves
  // folding the subject once per pattern when many patterns test one action).
  bool MatchLowered(std::string_view lower_subject) const;

  // The escaped (and, with fold_case, lower-cased) pattern.
  const std::string& escaped() const { return escaped_; }

 private:
  // Match, lower-casing the subject on the fly when `fold_case` (literal_ is lower-case then).
  bool MatchFolding(std::string_view subject, bool fold_case) const;

  enum class Shape { kNothing, kAny, kExact, kPrefix, kGeneral };
  Shape shape_ = Shape::kNothing;
  bool fold_case_ = false;
  std::string escaped_;  // kGeneral
  std::string literal_;  // kExact: the whole text; kPrefix: the text before the final `*`
};

// One-off match of an escaped pattern (no precompilation), case-sensitive.
bool GlobMatch(std::string_view escaped, std::string_view subject);

}  // namespace sealstack::policy
