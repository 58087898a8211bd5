// JsonInput: typed, validated access to an awsJson1_1 request body, producing AWS's error
// shapes: a member of the wrong JSON type is a SerializationException; values that break a
// constraint are collected into one ValidationException, worded as AWS words it:
//   "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member
//    must not be null; Value '2000' at 'numberOfBytes' failed to satisfy constraint: Member
//    must have value less than or equal to 1024"
// Member names in messages are lower-camel, as AWS prints them.
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

class JsonInput {
 public:
  // Parses the body; an empty body is {}. Fails with a serialization error for invalid JSON
  // or a non-object.
  static Result<JsonInput> Parse(std::string_view body);
  JsonInput(JsonInput&&) noexcept;
  JsonInput& operator=(JsonInput&&) noexcept;
  ~JsonInput();

  bool Has(std::string_view member) const;

  // Strings: length bounds in characters (bytes here; inputs are ASCII in practice).
  std::optional<std::string> String(std::string_view member, bool required, size_t min_len = 0,
                                    size_t max_len = SIZE_MAX);
  // A string that must be one of `allowed`.
  std::optional<std::string> Enum(std::string_view member, bool required,
                                  const std::vector<std::string_view>& allowed);
  // base64 blobs: bounds on the decoded size. Invalid base64 is a serialization error.
  std::optional<std::string> Blob(std::string_view member, bool required, size_t min_len = 0,
                                  size_t max_len = SIZE_MAX);
  std::optional<int64_t> Integer(std::string_view member, bool required, int64_t min, int64_t max);
  std::optional<bool> Bool(std::string_view member);
  // A JSON 1.1 timestamp: epoch seconds as a number, fractions allowed.
  std::optional<SystemTime> Timestamp(std::string_view member);
  std::optional<std::map<std::string, std::string>> StringMap(std::string_view member);
  std::optional<std::vector<std::string>> StringList(std::string_view member, bool required,
                                                     size_t min_items = 0,
                                                     size_t max_items = SIZE_MAX,
                                                     size_t max_item_len = SIZE_MAX);
  // [{"TagKey": k, "TagValue": v}, ...]
  std::optional<std::vector<Tag>> Tags(std::string_view member, bool required);
  // A nested object, as its own JsonInput sharing this one's error list.
  std::optional<JsonInput> Object(std::string_view member);

  // Adds a validation error in AWS's wording for a constraint checked by the caller.
  void AddConstraintError(std::string_view member, std::string_view value_text,
                          std::string_view constraint);

  // The first serialization error, else all validation errors, else OK.
  Status Finish() const;

 private:
  struct Errors;
  struct Impl;
  JsonInput(std::shared_ptr<void> doc, const void* object, std::shared_ptr<Errors> errors);
  const void* Member(std::string_view member) const;
  // The member when present and `is` accepts its JSON type. Records "must not be null" when it
  // is absent and `required`, a type error ("expected <expected>") when of another type.
  const rapidjson::Value* Typed(std::string_view member, bool required,
                                bool (*is)(const rapidjson::Value&), std::string_view expected);
  void TypeError(std::string_view member, std::string_view expected);
  void ValidationError(std::string_view member, std::string_view value_text,
                       std::string_view constraint);

  std::shared_ptr<void> doc_;     // keeps the parsed document alive for nested objects
  const void* object_ = nullptr;  // rapidjson::Value (an object)
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
