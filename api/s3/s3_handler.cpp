#include "api/s3/s3_handler.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <optional>

#include "api/s3/bucket_objects.h"
#include "api/s3/multipart_ops.h"
#include "api/s3/object_common.h"
#include "api/s3/object_ops.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_operations.h"
#include "api/s3/s3_wire_errors.h"
#include "api/s3/s3_xml.h"
#include "audit/event.h"
#include "audit/pending_call.h"
#include "common/strings.h"

namespace sealstack::api::s3 {

namespace {

class Dispatch {
 public:
  Dispatch(const ObjectServices& services, const S3Caller& caller, const S3Request& r,
           const RequestIds& ids)
      : s_(services), buckets_(*services.buckets), caller_(caller), r_(r), ids_(ids) {}

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
  Status NotImplemented() {
    return S3Error(ErrorKind::kNotImplemented,
                   "A header you provided implies functionality that is not implemented.");
  }

  Result<ApiResponse> Route() {
    const std::string_view op = S3OperationName(r_);
    if (op == "ListBuckets") return ListBuckets();
    if (op == "CreateBucket") return CreateBucket();
    if (op == "HeadBucket") return HeadBucket();
    if (op == "DeleteBucket") return DeleteBucket();
    if (op == "GetBucketLocation") return Location();
    if (op == "ListObjects" || op == "ListObjectsV2") return ListObjects(s_, caller_, r_, ids_);
    if (op == "PutBucketEncryption") return PutEncryption();
    if (op == "GetBucketEncryption") return GetEncryption();
    if (op == "DeleteBucketEncryption") return DeleteEncryption();
    if (op == "PutBucketPolicy") return PutPolicy();
    if (op == "GetBucketPolicy") return GetPolicy();
    if (op == "DeleteBucketPolicy") return DeletePolicy();
    if (op == "ListMultipartUploads") return ListMultipartUploads(s_, caller_, r_, ids_);
    if (op == "DeleteObjects") return DeleteObjects(s_, caller_, r_, ids_);
    // Any other sub-resource (tagging, versioning, lifecycle, cors, acl, ...) is not modelled.
    if (NamesUnknownSubResource(r_)) return NotImplemented();
    return S3Error(
        ErrorKind::kMethodNotAllowed, "The specified method is not allowed against this resource.",
        {{"Method", r_.method}, {"ResourceType", r_.bucket.empty() ? "SERVICE" : "BUCKET"}});
  }

  Result<ApiResponse> ListBuckets() {
    SEALSTACK_ASSIGN_OR_RETURN(auto buckets, buckets_.ListBuckets(caller_));
    ListBucketsResult result;
    result.owner.id = CanonicalId(caller_.principal->account);
    const std::string* prefix = QueryParam(r_, "prefix");
    for (const auto& b : buckets) {
      if (prefix != nullptr && b.name.rfind(*prefix, 0) != 0) continue;
      result.buckets.push_back({b.name, b.created, b.region});
    }
    if (prefix != nullptr) result.prefix = *prefix;
    return XmlResponse(200, RenderListBuckets(result), ids_);
  }

  Result<ApiResponse> CreateBucket() {
    SEALSTACK_ASSIGN_OR_RETURN(CreateBucketConfiguration config,
                               ParseCreateBucketConfiguration(r_.body));
    SEALSTACK_RETURN_IF_ERROR(
        buckets_.CreateBucket(caller_, r_.bucket, config.location_constraint));
    ApiResponse resp = EmptyResponse(200, ids_);
    resp.SetHeader("Location", "/" + r_.bucket);
    return resp;
  }

  Result<ApiResponse> HeadBucket() {
    SEALSTACK_ASSIGN_OR_RETURN(Bucket b, buckets_.Access(caller_, r_.bucket, "s3:ListBucket"));
    ApiResponse resp = EmptyResponse(200, ids_);
    resp.SetHeader("x-amz-bucket-region", b.region);
    return resp;
  }

  Result<ApiResponse> DeleteBucket() {
    SEALSTACK_RETURN_IF_ERROR(buckets_.DeleteBucket(caller_, r_.bucket));
    return EmptyResponse(204, ids_);
  }

  Result<ApiResponse> Location() {
    SEALSTACK_ASSIGN_OR_RETURN(Bucket b,
                               buckets_.Access(caller_, r_.bucket, "s3:GetBucketLocation"));
    return XmlResponse(200, RenderLocationConstraint(b.region == "us-east-1" ? "" : b.region),
                       ids_);
  }

  Result<ApiResponse> PutEncryption() {
    SEALSTACK_RETURN_IF_ERROR(buckets_.Load(r_.bucket).status());  // 404 before MalformedXML
    SEALSTACK_ASSIGN_OR_RETURN(EncryptionConfiguration config,
                               ParseEncryptionConfiguration(r_.body));
    SEALSTACK_RETURN_IF_ERROR(buckets_.PutEncryption(caller_, r_.bucket, config));
    return EmptyResponse(200, ids_);
  }

  Result<ApiResponse> GetEncryption() {
    SEALSTACK_ASSIGN_OR_RETURN(
        Bucket b, buckets_.Access(caller_, r_.bucket, "s3:GetEncryptionConfiguration"));
    return XmlResponse(200, RenderEncryptionConfiguration(b.encryption), ids_);
  }

  Result<ApiResponse> DeleteEncryption() {
    SEALSTACK_RETURN_IF_ERROR(buckets_.DeleteEncryption(caller_, r_.bucket));
    return EmptyResponse(204, ids_);
  }

  Result<ApiResponse> PutPolicy() {
    SEALSTACK_RETURN_IF_ERROR(buckets_.PutPolicy(caller_, r_.bucket, r_.body));
    return EmptyResponse(204, ids_);
  }

  Result<ApiResponse> GetPolicy() {
    SEALSTACK_ASSIGN_OR_RETURN(std::string policy, buckets_.GetPolicy(caller_, r_.bucket));
    ApiResponse resp = EmptyResponse(200, ids_);
    resp.body = std::move(policy);
    resp.SetHeader("Content-Type", "application/json");
    return resp;
  }

  Result<ApiResponse> DeletePolicy() {
    SEALSTACK_RETURN_IF_ERROR(buckets_.DeletePolicy(caller_, r_.bucket));
    return EmptyResponse(204, ids_);
  }

  const ObjectServices& s_;
  BucketService& buckets_;
  const S3Caller& caller_;
  const S3Request& r_;
  const RequestIds& ids_;
};

}  // namespace

ApiResponse HandleS3(const ObjectServices& services, const S3Caller& caller,
                     const S3Request& request, const RequestIds& ids) {
  return Dispatch(services, caller, request, ids).Run();
}

}  // namespace sealstack::api::s3
