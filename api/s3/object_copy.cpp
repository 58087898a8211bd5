#include "api/s3/object_copy.h"

#include "api/s3/s3_errors.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "crypto/digest.h"

namespace sealstack::api::s3 {

namespace {

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

Result<CopySource> ParseCopySource(const S3Request& r) {
  const std::string* header = Header(r, "x-amz-copy-source");
  if (header == nullptr) return InvalidCopySource();
  std::string_view v = Trim(*header);
  if (size_t q = v.find('?'); q != std::string_view::npos) {
    std::string_view query = v.substr(q + 1);
    v = v.substr(0, q);
    if (StartsWith(query, "versionId=") && query != "versionId=null") {
      // No versioning: only the current object exists, and it has no addressable version.
      return S3Error(ErrorKind::kInvalidArgument, "Invalid version id specified",
                     {{"ArgumentName", "x-amz-copy-source"},
                      {"ArgumentValue", std::string(query.substr(10))}});
    }
  }
  if (StartsWith(v, "/")) v.remove_prefix(1);
  std::string decoded;
  if (!PercentDecode(v, &decoded)) return InvalidCopySource();
  size_t slash = decoded.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == decoded.size()) {
    return InvalidCopySource();
  }
  return CopySource{decoded.substr(0, slash), decoded.substr(slash + 1)};
}

Status CheckCopySourceConditions(const S3Request& r, const ObjectInfo& source) {
  const std::string etag = Quoted(source.etag);
  const auto modified = std::chrono::floor<std::chrono::seconds>(source.created_at);
  auto failed = [](const char* condition) -> Status {
    return S3Error(ErrorKind::kPreconditionFailed,
                   "At least one of the pre-conditions you specified did not hold",
                   {{"Condition", condition}});
  };
  const std::string* if_match = Header(r, "x-amz-copy-source-if-match");
  if (if_match != nullptr && Trim(*if_match) != etag && Trim(*if_match) != "*") {
    return failed("x-amz-copy-source-If-Match");
  }
  if (const std::string* h = Header(r, "x-amz-copy-source-if-none-match")) {
    if (Trim(*h) == etag || Trim(*h) == "*") return failed("x-amz-copy-source-If-None-Match");
  }
  if (const std::string* h = Header(r, "x-amz-copy-source-if-unmodified-since")) {
    auto t = ParseHttpDate(*h);
    if (if_match == nullptr && t && modified > *t) {
      return failed("x-amz-copy-source-If-Unmodified-Since");
    }
  }
  if (const std::string* h = Header(r, "x-amz-copy-source-if-modified-since")) {
    auto t = ParseHttpDate(*h);
    if (t && modified <= *t) return failed("x-amz-copy-source-If-Modified-Since");
  }
  return Status::Ok();
}

Result<ApiResponse> CopyObject(const ObjectServices& s, const S3Caller& c, const S3Request& r,
                               const RequestIds& ids) {
  SEALSTACK_ASSIGN_OR_RETURN(CopySource src, ParseCopySource(r));
  if (r.key.size() > 1024) {
    return S3Error(ErrorKind::kKeyTooLong, "Your key is too long",
                   {{"Size", std::to_string(r.key.size())}});
  }
  SseHeaders dest_sse = ExtractSseHeaders(*r.headers);
  SEALSTACK_ASSIGN_OR_RETURN(Bucket dest_bucket,
                             s.buckets->Access(c, r.bucket,
                                               S3Access{"s3:PutObject", ObjectArn(r.bucket, r.key),
                                                        WriteConditionKeys(dest_sse, c)}));
  SEALSTACK_ASSIGN_OR_RETURN(ReadableObject source,
                             OpenForRead(s, c, src.bucket, src.key, "s3:GetObject",
                                         ExtractSseHeaders(*r.headers, /*copy_source=*/true)));
  SEALSTACK_RETURN_IF_ERROR(CheckCopySourceConditions(r, source.info));

  std::string directive = "COPY";
  if (const std::string* d = Header(r, "x-amz-metadata-directive")) directive = Trim(*d);
  if (directive == "REPLACE") SEALSTACK_RETURN_IF_ERROR(CheckUserMetadataSize(*r.headers));
  if (directive != "COPY" && directive != "REPLACE") {
    return S3Error(ErrorKind::kInvalidArgument, "Unknown metadata directive.",
                   {{"ArgumentName", "x-amz-metadata-directive"}, {"ArgumentValue", directive}});
  }
  const bool changes_encryption = dest_sse.sse || dest_sse.kms_key_id ||
                                  dest_sse.customer_algorithm || dest_sse.customer_key ||
                                  dest_sse.bucket_key;
  if (src.bucket == r.bucket && src.key == r.key && directive == "COPY" && !changes_encryption &&
      Header(r, "x-amz-storage-class") == nullptr &&
      Header(r, "x-amz-website-redirect-location") == nullptr) {
    return S3Error(ErrorKind::kInvalidRequest,
                   "This copy request is illegal because it is trying to copy an object to itself "
                   "without changing the object's metadata, storage class, website redirect "
                   "location or encryption attributes.");
  }
  SEALSTACK_ASSIGN_OR_RETURN(WriteEncryption enc,
                             ResolveObjectEncryption(s, c, dest_bucket, dest_sse, r.key));
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes source_key, OpenObjectKey(s, c, source));

  std::optional<crypto::ChecksumAlgorithm> alg =
      crypto::ChecksumAlgorithmFromName(source.doc.checksum_algorithm);
  bool client_asked = false;
  if (const std::string* a = Header(r, "x-amz-checksum-algorithm")) {
    alg = crypto::ChecksumAlgorithmFromName(Trim(*a));
    if (!alg) {
      return S3Error(ErrorKind::kInvalidRequest,
                     "Checksum algorithm provided is unsupported. Please try again with any of "
                     "the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
    }
    client_asked = true;
  }
  if (!alg) alg = crypto::ChecksumAlgorithm::kCrc64Nvme;

  SEALSTACK_ASSIGN_OR_RETURN(
      DataKey dk, s.keys->NewDataKey(KmsCaller(c), enc, dest_bucket.account, r.bucket, r.key));
  WriteOptions options;
  options.checksum = alg;
  options.md5 = enc.mode == SseMode::kSseS3;
  SEALSTACK_ASSIGN_OR_RETURN(auto writer,
                             s.store->NewObjectWriter(r.bucket, r.key, dk.plaintext, options));
  SEALSTACK_RETURN_IF_ERROR(
      s.store->Read(source.info, source_key, std::nullopt,
                    [&](std::string_view plain) { return writer->Append(plain); }));
  SEALSTACK_ASSIGN_OR_RETURN(BodySummary body, writer->Finish());

  ObjectDoc doc;
  if (directive == "COPY") {
    doc.content_headers = source.doc.content_headers;
    doc.user_metadata = source.doc.user_metadata;
  } else {
    CaptureContentHeaders(*r.headers, &doc);
  }
  doc.sse = dk.protection;
  doc.user_context_b64 = dest_sse.context.value_or("");  // the source's is not copied
  doc.checksum_algorithm = std::string(crypto::ChecksumAlgorithmName(*alg));
  doc.checksum_value = body.checksum.value_or("");
  ObjectMetadata meta;
  meta.wrapped_key = dk.protection.wrapped_key;
  meta.doc = EncodeObjectDoc(doc);
  if (enc.mode != SseMode::kSseS3) {
    meta.etag = crypto::Hex(crypto::Md5(body.md5 + dk.protection.wrapped_key));
  }
  SEALSTACK_ASSIGN_OR_RETURN(ObjectInfo info, writer->Commit(meta));

  CopyResult result;
  result.last_modified = info.created_at;
  result.etag = info.etag;
  if (client_asked) {
    result.checksum_type = "FULL_OBJECT";
    SetChecksum(&result.checksums, *alg, doc.checksum_value);
  }
  ApiResponse resp = XmlResponse(200, RenderCopyObjectResult(result), ids);
  AddWriteSseHeaders(&resp, dk.protection, doc.user_context_b64);
  return resp;
}

}  // namespace sealstack::api::s3
