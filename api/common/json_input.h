// JsonInput: typed, validated access to an awsJson1_1 request body, producing AWS's error
// shapes: a member of the wrong JSON type is a SerializationException; values that break a
// constraint are collected into one ValidationException, worded as AWS words it:
//   "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member
//    must not be null; Value '2000' at 'numberOfBytes' failed to satisfy constraint: Member
//    must have value less than or equal to 1024"
// Member names in messages are lower-camel, as AWS prints them.
//
// A JsonInputStyle changes the wording for services that answer otherwise (see below).
//
// Usage: read every member, then `SEALSTACK_RETURN_IF_ERROR(in.Finish())`. Not thread-safe.
#pragma once

#include <rapidjson/fwd.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace sealstack::api {

// Status::detail() values for the two generic JSON request errors.
inline constexpr int kDetailSerialization = 1;  // -> SerializationException
inline constexpr int kDetailValidation = 2;     // -> ValidationException

struct Tag {
  std::string key;
  std::string value;
};

// How a JsonInput reports what is wrong. The default is awsJson1_1 as KMS answers it.
struct JsonInputStyle {
  // Finish() reports only the first error, in the order members were read: "1 validation error
  // detected: <constraint>", or a type error / AddError() text as it is.
  bool first_error_only = false;
  // Values echoed in messages are cut after 256 characters ("'xxx...'").
  bool elide_long_values = true;
  // A member of the wrong JSON type is a validation error worded "Member Timeout must be an
  // integer" (a map that is not an object: "... must be a map"; a map value that is not a string:
  // "Values of Tags must be strings"; an enum member that is not a string: the enum constraint
  // with the value '?') instead of a SerializationException.
  bool type_errors_as_validation = false;
};

// The JSON type of a value; kNull also stands for an absent member.
enum class JsonKind { kNull, kBool, kInteger, kNumber, kString, kObject, kArray };

// A map of strings in document order (duplicate keys kept, as the document has them).
using StringPairs = std::vector<std::pair<std::string, std::string>>;

class JsonInput {
 public:
  // Parses the body; an empty body is {}. Fails with a serialization error for invalid JSON
  // or a non-object.
  static Result<JsonInput> Parse(std::string_view body, JsonInputStyle style = {});
  // A copy of `value` (any JSON value), e.g. an entry of a document parsed elsewhere.
  static JsonInput Of(const rapidjson::Value& value, JsonInputStyle style = {});
  JsonInput(JsonInput&&) noexcept;
  JsonInput& operator=(JsonInput&&) noexcept;
  JsonInput(const JsonInput&);  // shares the document and the error list
  JsonInput& operator=(const JsonInput&);
  ~JsonInput();

  bool Has(std::string_view member) const;
  // The type of this value / of a member (kNull when absent). Records nothing.
  JsonKind kind() const;
  JsonKind Kind(std::string_view member) const;
  // A member of any type (null when absent), sharing this one's error list. Records nothing.
  JsonInput Get(std::string_view member) const;
  // The elements of this value when it is a list, each sharing this one's error list; nullopt
  // otherwise. Records nothing.
  std::optional<std::vector<JsonInput>> Items() const;
  // This value when it is a string. Records nothing.
  std::optional<std::string> AsString() const;
  // This value as compact JSON text, members in document order ("null" when absent).
  std::string Json() const;
  // The parsed value itself (a null value when absent), e.g. for an audit record.
  const rapidjson::Value& raw() const;
  // This value with an error list of its own (for the entries of a batch, which fail one by one).
  JsonInput WithOwnErrors() const;

  // Strings: length bounds in characters (bytes here; inputs are ASCII in practice).
  std::optional<std::string> String(std::string_view member, bool required, size_t min_len = 0,
                                    size_t max_len = SIZE_MAX);
  // A string that must be one of `allowed`.
  std::optional<std::string> Enum(std::string_view member, bool required,
                                  const std::vector<std::string_view>& allowed);
  // base64 blobs: bounds on the decoded size. Invalid base64 is a serialization error.
  std::optional<std::string> Blob(std::string_view member, bool required, size_t min_len = 0,
                                  size_t max_len = SIZE_MAX);
  // A blob the service model marks sensitive (KMS Plaintext, Message): a constraint error echoes
  // no value, "Value at 'plaintext' failed to satisfy constraint: ...".
  std::optional<std::string> SensitiveBlob(std::string_view member, bool required,
                                           size_t min_len = 0, size_t max_len = SIZE_MAX);
  std::optional<int64_t> Integer(std::string_view member, bool required, int64_t min, int64_t max);
  std::optional<bool> Bool(std::string_view member);
  // Any JSON number.
  std::optional<double> Number(std::string_view member, bool required);
  // A JSON 1.1 timestamp: epoch seconds as a number, fractions allowed.
  std::optional<SystemTime> Timestamp(std::string_view member);
  std::optional<std::map<std::string, std::string>> StringMap(std::string_view member);
  // The same check as StringMap, the entries in document order.
  std::optional<StringPairs> StringEntries(std::string_view member);
  std::optional<std::vector<std::string>> StringList(std::string_view member, bool required,
                                                     size_t min_items = 0,
                                                     size_t max_items = SIZE_MAX,
                                                     size_t max_item_len = SIZE_MAX);
  // [{"TagKey": k, "TagValue": v}, ...]
  std::optional<std::vector<Tag>> Tags(std::string_view member, bool required);
  // A nested object, as its own JsonInput sharing this one's error list.
  std::optional<JsonInput> Object(std::string_view member);

  // Adds a validation error in AWS's wording for a constraint checked by the caller;
  // `value_text` is the value as AWS echoes it, quoted ("'abc'"), or empty to echo none.
  void AddConstraintError(std::string_view member, std::string_view value_text,
                          std::string_view constraint);
  // Adds a validation error worded entirely by the caller. Finish() reports it as it is: when it
  // is the first error (first_error_only), else ahead of the constraint errors.
  void AddError(std::string message);

  // The first serialization error, else the first AddError() text, else all validation errors,
  // else OK. With first_error_only: the first error of any kind, else OK.
  Status Finish() const;

 private:
  struct Errors;
  struct Impl;
  JsonInput(std::shared_ptr<void> doc, const void* object, std::shared_ptr<Errors> errors);
  // The member when this is an object holding it, not null; else nullptr.
  const void* Member(std::string_view member) const;
  // The member when present and `is` accepts its JSON type. Records "must not be null" when it
  // is absent and `required`, a type error ("expected <expected>") when of another type.
  const rapidjson::Value* Typed(std::string_view member, bool required,
                                bool (rapidjson::Value::*is)() const, std::string_view expected);
  void TypeError(std::string_view member, std::string_view expected);
  // `value_text` is the quoted value, or empty for none.
  void ValidationError(std::string_view member, std::string_view value_text,
                       std::string_view constraint);
  std::optional<std::string> ReadBlob(std::string_view member, bool required, size_t min_len,
                                      size_t max_len, std::string_view value_text);

  // Records an error in the order read (first_error_only keeps the first).
  void Record(int detail, std::string text, bool constraint);
  std::string Quote(std::string_view value) const;

  std::shared_ptr<void> doc_;     // keeps the parsed document alive for nested objects
  const void* object_ = nullptr;  // rapidjson::Value (usually an object); nullptr = absent
  std::shared_ptr<Errors> errors_;
};

// "keyId" from "KeyId", as AWS names members in validation messages.
std::string LowerCamel(std::string_view member);

// Rejects members of `object` other than `allowed`, naming the first unknown one: InvalidArgument
// "<where>.<member>: unknown field". Seed documents use it to catch typos.
// REQUIRES: object.IsObject().
Status OnlyKnown(const rapidjson::Value& object, std::string_view where,
                 std::initializer_list<std::string_view> allowed);

}  // namespace sealstack::api
