#include "auth/payload_decoder.h"

#include <utility>

#include "auth/sigv4.h"
#include "common/strings.h"
#include "crypto/checksum.h"
#include "crypto/digest.h"

namespace sealstack::auth {

namespace {

constexpr size_t kMaxChunkLine = 256;           // "<hex>;chunk-signature=<64 hex>\r\n" fits
constexpr size_t kMaxTrailerBytes = 16 * 1024;  // all trailer lines together
constexpr uint64_t kMinSignedChunk = 8 * 1024;  // non-final signed chunks

constexpr std::string_view kIncompleteBodyMessage =
    "You did not provide the number of bytes specified by the Content-Length HTTP header.";
constexpr std::string_view kMalformedTrailerMessage =
    "The request contained trailing data that was not well-formed or did not conform to our "
    "published schema.";

AuthError Malformed(std::string_view what) {
  return MakeAuthError(AuthErrorCode::kMalformedChunk,
                       "An error occurred when parsing the aws-chunked body: " + std::string(what));
}

// ---------------------------------------------------------------------------------------------
// Whole-body modes.

class PassThroughDecoder : public PayloadDecoder {
 public:
  // expected_sha256_hex empty: kUnsigned (nothing checked).
  explicit PassThroughDecoder(const std::string& expected_sha256_hex)
      : expected_(ToLower(expected_sha256_hex)) {
    if (!expected_.empty()) hash_.emplace(crypto::HashStream::Algorithm::kSha256);
  }

  std::optional<AuthError> Feed(std::string_view raw, const PayloadSink& sink) override {
    if (aborted_ || raw.empty()) return std::nullopt;
    if (hash_) hash_->Update(raw);
    bytes_ += raw.size();
    if (!sink(raw)) aborted_ = true;
    return std::nullopt;
  }

  std::optional<AuthError> Finish() override {
    if (aborted_)
      return MakeAuthError(AuthErrorCode::kIncompleteBody, "body aborted by the consumer");
    if (!hash_) return std::nullopt;
    const std::string computed = crypto::Hex(hash_->Finish());
    hash_.reset();
    if (computed == expected_) return std::nullopt;
    return MakeAuthError(
        AuthErrorCode::kContentSha256Mismatch,
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        {{"ClientComputedContentSHA256", expected_}, {"S3ComputedContentSHA256", computed}});
  }

  const std::vector<std::pair<std::string, std::string>>& trailers() const override {
    return trailers_;
  }
  uint64_t payload_bytes() const override { return bytes_; }

 private:
  std::string expected_;
  std::optional<crypto::HashStream> hash_;
  uint64_t bytes_ = 0;
  bool aborted_ = false;
  std::vector<std::pair<std::string, std::string>> trailers_;  // always empty
};

// ---------------------------------------------------------------------------------------------
// aws-chunked (docs/protocol-notes.md):
//
//   body     = *chunk last-chunk trailers [CRLF]
//   chunk    = size-line data CRLF          (size > 0)
//   size-line= HEX [";chunk-signature=" 64HEX] CRLF
//   last     = "0" [";chunk-signature=" 64HEX] CRLF
//   trailers = *(name ":" value CRLF)       (signed trailer mode ends with
//                                            "x-amz-trailer-signature:" 64HEX CRLF)
//
// State machine; every state consumes input incrementally:
//
//   kSizeLine --size>0--> kData --size bytes--> kDataCrlf --CRLF--> kSizeLine
//   kSizeLine --size=0--> kTrailers --empty line--> kDone
//
// Data bytes go to the sink as they arrive; only the size line and the trailers are buffered
// (capped at kMaxChunkLine and kMaxTrailerBytes).

class ChunkedDecoder : public PayloadDecoder {
 public:
  ChunkedDecoder(PayloadMode mode, uint64_t decoded_length, ChunkSigningContext signing,
                 std::vector<std::pair<std::string, crypto::ChecksumAlgorithm>> declared)
      : mode_(mode),
        signed_(mode == PayloadMode::kStreamingSigned ||
                mode == PayloadMode::kStreamingSignedTrailer),
        decoded_length_(decoded_length),
        signing_(std::move(signing)),
        previous_signature_(signing_.seed_signature),
        declared_(std::move(declared)) {
    for (const auto& d : declared_) checksums_.emplace_back(d.second);
  }

  std::optional<AuthError> Feed(std::string_view raw, const PayloadSink& sink) override {
    if (error_) return error_;
    if (aborted_) return std::nullopt;
    while (!raw.empty() && !aborted_) {
      std::optional<AuthError> err;
      switch (state_) {
        case State::kSizeLine:
          err = ConsumeLine(&raw, kMaxChunkLine, [this](std::string_view l) { return OnSize(l); });
          break;
        case State::kData:
          err = ConsumeData(&raw, sink);
          break;
        case State::kDataCrlf:
          err = ConsumeDataCrlf(&raw);
          break;
        case State::kTrailers:
          err = ConsumeLine(&raw, kMaxTrailerBytes - std::min(trailer_bytes_, kMaxTrailerBytes),
                            [this](std::string_view l) { return OnTrailerLine(l); });
          break;
        case State::kDone:
          err = Malformed("data after the final chunk");
          break;
      }
      if (err) {
        error_ = std::move(err);
        return error_;
      }
    }
    return std::nullopt;
  }

  std::optional<AuthError> Finish() override {
    if (error_) return error_;
    if (aborted_)
      return MakeAuthError(AuthErrorCode::kIncompleteBody, "body aborted by the consumer");
    // Some clients omit the final CRLF (or the last trailer's CRLF) at end of body.
    if (state_ == State::kTrailers) {
      std::optional<AuthError> err;
      if (!line_.empty() && line_.back() != '\r') err = OnTrailerLine(line_);
      if (!err && state_ == State::kTrailers) err = OnTrailerLine("");
      if (err) {
        error_ = std::move(err);
        return error_;
      }
    }
    if (state_ != State::kDone) {
      error_ = MakeAuthError(AuthErrorCode::kIncompleteBody, std::string(kIncompleteBodyMessage));
      return error_;
    }
    if (payload_bytes_ != decoded_length_) {
      error_ = MakeAuthError(AuthErrorCode::kIncompleteBody, std::string(kIncompleteBodyMessage));
      return error_;
    }
    for (size_t i = 0; i < declared_.size(); ++i) {
      const std::string* sent = FindTrailer(declared_[i].first);
      if (sent == nullptr) {
        error_ =
            MakeAuthError(AuthErrorCode::kMalformedChunk, std::string(kMalformedTrailerMessage));
        return error_;
      }
      if (checksums_[i].DigestBase64() != *sent) {
        error_ =
            MakeAuthError(AuthErrorCode::kBadTrailerChecksum,
                          "The " + std::string(crypto::ChecksumAlgorithmName(declared_[i].second)) +
                              " you specified did not match the calculated checksum.");
        return error_;
      }
    }
    return std::nullopt;
  }

  const std::vector<std::pair<std::string, std::string>>& trailers() const override {
    return trailers_;
  }
  uint64_t payload_bytes() const override { return payload_bytes_; }

 private:
  enum class State { kSizeLine, kData, kDataCrlf, kTrailers, kDone };

  // Accumulates one CRLF-terminated line of at most `limit` bytes (CRLF included) into line_,
  // then hands it (without CRLF) to on_line.
  template <typename OnLine>
  std::optional<AuthError> ConsumeLine(std::string_view* raw, size_t limit, OnLine on_line) {
    size_t nl = raw->find('\n');
    size_t take = nl == std::string_view::npos ? raw->size() : nl + 1;
    if (line_.size() + take > limit) {
      return Malformed(state_ == State::kTrailers ? "trailers too large" : "chunk line too long");
    }
    line_.append(raw->substr(0, take));
    raw->remove_prefix(take);
    if (nl == std::string_view::npos) return std::nullopt;
    if (line_.size() < 2 || line_[line_.size() - 2] != '\r') {
      return Malformed("line not terminated by CRLF");
    }
    if (state_ == State::kTrailers) trailer_bytes_ += line_.size();
    std::string line = std::move(line_);
    line_.clear();
    line.resize(line.size() - 2);
    return on_line(line);
  }

  std::optional<AuthError> OnSize(std::string_view line) {
    size_t semi = line.find(';');
    const std::optional<uint64_t> parsed = ParseUnsignedHex(line.substr(0, semi));
    if (!parsed) return Malformed("bad chunk size");
    const uint64_t size = *parsed;
    std::string_view signature;
    if (semi != std::string_view::npos) {
      std::string_view ext = line.substr(semi + 1);
      constexpr std::string_view kPrefix = "chunk-signature=";
      if (StartsWith(ext, kPrefix)) signature = ext.substr(kPrefix.size());
    }
    if (signed_) {
      if (signature.size() != 64) return Malformed("missing chunk-signature");
      if (size > 0 && chunks_ > 0 && last_chunk_size_ < kMinSignedChunk) {
        return MakeAuthError(AuthErrorCode::kChunkTooSmall,
                             "Only the last chunk is allowed to have a size less than 8192 bytes");
      }
      chunk_signature_ = std::string(signature);
    }
    if (size > decoded_length_ - payload_bytes_) {
      return MakeAuthError(AuthErrorCode::kIncompleteBody,
                           "The decoded body is longer than x-amz-decoded-content-length.");
    }
    ++chunks_;
    last_chunk_size_ = size;
    if (size == 0) {
      if (signed_) {
        if (auto err = CheckChunkSignature(sigv4::kEmptySha256)) return err;
      }
      state_ = State::kTrailers;
      return std::nullopt;
    }
    remaining_ = size;
    if (signed_) chunk_hash_.emplace(crypto::HashStream::Algorithm::kSha256);
    state_ = State::kData;
    return std::nullopt;
  }

  std::optional<AuthError> ConsumeData(std::string_view* raw, const PayloadSink& sink) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, raw->size()));
    std::string_view piece = raw->substr(0, n);
    raw->remove_prefix(n);
    remaining_ -= n;
    payload_bytes_ += n;
    if (chunk_hash_) chunk_hash_->Update(piece);
    for (auto& c : checksums_) c.Update(piece);
    if (!sink(piece)) aborted_ = true;
    if (remaining_ == 0) {
      state_ = State::kDataCrlf;
      crlf_seen_ = 0;
      if (signed_) {
        std::string digest = crypto::Hex(chunk_hash_->Finish());
        chunk_hash_.reset();
        if (auto err = CheckChunkSignature(digest)) return err;
      }
    }
    return std::nullopt;
  }

  std::optional<AuthError> ConsumeDataCrlf(std::string_view* raw) {
    while (!raw->empty() && crlf_seen_ < 2) {
      char expected = crlf_seen_ == 0 ? '\r' : '\n';
      if (raw->front() != expected) return Malformed("chunk data not followed by CRLF");
      raw->remove_prefix(1);
      ++crlf_seen_;
    }
    if (crlf_seen_ == 2) state_ = State::kSizeLine;
    return std::nullopt;
  }

  std::optional<AuthError> CheckChunkSignature(std::string_view chunk_sha256_hex) {
    const std::string sts = sigv4::ChunkStringToSign(signing_.amz_date, signing_.scope,
                                                     previous_signature_, chunk_sha256_hex);
    if (auto mismatch = CheckSignature(sts, chunk_signature_)) return mismatch;
    previous_signature_ = std::move(chunk_signature_);
    chunk_signature_.clear();
    return std::nullopt;
  }

  std::optional<AuthError> OnTrailerLine(std::string_view line) {
    if (line.empty()) {
      // Tolerate a blank line between the last chunk and the trailers.
      if (trailers_.empty() && trailer_signature_.empty() && !declared_.empty() &&
          !skipped_blank_) {
        skipped_blank_ = true;
        return std::nullopt;
      }
      state_ = State::kDone;
      if (mode_ == PayloadMode::kStreamingSignedTrailer) return CheckTrailerSignature();
      return std::nullopt;
    }
    if (mode_ == PayloadMode::kStreamingSigned) return Malformed("trailers without x-amz-trailer");
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return Malformed("bad trailer line");
    std::string name = ToLower(Trim(line.substr(0, colon)));
    std::string value(Trim(line.substr(colon + 1)));
    if (name == "x-amz-trailer-signature") {
      if (mode_ != PayloadMode::kStreamingSignedTrailer) {
        return Malformed("unexpected x-amz-trailer-signature");
      }
      trailer_signature_ = std::move(value);
      return std::nullopt;
    }
    if (!trailer_signature_.empty()) return Malformed("trailer after the trailer signature");
    trailers_.emplace_back(std::move(name), std::move(value));
    return std::nullopt;
  }

  std::optional<AuthError> CheckTrailerSignature() {
    if (trailer_signature_.empty()) {
      return MakeAuthError(AuthErrorCode::kMalformedChunk, std::string(kMalformedTrailerMessage));
    }
    const std::string sts =
        sigv4::TrailerStringToSign(signing_.amz_date, signing_.scope, previous_signature_,
                                   sigv4::CanonicalTrailers(trailers_));
    return CheckSignature(sts, trailer_signature_);
  }

  // A chunk or the trailers signed as `provided` says: SignatureDoesNotMatch, with S3's
  // diagnostics, unless the signature over `string_to_sign` is that.
  std::optional<AuthError> CheckSignature(const std::string& string_to_sign,
                                          const std::string& provided) const {
    const std::string expected = sigv4::Sign(signing_.signing_key, string_to_sign);
    if (crypto::ConstantTimeEquals(expected, provided)) return std::nullopt;
    return MakeAuthError(AuthErrorCode::kSignatureMismatch, std::string(kSignatureMismatchMessage),
                         {{"StringToSign", string_to_sign},
                          {"SignatureProvided", provided},
                          {"StringToSignBytes", sigv4::SpacedHexBytes(string_to_sign)}});
  }

  const std::string* FindTrailer(std::string_view name) const {
    for (const auto& [n, v] : trailers_) {
      if (n == name) return &v;
    }
    return nullptr;
  }

  const PayloadMode mode_;
  const bool signed_;
  const uint64_t decoded_length_;
  const ChunkSigningContext signing_;
  std::string previous_signature_;
  // Checksums named by x-amz-trailer: (lower-case header name, algorithm), and their state.
  const std::vector<std::pair<std::string, crypto::ChecksumAlgorithm>> declared_;
  std::vector<crypto::Checksum> checksums_;

  State state_ = State::kSizeLine;
  std::string line_;  // partial size or trailer line (bounded)
  uint64_t remaining_ = 0;
  int crlf_seen_ = 0;
  uint64_t chunks_ = 0;
  uint64_t last_chunk_size_ = 0;
  std::string chunk_signature_;
  std::optional<crypto::HashStream> chunk_hash_;
  size_t trailer_bytes_ = 0;
  bool skipped_blank_ = false;
  std::string trailer_signature_;
  std::vector<std::pair<std::string, std::string>> trailers_;
  uint64_t payload_bytes_ = 0;
  bool aborted_ = false;
  std::optional<AuthError> error_;
};

}  // namespace

std::variant<std::unique_ptr<PayloadDecoder>, AuthError> PayloadDecoder::Create(
    const VerifiedRequest& verified, const HttpRequestHead& head) {
  switch (verified.payload_mode) {
    case PayloadMode::kUnsigned:
      return std::unique_ptr<PayloadDecoder>(new PassThroughDecoder(""));
    case PayloadMode::kSha256:
      if (verified.expected_sha256_hex.size() != 64) {
        return MakeAuthError(AuthErrorCode::kInvalidContentSha256,
                             "x-amz-content-sha256 is not a valid sha256 value.");
      }
      return std::unique_ptr<PayloadDecoder>(new PassThroughDecoder(verified.expected_sha256_hex));
    case PayloadMode::kStreamingSigned:
    case PayloadMode::kStreamingSignedTrailer:
    case PayloadMode::kStreamingUnsignedTrailer:
      break;
  }
  const std::string* length_header = head.FindHeader("x-amz-decoded-content-length");
  if (length_header == nullptr) {
    return MakeAuthError(AuthErrorCode::kMalformedChunk,
                         "Missing required header for this request: x-amz-decoded-content-length");
  }
  std::optional<uint64_t> length = ParseUnsignedDecimal(Trim(*length_header));
  if (!length) {
    return MakeAuthError(AuthErrorCode::kMalformedChunk,
                         "x-amz-decoded-content-length is not a valid length.");
  }
  std::vector<std::pair<std::string, crypto::ChecksumAlgorithm>> declared;
  if (verified.payload_mode != PayloadMode::kStreamingSigned) {
    if (const std::string* trailer = head.FindHeader("x-amz-trailer")) {
      for (std::string_view name : Split(*trailer, ',')) {
        name = Trim(name);
        if (name.empty()) continue;
        std::optional<crypto::ChecksumAlgorithm> alg = crypto::ChecksumAlgorithmFromHeader(name);
        if (!alg) {
          return MakeAuthError(AuthErrorCode::kMalformedChunk,
                               "The value specified in the x-amz-trailer header is not supported");
        }
        declared.emplace_back(ToLower(name), *alg);
      }
    }
  }
  if (verified.payload_mode != PayloadMode::kStreamingUnsignedTrailer &&
      (verified.chunk.signing_key.empty() || verified.chunk.seed_signature.empty())) {
    return MakeAuthError(AuthErrorCode::kMalformedChunk,
                         "signed aws-chunked body without a signing context");
  }
  return std::unique_ptr<PayloadDecoder>(
      new ChunkedDecoder(verified.payload_mode, *length, verified.chunk, std::move(declared)));
}

}  // namespace sealstack::auth
