#include "api/s3/s3_wire.h"

#include "api/s3/object_versions.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_wire_errors.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "crypto/checksum.h"
#include "crypto/digest.h"

namespace sealstack::api::s3 {

namespace {

// The Checksums member that carries each algorithm S3 computes: one table for SetChecksum and
// ChecksumsByAlgorithm.
constexpr std::pair<crypto::ChecksumAlgorithm, std::string Checksums::*> kChecksumMembers[] = {
    {crypto::ChecksumAlgorithm::kCrc32, &Checksums::crc32},
    {crypto::ChecksumAlgorithm::kCrc32c, &Checksums::crc32c},
    {crypto::ChecksumAlgorithm::kCrc64Nvme, &Checksums::crc64nvme},
    {crypto::ChecksumAlgorithm::kSha1, &Checksums::sha1},
    {crypto::ChecksumAlgorithm::kSha256, &Checksums::sha256},
};

// Stored headers: what GET/HEAD give back exactly as PUT received them.
constexpr const char* kStoredHeaders[] = {"Content-Type",     "Content-Encoding",
                                          "Cache-Control",    "Content-Disposition",
                                          "Content-Language", "Expires"};

Status InvalidCopySource() {
  return S3Error(ErrorKind::kInvalidArgument, "Invalid copy source object key",
                 {{"ArgumentName", "x-amz-copy-source"}});
}

// %XX decoding ('+' stays '+': this is a path, not a form).
bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  auto hex = [](char ch) -> int {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      *out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    *out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

}  // namespace

const std::string* FindHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return &v;
  }
  return nullptr;
}

const std::string* QueryParam(const S3Request& r, std::string_view name) {
  for (const auto& [k, v] : r.query) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::optional<std::string> OptionalHeader(const S3Request& r, std::string_view name) {
  const std::string* v = Header(r, name);
  return v != nullptr ? std::optional<std::string>(*v) : std::nullopt;
}

void CaptureContentHeaders(const HeaderList& headers, HeaderList* content_headers,
                           HeaderList* user_metadata) {
  for (const char* h : kStoredHeaders) {
    const std::string* v = FindHeader(headers, h);
    if (v == nullptr) continue;
    std::string value = *v;
    if (EqualsIgnoreCase(h, "Content-Encoding")) {
      std::string kept;
      for (auto part : Split(value, ',')) {
        auto t = Trim(part);
        if (!t.empty() && !EqualsIgnoreCase(t, "aws-chunked")) {
          if (!kept.empty()) kept += ",";
          kept += t;
        }
      }
      if (kept.empty()) continue;
      value = kept;
    }
    content_headers->emplace_back(h, value);
  }
  for (const auto& [name, value] : headers) {
    std::string lower = ToLower(name);
    if (StartsWith(lower, "x-amz-meta-")) user_metadata->emplace_back(lower, value);
  }
}

IntegrityHeaders IntegrityHeadersOf(const S3Request& r) {
  IntegrityHeaders h;
  h.content_md5 = OptionalHeader(r, "Content-MD5");
  for (const auto& [name, value] : *r.headers) {
    if (crypto::ChecksumAlgorithmFromHeader(name)) h.checksums.emplace_back(name, value);
  }
  h.trailer = OptionalHeader(r, "x-amz-trailer");
  return h;
}

Conditions ConditionsOf(const S3Request& r, std::string_view prefix) {
  auto header = [&](std::string_view name) {
    return OptionalHeader(r, std::string(prefix) += name);
  };
  auto date = [&](std::string_view name) -> std::optional<SystemTime> {
    auto v = header(name);
    return v ? ParseHttpDate(*v) : std::nullopt;
  };
  Conditions c;
  c.if_match = header("If-Match");
  c.if_none_match = header("If-None-Match");
  c.if_modified_since = date("If-Modified-Since");
  c.if_unmodified_since = date("If-Unmodified-Since");
  return c;
}

Result<CopySource> ParseCopySource(const S3Request& r) {
  const std::string* header = Header(r, "x-amz-copy-source");
  if (header == nullptr) return InvalidCopySource();
  std::string_view v = Trim(*header);
  std::optional<std::string> version_id;
  if (size_t q = v.find('?'); q != std::string_view::npos) {
    std::string_view query = v.substr(q + 1);
    v = v.substr(0, q);
    if (StartsWith(query, "versionId=")) {
      std::string id;
      if (!PercentDecode(query.substr(10), &id)) id = std::string(query.substr(10));
      SEALSTACK_RETURN_IF_ERROR(CheckVersionId(id, "x-amz-copy-source"));
      version_id = std::move(id);
    }
  }
  if (StartsWith(v, "/")) v.remove_prefix(1);
  std::string decoded;
  if (!PercentDecode(v, &decoded)) return InvalidCopySource();
  size_t slash = decoded.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == decoded.size()) {
    return InvalidCopySource();
  }
  return CopySource{decoded.substr(0, slash), decoded.substr(slash + 1), std::move(version_id)};
}

void AddSseHeaders(ApiResponse* r, const ProtectedDataKey& p) {
  if (p.mode == SseMode::kSseC) {
    r->SetHeader("x-amz-server-side-encryption-customer-algorithm", "AES256");
    r->SetHeader("x-amz-server-side-encryption-customer-key-MD5", p.customer_key_md5);
    return;
  }
  r->SetHeader("x-amz-server-side-encryption", std::string(SseHeaderValue(p.mode)));
  if (p.mode == SseMode::kSseKms || p.mode == SseMode::kDsseKms) {
    r->SetHeader("x-amz-server-side-encryption-aws-kms-key-id", p.kms_key_arn);
  }
  if (p.bucket_key) r->SetHeader("x-amz-server-side-encryption-bucket-key-enabled", "true");
}

void AddWriteSseHeaders(ApiResponse* resp, const WrittenProtection& protection) {
  AddSseHeaders(resp, protection.sse);
  if (!protection.user_context_b64.empty()) {
    resp->SetHeader("x-amz-server-side-encryption-context", protection.user_context_b64);
  }
}

void AddChecksumHeaders(ApiResponse* resp, const ReportedChecksum& checksum) {
  resp->SetHeader(crypto::ChecksumHeaderName(checksum.algorithm), checksum.value);
  resp->SetHeader("x-amz-checksum-type", checksum.type);
}

void SetChecksum(Checksums* out, crypto::ChecksumAlgorithm alg, const std::string& value) {
  for (const auto& [a, member] : kChecksumMembers) {
    if (a == alg) out->*member = value;
  }
}

std::vector<std::pair<crypto::ChecksumAlgorithm, std::string>> ChecksumsByAlgorithm(
    const Checksums& c) {
  std::vector<std::pair<crypto::ChecksumAlgorithm, std::string>> out;
  for (const auto& [alg, member] : kChecksumMembers) {
    if (!(c.*member).empty()) out.emplace_back(alg, c.*member);
  }
  return out;
}

ApiResponse S3ErrorResponse(const Status& st, const S3Request& r, const RequestIds& ids) {
  WireError w = S3StatusToWire(st);
  // Details meant as headers (a delete marker met by a read) leave the XML body.
  HeaderList headers;
  std::erase_if(w.details, [&](const auto& d) {
    auto name = IsS3ErrorHeader(d.first);
    if (name) headers.emplace_back(std::string(*name), d.second);
    return name.has_value();
  });
  ApiResponse resp = RenderError(Protocol::kS3, w, ids, r.resource, r.method == "HEAD");
  for (auto& [name, value] : headers) resp.SetHeader(name, value);
  return resp;
}

ApiResponse EmptyResponse(int status, const RequestIds& ids) {
  ApiResponse resp;
  resp.status = status;
  AddRequestIdHeaders(Protocol::kS3, ids, &resp);
  return resp;
}

ApiResponse XmlResponse(int status, std::string body, const RequestIds& ids) {
  ApiResponse resp;
  resp.status = status;
  resp.body = std::move(body);
  resp.SetHeader("Content-Type", "application/xml");
  AddRequestIdHeaders(Protocol::kS3, ids, &resp);
  return resp;
}

Status CheckBodyIntegrity(const S3Request& r) {
  bool has_integrity = false;
  if (const std::string* md5 = Header(r, "Content-MD5")) {
    has_integrity = true;
    auto raw = crypto::FromBase64(*md5);
    if (!raw || raw->size() != 16) {
      return S3Error(ErrorKind::kInvalidDigest, "The Content-MD5 you specified was invalid.",
                     {{"Content-MD5", *md5}});
    }
    if (const std::string got = crypto::Md5(r.body); *raw != got) {
      return ContentMd5Mismatch(*raw, got);
    }
  }
  for (const auto& [name, value] : *r.headers) {
    auto alg = crypto::ChecksumAlgorithmFromHeader(name);
    if (!alg) continue;
    has_integrity = true;
    crypto::Checksum sum(*alg);
    sum.Update(r.body);
    if (sum.DigestBase64() != value) {
      return S3Error(ErrorKind::kBadDigest,
                     "The " + std::string(crypto::ChecksumAlgorithmName(*alg)) +
                         " you specified did not match the calculated checksum.");
    }
  }
  if (!has_integrity && Header(r, "x-amz-trailer") == nullptr) {
    return S3Error(ErrorKind::kInvalidRequest,
                   "Missing required header for this request: Content-MD5 OR x-amz-checksum-*");
  }
  return Status::Ok();
}

Result<AclRequest> AclRequestOf(const S3Request& r) {
  static constexpr std::pair<std::string_view, std::string_view> kGrantHeaders[] = {
      {"x-amz-grant-full-control", "FULL_CONTROL"},
      {"x-amz-grant-read", "READ"},
      {"x-amz-grant-read-acp", "READ_ACP"},
      {"x-amz-grant-write", "WRITE"},
      {"x-amz-grant-write-acp", "WRITE_ACP"}};
  AclRequest acl;
  if (const std::string* canned = Header(r, "x-amz-acl")) acl.canned = std::string(Trim(*canned));
  for (const auto& [header, permission] : kGrantHeaders) {
    const std::string* value = Header(r, header);
    if (value == nullptr) continue;
    SEALSTACK_ASSIGN_OR_RETURN(std::vector<AclGrant> grants, ParseGrantHeader(permission, *value));
    if (!acl.grants) acl.grants.emplace();
    acl.grants->insert(acl.grants->end(), grants.begin(), grants.end());
  }
  if (acl.canned && acl.grants) {
    return S3Error(ErrorKind::kInvalidRequest,
                   "Specifying both Canned ACLs and Header Grants is not allowed");
  }
  return acl;
}

Result<std::string> ReadSmallBody(const PayloadReader& payload, size_t limit) {
  std::string body;
  SEALSTACK_RETURN_IF_ERROR(payload([&](std::string_view piece) -> Status {
    if (body.size() + piece.size() > limit) {
      return S3Error(ErrorKind::kMaxMessageLengthExceeded, "Your request was too big.",
                     {{"MaxMessageLengthBytes", std::to_string(limit)}});
    }
    body.append(piece);
    return Status::Ok();
  }));
  return body;
}

}  // namespace sealstack::api::s3
