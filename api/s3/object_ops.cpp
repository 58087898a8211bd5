#include "api/s3/object_ops.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>

#include "api/s3/multipart_ops.h"
#include "api/s3/object_common.h"
#include "api/s3/object_copy.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_operations.h"
#include "api/s3/s3_wire_errors.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "crypto/checksum.h"
#include "crypto/digest.h"

namespace sealstack::api::s3 {

namespace {

// ---- PutObject

Result<ApiResponse> Put(const ObjectServices& s, const S3Caller& c, const S3Request& r,
                        const PayloadReader& payload, const RequestIds& ids) {
  SEALSTACK_ASSIGN_OR_RETURN(NewObjectWrite w, PrepareNewObjectWrite(s, c, r));
  const WriteEncryption& enc = w.encryption;
  // Integrity headers: Content-MD5 and at most one x-amz-checksum-* (else CRC64NVME by default).
  SEALSTACK_ASSIGN_OR_RETURN(IntegrityRequest integrity,
                             ParseIntegrity(r, crypto::ChecksumAlgorithm::kCrc64Nvme));

  SEALSTACK_ASSIGN_OR_RETURN(
      DataKey dk, s.keys->NewDataKey(KmsCaller(c), enc, w.bucket.account, r.bucket, r.key));
  WriteOptions options;
  options.checksum = integrity.algorithm;
  options.md5 = enc.mode == SseMode::kSseS3 || integrity.content_md5.has_value();
  SEALSTACK_ASSIGN_OR_RETURN(auto writer,
                             s.store->NewObjectWriter(r.bucket, r.key, dk.plaintext, options));
  SEALSTACK_RETURN_IF_ERROR(payload([&](std::string_view piece) { return writer->Append(piece); }));
  SEALSTACK_ASSIGN_OR_RETURN(BodySummary body, writer->Finish());
  SEALSTACK_RETURN_IF_ERROR(CheckIntegrity(integrity, body));

  ObjectDoc doc;
  CaptureContentHeaders(*r.headers, &doc);
  doc.sse = dk.protection;
  doc.user_context_b64 = w.sse_headers.context.value_or("");
  doc.checksum_algorithm = std::string(crypto::ChecksumAlgorithmName(*integrity.algorithm));
  doc.checksum_value = body.checksum.value_or("");
  ObjectMetadata meta;
  meta.wrapped_key = dk.protection.wrapped_key;
  meta.doc = EncodeObjectDoc(doc);
  // ETags: the plaintext MD5 for SSE-S3; for KMS and SSE-C modes, as on AWS, a value that is
  // not the MD5 (it would tell the plaintext's hash to anyone who can list).
  if (enc.mode != SseMode::kSseS3) {
    // Not the MD5 (it would tell the plaintext's hash to anyone who can list).
    meta.etag = crypto::Hex(crypto::Md5(body.md5 + dk.protection.wrapped_key));
  }
  SEALSTACK_ASSIGN_OR_RETURN(ObjectInfo info, writer->Commit(meta));

  ApiResponse resp;
  resp.status = 200;
  resp.SetHeader("ETag", Quoted(info.etag));
  AddWriteSseHeaders(&resp, dk.protection, doc.user_context_b64);
  if (integrity.client_asked) {
    resp.SetHeader(crypto::ChecksumHeaderName(*integrity.algorithm), doc.checksum_value);
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

// The n-th part of a multipart object as a byte range, with the part count; a plain object is
// one part.
Result<std::pair<ByteRange, int>> PartRange(const ObjectInfo& info, const std::string& param) {
  int n = 0;
  auto [p, ec] = std::from_chars(param.data(), param.data() + param.size(), n);
  if (ec != std::errc() || p != param.data() + param.size() || n < kMinPartNumber ||
      n > kMaxPartNumber) {
    return S3Error(ErrorKind::kInvalidArgument,
                   "Part number must be an integer between 1 and 10000, inclusive",
                   {{"ArgumentName", "partNumber"}, {"ArgumentValue", param}});
  }
  const int count = static_cast<int>(std::max<size_t>(info.extents.size(), 1));
  if (n > count || info.size == 0) {
    return S3Error(ErrorKind::kInvalidPartNumber, "The requested partnumber is not satisfiable",
                   {{"PartNumberRequested", param}, {"ActualPartCount", std::to_string(count)}});
  }
  if (info.extents.empty()) return std::make_pair(ByteRange{0, info.size - 1}, count);
  const auto& e = info.extents[static_cast<size_t>(n - 1)];
  return std::make_pair(ByteRange{e.plain_offset, e.plain_offset + e.size - 1}, count);
}

// If-Match / If-Unmodified-Since fail with 412; If-None-Match / If-Modified-Since with 304
// (RFC 7232 precedence, as S3 applies it). nullopt = go on.
Result<std::optional<ApiResponse>> CheckConditions(const S3Request& r, const ObjectInfo& info,
                                                   const RequestIds& ids) {
  const std::string etag = Quoted(info.etag);
  const auto modified = std::chrono::floor<std::chrono::seconds>(info.created_at);
  auto failed = [](const char* condition) -> Status {
    return S3Error(ErrorKind::kPreconditionFailed,
                   "At least one of the pre-conditions you specified did not hold",
                   {{"Condition", condition}});
  };
  auto not_modified = [&]() {
    ApiResponse nm;
    nm.status = 304;
    nm.SetHeader("ETag", etag);
    nm.SetHeader("Last-Modified", FormatHttpDate(info.created_at));
    AddRequestIdHeaders(Protocol::kS3, ids, &nm);
    return std::optional<ApiResponse>(std::move(nm));
  };
  const std::string* if_match = Header(r, "If-Match");
  if (if_match != nullptr && Trim(*if_match) != etag && Trim(*if_match) != "*") {
    return failed("If-Match");
  }
  if (if_match == nullptr) {
    if (const std::string* h = Header(r, "If-Unmodified-Since")) {
      auto t = ParseHttpDate(*h);
      if (t && modified > *t) return failed("If-Unmodified-Since");
    }
  }
  const std::string* if_none = Header(r, "If-None-Match");
  if (if_none != nullptr && (Trim(*if_none) == etag || Trim(*if_none) == "*")) {
    return not_modified();
  }
  if (if_none == nullptr) {
    if (const std::string* h = Header(r, "If-Modified-Since")) {
      auto t = ParseHttpDate(*h);
      if (t && modified <= *t) return not_modified();
    }
  }
  return std::optional<ApiResponse>();
}

Result<ApiResponse> Get(const ObjectServices& s, const S3Caller& c, const S3Request& r, bool head,
                        const RequestIds& ids) {
  SseHeaders sse_headers = ExtractSseHeaders(*r.headers);
  SEALSTACK_RETURN_IF_ERROR(CheckReadHeaders(sse_headers));
  SEALSTACK_ASSIGN_OR_RETURN(ReadableObject obj,
                             OpenForRead(s, c, r.bucket, r.key, "s3:GetObject", sse_headers));
  ObjectInfo& info = obj.info;
  const ObjectDoc& doc = obj.doc;
  // GET opens the data key (KMS Decrypt as the caller); HEAD needs no key material, except to
  // prove an SSE-C key.
  std::optional<crypto::SecretBytes> data_key;
  if (!head || doc.sse.mode == SseMode::kSseC) {
    SEALSTACK_ASSIGN_OR_RETURN(auto k, OpenObjectKey(s, c, obj));
    data_key = std::move(k);
  }
  SEALSTACK_ASSIGN_OR_RETURN(std::optional<ApiResponse> early, CheckConditions(r, info, ids));
  if (early) return std::move(*early);

  std::optional<ByteRange> range;
  int parts_count = 0;
  const bool multipart = !doc.part_sizes.empty() || info.extents.size() > 1;
  if (const std::string* part = QueryParam(r, "partNumber")) {
    if (Header(r, "Range") != nullptr) {
      return S3Error(ErrorKind::kInvalidRequest,
                     "Cannot specify both Range header and partNumber query parameter");
    }
    SEALSTACK_ASSIGN_OR_RETURN(auto pr, PartRange(info, *part));
    range = pr.first;
    parts_count = pr.second;
  } else {
    SEALSTACK_ASSIGN_OR_RETURN(range, ParseRange(Header(r, "Range"), info.size));
  }
  ApiResponse resp;
  resp.status = range ? 206 : 200;
  resp.SetHeader("ETag", Quoted(info.etag));
  resp.SetHeader("Last-Modified", FormatHttpDate(info.created_at));
  resp.SetHeader("Accept-Ranges", "bytes");
  if (parts_count > 0 && multipart) {
    resp.SetHeader("x-amz-mp-parts-count", std::to_string(parts_count));
  }
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
      if (k != param) continue;
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
  resp.SetHeader("Content-Type", content_type);
  for (const auto& [k, v] : doc.user_metadata) resp.SetHeader(k, v);
  AddSseHeaders(&resp, doc.sse);
  const std::string* mode = Header(r, "x-amz-checksum-mode");
  const bool whole = !range || (range->first == 0 && range->last + 1 == info.size);
  if (whole && mode != nullptr && EqualsIgnoreCase(*mode, "ENABLED") &&
      !doc.checksum_value.empty()) {
    auto alg = crypto::ChecksumAlgorithmFromName(doc.checksum_algorithm);
    if (alg) {
      resp.SetHeader(crypto::ChecksumHeaderName(*alg), doc.checksum_value);
      resp.SetHeader("x-amz-checksum-type",
                     doc.checksum_type.empty() ? "FULL_OBJECT" : doc.checksum_type);
    }
  }
  const uint64_t length = range ? range->last - range->first + 1 : info.size;
  if (range) {
    resp.SetHeader("Content-Range", "bytes " + std::to_string(range->first) + "-" +
                                        std::to_string(range->last) + "/" +
                                        std::to_string(info.size));
  }
  AddRequestIdHeaders(Protocol::kS3, ids, &resp);
  resp.stream_length = length;
  if (head || length == 0) {
    resp.stream = [](const BodyWriter&) { return true; };
    return resp;
  }
  ObjectStore* store = s.store;
  auto object = std::make_shared<ObjectInfo>(std::move(info));
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
  SEALSTACK_RETURN_IF_ERROR(
      s.buckets->Access(c, r.bucket, S3Access{"s3:DeleteObject", ObjectArn(r.bucket, r.key), {}})
          .status());
  SEALSTACK_RETURN_IF_ERROR(s.store->Delete(r.bucket, r.key).status());
  return EmptyResponse(204, ids);
}

// GET /{bucket}/{key}?attributes with x-amz-object-attributes: ETag, Checksum, ObjectParts,
// StorageClass, ObjectSize.
Result<ApiResponse> Attributes(const ObjectServices& s, const S3Caller& c, const S3Request& r,
                               const RequestIds& ids) {
  const std::string* wanted = Header(r, "x-amz-object-attributes");
  SseHeaders sse_headers = ExtractSseHeaders(*r.headers);
  SEALSTACK_RETURN_IF_ERROR(CheckReadHeaders(sse_headers));
  SEALSTACK_ASSIGN_OR_RETURN(
      ReadableObject obj,
      OpenForRead(s, c, r.bucket, r.key, "s3:GetObjectAttributes", sse_headers));
  if (wanted == nullptr || Trim(*wanted).empty()) {
    return S3Error(ErrorKind::kInvalidArgument, "Invalid attribute name specified.",
                   {{"ArgumentName", "x-amz-object-attributes"}, {"ArgumentValue", ""}});
  }
  if (obj.doc.sse.mode == SseMode::kSseC) {
    SEALSTACK_RETURN_IF_ERROR(OpenObjectKey(s, c, obj).status());  // proves the key
  }
  GetObjectAttributesResult out;
  const ObjectDoc& doc = obj.doc;
  for (auto name : Split(*wanted, ',')) {
    name = Trim(name);
    if (name == "ETag") {
      out.etag = obj.info.etag;
    } else if (name == "Checksum") {
      auto alg = crypto::ChecksumAlgorithmFromName(doc.checksum_algorithm);
      if (alg && !doc.checksum_value.empty()) {
        ChecksumAttribute attr;
        SetChecksum(&attr.checksums, *alg, doc.checksum_value);
        attr.checksum_type = doc.checksum_type.empty() ? "FULL_OBJECT" : doc.checksum_type;
        out.checksum = attr;
      }
    } else if (name == "ObjectParts") {
      if (!doc.part_sizes.empty()) {
        ObjectPartsAttribute parts;
        parts.parts_count = static_cast<int32_t>(doc.part_sizes.size());
        auto alg = crypto::ChecksumAlgorithmFromName(doc.checksum_algorithm);
        if (alg && doc.part_checksums.size() == doc.part_sizes.size()) {
          int marker = 0, max_parts = 1000;
          if (const std::string* m = Header(r, "x-amz-part-number-marker")) {
            std::from_chars(m->data(), m->data() + m->size(), marker);
          }
          if (const std::string* m = Header(r, "x-amz-max-parts")) {
            std::from_chars(m->data(), m->data() + m->size(), max_parts);
          }
          max_parts = std::clamp(max_parts, 0, 1000);
          parts.list_parts = true;
          parts.part_number_marker = marker;
          parts.max_parts = max_parts;
          for (size_t i = static_cast<size_t>(std::max(marker, 0)); i < doc.part_sizes.size();
               ++i) {
            if (static_cast<int>(parts.parts.size()) >= max_parts) {
              parts.is_truncated = true;
              break;
            }
            ObjectPartEntry e;
            e.part_number = static_cast<int32_t>(i + 1);
            e.size = static_cast<int64_t>(doc.part_sizes[i]);
            SetChecksum(&e.checksums, *alg, doc.part_checksums[i]);
            parts.parts.push_back(std::move(e));
            parts.next_part_number_marker = e.part_number;
          }
        }
        out.object_parts = parts;
      }
    } else if (name == "StorageClass") {
      out.storage_class = "STANDARD";
    } else if (name == "ObjectSize") {
      out.object_size = static_cast<int64_t>(obj.info.size);
    } else {
      return S3Error(
          ErrorKind::kInvalidArgument, "Invalid attribute name specified.",
          {{"ArgumentName", "x-amz-object-attributes"}, {"ArgumentValue", std::string(name)}});
    }
  }
  ApiResponse resp = XmlResponse(200, RenderGetObjectAttributes(out), ids);
  resp.SetHeader("Last-Modified", FormatHttpDate(obj.info.created_at));
  return resp;
}

Result<ApiResponse> Route(const ObjectServices& s, const S3Caller& c, const S3Request& r,
                          const PayloadReader& payload, const RequestIds& ids) {
  const std::string_view op = S3OperationName(r);
  if (op == "PutObject") return Put(s, c, r, payload, ids);
  if (op == "GetObject") return Get(s, c, r, /*head=*/false, ids);
  if (op == "HeadObject") return Get(s, c, r, /*head=*/true, ids);
  if (op == "DeleteObject") return Delete(s, c, r, ids);
  if (op == "CopyObject") return CopyObject(s, c, r, ids);
  if (op == "GetObjectAttributes") return Attributes(s, c, r, ids);
  if (op == "CreateMultipartUpload") return CreateMultipartUpload(s, c, r, ids);
  if (op == "UploadPart") return UploadPart(s, c, r, payload, ids);
  if (op == "UploadPartCopy") return UploadPartCopy(s, c, r, ids);
  if (op == "CompleteMultipartUpload") return CompleteMultipartUpload(s, c, r, payload, ids);
  if (op == "AbortMultipartUpload") return AbortMultipartUpload(s, c, r, ids);
  if (op == "ListParts") return ListParts(s, c, r, ids);
  if (NamesUnknownSubResource(r)) {
    return S3Error(ErrorKind::kNotImplemented,
                   "A header you provided implies functionality that is not implemented.");
  }
  return S3Error(ErrorKind::kMethodNotAllowed,
                 "The specified method is not allowed against this resource.",
                 {{"Method", r.method}, {"ResourceType", "OBJECT"}});
}

}  // namespace

Result<std::string> DescribeObjectProtection(ObjectStore& store, const std::string& bucket,
                                             const std::string& key) {
  SEALSTACK_ASSIGN_OR_RETURN(ObjectInfo info, store.Head(bucket, key));
  SEALSTACK_ASSIGN_OR_RETURN(ObjectDoc doc, DecodeObjectDoc(info.doc, info.wrapped_key));
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
  return !r.key.empty();
}

std::optional<ApiResponse> InjectedS3Fault(const ObjectServices& services, const S3Request& request,
                                           const RequestIds& ids) {
  if (services.faults == nullptr || services.faults->empty()) return std::nullopt;
  auto hit = services.faults->CheckAndDelay(
      "s3", S3OperationName(request), request.bucket.empty() ? "" : BucketArn(request.bucket));
  if (!hit) return std::nullopt;
  return RenderError(Protocol::kS3,
                     {hit->http_status, hit->error, hit->message, {}, hit->http_status >= 500}, ids,
                     request.resource, request.method == "HEAD");
}

ApiResponse HandleObject(const ObjectServices& services, const S3Caller& caller,
                         const S3Request& request, const PayloadReader& payload,
                         const RequestIds& ids) {
  if (auto fault = InjectedS3Fault(services, request, ids)) return std::move(*fault);
  if (!IsValidUtf8(request.key)) {
    return S3ErrorResponse(S3Error(ErrorKind::kInvalidUri, "Couldn't parse the specified URI.",
                                   {{"URI", request.resource}}),
                           request, ids);
  }
  Result<ApiResponse> out = Route(services, caller, request, payload, ids);
  if (out.ok()) return std::move(*out);
  return S3ErrorResponse(out.status(), request, ids);
}

}  // namespace sealstack::api::s3
