#include "api/s3/object_ops.h"

#include <algorithm>
#include <charconv>

#include "api/s3/bucket_config_ops.h"
#include "api/s3/multipart_ops.h"
#include "api/s3/object_lock_ops.h"
#include "api/s3/object_tagging_ops.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_operations.h"
#include "api/s3/s3_wire.h"
#include "common/strings.h"
#include "common/time_format.h"

namespace sealstack::api::s3 {

namespace {

Result<ApiResponse> Put(Service& svc, const S3Caller& c, const S3Request& r,
                        const PayloadReader& payload, const RequestIds& ids) {
  PutObjectInput in;
  in.bucket = r.bucket;
  in.key = r.key;
  CaptureContentHeaders(*r.headers, &in.content_headers, &in.user_metadata);
  in.sse = ExtractSseHeaders(*r.headers);
  SEALSTACK_ASSIGN_OR_RETURN(in.acl, AclRequestOf(r));
  in.integrity = IntegrityHeadersOf(r);
  SEALSTACK_ASSIGN_OR_RETURN(in.tags, TaggingHeaderOf(r));
  in.lock = ObjectLockHeadersOf(r);
  in.body = payload;
  SEALSTACK_ASSIGN_OR_RETURN(PutObjectOutput out, svc.PutObject(c, in));
  ApiResponse resp;
  resp.status = 200;
  resp.SetHeader("ETag", Quoted(out.etag));
  if (out.version_id) resp.SetHeader("x-amz-version-id", *out.version_id);
  AddWriteSseHeaders(&resp, out.protection);
  if (out.checksum) AddChecksumHeaders(&resp, *out.checksum);
  AddRequestIdHeaders(Protocol::kS3, ids, &resp);
  return resp;
}

GetObjectInput GetInputOf(const S3Request& r) {
  GetObjectInput in;
  in.bucket = r.bucket;
  in.key = r.key;
  if (const std::string* v = QueryParam(r, "versionId")) in.version_id = *v;
  in.sse = ExtractSseHeaders(*r.headers);
  in.conditions = ConditionsOf(r, "");
  in.range = OptionalHeader(r, "Range");
  if (const std::string* part = QueryParam(r, "partNumber")) in.part_number = *part;
  const std::string* mode = Header(r, "x-amz-checksum-mode");
  in.checksum_mode = mode != nullptr && EqualsIgnoreCase(*mode, "ENABLED");
  return in;
}

// The headers of a GET or HEAD answer; response-* query parameters override the stored ones
// (GET only on AWS; harmless on HEAD).
ApiResponse RenderHead(const ObjectHead& head, const S3Request& r, const RequestIds& ids) {
  ApiResponse resp;
  if (head.not_modified) {
    resp.status = 304;
    resp.SetHeader("ETag", Quoted(head.etag));
    resp.SetHeader("Last-Modified", FormatHttpDate(head.last_modified));
    if (head.version_id) resp.SetHeader("x-amz-version-id", *head.version_id);
    AddRequestIdHeaders(Protocol::kS3, ids, &resp);
    return resp;
  }
  resp.status = head.range ? 206 : 200;
  resp.SetHeader("ETag", Quoted(head.etag));
  resp.SetHeader("Last-Modified", FormatHttpDate(head.last_modified));
  resp.SetHeader("Accept-Ranges", "bytes");
  if (head.version_id) resp.SetHeader("x-amz-version-id", *head.version_id);
  if (head.parts_count > 0) {
    resp.SetHeader("x-amz-mp-parts-count", std::to_string(head.parts_count));
  }
  std::string content_type = "binary/octet-stream";
  for (const auto& [k, v] : head.content_headers) {
    if (EqualsIgnoreCase(k, "Content-Type")) {
      content_type = v;
    } else {
      resp.SetHeader(k, v);
    }
  }
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
        resp.headers.erase(std::remove_if(resp.headers.begin(), resp.headers.end(),
                                          [name = header](const auto& h) {
                                            return EqualsIgnoreCase(h.first, name);
                                          }),
                           resp.headers.end());
        resp.SetHeader(header, v);
      }
    }
  }
  resp.SetHeader("Content-Type", content_type);
  for (const auto& [k, v] : head.user_metadata) resp.SetHeader(k, v);
  if (head.tag_count > 0) resp.SetHeader("x-amz-tagging-count", std::to_string(head.tag_count));
  AddObjectLockHeaders(&resp, head.lock);
  AddSseHeaders(&resp, head.sse);
  if (head.checksum) AddChecksumHeaders(&resp, *head.checksum);
  if (head.range) {
    resp.SetHeader("Content-Range", "bytes " + std::to_string(head.range->first) + "-" +
                                        std::to_string(head.range->last) + "/" +
                                        std::to_string(head.size));
  }
  AddRequestIdHeaders(Protocol::kS3, ids, &resp);
  resp.stream_length = head.content_length();
  resp.stream = [](const BodyWriter&) { return true; };
  return resp;
}

Result<ApiResponse> Get(Service& svc, const S3Caller& c, const S3Request& r,
                        const RequestIds& ids) {
  SEALSTACK_ASSIGN_OR_RETURN(ObjectReader reader, svc.GetObject(c, GetInputOf(r)));
  ApiResponse resp = RenderHead(reader.head(), r, ids);
  if (resp.status == 304) return resp;
  auto shared = std::make_shared<ObjectReader>(std::move(reader));
  // A failure after the status line has gone out can only end the connection.
  resp.stream = [shared](const BodyWriter& write) { return shared->WriteTo(write).ok(); };
  return resp;
}

Result<ApiResponse> Head(Service& svc, const S3Caller& c, const S3Request& r,
                         const RequestIds& ids) {
  SEALSTACK_ASSIGN_OR_RETURN(ObjectHead head, svc.HeadObject(c, GetInputOf(r)));
  return RenderHead(head, r, ids);
}

Result<ApiResponse> Delete(Service& svc, const S3Caller& c, const S3Request& r,
                           const RequestIds& ids) {
  DeleteObjectInput in{r.bucket, r.key, std::nullopt, BypassGovernanceOf(r)};
  if (const std::string* v = QueryParam(r, "versionId")) in.version_id = *v;
  SEALSTACK_ASSIGN_OR_RETURN(DeleteObjectOutput out, svc.DeleteObject(c, in));
  ApiResponse resp = EmptyResponse(204, ids);
  if (out.delete_marker) resp.SetHeader("x-amz-delete-marker", "true");
  if (out.version_id) resp.SetHeader("x-amz-version-id", *out.version_id);
  return resp;
}

Result<ApiResponse> Copy(Service& svc, const S3Caller& c, const S3Request& r,
                         const RequestIds& ids) {
  SEALSTACK_ASSIGN_OR_RETURN(CopySource src, ParseCopySource(r));
  CopyObjectInput in;
  in.bucket = r.bucket;
  in.key = r.key;
  in.source_bucket = src.bucket;
  in.source_key = src.key;
  in.source_version_id = src.version_id;
  in.sse = ExtractSseHeaders(*r.headers);
  in.source_sse = ExtractSseHeaders(*r.headers, /*copy_source=*/true);
  SEALSTACK_ASSIGN_OR_RETURN(in.acl, AclRequestOf(r));
  in.source_conditions = ConditionsOf(r, "x-amz-copy-source-");
  if (const std::string* d = Header(r, "x-amz-metadata-directive")) {
    in.metadata_directive = std::string(Trim(*d));
  }
  CaptureContentHeaders(*r.headers, &in.content_headers, &in.user_metadata);
  in.checksum_algorithm = OptionalHeader(r, "x-amz-checksum-algorithm");
  in.sets_storage_class_or_redirect = Header(r, "x-amz-storage-class") != nullptr ||
                                      Header(r, "x-amz-website-redirect-location") != nullptr;
  if (const std::string* d = Header(r, "x-amz-tagging-directive")) {
    in.tagging_directive = std::string(Trim(*d));
  }
  SEALSTACK_ASSIGN_OR_RETURN(in.tags, TaggingHeaderOf(r));
  in.lock = ObjectLockHeadersOf(r);
  SEALSTACK_ASSIGN_OR_RETURN(CopyObjectOutput out, svc.CopyObject(c, in));
  CopyResult result;
  result.last_modified = out.last_modified;
  result.etag = out.etag;
  if (out.checksum) {
    result.checksum_type = out.checksum->type;
    SetChecksum(&result.checksums, out.checksum->algorithm, out.checksum->value);
  }
  ApiResponse resp = XmlResponse(200, RenderCopyObjectResult(result), ids);
  AddWriteSseHeaders(&resp, out.protection);
  if (out.version_id) resp.SetHeader("x-amz-version-id", *out.version_id);
  if (out.source_version_id) resp.SetHeader("x-amz-copy-source-version-id", *out.source_version_id);
  return resp;
}

// GET /{bucket}/{key}?attributes with x-amz-object-attributes: ETag, Checksum, ObjectParts,
// StorageClass, ObjectSize.
Result<ApiResponse> Attributes(Service& svc, const S3Caller& c, const S3Request& r,
                               const RequestIds& ids) {
  GetObjectAttributesInput in;
  in.bucket = r.bucket;
  in.key = r.key;
  if (const std::string* v = QueryParam(r, "versionId")) in.version_id = *v;
  in.sse = ExtractSseHeaders(*r.headers);
  in.attributes = OptionalHeader(r, "x-amz-object-attributes");
  in.part_number_marker = OptionalHeader(r, "x-amz-part-number-marker");
  in.max_parts = OptionalHeader(r, "x-amz-max-parts");
  SEALSTACK_ASSIGN_OR_RETURN(GetObjectAttributesOutput out, svc.GetObjectAttributes(c, in));
  GetObjectAttributesResult result;
  result.etag = out.etag;
  if (out.checksum) {
    ChecksumAttribute attr;
    SetChecksum(&attr.checksums, out.checksum->algorithm, out.checksum->value);
    attr.checksum_type = out.checksum->type;
    result.checksum = attr;
  }
  if (out.object_parts) {
    const ObjectPartsInfo& info = *out.object_parts;
    ObjectPartsAttribute parts;
    parts.parts_count = info.parts_count;
    parts.list_parts = info.list_parts;
    parts.part_number_marker = info.part_number_marker;
    parts.next_part_number_marker = info.next_part_number_marker;
    parts.max_parts = info.max_parts;
    parts.is_truncated = info.truncated;
    for (const auto& p : info.parts) {
      ObjectPartEntry e;
      e.part_number = p.part_number;
      e.size = static_cast<int64_t>(p.size);
      SetChecksum(&e.checksums, info.algorithm, p.checksum);
      parts.parts.push_back(std::move(e));
    }
    result.object_parts = parts;
  }
  result.storage_class = out.storage_class;
  if (out.object_size) result.object_size = static_cast<int64_t>(*out.object_size);
  ApiResponse resp = XmlResponse(200, RenderGetObjectAttributes(result), ids);
  resp.SetHeader("Last-Modified", FormatHttpDate(out.last_modified));
  if (out.version_id) resp.SetHeader("x-amz-version-id", *out.version_id);
  return resp;
}

Result<ApiResponse> Route(Service& svc, const S3Caller& c, const S3Request& r,
                          const PayloadReader& payload, const RequestIds& ids) {
  const std::string_view op = S3OperationName(r);
  if (op == "PutObject") return Put(svc, c, r, payload, ids);
  if (op == "GetObject") return Get(svc, c, r, ids);
  if (op == "HeadObject") return Head(svc, c, r, ids);
  if (op == "DeleteObject") return Delete(svc, c, r, ids);
  if (op == "CopyObject") return Copy(svc, c, r, ids);
  if (op == "GetObjectAttributes") return Attributes(svc, c, r, ids);
  if (op == "CreateMultipartUpload") return CreateMultipartUpload(svc, c, r, ids);
  if (op == "UploadPart") return UploadPart(svc, c, r, payload, ids);
  if (op == "UploadPartCopy") return UploadPartCopy(svc, c, r, ids);
  if (op == "CompleteMultipartUpload") return CompleteMultipartUpload(svc, c, r, payload, ids);
  if (op == "AbortMultipartUpload") return AbortMultipartUpload(svc, c, r, ids);
  if (op == "ListParts") return ListParts(svc, c, r, ids);
  if (op == "GetObjectTagging" || op == "PutObjectTagging" || op == "DeleteObjectTagging") {
    return HandleObjectTagging(svc, c, r, op, payload, ids);
  }
  if (op == "UpdateObjectEncryption") return HandleUpdateObjectEncryption(svc, c, r, payload, ids);
  if (op == "GetObjectRetention" || op == "PutObjectRetention" || op == "GetObjectLegalHold" ||
      op == "PutObjectLegalHold") {
    return HandleObjectLock(svc, c, r, op, payload, ids);
  }
  if (op == "GetObjectAcl" || op == "PutObjectAcl") {
    S3Request with_body = r;
    if (op == "PutObjectAcl") {
      SEALSTACK_ASSIGN_OR_RETURN(with_body.body, ReadSmallBody(payload, kMaxBucketRequestBody));
    }
    return HandleBucketConfig(svc, c, with_body, op, ids);
  }
  if (auto sub = UnservedSubResource(r); !sub.empty()) return UnservedSubResourceError(sub);
  return S3Error(ErrorKind::kMethodNotAllowed,
                 "The specified method is not allowed against this resource.",
                 {{"Method", r.method}, {"ResourceType", "OBJECT"}});
}

}  // namespace

std::optional<ApiResponse> InjectedS3Fault(const ObjectServices& services, const S3Request& request,
                                           const RequestIds& ids) {
  if (services.faults == nullptr || services.faults->empty()) return std::nullopt;
  auto hit = services.faults->CheckAndDelay(
      "s3", S3OperationName(request), request.bucket.empty() ? "" : BucketArn(request.bucket));
  if (!hit) return std::nullopt;
  return RenderError(Protocol::kS3,
                     {.http_status = hit->http_status,
                      .code = hit->error,
                      .message = hit->message,
                      .server_fault = hit->http_status >= 500},
                     ids, request.resource, request.method == "HEAD");
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
  Service service(services);
  Result<ApiResponse> out = Route(service, caller, request, payload, ids);
  ApiResponse response = out.ok() ? std::move(*out) : S3ErrorResponse(out.status(), request, ids);
  AddCorsHeaders(services, request, &response);
  return response;
}

}  // namespace sealstack::api::s3
