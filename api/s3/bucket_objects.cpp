#include "api/s3/bucket_objects.h"

#include <algorithm>

#include "api/s3/s3_errors.h"
#include "common/strings.h"
#include "crypto/checksum.h"
#include "crypto/digest.h"

namespace sealstack::api::s3 {

namespace {

// Keys are valid UTF-8, which never holds the byte 0xFF: "<prefix>\xff" sorts after every key
// that starts with <prefix>, so listing after it skips a whole common prefix.
std::string PastPrefix(const std::string& common_prefix) {
  return common_prefix + '\xff';
}

// A marker or token that is a common prefix returned earlier resumes after all its keys.
std::string ResumePoint(const std::string& marker, const std::string& prefix,
                        const std::string& delimiter) {
  if (delimiter.empty() || marker.size() <= prefix.size() || !StartsWith(marker, prefix)) {
    return marker;
  }
  size_t at = marker.find(delimiter, prefix.size());
  if (at != std::string::npos && at + delimiter.size() == marker.size()) return PastPrefix(marker);
  return marker;
}

ObjectEntry EntryOf(const ObjectInfo& o) {
  ObjectEntry e;
  e.key = o.key;
  e.last_modified = o.created_at;
  e.etag = o.etag;
  e.size = static_cast<int64_t>(o.size);
  auto doc = DecodeObjectDoc(o.doc, "");
  if (doc.ok() && !doc->checksum_algorithm.empty()) {
    e.checksum_algorithms.push_back(doc->checksum_algorithm);
    e.checksum_type = doc->checksum_type.empty() ? "FULL_OBJECT" : doc->checksum_type;
  }
  return e;
}

Status InvalidToken() {
  return S3Error(ErrorKind::kInvalidArgument, "The continuation token provided is incorrect",
                 {{"ArgumentName", "continuation-token"}});
}

}  // namespace

Result<ApiResponse> ListObjects(const ObjectServices& s, const S3Caller& c, const S3Request& r,
                                const RequestIds& ids) {
  const bool v2 = QueryParam(r, "list-type") != nullptr && *QueryParam(r, "list-type") == "2";
  std::string prefix, delimiter;
  if (const std::string* p = QueryParam(r, "prefix")) prefix = *p;
  if (const std::string* d = QueryParam(r, "delimiter")) delimiter = *d;
  S3Access access{"s3:ListBucket", BucketArn(r.bucket), {}};
  access.keys.emplace_back("s3:prefix", prefix);
  if (!delimiter.empty()) access.keys.emplace_back("s3:delimiter", delimiter);
  int64_t max_keys = 1000;
  if (const std::string* mk = QueryParam(r, "max-keys")) {
    try {
      size_t used = 0;
      max_keys = std::stoll(*mk, &used);
      if (used != mk->size() || max_keys < 0) throw std::invalid_argument("max-keys");
    } catch (...) {
      return S3Error(ErrorKind::kInvalidArgument,
                     "Provided max-keys not an integer or within integer range",
                     {{"ArgumentName", "max-keys"}, {"ArgumentValue", *mk}});
    }
    access.keys.emplace_back("s3:max-keys", *mk);
    max_keys = std::min<int64_t>(max_keys, 1000);
  }
  SEALSTACK_ASSIGN_OR_RETURN(Bucket bucket, s.buckets->Access(c, r.bucket, access));

  std::string start;
  if (const std::string* sa = QueryParam(r, v2 ? "start-after" : "marker")) start = *sa;
  const std::string* token = v2 ? QueryParam(r, "continuation-token") : nullptr;
  if (token != nullptr) {
    auto decoded = crypto::FromBase64(*token);
    if (!decoded || token->empty()) return InvalidToken();
    start = *decoded;
  }
  start = ResumePoint(start, prefix, delimiter);

  std::vector<ObjectEntry> contents;
  std::vector<std::string> common_prefixes;
  std::string last_item;
  bool truncated = false;
  int64_t count = 0;
  bool more = max_keys > 0;
  while (more) {
    storage::S3ListObjectsOptions options;
    options.prefix = prefix;
    options.start_after = start;
    options.limit = static_cast<size_t>(max_keys - count + 1);
    SEALSTACK_ASSIGN_OR_RETURN(ObjectPage page, s.store->List(r.bucket, options));
    more = false;
    for (const auto& o : page.objects) {
      if (count == max_keys) {
        truncated = true;
        break;
      }
      if (!delimiter.empty()) {
        size_t at = o.key.find(delimiter, prefix.size());
        if (at != std::string::npos) {
          std::string cp = o.key.substr(0, at + delimiter.size());
          common_prefixes.push_back(cp);
          ++count;
          last_item = cp;
          start = PastPrefix(cp);
          more = true;  // list again after everything under the common prefix
          break;
        }
      }
      contents.push_back(EntryOf(o));
      ++count;
      last_item = o.key;
      start = o.key;
    }
    if (truncated) break;
    if (!more && page.truncated) more = true;
  }

  const bool url = QueryParam(r, "encoding-type") != nullptr;
  if (v2) {
    const std::string* fetch_owner = QueryParam(r, "fetch-owner");
    if (fetch_owner != nullptr && *fetch_owner == "true") {
      Owner owner{CanonicalId(bucket.account), ""};
      for (auto& e : contents) e.owner = owner;
    }
    ListObjectsV2Result result;
    result.name = r.bucket;
    result.prefix = prefix;
    result.delimiter = delimiter;
    result.max_keys = max_keys;
    result.is_truncated = truncated;
    if (token != nullptr) result.continuation_token = *token;
    if (truncated) result.next_continuation_token = crypto::Base64(last_item);
    if (const std::string* sa = QueryParam(r, "start-after")) result.start_after = *sa;
    result.encoding_type_url = url;
    result.contents = std::move(contents);
    result.common_prefixes = std::move(common_prefixes);
    return XmlResponse(200, RenderListObjectsV2(result), ids);
  }
  ListObjectsV1Result result;
  result.name = r.bucket;
  result.prefix = prefix;
  result.delimiter = delimiter;
  result.max_keys = max_keys;
  result.is_truncated = truncated;
  if (const std::string* marker = QueryParam(r, "marker")) result.marker = *marker;
  if (truncated && !delimiter.empty()) result.next_marker = last_item;
  result.encoding_type_url = url;
  Owner owner{CanonicalId(bucket.account), ""};
  for (auto& e : contents) e.owner = owner;
  result.contents = std::move(contents);
  result.common_prefixes = std::move(common_prefixes);
  return XmlResponse(200, RenderListObjectsV1(result), ids);
}

Result<ApiResponse> DeleteObjects(const ObjectServices& s, const S3Caller& c, const S3Request& r,
                                  const RequestIds& ids) {
  SEALSTACK_ASSIGN_OR_RETURN(Bucket bucket, s.buckets->Load(r.bucket));
  // The body must carry an integrity header (the model marks the operation checksum-required).
  bool has_integrity = false;
  if (const std::string* md5 = Header(r, "Content-MD5")) {
    has_integrity = true;
    auto raw = crypto::FromBase64(*md5);
    if (!raw || raw->size() != 16) {
      return S3Error(ErrorKind::kInvalidDigest, "The Content-MD5 you specified was invalid.",
                     {{"Content-MD5", *md5}});
    }
    if (*raw != crypto::Md5(r.body)) {
      return S3Error(ErrorKind::kBadDigest,
                     "The Content-MD5 you specified did not match what we received.");
    }
  }
  for (const auto& [name, value] : *r.headers) {
    auto alg = crypto::ChecksumAlgorithmFromHeader(name);
    if (!alg) continue;
    has_integrity = true;
    crypto::Checksum sum(*alg);
    sum.Update(r.body);
    if (sum.DigestBase64() != value) {
      return S3Error(ErrorKind::kBadDigest,
                     "The " + std::string(crypto::ChecksumAlgorithmName(*alg)) +
                         " you specified did not match the calculated checksum.");
    }
  }
  if (!has_integrity && Header(r, "x-amz-trailer") == nullptr) {
    return S3Error(ErrorKind::kInvalidRequest,
                   "Missing required header for this request: Content-MD5 OR x-amz-checksum-*");
  }
  SEALSTACK_ASSIGN_OR_RETURN(DeleteRequest request, ParseDeleteRequest(r.body));
  DeleteResult result;
  for (const auto& o : request.objects) {
    if (o.key.empty()) {
      result.errors.push_back(
          {o.key, o.version_id, "UserKeyMustBeSpecified", "The key parameter must be specified"});
      continue;
    }
    Status allowed = s.buckets->Authorize(
        c, bucket, S3Access{"s3:DeleteObject", ObjectArn(r.bucket, o.key), {}});
    if (!allowed.ok()) {
      result.errors.push_back({o.key, o.version_id, "AccessDenied", "Access Denied"});
      continue;
    }
    auto deleted = s.store->Delete(r.bucket, o.key);
    if (!deleted.ok()) {
      result.errors.push_back({o.key, o.version_id, "InternalError",
                               "We encountered an internal error. Please try again."});
      continue;
    }
    if (!request.quiet) result.deleted.push_back({o.key, o.version_id, false, ""});
  }
  return XmlResponse(200, RenderDeleteResult(result), ids);
}

}  // namespace sealstack::api::s3
