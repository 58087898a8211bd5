// libFuzzer target: the aws-chunked payload decoder (auth/payload_decoder.h) on arbitrary bodies.
//
// Input: one config byte, the x-amz-decoded-content-length value up to '\n', then the body.
//   config bits 0-1: payload mode: 0 and 3 STREAMING-AWS4-HMAC-SHA256-PAYLOAD,
//                    1 ...-PAYLOAD-TRAILER, 2 STREAMING-UNSIGNED-PAYLOAD-TRAILER
//   config bits 2-3: x-amz-trailer: none, crc32, crc32c, sha256
//   config bits 4-7: feed size: 0 = the whole body at once, n = pieces of 2^(n-1) bytes
// Chunk signatures are checked against the fixed context of fuzz_fixtures.h, so the seeds that
// fuzz/seedgen.cpp signs decode fully.
//
// Checked properties: no crash; bytes delivered to the sink == payload_bytes(); a body that
// Finish() accepts delivered exactly x-amz-decoded-content-length bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/payload_decoder.h"
#include "auth/sigv4.h"
#include "fuzz/fuzz_fixtures.h"

using namespace sealstack;
using namespace sealstack::auth;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t config = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t nl = rest.find('\n');
  if (nl == std::string_view::npos) return 0;
  std::string length(rest.substr(0, nl));
  std::string_view body = rest.substr(nl + 1);

  static const ChunkSigningContext kSigning = [] {
    ChunkSigningContext c;
    c.signing_key = sigv4::DeriveSigningKey(fuzz::kChunkSecret, fuzz::kChunkDate,
                                            fuzz::kChunkRegion, fuzz::kChunkService);
    c.amz_date = std::string(fuzz::kChunkAmzDate);
    c.scope = sigv4::Credential{"test", std::string(fuzz::kChunkDate),
                                std::string(fuzz::kChunkRegion), std::string(fuzz::kChunkService)}
                  .Scope();
    c.seed_signature = std::string(fuzz::kChunkSeedSignature);
    return c;
  }();

  VerifiedRequest verified;
  static constexpr PayloadMode kModes[] = {
      PayloadMode::kStreamingSigned, PayloadMode::kStreamingSignedTrailer,
      PayloadMode::kStreamingUnsignedTrailer, PayloadMode::kStreamingSigned};
  verified.payload_mode = kModes[config & 3];
  verified.chunk = kSigning;
  HttpRequestHead head;
  head.method = "PUT";
  head.target = "/bucket/key";
  head.headers.emplace_back("x-amz-decoded-content-length", length);
  static constexpr const char* kTrailers[] = {nullptr, "x-amz-checksum-crc32",
                                              "x-amz-checksum-crc32c", "x-amz-checksum-sha256"};
  if (const char* trailer = kTrailers[(config >> 2) & 3]) {
    head.headers.emplace_back("x-amz-trailer", trailer);
  }

  auto created = PayloadDecoder::Create(verified, head);
  if (!std::holds_alternative<std::unique_ptr<PayloadDecoder>>(created)) return 0;
  PayloadDecoder& decoder = *std::get<std::unique_ptr<PayloadDecoder>>(created);

  uint64_t delivered = 0;
  PayloadSink sink = [&delivered](std::string_view piece) {
    delivered += piece.size();
    return true;
  };
  const size_t piece = (config >> 4) == 0 ? body.size() + 1 : size_t{1} << ((config >> 4) - 1);
  bool failed = false;
  while (!body.empty() && !failed) {
    std::string_view part = body.substr(0, piece);
    body.remove_prefix(part.size());
    failed = decoder.Feed(part, sink).has_value();
  }
  std::optional<AuthError> finished = failed ? std::nullopt : decoder.Finish();
  if (delivered != decoder.payload_bytes()) abort();
  if (!failed && !finished && std::to_string(delivered) != length) {
    // Accepted: the decoded length must be what the header declared (leading zeros, spaces and
    // the like are allowed by the header parser, so compare numerically).
    if (std::strtoull(length.c_str(), nullptr, 10) != delivered) abort();
  }
  return 0;
}
