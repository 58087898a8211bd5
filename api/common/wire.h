// The wire vocabulary shared by every AWS protocol SealStack speaks: which protocol a request
// uses, an error as the client will see it, and a response before the HTTP layer writes it.
//
// Only api/ and server/ use these types; nothing below api/ knows an AWS error code.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sealstack::api {

enum class Protocol {
  kJson,   // awsJson1_1: KMS, Glue, CloudTrail
  kQuery,  // AWS Query: STS
  kS3,     // REST-XML
  kAdmin,  // /_sealstack/* (plain JSON)
};

// An error exactly as it goes on the wire.
struct WireError {
  int http_status = 500;
  std::string code;     // "NotFoundException", "NoSuchBucket", "SignatureDoesNotMatch"
  std::string message;  // client-facing
  // Extra S3 XML elements (BucketName, Key, StringToSign, ...), in order. (Every member has a
  // default member initializer, so a designated initializer may name only what it sets.)
  std::vector<std::pair<std::string, std::string>> details{};
  bool server_fault = false;  // Query <Type>Receiver</Type> instead of Sender
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// Writes a streamed body a piece at a time; returns false when the client went away.
using BodyWriter = std::function<bool(std::string_view)>;
// Produces a streamed body by calling the writer repeatedly; returns false on failure (the
// connection is then closed, since the status line has already gone out).
using BodyProducer = std::function<bool(const BodyWriter&)>;

struct ApiResponse {
  int status = 200;
  Headers headers;
  std::string body;  // small bodies
  // Large bodies: when set, `body` is ignored and `stream_length` bytes are produced.
  BodyProducer stream;
  uint64_t stream_length = 0;

  void SetHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
  const std::string* FindHeader(std::string_view name) const;
};

}  // namespace sealstack::api
