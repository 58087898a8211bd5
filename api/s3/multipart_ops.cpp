#include "api/s3/multipart_ops.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include "api/s3/object_copy.h"
#include "api/s3/s3_errors.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "crypto/digest.h"

namespace sealstack::api::s3 {

namespace {

constexpr size_t kMaxCompleteBody = 4 << 20;  // 10,000 parts with checksums fit easily

Status NoSuchUpload(const std::string& upload_id) {
  return S3Error(ErrorKind::kNoSuchUpload,
                 "The specified upload does not exist. The upload ID may be invalid, or the "
                 "upload may have been aborted or completed.",
                 {{"UploadId", upload_id}});
}

Status InvalidPart(int part_number, const std::string& etag) {
  return S3Error(ErrorKind::kInvalidPart,
                 "One or more of the specified parts could not be found.  The part may not have "
                 "been uploaded, or the specified entity tag may not match the part's entity "
                 "tag.",
                 {{"UploadId", ""}, {"PartNumber", std::to_string(part_number)}, {"ETag", etag}});
}

bool ParseInt(std::string_view s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

Result<int> PartNumber(const S3Request& r) {
  const std::string* param = QueryParam(r, "partNumber");
  int64_t n = 0;
  if (param == nullptr || !ParseInt(*param, &n) || n < kMinPartNumber || n > kMaxPartNumber) {
    return S3Error(
        ErrorKind::kInvalidArgument,
        "Part number must be an integer between 1 and 10000, inclusive",
        {{"ArgumentName", "partNumber"}, {"ArgumentValue", param != nullptr ? *param : ""}});
  }
  return static_cast<int>(n);
}

// The upload named by ?uploadId, which must be for this bucket and key.
Result<UploadInfo> FindUpload(const ObjectServices& s, const S3Request& r) {
  const std::string* id = QueryParam(r, "uploadId");
  if (id == nullptr) return NoSuchUpload("");
  auto upload = s.store->GetMultipartUpload(*id);
  if (!upload.ok()) {
    if (upload.status().code() == StatusCode::kNotFound) return NoSuchUpload(*id);
    return upload.status();
  }
  if (upload->bucket != r.bucket || upload->key != r.key) return NoSuchUpload(*id);
  return std::move(*upload);
}

// A part request's SSE-C trio must repeat the upload's exactly (PROTOCOL 3.4); then the upload's
// data key is opened as this caller (KMS Decrypt for KMS uploads).
Result<crypto::SecretBytes> OpenUploadKey(const ObjectServices& s, const S3Caller& c,
                                          const Bucket& bucket, const ObjectDoc& doc,
                                          const S3Request& r) {
  SEALSTACK_ASSIGN_OR_RETURN(std::optional<CustomerKey> customer,
                             ParseCustomerKey(ExtractSseHeaders(*r.headers)));
  const bool sse_c = doc.sse.mode == SseMode::kSseC;
  if (sse_c != customer.has_value()) {
    return S3Error(ErrorKind::kInvalidRequest,
                   "The multipart upload initiate requested encryption. Subsequent part requests "
                   "must include the appropriate encryption parameters.");
  }
  auto key = s.keys->OpenDataKey(KmsCaller(c), bucket.account, doc.sse, customer);
  if (!key.ok() && key.status().detail() == static_cast<int>(ErrorKind::kSseCustomerKeyMismatch)) {
    return S3Error(ErrorKind::kInvalidRequest,
                   "The provided encryption parameters did not match the ones used originally.");
  }
  return key;
}

// SSE headers of part responses: mode, KMS key, bucket key, SSE-C pair; never the context.
void AddPartSseHeaders(ApiResponse* resp, const ProtectedDataKey& p) {
  AddSseHeaders(resp, p);
}

Owner OwnerOf(const std::string& account) {
  return Owner{CanonicalId(account), ""};
}

std::string LocationOf(const S3Request& r) {
  const std::string* host = Header(r, "Host");
  std::string location = "http://";
  location += host != nullptr ? *host : "localhost";
  location += '/';
  location += r.bucket;
  location += '/';
  location += S3UrlEncode(r.key);
  return location;
}

// A composite checksum: the algorithm over the concatenated raw part checksums, "-N".
std::string CompositeChecksum(crypto::ChecksumAlgorithm alg,
                              const std::vector<std::string>& parts_b64) {
  crypto::Checksum sum(alg);
  for (const auto& p : parts_b64) sum.Update(crypto::FromBase64(p).value_or(""));
  return sum.DigestBase64() + "-" + std::to_string(parts_b64.size());
}

// The checksum a CompletedPart names for `alg`, "" if none.
const std::string& PartChecksum(const Checksums& c, crypto::ChecksumAlgorithm alg) {
  switch (alg) {
    case crypto::ChecksumAlgorithm::kCrc32:
      return c.crc32;
    case crypto::ChecksumAlgorithm::kCrc32c:
      return c.crc32c;
    case crypto::ChecksumAlgorithm::kCrc64Nvme:
      return c.crc64nvme;
    case crypto::ChecksumAlgorithm::kSha1:
      return c.sha1;
    case crypto::ChecksumAlgorithm::kSha256:
      return c.sha256;
  }
  return c.crc32;
}

// Streams a part body into the upload and records it; shared by UploadPart and UploadPartCopy.
struct PartTarget {
  UploadInfo upload;
  Bucket bucket;
  ObjectDoc doc;
  crypto::SecretBytes key;
  int part_number = 0;
};

Result<PartTarget> OpenPartTarget(const ObjectServices& s, const S3Caller& c, const S3Request& r) {
  PartTarget t;
  SEALSTACK_ASSIGN_OR_RETURN(t.part_number, PartNumber(r));
  SEALSTACK_ASSIGN_OR_RETURN(
      t.bucket,
      s.buckets->Access(c, r.bucket, S3Access{"s3:PutObject", ObjectArn(r.bucket, r.key), {}}));
  SEALSTACK_ASSIGN_OR_RETURN(t.upload, FindUpload(s, r));
  SEALSTACK_ASSIGN_OR_RETURN(t.doc, DecodeObjectDoc(t.upload.doc, t.upload.wrapped_key));
  SEALSTACK_ASSIGN_OR_RETURN(t.key, OpenUploadKey(s, c, t.bucket, t.doc, r));
  return t;
}

}  // namespace

Result<ApiResponse> CreateMultipartUpload(const ObjectServices& s, const S3Caller& c,
                                          const S3Request& r, const RequestIds& ids) {
  SEALSTACK_ASSIGN_OR_RETURN(NewObjectWrite w, PrepareNewObjectWrite(s, c, r));
  ObjectDoc doc;
  if (const std::string* a = Header(r, "x-amz-checksum-algorithm")) {
    auto alg = crypto::ChecksumAlgorithmFromName(Trim(*a));
    if (!alg) {
      return S3Error(ErrorKind::kInvalidRequest,
                     "Checksum algorithm provided is unsupported. Please try again with any of "
                     "the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
    }
    doc.checksum_algorithm = std::string(crypto::ChecksumAlgorithmName(*alg));
    doc.checksum_type = *alg == crypto::ChecksumAlgorithm::kCrc64Nvme ? "FULL_OBJECT" : "COMPOSITE";
    if (const std::string* t = Header(r, "x-amz-checksum-type")) {
      std::string type(Trim(*t));
      for (char& ch : type) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (type != "COMPOSITE" && type != "FULL_OBJECT") {
        return S3Error(ErrorKind::kInvalidRequest, "Value for x-amz-checksum-type is invalid.");
      }
      doc.checksum_type = type;
    }
  }
  SEALSTACK_ASSIGN_OR_RETURN(DataKey dk, s.keys->NewDataKey(KmsCaller(c), w.encryption,
                                                            w.bucket.account, r.bucket, r.key));
  CaptureContentHeaders(*r.headers, &doc);
  doc.sse = dk.protection;
  doc.user_context_b64 = w.sse_headers.context.value_or("");
  SEALSTACK_ASSIGN_OR_RETURN(
      UploadInfo upload, s.store->CreateMultipartUpload(r.bucket, r.key, dk.protection.wrapped_key,
                                                        EncodeObjectDoc(doc)));
  InitiateMultipartUploadResult result{r.bucket, r.key, upload.upload_id};
  ApiResponse resp = XmlResponse(200, RenderInitiateMultipartUpload(result), ids);
  AddWriteSseHeaders(&resp, dk.protection, doc.user_context_b64);
  if (!doc.checksum_algorithm.empty()) {
    resp.SetHeader("x-amz-checksum-algorithm", doc.checksum_algorithm);
    resp.SetHeader("x-amz-checksum-type", doc.checksum_type);
  }
  return resp;
}

Result<ApiResponse> UploadPart(const ObjectServices& s, const S3Caller& c, const S3Request& r,
                               const PayloadReader& payload, const RequestIds& ids) {
  SEALSTACK_ASSIGN_OR_RETURN(PartTarget t, OpenPartTarget(s, c, r));
  SEALSTACK_ASSIGN_OR_RETURN(
      IntegrityRequest integrity,
      ParseIntegrity(r, crypto::ChecksumAlgorithmFromName(t.doc.checksum_algorithm)));
  WriteOptions options;
  options.checksum = integrity.algorithm;
  options.md5 = t.doc.sse.mode == SseMode::kSseS3 || integrity.content_md5.has_value();
  SEALSTACK_ASSIGN_OR_RETURN(
      auto writer, s.store->NewPartWriter(t.upload.upload_id, t.part_number, t.key, options));
  SEALSTACK_RETURN_IF_ERROR(payload([&](std::string_view piece) { return writer->Append(piece); }));
  SEALSTACK_ASSIGN_OR_RETURN(BodySummary body, writer->Finish());
  SEALSTACK_RETURN_IF_ERROR(CheckIntegrity(integrity, body));
  auto part = writer->CommitPart();
  if (!part.ok()) {
    if (part.status().code() == StatusCode::kNotFound) return NoSuchUpload(t.upload.upload_id);
    return part.status();
  }
  ApiResponse resp = EmptyResponse(200, ids);
  resp.SetHeader("ETag", Quoted(part->etag));
  AddPartSseHeaders(&resp, t.doc.sse);
  if (integrity.algorithm && body.checksum) {
    resp.SetHeader(crypto::ChecksumHeaderName(*integrity.algorithm), *body.checksum);
  }
  return resp;
}

Result<ApiResponse> UploadPartCopy(const ObjectServices& s, const S3Caller& c, const S3Request& r,
                                   const RequestIds& ids) {
  SEALSTACK_ASSIGN_OR_RETURN(CopySource src, ParseCopySource(r));
  SEALSTACK_ASSIGN_OR_RETURN(PartTarget t, OpenPartTarget(s, c, r));
  SEALSTACK_ASSIGN_OR_RETURN(ReadableObject source,
                             OpenForRead(s, c, src.bucket, src.key, "s3:GetObject",
                                         ExtractSseHeaders(*r.headers, /*copy_source=*/true)));
  SEALSTACK_RETURN_IF_ERROR(CheckCopySourceConditions(r, source.info));
  std::optional<ByteRange> range;
  if (const std::string* h = Header(r, "x-amz-copy-source-range")) {
    std::string_view v = Trim(*h);
    int64_t first = -1, last = -1;
    size_t dash = v.find('-');
    if (!StartsWith(v, "bytes=") || dash == std::string_view::npos ||
        !ParseInt(v.substr(6, dash - 6), &first) || !ParseInt(v.substr(dash + 1), &last) ||
        first > last) {
      return S3Error(ErrorKind::kInvalidArgument,
                     "The x-amz-copy-source-range value must be of the form bytes=first-last "
                     "where first and last are the zero-based offsets of the first and last "
                     "bytes to copy",
                     {{"ArgumentName", "x-amz-copy-source-range"}, {"ArgumentValue", *h}});
    }
    if (static_cast<uint64_t>(last) >= source.info.size) {
      return S3Error(ErrorKind::kInvalidArgument,
                     "Range specified is not valid for source object of size: " +
                         std::to_string(source.info.size),
                     {{"ArgumentName", "x-amz-copy-source-range"}, {"ArgumentValue", *h}});
    }
    range = ByteRange{static_cast<uint64_t>(first), static_cast<uint64_t>(last)};
  }
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes source_key, OpenObjectKey(s, c, source));
  WriteOptions options;
  options.checksum = crypto::ChecksumAlgorithmFromName(t.doc.checksum_algorithm);
  options.md5 = t.doc.sse.mode == SseMode::kSseS3;
  SEALSTACK_ASSIGN_OR_RETURN(
      auto writer, s.store->NewPartWriter(t.upload.upload_id, t.part_number, t.key, options));
  if (source.info.size > 0) {
    SEALSTACK_RETURN_IF_ERROR(
        s.store->Read(source.info, source_key, range,
                      [&](std::string_view plain) { return writer->Append(plain); }));
  }
  SEALSTACK_ASSIGN_OR_RETURN(BodySummary body, writer->Finish());
  auto part = writer->CommitPart();
  if (!part.ok()) {
    if (part.status().code() == StatusCode::kNotFound) return NoSuchUpload(t.upload.upload_id);
    return part.status();
  }
  CopyResult result;
  result.last_modified = part->created_at;
  result.etag = part->etag;
  if (options.checksum && body.checksum) {
    SetChecksum(&result.checksums, *options.checksum, *body.checksum);
  }
  ApiResponse resp = XmlResponse(200, RenderCopyPartResult(result), ids);
  AddPartSseHeaders(&resp, t.doc.sse);
  return resp;
}

Result<ApiResponse> CompleteMultipartUpload(const ObjectServices& s, const S3Caller& c,
                                            const S3Request& r, const PayloadReader& payload,
                                            const RequestIds& ids) {
  SEALSTACK_ASSIGN_OR_RETURN(
      Bucket bucket,
      s.buckets->Access(c, r.bucket, S3Access{"s3:PutObject", ObjectArn(r.bucket, r.key), {}}));
  (void)bucket;
  SEALSTACK_ASSIGN_OR_RETURN(UploadInfo upload, FindUpload(s, r));
  SEALSTACK_ASSIGN_OR_RETURN(std::string body, ReadSmallBody(payload, kMaxCompleteBody));
  SEALSTACK_ASSIGN_OR_RETURN(CompleteMultipartUploadRequest request,
                             ParseCompleteMultipartUpload(body));
  SEALSTACK_ASSIGN_OR_RETURN(ObjectDoc doc, DecodeObjectDoc(upload.doc, upload.wrapped_key));

  // Every uploaded part, by number (at most 10,000).
  std::map<int, PartInfo> uploaded;
  for (int marker = 0;;) {
    SEALSTACK_ASSIGN_OR_RETURN(PartPage page, s.store->ListParts(upload.upload_id, marker, 1000));
    for (auto& p : page.parts) {
      marker = p.part_number;
      uploaded.emplace(p.part_number, std::move(p));
    }
    if (!page.truncated || page.parts.empty()) break;
  }
  const auto alg = crypto::ChecksumAlgorithmFromName(doc.checksum_algorithm);
  std::vector<PartChoice> choices;
  doc.part_sizes.clear();
  doc.part_checksums.clear();
  for (size_t i = 0; i < request.parts.size(); ++i) {
    const CompletedPart& want = request.parts[i];
    auto it = uploaded.find(want.part_number);
    if (it == uploaded.end() || it->second.etag != Unquoted(want.etag)) {
      return InvalidPart(want.part_number, want.etag);
    }
    if (alg) {
      const std::string& given = PartChecksum(want.checksums, *alg);
      if (!given.empty() && it->second.checksum && given != *it->second.checksum) {
        return InvalidPart(want.part_number, want.etag);
      }
      doc.part_checksums.push_back(it->second.checksum.value_or(""));
    }
    doc.part_sizes.push_back(it->second.size);
    choices.push_back({want.part_number, it->second.etag});
  }
  for (size_t i = 0; i + 1 < choices.size(); ++i) {
    if (doc.part_sizes[i] < kMinPartSize) {
      return S3Error(ErrorKind::kEntityTooSmall,
                     "Your proposed upload is smaller than the minimum allowed size",
                     {{"ProposedSize", std::to_string(doc.part_sizes[i])},
                      {"MinSizeAllowed", std::to_string(kMinPartSize)},
                      {"PartNumber", std::to_string(choices[i].part_number)},
                      {"ETag", choices[i].etag}});
    }
  }
  // Both kinds of multipart checksum follow from the parts' own: COMPOSITE hashes the part
  // checksums, FULL_OBJECT combines the part CRCs into the CRC of the whole body.
  const bool all_part_checksums =
      alg && std::none_of(doc.part_checksums.begin(), doc.part_checksums.end(),
                          [](const std::string& v) { return v.empty(); });
  doc.checksum_value.clear();
  if (alg && all_part_checksums && doc.checksum_type == "COMPOSITE") {
    doc.checksum_value = CompositeChecksum(*alg, doc.part_checksums);
  } else if (alg && all_part_checksums) {
    std::vector<std::pair<std::string, uint64_t>> pieces;
    for (size_t i = 0; i < doc.part_checksums.size(); ++i) {
      pieces.emplace_back(crypto::FromBase64(doc.part_checksums[i]).value_or(""),
                          doc.part_sizes[i]);
    }
    if (auto whole = crypto::CombineCrcs(*alg, pieces)) {
      doc.checksum_value = crypto::Base64(*whole);
      const std::string* claimed = Header(r, crypto::ChecksumHeaderName(*alg));
      if (claimed != nullptr && Trim(*claimed) != doc.checksum_value) {
        return S3Error(ErrorKind::kBadDigest,
                       "The " + std::string(crypto::ChecksumAlgorithmName(*alg)) +
                           " you specified did not match the calculated checksum.");
      }
    }
  }
  ObjectMetadata meta;
  meta.wrapped_key = upload.wrapped_key;
  meta.doc = EncodeObjectDoc(doc);
  auto info = s.store->CompleteMultipartUpload(upload.upload_id, choices, meta);
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kNotFound) return NoSuchUpload(upload.upload_id);
    return info.status();
  }
  CompleteMultipartUploadResult result;
  result.location = LocationOf(r);
  result.bucket = r.bucket;
  result.key = r.key;
  result.etag = info->etag;
  if (alg && !doc.checksum_value.empty()) {
    SetChecksum(&result.checksums, *alg, doc.checksum_value);
    result.checksum_type = doc.checksum_type;
  }
  ApiResponse resp = XmlResponse(200, RenderCompleteMultipartUpload(result), ids);
  if (doc.sse.mode != SseMode::kSseC) AddSseHeaders(&resp, doc.sse);
  return resp;
}

Result<ApiResponse> AbortMultipartUpload(const ObjectServices& s, const S3Caller& c,
                                         const S3Request& r, const RequestIds& ids) {
  SEALSTACK_RETURN_IF_ERROR(
      s.buckets
          ->Access(c, r.bucket, S3Access{"s3:AbortMultipartUpload", ObjectArn(r.bucket, r.key), {}})
          .status());
  SEALSTACK_ASSIGN_OR_RETURN(UploadInfo upload, FindUpload(s, r));
  Status st = s.store->AbortMultipartUpload(upload.upload_id);
  if (st.code() == StatusCode::kNotFound) return NoSuchUpload(upload.upload_id);
  SEALSTACK_RETURN_IF_ERROR(st);
  return EmptyResponse(204, ids);
}

Result<ApiResponse> ListParts(const ObjectServices& s, const S3Caller& c, const S3Request& r,
                              const RequestIds& ids) {
  SEALSTACK_ASSIGN_OR_RETURN(
      Bucket bucket,
      s.buckets->Access(c, r.bucket,
                        S3Access{"s3:ListMultipartUploadParts", ObjectArn(r.bucket, r.key), {}}));
  SEALSTACK_ASSIGN_OR_RETURN(UploadInfo upload, FindUpload(s, r));
  SEALSTACK_ASSIGN_OR_RETURN(ObjectDoc doc, DecodeObjectDoc(upload.doc, upload.wrapped_key));
  int64_t max_parts = 1000, marker = 0;
  if (const std::string* m = QueryParam(r, "max-parts")) {
    if (!ParseInt(*m, &max_parts) || max_parts < 0) {
      return S3Error(ErrorKind::kInvalidArgument,
                     "Provided max-parts not an integer or within integer range",
                     {{"ArgumentName", "max-parts"}, {"ArgumentValue", *m}});
    }
    max_parts = std::min<int64_t>(max_parts, 1000);
  }
  if (const std::string* m = QueryParam(r, "part-number-marker")) {
    if (!ParseInt(*m, &marker) || marker < 0) {
      return S3Error(ErrorKind::kInvalidArgument,
                     "Provided part-number-marker not an integer or within integer range",
                     {{"ArgumentName", "part-number-marker"}, {"ArgumentValue", *m}});
    }
  }
  ListPartsResult result;
  result.bucket = r.bucket;
  result.key = r.key;
  result.upload_id = upload.upload_id;
  result.initiator = OwnerOf(bucket.account);
  result.owner = OwnerOf(bucket.account);
  result.part_number_marker = static_cast<int32_t>(marker);
  result.max_parts = static_cast<int32_t>(max_parts);
  result.checksum_algorithm = doc.checksum_algorithm;
  if (!doc.checksum_algorithm.empty()) result.checksum_type = doc.checksum_type;
  const auto alg = crypto::ChecksumAlgorithmFromName(doc.checksum_algorithm);
  if (max_parts > 0) {
    SEALSTACK_ASSIGN_OR_RETURN(PartPage page,
                               s.store->ListParts(upload.upload_id, static_cast<int>(marker),
                                                  static_cast<size_t>(max_parts)));
    result.is_truncated = page.truncated;
    for (const auto& p : page.parts) {
      PartEntry e;
      e.part_number = p.part_number;
      e.last_modified = p.created_at;
      e.etag = p.etag;
      e.size = static_cast<int64_t>(p.size);
      if (alg && p.checksum) SetChecksum(&e.checksums, *alg, *p.checksum);
      result.parts.push_back(std::move(e));
      result.next_part_number_marker = p.part_number;
    }
  }
  return XmlResponse(200, RenderListParts(result), ids);
}

Result<ApiResponse> ListMultipartUploads(const ObjectServices& s, const S3Caller& c,
                                         const S3Request& r, const RequestIds& ids) {
  SEALSTACK_ASSIGN_OR_RETURN(Bucket bucket,
                             s.buckets->Access(c, r.bucket, "s3:ListBucketMultipartUploads"));
  int64_t max_uploads = 1000;
  if (const std::string* m = QueryParam(r, "max-uploads")) {
    if (!ParseInt(*m, &max_uploads) || max_uploads < 0) {
      return S3Error(ErrorKind::kInvalidArgument,
                     "Provided max-uploads not an integer or within integer range",
                     {{"ArgumentName", "max-uploads"}, {"ArgumentValue", *m}});
    }
    max_uploads = std::min<int64_t>(max_uploads, 1000);
  }
  storage::S3ListUploadsOptions options;
  if (const std::string* p = QueryParam(r, "prefix")) options.prefix = *p;
  if (const std::string* k = QueryParam(r, "key-marker")) options.key_marker = *k;
  if (const std::string* u = QueryParam(r, "upload-id-marker")) options.upload_id_marker = *u;
  const std::string* delimiter = QueryParam(r, "delimiter");
  ListMultipartUploadsResult result;
  result.bucket = r.bucket;
  result.key_marker = options.key_marker;
  result.upload_id_marker = options.upload_id_marker;
  result.prefix = options.prefix;
  result.max_uploads = static_cast<int32_t>(max_uploads);
  result.encoding_type_url = QueryParam(r, "encoding-type") != nullptr;
  if (delimiter != nullptr) result.delimiter = *delimiter;
  if (delimiter != nullptr && !delimiter->empty() && options.upload_id_marker.empty() &&
      EndsWith(options.key_marker, *delimiter)) {
    options.key_marker += "\xff";  // a common prefix returned earlier: skip what is under it
  }
  const Owner owner = OwnerOf(bucket.account);
  size_t returned = 0;
  while (max_uploads > 0 && returned < static_cast<size_t>(max_uploads)) {
    options.limit = static_cast<size_t>(max_uploads) - returned;
    SEALSTACK_ASSIGN_OR_RETURN(UploadPage page, s.store->ListMultipartUploads(r.bucket, options));
    bool skipped = false;
    for (const auto& u : page.uploads) {
      if (delimiter != nullptr && !delimiter->empty()) {
        size_t at = u.key.find(*delimiter, options.prefix.size());
        if (at != std::string::npos) {
          std::string cp = u.key.substr(0, at + delimiter->size());
          if (result.common_prefixes.empty() || result.common_prefixes.back() != cp) {
            result.common_prefixes.push_back(cp);
            ++returned;
          }
          result.next_key_marker = cp;
          result.next_upload_id_marker.clear();
          options.key_marker = cp + "\xff";  // past every key under the prefix
          options.upload_id_marker.clear();
          skipped = true;
          break;
        }
      }
      UploadEntry e;
      e.key = u.key;
      e.upload_id = u.upload_id;
      e.initiator = owner;
      e.owner = owner;
      e.initiated = u.initiated;
      result.uploads.push_back(std::move(e));
      result.next_key_marker = u.key;
      result.next_upload_id_marker = u.upload_id;
      options.key_marker = u.key;
      options.upload_id_marker = u.upload_id;
      ++returned;
      if (returned >= static_cast<size_t>(max_uploads)) break;
    }
    if (skipped) continue;
    if (!page.truncated) break;
    if (returned >= static_cast<size_t>(max_uploads)) {
      result.is_truncated = true;
      break;
    }
  }
  if (returned >= static_cast<size_t>(max_uploads) && max_uploads > 0 && !result.is_truncated) {
    // Is there anything after what we returned?
    options.limit = 1;
    SEALSTACK_ASSIGN_OR_RETURN(UploadPage more, s.store->ListMultipartUploads(r.bucket, options));
    result.is_truncated = !more.uploads.empty();
  }
  if (!result.is_truncated) {
    result.next_key_marker.clear();
    result.next_upload_id_marker.clear();
  }
  return XmlResponse(200, RenderListMultipartUploads(result), ids);
}

}  // namespace sealstack::api::s3
