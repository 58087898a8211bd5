#include "api/s3/bucket_config_ops.h"

#include "api/s3/bucket_config_xml.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_wire.h"
#include "common/strings.h"

namespace sealstack::api::s3 {

namespace {

std::string IdOf(const S3Request& r) {
  const std::string* id = QueryParam(r, "id");
  return id == nullptr ? "" : *id;
}

// The id-keyed kinds need ?id= on Get, Put and Delete (a Get without it is the List).
Status RequireId(const BucketConfigSpec& spec, const S3Request& r) {
  if (!spec.keyed_by_id || QueryParam(r, "id") != nullptr) return Status::Ok();
  return S3Error(ErrorKind::kInvalidArgument, "Missing required parameter: id",
                 {{"ArgumentName", "id"}});
}

Result<ApiResponse> GetAcl(Service& svc, const S3Caller& c, const S3Request& r,
                           const RequestIds& ids) {
  Service::AclView view;
  if (r.key.empty()) {
    SEALSTACK_ASSIGN_OR_RETURN(view, svc.GetBucketAcl(c, r.bucket));
  } else {
    SEALSTACK_ASSIGN_OR_RETURN(view, svc.GetObjectAcl(c, r.bucket, r.key));
  }
  return XmlResponse(200, RenderAccessControlPolicy(view.owner_id, view.grants), ids);
}

// PutBucketAcl / PutObjectAcl: x-amz-acl, x-amz-grant-* or an AccessControlPolicy body.
Result<AclRequest> AclOfPut(const S3Request& r) {
  SEALSTACK_ASSIGN_OR_RETURN(AclRequest acl, AclRequestOf(r));
  if (!acl.empty()) return acl;
  SEALSTACK_ASSIGN_OR_RETURN(acl.grants, ParseAccessControlPolicy(r.body));
  return acl;
}

}  // namespace

bool IsBucketConfigOperation(std::string_view op) {
  return op == "GetBucketVersioning" || op == "PutBucketVersioning" || op == "GetObjectAcl" ||
         op == "PutObjectAcl" || SpecForOperation(op) != nullptr;
}

Result<ApiResponse> HandleBucketConfig(Service& svc, const S3Caller& c, const S3Request& r,
                                       std::string_view op, const RequestIds& ids) {
  if (op == "GetBucketVersioning") {
    SEALSTACK_ASSIGN_OR_RETURN(Service::VersioningState state,
                               svc.GetBucketVersioning(c, r.bucket));
    return XmlResponse(200, RenderVersioningConfiguration(state.status, state.mfa_delete), ids);
  }
  if (op == "PutBucketVersioning") {
    SEALSTACK_RETURN_IF_ERROR(svc.CheckBucketExists(r.bucket));  // 404 before MalformedXML
    SEALSTACK_ASSIGN_OR_RETURN(VersioningConfiguration config,
                               ParseVersioningConfiguration(r.body));
    SEALSTACK_RETURN_IF_ERROR(
        svc.PutBucketVersioning(c, r.bucket, {config.status, config.mfa_delete}));
    return EmptyResponse(200, ids);
  }
  if (op == "GetBucketAcl" || op == "GetObjectAcl") return GetAcl(svc, c, r, ids);
  if (op == "PutBucketAcl" || op == "PutObjectAcl") {
    // NoSuchBucket before the body is judged, as for the other configurations.
    SEALSTACK_RETURN_IF_ERROR(svc.CheckBucketExists(r.bucket));
    if (r.key.empty()) SEALSTACK_RETURN_IF_ERROR(CheckBodyIntegrity(r));
    SEALSTACK_ASSIGN_OR_RETURN(AclRequest acl, AclOfPut(r));
    if (r.key.empty()) {
      SEALSTACK_RETURN_IF_ERROR(svc.PutBucketAcl(c, r.bucket, acl));
    } else {
      SEALSTACK_RETURN_IF_ERROR(svc.PutObjectAcl(c, r.bucket, r.key, acl));
    }
    return EmptyResponse(200, ids);
  }

  const BucketConfigSpec& spec = *SpecForOperation(op);
  if (op == spec.list_op) {
    SEALSTACK_ASSIGN_OR_RETURN(std::vector<std::string> inners,
                               svc.ListBucketConfigs(c, r.bucket, spec.kind));
    return XmlResponse(200, RenderBucketConfigList(spec, inners), ids);
  }
  if (op == spec.get_op) {
    SEALSTACK_RETURN_IF_ERROR(RequireId(spec, r));
    SEALSTACK_ASSIGN_OR_RETURN(std::string inner,
                               svc.GetBucketConfig(c, r.bucket, spec.kind, IdOf(r)));
    return XmlResponse(200, RenderBucketConfig(spec, inner), ids);
  }
  if (op == spec.delete_op) {
    SEALSTACK_RETURN_IF_ERROR(RequireId(spec, r));
    SEALSTACK_RETURN_IF_ERROR(svc.DeleteBucketConfig(c, r.bucket, spec.kind, IdOf(r)));
    return EmptyResponse(204, ids);
  }
  // Put: NoSuchBucket, then the body's integrity and validity, then the service's checks.
  SEALSTACK_RETURN_IF_ERROR(svc.CheckBucketExists(r.bucket));
  SEALSTACK_RETURN_IF_ERROR(RequireId(spec, r));
  if (spec.put_needs_checksum) SEALSTACK_RETURN_IF_ERROR(CheckBodyIntegrity(r));
  SEALSTACK_ASSIGN_OR_RETURN(BucketConfigDocument doc,
                             ParseBucketConfig(spec.kind, r.body, IdOf(r)));
  SEALSTACK_RETURN_IF_ERROR(svc.PutBucketConfig(c, r.bucket, doc));
  return EmptyResponse(200, ids);
}

ApiResponse HandleCorsPreflight(const ObjectServices& services, const S3Request& r,
                                const RequestIds& ids) {
  Service svc(services);
  std::vector<std::string> request_headers;
  if (const std::string* h = Header(r, "Access-Control-Request-Headers")) {
    request_headers = ParseCorsHeaderList(*h);
  }
  Result<HeaderList> headers = svc.CorsPreflight(
      r.bucket, OptionalHeader(r, "Origin"), OptionalHeader(r, "Access-Control-Request-Method"),
      request_headers, r.key.empty() ? "BUCKET" : "OBJECT");
  if (!headers.ok()) return S3ErrorResponse(headers.status(), r, ids);
  ApiResponse resp = EmptyResponse(200, ids);
  for (const auto& [k, v] : *headers) resp.SetHeader(k, v);
  return resp;
}

void AddCorsHeaders(const ObjectServices& services, const S3Request& r, ApiResponse* response) {
  const std::string* origin = Header(r, "Origin");
  if (origin == nullptr || r.bucket.empty()) return;
  Service svc(services);
  for (const auto& [k, v] : svc.CorsHeadersFor(r.bucket, *origin, r.method)) {
    response->SetHeader(k, v);
  }
}

}  // namespace sealstack::api::s3
