// Every request in tests/vectors/captures (real SDK/CLI requests, secret "test", copied from
// /work/shared/captures) must verify with the clock pinned to its X-Amz-Date and its body must
// decode; one flipped byte in a signed header or in the body must fail with the right code.
#include <catch2/catch.hpp>

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include "auth/payload_decoder.h"
#include "auth/verifier.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "crypto/digest.h"

using namespace sealstack;
using namespace sealstack::auth;

namespace {

const std::string kCaptureDir = std::string(SEALSTACK_TEST_VECTORS_DIR) + "/captures";

std::string Fixture() {
  std::string body;
  for (int i = 0; i < 4; ++i) body += "hello capture fixture 0123456789\n";
  return body;
}

struct Capture {
  std::string name;
  HttpRequestHead head;
  std::string body;  // after HTTP/1.1 chunked decoding
  bool truncated = false;
};

std::vector<std::string> CaptureNames() {
  std::vector<std::string> names;
  if (DIR* d = opendir(kCaptureDir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (EndsWith(n, ".txt")) names.push_back(n);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Undoes Transfer-Encoding: chunked (what the HTTP layer does before the decoder sees the body).
std::string HttpDechunk(std::string_view in) {
  std::string out;
  while (true) {
    size_t eol = in.find("\r\n");
    REQUIRE(eol != std::string_view::npos);
    size_t size = std::stoul(std::string(in.substr(0, eol)), nullptr, 16);
    in.remove_prefix(eol + 2);
    if (size == 0) break;
    out.append(in.substr(0, size));
    REQUIRE(in.substr(size, 2) == "\r\n");
    in.remove_prefix(size + 2);
  }
  return out;
}

Capture Load(const std::string& name) {
  std::ifstream f(kCaptureDir + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string raw = ss.str();
  Capture c;
  c.name = name;
  if (StartsWith(raw, "http://")) {  // a presigned URL as generated
    std::string url(Trim(raw.substr(7, raw.find_last_not_of("\r\n") - 6)));
    size_t slash = url.find('/');
    c.head.method = "GET";
    c.head.target = url.substr(slash);
    c.head.headers = {{"Host", url.substr(0, slash)}};
    return c;
  }
  size_t end = raw.find("\r\n\r\n");
  REQUIRE(end != std::string::npos);
  std::string_view head_text(raw.data(), end);
  size_t line_end = head_text.find("\r\n");
  std::string_view request_line = head_text.substr(0, line_end);
  auto parts = Split(request_line, ' ');
  REQUIRE(parts.size() == 3);
  c.head.method = std::string(parts[0]);
  c.head.target = std::string(parts[1]);
  std::string_view rest = head_text.substr(line_end + 2);
  for (std::string_view line : Split(rest, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t colon = line.find(':');
    REQUIRE(colon != std::string_view::npos);
    c.head.headers.emplace_back(std::string(line.substr(0, colon)),
                                std::string(Trim(line.substr(colon + 1))));
  }
  c.body = raw.substr(end + 4);
  c.truncated = c.body.find("[CAPTURE TRUNCATED") != std::string::npos;
  const std::string* te = c.head.FindHeader("transfer-encoding");
  if (te && EqualsIgnoreCase(*te, "chunked") && !c.truncated) c.body = HttpDechunk(c.body);
  return c;
}

bool IsS3(const HttpRequestHead& head) {
  return head.FindHeader("x-amz-target") == nullptr;
}

SystemTime RequestTime(const HttpRequestHead& head) {
  if (const std::string* d = head.FindHeader("x-amz-date")) return *ParseAmzDate(*d);
  for (const auto& [n, v] : ParseQuery(head.RawQuery())) {
    if (n == "X-Amz-Date") return *ParseAmzDate(v);
  }
  FAIL("no request date");
  return {};
}

VerifyOutcome VerifyCapture(const Capture& c, const PrincipalStore& store) {
  FakeClock clock(RequestTime(c.head));
  VerifyOptions options;
  options.s3 = IsS3(c.head);
  if (!options.s3) options.body_sha256_hex = crypto::Hex(crypto::Sha256(c.body));
  return Verify(c.head, store, clock, options);
}

struct Decoded {
  std::optional<AuthError> error;
  std::string payload;
  std::vector<std::pair<std::string, std::string>> trailers;
};

Decoded Decode(const VerifiedRequest& v, const Capture& c, size_t piece) {
  Decoded out;
  auto created = PayloadDecoder::Create(v, c.head);
  if (auto* err = std::get_if<AuthError>(&created)) {
    out.error = *err;
    return out;
  }
  auto& decoder = std::get<std::unique_ptr<PayloadDecoder>>(created);
  auto sink = [&](std::string_view s) {
    out.payload.append(s);
    return true;
  };
  for (size_t i = 0; i < c.body.size() && !out.error; i += piece) {
    out.error = decoder->Feed(std::string_view(c.body).substr(i, piece), sink);
  }
  if (!out.error) out.error = decoder->Finish();
  out.trailers = decoder->trailers();
  return out;
}

AuthErrorCode CodeOf(const VerifyOutcome& out) {
  return std::get<AuthError>(out).code;
}

}  // namespace

TEST_CASE("captures: the vector directory is populated", "[captures]") {
  CHECK(CaptureNames().size() >= 50);
}

TEST_CASE("captures: every real client request verifies and its body decodes", "[captures]") {
  PrincipalStore store;
  for (const std::string& name : CaptureNames()) {
    SECTION(name) {
      Capture c = Load(name);
      VerifyOutcome out = VerifyCapture(c, store);
      if (auto* err = std::get_if<AuthError>(&out)) {
        FAIL(name << ": " << err->message);
      }
      const VerifiedRequest& v = std::get<VerifiedRequest>(out);
      CHECK(v.principal->access_key_id == "test");
      CHECK(v.region == (v.scheme == AuthScheme::kSigV2Query ? "" : "us-east-1"));
      if (c.truncated) continue;  // header signature only
      for (size_t piece : {size_t{1}, size_t{7}, size_t{1} << 20}) {
        Decoded d = Decode(v, c, piece);
        if (d.error) FAIL(name << " piece " << piece << ": " << d.error->message);
        if (c.head.method == "PUT" && StartsWith(c.head.target, "/capbucket/fixture.txt") &&
            c.head.target.find("uploadId") == std::string::npos) {
          CHECK(d.payload == Fixture());
        } else {
          CHECK(d.payload == c.body);
        }
        if (v.payload_mode == PayloadMode::kStreamingUnsignedTrailer) {
          REQUIRE(d.trailers.size() == 1);
          CHECK(d.trailers[0].first == "x-amz-checksum-crc32");
          CHECK(d.trailers[0].second == "M9c5yA==");
        }
      }
    }
  }
}

TEST_CASE("captures: a flipped byte in a signed header fails the signature", "[captures]") {
  PrincipalStore store;
  for (const std::string& name : CaptureNames()) {
    SECTION(name) {
      Capture c = Load(name);
      // The host's last character (a port digit) is signed by every client.
      for (auto& [n, v] : c.head.headers) {
        if (EqualsIgnoreCase(n, "host")) v.back() = v.back() == '9' ? '8' : '9';
      }
      VerifyOutcome out = VerifyCapture(c, store);
      REQUIRE(std::holds_alternative<AuthError>(out));
      const AuthError& err = std::get<AuthError>(out);
      CHECK(err.code == AuthErrorCode::kSignatureMismatch);
      CHECK(err.message ==
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.");
      REQUIRE(err.details.size() >= 4);
      CHECK(err.details[0].first == "AWSAccessKeyId");
      CHECK(err.details[1].first == "StringToSign");
      CHECK(err.details[2].first == "SignatureProvided");
      CHECK(err.details[3].first == "StringToSignBytes");
    }
  }
}

TEST_CASE("captures: a flipped body byte is caught", "[captures]") {
  PrincipalStore store;
  for (const std::string& name : CaptureNames()) {
    Capture c = Load(name);
    if (c.truncated || c.body.empty()) continue;
    SECTION(name) {
      // Flip a payload byte (inside the fixture text for aws-chunked bodies).
      size_t at = c.body.find("hello");
      if (at == std::string::npos) at = c.body.size() / 2;
      c.body[at] ^= 0x01;
      VerifyOutcome out = VerifyCapture(c, store);
      if (!IsS3(c.head)) {
        // JSON services: the body hash is part of the signature; when the client also sent
        // x-amz-content-sha256 (JS v3), the header and the body disagree first.
        REQUIRE(std::holds_alternative<AuthError>(out));
        CHECK(CodeOf(out) == (c.head.FindHeader("x-amz-content-sha256")
                                  ? AuthErrorCode::kContentSha256Mismatch
                                  : AuthErrorCode::kSignatureMismatch));
        continue;
      }
      REQUIRE(std::holds_alternative<VerifiedRequest>(out));
      const VerifiedRequest& v = std::get<VerifiedRequest>(out);
      Decoded d = Decode(v, c, 5);
      switch (v.payload_mode) {
        case PayloadMode::kSha256:
          REQUIRE(d.error);
          CHECK(d.error->code == AuthErrorCode::kContentSha256Mismatch);
          break;
        case PayloadMode::kStreamingUnsignedTrailer:
          REQUIRE(d.error);
          CHECK(d.error->code == AuthErrorCode::kBadTrailerChecksum);
          CHECK(d.error->message ==
                "The CRC32 you specified did not match the calculated checksum.");
          break;
        case PayloadMode::kUnsigned:
          CHECK_FALSE(d.error);  // nothing to check against (the server checks header checksums)
          break;
        default:
          FAIL("unexpected mode in captures");
      }
    }
  }
}

TEST_CASE("captures: SigV4 header auth needs the right date and principal", "[captures]") {
  PrincipalStore store;
  Capture c = Load("boto3new-put-01.txt");
  SystemTime t = RequestTime(c.head);
  VerifyOptions s3;
  s3.s3 = true;

  SECTION("skew within 15 minutes is accepted, beyond is RequestTimeTooSkewed") {
    FakeClock ok(t + std::chrono::minutes(15));
    CHECK(std::holds_alternative<VerifiedRequest>(Verify(c.head, store, ok, s3)));
    FakeClock late(t + std::chrono::minutes(15) + std::chrono::seconds(1));
    VerifyOutcome out = Verify(c.head, store, late, s3);
    REQUIRE(std::holds_alternative<AuthError>(out));
    const AuthError& err = std::get<AuthError>(out);
    CHECK(err.code == AuthErrorCode::kRequestTimeTooSkewed);
    CHECK(err.message ==
          "The difference between the request time and the current time is too large.");
    REQUIRE(err.details.size() == 3);
    CHECK(err.details[0] ==
          std::make_pair(std::string("RequestTime"), *c.head.FindHeader("X-Amz-Date")));
    CHECK(err.details[1].first == "ServerTime");
    CHECK(err.details[2] ==
          std::make_pair(std::string("MaxAllowedSkewMilliseconds"), std::string("900000")));
    FakeClock early(t - std::chrono::minutes(16));
    CHECK(CodeOf(Verify(c.head, store, early, s3)) == AuthErrorCode::kRequestTimeTooSkewed);
  }
  SECTION("after a clock move, the wall clock's window and the server clock's both count") {
    // The server clock moved 8 days ahead; the request was signed with the wall clock (any
    // unmodified client), or with the server's (a signer that follows it).
    class Moved : public Clock {
     public:
      Moved(SystemTime real, std::chrono::hours by) : real_(real), by_(by) {}
      SystemTime Now() const override { return real_ + by_; }
      SystemTime RealNow() const override { return real_; }

     private:
      SystemTime real_;
      std::chrono::hours by_;
    };
    const auto eight_days = std::chrono::hours(24 * 8);
    Moved wall_clock_signed(t + std::chrono::minutes(14), eight_days);
    CHECK(std::holds_alternative<VerifiedRequest>(Verify(c.head, store, wall_clock_signed, s3)));
    Moved server_clock_signed(t - eight_days, eight_days);
    CHECK(std::holds_alternative<VerifiedRequest>(Verify(c.head, store, server_clock_signed, s3)));
    Moved neither(t + std::chrono::minutes(16), eight_days);
    VerifyOutcome out = Verify(c.head, store, neither, s3);
    CHECK(CodeOf(out) == AuthErrorCode::kRequestTimeTooSkewed);
    // The error quotes the wall clock, the one a client can set right.
    CHECK(std::get<AuthError>(out).details[1].second ==
          FormatIso8601(t + std::chrono::minutes(16), false));
  }
  SECTION("unknown access key") {
    PrincipalStore empty;
    REQUIRE(empty.Remove("test").ok());
    FakeClock clock(t);
    VerifyOutcome out = Verify(c.head, empty, clock, s3);
    CHECK(CodeOf(out) == AuthErrorCode::kUnknownAccessKey);
    CHECK(std::get<AuthError>(out).details.at(0).second == "test");
  }
  SECTION("wrong secret") {
    PrincipalStore other;
    Principal p;
    p.access_key_id = "test";
    p.secret_access_key = crypto::SecretBytes(std::string_view("not-test"));
    p.arn = "arn:aws:iam::000000000000:root";
    REQUIRE(other.Put(p).ok());
    FakeClock clock(t);
    CHECK(CodeOf(Verify(c.head, other, clock, s3)) == AuthErrorCode::kSignatureMismatch);
  }
  SECTION("missing x-amz-content-sha256") {
    auto& h = c.head.headers;
    h.erase(
        std::remove_if(h.begin(), h.end(),
                       [](auto& kv) { return EqualsIgnoreCase(kv.first, "x-amz-content-sha256"); }),
        h.end());
    FakeClock clock(t);
    CHECK(CodeOf(Verify(c.head, store, clock, s3)) == AuthErrorCode::kMissingContentSha256);
  }
}

TEST_CASE("captures: JSON services use a 5 minute window with AWS's wording", "[captures]") {
  PrincipalStore store;
  Capture c = Load("awscliv2-kms-encrypt-01.txt");  // X-Amz-Date: 20261128T013403Z
  SystemTime t = RequestTime(c.head);
  VerifyOptions kms;
  kms.body_sha256_hex = crypto::Hex(crypto::Sha256(c.body));

  FakeClock late(t + std::chrono::minutes(10));
  VerifyOutcome out = Verify(c.head, store, late, kms);
  REQUIRE(std::holds_alternative<AuthError>(out));
  CHECK(std::get<AuthError>(out).code == AuthErrorCode::kRequestTimeTooSkewed);
  CHECK(std::get<AuthError>(out).message ==
        "Signature expired: 20261128T013403Z is now earlier than 20261128T013903Z "
        "(20261128T014403Z - 5 min.)");

  FakeClock early(t - std::chrono::minutes(10));
  out = Verify(c.head, store, early, kms);
  REQUIRE(std::holds_alternative<AuthError>(out));
  CHECK(std::get<AuthError>(out).message ==
        "Signature not yet current: 20261128T013403Z is still later than 20261128T012903Z "
        "(20261128T012403Z + 5 min.)");

  FakeClock ok(t + std::chrono::minutes(5));
  CHECK(std::holds_alternative<VerifiedRequest>(Verify(c.head, store, ok, kms)));
}

TEST_CASE("captures: an x-amz-* header outside SignedHeaders is refused on S3", "[captures]") {
  PrincipalStore store;
  Capture c = Load("boto3new-put-01.txt");
  FakeClock clock(RequestTime(c.head));
  VerifyOptions s3;
  s3.s3 = true;
  REQUIRE(std::holds_alternative<VerifiedRequest>(Verify(c.head, store, clock, s3)));
  // Someone on the path adds an encryption header: the signature still matches (the header
  // is not part of it), but S3 refuses the request.
  c.head.headers.emplace_back("x-amz-server-side-encryption", "AES256");
  VerifyOutcome out = Verify(c.head, store, clock, s3);
  REQUIRE(std::holds_alternative<AuthError>(out));
  const AuthError& err = std::get<AuthError>(out);
  CHECK(err.code == AuthErrorCode::kHeadersNotSigned);
  REQUIRE(err.details.size() == 1);
  CHECK(err.details[0].first == "HeadersNotSigned");
  CHECK(err.details[0].second == "x-amz-server-side-encryption");
  // JSON services have no such rule (their clients sign everything anyway).
  s3.s3 = false;
  VerifyOutcome json = Verify(c.head, store, clock, s3);
  const AuthError* json_err = std::get_if<AuthError>(&json);
  CHECK((json_err == nullptr || json_err->code != AuthErrorCode::kHeadersNotSigned));
}
