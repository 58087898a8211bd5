// s3::Service multipart uploads. CreateMultipartUpload decides the encryption once (and, for
// KMS modes, makes the upload's data key with GenerateDataKey as the caller); every UploadPart /
// UploadPartCopy opens that key again as its caller (KMS Decrypt, or the repeated SSE-C key),
// so a key disabled mid-upload stops the upload as on AWS. Each part is its own sealed body;
// CompleteMultipartUpload makes the chosen parts one visible object.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include "api/s3/object_common.h"
#include "api/s3/object_versions.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_service.h"
#include "common/strings.h"
#include "crypto/digest.h"

namespace sealstack::api::s3 {

namespace {

// Non-last parts must hold at least this many bytes (EntityTooSmall).
constexpr uint64_t kMinPartSize = 5ull << 20;

Status NoSuchUpload(const std::string& upload_id) {
  return S3Error(ErrorKind::kNoSuchUpload,
                 "The specified upload does not exist. The upload ID may be invalid, or the "
                 "upload may have been aborted or completed.",
                 {{"UploadId", upload_id}});
}

// kNotFound from the store means the upload went away meanwhile.
Status UploadGone(const Status& st, const std::string& upload_id) {
  return st.code() == StatusCode::kNotFound ? NoSuchUpload(upload_id) : st;
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

// A non-negative integer parameter (max-parts, part-number-marker, max-uploads), or `absent`.
Result<int64_t> Count(const std::optional<std::string>& value, const char* name, int64_t absent) {
  if (!value) return absent;
  int64_t n = 0;
  if (!ParseInt(*value, &n) || n < 0) {
    return S3Error(ErrorKind::kInvalidArgument,
                   std::string("Provided ") + name + " not an integer or within integer range",
                   {{"ArgumentName", name}, {"ArgumentValue", *value}});
  }
  return n;
}

Result<int> PartNumber(const std::optional<std::string>& param) {
  int64_t n = 0;
  if (!param || !ParseInt(*param, &n) || n < kMinPartNumber || n > kMaxPartNumber) {
    return S3Error(ErrorKind::kInvalidArgument,
                   "Part number must be an integer between 1 and 10000, inclusive",
                   {{"ArgumentName", "partNumber"}, {"ArgumentValue", param.value_or("")}});
  }
  return static_cast<int>(n);
}

// The upload named, which must be for its bucket and key.
Result<UploadInfo> FindUpload(const ObjectServices& s, const UploadRef& ref) {
  if (!ref.upload_id) return NoSuchUpload("");
  auto upload = s.store->GetMultipartUpload(*ref.upload_id);
  if (!upload.ok()) return UploadGone(upload.status(), *ref.upload_id);
  if (upload->bucket != ref.bucket || upload->key != ref.key) return NoSuchUpload(*ref.upload_id);
  return std::move(*upload);
}

// A part request's SSE-C trio must repeat the upload's exactly (as on AWS); then the upload's
// data key is opened as this caller (KMS Decrypt for KMS uploads).
Result<crypto::SecretBytes> OpenUploadKey(const ObjectServices& s, const S3Caller& c,
                                          const Bucket& bucket, const ObjectDoc& doc,
                                          const SseHeaders& sse) {
  SEALSTACK_ASSIGN_OR_RETURN(std::optional<CustomerKey> customer,
                             ParseCustomerKey(sse, CustomerKeyUse::kPart));
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

// A composite checksum: the algorithm over the concatenated raw part checksums, "-N".
std::string CompositeChecksum(crypto::ChecksumAlgorithm alg,
                              const std::vector<std::string>& parts_b64) {
  crypto::Checksum sum(alg);
  for (const auto& p : parts_b64) sum.Update(crypto::FromBase64(p).value_or(""));
  return sum.DigestBase64() + "-" + std::to_string(parts_b64.size());
}

// The value `part` gives for `alg`, "" if none.
std::string GivenChecksum(const ChosenPart& part, crypto::ChecksumAlgorithm alg) {
  for (const auto& [a, v] : part.checksums) {
    if (a == alg) return v;
  }
  return "";
}

// The upload a part goes into, its data key opened for this caller.
struct PartTarget {
  UploadInfo upload;
  Bucket bucket;
  ObjectDoc doc;
  crypto::SecretBytes key;
  int part_number = 0;
};

Result<PartTarget> OpenPartTarget(const ObjectServices& s, const S3Caller& c, const UploadRef& ref,
                                  const std::optional<std::string>& number, const SseHeaders& sse) {
  PartTarget t;
  SEALSTACK_ASSIGN_OR_RETURN(t.part_number, PartNumber(number));
  SEALSTACK_ASSIGN_OR_RETURN(
      t.bucket, s.buckets->Access(c, ref.bucket,
                                  S3Access{"s3:PutObject", ObjectArn(ref.bucket, ref.key), {}}));
  SEALSTACK_ASSIGN_OR_RETURN(t.upload, FindUpload(s, ref));
  SEALSTACK_ASSIGN_OR_RETURN(t.doc, DecodeObjectDoc(t.upload.doc, t.upload.wrapped_key));
  SEALSTACK_ASSIGN_OR_RETURN(t.key, OpenUploadKey(s, c, t.bucket, t.doc, sse));
  return t;
}

// Records a finished part writer as the part, and what to answer.
Result<UploadPartOutput> CommitPart(ObjectWriter& writer, const PartTarget& t,
                                    const BodySummary& body,
                                    std::optional<crypto::ChecksumAlgorithm> alg) {
  auto part = writer.CommitPart();
  if (!part.ok()) return UploadGone(part.status(), t.upload.upload_id);
  UploadPartOutput out;
  out.etag = part->etag;
  out.last_modified = part->created_at;
  out.sse = t.doc.sse;
  if (alg && body.checksum) out.checksum = ReportedChecksum{*alg, *body.checksum};
  return out;
}

// Part 1 starts the object: an AWS Encryption SDK message header there is the object's
// client-side layer (client_side.h). S3 Encryption Client metadata, read at
// CreateMultipartUpload, wins. Kept in the upload's doc, which CompleteMultipartUpload turns into
// the object's; a part 1 uploaded again replaces it.
Status NoteFirstPartLayer(const ObjectServices& s, PartTarget& t, std::string_view prefix) {
  if (!t.doc.client_side.empty() && t.doc.client_side.format != "aws-encryption-sdk") {
    return Status::Ok();
  }
  std::optional<ClientSideLayer> esdk = ParseEsdkHeader(prefix);
  if (!esdk && t.doc.client_side.empty()) return Status::Ok();
  t.doc.client_side = esdk.value_or(ClientSideLayer{});
  Status st = s.store->UpdateUploadDoc(t.upload.upload_id, EncodeObjectDoc(t.doc));
  return st.ok() ? st : UploadGone(st, t.upload.upload_id);
}

// x-amz-copy-source-range: "bytes=first-last" within the source.
Result<std::optional<ByteRange>> CopySourceRange(const std::optional<std::string>& header,
                                                 uint64_t source_size) {
  if (!header) return std::optional<ByteRange>();
  std::string_view v = Trim(*header);
  int64_t first = -1, last = -1;
  size_t dash = v.find('-');
  if (!StartsWith(v, "bytes=") || dash == std::string_view::npos ||
      !ParseInt(v.substr(6, dash - 6), &first) || !ParseInt(v.substr(dash + 1), &last) ||
      first > last) {
    return S3Error(ErrorKind::kInvalidArgument,
                   "The x-amz-copy-source-range value must be of the form bytes=first-last "
                   "where first and last are the zero-based offsets of the first and last "
                   "bytes to copy",
                   {{"ArgumentName", "x-amz-copy-source-range"}, {"ArgumentValue", *header}});
  }
  if (static_cast<uint64_t>(last) >= source_size) {
    return S3Error(
        ErrorKind::kInvalidArgument,
        "Range specified is not valid for source object of size: " + std::to_string(source_size),
        {{"ArgumentName", "x-amz-copy-source-range"}, {"ArgumentValue", *header}});
  }
  return std::optional<ByteRange>(
      ByteRange{static_cast<uint64_t>(first), static_cast<uint64_t>(last)});
}

// The whole object's checksum from its parts': COMPOSITE hashes the part checksums,
// FULL_OBJECT combines the part CRCs into the CRC of the whole body. BadDigest when the client
// claimed another FULL_OBJECT value.
Status SetObjectChecksum(ObjectDoc* doc, std::optional<crypto::ChecksumAlgorithm> alg,
                         const HeaderList& claimed_headers) {
  const bool all_part_checksums =
      alg && std::none_of(doc->part_checksums.begin(), doc->part_checksums.end(),
                          [](const std::string& v) { return v.empty(); });
  doc->checksum_value.clear();
  if (!all_part_checksums) return Status::Ok();
  if (doc->checksum_type == "COMPOSITE") {
    doc->checksum_value = CompositeChecksum(*alg, doc->part_checksums);
    return Status::Ok();
  }
  std::vector<std::pair<std::string, uint64_t>> pieces;
  for (size_t i = 0; i < doc->part_checksums.size(); ++i) {
    pieces.emplace_back(crypto::FromBase64(doc->part_checksums[i]).value_or(""),
                        doc->part_sizes[i]);
  }
  auto whole = crypto::CombineCrcs(*alg, pieces);
  if (!whole) return Status::Ok();
  doc->checksum_value = crypto::Base64(*whole);
  for (const auto& [name, value] : claimed_headers) {
    if (!EqualsIgnoreCase(name, crypto::ChecksumHeaderName(*alg))) continue;
    if (Trim(value) != doc->checksum_value) {
      return S3Error(ErrorKind::kBadDigest,
                     "The " + std::string(crypto::ChecksumAlgorithmName(*alg)) +
                         " you specified did not match the calculated checksum.");
    }
    break;  // the first such header counts
  }
  return Status::Ok();
}

}  // namespace

Result<CreateMultipartUploadOutput> Service::CreateMultipartUpload(
    const S3Caller& c, const CreateMultipartUploadInput& in) {
  const ObjectServices& s = parts_;
  SEALSTACK_ASSIGN_OR_RETURN(
      NewObjectWrite w, PrepareNewObjectWrite(s, c, in.bucket, in.key, in.user_metadata, in.sse,
                                              in.acl, in.tags, in.lock));
  ObjectDoc doc;
  if (in.checksum_algorithm) {
    SEALSTACK_ASSIGN_OR_RETURN(crypto::ChecksumAlgorithm alg,
                               ParseChecksumAlgorithm(*in.checksum_algorithm));
    doc.checksum_algorithm = std::string(crypto::ChecksumAlgorithmName(alg));
    doc.checksum_type = alg == crypto::ChecksumAlgorithm::kCrc64Nvme ? "FULL_OBJECT" : "COMPOSITE";
    if (in.checksum_type) {
      std::string type(Trim(*in.checksum_type));
      for (char& ch : type) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (type != "COMPOSITE" && type != "FULL_OBJECT") {
        return S3Error(ErrorKind::kInvalidRequest, "Value for x-amz-checksum-type is invalid.");
      }
      doc.checksum_type = type;
    }
  }
  SEALSTACK_ASSIGN_OR_RETURN(DataKey dk, s.keys->NewDataKey(KmsCaller(c), w.encryption,
                                                            w.bucket.account, in.bucket, in.key));
  doc.content_headers = in.content_headers;
  doc.user_metadata = in.user_metadata;
  doc.tags = in.tags;
  doc.lock = w.lock;
  doc.sse = dk.protection;
  doc.user_context_b64 = in.sse.context.value_or("");
  doc.client_side = DetectClientSide(in.user_metadata, "", s.keys->BlobKeyResolver());
  SEALSTACK_ASSIGN_OR_RETURN(
      UploadInfo upload, s.store->CreateMultipartUpload(
                             in.bucket, in.key, dk.protection.wrapped_key, EncodeObjectDoc(doc)));
  CreateMultipartUploadOutput out;
  out.upload_id = upload.upload_id;
  out.protection = {dk.protection, doc.user_context_b64};
  out.checksum_algorithm = doc.checksum_algorithm;
  out.checksum_type = doc.checksum_type;
  return out;
}

Result<UploadPartOutput> Service::UploadPart(const S3Caller& c, const UploadPartInput& in) {
  const ObjectServices& s = parts_;
  SEALSTACK_ASSIGN_OR_RETURN(PartTarget t, OpenPartTarget(s, c, in.upload, in.part_number, in.sse));
  // An upload created without an algorithm gets AWS's default, a full-object CRC64NVME: each
  // part is answered with its CRC64NVME unless the client sent another checksum, which is
  // verified; the part's CRC64NVME is kept either way for CompleteMultipartUpload.
  const auto upload_algorithm = crypto::ChecksumAlgorithmFromName(t.doc.checksum_algorithm);
  SEALSTACK_ASSIGN_OR_RETURN(
      IntegrityRequest integrity,
      ParseIntegrity(in.integrity,
                     upload_algorithm.value_or(crypto::ChecksumAlgorithm::kCrc64Nvme)));
  WriteOptions options;
  options.checksum = integrity.algorithm;
  options.part_crc64nvme =
      !upload_algorithm && integrity.algorithm != crypto::ChecksumAlgorithm::kCrc64Nvme;
  options.md5 = t.doc.sse.mode == SseMode::kSseS3 || integrity.content_md5.has_value();
  SEALSTACK_ASSIGN_OR_RETURN(
      auto writer, s.store->NewPartWriter(t.upload.upload_id, t.part_number, t.key, options));
  ClientSidePrefix prefix;  // part 1's first bytes, for an ESDK message header
  SEALSTACK_RETURN_IF_ERROR(in.body([&](std::string_view piece) {
    if (t.part_number == 1) prefix.Feed(piece);
    return writer->Append(piece);
  }));
  SEALSTACK_ASSIGN_OR_RETURN(BodySummary body, writer->Finish());
  SEALSTACK_RETURN_IF_ERROR(CheckIntegrity(integrity, body));
  SEALSTACK_ASSIGN_OR_RETURN(UploadPartOutput out,
                             CommitPart(*writer, t, body, integrity.algorithm));
  if (t.part_number == 1) SEALSTACK_RETURN_IF_ERROR(NoteFirstPartLayer(s, t, prefix.bytes()));
  return out;
}

Result<UploadPartOutput> Service::UploadPartCopy(const S3Caller& c, const UploadPartCopyInput& in) {
  const ObjectServices& s = parts_;
  SEALSTACK_ASSIGN_OR_RETURN(PartTarget t, OpenPartTarget(s, c, in.upload, in.part_number, in.sse));
  SEALSTACK_ASSIGN_OR_RETURN(ReadableObject source,
                             OpenForRead(s, c, in.source_bucket, in.source_key,
                                         in.source_version_id, "s3:GetObject", in.source_sse));
  SEALSTACK_RETURN_IF_ERROR(CheckCopySourceConditions(in.source_conditions, source.info));
  SEALSTACK_ASSIGN_OR_RETURN(std::optional<ByteRange> range,
                             CopySourceRange(in.source_range, source.info.size));
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes source_key, OpenObjectKey(s, c, source));
  const auto upload_algorithm = crypto::ChecksumAlgorithmFromName(t.doc.checksum_algorithm);
  WriteOptions options;
  // Without an upload algorithm, the part's CRC64NVME is kept (not reported) for the default
  // full-object checksum, as UploadPart does.
  options.checksum = upload_algorithm.value_or(crypto::ChecksumAlgorithm::kCrc64Nvme);
  options.md5 = t.doc.sse.mode == SseMode::kSseS3;
  SEALSTACK_ASSIGN_OR_RETURN(
      auto writer, s.store->NewPartWriter(t.upload.upload_id, t.part_number, t.key, options));
  if (source.info.size > 0) {
    SEALSTACK_RETURN_IF_ERROR(
        s.store->Read(source.info, source_key, range,
                      [&](std::string_view plain) { return writer->Append(plain); }));
  }
  SEALSTACK_ASSIGN_OR_RETURN(BodySummary body, writer->Finish());
  SEALSTACK_ASSIGN_OR_RETURN(UploadPartOutput out, CommitPart(*writer, t, body, upload_algorithm));
  out.source_version_id = ReportedVersionId(source.bucket, source.info.version_id);
  if (in.source_version_id) out.source_version_id = source.info.version_id;
  return out;
}

Result<CompleteMultipartUploadOutput> Service::CompleteMultipartUpload(
    const S3Caller& c, const CompleteMultipartUploadInput& in) {
  const ObjectServices& s = parts_;
  const UploadRef& ref = in.upload;
  SEALSTACK_ASSIGN_OR_RETURN(
      Bucket bucket,
      s.buckets->Access(c, ref.bucket,
                        S3Access{"s3:PutObject", ObjectArn(ref.bucket, ref.key), {}}));
  SEALSTACK_ASSIGN_OR_RETURN(UploadInfo upload, FindUpload(s, ref));
  SEALSTACK_ASSIGN_OR_RETURN(std::vector<ChosenPart> wanted, in.parts());
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
  // Without an algorithm named at creation, AWS computes a full-object CRC64NVME and answers
  // it here, but does not keep it with the object (HeadObject and GetObjectAttributes do not
  // report it).
  const bool default_checksum = doc.checksum_algorithm.empty();
  const auto alg = default_checksum ? crypto::ChecksumAlgorithm::kCrc64Nvme
                                    : crypto::ChecksumAlgorithmFromName(doc.checksum_algorithm);
  if (default_checksum) doc.checksum_type = "FULL_OBJECT";
  std::vector<PartChoice> choices;
  doc.part_sizes.clear();
  doc.part_checksums.clear();
  for (const ChosenPart& want : wanted) {
    auto it = uploaded.find(want.part_number);
    if (it == uploaded.end() || it->second.etag != Unquoted(want.etag)) {
      return InvalidPart(want.part_number, want.etag);
    }
    if (alg) {
      const std::string given = GivenChecksum(want, *alg);
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
  SEALSTACK_RETURN_IF_ERROR(SetObjectChecksum(&doc, alg, in.checksum_headers));
  std::optional<ReportedChecksum> reported;
  if (alg && !doc.checksum_value.empty()) {
    reported = ReportedChecksum{*alg, doc.checksum_value, doc.checksum_type};
  }
  if (default_checksum) {
    doc.checksum_type.clear();
    doc.checksum_value.clear();
    doc.part_checksums.clear();
  }
  ObjectMetadata meta;
  meta.wrapped_key = upload.wrapped_key;
  // The ESDK layer part 1 showed starts the object only if part 1 is its first part.
  if (doc.client_side.format == "aws-encryption-sdk" &&
      (wanted.empty() || wanted.front().part_number != 1)) {
    doc.client_side = ClientSideLayer{};
  }
  meta.doc = EncodeObjectDoc(doc);
  // A new version of the key, under the upload's own data key (versioning as at completion).
  SEALSTACK_ASSIGN_OR_RETURN(meta.version_id, VersionIdForWrite(*s.store, bucket));
  auto info = s.store->CompleteMultipartUpload(upload.upload_id, choices, meta);
  if (!info.ok()) return UploadGone(info.status(), upload.upload_id);
  CompleteMultipartUploadOutput out;
  out.etag = info->etag;
  out.version_id = ReportedVersionId(bucket, info->version_id);
  out.sse = doc.sse;
  out.checksum = std::move(reported);
  return out;
}

Status Service::AbortMultipartUpload(const S3Caller& c, const UploadRef& ref) {
  SEALSTACK_RETURN_IF_ERROR(
      parts_.buckets
          ->Access(c, ref.bucket,
                   S3Access{"s3:AbortMultipartUpload", ObjectArn(ref.bucket, ref.key), {}})
          .status());
  SEALSTACK_ASSIGN_OR_RETURN(UploadInfo upload, FindUpload(parts_, ref));
  return UploadGone(parts_.store->AbortMultipartUpload(upload.upload_id), upload.upload_id);
}

Result<ListPartsOutput> Service::ListParts(const S3Caller& c, const ListPartsInput& in) {
  const UploadRef& ref = in.upload;
  SEALSTACK_ASSIGN_OR_RETURN(
      Bucket bucket,
      parts_.buckets->Access(
          c, ref.bucket,
          S3Access{"s3:ListMultipartUploadParts", ObjectArn(ref.bucket, ref.key), {}}));
  SEALSTACK_ASSIGN_OR_RETURN(UploadInfo upload, FindUpload(parts_, ref));
  SEALSTACK_ASSIGN_OR_RETURN(ObjectDoc doc, DecodeObjectDoc(upload.doc, upload.wrapped_key));
  ListPartsOutput out;
  SEALSTACK_ASSIGN_OR_RETURN(out.max_parts, Count(in.max_parts, "max-parts", 1000));
  out.max_parts = std::min<int64_t>(out.max_parts, 1000);
  SEALSTACK_ASSIGN_OR_RETURN(out.part_number_marker,
                             Count(in.part_number_marker, "part-number-marker", 0));
  out.owner_account = bucket.account;
  out.upload_id = upload.upload_id;
  out.checksum_algorithm = doc.checksum_algorithm;
  if (!doc.checksum_algorithm.empty()) out.checksum_type = doc.checksum_type;
  if (out.max_parts > 0) {
    SEALSTACK_ASSIGN_OR_RETURN(
        PartPage page,
        parts_.store->ListParts(upload.upload_id, static_cast<int>(out.part_number_marker),
                                static_cast<size_t>(out.max_parts)));
    out.truncated = page.truncated;
    out.parts = std::move(page.parts);
  }
  return out;
}

Result<ListMultipartUploadsOutput> Service::ListMultipartUploads(
    const S3Caller& c, const ListMultipartUploadsInput& in) {
  SEALSTACK_ASSIGN_OR_RETURN(Bucket bucket,
                             parts_.buckets->Access(c, in.bucket, "s3:ListBucketMultipartUploads"));
  ListMultipartUploadsOutput out;
  out.owner_account = bucket.account;
  SEALSTACK_ASSIGN_OR_RETURN(int64_t max_uploads, Count(in.max_uploads, "max-uploads", 1000));
  max_uploads = std::min<int64_t>(max_uploads, 1000);
  out.max_uploads = max_uploads;
  storage::S3ListUploadsOptions options;
  options.prefix = in.prefix;
  options.key_marker = in.key_marker;
  options.upload_id_marker = in.upload_id_marker;
  const std::string delimiter = in.delimiter.value_or("");
  if (!delimiter.empty() && options.upload_id_marker.empty() &&
      EndsWith(options.key_marker, delimiter)) {
    options.key_marker += "\xff";  // a common prefix returned earlier: skip what is under it
  }
  size_t returned = 0;
  while (max_uploads > 0 && returned < static_cast<size_t>(max_uploads)) {
    options.limit = static_cast<size_t>(max_uploads) - returned;
    SEALSTACK_ASSIGN_OR_RETURN(UploadPage page,
                               parts_.store->ListMultipartUploads(in.bucket, options));
    bool skipped = false;
    for (auto& u : page.uploads) {
      if (!delimiter.empty()) {
        size_t at = u.key.find(delimiter, options.prefix.size());
        if (at != std::string::npos) {
          std::string cp = u.key.substr(0, at + delimiter.size());
          if (out.common_prefixes.empty() || out.common_prefixes.back() != cp) {
            out.common_prefixes.push_back(cp);
            ++returned;
          }
          out.next_key_marker = cp;
          out.next_upload_id_marker.clear();
          options.key_marker = cp + "\xff";  // past every key under the prefix
          options.upload_id_marker.clear();
          skipped = true;
          break;
        }
      }
      out.next_key_marker = u.key;
      out.next_upload_id_marker = u.upload_id;
      options.key_marker = u.key;
      options.upload_id_marker = u.upload_id;
      out.uploads.push_back(std::move(u));
      ++returned;
      if (returned >= static_cast<size_t>(max_uploads)) break;
    }
    if (skipped) continue;
    if (!page.truncated) break;
    if (returned >= static_cast<size_t>(max_uploads)) {
      out.truncated = true;
      break;
    }
  }
  if (returned >= static_cast<size_t>(max_uploads) && max_uploads > 0 && !out.truncated) {
    // Is there anything after what we returned?
    options.limit = 1;
    SEALSTACK_ASSIGN_OR_RETURN(UploadPage more,
                               parts_.store->ListMultipartUploads(in.bucket, options));
    out.truncated = !more.uploads.empty();
  }
  if (!out.truncated) {
    out.next_key_marker.clear();
    out.next_upload_id_marker.clear();
  }
  return out;
}

}  // namespace sealstack::api::s3
