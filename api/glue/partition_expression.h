// GetPartitions' Expression: the SQL WHERE-like filter over a table's partition keys, parsed
// once and evaluated on each partition's values. No I/O, no AWS wire knowledge: a parse error is
// an InvalidArgument Status whose message the service reports (InvalidInputException).
//
// Grammar (keywords case-insensitive; Glue's documented operators, plus != for <>):
//
//   expr      := and_expr { OR and_expr }
//   and_expr  := not_expr { AND not_expr }
//   not_expr  := NOT not_expr | primary
//   primary   := '(' expr ')'
//              | operand ( cmp operand
//                        | [NOT] BETWEEN operand AND operand
//                        | [NOT] IN '(' operand { ',' operand } ')'
//                        | [NOT] LIKE operand
//                        | IS [NOT] NULL )
//   cmp       := '=' | '<>' | '!=' | '<' | '>' | '<=' | '>='
//   operand   := key | `key` | 'string' ('' inside is a quote) | number (-?digits[.digits])
//
// Types come from the table's PartitionKeys: int, bigint, long, tinyint, smallint and decimal
// compare as numbers (a value or literal that is not a number matches nothing); string, date,
// timestamp (and char/varchar) compare as text (ISO dates sort as text). Any other key type used
// in the expression is refused. LIKE takes SQL patterns (% any run, _ one character). Partition
// values are never NULL: IS NULL is false, IS NOT NULL true.
//
// Thread safety: a parsed expression is immutable; Matches may be called concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sealstack::api::glue {

struct PartitionKeyColumn {
  std::string name;  // as the table names it; matched case-insensitively
  std::string type;  // the column's Type ("string", "int", ...)
};

class PartitionExpression {
 public:
  struct Node;

  // InvalidArgument naming what is wrong (an unknown key, a syntax error, an unsupported type).
  static Result<PartitionExpression> Parse(std::string_view text,
                                           const std::vector<PartitionKeyColumn>& keys);

  // `values`: one per partition key, in the keys' order.
  bool Matches(const std::vector<std::string>& values) const;

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace sealstack::api::glue
