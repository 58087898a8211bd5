// JsonOutput: writes awsJson1_1 response bodies: blobs as base64, timestamps as epoch seconds
// (a JSON number, fractions allowed). A thin layer over RapidJSON's writer. Not thread-safe.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/time_format.h"
#include "crypto/digest.h"

namespace sealstack::api {

class JsonOutput {
 public:
  JsonOutput() : writer_(buffer_) { writer_.StartObject(); }

  JsonOutput& Key(std::string_view key) {
    writer_.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    return *this;
  }
  JsonOutput& String(std::string_view value) {
    writer_.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    return *this;
  }
  JsonOutput& String(std::string_view key, std::string_view value) {
    return Key(key).String(value);
  }
  JsonOutput& Blob(std::string_view key, std::string_view bytes) {
    // Base64 never needs escaping, so it is written as a raw JSON string: RapidJSON's escape
    // scan of every character cost as much as the encoding (a ciphertext is most of a KMS
    // response).
    const std::string encoded = crypto::Base64(bytes);
    std::string quoted;
    quoted.reserve(encoded.size() + 2);
    quoted.append(1, '"').append(encoded).append(1, '"');
    Key(key);
    writer_.RawValue(quoted.data(), quoted.size(), rapidjson::kStringType);
    return *this;
  }
  JsonOutput& Int(std::string_view key, int64_t value) {
    Key(key);
    writer_.Int64(value);
    return *this;
  }
  JsonOutput& Bool(std::string_view key, bool value) {
    Key(key);
    writer_.Bool(value);
    return *this;
  }
  JsonOutput& Time(std::string_view key, SystemTime t) {
    Key(key);
    // Whole seconds print as integers; millisecond precision otherwise, as AWS does.
    double secs = ToEpochSeconds(t);
    int64_t whole = static_cast<int64_t>(secs);
    if (static_cast<double>(whole) == secs) {
      writer_.Int64(whole);
    } else {
      writer_.Double(static_cast<double>(static_cast<int64_t>(secs * 1000)) / 1000.0);
    }
    return *this;
  }
  JsonOutput& BeginObject() {
    writer_.StartObject();
    return *this;
  }
  JsonOutput& BeginObject(std::string_view key) { return Key(key).BeginObject(); }
  JsonOutput& EndObject() {
    writer_.EndObject();
    return *this;
  }
  JsonOutput& BeginArray(std::string_view key) {
    Key(key);
    writer_.StartArray();
    return *this;
  }
  JsonOutput& EndArray() {
    writer_.EndArray();
    return *this;
  }

  std::string Finish() {
    writer_.EndObject();
    return std::string(buffer_.GetString(), buffer_.GetSize());
  }

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

}  // namespace sealstack::api
