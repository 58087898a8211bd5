#include "api/s3/form_data.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "api/s3/s3_errors.h"
#include "common/strings.h"

namespace sealstack::api::s3 {

namespace {

constexpr size_t kMaxBoundary = 70;  // RFC 2046 §5.1.1
constexpr std::string_view kCrlf = "\r\n";

Status MalformedForm() {
  return S3Error(ErrorKind::kMalformedPostRequest,
                 "The body of your POST request is not well-formed multipart/form-data.");
}

// One "name=value" (or bare "name") parameter of a header value, from `*pos` on; the value
// unquoted (backslash escapes undone). Advances past the following ';'.
std::pair<std::string, std::string> NextParameter(std::string_view s, size_t* pos) {
  size_t i = *pos;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ';')) ++i;
  size_t name_start = i;
  while (i < s.size() && s[i] != '=' && s[i] != ';') ++i;
  std::string name = ToLower(Trim(s.substr(name_start, i - name_start)));
  std::string value;
  if (i < s.size() && s[i] == '=') {
    ++i;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i < s.size() && s[i] == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value += s[i];
      }
      if (i < s.size()) ++i;  // the closing quote
      while (i < s.size() && s[i] != ';') ++i;
    } else {
      size_t value_start = i;
      while (i < s.size() && s[i] != ';') ++i;
      value = std::string(Trim(s.substr(value_start, i - value_start)));
    }
  }
  if (i < s.size() && s[i] == ';') ++i;
  *pos = i;
  return {std::move(name), std::move(value)};
}

// The parameters after the first ';' of a header value.
std::vector<std::pair<std::string, std::string>> Parameters(std::string_view value) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = value.find(';');
  if (pos == std::string_view::npos) return out;
  ++pos;
  while (pos < value.size()) {
    auto param = NextParameter(value, &pos);
    if (!param.first.empty()) out.push_back(std::move(param));
  }
  return out;
}

std::string_view MediaType(std::string_view value) {
  return Trim(value.substr(0, value.find(';')));
}

}  // namespace

std::optional<std::string> FormDataBoundary(std::string_view content_type) {
  if (!EqualsIgnoreCase(MediaType(content_type), "multipart/form-data")) return std::nullopt;
  for (auto& [name, value] : Parameters(content_type)) {
    if (name != "boundary") continue;
    if (value.empty() || value.size() > kMaxBoundary) return std::nullopt;
    return std::move(value);
  }
  return std::nullopt;
}

FormDataReader::FormDataReader(const std::string& boundary, ByteSource source, size_t buffer_size)
    : delimiter_("\r\n--" + boundary), source_(std::move(source)) {
  buf_.resize(std::max(buffer_size, kMaxHeaderBytes + 2 * (delimiter_.size() + 4)));
}

Result<bool> FormDataReader::Fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) return true;  // full: the caller decides what that means
  SEALSTACK_ASSIGN_OR_RETURN(size_t n, source_(buf_.data() + end_, buf_.size() - end_));
  if (n == 0) {
    eof_ = true;
    return false;
  }
  end_ += n;
  return true;
}

Result<bool> FormDataReader::Need(size_t n) {
  while (end_ - begin_ < n) {
    SEALSTACK_ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) return false;
  }
  return true;
}

Status FormDataReader::SkipToFirstDelimiter() {
  // The first delimiter may open the body without the CRLF that precedes every later one.
  const std::string_view first = std::string_view(delimiter_).substr(kCrlf.size());
  SEALSTACK_ASSIGN_OR_RETURN(bool enough, Need(first.size()));
  if (!enough) return MalformedForm();
  if (Buffered().substr(0, first.size()) == first) {
    Consume(first.size());
    state_ = State::kAtDelimiter;
    return Status::Ok();
  }
  // A preamble: skipped like the content of a part.
  state_ = State::kInBody;
  return ReadBody([](std::string_view) { return Status::Ok(); });
}

Status FormDataReader::ReadBody(const std::function<Status(std::string_view)>& sink) {
  if (state_ != State::kInBody) return Status::Ok();
  // Bytes that may be the start of a delimiter stay buffered until more arrive.
  const size_t keep = delimiter_.size() - 1;
  for (;;) {
    std::string_view view = Buffered();
    size_t at = view.find(delimiter_);
    if (at != std::string_view::npos) {
      if (at > 0) SEALSTACK_RETURN_IF_ERROR(sink(view.substr(0, at)));
      Consume(at + delimiter_.size());
      state_ = State::kAtDelimiter;
      return Status::Ok();
    }
    if (view.size() > keep) {
      const size_t out = view.size() - keep;
      SEALSTACK_RETURN_IF_ERROR(sink(view.substr(0, out)));
      Consume(out);
    }
    SEALSTACK_ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) return MalformedForm();  // the body ends inside a part
  }
}

Result<bool> FormDataReader::AfterDelimiter() {
  SEALSTACK_ASSIGN_OR_RETURN(bool enough, Need(2));
  if (!enough) return MalformedForm();
  if (Buffered().substr(0, 2) == "--") {
    Consume(2);
    state_ = State::kDone;  // the close delimiter; anything after it is an epilogue
    return false;
  }
  // Transport padding (spaces and tabs) may follow a delimiter before its CRLF.
  for (;;) {
    SEALSTACK_ASSIGN_OR_RETURN(enough, Need(2));
    if (!enough) return MalformedForm();
    std::string_view view = Buffered();
    if (view[0] == ' ' || view[0] == '\t') {
      Consume(1);
      continue;
    }
    if (view.substr(0, 2) != kCrlf) return MalformedForm();
    Consume(2);
    return true;
  }
}

Status FormDataReader::ReadHeaders(FormPart* part) {
  *part = FormPart{};
  size_t end = std::string_view::npos;
  for (;;) {
    SEALSTACK_ASSIGN_OR_RETURN(bool enough, Need(2));
    if (!enough) return MalformedForm();
    std::string_view view = Buffered();
    if (view.substr(0, 2) == kCrlf) {  // no headers at all
      Consume(2);
      return Status::Ok();
    }
    end = view.find("\r\n\r\n");
    if (end != std::string_view::npos) break;
    if (view.size() > kMaxHeaderBytes) return MalformedForm();
    SEALSTACK_ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) return MalformedForm();
  }
  const std::string block(Buffered().substr(0, end));
  Consume(end + 4);
  if (block.size() > kMaxHeaderBytes) return MalformedForm();
  size_t pos = 0;
  while (pos <= block.size()) {
    size_t eol = block.find(kCrlf, pos);
    if (eol == std::string::npos) eol = block.size();
    std::string_view line = std::string_view(block).substr(pos, eol - pos);
    pos = eol + kCrlf.size();
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return MalformedForm();
    std::string_view name = Trim(line.substr(0, colon));
    std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsIgnoreCase(name, "Content-Disposition")) {
      if (!EqualsIgnoreCase(MediaType(value), "form-data")) return MalformedForm();
      for (auto& [param, text] : Parameters(value)) {
        if (param == "name") {
          part->name = std::move(text);
        } else if (param == "filename") {
          part->filename = std::move(text);
        }
      }
    } else if (EqualsIgnoreCase(name, "Content-Type")) {
      part->content_type = std::string(value);
    }
  }
  return Status::Ok();
}

Result<bool> FormDataReader::NextPart(FormPart* part) {
  if (state_ == State::kStart) SEALSTACK_RETURN_IF_ERROR(SkipToFirstDelimiter());
  if (state_ == State::kInBody) {
    SEALSTACK_RETURN_IF_ERROR(ReadBody([](std::string_view) { return Status::Ok(); }));
  }
  if (state_ == State::kDone) return false;
  SEALSTACK_ASSIGN_OR_RETURN(bool another, AfterDelimiter());
  if (!another) return false;
  SEALSTACK_RETURN_IF_ERROR(ReadHeaders(part));
  state_ = State::kInBody;
  return true;
}

}  // namespace sealstack::api::s3
