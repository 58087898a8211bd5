#include "api/glue/partition_expression.h"

#include <cctype>
#include <cstdlib>
#include <optional>
#include <variant>

namespace sealstack::api::glue {

// How an operator compares its operands (the key's type).
enum class ValueType { kText, kNumber };

namespace {

enum class Tok { kEnd, kIdent, kString, kNumber, kOp, kLParen, kRParen, kComma };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // identifier (as written), literal value, or operator
  bool quoted_ident = false;
};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string LowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<std::vector<Token>> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  auto fail = [&](const std::string& what) {
    return Status::InvalidArgument("Unsupported expression: " + what + " at position " +
                                   std::to_string(i));
  };
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '(' || c == ')' || c == ',') {
      out.push_back({c == '(' ? Tok::kLParen : c == ')' ? Tok::kRParen : Tok::kComma, {}, false});
      ++i;
    } else if (c == '\'') {
      std::string v;
      ++i;
      for (;;) {
        if (i >= s.size()) return fail("unterminated string");
        if (s[i] == '\'') {
          if (i + 1 < s.size() && s[i + 1] == '\'') {
            v += '\'';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        v += s[i++];
      }
      out.push_back({Tok::kString, std::move(v), false});
    } else if (c == '`' || c == '"') {
      const size_t end = s.find(c, i + 1);
      if (end == std::string_view::npos) return fail("unterminated quoted name");
      out.push_back({Tok::kIdent, std::string(s.substr(i + 1, end - i - 1)), true});
      i = end + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '-' && i + 1 < s.size() &&
                std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      size_t j = i + 1;
      while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) {
        ++j;
      }
      out.push_back({Tok::kNumber, std::string(s.substr(i, j - i)), false});
      i = j;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i + 1;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      out.push_back({Tok::kIdent, std::string(s.substr(i, j - i)), false});
      i = j;
    } else if (c == '=' || c == '<' || c == '>' || c == '!') {
      std::string op(1, c);
      if (i + 1 < s.size() && (s[i + 1] == '=' || (c == '<' && s[i + 1] == '>'))) op += s[i + 1];
      if (op == "!") return fail("'!'");
      out.push_back({Tok::kOp, op, false});
      i += op.size();
    } else {
      return fail(std::string("'") + c + "'");
    }
  }
  out.push_back({Tok::kEnd, {}, false});
  return out;
}

bool IsNumericType(std::string_view t) {
  return t == "int" || t == "integer" || t == "bigint" || t == "long" || t == "tinyint" ||
         t == "smallint" || t.rfind("decimal", 0) == 0;
}

bool IsTextType(std::string_view t) {
  return t == "string" || t == "date" || t == "timestamp" || t.rfind("char", 0) == 0 ||
         t.rfind("varchar", 0) == 0;
}

std::optional<long double> Number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const long double v = std::strtold(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

// SQL LIKE: % any run, _ one character.
bool Like(std::string_view s, std::string_view p) {
  size_t si = 0, pi = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '_' || p[pi] == s[si])) {
      ++si;
      ++pi;
    } else if (pi < p.size() && p[pi] == '%') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

}  // namespace

// An operand: a partition key (by index) or a literal.
struct Operand {
  int key = -1;
  std::string literal;
  bool numeric_literal = false;
  std::string_view Value(const std::vector<std::string>& values) const {
    if (key < 0) return literal;
    return static_cast<size_t>(key) < values.size() ? std::string_view(values[key])
                                                    : std::string_view();
  }
};

struct PartitionExpression::Node {
  enum class Kind { kAnd, kOr, kNot, kCompare, kBetween, kIn, kLike, kIsNull };
  Kind kind = Kind::kAnd;
  std::shared_ptr<const Node> left, right;  // kAnd, kOr; kNot: left
  std::string op;                           // kCompare
  std::vector<Operand> operands;            // first is the tested operand
  ValueType type = ValueType::kText;
  bool negated = false;  // NOT BETWEEN / NOT IN / NOT LIKE / IS NOT NULL

  bool Eval(const std::vector<std::string>& values) const;
};

namespace {

// -1, 0, 1; nullopt when the two cannot be compared as `type` (not numbers).
std::optional<int> Compare(std::string_view a, std::string_view b, ValueType type) {
  if (type == ValueType::kNumber) {
    auto x = Number(std::string(a));
    auto y = Number(std::string(b));
    if (!x || !y) return std::nullopt;
    return *x < *y ? -1 : *x > *y ? 1 : 0;
  }
  const int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

bool Holds(const std::string& op, int c) {
  if (op == "=") return c == 0;
  if (op == "<>" || op == "!=") return c != 0;
  if (op == "<") return c < 0;
  if (op == ">") return c > 0;
  if (op == "<=") return c <= 0;
  return c >= 0;  // ">="
}

using Node = PartitionExpression::Node;
using NodePtr = std::shared_ptr<const Node>;

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::vector<PartitionKeyColumn>& keys)
      : toks_(std::move(tokens)), keys_(keys) {}

  Result<NodePtr> Whole() {
    SEALSTACK_ASSIGN_OR_RETURN(NodePtr n, Or());
    if (Peek().kind != Tok::kEnd) return Unexpected();
    return n;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return toks_[std::min(pos_ + ahead, toks_.size() - 1)];
  }
  bool Keyword(std::string_view kw, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == Tok::kIdent && !t.quoted_ident && Upper(t.text) == kw;
  }
  Status Unexpected() const {
    const Token& t = Peek();
    return Status::InvalidArgument(t.kind == Tok::kEnd
                                       ? "Unsupported expression: unexpected end of the expression"
                                       : "Unsupported expression: unexpected '" +
                                             (t.kind == Tok::kLParen   ? std::string("(")
                                              : t.kind == Tok::kRParen ? std::string(")")
                                              : t.kind == Tok::kComma  ? std::string(",")
                                                                       : t.text) +
                                             "'");
  }

  Result<NodePtr> Or() {
    SEALSTACK_ASSIGN_OR_RETURN(NodePtr left, And());
    while (Keyword("OR")) {
      ++pos_;
      SEALSTACK_ASSIGN_OR_RETURN(NodePtr right, And());
      left = Binary(Node::Kind::kOr, std::move(left), std::move(right));
    }
    return left;
  }
  Result<NodePtr> And() {
    SEALSTACK_ASSIGN_OR_RETURN(NodePtr left, Not());
    while (Keyword("AND")) {
      ++pos_;
      SEALSTACK_ASSIGN_OR_RETURN(NodePtr right, Not());
      left = Binary(Node::Kind::kAnd, std::move(left), std::move(right));
    }
    return left;
  }
  Result<NodePtr> Not() {
    if (Keyword("NOT")) {
      ++pos_;
      SEALSTACK_ASSIGN_OR_RETURN(NodePtr inner, Not());
      auto n = std::make_shared<Node>();
      n->kind = Node::Kind::kNot;
      n->left = std::move(inner);
      return NodePtr(n);
    }
    return Primary();
  }
  static NodePtr Binary(Node::Kind kind, NodePtr l, NodePtr r) {
    auto n = std::make_shared<Node>();
    n->kind = kind;
    n->left = std::move(l);
    n->right = std::move(r);
    return n;
  }

  Result<Operand> ReadOperand() {
    const Token& t = Peek();
    Operand o;
    if (t.kind == Tok::kString || t.kind == Tok::kNumber) {
      o.literal = t.text;
      o.numeric_literal = t.kind == Tok::kNumber;
      ++pos_;
      return o;
    }
    if (t.kind != Tok::kIdent) return Unexpected();
    const std::string lower = LowerCopy(t.text);
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (LowerCopy(keys_[i].name) == lower) {
        const std::string type = LowerCopy(keys_[i].type);
        if (!IsNumericType(type) && !IsTextType(type)) {
          return Status::InvalidArgument("Unsupported partition key type " + keys_[i].type +
                                         " of " + keys_[i].name + " in the expression");
        }
        o.key = static_cast<int>(i);
        ++pos_;
        return o;
      }
    }
    return Status::InvalidArgument("Unknown column '" + t.text +
                                   "': the expression may name only the table's partition keys");
  }

  ValueType TypeOf(const std::vector<Operand>& ops) const {
    for (const Operand& o : ops) {
      if (o.key >= 0) {
        return IsNumericType(LowerCopy(keys_[static_cast<size_t>(o.key)].type)) ? ValueType::kNumber
                                                                                : ValueType::kText;
      }
    }
    for (const Operand& o : ops) {
      if (!o.numeric_literal) return ValueType::kText;
    }
    return ValueType::kNumber;
  }

  Status Expect(Tok kind) {
    if (Peek().kind != kind) return Unexpected();
    ++pos_;
    return Status::Ok();
  }

  Result<NodePtr> Primary() {
    if (Peek().kind == Tok::kLParen) {
      ++pos_;
      SEALSTACK_ASSIGN_OR_RETURN(NodePtr inner, Or());
      SEALSTACK_RETURN_IF_ERROR(Expect(Tok::kRParen));
      return inner;
    }
    auto n = std::make_shared<Node>();
    SEALSTACK_ASSIGN_OR_RETURN(Operand first, ReadOperand());
    n->operands.push_back(std::move(first));
    if (Peek().kind == Tok::kOp) {
      n->kind = Node::Kind::kCompare;
      n->op = Peek().text;
      ++pos_;
      SEALSTACK_ASSIGN_OR_RETURN(Operand second, ReadOperand());
      n->operands.push_back(std::move(second));
    } else if (Keyword("IS")) {
      ++pos_;
      n->kind = Node::Kind::kIsNull;
      if (Keyword("NOT")) {
        ++pos_;
        n->negated = true;
      }
      if (!Keyword("NULL")) return Unexpected();
      ++pos_;
    } else {
      if (Keyword("NOT")) {
        ++pos_;
        n->negated = true;
      }
      if (Keyword("BETWEEN")) {
        ++pos_;
        n->kind = Node::Kind::kBetween;
        SEALSTACK_ASSIGN_OR_RETURN(Operand lo, ReadOperand());
        if (!Keyword("AND")) return Unexpected();
        ++pos_;
        SEALSTACK_ASSIGN_OR_RETURN(Operand hi, ReadOperand());
        n->operands.push_back(std::move(lo));
        n->operands.push_back(std::move(hi));
      } else if (Keyword("IN")) {
        ++pos_;
        n->kind = Node::Kind::kIn;
        SEALSTACK_RETURN_IF_ERROR(Expect(Tok::kLParen));
        for (;;) {
          SEALSTACK_ASSIGN_OR_RETURN(Operand item, ReadOperand());
          n->operands.push_back(std::move(item));
          if (Peek().kind == Tok::kComma) {
            ++pos_;
            continue;
          }
          SEALSTACK_RETURN_IF_ERROR(Expect(Tok::kRParen));
          break;
        }
      } else if (Keyword("LIKE")) {
        ++pos_;
        n->kind = Node::Kind::kLike;
        SEALSTACK_ASSIGN_OR_RETURN(Operand pattern, ReadOperand());
        n->operands.push_back(std::move(pattern));
      } else {
        return Unexpected();
      }
    }
    n->type = n->kind == Node::Kind::kLike ? ValueType::kText : TypeOf(n->operands);
    return NodePtr(n);
  }

  std::vector<Token> toks_;
  const std::vector<PartitionKeyColumn>& keys_;
  size_t pos_ = 0;
};

}  // namespace

bool PartitionExpression::Node::Eval(const std::vector<std::string>& values) const {
  auto v = [&](size_t i) { return operands[i].Value(values); };
  switch (kind) {
    case Kind::kAnd:
      return left->Eval(values) && right->Eval(values);
    case Kind::kOr:
      return left->Eval(values) || right->Eval(values);
    case Kind::kNot:
      return !left->Eval(values);
    case Kind::kCompare: {
      auto c = Compare(v(0), v(1), type);
      return c && Holds(op, *c);
    }
    case Kind::kBetween: {
      auto lo = Compare(v(0), v(1), type);
      auto hi = Compare(v(0), v(2), type);
      if (!lo || !hi) return false;
      return (*lo >= 0 && *hi <= 0) != negated;
    }
    case Kind::kIn: {
      bool any = false;
      bool comparable = false;
      for (size_t i = 1; i < operands.size(); ++i) {
        auto c = Compare(v(0), v(i), type);
        comparable = comparable || c.has_value();
        any = any || (c && *c == 0);
      }
      return comparable && any != negated;
    }
    case Kind::kLike:
      return Like(v(0), v(1)) != negated;
    case Kind::kIsNull:
      return negated;  // partition values are never NULL
  }
  return false;
}

Result<PartitionExpression> PartitionExpression::Parse(
    std::string_view text, const std::vector<PartitionKeyColumn>& keys) {
  SEALSTACK_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  Parser parser(std::move(tokens), keys);
  PartitionExpression out;
  SEALSTACK_ASSIGN_OR_RETURN(out.root_, parser.Whole());
  return out;
}

bool PartitionExpression::Matches(const std::vector<std::string>& values) const {
  return root_ == nullptr || root_->Eval(values);
}

}  // namespace sealstack::api::glue
