#include "api/s3/post_object.h"

#include <optional>
#include <string>
#include <utility>

#include "api/common/errors.h"
#include "api/common/xml_writer.h"
#include "api/s3/bucket_config_ops.h"
#include "api/s3/object_tags.h"
#include "api/s3/post_policy.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_operations.h"
#include "api/s3/s3_wire.h"
#include "auth/http_request.h"
#include "common/strings.h"
#include "common/time_format.h"

namespace sealstack::api::s3 {

namespace {

constexpr std::string_view kOrderHint =
    "  If it is specified, please check the order of the fields.";

// Fields that steer the upload itself; every other field is read as the PutObject header of
// the same name (acl as x-amz-acl).
bool IsControlField(std::string_view lower) {
  static constexpr std::string_view kControl[] = {"key",
                                                  "policy",
                                                  "x-amz-signature",
                                                  "x-amz-credential",
                                                  "x-amz-date",
                                                  "x-amz-algorithm",
                                                  "x-amz-security-token",
                                                  "success_action_status",
                                                  "redirect",
                                                  "tagging",
                                                  "success_action_redirect",
                                                  "bucket",
                                                  "awsaccesskeyid",
                                                  "signature",
                                                  "file"};
  for (std::string_view c : kControl) {
    if (lower == c) return true;
  }
  return StartsWith(lower, "x-ignore-");
}

// The fields before the file part, and the file part's headers.
struct Form {
  FormFields fields;
  FormPart file;

  const std::string* Field(std::string_view name) const {
    for (const auto& [k, v] : fields) {
      if (EqualsIgnoreCase(k, name)) return &v;
    }
    return nullptr;
  }
};

// Reads parts up to the file part, holding at most kMaxPostPreDataBytes of them.
Result<Form> ReadFields(FormDataReader& reader) {
  Form form;
  auto too_large = [] {
    return S3Error(ErrorKind::kMaxPostPreDataLengthExceeded,
                   "Your POST request fields preceding the upload file were too large.",
                   {{"MaxPostPreDataLengthBytes", std::to_string(kMaxPostPreDataBytes)}});
  };
  FormPart part;
  for (;;) {
    SEALSTACK_ASSIGN_OR_RETURN(bool more, reader.NextPart(&part));
    if (!more) {
      return S3Error(ErrorKind::kIncorrectNumberOfFilesInPostRequest,
                     "POST requires exactly one file upload per request.");
    }
    if (reader.position() > kMaxPostPreDataBytes) return too_large();
    if (EqualsIgnoreCase(part.name, "file")) {
      form.file = std::move(part);
      return form;
    }
    std::string value;
    SEALSTACK_RETURN_IF_ERROR(reader.ReadBody([&](std::string_view piece) -> Status {
      if (reader.position() + piece.size() > kMaxPostPreDataBytes) return too_large();
      value.append(piece);
      return Status::Ok();
    }));
    if (!part.name.empty()) form.fields.emplace_back(std::move(part.name), std::move(value));
  }
}

Status MissingField(std::string_view name) {
  return S3Error(ErrorKind::kInvalidArgument,
                 "Bucket POST must contain a field named '" + std::string(name) + "'." +
                     std::string(kOrderHint),
                 {{"ArgumentName", std::string(name)}, {"ArgumentValue", ""}});
}

// The signature fields, checked for presence and form before the principal is looked up.
Result<auth::PostSignatureInput> SignatureFieldsOf(const Form& form) {
  const std::string* policy = form.Field("policy");
  if (policy == nullptr) {
    // An unsigned (anonymous) upload: SealStack has no anonymous principal to authorize.
    return S3Error(ErrorKind::kAccessDenied, "Access Denied");
  }
  auth::PostSignatureInput in;
  in.policy = *policy;
  if (const std::string* token = form.Field("x-amz-security-token")) in.security_token = *token;
  if (form.Field("x-amz-credential") == nullptr &&
      (form.Field("AWSAccessKeyId") != nullptr || form.Field("signature") != nullptr)) {
    // SigV2, as boto3 signs a presigned POST unless told s3v4. Its policy has no signing time.
    for (std::string_view name : {"AWSAccessKeyId", "Signature"}) {
      if (form.Field(name) == nullptr) return MissingField(name);
    }
    in.sigv2 = true;
    in.credential.access_key_id = *form.Field("AWSAccessKeyId");
    in.signature = *form.Field("signature");
    return in;
  }
  for (std::string_view name :
       {"x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"}) {
    if (form.Field(name) == nullptr) return MissingField(name);
  }
  const std::string& algorithm = *form.Field("x-amz-algorithm");
  if (algorithm != auth::sigv4::kAlgorithm) {
    return S3Error(ErrorKind::kInvalidArgument,
                   "The authorization mechanism you have provided is not supported. Please use "
                   "AWS4-HMAC-SHA256.",
                   {{"ArgumentName", "x-amz-algorithm"}, {"ArgumentValue", algorithm}});
  }
  const std::string& credential = *form.Field("x-amz-credential");
  Result<auth::sigv4::Credential> parsed = auth::sigv4::ParseCredential(credential);
  if (!parsed.ok()) {
    return S3Error(ErrorKind::kInvalidArgument, parsed.status().message(),
                   {{"ArgumentName", "x-amz-credential"}, {"ArgumentValue", credential}});
  }
  in.credential = std::move(*parsed);
  in.signature = *form.Field("x-amz-signature");
  in.signed_at = ParseAmzDate(*form.Field("x-amz-date"));
  return in;
}

// The key, with ${filename} replaced by the file part's name.
Result<std::string> KeyOf(const Form& form) {
  const std::string* key = form.Field("key");
  if (key == nullptr || key->empty()) return MissingField("key");
  std::string out = *key;
  constexpr std::string_view kVar = "${filename}";
  const std::string filename = form.file.filename.value_or("");
  for (size_t at = out.find(kVar); at != std::string::npos;
       at = out.find(kVar, at + filename.size())) {
    out.replace(at, kVar.size(), filename);
  }
  return out;
}

// The `tagging` field: a <Tagging> document, validated as S3 validates object tags (none
// when the field is absent).
Result<TagSet> TagsOf(const Form& form) {
  const std::string* tagging = form.Field("tagging");
  if (tagging == nullptr) return TagSet{};
  return ParseTaggingXml(*tagging);
}

// PutObject's headers, as the fields say them.
HeaderList HeadersOf(const Form& form) {
  HeaderList headers;
  for (const auto& [name, value] : form.fields) {
    const std::string lower = ToLower(name);
    if (IsControlField(lower)) continue;
    headers.emplace_back(lower == "acl" ? std::string("x-amz-acl") : name, value);
  }
  return headers;
}

std::string ObjectLocation(const S3Request& r, const S3Caller& caller, const std::string& key) {
  std::string host = "localhost";
  if (const std::string* h = FindHeader(*r.headers, "Host")) host = *h;
  std::string out = caller.secure_transport ? "https://" : "http://";
  out += host;
  // Virtual-hosted requests name the bucket in the host.
  if (!StartsWith(host, r.bucket + ".")) out += "/" + auth::UriEncode(r.bucket, false);
  out += "/" + auth::UriEncode(key, true);
  return out;
}

ApiResponse SuccessResponse(const Form& form, const S3Request& r, const S3Caller& caller,
                            const std::string& key, const PutObjectOutput& out,
                            const RequestIds& ids) {
  const std::string etag = "\"" + out.etag + "\"";
  const std::string location = ObjectLocation(r, caller, key);
  ApiResponse resp;
  const std::string* redirect = form.Field("success_action_redirect");
  if (redirect == nullptr) redirect = form.Field("redirect");
  const std::string* status = form.Field("success_action_status");
  if (redirect != nullptr && !redirect->empty()) {
    std::string to = *redirect;
    to += to.find('?') == std::string::npos ? '?' : '&';
    to += "bucket=" + auth::UriEncode(r.bucket, false) + "&key=" + auth::UriEncode(key, false) +
          "&etag=" + auth::UriEncode(etag, false);
    resp = EmptyResponse(303, ids);
    resp.SetHeader("Location", to);
  } else if (status != nullptr && *status == "201") {
    XmlWriter xml;
    xml.Open("PostResponse")
        .Element("Location", location)
        .Element("Bucket", r.bucket)
        .Element("Key", key)
        .Element("ETag", etag);
    resp = XmlResponse(201, xml.Finish(), ids);
    resp.SetHeader("Location", location);
  } else {
    // 200 or 204 (the default, and S3's answer to any other value), without a body.
    resp = EmptyResponse(status != nullptr && *status == "200" ? 200 : 204, ids);
    resp.SetHeader("Location", location);
  }
  resp.SetHeader("ETag", etag);
  if (out.version_id) resp.SetHeader("x-amz-version-id", *out.version_id);
  AddWriteSseHeaders(&resp, out.protection);
  return resp;
}

// Everything after the policy: the upload as a PutObject.
Result<ApiResponse> UploadFile(Service& svc, const PostAuthentication& auth,
                               const PostPolicy& policy, const Form& form, const std::string& key,
                               FormDataReader& reader, const S3Request& r, const RequestIds& ids,
                               TagSet tags) {
  const HeaderList headers = HeadersOf(form);
  S3Request as_put = r;
  as_put.method = "PUT";
  as_put.key = key;
  as_put.headers = &headers;
  PutObjectInput in;
  in.bucket = r.bucket;
  in.key = key;
  CaptureContentHeaders(headers, &in.content_headers, &in.user_metadata);
  in.sse = ExtractSseHeaders(headers);
  SEALSTACK_ASSIGN_OR_RETURN(in.acl, AclRequestOf(as_put));
  in.integrity.content_md5 = OptionalHeader(as_put, "Content-MD5");
  in.tags = std::move(tags);
  in.body = [&](const std::function<Status(std::string_view)>& sink) -> Status {
    uint64_t size = 0;
    SEALSTACK_RETURN_IF_ERROR(reader.ReadBody([&](std::string_view piece) -> Status {
      size += piece.size();
      // Too large is known as soon as it is true: the upload stops there.
      SEALSTACK_RETURN_IF_ERROR(CheckPostContentLength(policy, size, /*final=*/false));
      return sink(piece);
    }));
    return CheckPostContentLength(policy, size, /*final=*/true);
  };
  SEALSTACK_ASSIGN_OR_RETURN(PutObjectOutput out, svc.PutObject(auth.caller, in));
  return SuccessResponse(form, r, auth.caller, key, out, ids);
}

}  // namespace

bool IsPostObject(const S3Request& request) {
  if (request.method != "POST" || request.bucket.empty() || !request.key.empty()) return false;
  for (const auto& [k, v] : request.query) {
    if (k == "delete") return false;
  }
  const std::string* type = FindHeader(*request.headers, "Content-Type");
  return type != nullptr && FormDataBoundary(*type).has_value();
}

ApiResponse HandlePostObject(const ObjectServices& services, const S3Request& request,
                             const ByteSource& body, const PostAuthenticator& authenticate,
                             const RequestIds& ids) {
  if (auto fault = InjectedS3Fault(services, request, ids)) return std::move(*fault);
  auto fail = [&](const Status& st) { return S3ErrorResponse(st, request, ids); };
  const std::string* type = FindHeader(*request.headers, "Content-Type");
  std::optional<std::string> boundary = type ? FormDataBoundary(*type) : std::nullopt;
  if (!boundary) {
    return fail(S3Error(ErrorKind::kMalformedPostRequest,
                        "The body of your POST request is not well-formed multipart/form-data."));
  }
  FormDataReader reader(*boundary, body);
  Result<Form> form = ReadFields(reader);
  if (!form.ok()) return fail(form.status());
  Result<std::string> key = KeyOf(*form);
  if (!key.ok()) return fail(key.status());
  Result<auth::PostSignatureInput> signature = SignatureFieldsOf(*form);
  if (!signature.ok()) return fail(signature.status());

  std::variant<PostAuthentication, auth::AuthError> authenticated = authenticate(*signature);
  if (auto* err = std::get_if<auth::AuthError>(&authenticated)) {
    return RenderError(Protocol::kS3, AuthErrorToWire(*err, Protocol::kS3), ids, request.resource,
                       false);
  }
  const PostAuthentication& auth = std::get<PostAuthentication>(authenticated);

  Result<PostPolicy> policy = ParsePostPolicy(signature->policy);
  if (!policy.ok()) return fail(policy.status());
  Status checked = CheckPostPolicyExpiration(*policy, auth.verified.now, signature->signed_at,
                                             auth.verified.signed_at_server);
  if (checked.ok()) checked = CheckPostPolicyFields(*policy, form->fields, request.bucket, *key);
  if (!checked.ok()) return fail(checked);
  Result<TagSet> tags = TagsOf(*form);
  if (!tags.ok()) return fail(tags.status());

  Service service(services);
  Result<ApiResponse> out =
      UploadFile(service, auth, *policy, *form, *key, reader, request, ids, std::move(*tags));
  ApiResponse response = out.ok() ? std::move(*out) : fail(out.status());
  AddCorsHeaders(services, request, &response);
  return response;
}

}  // namespace sealstack::api::s3
