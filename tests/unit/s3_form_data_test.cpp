#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "api/s3/form_data.h"
#include "api/s3/s3_errors.h"
#include "test_util.h"

using namespace sealstack;
using namespace sealstack::api::s3;

namespace {

// A source that hands out `body` in pieces of at most `step` bytes, the first one `first` long
// (so a split can fall on any byte).
ByteSource FormPiecesOf(std::string body, size_t first, size_t step) {
  auto state = std::make_shared<std::pair<std::string, size_t>>(std::move(body), 0);
  auto first_done = std::make_shared<bool>(false);
  return [state, first, step, first_done](char* dst, size_t max) -> Result<size_t> {
    auto& [text, pos] = *state;
    size_t want = *first_done ? step : first;
    *first_done = true;
    size_t n = std::min({max, want == 0 ? step : want, text.size() - pos});
    std::memcpy(dst, text.data() + pos, n);
    pos += n;
    return n;
  };
}

struct ParsedForm {
  std::vector<FormPart> parts;
  std::vector<std::string> bodies;
};

Result<ParsedForm> ParseAllParts(FormDataReader& reader) {
  ParsedForm out;
  FormPart part;
  for (;;) {
    SEALSTACK_ASSIGN_OR_RETURN(bool more, reader.NextPart(&part));
    if (!more) break;
    std::string body;
    SEALSTACK_RETURN_IF_ERROR(reader.ReadBody([&](std::string_view piece) {
      REQUIRE_FALSE(piece.empty());
      body.append(piece);
      return Status::Ok();
    }));
    out.parts.push_back(part);
    out.bodies.push_back(std::move(body));
  }
  return out;
}

const std::string kBoundary = "----WebKitFormBoundaryX3";

std::string FormBody(const std::vector<std::pair<std::string, std::string>>& fields,
                     const std::string& file_name, const std::string& file) {
  std::string out;
  for (const auto& [k, v] : fields) {
    out += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v +
           "\r\n";
  }
  out += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
         file_name + "\"\r\nContent-Type: text/plain\r\n\r\n" + file + "\r\n";
  out += "--" + kBoundary + "--\r\n";
  return out;
}

bool IsMalformedForm(const Status& s) {
  return s.detail() == static_cast<int>(ErrorKind::kMalformedPostRequest);
}

}  // namespace

TEST_CASE("FormDataBoundary reads the boundary of multipart/form-data only", "[s3][form]") {
  CHECK(FormDataBoundary("multipart/form-data; boundary=abc") == "abc");
  CHECK(FormDataBoundary("Multipart/Form-Data;boundary=\"a b\"") == "a b");
  CHECK(FormDataBoundary("multipart/form-data; charset=utf-8; boundary=x") == "x");
  CHECK_FALSE(FormDataBoundary("multipart/form-data"));
  CHECK_FALSE(FormDataBoundary("multipart/mixed; boundary=abc"));
  CHECK_FALSE(FormDataBoundary("application/x-www-form-urlencoded"));
  CHECK_FALSE(FormDataBoundary("multipart/form-data; boundary=" + std::string(71, 'a')));
}

TEST_CASE("FormDataReader reads fields and the file whatever the piece boundaries", "[s3][form]") {
  // The file holds CRLFs, dashes and a near-miss of the delimiter.
  const std::string file = "line1\r\n--" + kBoundary.substr(0, 10) + "\r\n-\r\n--\r\nend";
  const std::string body = FormBody(
      {{"key", "uploads/${filename}"}, {"x-amz-meta-a", "1\r\n2"}, {"empty", ""}}, "a.txt", file);
  for (size_t first = 1; first <= body.size(); ++first) {
    for (size_t step : {size_t{1}, size_t{7}, size_t{4096}}) {
      INFO("first " << first << " step " << step);
      FormDataReader reader(kBoundary, FormPiecesOf(body, first, step), 0);
      Result<ParsedForm> got = ParseAllParts(reader);
      REQUIRE_OK(got.status());
      REQUIRE(got->parts.size() == 4);
      CHECK(got->parts[0].name == "key");
      CHECK(got->bodies[0] == "uploads/${filename}");
      CHECK(got->bodies[1] == "1\r\n2");
      CHECK(got->parts[2].name == "empty");
      CHECK(got->bodies[2].empty());
      CHECK(got->parts[3].name == "file");
      CHECK(got->parts[3].filename == "a.txt");
      CHECK(got->parts[3].content_type == "text/plain");
      CHECK(got->bodies[3] == file);
      CHECK_FALSE(got->parts[0].filename);
    }
  }
}

TEST_CASE("FormDataReader streams a large file through a small buffer", "[s3][form]") {
  std::string file;
  for (int i = 0; i < 200000; ++i) file += static_cast<char>('a' + i % 26);
  const std::string body = FormBody({{"key", "k"}}, "big.bin", file);
  FormDataReader reader(kBoundary, FormPiecesOf(body, 3000, 3000), 0);  // minimum buffer
  FormPart part;
  REQUIRE(reader.NextPart(&part).value());
  REQUIRE_OK(reader.ReadBody([](std::string_view) { return Status::Ok(); }));
  REQUIRE(reader.NextPart(&part).value());
  CHECK(part.name == "file");
  size_t total = 0;
  size_t largest = 0;
  REQUIRE_OK(reader.ReadBody([&](std::string_view piece) {
    CHECK(piece == std::string_view(file).substr(total, piece.size()));
    total += piece.size();
    largest = std::max(largest, piece.size());
    return Status::Ok();
  }));
  CHECK(total == file.size());
  CHECK(largest < 32 * 1024);
  CHECK_FALSE(reader.NextPart(&part).value());
}

TEST_CASE("FormDataReader skips preamble, padding and epilogue", "[s3][form]") {
  const std::string body = "preamble text\r\n--" + kBoundary +
                           " \t\r\ncontent-disposition: form-data; NAME=key\r\n\r\nv\r\n--" +
                           kBoundary + "--\r\nepilogue --" + kBoundary + "\r\n";
  FormDataReader reader(kBoundary, FormPiecesOf(body, 5, 5), 0);
  Result<ParsedForm> got = ParseAllParts(reader);
  REQUIRE_OK(got.status());
  REQUIRE(got->parts.size() == 1);
  CHECK(got->parts[0].name == "key");
  CHECK(got->bodies[0] == "v");
}

TEST_CASE("FormDataReader skips a part its caller does not read", "[s3][form]") {
  const std::string body = FormBody({{"a", "xyz"}, {"b", "2"}}, "f", "data");
  FormDataReader reader(kBoundary, FormPiecesOf(body, 2, 2), 0);
  FormPart part;
  REQUIRE(reader.NextPart(&part).value());
  REQUIRE(reader.NextPart(&part).value());
  CHECK(part.name == "b");
  REQUIRE(reader.NextPart(&part).value());
  CHECK(part.name == "file");
  CHECK_FALSE(reader.NextPart(&part).value());
}

TEST_CASE("FormDataReader undoes quoting in Content-Disposition", "[s3][form]") {
  const std::string body = "--" + kBoundary +
                           "\r\nContent-Disposition: form-data; name=\"file\"; "
                           "filename=\"a \\\"b\\\";c.txt\"\r\n\r\nx\r\n--" +
                           kBoundary + "--";
  FormDataReader reader(kBoundary, FormPiecesOf(body, 100, 100), 0);
  FormPart part;
  REQUIRE(reader.NextPart(&part).value());
  CHECK(part.name == "file");
  CHECK(part.filename == "a \"b\";c.txt");
}

TEST_CASE("FormDataReader refuses malformed bodies", "[s3][form]") {
  const std::string good = FormBody({{"key", "k"}}, "f", "data");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"no delimiter", "just text"},
      {"truncated in a part", good.substr(0, good.size() - 20)},
      {"no close delimiter", good.substr(0, good.find("--" + kBoundary + "--"))},
      {"junk after delimiter", "--" + kBoundary + "x\r\n\r\nv\r\n--" + kBoundary + "--"},
      {"header without colon",
       "--" + kBoundary + "\r\nnot a header\r\n\r\nv\r\n--" + kBoundary + "--"},
      {"not form-data", "--" + kBoundary +
                            "\r\nContent-Disposition: attachment; name=a\r\n\r\nv\r\n--" +
                            kBoundary + "--"},
      {"headers too long", "--" + kBoundary + "\r\nX-Long: " + std::string(9000, 'a') +
                               "\r\n\r\nv\r\n--" + kBoundary + "--"},
  };
  for (const auto& [name, body] : cases) {
    INFO(name);
    FormDataReader reader(kBoundary, FormPiecesOf(body, 3, 3), 0);
    Result<ParsedForm> got = ParseAllParts(reader);
    REQUIRE_FALSE(got.ok());
    CHECK(IsMalformedForm(got.status()));
  }
}

TEST_CASE("FormDataReader passes on the source's and the sink's errors", "[s3][form]") {
  const std::string body = FormBody({{"key", "k"}}, "f", "data");
  {
    FormDataReader reader(kBoundary, [](char*, size_t) -> Result<size_t> {
      return Status::Unavailable("client went away");
    });
    FormPart part;
    Result<bool> r = reader.NextPart(&part);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kUnavailable);
  }
  FormDataReader reader(kBoundary, FormPiecesOf(body, 10, 10), 0);
  FormPart part;
  REQUIRE(reader.NextPart(&part).value());
  Status st = reader.ReadBody([](std::string_view) { return Status::InvalidArgument("stop"); });
  CHECK(st.code() == StatusCode::kInvalidArgument);
  CHECK(st.message() == "stop");
}

TEST_CASE("POST Object error kinds have their S3 codes", "[s3][form][errors]") {
  struct Row {
    ErrorKind kind;
    const char* code;
  } rows[] = {
      {ErrorKind::kMalformedPostRequest, "MalformedPOSTRequest"},
      {ErrorKind::kIncorrectNumberOfFilesInPostRequest, "IncorrectNumberOfFilesInPostRequest"},
      {ErrorKind::kMaxPostPreDataLengthExceeded, "MaxPostPreDataLengthExceededError"},
      {ErrorKind::kInvalidPolicyDocument, "InvalidPolicyDocument"},
  };
  for (const Row& row : rows) {
    auto d = DescribeS3Error(S3Error(row.kind, "m"));
    REQUIRE(d);
    CHECK(d->code == row.code);
    CHECK(d->http_status == 400);
  }
}
