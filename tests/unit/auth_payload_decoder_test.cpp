// PayloadDecoder: SHA-256 bodies and aws-chunked framing (signed chunks, signed and unsigned
// trailers), fed in arbitrary pieces down to one byte at a time. Vectors: the S3
// documentation's chunkObject.txt examples (66560 x 'a', 20130524T000000Z).
#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "auth/payload_decoder.h"
#include "auth/sigv4.h"
#include "crypto/checksum.h"
#include "crypto/digest.h"

using namespace sealstack;
using namespace sealstack::auth;

namespace {

constexpr const char* kDocSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr const char* kDocDate = "20130524T000000Z";
constexpr const char* kDocScope = "20130524/us-east-1/s3/aws4_request";

const std::string& Payload() {
  static const std::string p(66560, 'a');
  return p;
}

std::string Chunk(size_t size, const std::string& sig) {
  char hex[32];
  std::snprintf(hex, sizeof(hex), "%zx", size);
  std::string s = std::string(hex) + (sig.empty() ? "" : ";chunk-signature=" + sig) + "\r\n";
  if (size > 0) s += std::string(size, 'a') + "\r\n";
  return s;
}

// S3 docs, STREAMING-AWS4-HMAC-SHA256-PAYLOAD.
std::string SignedBody() {
  return Chunk(65536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648") +
         Chunk(1024, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497") +
         Chunk(0, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9") + "\r\n";
}

// S3 docs, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER with x-amz-checksum-crc32c.
std::string SignedTrailerBody() {
  return Chunk(65536, "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2") +
         Chunk(1024, "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7") +
         Chunk(0, "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992") +
         "x-amz-checksum-crc32c:sOO8/Q==\r\n"
         "x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
         "\r\n\r\n";
}

std::string UnsignedTrailerBody(const std::string& crc = "sOO8/Q==") {
  return Chunk(65536, "") + Chunk(1024, "") + Chunk(0, "") + "x-amz-checksum-crc32c:" + crc +
         "\r\n\r\n";
}

VerifiedRequest Verified(PayloadMode mode, const std::string& seed) {
  VerifiedRequest v;
  v.payload_mode = mode;
  if (mode == PayloadMode::kStreamingSigned || mode == PayloadMode::kStreamingSignedTrailer) {
    v.chunk.signing_key = sigv4::DeriveSigningKey(kDocSecret, "20130524", "us-east-1", "s3");
    v.chunk.amz_date = kDocDate;
    v.chunk.scope = kDocScope;
    v.chunk.seed_signature = seed;
  }
  return v;
}

HttpRequestHead Head(const char* decoded_length, const char* trailer) {
  HttpRequestHead head;
  head.method = "PUT";
  head.target = "/examplebucket/chunkObject.txt";
  if (decoded_length) head.headers.emplace_back("x-amz-decoded-content-length", decoded_length);
  if (trailer) head.headers.emplace_back("x-amz-trailer", trailer);
  return head;
}

struct Run {
  std::optional<AuthError> error;
  bool failed_in_feed = false;
  std::string payload;
  std::vector<std::pair<std::string, std::string>> trailers;
  size_t max_piece = 0;
};

Run Decode(const VerifiedRequest& v, const HttpRequestHead& head, std::string_view body,
           size_t piece) {
  Run r;
  auto created = PayloadDecoder::Create(v, head);
  if (auto* err = std::get_if<AuthError>(&created)) {
    r.error = *err;
    return r;
  }
  auto& d = std::get<std::unique_ptr<PayloadDecoder>>(created);
  auto sink = [&](std::string_view s) {
    r.payload.append(s);
    r.max_piece = std::max(r.max_piece, s.size());
    return true;
  };
  for (size_t i = 0; i < body.size(); i += piece) {
    r.error = d->Feed(body.substr(i, piece), sink);
    if (r.error) {
      r.failed_in_feed = true;
      return r;
    }
  }
  r.error = d->Finish();
  r.trailers = d->trailers();
  CHECK(d->payload_bytes() == r.payload.size());
  return r;
}

const std::string kSeed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
const std::string kTrailerSeed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";

}  // namespace

TEST_CASE("aws-chunked: the S3 documentation examples decode in any piece size", "[decoder]") {
  for (size_t piece :
       {size_t{1}, size_t{2}, size_t{3}, size_t{100}, size_t{8191}, size_t{1} << 20}) {
    INFO("piece " << piece);
    Run signed_run = Decode(Verified(PayloadMode::kStreamingSigned, kSeed), Head("66560", nullptr),
                            SignedBody(), piece);
    CHECK_FALSE(signed_run.error);
    CHECK(signed_run.payload == Payload());

    Run trailer_run = Decode(Verified(PayloadMode::kStreamingSignedTrailer, kTrailerSeed),
                             Head("66560", "x-amz-checksum-crc32c"), SignedTrailerBody(), piece);
    CHECK_FALSE(trailer_run.error);
    CHECK(trailer_run.payload == Payload());
    REQUIRE(trailer_run.trailers.size() == 1);
    CHECK(trailer_run.trailers[0].second == "sOO8/Q==");

    Run unsigned_run = Decode(Verified(PayloadMode::kStreamingUnsignedTrailer, ""),
                              Head("66560", "x-amz-checksum-crc32c"), UnsignedTrailerBody(), piece);
    CHECK_FALSE(unsigned_run.error);
    CHECK(unsigned_run.payload == Payload());
  }
}

TEST_CASE("aws-chunked: chunk data streams out without buffering a whole chunk", "[decoder]") {
  Run r = Decode(Verified(PayloadMode::kStreamingSigned, kSeed), Head("66560", nullptr),
                 SignedBody(), 4096);
  CHECK_FALSE(r.error);
  CHECK(r.max_piece <= 4096);
}

TEST_CASE("aws-chunked: failures", "[decoder]") {
  struct Row {
    const char* name;
    PayloadMode mode;
    std::string seed;
    const char* decoded_length;
    const char* trailer;
    std::string body;
    AuthErrorCode code;
  };
  std::string bad_chunk_sig = SignedBody();
  bad_chunk_sig[bad_chunk_sig.find("ad80c730") + 3] = 'd';
  std::string bad_final_sig = SignedBody();
  bad_final_sig[bad_final_sig.find("b6c6ea8a") + 1] = '7';
  std::string bad_trailer_sig = SignedTrailerBody();
  bad_trailer_sig[bad_trailer_sig.find("d81f82fc") + 2] = '9';
  std::string tampered_data = SignedBody();
  tampered_data[100] = 'b';
  std::string signed_trailer_bad_crc = SignedTrailerBody();
  signed_trailer_bad_crc.replace(signed_trailer_bad_crc.find("sOO8/Q=="), 8, "AAAAAA==");
  const std::string full = SignedBody();
  const std::string no_final = full.substr(0, full.find("0;chunk-signature=b6c6"));

  const Row rows[] = {
      {"bad chunk signature", PayloadMode::kStreamingSigned, kSeed, "66560", nullptr, bad_chunk_sig,
       AuthErrorCode::kSignatureMismatch},
      {"bad final chunk signature", PayloadMode::kStreamingSigned, kSeed, "66560", nullptr,
       bad_final_sig, AuthErrorCode::kSignatureMismatch},
      {"wrong seed", PayloadMode::kStreamingSigned, kTrailerSeed, "66560", nullptr, full,
       AuthErrorCode::kSignatureMismatch},
      {"tampered chunk data", PayloadMode::kStreamingSigned, kSeed, "66560", nullptr, tampered_data,
       AuthErrorCode::kSignatureMismatch},
      {"bad trailer signature", PayloadMode::kStreamingSignedTrailer, kTrailerSeed, "66560",
       "x-amz-checksum-crc32c", bad_trailer_sig, AuthErrorCode::kSignatureMismatch},
      {"signed trailer with a changed checksum", PayloadMode::kStreamingSignedTrailer, kTrailerSeed,
       "66560", "x-amz-checksum-crc32c", signed_trailer_bad_crc, AuthErrorCode::kSignatureMismatch},
      {"bad trailer checksum", PayloadMode::kStreamingUnsignedTrailer, "", "66560",
       "x-amz-checksum-crc32c", UnsignedTrailerBody("AAAAAA=="),
       AuthErrorCode::kBadTrailerChecksum},
      {"declared trailer missing", PayloadMode::kStreamingUnsignedTrailer, "", "66560",
       "x-amz-checksum-crc32", UnsignedTrailerBody(), AuthErrorCode::kMalformedChunk},
      {"truncated chunk", PayloadMode::kStreamingSigned, kSeed, "66560", nullptr,
       full.substr(0, 30000), AuthErrorCode::kIncompleteBody},
      {"missing final chunk", PayloadMode::kStreamingSigned, kSeed, "66560", nullptr, no_final,
       AuthErrorCode::kIncompleteBody},
      {"missing final chunk (unsigned)", PayloadMode::kStreamingUnsignedTrailer, "", "66560",
       nullptr, Chunk(65536, "") + Chunk(1024, ""), AuthErrorCode::kIncompleteBody},
      {"oversize chunk-size line", PayloadMode::kStreamingUnsignedTrailer, "", "66560", nullptr,
       "10000;" + std::string(300, 'x') + "\r\n", AuthErrorCode::kMalformedChunk},
      {"endless chunk-size line", PayloadMode::kStreamingUnsignedTrailer, "", "66560", nullptr,
       std::string(1000, '1'), AuthErrorCode::kMalformedChunk},
      {"oversize trailers", PayloadMode::kStreamingUnsignedTrailer, "", "0", nullptr,
       "0\r\n" + std::string(20000, 'x'), AuthErrorCode::kMalformedChunk},
      {"non-hex size", PayloadMode::kStreamingUnsignedTrailer, "", "66560", nullptr, "zz\r\n",
       AuthErrorCode::kMalformedChunk},
      {"data not followed by CRLF", PayloadMode::kStreamingUnsignedTrailer, "", "3", nullptr,
       "3\r\nabcX\r\n0\r\n\r\n", AuthErrorCode::kMalformedChunk},
      {"bare LF line", PayloadMode::kStreamingUnsignedTrailer, "", "3", nullptr,
       "3\nabc\r\n0\r\n\r\n", AuthErrorCode::kMalformedChunk},
      {"data after the final chunk", PayloadMode::kStreamingUnsignedTrailer, "", "3", nullptr,
       "3\r\nabc\r\n0\r\n\r\nmore", AuthErrorCode::kMalformedChunk},
      {"decoded length larger than sent", PayloadMode::kStreamingSigned, kSeed, "66561", nullptr,
       full, AuthErrorCode::kIncompleteBody},
      {"decoded length smaller than sent", PayloadMode::kStreamingSigned, kSeed, "66559", nullptr,
       full, AuthErrorCode::kIncompleteBody},
      {"missing chunk signature", PayloadMode::kStreamingSigned, kSeed, "66560", nullptr,
       Chunk(65536, ""), AuthErrorCode::kMalformedChunk},
      {"trailers in a signed no-trailer body", PayloadMode::kStreamingSigned, kSeed, "66560",
       nullptr, full.substr(0, full.size() - 2) + "x-amz-checksum-crc32:AAAAAA==\r\n\r\n",
       AuthErrorCode::kMalformedChunk},
      {"missing x-amz-decoded-content-length", PayloadMode::kStreamingUnsignedTrailer, "", nullptr,
       nullptr, "0\r\n\r\n", AuthErrorCode::kMalformedChunk},
      {"unsupported x-amz-trailer", PayloadMode::kStreamingUnsignedTrailer, "", "0",
       "x-amz-checksum-md4", "0\r\n\r\n", AuthErrorCode::kMalformedChunk},
  };
  for (const Row& r : rows) {
    for (size_t piece : {size_t{1}, size_t{1} << 20}) {
      INFO(r.name << ", piece " << piece);
      Run run = Decode(Verified(r.mode, r.seed), Head(r.decoded_length, r.trailer), r.body, piece);
      REQUIRE(run.error);
      CHECK(run.error->code == r.code);
    }
  }
}

TEST_CASE("aws-chunked: small non-final signed chunks are rejected", "[decoder]") {
  // Sign 1024 + 65536 + 0 with the doc key so only the chunk-size rule can fail.
  const auto key = sigv4::DeriveSigningKey(kDocSecret, "20130524", "us-east-1", "s3");
  std::string prev = kSeed, body;
  for (size_t size : {size_t{1024}, size_t{65536}, size_t{0}}) {
    prev = sigv4::Sign(
        key, sigv4::ChunkStringToSign(kDocDate, kDocScope, prev,
                                      crypto::Hex(crypto::Sha256(std::string(size, 'a')))));
    body += Chunk(size, prev);
  }
  body += "\r\n";
  Run r = Decode(Verified(PayloadMode::kStreamingSigned, kSeed), Head("66560", nullptr), body, 7);
  REQUIRE(r.error);
  CHECK(r.error->code == AuthErrorCode::kChunkTooSmall);
  CHECK(r.error->message == "Only the last chunk is allowed to have a size less than 8192 bytes");
}

TEST_CASE("aws-chunked: tolerated client variations", "[decoder]") {
  const VerifiedRequest v = Verified(PayloadMode::kStreamingUnsignedTrailer, "");
  // No final CRLF after the trailers (end of body instead).
  std::string body = UnsignedTrailerBody();
  body.resize(body.size() - 2);
  CHECK_FALSE(Decode(v, Head("66560", "x-amz-checksum-crc32c"), body, 1).error);
  // A blank line between the final chunk and the trailers, and no final CRLF at all.
  std::string signed_body = SignedTrailerBody();
  signed_body.insert(signed_body.find("x-amz-checksum-crc32c:"), "\r\n");
  signed_body.resize(signed_body.size() - 4);
  CHECK_FALSE(Decode(Verified(PayloadMode::kStreamingSignedTrailer, kTrailerSeed),
                     Head("66560", "x-amz-checksum-crc32c"), signed_body, 1)
                  .error);
  // Empty payload.
  Run empty =
      Decode(v, Head("0", "x-amz-checksum-crc32"), "0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", 1);
  CHECK_FALSE(empty.error);
  CHECK(empty.payload.empty());
}

TEST_CASE("whole-body modes: SHA-256 and unsigned", "[decoder]") {
  const std::string body = "hello capture fixture";
  VerifiedRequest v;
  v.payload_mode = PayloadMode::kSha256;
  v.expected_sha256_hex = crypto::Hex(crypto::Sha256(body));
  HttpRequestHead head = Head(nullptr, nullptr);
  for (size_t piece : {size_t{1}, size_t{5}, size_t{100}}) {
    Run ok = Decode(v, head, body, piece);
    CHECK_FALSE(ok.error);
    CHECK(ok.payload == body);
  }
  Run bad = Decode(v, head, "hello capture fixturE", 3);
  REQUIRE(bad.error);
  CHECK(bad.error->code == AuthErrorCode::kContentSha256Mismatch);
  CHECK(bad.error->message ==
        "The provided 'x-amz-content-sha256' header does not match what was computed.");
  CHECK(bad.error->details.at(0).first == "ClientComputedContentSHA256");

  v.payload_mode = PayloadMode::kUnsigned;
  Run unsigned_run = Decode(v, head, "anything", 2);
  CHECK_FALSE(unsigned_run.error);
  CHECK(unsigned_run.payload == "anything");
}

TEST_CASE("a sink that aborts stops the decoder", "[decoder]") {
  auto created = PayloadDecoder::Create(Verified(PayloadMode::kStreamingSigned, kSeed),
                                        Head("66560", nullptr));
  auto& d = std::get<std::unique_ptr<PayloadDecoder>>(created);
  size_t calls = 0;
  auto sink = [&](std::string_view) { return ++calls < 2; };
  const std::string body = SignedBody();
  for (size_t i = 0; i < body.size(); i += 1000) {
    CHECK_FALSE(d->Feed(std::string_view(body).substr(i, 1000), sink));
  }
  CHECK(calls == 2);
  REQUIRE(d->Finish());
  CHECK(d->Finish()->code == AuthErrorCode::kIncompleteBody);
}
