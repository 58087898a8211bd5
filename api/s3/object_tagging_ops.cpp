#include "api/s3/object_tagging_ops.h"

#include "api/common/xml_reader.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_wire.h"
#include "common/strings.h"

namespace sealstack::api::s3 {

namespace {

std::optional<std::string> VersionIdOf(const S3Request& r) {
  const std::string* v = QueryParam(r, "versionId");
  return v != nullptr ? std::optional<std::string>(*v) : std::nullopt;
}

Status EncryptionUpdateInvalid(std::string message) {
  return S3Error(ErrorKind::kInvalidRequest, std::move(message));
}

// <ObjectEncryption><SSE-KMS><KMSKeyArn/><BucketKeyEnabled/></SSE-KMS></ObjectEncryption>:
// SSE-KMS is the only target the API model has.
Status ParseObjectEncryption(std::string_view body, UpdateObjectEncryptionInput* in) {
  SEALSTACK_ASSIGN_OR_RETURN(XmlDocument doc, XmlDocument::Parse(body));
  if (doc.root().name() != "ObjectEncryption") return MalformedXml("unexpected root element");
  const XmlNode kms = doc.root().Child("SSE-KMS");
  if (!kms.valid()) {
    return EncryptionUpdateInvalid(
        "Requests that modify an object encryption configuration require a valid new "
        "encryption type. Valid values are SSEKMS. Modify the request to specify SSE-KMS for "
        "the updated encryption type, and then try again.");
  }
  in->kms_key_arn = std::string(Trim(kms.ChildText("KMSKeyArn").value_or("")));
  if (std::optional<std::string> enabled = kms.ChildText("BucketKeyEnabled")) {
    const std::string_view v = Trim(*enabled);
    if (v != "true" && v != "false") {
      return EncryptionUpdateInvalid(
          "The BucketKeyEnabled value isn't valid. Valid values are true or false. Modify the "
          "request to specify a valid value, and then try again.");
    }
    in->bucket_key = v == "true";
  }
  return Status::Ok();
}

}  // namespace

Result<TagSet> TaggingHeaderOf(const S3Request& r) {
  const std::string* h = Header(r, "x-amz-tagging");
  if (h == nullptr) return TagSet{};
  return ParseTaggingHeader(*h);
}

Result<ApiResponse> HandleObjectTagging(Service& svc, const S3Caller& c, const S3Request& r,
                                        std::string_view op, const PayloadReader& payload,
                                        const RequestIds& ids) {
  ObjectTaggingInput in{r.bucket, r.key, VersionIdOf(r), {}};
  ObjectTaggingOutput out;
  ApiResponse resp;
  if (op == "GetObjectTagging") {
    SEALSTACK_ASSIGN_OR_RETURN(out, svc.GetObjectTagging(c, in));
    resp = XmlResponse(200, RenderTaggingXml(out.tags), ids);
  } else if (op == "PutObjectTagging") {
    SEALSTACK_RETURN_IF_ERROR(svc.CheckBucketExists(r.bucket));
    S3Request with_body = r;
    SEALSTACK_ASSIGN_OR_RETURN(with_body.body, ReadSmallBody(payload, kMaxBucketRequestBody));
    SEALSTACK_RETURN_IF_ERROR(CheckBodyIntegrity(with_body));
    SEALSTACK_ASSIGN_OR_RETURN(in.tags, ParseTaggingXml(with_body.body));
    SEALSTACK_ASSIGN_OR_RETURN(out, svc.PutObjectTagging(c, in));
    resp = EmptyResponse(200, ids);
  } else {
    SEALSTACK_ASSIGN_OR_RETURN(out, svc.DeleteObjectTagging(c, in));
    resp = EmptyResponse(204, ids);
  }
  if (out.version_id) resp.SetHeader("x-amz-version-id", *out.version_id);
  return resp;
}

Result<ApiResponse> HandleUpdateObjectEncryption(Service& svc, const S3Caller& c,
                                                 const S3Request& r, const PayloadReader& payload,
                                                 const RequestIds& ids) {
  SEALSTACK_RETURN_IF_ERROR(svc.CheckBucketExists(r.bucket));
  S3Request with_body = r;
  SEALSTACK_ASSIGN_OR_RETURN(with_body.body, ReadSmallBody(payload, kMaxBucketRequestBody));
  SEALSTACK_RETURN_IF_ERROR(CheckBodyIntegrity(with_body));
  UpdateObjectEncryptionInput in;
  in.bucket = r.bucket;
  in.key = r.key;
  in.version_id = VersionIdOf(r);
  SEALSTACK_RETURN_IF_ERROR(ParseObjectEncryption(with_body.body, &in));
  SEALSTACK_RETURN_IF_ERROR(svc.UpdateObjectEncryption(c, in));
  return EmptyResponse(200, ids);
}

}  // namespace sealstack::api::s3
