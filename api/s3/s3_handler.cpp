#include "api/s3/s3_handler.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <optional>

#include "api/s3/bucket_config_ops.h"
#include "api/s3/multipart_ops.h"
#include "api/s3/object_lock_ops.h"
#include "api/s3/object_ops.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_operations.h"
#include "api/s3/s3_wire.h"
#include "api/s3/s3_wire_errors.h"
#include "audit/event.h"
#include "audit/pending_call.h"
#include "common/strings.h"
#include "crypto/checksum.h"
#include "crypto/digest.h"

namespace sealstack::api::s3 {

namespace {

// A non-negative decimal integer (max-keys).
bool ParseNonNegative(const std::string& s, int64_t* out) {
  try {
    size_t used = 0;
    *out = std::stoll(s, &used);
    return used == s.size() && *out >= 0;
  } catch (...) {
    return false;
  }
}

// max-keys as sent (at most 1000 are listed); InvalidArgument when not a non-negative integer.
Status ParseMaxKeys(const S3Request& r, int64_t* max_keys, std::optional<std::string>* raw) {
  const std::string* mk = QueryParam(r, "max-keys");
  if (mk == nullptr) return Status::Ok();
  int64_t n = 0;
  if (!ParseNonNegative(*mk, &n)) {
    return S3Error(ErrorKind::kInvalidArgument,
                   "Provided max-keys not an integer or within integer range",
                   {{"ArgumentName", "max-keys"}, {"ArgumentValue", *mk}});
  }
  *max_keys = std::min<int64_t>(n, 1000);
  *raw = *mk;
  return Status::Ok();
}

// ListObjects (V1) and ListObjectsV2 query parameters.
Result<ListObjectsInput> ListObjectsInputOf(const S3Request& r) {
  ListObjectsInput in;
  in.bucket = r.bucket;
  const std::string* list_type = QueryParam(r, "list-type");
  in.v2 = list_type != nullptr && *list_type == "2";
  if (const std::string* p = QueryParam(r, "prefix")) in.prefix = *p;
  if (const std::string* d = QueryParam(r, "delimiter")) in.delimiter = *d;
  SEALSTACK_RETURN_IF_ERROR(ParseMaxKeys(r, &in.max_keys, &in.max_keys_raw));
  if (const std::string* sa = QueryParam(r, in.v2 ? "start-after" : "marker")) {
    in.start_after = *sa;
  }
  if (in.v2) {
    if (const std::string* t = QueryParam(r, "continuation-token")) in.continuation_token = *t;
  }
  return in;
}

// The answer's ListingPage: the bucket, the request's prefix, delimiter and max-keys, and the
// service's truncation and common prefixes.
template <typename Input, typename Output>
void FillListingPage(ListingPage& page, const S3Request& r, const Input& in, Output& out) {
  page.name = r.bucket;
  page.prefix = in.prefix;
  page.delimiter = in.delimiter;
  page.max_keys = in.max_keys;
  page.is_truncated = out.truncated;
  page.encoding_type_url = QueryParam(r, "encoding-type") != nullptr;
  page.common_prefixes = std::move(out.common_prefixes);
}

std::string RenderListObjects(const S3Request& r, const ListObjectsInput& in,
                              ListObjectsOutput out) {
  std::vector<ObjectEntry> contents;
  for (const auto& o : out.objects) {
    ObjectEntry e;
    e.key = o.key;
    e.last_modified = o.last_modified;
    e.etag = o.etag;
    e.size = static_cast<int64_t>(o.size);
    if (!o.checksum_algorithm.empty()) {
      e.checksum_algorithms.push_back(o.checksum_algorithm);
      e.checksum_type = o.checksum_type;
    }
    contents.push_back(std::move(e));
  }
  const Owner owner{CanonicalId(out.owner_account), ""};
  if (in.v2) {
    const std::string* fetch_owner = QueryParam(r, "fetch-owner");
    if (fetch_owner != nullptr && *fetch_owner == "true") {
      for (auto& e : contents) e.owner = owner;
    }
    ListObjectsV2Result result;
    FillListingPage(result, r, in, out);
    result.contents = std::move(contents);
    if (in.continuation_token) result.continuation_token = *in.continuation_token;
    if (out.truncated) result.next_continuation_token = crypto::Base64(out.last_item);
    if (const std::string* sa = QueryParam(r, "start-after")) result.start_after = *sa;
    return RenderListObjectsV2(result);
  }
  for (auto& e : contents) e.owner = owner;
  ListObjectsV1Result result;
  FillListingPage(result, r, in, out);
  result.contents = std::move(contents);
  result.marker = in.start_after;
  if (out.truncated && !in.delimiter.empty()) result.next_marker = out.last_item;
  return RenderListObjectsV1(result);
}

// ListObjectVersions query parameters.
Result<ListObjectVersionsInput> ListVersionsInputOf(const S3Request& r) {
  ListObjectVersionsInput in;
  in.bucket = r.bucket;
  if (const std::string* p = QueryParam(r, "prefix")) in.prefix = *p;
  if (const std::string* d = QueryParam(r, "delimiter")) in.delimiter = *d;
  if (const std::string* k = QueryParam(r, "key-marker")) in.key_marker = *k;
  if (const std::string* v = QueryParam(r, "version-id-marker")) in.version_id_marker = *v;
  SEALSTACK_RETURN_IF_ERROR(ParseMaxKeys(r, &in.max_keys, &in.max_keys_raw));
  return in;
}

std::string RenderListVersions(const S3Request& r, const ListObjectVersionsInput& in,
                               ListObjectVersionsOutput out) {
  ListVersionsResult result;
  FillListingPage(result, r, in, out);
  result.key_marker = in.key_marker;
  result.version_id_marker = in.version_id_marker;
  result.next_key_marker = out.next_key_marker;
  result.next_version_id_marker = out.next_version_id_marker;
  const Owner owner{CanonicalId(out.owner_account), ""};
  for (const ListedVersion& v : out.versions) {
    VersionEntry e;
    e.key = v.key;
    e.version_id = v.version_id;
    e.is_latest = v.is_latest;
    e.delete_marker = v.delete_marker;
    e.last_modified = v.last_modified;
    e.etag = v.etag;
    e.size = static_cast<int64_t>(v.size);
    e.checksum_algorithm = v.checksum_algorithm;
    e.checksum_type = v.checksum_type;
    e.owner = owner;
    result.entries.push_back(std::move(e));
  }
  return RenderListVersionsResult(result);
}

class Dispatch {
 public:
  Dispatch(const ObjectServices& services, const S3Caller& caller, const S3Request& r,
           const RequestIds& ids)
      : s_(services), svc_(services), caller_(caller), r_(r), ids_(ids) {}

  ApiResponse Run() {
    if (auto fault = InjectedS3Fault(s_, r_, ids_)) return std::move(*fault);
    // Bucket-level management calls are CloudTrail management events (object reads and writes
    // are data events, which LookupEvents does not return). A call that changes the bucket
    // writes its record in the transaction of the change (BucketService's transactions run
    // through audit::PendingCall); reads and failures are queued after the call (this thread
    // holds no lease then).
    const std::string_view op = S3OperationName(r_);
    std::optional<audit::PendingCall> pending;
    if (s_.audit != nullptr && IsS3ManagementEvent(op)) pending.emplace(s_.audit, AuditEvent(op));
    Result<ApiResponse> out = Route();
    if (pending && !pending->written()) {
      if (!out.ok()) {
        WireError w = S3StatusToWire(out.status());
        pending->event().error_code = w.code;
        pending->event().error_message = w.message;
      }
      pending->Finish();
    }
    if (out.ok()) return std::move(*out);
    return S3ErrorResponse(out.status(), r_, ids_);
  }

  audit::Event AuditEvent(std::string_view op) const {
    audit::Event e;
    e.principal = caller_.principal;
    e.event_source = "s3.amazonaws.com";
    e.event_name = std::string(op);
    e.region = caller_.region;
    e.read_only = StartsWith(op, "Get") || StartsWith(op, "List") || StartsWith(op, "Head");
    e.source_ip = caller_.source_ip;
    e.user_agent = caller_.user_agent;
    e.request_id = ids_.request_id;
    audit::ParamsBuilder params;
    if (!r_.bucket.empty()) {
      params.String("bucketName", r_.bucket);
      e.resources.push_back({BucketArn(r_.bucket), caller_.principal->account, "AWS::S3::Bucket"});
    }
    const std::string* host = FindHeader(*r_.headers, "Host");
    if (host != nullptr) params.String("Host", *host);
    if (op == "PutBucketPolicy") {
      // The policy as given (CloudTrail logs it), when it is a JSON object.
      rapidjson::Document policy;
      policy.Parse(r_.body.data(), r_.body.size());
      if (!policy.HasParseError() && policy.IsObject()) {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        policy.Accept(w);
        params.Raw("bucketPolicy", std::string_view(buf.GetString(), buf.GetSize()));
      }
    }
    e.request_parameters = params.Build();
    return e;
  }

 private:
  Result<ApiResponse> Route() {
    const std::string_view op = S3OperationName(r_);
    if (op == "ListBuckets") return ListBuckets();
    if (op == "CreateBucket") return CreateBucket();
    if (op == "HeadBucket") return HeadBucket();
    if (op == "DeleteBucket") return DeleteBucket();
    if (op == "GetBucketLocation") return Location();
    if (op == "ListObjects" || op == "ListObjectsV2") return ListObjects();
    if (op == "ListObjectVersions") return ListObjectVersions();
    if (op == "PutBucketEncryption") return PutEncryption();
    if (op == "GetBucketEncryption") return GetEncryption();
    if (op == "DeleteBucketEncryption") return DeleteEncryption();
    if (op == "PutBucketPolicy") return PutPolicy();
    if (op == "GetBucketPolicy") return GetPolicy();
    if (op == "DeleteBucketPolicy") return DeletePolicy();
    if (op == "ListMultipartUploads") return ListMultipartUploads(svc_, caller_, r_, ids_);
    if (op == "DeleteObjects") return DeleteObjects();
    if (IsBucketConfigOperation(op)) return HandleBucketConfig(svc_, caller_, r_, op, ids_);
    // Any other sub-resource (tagging, versioning, lifecycle, cors, acl, ...) is not modelled.
    if (auto sub = UnservedSubResource(r_); !sub.empty()) return UnservedSubResourceError(sub);
    return S3Error(
        ErrorKind::kMethodNotAllowed, "The specified method is not allowed against this resource.",
        {{"Method", r_.method}, {"ResourceType", r_.bucket.empty() ? "SERVICE" : "BUCKET"}});
  }

  Result<ApiResponse> ListBuckets() {
    std::optional<std::string> prefix;
    if (const std::string* p = QueryParam(r_, "prefix")) prefix = *p;
    SEALSTACK_ASSIGN_OR_RETURN(auto buckets, svc_.ListBuckets(caller_, prefix));
    ListBucketsResult result;
    result.owner.id = CanonicalId(caller_.principal->account);
    for (const auto& b : buckets) result.buckets.push_back({b.name, b.created, b.region});
    if (prefix) result.prefix = *prefix;
    return XmlResponse(200, RenderListBuckets(result), ids_);
  }

  Result<ApiResponse> CreateBucket() {
    SEALSTACK_ASSIGN_OR_RETURN(CreateBucketConfiguration config,
                               ParseCreateBucketConfiguration(r_.body));
    BucketCreation creation;
    creation.location_constraint = config.location_constraint;
    creation.object_ownership = OptionalHeader(r_, "x-amz-object-ownership");
    const std::string* lock = Header(r_, "x-amz-bucket-object-lock-enabled");
    creation.object_lock_enabled = lock != nullptr && EqualsIgnoreCase(Trim(*lock), "true");
    SEALSTACK_ASSIGN_OR_RETURN(creation.acl, AclRequestOf(r_));
    SEALSTACK_RETURN_IF_ERROR(svc_.CreateBucket(caller_, r_.bucket, creation));
    ApiResponse resp = EmptyResponse(200, ids_);
    resp.SetHeader("Location", "/" + r_.bucket);
    return resp;
  }

  Result<ApiResponse> HeadBucket() {
    SEALSTACK_ASSIGN_OR_RETURN(Bucket b, svc_.HeadBucket(caller_, r_.bucket));
    ApiResponse resp = EmptyResponse(200, ids_);
    resp.SetHeader("x-amz-bucket-region", b.region);
    return resp;
  }

  Result<ApiResponse> DeleteBucket() {
    SEALSTACK_RETURN_IF_ERROR(svc_.DeleteBucket(caller_, r_.bucket));
    return EmptyResponse(204, ids_);
  }

  Result<ApiResponse> Location() {
    SEALSTACK_ASSIGN_OR_RETURN(std::string region, svc_.GetBucketLocation(caller_, r_.bucket));
    // us-east-1 is the empty LocationConstraint.
    return XmlResponse(200, RenderLocationConstraint(region == "us-east-1" ? "" : region), ids_);
  }

  Result<ApiResponse> PutEncryption() {
    SEALSTACK_RETURN_IF_ERROR(svc_.CheckBucketExists(r_.bucket));  // 404 before MalformedXML
    SEALSTACK_ASSIGN_OR_RETURN(EncryptionConfiguration config,
                               ParseEncryptionConfiguration(r_.body));
    SEALSTACK_RETURN_IF_ERROR(svc_.PutBucketEncryption(caller_, r_.bucket, config));
    return EmptyResponse(200, ids_);
  }

  Result<ApiResponse> GetEncryption() {
    SEALSTACK_ASSIGN_OR_RETURN(EncryptionConfiguration config,
                               svc_.GetBucketEncryption(caller_, r_.bucket));
    return XmlResponse(200, RenderEncryptionConfiguration(config), ids_);
  }

  Result<ApiResponse> DeleteEncryption() {
    SEALSTACK_RETURN_IF_ERROR(svc_.DeleteBucketEncryption(caller_, r_.bucket));
    return EmptyResponse(204, ids_);
  }

  Result<ApiResponse> PutPolicy() {
    SEALSTACK_RETURN_IF_ERROR(svc_.PutBucketPolicy(caller_, r_.bucket, r_.body));
    return EmptyResponse(204, ids_);
  }

  Result<ApiResponse> GetPolicy() {
    SEALSTACK_ASSIGN_OR_RETURN(std::string policy, svc_.GetBucketPolicy(caller_, r_.bucket));
    ApiResponse resp = EmptyResponse(200, ids_);
    resp.body = std::move(policy);
    resp.SetHeader("Content-Type", "application/json");
    return resp;
  }

  Result<ApiResponse> DeletePolicy() {
    SEALSTACK_RETURN_IF_ERROR(svc_.DeleteBucketPolicy(caller_, r_.bucket));
    return EmptyResponse(204, ids_);
  }

  Result<ApiResponse> ListObjects() {
    SEALSTACK_ASSIGN_OR_RETURN(ListObjectsInput in, ListObjectsInputOf(r_));
    SEALSTACK_ASSIGN_OR_RETURN(ListObjectsOutput out, svc_.ListObjects(caller_, in));
    return XmlResponse(200, RenderListObjects(r_, in, std::move(out)), ids_);
  }

  Result<ApiResponse> ListObjectVersions() {
    SEALSTACK_ASSIGN_OR_RETURN(ListObjectVersionsInput in, ListVersionsInputOf(r_));
    SEALSTACK_ASSIGN_OR_RETURN(ListObjectVersionsOutput out, svc_.ListObjectVersions(caller_, in));
    return XmlResponse(200, RenderListVersions(r_, in, std::move(out)), ids_);
  }

  Result<ApiResponse> DeleteObjects() {
    SEALSTACK_RETURN_IF_ERROR(svc_.CheckBucketExists(r_.bucket));
    SEALSTACK_RETURN_IF_ERROR(CheckBodyIntegrity(r_));
    SEALSTACK_ASSIGN_OR_RETURN(DeleteRequest request, ParseDeleteRequest(r_.body));
    DeleteObjectsInput in;
    in.bucket = r_.bucket;
    in.bypass_governance = BypassGovernanceOf(r_);
    for (const auto& o : request.objects) {
      in.objects.push_back(
          {o.key, o.version_id.empty() ? std::nullopt : std::optional<std::string>(o.version_id)});
    }
    SEALSTACK_ASSIGN_OR_RETURN(DeleteObjectsOutput out, svc_.DeleteObjects(caller_, in));
    DeleteResult result;
    for (size_t i = 0; i < request.objects.size(); ++i) {
      const DeleteObjectId& o = request.objects[i];
      const Result<DeleteObjectOutput>& got = out.results[i];
      if (!got.ok()) {
        WireError w = S3StatusToWire(got.status());
        result.errors.push_back({o.key, o.version_id, w.code, w.message});
        continue;
      }
      if (request.quiet) continue;
      // With a version: that version (DeleteMarker when it was one). Without, on a versioned
      // bucket: the marker added, as DeleteMarker + DeleteMarkerVersionId.
      DeletedEntry d{o.key, o.version_id, got->delete_marker, ""};
      if (o.version_id.empty() && got->delete_marker && got->version_id) {
        d.delete_marker_version_id = *got->version_id;
      }
      result.deleted.push_back(std::move(d));
    }
    return XmlResponse(200, RenderDeleteResult(result), ids_);
  }

  const ObjectServices& s_;
  Service svc_;
  const S3Caller& caller_;
  const S3Request& r_;
  const RequestIds& ids_;
};

}  // namespace

ApiResponse HandleS3(const ObjectServices& services, const S3Caller& caller,
                     const S3Request& request, const RequestIds& ids) {
  ApiResponse response = Dispatch(services, caller, request, ids).Run();
  AddCorsHeaders(services, request, &response);
  return response;
}

}  // namespace sealstack::api::s3
