#include "api/s3/s3_handler.h"

#include <algorithm>

#include "api/s3/s3_errors.h"
#include "api/s3/s3_wire_errors.h"
#include "api/s3/s3_xml.h"
#include "crypto/digest.h"
#include "storage/s3_repo.h"

namespace sealstack::api::s3 {

namespace {

const std::string* QueryParam(const S3Request& r, std::string_view name) {
  for (const auto& [k, v] : r.query) {
    if (k == name) return &v;
  }
  return nullptr;
}

bool Has(const S3Request& r, std::string_view name) {
  return QueryParam(r, name) != nullptr;
}

ApiResponse Xml(int status, std::string body, const RequestIds& ids) {
  ApiResponse resp;
  resp.status = status;
  resp.body = std::move(body);
  resp.SetHeader("Content-Type", "application/xml");
  AddRequestIdHeaders(Protocol::kS3, ids, &resp);
  return resp;
}

ApiResponse Empty(int status, const RequestIds& ids) {
  ApiResponse resp;
  resp.status = status;
  AddRequestIdHeaders(Protocol::kS3, ids, &resp);
  return resp;
}

// S3's canonical user id: 64 hex characters, stable per account.
std::string CanonicalId(const std::string& account) {
  return crypto::Hex(crypto::Sha256("sealstack-canonical-user:" + account));
}

class Dispatch {
 public:
  Dispatch(BucketService& buckets, storage::Database& db, const S3Caller& caller,
           const S3Request& r, const RequestIds& ids)
      : buckets_(buckets), db_(db), caller_(caller), r_(r), ids_(ids) {}

  ApiResponse Run() {
    Result<ApiResponse> out = Route();
    if (out.ok()) return std::move(*out);
    return RenderError(Protocol::kS3, S3StatusToWire(out.status()), ids_, r_.resource,
                       r_.method == "HEAD");
  }

 private:
  Status NotImplemented() {
    return S3Error(ErrorKind::kNotImplemented,
                   "A header you provided implies functionality that is not implemented.");
  }

  Result<ApiResponse> Route() {
    if (r_.bucket.empty()) {
      if (r_.method == "GET") return ListBuckets();
      return S3Error(ErrorKind::kMethodNotAllowed,
                     "The specified method is not allowed against this resource.",
                     {{"Method", r_.method}, {"ResourceType", "SERVICE"}});
    }
    if (!r_.key.empty()) return NotImplemented();  // object operations: the S3 issue
    const std::string& m = r_.method;
    if (Has(r_, "encryption")) {
      if (m == "PUT") return PutEncryption();
      if (m == "GET") return GetEncryption();
      if (m == "DELETE") return DeleteEncryption();
    }
    if (Has(r_, "location") && m == "GET") return Location();
    // Any other sub-resource (policy, tagging, versioning, uploads, delete, ...) is not here yet.
    static const char* kKnownListParams[] = {
        "list-type",   "prefix",      "delimiter",     "max-keys", "continuation-token",
        "start-after", "fetch-owner", "encoding-type", "marker",   "x-id"};
    for (const auto& [k, v] : r_.query) {
      if (std::none_of(std::begin(kKnownListParams), std::end(kKnownListParams),
                       [&](const char* p) { return k == p; })) {
        return NotImplemented();
      }
    }
    if (m == "PUT") return CreateBucket();
    if (m == "HEAD") return HeadBucket();
    if (m == "DELETE") return DeleteBucket();
    if (m == "GET") return ListObjects();
    return NotImplemented();
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
    return Xml(200, RenderListBuckets(result), ids_);
  }

  Result<ApiResponse> CreateBucket() {
    SEALSTACK_ASSIGN_OR_RETURN(CreateBucketConfiguration config,
                               ParseCreateBucketConfiguration(r_.body));
    SEALSTACK_RETURN_IF_ERROR(
        buckets_.CreateBucket(caller_, r_.bucket, config.location_constraint));
    ApiResponse resp = Empty(200, ids_);
    resp.SetHeader("Location", "/" + r_.bucket);
    return resp;
  }

  Result<ApiResponse> HeadBucket() {
    SEALSTACK_ASSIGN_OR_RETURN(Bucket b, buckets_.GetBucket(caller_, r_.bucket));
    ApiResponse resp = Empty(200, ids_);
    resp.SetHeader("x-amz-bucket-region", b.region);
    return resp;
  }

  Result<ApiResponse> DeleteBucket() {
    SEALSTACK_RETURN_IF_ERROR(buckets_.DeleteBucket(caller_, r_.bucket));
    return Empty(204, ids_);
  }

  Result<ApiResponse> Location() {
    SEALSTACK_ASSIGN_OR_RETURN(Bucket b, buckets_.GetBucket(caller_, r_.bucket));
    return Xml(200, RenderLocationConstraint(b.region == "us-east-1" ? "" : b.region), ids_);
  }

  Result<ApiResponse> PutEncryption() {
    SEALSTACK_ASSIGN_OR_RETURN(Bucket b, buckets_.GetBucket(caller_, r_.bucket));  // 404 first
    (void)b;
    SEALSTACK_ASSIGN_OR_RETURN(EncryptionConfiguration config,
                               ParseEncryptionConfiguration(r_.body));
    SEALSTACK_RETURN_IF_ERROR(buckets_.PutEncryption(caller_, r_.bucket, config));
    return Empty(200, ids_);
  }

  Result<ApiResponse> GetEncryption() {
    SEALSTACK_ASSIGN_OR_RETURN(Bucket b, buckets_.GetBucket(caller_, r_.bucket));
    return Xml(200, RenderEncryptionConfiguration(b.encryption), ids_);
  }

  Result<ApiResponse> DeleteEncryption() {
    SEALSTACK_RETURN_IF_ERROR(buckets_.DeleteEncryption(caller_, r_.bucket));
    return Empty(204, ids_);
  }

  Result<ApiResponse> ListObjects() {
    SEALSTACK_ASSIGN_OR_RETURN(Bucket b, buckets_.GetBucket(caller_, r_.bucket));
    (void)b;
    const bool v2 = QueryParam(r_, "list-type") != nullptr && *QueryParam(r_, "list-type") == "2";
    const std::string* delimiter = QueryParam(r_, "delimiter");
    if (delimiter != nullptr && !delimiter->empty()) return NotImplemented();  // S3 issue
    storage::S3ListObjectsOptions options;
    if (const std::string* p = QueryParam(r_, "prefix")) options.prefix = *p;
    if (const std::string* sa = QueryParam(r_, v2 ? "start-after" : "marker")) {
      options.start_after = *sa;
    }
    if (const std::string* token = QueryParam(r_, "continuation-token")) {
      auto decoded = crypto::FromBase64(*token);
      if (!decoded) {
        return S3Error(ErrorKind::kInvalidArgument, "The continuation token provided is incorrect",
                       {{"ArgumentName", "continuation-token"}});
      }
      options.start_after = *decoded;
    }
    int64_t max_keys = 1000;
    if (const std::string* mk = QueryParam(r_, "max-keys")) {
      try {
        max_keys = std::clamp<int64_t>(std::stoll(*mk), 0, 1000);
      } catch (...) {
        return S3Error(ErrorKind::kInvalidArgument,
                       "Provided max-keys not an integer or within "
                       "integer range",
                       {{"ArgumentName", "max-keys"}, {"ArgumentValue", *mk}});
      }
    }
    options.limit = static_cast<size_t>(std::max<int64_t>(max_keys, 1));
    storage::S3ObjectPage page;
    if (max_keys > 0) {
      SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& c) -> Status {
        SEALSTACK_ASSIGN_OR_RETURN(page, storage::S3Repo::ListObjects(c, r_.bucket, options));
        return Status::Ok();
      }));
    }
    const bool url = QueryParam(r_, "encoding-type") != nullptr;
    std::vector<ObjectEntry> contents;
    for (const auto& o : page.objects) {
      ObjectEntry e;
      e.key = o.key;
      e.last_modified =
          SystemTime(std::chrono::microseconds(static_cast<int64_t>(o.created_at * 1e6)));
      e.etag = o.etag;
      e.size = static_cast<int64_t>(o.size);
      contents.push_back(std::move(e));
    }
    if (v2) {
      ListObjectsV2Result result;
      result.name = r_.bucket;
      result.prefix = options.prefix;
      result.max_keys = max_keys;
      result.is_truncated = page.truncated;
      if (const std::string* t = QueryParam(r_, "continuation-token"))
        result.continuation_token = *t;
      if (page.truncated && !contents.empty()) {
        result.next_continuation_token = crypto::Base64(contents.back().key);
      }
      if (const std::string* sa = QueryParam(r_, "start-after")) result.start_after = *sa;
      result.encoding_type_url = url;
      result.contents = std::move(contents);
      return Xml(200, RenderListObjectsV2(result), ids_);
    }
    ListObjectsV1Result result;
    result.name = r_.bucket;
    result.prefix = options.prefix;
    result.max_keys = max_keys;
    result.is_truncated = page.truncated;
    if (const std::string* marker = QueryParam(r_, "marker")) result.marker = *marker;
    result.encoding_type_url = url;
    Owner owner{CanonicalId(caller_.principal->account), ""};
    for (auto& e : contents) e.owner = owner;
    result.contents = std::move(contents);
    return Xml(200, RenderListObjectsV1(result), ids_);
  }

  BucketService& buckets_;
  storage::Database& db_;
  const S3Caller& caller_;
  const S3Request& r_;
  const RequestIds& ids_;
};

}  // namespace

ApiResponse HandleS3(BucketService& buckets, storage::Database& db, const S3Caller& caller,
                     const S3Request& request, const RequestIds& ids) {
  return Dispatch(buckets, db, caller, request, ids).Run();
}

}  // namespace sealstack::api::s3
