// Policy variables: `${aws:username}`, `${aws:PrincipalTag/team}`, `${aws:userid, 'none'}` in
// Resource/NotResource and condition values, substituted from the request context when the
// document's Version is 2012-10-17 (with 2008-10-17, or no Version, the text is literal).
//
// Grammar inside a 2012-10-17 string:
//   ${*}  ${?}  ${$}          a literal `*`, `?`, `$` (never a wildcard)
//   ${KEY}                    the value of condition key KEY (case-insensitive name)
//   ${KEY, 'DEFAULT'}         ... or DEFAULT when KEY is absent
// A `$` not followed by `{`, or a `${` with no closing `}`, is literal text.
// A variable whose key is absent (and has no default) cannot be resolved; the element that
// uses it then matches nothing (AWS: "the element evaluates to false").
// Multi-valued keys substitute their first value.
//
// Thread safety: a Template is immutable after Parse; share freely.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/request_context.h"

namespace sealstack::policy {

class Template {
 public:
  // Splits `text` into literal and variable parts; variables only when `variables_enabled`.
  static Template Parse(std::string_view text, bool variables_enabled);

  bool has_variables() const { return has_variables_; }

  // The text as a plain string (escapes resolved). REQUIRES: !has_variables().
  std::string Plain() const;
  // The text as an escaped glob pattern (see wildcard.h): `*`/`?` in the policy text are
  // wildcards, escapes and variable values are literal. REQUIRES: !has_variables().
  std::string Pattern() const;

  // Substitutes variables. `as_pattern` selects Plain-like or Pattern-like output. Returns false
  // (and leaves *out unspecified) when a variable cannot be resolved.
  bool Resolve(const RequestContext& ctx, bool as_pattern, std::string* out) const;

 private:
  enum class Kind { kText, kLiteral, kVariable };
  struct Part {
    Kind kind;
    std::string text;  // kText/kLiteral: the text; kVariable: the lower-cased key name
    std::string fallback;
    bool has_fallback = false;
  };
  std::vector<Part> parts_;
  bool has_variables_ = false;
};

}  // namespace sealstack::policy
