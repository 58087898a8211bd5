#include "api/s3/object_ops.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>

#include "api/s3/s3_errors.h"
#include "api/s3/s3_wire_errors.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "crypto/checksum.h"
#include "crypto/digest.h"

namespace sealstack::api::s3 {

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

const std::string* Header(const S3Request& r, std::string_view name) {
  for (const auto& [k, v] : *r.headers) {
    if (EqualsIgnoreCase(k, name)) return &v;
  }
  return nullptr;
}

// Stored headers: what GET/HEAD give back exactly as PUT received them.
constexpr const char* kStoredHeaders[] = {"Content-Type",     "Content-Encoding",
                                          "Cache-Control",    "Content-Disposition",
                                          "Content-Language", "Expires"};

std::string B64(std::string_view s) {
  return crypto::Base64(s);
}

// ---- the object document (JSON): content headers, user metadata, SSE, checksum

struct ObjectDoc {
  std::vector<std::pair<std::string, std::string>> content_headers;
  std::vector<std::pair<std::string, std::string>> user_metadata;  // x-amz-meta-* as sent
  ProtectedDataKey sse;
  std::string user_context_b64;    // the context header as sent (echoed on PUT)
  std::string checksum_algorithm;  // "CRC64NVME", ...
  std::string checksum_value;      // base64
};

std::string EncodeDoc(const ObjectDoc& d) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto str = [&](const char* k, std::string_view v) {
    w.Key(k);
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  auto pairs = [&](const char* k, const std::vector<std::pair<std::string, std::string>>& v) {
    w.Key(k);
    w.StartArray();
    for (const auto& [a, b] : v) {
      w.StartArray();
      w.String(a.c_str(), static_cast<rapidjson::SizeType>(a.size()));
      w.String(b.c_str(), static_cast<rapidjson::SizeType>(b.size()));
      w.EndArray();
    }
    w.EndArray();
  };
  w.StartObject();
  pairs("headers", d.content_headers);
  pairs("meta", d.user_metadata);
  w.Key("sse");
  w.StartObject();
  str("mode", std::string(SseHeaderValue(d.sse.mode)).empty()
                  ? "SSE-C"
                  : std::string(SseHeaderValue(d.sse.mode)));
  str("kms_key_arn", d.sse.kms_key_arn);
  str("kms_material_id", d.sse.kms_material_id);
  str("kms_blob", B64(d.sse.kms_blob));
  w.Key("context");
  w.StartObject();
  for (const auto& [k, v] : d.sse.encryption_context) {
    w.Key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  }
  w.EndObject();
  w.Key("bucket_key");
  w.Bool(d.sse.bucket_key);
  str("c_salt", B64(d.sse.customer_key_salt));
  str("c_hmac", B64(d.sse.customer_key_hmac));
  str("c_md5", d.sse.customer_key_md5);
  w.EndObject();
  str("user_context", d.user_context_b64);
  str("checksum_algorithm", d.checksum_algorithm);
  str("checksum_value", d.checksum_value);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<ObjectDoc> DecodeDoc(const std::string& text, const std::string& wrapped_key) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  if (d.HasParseError() || !d.IsObject()) return Status::IoError("corrupt object metadata");
  ObjectDoc out;
  auto s = [](const rapidjson::Value& v, const char* k) -> std::string {
    auto it = v.FindMember(k);
    return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
  };
  auto pairs = [&](const char* k, std::vector<std::pair<std::string, std::string>>* out_pairs) {
    auto it = d.FindMember(k);
    if (it == d.MemberEnd() || !it->value.IsArray()) return;
    for (const auto& p : it->value.GetArray()) {
      if (p.IsArray() && p.Size() == 2) out_pairs->emplace_back(p[0].GetString(), p[1].GetString());
    }
  };
  pairs("headers", &out.content_headers);
  pairs("meta", &out.user_metadata);
  auto sse = d.FindMember("sse");
  if (sse == d.MemberEnd() || !sse->value.IsObject()) return Status::IoError("corrupt SSE record");
  const auto& v = sse->value;
  const std::string mode = s(v, "mode");
  out.sse.mode = mode == "aws:kms"        ? SseMode::kSseKms
                 : mode == "aws:kms:dsse" ? SseMode::kDsseKms
                 : mode == "SSE-C"        ? SseMode::kSseC
                                          : SseMode::kSseS3;
  out.sse.wrapped_key = wrapped_key;
  out.sse.kms_key_arn = s(v, "kms_key_arn");
  out.sse.kms_material_id = s(v, "kms_material_id");
  out.sse.kms_blob = crypto::FromBase64(s(v, "kms_blob")).value_or("");
  if (auto c = v.FindMember("context"); c != v.MemberEnd() && c->value.IsObject()) {
    for (const auto& m : c->value.GetObject()) {
      out.sse.encryption_context[m.name.GetString()] = m.value.GetString();
    }
  }
  if (auto b = v.FindMember("bucket_key"); b != v.MemberEnd() && b->value.IsBool()) {
    out.sse.bucket_key = b->value.GetBool();
  }
  out.sse.customer_key_salt = crypto::FromBase64(s(v, "c_salt")).value_or("");
  out.sse.customer_key_hmac = crypto::FromBase64(s(v, "c_hmac")).value_or("");
  out.sse.customer_key_md5 = s(v, "c_md5");
  out.user_context_b64 = s(d, "user_context");
  out.checksum_algorithm = s(d, "checksum_algorithm");
  out.checksum_value = s(d, "checksum_value");
  return out;
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

std::string Quoted(std::string_view etag) {
  std::string q;
  q.reserve(etag.size() + 2);
  q += '"';
  q += etag;
  q += '"';
  return q;
}

kms::Caller KmsCaller(const S3Caller& c) {
  kms::Caller k;
  k.principal = c.principal;
  k.region = c.region;
  k.source_ip = c.source_ip;
  k.secure_transport = c.secure_transport;
  return k;
}

std::string ObjectArn(const S3Request& r) {
  return "arn:aws:s3:::" + r.bucket + "/" + r.key;
}

// ---- PutObject

Result<ApiResponse> Put(const ObjectServices& s, const S3Caller& c, const S3Request& r,
                        const PayloadReader& payload, const RequestIds& ids) {
  SEALSTACK_ASSIGN_OR_RETURN(Bucket bucket, s.buckets->GetBucket(c, r.bucket));
  if (r.key.size() > 1024) {
    return S3Error(ErrorKind::kKeyTooLong, "Your key is too long",
                   {{"Size", std::to_string(r.key.size())}});
  }
  WritePolicy policy;
  policy.secure_transport = c.secure_transport;
  policy.require_tls_for_sse_c = s.require_tls_for_sse_c;
  policy.principal_arn = c.principal->arn;
  policy.object_arn = ObjectArn(r);
  SseHeaders sse_headers = ExtractSseHeaders(*r.headers);
  SEALSTACK_ASSIGN_OR_RETURN(
      WriteEncryption enc,
      ResolveWriteEncryption(sse_headers, BucketService::DefaultOf(bucket), policy));

  // Integrity headers: Content-MD5 and at most one x-amz-checksum-* (else CRC64NVME by default).
  std::optional<std::string> content_md5;
  if (const std::string* md5 = Header(r, "Content-MD5")) {
    auto raw = crypto::FromBase64(*md5);
    if (!raw || raw->size() != 16) {
      return S3Error(ErrorKind::kInvalidDigest, "The Content-MD5 you specified was invalid.",
                     {{"Content-MD5", *md5}});
    }
    content_md5 = *raw;
  }
  std::optional<crypto::ChecksumAlgorithm> checksum_alg;
  std::string checksum_expected;
  for (const auto& [name, value] : *r.headers) {
    auto alg = crypto::ChecksumAlgorithmFromHeader(name);
    if (!alg) continue;
    if (checksum_alg) {
      return S3Error(ErrorKind::kInvalidRequest,
                     "Expecting a single x-amz-checksum- header. Multiple checksum Types are not "
                     "allowed.");
    }
    auto raw = crypto::FromBase64(value);
    if (!raw || raw->size() != crypto::ChecksumDigestSize(*alg)) {
      return S3Error(ErrorKind::kInvalidRequest,
                     "Value for " + ToLower(name) + " header is invalid.");
    }
    checksum_alg = alg;
    checksum_expected = value;
  }
  const bool default_checksum = !checksum_alg;
  if (const std::string* trailer = Header(r, "x-amz-trailer")) {
    if (auto alg = crypto::ChecksumAlgorithmFromHeader(Trim(*trailer))) {
      checksum_alg = alg;  // verified by the payload decoder; computed again for storage
    }
  }
  if (!checksum_alg) checksum_alg = crypto::ChecksumAlgorithm::kCrc64Nvme;

  SEALSTACK_ASSIGN_OR_RETURN(
      DataKey dk, s.keys->NewDataKey(KmsCaller(c), enc, bucket.account, r.bucket, r.key));
  WriteOptions options;
  options.checksum = checksum_alg;
  SEALSTACK_ASSIGN_OR_RETURN(auto writer,
                             s.store->NewObjectWriter(r.bucket, r.key, dk.plaintext, options));
  SEALSTACK_RETURN_IF_ERROR(payload([&](std::string_view piece) { return writer->Append(piece); }));
  SEALSTACK_ASSIGN_OR_RETURN(BodySummary body, writer->Finish());
  if (content_md5 && *content_md5 != body.md5) {
    return S3Error(ErrorKind::kBadDigest,
                   "The Content-MD5 you specified did not match what we received.");
  }
  if (!checksum_expected.empty() && body.checksum && *body.checksum != checksum_expected) {
    return S3Error(ErrorKind::kBadDigest,
                   "The " + std::string(crypto::ChecksumAlgorithmName(*checksum_alg)) +
                       " you specified did not match the calculated checksum.");
  }

  ObjectDoc doc;
  for (const char* h : kStoredHeaders) {
    if (const std::string* v = Header(r, h)) {
      std::string value = *v;
      if (EqualsIgnoreCase(h, "Content-Encoding")) {
        // aws-chunked is transport framing, not the object's encoding.
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
      doc.content_headers.emplace_back(h, value);
    }
  }
  for (const auto& [name, value] : *r.headers) {
    if (StartsWith(ToLower(name), "x-amz-meta-"))
      doc.user_metadata.emplace_back(ToLower(name), value);
  }
  doc.sse = dk.protection;
  doc.user_context_b64 = sse_headers.context.value_or("");
  doc.checksum_algorithm = std::string(crypto::ChecksumAlgorithmName(*checksum_alg));
  doc.checksum_value = body.checksum.value_or("");
  ObjectMetadata meta;
  meta.wrapped_key = dk.protection.wrapped_key;
  meta.doc = EncodeDoc(doc);
  // ETags: the plaintext MD5 for SSE-S3; for KMS and SSE-C modes, as on AWS, a value that is
  // not the MD5 (it would tell the plaintext's hash to anyone who can list).
  if (enc.mode != SseMode::kSseS3) {
    auto random_etag = crypto::Hex(crypto::Md5(body.md5 + dk.protection.wrapped_key));
    meta.etag = random_etag;
  }
  SEALSTACK_ASSIGN_OR_RETURN(ObjectInfo info, writer->Commit(meta));

  ApiResponse resp;
  resp.status = 200;
  resp.SetHeader("ETag", Quoted(info.etag));
  AddSseHeaders(&resp, dk.protection);
  if (!doc.user_context_b64.empty()) {
    resp.SetHeader("x-amz-server-side-encryption-context", doc.user_context_b64);
  }
  if (!default_checksum || Header(r, "x-amz-trailer") != nullptr) {
    resp.SetHeader(crypto::ChecksumHeaderName(*checksum_alg), doc.checksum_value);
    resp.SetHeader("x-amz-checksum-type", "FULL_OBJECT");
  }
  AddRequestIdHeaders(Protocol::kS3, ids, &resp);
  return resp;
}

// ---- GetObject / HeadObject

// "bytes=a-b" | "bytes=a-" | "bytes=-n". nullopt = no (usable) Range; S3 ignores multi-ranges.
Result<std::optional<ByteRange>> ParseRange(const std::string* header, uint64_t size) {
  if (header == nullptr) return std::optional<ByteRange>();
  std::string_view h = Trim(*header);
  if (!StartsWith(h, "bytes=") || h.find(',') != std::string_view::npos) {
    return std::optional<ByteRange>();
  }
  h.remove_prefix(6);
  size_t dash = h.find('-');
  if (dash == std::string_view::npos) return std::optional<ByteRange>();
  auto num = [](std::string_view s, uint64_t* out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
  };
  std::string_view a = h.substr(0, dash), b = h.substr(dash + 1);
  uint64_t first = 0, last = 0;
  auto unsatisfiable = [&]() -> Status {
    return S3Error(ErrorKind::kInvalidRange, "The requested range is not satisfiable",
                   {{"RangeRequested", *header}, {"ActualObjectSize", std::to_string(size)}});
  };
  if (a.empty()) {  // suffix: the last n bytes
    uint64_t n = 0;
    if (!num(b, &n)) return std::optional<ByteRange>();
    if (n == 0 || size == 0) return unsatisfiable();
    first = n >= size ? 0 : size - n;
    last = size - 1;
  } else {
    if (!num(a, &first)) return std::optional<ByteRange>();
    if (b.empty()) {
      last = size == 0 ? 0 : size - 1;
    } else if (!num(b, &last) || last < first) {
      return std::optional<ByteRange>();
    }
    if (first >= size) return unsatisfiable();
    last = std::min(last, size - 1);
  }
  return std::optional<ByteRange>(ByteRange{first, last});
}

Result<ApiResponse> Get(const ObjectServices& s, const S3Caller& c, const S3Request& r, bool head,
                        const RequestIds& ids) {
  SEALSTACK_ASSIGN_OR_RETURN(Bucket bucket, s.buckets->GetBucket(c, r.bucket));
  auto info = s.store->Head(r.bucket, r.key);
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kNotFound) {
      return S3Error(ErrorKind::kNoSuchKey, "The specified key does not exist.", {{"Key", r.key}});
    }
    return info.status();
  }
  SseHeaders sse_headers = ExtractSseHeaders(*r.headers);
  SEALSTACK_RETURN_IF_ERROR(CheckReadHeaders(sse_headers));
  SEALSTACK_ASSIGN_OR_RETURN(std::optional<CustomerKey> customer, ParseCustomerKey(sse_headers));
  SEALSTACK_ASSIGN_OR_RETURN(ObjectDoc doc, DecodeDoc(info->doc, info->wrapped_key));
  if (customer && doc.sse.mode != SseMode::kSseC) {
    return S3Error(ErrorKind::kInvalidRequest,
                   "The encryption parameters are not applicable to this object.");
  }
  // GET opens the data key (KMS Decrypt as the caller); HEAD needs no key material, except to
  // prove an SSE-C key.
  std::optional<crypto::SecretBytes> data_key;
  if (!head || doc.sse.mode == SseMode::kSseC) {
    SEALSTACK_ASSIGN_OR_RETURN(
        auto k, s.keys->OpenDataKey(KmsCaller(c), bucket.account, doc.sse, customer));
    data_key = std::move(k);
  }
  // Conditional requests.
  const std::string etag = Quoted(info->etag);
  if (const std::string* m = Header(r, "If-Match");
      m != nullptr && Trim(*m) != etag && Trim(*m) != "*") {
    return S3Error(ErrorKind::kPreconditionFailed,
                   "At least one of the pre-conditions you specified did not hold",
                   {{"Condition", "If-Match"}});
  }
  if (const std::string* m = Header(r, "If-None-Match");
      m != nullptr && (Trim(*m) == etag || Trim(*m) == "*")) {
    ApiResponse nm;
    nm.status = 304;
    nm.SetHeader("ETag", etag);
    AddRequestIdHeaders(Protocol::kS3, ids, &nm);
    return nm;
  }
  SEALSTACK_ASSIGN_OR_RETURN(std::optional<ByteRange> range,
                             ParseRange(Header(r, "Range"), info->size));
  ApiResponse resp;
  resp.status = range ? 206 : 200;
  resp.SetHeader("ETag", etag);
  resp.SetHeader("Last-Modified", FormatHttpDate(info->created_at));
  resp.SetHeader("Accept-Ranges", "bytes");
  std::string content_type = "binary/octet-stream";
  for (const auto& [k, v] : doc.content_headers) {
    if (EqualsIgnoreCase(k, "Content-Type")) {
      content_type = v;
    } else {
      resp.SetHeader(k, v);
    }
  }
  // response-* overrides (GET only on AWS; harmless on HEAD).
  static const std::pair<const char*, const char*> kOverrides[] = {
      {"response-content-type", "Content-Type"},
      {"response-content-disposition", "Content-Disposition"},
      {"response-content-encoding", "Content-Encoding"},
      {"response-content-language", "Content-Language"},
      {"response-cache-control", "Cache-Control"},
      {"response-expires", "Expires"}};
  for (const auto& [param, header] : kOverrides) {
    for (const auto& [k, v] : r.query) {
      if (k == param) {
        if (EqualsIgnoreCase(header, "Content-Type")) {
          content_type = v;
        } else {
          resp.headers.erase(
              std::remove_if(resp.headers.begin(), resp.headers.end(),
                             [&](const auto& h) { return EqualsIgnoreCase(h.first, header); }),
              resp.headers.end());
          resp.SetHeader(header, v);
        }
      }
    }
  }
  resp.SetHeader("Content-Type", content_type);
  for (const auto& [k, v] : doc.user_metadata) resp.SetHeader(k, v);
  AddSseHeaders(&resp, doc.sse);
  const std::string* mode = Header(r, "x-amz-checksum-mode");
  if (!range && mode != nullptr && EqualsIgnoreCase(*mode, "ENABLED") &&
      !doc.checksum_value.empty()) {
    auto alg = crypto::ChecksumAlgorithmFromName(doc.checksum_algorithm);
    if (alg) {
      resp.SetHeader(crypto::ChecksumHeaderName(*alg), doc.checksum_value);
      resp.SetHeader("x-amz-checksum-type", "FULL_OBJECT");
    }
  }
  const uint64_t length = range ? range->last - range->first + 1 : info->size;
  if (range) {
    resp.SetHeader("Content-Range", "bytes " + std::to_string(range->first) + "-" +
                                        std::to_string(range->last) + "/" +
                                        std::to_string(info->size));
  }
  AddRequestIdHeaders(Protocol::kS3, ids, &resp);
  resp.stream_length = length;
  if (head || length == 0) {
    resp.stream = [](const BodyWriter&) { return true; };
    return resp;
  }
  ObjectStore* store = s.store;
  auto object = std::make_shared<ObjectInfo>(std::move(*info));
  auto key = std::make_shared<crypto::SecretBytes>(std::move(*data_key));
  resp.stream = [store, object, key, range](const BodyWriter& write) {
    Status st = store->Read(*object, *key, range, [&](std::string_view plain) {
      return write(plain) ? Status::Ok() : Status::Unavailable("client went away");
    });
    // A failure after the status line has gone out can only end the connection.
    return st.ok();
  };
  return resp;
}

Result<ApiResponse> Delete(const ObjectServices& s, const S3Caller& c, const S3Request& r,
                           const RequestIds& ids) {
  SEALSTACK_RETURN_IF_ERROR(s.buckets->GetBucket(c, r.bucket).status());
  SEALSTACK_RETURN_IF_ERROR(s.store->Delete(r.bucket, r.key).status());
  ApiResponse resp;
  resp.status = 204;
  AddRequestIdHeaders(Protocol::kS3, ids, &resp);
  return resp;
}

}  // namespace

Result<std::string> DescribeObjectProtection(ObjectStore& store, const std::string& bucket,
                                             const std::string& key) {
  SEALSTACK_ASSIGN_OR_RETURN(ObjectInfo info, store.Head(bucket, key));
  SEALSTACK_ASSIGN_OR_RETURN(ObjectDoc doc, DecodeDoc(info.doc, info.wrapped_key));
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto str = [&](const char* k, std::string_view v) {
    w.Key(k);
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  const bool kms = doc.sse.mode == SseMode::kSseKms || doc.sse.mode == SseMode::kDsseKms;
  w.StartObject();
  str("bucket", bucket);
  str("key", key);
  str("mode", doc.sse.mode == SseMode::kSseC     ? "SSE-C"
              : doc.sse.mode == SseMode::kSseS3  ? "SSE-S3"
              : doc.sse.mode == SseMode::kSseKms ? "SSE-KMS"
                                                 : "DSSE-KMS");
  str("algorithm", "AES-256-GCM");
  if (kms) {
    str("kms_key_arn", doc.sse.kms_key_arn);
    str("key_material_id", doc.sse.kms_material_id);
    w.Key("encryption_context");
    w.StartObject();
    for (const auto& [k, v] : doc.sse.encryption_context) {
      w.Key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
      w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
    }
    w.EndObject();
    w.Key("bucket_key");
    w.Bool(doc.sse.bucket_key);
  }
  if (doc.sse.mode == SseMode::kSseC) str("customer_key_md5", doc.sse.customer_key_md5);
  w.Key("size");
  w.Uint64(info.size);
  str("etag", info.etag);
  w.Key("segment_size");
  w.Uint(info.segment_size);
  uint64_t segments = 0;
  for (const auto& e : info.extents) {
    segments += info.segment_size == 0
                    ? 1
                    : std::max<uint64_t>(1, (e.size + info.segment_size - 1) / info.segment_size);
  }
  w.Key("segment_count");
  w.Uint64(segments);
  str("checksum_algorithm", doc.checksum_algorithm);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

bool IsServedObjectOperation(const S3Request& r) {
  if (r.key.empty()) return false;
  // Sub-resources (multipart, tagging, acl, attributes, ...) come with the S3 issue.
  for (const auto& [k, v] : r.query) {
    const bool auth_param = StartsWith(ToLower(k), "x-amz-") || k == "AWSAccessKeyId" ||
                            k == "Signature" || k == "Expires";  // presigned URLs
    if (!auth_param && !StartsWith(k, "response-") && k != "x-id" && k != "versionId") {
      return false;
    }
  }
  if (r.method == "PUT") return Header(r, "x-amz-copy-source") == nullptr;
  return r.method == "GET" || r.method == "HEAD" || r.method == "DELETE";
}

ApiResponse HandleObject(const ObjectServices& services, const S3Caller& caller,
                         const S3Request& request, const PayloadReader& payload,
                         const RequestIds& ids) {
  Result<ApiResponse> out = Status::Internal("unrouted");
  if (request.method == "PUT") {
    out = Put(services, caller, request, payload, ids);
  } else if (request.method == "GET" || request.method == "HEAD") {
    out = Get(services, caller, request, request.method == "HEAD", ids);
  } else if (request.method == "DELETE") {
    out = Delete(services, caller, request, ids);
  }
  if (out.ok()) return std::move(*out);
  return RenderError(Protocol::kS3, S3StatusToWire(out.status()), ids, request.resource,
                     request.method == "HEAD");
}

}  // namespace sealstack::api::s3
