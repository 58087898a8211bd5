#include "api/s3/object_common.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/kms/kms_errors.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_wire_errors.h"
#include "common/strings.h"
#include "crypto/digest.h"

namespace sealstack::api::s3 {

namespace {

// Stored headers: what GET/HEAD give back exactly as PUT received them.
constexpr const char* kStoredHeaders[] = {"Content-Type",     "Content-Encoding",
                                          "Cache-Control",    "Content-Disposition",
                                          "Content-Language", "Expires"};

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(Writer& w, const char* k, std::string_view v) {
  w.Key(k);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}

void Pairs(Writer& w, const char* k, const HeaderList& v) {
  w.Key(k);
  w.StartArray();
  for (const auto& [a, b] : v) {
    w.StartArray();
    w.String(a.c_str(), static_cast<rapidjson::SizeType>(a.size()));
    w.String(b.c_str(), static_cast<rapidjson::SizeType>(b.size()));
    w.EndArray();
  }
  w.EndArray();
}

std::string ModeName(SseMode mode) {
  std::string name(SseHeaderValue(mode));
  return name.empty() ? "SSE-C" : name;
}

std::string GetString(const rapidjson::Value& v, const char* k) {
  auto it = v.FindMember(k);
  return it != v.MemberEnd() && it->value.IsString()
             ? std::string(it->value.GetString(), it->value.GetStringLength())
             : "";
}

}  // namespace

std::string EncodeObjectDoc(const ObjectDoc& d) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Pairs(w, "headers", d.content_headers);
  Pairs(w, "meta", d.user_metadata);
  w.Key("sse");
  w.StartObject();
  Str(w, "mode", ModeName(d.sse.mode));
  Str(w, "kms_key_arn", d.sse.kms_key_arn);
  Str(w, "kms_material_id", d.sse.kms_material_id);
  Str(w, "kms_blob", crypto::Base64(d.sse.kms_blob));
  w.Key("context");
  w.StartObject();
  for (const auto& [k, v] : d.sse.encryption_context) {
    w.Key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  }
  w.EndObject();
  w.Key("bucket_key");
  w.Bool(d.sse.bucket_key);
  Str(w, "c_salt", crypto::Base64(d.sse.customer_key_salt));
  Str(w, "c_hmac", crypto::Base64(d.sse.customer_key_hmac));
  Str(w, "c_md5", d.sse.customer_key_md5);
  w.EndObject();
  Str(w, "user_context", d.user_context_b64);
  Str(w, "checksum_algorithm", d.checksum_algorithm);
  Str(w, "checksum_value", d.checksum_value);
  if (!d.checksum_type.empty()) Str(w, "checksum_type", d.checksum_type);
  if (!d.part_sizes.empty()) {
    w.Key("part_sizes");
    w.StartArray();
    for (uint64_t size : d.part_sizes) w.Uint64(size);
    w.EndArray();
    w.Key("part_checksums");
    w.StartArray();
    for (const auto& c : d.part_checksums) {
      w.String(c.c_str(), static_cast<rapidjson::SizeType>(c.size()));
    }
    w.EndArray();
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<ObjectDoc> DecodeObjectDoc(const std::string& text, const std::string& wrapped_key) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  if (d.HasParseError() || !d.IsObject()) return Status::IoError("corrupt object metadata");
  ObjectDoc out;
  auto pairs = [&](const char* k, HeaderList* out_pairs) {
    auto it = d.FindMember(k);
    if (it == d.MemberEnd() || !it->value.IsArray()) return;
    for (const auto& p : it->value.GetArray()) {
      if (p.IsArray() && p.Size() == 2 && p[0].IsString() && p[1].IsString()) {
        out_pairs->emplace_back(std::string(p[0].GetString(), p[0].GetStringLength()),
                                std::string(p[1].GetString(), p[1].GetStringLength()));
      }
    }
  };
  pairs("headers", &out.content_headers);
  pairs("meta", &out.user_metadata);
  auto sse = d.FindMember("sse");
  if (sse == d.MemberEnd() || !sse->value.IsObject()) return Status::IoError("corrupt SSE record");
  const auto& v = sse->value;
  const std::string mode = GetString(v, "mode");
  out.sse.mode = mode == "aws:kms"        ? SseMode::kSseKms
                 : mode == "aws:kms:dsse" ? SseMode::kDsseKms
                 : mode == "SSE-C"        ? SseMode::kSseC
                                          : SseMode::kSseS3;
  out.sse.wrapped_key = wrapped_key;
  out.sse.kms_key_arn = GetString(v, "kms_key_arn");
  out.sse.kms_material_id = GetString(v, "kms_material_id");
  out.sse.kms_blob = crypto::FromBase64(GetString(v, "kms_blob")).value_or("");
  if (auto c = v.FindMember("context"); c != v.MemberEnd() && c->value.IsObject()) {
    for (const auto& m : c->value.GetObject()) {
      if (m.value.IsString()) out.sse.encryption_context[m.name.GetString()] = m.value.GetString();
    }
  }
  if (auto b = v.FindMember("bucket_key"); b != v.MemberEnd() && b->value.IsBool()) {
    out.sse.bucket_key = b->value.GetBool();
  }
  out.sse.customer_key_salt = crypto::FromBase64(GetString(v, "c_salt")).value_or("");
  out.sse.customer_key_hmac = crypto::FromBase64(GetString(v, "c_hmac")).value_or("");
  out.sse.customer_key_md5 = GetString(v, "c_md5");
  out.user_context_b64 = GetString(d, "user_context");
  out.checksum_algorithm = GetString(d, "checksum_algorithm");
  out.checksum_value = GetString(d, "checksum_value");
  out.checksum_type = GetString(d, "checksum_type");
  if (auto ps = d.FindMember("part_sizes"); ps != d.MemberEnd() && ps->value.IsArray()) {
    for (const auto& n : ps->value.GetArray()) {
      if (n.IsUint64()) out.part_sizes.push_back(n.GetUint64());
    }
  }
  if (auto pc = d.FindMember("part_checksums"); pc != d.MemberEnd() && pc->value.IsArray()) {
    for (const auto& c : pc->value.GetArray()) {
      if (c.IsString()) out.part_checksums.emplace_back(c.GetString(), c.GetStringLength());
    }
  }
  return out;
}

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

std::string Quoted(std::string_view etag) {
  std::string q;
  q.reserve(etag.size() + 2);
  q += '"';
  q += etag;
  q += '"';
  return q;
}

std::string Unquoted(std::string_view etag) {
  etag = Trim(etag);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
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

void CaptureContentHeaders(const HeaderList& headers, ObjectDoc* doc) {
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
    doc->content_headers.emplace_back(h, value);
  }
  for (const auto& [name, value] : headers) {
    std::string lower = ToLower(name);
    if (StartsWith(lower, "x-amz-meta-")) doc->user_metadata.emplace_back(lower, value);
  }
}

Status CheckUserMetadataSize(const HeaderList& headers) {
  size_t size = 0;
  for (const auto& [name, value] : headers) {
    if (name.size() < 11 ||
        !EqualsIgnoreCase(std::string_view(name).substr(0, 11), "x-amz-meta-")) {
      continue;
    }
    size += name.size() - 11 + value.size();
  }
  if (size > kMaxUserMetadataBytes) {
    return S3Error(ErrorKind::kMetadataTooLarge,
                   "Your metadata headers exceed the maximum allowed metadata size.",
                   {{"Size", std::to_string(size)},
                    {"MaxSizeAllowed", std::to_string(kMaxUserMetadataBytes)}});
  }
  return Status::Ok();
}

kms::Caller KmsCaller(const S3Caller& c) {
  return kms::Caller(static_cast<const api::Caller&>(c));
}

Result<IntegrityRequest> ParseIntegrity(const S3Request& r,
                                        std::optional<crypto::ChecksumAlgorithm> fallback) {
  IntegrityRequest out;
  if (const std::string* md5 = Header(r, "Content-MD5")) {
    auto raw = crypto::FromBase64(*md5);
    if (!raw || raw->size() != 16) {
      return S3Error(ErrorKind::kInvalidDigest, "The Content-MD5 you specified was invalid.",
                     {{"Content-MD5", *md5}});
    }
    out.content_md5 = *raw;
  }
  for (const auto& [name, value] : *r.headers) {
    auto alg = crypto::ChecksumAlgorithmFromHeader(name);
    if (!alg) continue;
    if (out.algorithm) {
      return S3Error(ErrorKind::kInvalidRequest,
                     "Expecting a single x-amz-checksum- header. Multiple checksum Types are not "
                     "allowed.");
    }
    auto raw = crypto::FromBase64(value);
    if (!raw || raw->size() != crypto::ChecksumDigestSize(*alg)) {
      return S3Error(ErrorKind::kInvalidRequest,
                     "Value for " + ToLower(name) + " header is invalid.");
    }
    out.algorithm = alg;
    out.expected = value;
    out.client_asked = true;
  }
  if (const std::string* trailer = Header(r, "x-amz-trailer")) {
    if (auto alg = crypto::ChecksumAlgorithmFromHeader(Trim(*trailer))) {
      // Verified by the payload decoder; computed again here for storage.
      out.algorithm = alg;
      out.client_asked = true;
    }
  }
  if (!out.algorithm) out.algorithm = fallback;
  return out;
}

Status CheckIntegrity(const IntegrityRequest& want, const BodySummary& got) {
  if (want.content_md5 && *want.content_md5 != got.md5) {
    return S3Error(ErrorKind::kBadDigest,
                   "The Content-MD5 you specified did not match what we received.");
  }
  if (!want.expected.empty() && got.checksum && *got.checksum != want.expected) {
    return S3Error(ErrorKind::kBadDigest,
                   "The " + std::string(crypto::ChecksumAlgorithmName(*want.algorithm)) +
                       " you specified did not match the calculated checksum.");
  }
  return Status::Ok();
}

std::vector<std::pair<std::string, std::string>> WriteConditionKeys(const SseHeaders& h,
                                                                    const S3Caller& c) {
  std::vector<std::pair<std::string, std::string>> keys;
  if (h.sse) keys.emplace_back("s3:x-amz-server-side-encryption", *h.sse);
  if (h.kms_key_id) {
    // Policies compare against the key ARN: a bare key id is expanded in the caller's
    // account and region, as S3 does.
    std::string id = *h.kms_key_id;
    if (!StartsWith(id, "arn:") && !StartsWith(id, "alias/")) {
      std::string arn = "arn:aws:kms:";
      arn += c.region;
      arn += ':';
      arn += c.principal->account;
      arn += ":key/";
      arn += id;
      id = std::move(arn);
    }
    keys.emplace_back("s3:x-amz-server-side-encryption-aws-kms-key-id", id);
  }
  if (h.customer_algorithm) {
    keys.emplace_back("s3:x-amz-server-side-encryption-customer-algorithm", *h.customer_algorithm);
  }
  return keys;
}

Status CheckKmsSignature(const S3Caller& c, SseMode mode) {
  if ((mode == SseMode::kSseKms || mode == SseMode::kDsseKms) && c.signature_version == "AWS") {
    return S3Error(ErrorKind::kInvalidArgument,
                   "Requests specifying Server Side Encryption with AWS KMS managed keys require "
                   "AWS Signature Version 4.",
                   {{"ArgumentName", "Authorization"}, {"ArgumentValue", "null"}});
  }
  return Status::Ok();
}

Result<WriteEncryption> ResolveObjectEncryption(const ObjectServices& s, const S3Caller& c,
                                                const Bucket& bucket, const SseHeaders& h,
                                                const std::string& key) {
  WritePolicy policy;
  policy.secure_transport = c.secure_transport;
  policy.require_tls_for_sse_c = s.require_tls_for_sse_c;
  policy.principal_arn = c.principal->arn;
  policy.object_arn = ObjectArn(bucket.name, key);
  BucketDefault fallback = BucketService::DefaultOf(bucket);
  if (const auto& session = c.principal->session_object_encryption) {
    // A Glue run's output: its security configuration decides, unless the script said otherwise.
    fallback.algorithm = session->sse_algorithm;
    fallback.kms_key_id = session->kms_key_id;
    fallback.bucket_key_enabled = false;
  }
  SEALSTACK_ASSIGN_OR_RETURN(WriteEncryption enc, ResolveWriteEncryption(h, fallback, policy));
  SEALSTACK_RETURN_IF_ERROR(CheckKmsSignature(c, enc.mode));
  if (StartsWith(enc.kms_key_id, "arn:")) {
    // S3 calls KMS in the bucket's region: a key ARN of another region is not found there.
    auto fields = Split(enc.kms_key_id, ':');
    if (fields.size() > 3 && fields[3] != bucket.region) {
      return kms::KmsError(kms::ErrorKind::kNotFound, "Invalid arn " + std::string(fields[3]));
    }
  }
  return enc;
}

Result<NewObjectWrite> PrepareNewObjectWrite(const ObjectServices& s, const S3Caller& c,
                                             const S3Request& r) {
  if (r.key.size() > 1024) {
    return S3Error(ErrorKind::kKeyTooLong, "Your key is too long",
                   {{"Size", std::to_string(r.key.size())}});
  }
  SEALSTACK_RETURN_IF_ERROR(CheckUserMetadataSize(*r.headers));
  NewObjectWrite w;
  w.sse_headers = ExtractSseHeaders(*r.headers);
  SEALSTACK_ASSIGN_OR_RETURN(w.bucket,
                             s.buckets->Access(c, r.bucket,
                                               S3Access{"s3:PutObject", ObjectArn(r.bucket, r.key),
                                                        WriteConditionKeys(w.sse_headers, c)}));
  SEALSTACK_ASSIGN_OR_RETURN(w.encryption,
                             ResolveObjectEncryption(s, c, w.bucket, w.sse_headers, r.key));
  return w;
}

void AddWriteSseHeaders(ApiResponse* resp, const ProtectedDataKey& protection,
                        const std::string& user_context_b64) {
  AddSseHeaders(resp, protection);
  if (!user_context_b64.empty()) {
    resp->SetHeader("x-amz-server-side-encryption-context", user_context_b64);
  }
}

Result<ReadableObject> OpenForRead(const ObjectServices& s, const S3Caller& c,
                                   const std::string& bucket, const std::string& key,
                                   std::string_view action, const SseHeaders& sse) {
  ReadableObject out;
  SEALSTACK_ASSIGN_OR_RETURN(
      out.bucket,
      s.buckets->Access(c, bucket, S3Access{std::string(action), ObjectArn(bucket, key), {}}));
  auto info = s.store->Head(bucket, key);
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kNotFound) {
      return S3Error(ErrorKind::kNoSuchKey, "The specified key does not exist.", {{"Key", key}});
    }
    return info.status();
  }
  out.info = std::move(*info);
  SEALSTACK_ASSIGN_OR_RETURN(out.customer, ParseCustomerKey(sse));
  SEALSTACK_ASSIGN_OR_RETURN(out.doc, DecodeObjectDoc(out.info.doc, out.info.wrapped_key));
  if (out.customer && out.doc.sse.mode != SseMode::kSseC) {
    return S3Error(ErrorKind::kInvalidRequest,
                   "The encryption parameters are not applicable to this object.");
  }
  if (out.customer && s.require_tls_for_sse_c && !c.secure_transport) {
    return S3Error(ErrorKind::kInvalidRequest,
                   "Requests specifying Server Side Encryption with Customer provided keys must "
                   "be made over a secure connection.");
  }
  return out;
}

Result<crypto::SecretBytes> OpenObjectKey(const ObjectServices& s, const S3Caller& c,
                                          const ReadableObject& o) {
  SEALSTACK_RETURN_IF_ERROR(CheckKmsSignature(c, o.doc.sse.mode));
  return s.keys->OpenDataKey(KmsCaller(c), o.bucket.account, o.doc.sse, o.customer);
}

void SetChecksum(Checksums* out, crypto::ChecksumAlgorithm alg, const std::string& value) {
  switch (alg) {
    case crypto::ChecksumAlgorithm::kCrc32:
      out->crc32 = value;
      break;
    case crypto::ChecksumAlgorithm::kCrc32c:
      out->crc32c = value;
      break;
    case crypto::ChecksumAlgorithm::kCrc64Nvme:
      out->crc64nvme = value;
      break;
    case crypto::ChecksumAlgorithm::kSha1:
      out->sha1 = value;
      break;
    case crypto::ChecksumAlgorithm::kSha256:
      out->sha256 = value;
      break;
  }
}

ApiResponse S3ErrorResponse(const Status& st, const S3Request& r, const RequestIds& ids) {
  return RenderError(Protocol::kS3, S3StatusToWire(st), ids, r.resource, r.method == "HEAD");
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

std::string CanonicalId(const std::string& account) {
  return crypto::Hex(crypto::Sha256("sealstack-canonical-user:" + account));
}

Result<std::string> ReadSmallBody(const PayloadReader& payload, size_t limit) {
  std::string body;
  bool too_large = false;
  SEALSTACK_RETURN_IF_ERROR(payload([&](std::string_view piece) -> Status {
    if (body.size() + piece.size() > limit) {
      too_large = true;
      return S3Error(ErrorKind::kMaxMessageLengthExceeded, "Your request was too big.");
    }
    body.append(piece);
    return Status::Ok();
  }));
  (void)too_large;
  return body;
}

}  // namespace sealstack::api::s3
