#include "api/s3/multipart_ops.h"

#include "api/s3/object_lock_ops.h"
#include "api/s3/object_tagging_ops.h"
#include "common/strings.h"

namespace sealstack::api::s3 {

namespace {

constexpr size_t kMaxCompleteBody = 4 << 20;  // 10,000 parts with checksums fit easily

UploadRef UploadOf(const S3Request& r) {
  UploadRef ref;
  ref.bucket = r.bucket;
  ref.key = r.key;
  if (const std::string* id = QueryParam(r, "uploadId")) ref.upload_id = *id;
  return ref;
}

std::optional<std::string> OptionalParam(const S3Request& r, std::string_view name) {
  const std::string* v = QueryParam(r, name);
  return v != nullptr ? std::optional<std::string>(*v) : std::nullopt;
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

}  // namespace

Result<ApiResponse> CreateMultipartUpload(Service& svc, const S3Caller& c, const S3Request& r,
                                          const RequestIds& ids) {
  CreateMultipartUploadInput in;
  in.bucket = r.bucket;
  in.key = r.key;
  CaptureContentHeaders(*r.headers, &in.content_headers, &in.user_metadata);
  in.sse = ExtractSseHeaders(*r.headers);
  SEALSTACK_ASSIGN_OR_RETURN(in.acl, AclRequestOf(r));
  in.checksum_algorithm = OptionalHeader(r, "x-amz-checksum-algorithm");
  in.checksum_type = OptionalHeader(r, "x-amz-checksum-type");
  SEALSTACK_ASSIGN_OR_RETURN(in.tags, TaggingHeaderOf(r));
  in.lock = ObjectLockHeadersOf(r);
  SEALSTACK_ASSIGN_OR_RETURN(CreateMultipartUploadOutput out, svc.CreateMultipartUpload(c, in));
  InitiateMultipartUploadResult result{r.bucket, r.key, out.upload_id};
  ApiResponse resp = XmlResponse(200, RenderInitiateMultipartUpload(result), ids);
  AddWriteSseHeaders(&resp, out.protection);
  if (!out.checksum_algorithm.empty()) {
    resp.SetHeader("x-amz-checksum-algorithm", out.checksum_algorithm);
    resp.SetHeader("x-amz-checksum-type", out.checksum_type);
  }
  return resp;
}

Result<ApiResponse> UploadPart(Service& svc, const S3Caller& c, const S3Request& r,
                               const PayloadReader& payload, const RequestIds& ids) {
  UploadPartInput in;
  in.upload = UploadOf(r);
  in.part_number = OptionalParam(r, "partNumber");
  in.sse = ExtractSseHeaders(*r.headers);
  in.integrity = IntegrityHeadersOf(r);
  in.body = payload;
  SEALSTACK_ASSIGN_OR_RETURN(UploadPartOutput out, svc.UploadPart(c, in));
  ApiResponse resp = EmptyResponse(200, ids);
  resp.SetHeader("ETag", Quoted(out.etag));
  AddSseHeaders(&resp, out.sse);  // parts never report the encryption context
  if (out.checksum) {
    resp.SetHeader(crypto::ChecksumHeaderName(out.checksum->algorithm), out.checksum->value);
  }
  return resp;
}

Result<ApiResponse> UploadPartCopy(Service& svc, const S3Caller& c, const S3Request& r,
                                   const RequestIds& ids) {
  SEALSTACK_ASSIGN_OR_RETURN(CopySource src, ParseCopySource(r));
  UploadPartCopyInput in;
  in.upload = UploadOf(r);
  in.part_number = OptionalParam(r, "partNumber");
  in.sse = ExtractSseHeaders(*r.headers);
  in.source_bucket = src.bucket;
  in.source_key = src.key;
  in.source_version_id = src.version_id;
  in.source_sse = ExtractSseHeaders(*r.headers, /*copy_source=*/true);
  in.source_conditions = ConditionsOf(r, "x-amz-copy-source-");
  in.source_range = OptionalHeader(r, "x-amz-copy-source-range");
  SEALSTACK_ASSIGN_OR_RETURN(UploadPartOutput out, svc.UploadPartCopy(c, in));
  CopyResult result;
  result.last_modified = out.last_modified;
  result.etag = out.etag;
  if (out.checksum) SetChecksum(&result.checksums, out.checksum->algorithm, out.checksum->value);
  ApiResponse resp = XmlResponse(200, RenderCopyPartResult(result), ids);
  AddSseHeaders(&resp, out.sse);
  if (out.source_version_id) resp.SetHeader("x-amz-copy-source-version-id", *out.source_version_id);
  return resp;
}

Result<ApiResponse> CompleteMultipartUpload(Service& svc, const S3Caller& c, const S3Request& r,
                                            const PayloadReader& payload, const RequestIds& ids) {
  CompleteMultipartUploadInput in;
  in.upload = UploadOf(r);
  in.parts = [&]() -> Result<std::vector<ChosenPart>> {
    SEALSTACK_ASSIGN_OR_RETURN(std::string body, ReadSmallBody(payload, kMaxCompleteBody));
    SEALSTACK_ASSIGN_OR_RETURN(CompleteMultipartUploadRequest request,
                               ParseCompleteMultipartUpload(body));
    std::vector<ChosenPart> parts;
    for (const CompletedPart& p : request.parts) {
      parts.push_back({p.part_number, p.etag, ChecksumsByAlgorithm(p.checksums)});
    }
    return parts;
  };
  in.checksum_headers = IntegrityHeadersOf(r).checksums;
  SEALSTACK_ASSIGN_OR_RETURN(CompleteMultipartUploadOutput out, svc.CompleteMultipartUpload(c, in));
  CompleteMultipartUploadResult result;
  result.location = LocationOf(r);
  result.bucket = r.bucket;
  result.key = r.key;
  result.etag = out.etag;
  if (out.checksum) {
    SetChecksum(&result.checksums, out.checksum->algorithm, out.checksum->value);
    result.checksum_type = out.checksum->type;
  }
  ApiResponse resp = XmlResponse(200, RenderCompleteMultipartUpload(result), ids);
  if (out.sse.mode != SseMode::kSseC) AddSseHeaders(&resp, out.sse);
  if (out.version_id) resp.SetHeader("x-amz-version-id", *out.version_id);
  return resp;
}

Result<ApiResponse> AbortMultipartUpload(Service& svc, const S3Caller& c, const S3Request& r,
                                         const RequestIds& ids) {
  SEALSTACK_RETURN_IF_ERROR(svc.AbortMultipartUpload(c, UploadOf(r)));
  return EmptyResponse(204, ids);
}

Result<ApiResponse> ListParts(Service& svc, const S3Caller& c, const S3Request& r,
                              const RequestIds& ids) {
  ListPartsInput in;
  in.upload = UploadOf(r);
  in.max_parts = OptionalParam(r, "max-parts");
  in.part_number_marker = OptionalParam(r, "part-number-marker");
  SEALSTACK_ASSIGN_OR_RETURN(ListPartsOutput out, svc.ListParts(c, in));
  ListPartsResult result;
  result.bucket = r.bucket;
  result.key = r.key;
  result.upload_id = out.upload_id;
  result.initiator = OwnerOf(out.owner_account);
  result.owner = OwnerOf(out.owner_account);
  result.part_number_marker = static_cast<int32_t>(out.part_number_marker);
  result.max_parts = static_cast<int32_t>(out.max_parts);
  result.checksum_algorithm = out.checksum_algorithm;
  result.checksum_type = out.checksum_type;
  result.is_truncated = out.truncated;
  const auto alg = crypto::ChecksumAlgorithmFromName(out.checksum_algorithm);
  for (const auto& p : out.parts) {
    PartEntry e;
    e.part_number = p.part_number;
    e.last_modified = p.created_at;
    e.etag = p.etag;
    e.size = static_cast<int64_t>(p.size);
    if (alg && p.checksum) SetChecksum(&e.checksums, *alg, *p.checksum);
    result.parts.push_back(std::move(e));
    result.next_part_number_marker = p.part_number;
  }
  return XmlResponse(200, RenderListParts(result), ids);
}

Result<ApiResponse> ListMultipartUploads(Service& svc, const S3Caller& c, const S3Request& r,
                                         const RequestIds& ids) {
  ListMultipartUploadsInput in;
  in.bucket = r.bucket;
  in.max_uploads = OptionalParam(r, "max-uploads");
  if (const std::string* p = QueryParam(r, "prefix")) in.prefix = *p;
  if (const std::string* k = QueryParam(r, "key-marker")) in.key_marker = *k;
  if (const std::string* u = QueryParam(r, "upload-id-marker")) in.upload_id_marker = *u;
  in.delimiter = OptionalParam(r, "delimiter");
  SEALSTACK_ASSIGN_OR_RETURN(ListMultipartUploadsOutput out, svc.ListMultipartUploads(c, in));
  ListMultipartUploadsResult result;
  result.bucket = r.bucket;
  result.key_marker = in.key_marker;
  result.upload_id_marker = in.upload_id_marker;
  result.prefix = in.prefix;
  result.max_uploads = static_cast<int32_t>(out.max_uploads);
  result.encoding_type_url = QueryParam(r, "encoding-type") != nullptr;
  if (in.delimiter) result.delimiter = *in.delimiter;
  const Owner owner = OwnerOf(out.owner_account);
  for (const auto& u : out.uploads) {
    UploadEntry e;
    e.key = u.key;
    e.upload_id = u.upload_id;
    e.initiator = owner;
    e.owner = owner;
    e.initiated = u.initiated;
    result.uploads.push_back(std::move(e));
  }
  result.common_prefixes = std::move(out.common_prefixes);
  result.is_truncated = out.truncated;
  result.next_key_marker = out.next_key_marker;
  result.next_upload_id_marker = out.next_upload_id_marker;
  return XmlResponse(200, RenderListMultipartUploads(result), ids);
}

}  // namespace sealstack::api::s3
