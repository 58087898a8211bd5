// PayloadDecoder: turns a request body as it streams in into the payload bytes, enforcing the
// payload mode that Verify chose: SHA-256 of the whole body, aws-chunked framing with
// per-chunk signatures, trailers with checksums and a trailer signature.
//
// The server feeds it whatever the socket yields (after HTTP/1.1 chunked decoding, which
// the HTTP layer does) and gets decoded payload bytes back through the sink, a bounded piece at a
// time: memory use does not depend on the body size.
//
// Thread safety: one decoder per request; not shared.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "auth/auth_error.h"
#include "auth/http_request.h"
#include "auth/verifier.h"

namespace sealstack::auth {

// Receives decoded payload bytes; return false to abort (the decoder then stops).
using PayloadSink = std::function<bool(std::string_view)>;

class PayloadDecoder {
 public:
  virtual ~PayloadDecoder() = default;

  // Creates the decoder for a verified request. Fails (kMalformedChunk / kIncompleteBody) when
  // aws-chunked headers are inconsistent, e.g. a streaming mode without
  // x-amz-decoded-content-length.
  static std::variant<std::unique_ptr<PayloadDecoder>, AuthError> Create(
      const VerifiedRequest& verified, const HttpRequestHead& head);

  // Feeds raw body bytes. Returns an error as soon as one is certain (bad chunk signature,
  // broken framing); after an error the decoder must not be fed again.
  virtual std::optional<AuthError> Feed(std::string_view raw, const PayloadSink& sink) = 0;

  // Called once at end of body: checks completeness, the SHA-256, the trailer checksum and
  // trailer signature.
  virtual std::optional<AuthError> Finish() = 0;

  // Trailers received ("x-amz-checksum-crc32" -> base64 value), valid after Finish().
  virtual const std::vector<std::pair<std::string, std::string>>& trailers() const = 0;

  // Decoded payload bytes delivered so far.
  virtual uint64_t payload_bytes() const = 0;
};

}  // namespace sealstack::auth
