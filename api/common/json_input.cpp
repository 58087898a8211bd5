#include "api/common/json_input.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstring>

#include "crypto/digest.h"

namespace sealstack::api {

namespace {
using rapidjson::Value;
const Value& V(const void* p) {
  return *static_cast<const Value*>(p);
}
}  // namespace

struct JsonInput::Errors {
  JsonInputStyle style;
  std::string serialization;  // first type error
  std::string custom;         // first AddError() text
  std::vector<std::string> validation;
  // first_error_only: the first error as Finish() reports it.
  int first_detail = 0;
  std::string first;
};

std::string LowerCamel(std::string_view member) {
  std::string out(member);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z')
    out[0] = static_cast<char>(out[0] - 'A' + 'a');
  return out;
}

Status OnlyKnown(const rapidjson::Value& object, std::string_view where,
                 std::initializer_list<std::string_view> allowed) {
  for (const auto& m : object.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    bool known = false;
    for (std::string_view a : allowed) known = known || name == a;
    if (!known) {
      std::string message(where);
      message += ".";
      message += name;
      message += ": unknown field";
      return Status::InvalidArgument(std::move(message));
    }
  }
  return Status::Ok();
}

Result<JsonInput> JsonInput::Parse(std::string_view body, JsonInputStyle style) {
  // The body is copied once and parsed in place: strings then point into the copy instead of
  // being built up a character at a time, which made parsing a 1 KiB KMS request (its base64
  // Plaintext) a visible part of the request's cost. The copy lives as long as the document.
  struct InSitu {
    std::string text;
    rapidjson::Document doc;
  };
  auto held = std::make_shared<InSitu>();
  if (body.empty()) {
    held->doc.SetObject();
  } else {
    // In place, a NUL would end the text early (and "{}\0junk" would pass); JSON text has none
    // outside strings, and a raw NUL inside a string is invalid JSON too.
    const bool has_nul = std::memchr(body.data(), '\0', body.size()) != nullptr;
    if (!has_nul) {
      held->text.assign(body);
      held->doc.ParseInsitu(held->text.data());
    }
    if (has_nul || held->doc.HasParseError() || !held->doc.IsObject()) {
      return Status(StatusCode::kInvalidArgument, kDetailSerialization,
                    "Start of structure or map found where not expected, or the request body "
                    "is not a JSON object.");
    }
  }
  const void* object = static_cast<const Value*>(&held->doc);
  auto errors = std::make_shared<Errors>();
  errors->style = style;
  return JsonInput(std::shared_ptr<void>(held, &held->doc), object, std::move(errors));
}

JsonInput JsonInput::Of(const rapidjson::Value& value, JsonInputStyle style) {
  auto doc = std::make_shared<rapidjson::Document>();
  doc->CopyFrom(value, doc->GetAllocator());
  const void* object = static_cast<const Value*>(doc.get());
  auto errors = std::make_shared<Errors>();
  errors->style = style;
  return JsonInput(std::static_pointer_cast<void>(doc), object, std::move(errors));
}

JsonInput::JsonInput(std::shared_ptr<void> doc, const void* object, std::shared_ptr<Errors> errors)
    : doc_(std::move(doc)), object_(object), errors_(std::move(errors)) {}
JsonInput::JsonInput(JsonInput&&) noexcept = default;
JsonInput& JsonInput::operator=(JsonInput&&) noexcept = default;
JsonInput::JsonInput(const JsonInput&) = default;
JsonInput& JsonInput::operator=(const JsonInput&) = default;
JsonInput::~JsonInput() = default;

const void* JsonInput::Member(std::string_view member) const {
  if (object_ == nullptr || !V(object_).IsObject()) return nullptr;
  const Value& obj = V(object_);
  auto it = obj.FindMember(
      rapidjson::StringRef(member.data(), static_cast<rapidjson::SizeType>(member.size())));
  if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

bool JsonInput::Has(std::string_view member) const {
  return Member(member) != nullptr;
}

namespace {
JsonKind KindOf(const Value* v) {
  if (v == nullptr || v->IsNull()) return JsonKind::kNull;
  if (v->IsBool()) return JsonKind::kBool;
  if (v->IsInt64()) return JsonKind::kInteger;
  if (v->IsNumber()) return JsonKind::kNumber;
  if (v->IsString()) return JsonKind::kString;
  if (v->IsObject()) return JsonKind::kObject;
  return JsonKind::kArray;
}
}  // namespace

JsonKind JsonInput::kind() const {
  return KindOf(static_cast<const Value*>(object_));
}

JsonKind JsonInput::Kind(std::string_view member) const {
  return KindOf(static_cast<const Value*>(Member(member)));
}

JsonInput JsonInput::Get(std::string_view member) const {
  return JsonInput(doc_, Member(member), errors_);
}

std::optional<std::vector<JsonInput>> JsonInput::Items() const {
  if (object_ == nullptr || !V(object_).IsArray()) return std::nullopt;
  std::vector<JsonInput> out;
  for (const auto& v : V(object_).GetArray()) out.push_back(JsonInput(doc_, &v, errors_));
  return out;
}

std::optional<std::string> JsonInput::AsString() const {
  if (object_ == nullptr || !V(object_).IsString()) return std::nullopt;
  return std::string(V(object_).GetString(), V(object_).GetStringLength());
}

std::string JsonInput::Json() const {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  raw().Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

const rapidjson::Value& JsonInput::raw() const {
  static const Value kNull;
  return object_ != nullptr ? V(object_) : kNull;
}

JsonInput JsonInput::WithOwnErrors() const {
  auto errors = std::make_shared<Errors>();
  errors->style = errors_->style;
  return JsonInput(doc_, object_, std::move(errors));
}

void JsonInput::Record(int detail, std::string text, bool constraint) {
  Errors& e = *errors_;
  if (e.style.first_error_only && e.first.empty()) {
    e.first_detail = detail;
    e.first = constraint ? "1 validation error detected: " + text : text;
  }
  if (detail == kDetailSerialization) {
    if (e.serialization.empty()) e.serialization = std::move(text);
  } else if (constraint) {
    e.validation.push_back(std::move(text));
  } else if (e.custom.empty()) {
    e.custom = std::move(text);
  }
}

void JsonInput::TypeError(std::string_view member, std::string_view expected) {
  if (errors_->style.type_errors_as_validation) {
    Record(kDetailValidation, "Member " + std::string(member) + " must be " + std::string(expected),
           false);
    return;
  }
  Record(kDetailSerialization,
         "Unexpected value type for member '" + std::string(member) + "': expected " +
             std::string(expected) + ".",
         false);
}

void JsonInput::ValidationError(std::string_view member, std::string_view value_text,
                                std::string_view constraint) {
  // No value text: AWS echoes nothing for sensitive members ("Value at 'plaintext' ...").
  std::string text = "Value ";
  if (!value_text.empty()) {
    text += value_text;
    text += " ";
  }
  Record(kDetailValidation,
         text + "at '" + LowerCamel(member) +
             "' failed to satisfy constraint: " + std::string(constraint),
         true);
}

void JsonInput::AddConstraintError(std::string_view member, std::string_view value_text,
                                   std::string_view constraint) {
  ValidationError(member, value_text, constraint);
}

void JsonInput::AddError(std::string message) {
  Record(kDetailValidation, std::move(message), false);
}

std::string JsonInput::Quote(std::string_view v) const {
  // AWS echoes the value; long values are elided to keep messages readable (by default).
  // Built with += (GCC 12 -O3 warns falsely, -Wrestrict, on "'" + std::string).
  const bool elide = errors_->style.elide_long_values && v.size() > 256;
  std::string out = "'";
  out += elide ? v.substr(0, 256) : v;
  out += elide ? "...'" : "'";
  return out;
}

namespace {

// The constraint `n` breaks ("Member must have length greater than or equal to 1"), if any.
// `what` is "length" or "value".
template <typename N>
std::optional<std::string> OutOfBounds(const char* what, N n, N min, N max) {
  const char* side = n < min ? " greater than or equal to " : " less than or equal to ";
  if (n >= min && n <= max) return std::nullopt;
  return std::string("Member must have ") + what + side + std::to_string(n < min ? min : max);
}

}  // namespace

const rapidjson::Value* JsonInput::Typed(std::string_view member, bool required,
                                         bool (rapidjson::Value::*is)() const,
                                         std::string_view expected) {
  const void* p = Member(member);
  if (p == nullptr) {
    if (required) ValidationError(member, "null", "Member must not be null");
    return nullptr;
  }
  if (!(V(p).*is)()) {
    TypeError(member, expected);
    return nullptr;
  }
  return &V(p);
}

std::optional<std::string> JsonInput::String(std::string_view member, bool required, size_t min_len,
                                             size_t max_len) {
  const Value* v = Typed(member, required, &Value::IsString, "a string");
  if (v == nullptr) return std::nullopt;
  std::string s(v->GetString(), v->GetStringLength());
  if (auto broken = OutOfBounds("length", s.size(), min_len, max_len)) {
    ValidationError(member, Quote(s), *broken);
  }
  return s;
}

std::optional<std::string> JsonInput::Enum(std::string_view member, bool required,
                                           const std::vector<std::string_view>& allowed) {
  const Value* v = static_cast<const Value*>(Member(member));
  const bool not_string = v != nullptr && !v->IsString();
  std::optional<std::string> s;
  if (!not_string || !errors_->style.type_errors_as_validation) {
    s = String(member, required);
    if (!s) return s;
    for (auto a : allowed) {
      if (*s == a) return s;
    }
  }
  std::string set = "[";
  for (size_t i = 0; i < allowed.size(); ++i) {
    if (i) set += ", ";
    set += allowed[i];
  }
  set += "]";
  ValidationError(member, s ? Quote(*s) : "'?'", "Member must satisfy enum value set: " + set);
  return std::nullopt;
}

std::optional<std::string> JsonInput::Blob(std::string_view member, bool required, size_t min_len,
                                           size_t max_len) {
  return ReadBlob(member, required, min_len, max_len, "'java.nio.HeapByteBuffer'");
}

std::optional<std::string> JsonInput::SensitiveBlob(std::string_view member, bool required,
                                                    size_t min_len, size_t max_len) {
  return ReadBlob(member, required, min_len, max_len, "");
}

std::optional<std::string> JsonInput::ReadBlob(std::string_view member, bool required,
                                               size_t min_len, size_t max_len,
                                               std::string_view value_text) {
  const Value* v = Typed(member, required, &Value::IsString, "a base64-encoded string");
  if (v == nullptr) return std::nullopt;
  auto decoded = crypto::FromBase64(std::string_view(v->GetString(), v->GetStringLength()));
  if (!decoded) {
    Record(kDetailSerialization,
           "Base64 encoded value for member '" + std::string(member) + "' is not valid.", false);
    return std::nullopt;
  }
  if (auto broken = OutOfBounds("length", decoded->size(), min_len, max_len)) {
    ValidationError(member, value_text, *broken);
  }
  return decoded;
}

std::optional<int64_t> JsonInput::Integer(std::string_view member, bool required, int64_t min,
                                          int64_t max) {
  const Value* v = Typed(member, required, &Value::IsInt64, "an integer");
  if (v == nullptr) return std::nullopt;
  const int64_t n = v->GetInt64();
  if (auto broken = OutOfBounds("value", n, min, max)) {
    ValidationError(member, Quote(std::to_string(n)), *broken);
  }
  return n;
}

std::optional<bool> JsonInput::Bool(std::string_view member) {
  const Value* v = Typed(member, false, &Value::IsBool, "a boolean");
  if (v == nullptr) return std::nullopt;
  return v->GetBool();
}

std::optional<double> JsonInput::Number(std::string_view member, bool required) {
  const Value* v = Typed(member, required, &Value::IsNumber, "a number");
  if (v == nullptr) return std::nullopt;
  return v->GetDouble();
}

std::optional<SystemTime> JsonInput::Timestamp(std::string_view member) {
  const Value* v = Typed(member, false, &Value::IsNumber, "a timestamp (epoch seconds)");
  if (v == nullptr) return std::nullopt;
  const double secs = v->GetDouble();
  if (secs < 0 || secs > 1e11) {
    std::string text = "'";  // += as in Quoted()
    text += std::to_string(secs);
    text += "'";
    ValidationError(member, text, "Member must be a valid timestamp");
    return std::nullopt;
  }
  // SystemTime (int64 nanoseconds) ends in 2262: later valid values saturate, not overflow.
  constexpr int64_t kMaxSecs =
      std::chrono::duration_cast<std::chrono::seconds>(SystemTime::duration::max()).count() - 1;
  if (secs >= static_cast<double>(kMaxSecs)) return SystemTime::max();
  return SystemTime(std::chrono::microseconds(static_cast<int64_t>(secs * 1e6)));
}

std::optional<std::map<std::string, std::string>> JsonInput::StringMap(std::string_view member) {
  auto entries = StringEntries(member);
  if (!entries) return std::nullopt;
  std::map<std::string, std::string> out;
  for (auto& [k, v] : *entries) out.emplace(std::move(k), std::move(v));
  return out;
}

std::optional<StringPairs> JsonInput::StringEntries(std::string_view member) {
  const bool as_validation = errors_->style.type_errors_as_validation;
  const Value* v =
      Typed(member, false, &Value::IsObject, as_validation ? "a map" : "a map of strings");
  if (v == nullptr) return std::nullopt;
  StringPairs out;
  for (const auto& m : v->GetObject()) {
    if (!m.value.IsString()) {
      if (as_validation) {
        AddError("Values of " + std::string(member) + " must be strings");
      } else {
        TypeError(member, "a map of strings");
      }
      return std::nullopt;
    }
    out.emplace_back(std::string(m.name.GetString(), m.name.GetStringLength()),
                     std::string(m.value.GetString(), m.value.GetStringLength()));
  }
  return out;
}

std::optional<std::vector<std::string>> JsonInput::StringList(std::string_view member,
                                                              bool required, size_t min_items,
                                                              size_t max_items,
                                                              size_t max_item_len) {
  const Value* list = Typed(member, required, &Value::IsArray, "a list of strings");
  if (list == nullptr) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& v : list->GetArray()) {
    if (!v.IsString()) {
      TypeError(member, "a list of strings");
      return std::nullopt;
    }
    out.emplace_back(v.GetString(), v.GetStringLength());
    if (out.back().size() > max_item_len) {
      ValidationError(member, Quote(out.back()),
                      "Member must satisfy constraint: [Member must have length less than or "
                      "equal to " +
                          std::to_string(max_item_len) + "]");
    }
  }
  if (auto broken = OutOfBounds("length", out.size(), min_items, max_items)) {
    ValidationError(member,
                    out.size() < min_items ? "'[]'" : "of " + std::to_string(out.size()) + " items",
                    *broken);
  }
  return out;
}

std::optional<std::vector<Tag>> JsonInput::Tags(std::string_view member, bool required) {
  const Value* list = Typed(member, required, &Value::IsArray, "a list of tags");
  if (list == nullptr) return std::nullopt;
  std::vector<Tag> out;
  for (const auto& v : list->GetArray()) {
    auto k = v.IsObject() ? v.FindMember("TagKey") : Value::ConstMemberIterator();
    auto val = v.IsObject() ? v.FindMember("TagValue") : Value::ConstMemberIterator();
    if (!v.IsObject() || k == v.MemberEnd() || val == v.MemberEnd() || !k->value.IsString() ||
        !val->value.IsString()) {
      TypeError(member, "a list of {TagKey, TagValue} objects");
      return std::nullopt;
    }
    out.push_back({std::string(k->value.GetString(), k->value.GetStringLength()),
                   std::string(val->value.GetString(), val->value.GetStringLength())});
  }
  return out;
}

std::optional<JsonInput> JsonInput::Object(std::string_view member) {
  const Value* v = Typed(member, false, &Value::IsObject, "a structure");
  if (v == nullptr) return std::nullopt;
  return JsonInput(doc_, v, errors_);
}

Status JsonInput::Finish() const {
  if (errors_->style.first_error_only) {
    if (errors_->first.empty()) return Status::Ok();
    return Status(StatusCode::kInvalidArgument, errors_->first_detail, errors_->first);
  }
  if (!errors_->serialization.empty()) {
    return Status(StatusCode::kInvalidArgument, kDetailSerialization, errors_->serialization);
  }
  if (!errors_->custom.empty()) {
    return Status(StatusCode::kInvalidArgument, kDetailValidation, errors_->custom);
  }
  if (errors_->validation.empty()) return Status::Ok();
  const size_t n = errors_->validation.size();
  std::string msg = std::to_string(n) +
                    (n == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < n; ++i) {
    if (i) msg += "; ";
    msg += errors_->validation[i];
  }
  return Status(StatusCode::kInvalidArgument, kDetailValidation, msg);
}

}  // namespace sealstack::api
