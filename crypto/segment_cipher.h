// The streaming segment cipher for object bodies (docs/formats/segment-format.md).
//
// A sealed object is a header followed by segments:
//
//   sealed_object := header segment[0] ... segment[n-1]        n >= 1
//
// The plaintext is cut into segments of segment_size bytes (the last may be shorter; an empty
// object is one empty last segment). Each segment is sealed with AES-256-GCM under a key derived
// from the object's data key and object id; nonce and AAD bind the segment index and a
// last-segment flag, and the AAD binds the whole header. So reordering, dropping or appending
// segments, truncation, and splicing segments or headers between objects all fail with
// Integrity.
//
//   SegmentWriter   PUT: plaintext in, sealed segments out through a sink, one segment buffered.
//   SegmentLayout   arithmetic: plaintext size -> segment count/offsets; byte range -> segments.
//   SegmentReader   GET: parse a header, open any segment by index (Range GETs open only the
//                   segments they touch).
//
// Errors: bad caller parameters (key size, options, range) -> InvalidArgument; stored bytes that
// do not parse or do not verify -> Integrity; OpenSSL failures -> Internal.
//
// Thread safety: SegmentWriter and SegmentReader hold OpenSSL contexts and are not safe for
// concurrent use; use one per request. SegmentLayout is an immutable value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "crypto/aead.h"
#include "crypto/random.h"
#include "crypto/secret_bytes.h"

namespace sealstack::crypto {

inline constexpr uint32_t kDefaultSegmentSize = 64 * 1024;
inline constexpr uint32_t kMinSegmentSize = 16;
inline constexpr uint32_t kMaxSegmentSize = 16 * 1024 * 1024;
inline constexpr size_t kDefaultObjectIdSize = 16;
inline constexpr size_t kMinObjectIdSize = 16;
inline constexpr size_t kMaxObjectIdSize = 255;
// Sealed segment = plaintext segment + this many bytes (the GCM tag).
inline constexpr size_t kSegmentOverhead = kGcmTagSize;

struct SegmentOptions {
  // Plaintext bytes per segment, stored in the header. Must be in
  // [kMinSegmentSize, kMaxSegmentSize]. Default: 64 KiB.
  uint32_t segment_size = kDefaultSegmentSize;

  // Empty (default): kDefaultObjectIdSize random bytes from the RandomSource.
  // Otherwise [kMinObjectIdSize, kMaxObjectIdSize] bytes chosen by the caller.
  // REQUIRES: an object id is never reused with the same data key (it salts the segment-key
  // derivation, so reuse means GCM nonce reuse). Random ids meet this; a caller-provided id
  // should contain a random or unique part (e.g. an upload id plus part number).
  std::string object_id;
};

// Where segments and byte ranges sit in a sealed object of a known plaintext size. Offsets are
// into the sealed object, header included; subtract header_size() if the header is stored
// apart from the segments.
struct SegmentSpan {
  uint64_t first_segment = 0;  // first segment the range touches
  uint64_t last_segment = 0;   // last segment the range touches (inclusive)
  uint64_t sealed_offset = 0;  // where first_segment starts in the sealed object
  uint64_t sealed_length = 0;  // bytes from there through the end of last_segment
  uint64_t skip = 0;           // plaintext bytes to drop from the front of first_segment
  uint64_t length = 0;         // plaintext bytes the range asks for
};

class SegmentLayout {
 public:
  // REQUIRES: segment_size > 0.
  SegmentLayout(uint32_t segment_size, size_t header_size, uint64_t plaintext_size);

  uint32_t segment_size() const { return segment_size_; }
  size_t header_size() const { return header_size_; }
  uint64_t plaintext_size() const { return plaintext_size_; }
  uint64_t segment_count() const { return segment_count_; }  // >= 1
  uint64_t sealed_size() const;                              // header + all sealed segments

  // REQUIRES: index < segment_count().
  bool IsLast(uint64_t index) const { return index + 1 == segment_count_; }
  uint64_t PlaintextOffset(uint64_t index) const;
  uint64_t PlaintextLength(uint64_t index) const;
  uint64_t SealedOffset(uint64_t index) const;
  uint64_t SealedLength(uint64_t index) const;

  // The segments covering plaintext bytes [offset, offset + length).
  // REQUIRES: length > 0 and offset + length <= plaintext_size(), else InvalidArgument.
  // (Resolving S3 Range syntax such as "bytes=-500" is the caller's job.)
  Result<SegmentSpan> MapRange(uint64_t offset, uint64_t length) const;

 private:
  uint32_t segment_size_;
  size_t header_size_;
  uint64_t plaintext_size_;
  uint64_t segment_count_;
};

// Encrypts one object as it streams in, holding at most one plaintext segment.
//
//   SEALSTACK_ASSIGN_OR_RETURN(auto w, SegmentWriter::Create(key, {}, random, sink));
//   store(w.header());
//   SEALSTACK_RETURN_IF_ERROR(w.Write(chunk));  // any number of times, any chunk sizes
//   SEALSTACK_RETURN_IF_ERROR(w.Finish());      // emits the last segment
//
// The sink receives segments in index order, exactly once each; is_last is true only for the
// final one, which Finish() emits. The sealed bytes are only valid during the call. The first
// error (from the sink or the cipher) sticks: every later call returns it.
class SegmentWriter {
 public:
  using Sink = std::function<Status(uint64_t index, std::string_view sealed, bool is_last)>;

  // REQUIRES: data_key is 32 bytes; options valid (see SegmentOptions). `random` is used only
  // here, to draw the object id when options.object_id is empty.
  static Result<SegmentWriter> Create(const SecretBytes& data_key, const SegmentOptions& options,
                                      RandomSource& random, Sink sink);

  SegmentWriter(SegmentWriter&&) noexcept = default;
  SegmentWriter& operator=(SegmentWriter&&) noexcept = default;

  // The header to store before (or beside) the segments. Available right after Create().
  const std::string& header() const { return header_; }
  const std::string& object_id() const { return object_id_; }
  uint32_t segment_size() const { return segment_size_; }

  Status Write(std::string_view plaintext);
  // Seals the buffered rest as the last segment. Write/Finish afterwards -> FailedPrecondition.
  Status Finish();

  uint64_t plaintext_size() const { return plaintext_size_; }  // bytes accepted so far
  uint64_t segments_emitted() const { return next_index_; }

 private:
  SegmentWriter(AesGcm gcm, std::string header, std::string object_id, uint32_t segment_size,
                Sink sink);
  Status Emit(std::string_view plaintext, bool is_last);

  AesGcm gcm_;
  std::string header_;
  std::string object_id_;
  uint32_t segment_size_;
  Sink sink_;
  std::string buffer_;  // plaintext not yet sealed; at most segment_size_ bytes
  std::string sealed_;  // scratch for the segment being emitted
  uint64_t next_index_ = 0;
  uint64_t plaintext_size_ = 0;
  bool finished_ = false;
  Status status_;
};

// Decrypts segments of one sealed object, in any order, one at a time.
class SegmentReader {
 public:
  // Parses the header at the start of `sealed_prefix` (trailing bytes are ignored, so the whole
  // sealed object or just its first bytes may be passed) and derives the segment key.
  // REQUIRES: data_key is 32 bytes (InvalidArgument). A malformed header -> Integrity.
  static Result<SegmentReader> Create(const SecretBytes& data_key, std::string_view sealed_prefix);

  SegmentReader(SegmentReader&&) noexcept = default;
  SegmentReader& operator=(SegmentReader&&) noexcept = default;

  const std::string& header() const { return header_; }
  size_t header_size() const { return header_.size(); }
  uint32_t segment_size() const { return segment_size_; }
  const std::string& object_id() const { return object_id_; }

  // The layout of this object once its plaintext size is known (from its metadata).
  SegmentLayout Layout(uint64_t plaintext_size) const;

  // Verifies and decrypts segment `index`, appending its plaintext to *out (unchanged on error).
  // is_last must say whether the caller believes this is the object's final segment; a wrong
  // belief (truncation, appending) fails verification.
  Status OpenSegmentAppend(uint64_t index, std::string_view sealed, bool is_last, std::string* out);
  Result<std::string> OpenSegment(uint64_t index, std::string_view sealed, bool is_last);

  // Range GET: given the sealed bytes [span.sealed_offset, + span.sealed_length) of an object
  // laid out as `layout`, returns exactly the span's plaintext bytes.
  Result<std::string> OpenSpan(const SegmentLayout& layout, const SegmentSpan& span,
                               std::string_view sealed_bytes);

 private:
  SegmentReader(AesGcm gcm, std::string header, std::string object_id, uint32_t segment_size);

  AesGcm gcm_;
  std::string header_;
  std::string object_id_;
  uint32_t segment_size_;
};

// Whole-object conveniences (tests, small objects): everything in memory.
Result<std::string> SealObject(const SecretBytes& data_key, std::string_view plaintext,
                               const SegmentOptions& options, RandomSource& random);
// The segment count follows from the sealed size, so any truncation or appended bytes fail.
Result<std::string> OpenSealedObject(const SecretBytes& data_key, std::string_view sealed_object);

}  // namespace sealstack::crypto
