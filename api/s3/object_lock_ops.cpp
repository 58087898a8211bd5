#include "api/s3/object_lock_ops.h"

#include "api/s3/s3_wire.h"
#include "common/strings.h"

namespace sealstack::api::s3 {

ObjectLockHeaders ObjectLockHeadersOf(const S3Request& r) {
  ObjectLockHeaders h;
  h.mode = OptionalHeader(r, "x-amz-object-lock-mode");
  h.retain_until = OptionalHeader(r, "x-amz-object-lock-retain-until-date");
  h.legal_hold = OptionalHeader(r, "x-amz-object-lock-legal-hold");
  return h;
}

bool BypassGovernanceOf(const S3Request& r) {
  const std::string* v = Header(r, "x-amz-bypass-governance-retention");
  return v != nullptr && EqualsIgnoreCase(Trim(*v), "true");
}

void AddObjectLockHeaders(ApiResponse* resp, const ObjectLock& lock) {
  if (lock.has_retention()) {
    resp->SetHeader("x-amz-object-lock-mode", lock.mode);
    resp->SetHeader("x-amz-object-lock-retain-until-date", lock.retain_until);
  }
  if (!lock.legal_hold.empty()) resp->SetHeader("x-amz-object-lock-legal-hold", lock.legal_hold);
}

Result<ApiResponse> HandleObjectLock(Service& svc, const S3Caller& c, const S3Request& r,
                                     std::string_view op, const PayloadReader& payload,
                                     const RequestIds& ids) {
  ObjectLockInput in;
  in.bucket = r.bucket;
  in.key = r.key;
  if (const std::string* v = QueryParam(r, "versionId")) in.version_id = *v;
  ObjectLockOutput out;
  ApiResponse resp;
  if (op == "GetObjectRetention" || op == "GetObjectLegalHold") {
    const bool retention = op == "GetObjectRetention";
    SEALSTACK_ASSIGN_OR_RETURN(
        out, retention ? svc.GetObjectRetention(c, in) : svc.GetObjectLegalHold(c, in));
    resp = XmlResponse(
        200, retention ? RenderRetentionXml(out.lock) : RenderLegalHoldXml(out.lock.legal_hold),
        ids);
  } else {
    // NoSuchBucket before the body is judged; the model requires a body checksum.
    SEALSTACK_RETURN_IF_ERROR(svc.CheckBucketExists(r.bucket));
    S3Request with_body = r;
    SEALSTACK_ASSIGN_OR_RETURN(with_body.body, ReadSmallBody(payload, kMaxBucketRequestBody));
    SEALSTACK_RETURN_IF_ERROR(CheckBodyIntegrity(with_body));
    if (op == "PutObjectRetention") {
      SEALSTACK_ASSIGN_OR_RETURN(in.lock,
                                 ParseRetentionXml(with_body.body, svc.parts().buckets->Now()));
      in.bypass_governance = BypassGovernanceOf(r);
      SEALSTACK_ASSIGN_OR_RETURN(out, svc.PutObjectRetention(c, in));
    } else {
      SEALSTACK_ASSIGN_OR_RETURN(in.lock.legal_hold, ParseLegalHoldXml(with_body.body));
      SEALSTACK_ASSIGN_OR_RETURN(out, svc.PutObjectLegalHold(c, in));
    }
    resp = EmptyResponse(200, ids);
  }
  if (out.version_id) resp.SetHeader("x-amz-version-id", *out.version_id);
  return resp;
}

}  // namespace sealstack::api::s3
