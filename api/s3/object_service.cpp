// s3::Service object operations: PutObject, GetObject, HeadObject, DeleteObject.
#include <algorithm>
#include <charconv>

#include "api/s3/object_common.h"
#include "api/s3/object_versions.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_service.h"
#include "common/strings.h"

namespace sealstack::api::s3 {

namespace {

// "bytes=a-b" | "bytes=a-" | "bytes=-n". nullopt = no (usable) Range; S3 ignores multi-ranges.
Result<std::optional<ByteRange>> ParseRange(const std::string& header, uint64_t size) {
  std::string_view h = Trim(header);
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
                   {{"RangeRequested", header}, {"ActualObjectSize", std::to_string(size)}});
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

enum class ConditionOutcome { kProceed, kNotModified };

// If-Match / If-Unmodified-Since fail with 412; If-None-Match / If-Modified-Since answer 304
// (RFC 7232 precedence, as S3 applies it: each first condition overrides the second).
Result<ConditionOutcome> CheckReadConditions(const Conditions& c, const ObjectInfo& info) {
  const ConditionResults r = EvaluateConditions(c, info);
  if (!r.if_match) return PreconditionFailed("If-Match");
  if (!c.if_match && !r.if_unmodified_since) return PreconditionFailed("If-Unmodified-Since");
  if (!r.if_none_match) return ConditionOutcome::kNotModified;
  if (!c.if_none_match && !r.if_modified_since) return ConditionOutcome::kNotModified;
  return ConditionOutcome::kProceed;
}

// The ObjectParts attribute of a multipart object (x-amz-part-number-marker and
// x-amz-max-parts page its part list; values that do not parse count as absent).
ObjectPartsInfo PartsOf(const ObjectDoc& doc, const GetObjectAttributesInput& in) {
  ObjectPartsInfo parts;
  parts.parts_count = static_cast<int>(doc.part_sizes.size());
  auto alg = crypto::ChecksumAlgorithmFromName(doc.checksum_algorithm);
  if (!alg || doc.part_checksums.size() != doc.part_sizes.size()) return parts;
  int marker = 0, max_parts = 1000;
  if (in.part_number_marker) {
    const std::string& m = *in.part_number_marker;
    std::from_chars(m.data(), m.data() + m.size(), marker);
  }
  if (in.max_parts) {
    const std::string& m = *in.max_parts;
    std::from_chars(m.data(), m.data() + m.size(), max_parts);
  }
  max_parts = std::clamp(max_parts, 0, 1000);
  parts.list_parts = true;
  parts.algorithm = *alg;
  parts.part_number_marker = marker;
  parts.max_parts = max_parts;
  for (size_t i = static_cast<size_t>(std::max(marker, 0)); i < doc.part_sizes.size(); ++i) {
    if (static_cast<int>(parts.parts.size()) >= max_parts) {
      parts.truncated = true;
      break;
    }
    const int number = static_cast<int>(i + 1);
    parts.parts.push_back({number, doc.part_sizes[i], doc.part_checksums[i]});
    parts.next_part_number_marker = number;
  }
  return parts;
}

}  // namespace

Status ObjectReader::WriteTo(const PlaintextWriter& write) const {
  if (key_ == nullptr || head_.content_length() == 0) return Status::Ok();
  return store_->Read(*info_, *key_, head_.range, [&](std::string_view plain) {
    return write(plain) ? Status::Ok() : Status::Unavailable("client went away");
  });
}

Result<PutObjectOutput> Service::PutObject(const S3Caller& c, const PutObjectInput& in) {
  const ObjectServices& s = parts_;
  SEALSTACK_ASSIGN_OR_RETURN(
      NewObjectWrite w, PrepareNewObjectWrite(s, c, in.bucket, in.key, in.user_metadata, in.sse,
                                              in.acl, in.tags, in.lock));
  // Integrity: Content-MD5 and at most one x-amz-checksum-* (else CRC64NVME by default).
  SEALSTACK_ASSIGN_OR_RETURN(IntegrityRequest integrity,
                             ParseIntegrity(in.integrity, crypto::ChecksumAlgorithm::kCrc64Nvme));
  if ((w.lock.has_retention() || !w.lock.legal_hold.empty()) && !integrity.content_md5 &&
      !integrity.client_asked) {
    return S3Error(ErrorKind::kInvalidRequest,
                   "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object "
                   "requests with Object Lock parameters");
  }

  SEALSTACK_ASSIGN_OR_RETURN(DataKey dk, s.keys->NewDataKey(KmsCaller(c), w.encryption,
                                                            w.bucket.account, in.bucket, in.key));
  WriteOptions options;
  options.checksum = integrity.algorithm;
  options.md5 = w.encryption.mode == SseMode::kSseS3 || integrity.content_md5.has_value();
  SEALSTACK_ASSIGN_OR_RETURN(auto writer,
                             s.store->NewObjectWriter(in.bucket, in.key, dk.plaintext, options));
  ClientSidePrefix prefix;  // the body's first bytes, for an ESDK message header
  SEALSTACK_RETURN_IF_ERROR(in.body([&](std::string_view piece) {
    prefix.Feed(piece);
    return writer->Append(piece);
  }));
  SEALSTACK_ASSIGN_OR_RETURN(BodySummary body, writer->Finish());
  SEALSTACK_RETURN_IF_ERROR(CheckIntegrity(integrity, body));

  ObjectDoc doc;
  doc.content_headers = in.content_headers;
  doc.user_metadata = in.user_metadata;
  doc.sse = dk.protection;
  doc.user_context_b64 = in.sse.context.value_or("");
  doc.checksum_algorithm = std::string(crypto::ChecksumAlgorithmName(*integrity.algorithm));
  doc.checksum_value = body.checksum.value_or("");
  doc.tags = in.tags;
  doc.lock = w.lock;
  doc.client_side = DetectClientSide(in.user_metadata, prefix.bytes(), s.keys->BlobKeyResolver());
  ObjectMetadata meta = NewObjectMetadata(doc, body);
  SEALSTACK_ASSIGN_OR_RETURN(meta.version_id, VersionIdForWrite(*s.store, w.bucket));
  SEALSTACK_ASSIGN_OR_RETURN(ObjectInfo info, writer->Commit(meta));

  PutObjectOutput out;
  out.etag = info.etag;
  out.version_id = ReportedVersionId(w.bucket, info.version_id);
  out.protection = {dk.protection, doc.user_context_b64};
  if (integrity.client_asked)
    out.checksum = ReportedChecksum{*integrity.algorithm, doc.checksum_value};
  return out;
}

Result<ObjectReader> Service::GetObject(const S3Caller& c, const GetObjectInput& in) {
  return Open(c, in, /*head=*/false);
}

Result<ObjectHead> Service::HeadObject(const S3Caller& c, const GetObjectInput& in) {
  SEALSTACK_ASSIGN_OR_RETURN(ObjectReader reader, Open(c, in, /*head=*/true));
  return std::move(reader.head_);
}

Result<ObjectReader> Service::Open(const S3Caller& c, const GetObjectInput& in, bool head) {
  SEALSTACK_RETURN_IF_ERROR(CheckReadHeaders(in.sse));
  SEALSTACK_ASSIGN_OR_RETURN(
      ReadableObject obj, OpenForRead(parts_, c, in.bucket, in.key, in.version_id, "s3:GetObject",
                                      in.sse, head ? "HEAD" : "GET"));
  const ObjectInfo& info = obj.info;
  const ObjectDoc& doc = obj.doc;
  // GET opens the data key (KMS Decrypt as the caller); HEAD needs no key material, except to
  // prove an SSE-C key.
  std::optional<crypto::SecretBytes> data_key;
  if (!head || doc.sse.mode == SseMode::kSseC) {
    SEALSTACK_ASSIGN_OR_RETURN(auto k, OpenObjectKey(parts_, c, obj));
    data_key = std::move(k);
  }
  ObjectReader reader;
  ObjectHead& out = reader.head_;
  out.etag = info.etag;
  out.last_modified = info.created_at;
  out.version_id = ReportedVersionId(obj.bucket, info.version_id);
  if (in.version_id) out.version_id = info.version_id;  // asked for by id: always told
  SEALSTACK_ASSIGN_OR_RETURN(ConditionOutcome outcome, CheckReadConditions(in.conditions, info));
  if (outcome == ConditionOutcome::kNotModified) {
    out.not_modified = true;
    return reader;
  }

  const bool multipart = !doc.part_sizes.empty() || info.extents.size() > 1;
  if (in.part_number) {
    if (in.range) {
      return S3Error(ErrorKind::kInvalidRequest,
                     "Cannot specify both Range header and partNumber query parameter");
    }
    SEALSTACK_ASSIGN_OR_RETURN(auto pr, PartRange(info, *in.part_number));
    out.range = pr.first;
    if (multipart) out.parts_count = pr.second;
  } else if (in.range) {
    SEALSTACK_ASSIGN_OR_RETURN(out.range, ParseRange(*in.range, info.size));
  }
  out.size = info.size;
  out.content_headers = doc.content_headers;
  out.user_metadata = doc.user_metadata;
  out.sse = doc.sse;
  out.tag_count = doc.tags.size();
  out.lock = ReadableLock(parts_, c, obj);
  const bool whole = !out.range || (out.range->first == 0 && out.range->last + 1 == info.size);
  if (whole && in.checksum_mode) out.checksum = StoredChecksum(doc);
  if (!head && out.content_length() > 0) {
    reader.store_ = parts_.store;
    reader.info_ = std::make_shared<const ObjectInfo>(std::move(obj.info));
    reader.key_ = std::make_shared<const crypto::SecretBytes>(std::move(*data_key));
  }
  return reader;
}

Result<GetObjectAttributesOutput> Service::GetObjectAttributes(const S3Caller& c,
                                                               const GetObjectAttributesInput& in) {
  SEALSTACK_RETURN_IF_ERROR(CheckReadHeaders(in.sse));
  SEALSTACK_ASSIGN_OR_RETURN(
      ReadableObject obj,
      OpenForRead(parts_, c, in.bucket, in.key, in.version_id, "s3:GetObjectAttributes", in.sse));
  if (!in.attributes || Trim(*in.attributes).empty()) {
    return S3Error(ErrorKind::kInvalidArgument, "Invalid attribute name specified.",
                   {{"ArgumentName", "x-amz-object-attributes"}, {"ArgumentValue", ""}});
  }
  if (obj.doc.sse.mode == SseMode::kSseC) {
    SEALSTACK_RETURN_IF_ERROR(OpenObjectKey(parts_, c, obj).status());  // proves the key
  }
  GetObjectAttributesOutput out;
  out.last_modified = obj.info.created_at;
  out.version_id = ReportedVersionId(obj.bucket, obj.info.version_id);
  const ObjectDoc& doc = obj.doc;
  for (auto name : Split(*in.attributes, ',')) {
    name = Trim(name);
    if (name == "ETag") {
      out.etag = obj.info.etag;
    } else if (name == "Checksum") {
      out.checksum = StoredChecksum(doc);
    } else if (name == "ObjectParts") {
      if (!doc.part_sizes.empty()) out.object_parts = PartsOf(doc, in);
    } else if (name == "StorageClass") {
      out.storage_class = "STANDARD";
    } else if (name == "ObjectSize") {
      out.object_size = obj.info.size;
    } else {
      return S3Error(
          ErrorKind::kInvalidArgument, "Invalid attribute name specified.",
          {{"ArgumentName", "x-amz-object-attributes"}, {"ArgumentValue", std::string(name)}});
    }
  }
  return out;
}

Result<DeleteObjectOutput> Service::DeleteObject(const S3Caller& c, const DeleteObjectInput& in) {
  SEALSTACK_ASSIGN_OR_RETURN(
      Bucket b,
      parts_.buckets->Access(c, in.bucket,
                             S3Access{VersionedAction("s3:DeleteObject", in.version_id.has_value()),
                                      ObjectArn(in.bucket, in.key),
                                      {}}));
  return DeleteObjectIn(c, b, in);
}

Result<DeleteObjectOutput> Service::DeleteObjectIn(const S3Caller& c, const Bucket& b,
                                                   const DeleteObjectInput& in) {
  ObjectStore& store = *parts_.store;
  DeleteObjectOutput out;
  if (in.version_id) {
    // That version goes for good; deleting one that does not exist succeeds, as on S3.
    SEALSTACK_RETURN_IF_ERROR(CheckVersionId(*in.version_id));
    if (ObjectLockEnabled(b)) {
      // A version under Object Lock stays (a delete marker above it is always allowed).
      Result<ObjectInfo> version = store.Head(in.bucket, in.key, *in.version_id);
      if (version.ok() && !version->delete_marker) {
        SEALSTACK_ASSIGN_OR_RETURN(ObjectDoc doc,
                                   DecodeObjectDoc(version->doc, version->wrapped_key));
        SEALSTACK_RETURN_IF_ERROR(
            CheckLockAllowsChange(parts_, c, b, *version, doc.lock, in.bypass_governance));
      }
    }
    SEALSTACK_ASSIGN_OR_RETURN(std::optional<ObjectInfo> removed,
                               store.DeleteVersion(in.bucket, in.key, *in.version_id));
    out.version_id = *in.version_id;
    out.delete_marker = removed && removed->delete_marker;
    return out;
  }
  if (!IsVersioned(b)) {
    SEALSTACK_RETURN_IF_ERROR(store.DeleteVersion(in.bucket, in.key, kNullVersionId).status());
    return out;
  }
  // Versioned: the key's versions stay, hidden under a new delete marker (made even when the
  // key has no version at all, as on S3).
  SEALSTACK_ASSIGN_OR_RETURN(std::string version_id, VersionIdForWrite(store, b));
  SEALSTACK_ASSIGN_OR_RETURN(ObjectInfo marker,
                             store.PutDeleteMarker(in.bucket, in.key, version_id));
  out.delete_marker = true;
  out.version_id = marker.version_id;
  return out;
}

}  // namespace sealstack::api::s3
