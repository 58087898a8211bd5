// FormDataReader: a multipart/form-data body (RFC 7578, the framing of RFC 2046 §5.1) read
// part by part from a byte source through one fixed-size buffer, so a browser upload's file part
// streams into PutObject however large it is.
//
//   FormDataReader form(boundary, source);
//   FormPart part;
//   while (form.NextPart(&part).value_or(false)) {       // headers of the next part
//     form.ReadBody([&](std::string_view piece) { ...; return Status::Ok(); });
//   }
//
// The body is the delimiter "--boundary" (optionally after a preamble), parts each ending in
// CRLF "--boundary", and the close delimiter "--boundary--" (an epilogue after it is ignored).
// A delimiter is found across buffer refills: bytes are handed out only once no delimiter can
// start among them, so a piece may end anywhere.
//
// Errors are 400 MalformedPOSTRequest (s3_errors.h); a failing source's Status is returned as is.
//
// Thread safety: a reader belongs to one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sealstack::api::s3 {

// Copies up to `max` bytes of the body into `dst`; 0 at its end.
using ByteSource = std::function<Result<size_t>(char* dst, size_t max)>;

// The boundary parameter of a "multipart/form-data; boundary=..." Content-Type (quotes
// removed); nullopt when the type is another or the boundary is missing or longer than RFC
// 2046's 70 characters.
std::optional<std::string> FormDataBoundary(std::string_view content_type);

// What a part's headers say.
struct FormPart {
  std::string name;                     // Content-Disposition name, as sent
  std::optional<std::string> filename;  // Content-Disposition filename, when given
  std::string content_type;             // the part's Content-Type ("" when none)
};

class FormDataReader {
 public:
  // A part's header block may be at most this long.
  static constexpr size_t kMaxHeaderBytes = 8 * 1024;
  static constexpr size_t kDefaultBufferSize = 64 * 1024;

  // REQUIRES: boundary is not empty and at most 70 characters; buffer_size >= kMaxHeaderBytes + 2
  // * (boundary size + 4) (smaller sizes are raised to that).
  FormDataReader(const std::string& boundary, ByteSource source,
                 size_t buffer_size = kDefaultBufferSize);

  // Moves to the next part, skipping what is left of the current one, and reads its headers.
  // False after the close delimiter.
  Result<bool> NextPart(FormPart* part);

  // Pushes the rest of the current part's content to `sink` in pieces (none empty), up to the
  // delimiter that ends it. A sink's error stops the read and is returned.
  Status ReadBody(const std::function<Status(std::string_view)>& sink);

  // Bytes taken from the source so far that have been parsed (headers and content handed out).
  uint64_t position() const { return consumed_; }

 private:
  enum class State { kStart, kInBody, kAtDelimiter, kDone };

  // Appends source bytes behind the buffered ones (moving those to the front first). False at
  // the end of the source.
  Result<bool> Fill();
  // Ensures at least `n` bytes are buffered; false when the source ends first.
  Result<bool> Need(size_t n);
  std::string_view Buffered() const { return {buf_.data() + begin_, end_ - begin_}; }
  void Consume(size_t n) {
    begin_ += n;
    consumed_ += n;
  }
  Status SkipToFirstDelimiter();
  Result<bool> AfterDelimiter();
  Status ReadHeaders(FormPart* part);

  std::string delimiter_;  // CRLF "--" boundary
  ByteSource source_;
  std::vector<char> buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  uint64_t consumed_ = 0;
  State state_ = State::kStart;
};

}  // namespace sealstack::api::s3
