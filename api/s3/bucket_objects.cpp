// s3::Service operations on many objects of a bucket: ListObjects / ListObjectsV2 (prefix,
// delimiter with common prefixes, paging) and DeleteObjects, each key authorized on its own as
// S3 does.
#include <algorithm>

#include "api/s3/object_common.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_service.h"
#include "common/strings.h"
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

ListedObject EntryOf(const ObjectInfo& o) {
  ListedObject e;
  e.key = o.key;
  e.last_modified = o.created_at;
  e.etag = o.etag;
  e.size = o.size;
  auto doc = DecodeObjectDoc(o.doc, "");
  if (doc.ok() && !doc->checksum_algorithm.empty()) {
    e.checksum_algorithm = doc->checksum_algorithm;
    e.checksum_type = doc->checksum_type.empty() ? "FULL_OBJECT" : doc->checksum_type;
  }
  return e;
}

Status InvalidToken() {
  return S3Error(ErrorKind::kInvalidArgument, "The continuation token provided is incorrect",
                 {{"ArgumentName", "continuation-token"}});
}

}  // namespace

Result<ListObjectsOutput> Service::ListObjects(const S3Caller& c, const ListObjectsInput& in) {
  S3Access access{"s3:ListBucket", BucketArn(in.bucket), {}};
  access.keys.emplace_back("s3:prefix", in.prefix);
  if (!in.delimiter.empty()) access.keys.emplace_back("s3:delimiter", in.delimiter);
  if (in.max_keys_raw) access.keys.emplace_back("s3:max-keys", *in.max_keys_raw);
  SEALSTACK_ASSIGN_OR_RETURN(Bucket bucket, parts_.buckets->Access(c, in.bucket, access));

  std::string start = in.start_after;
  if (in.continuation_token) {
    auto decoded = crypto::FromBase64(*in.continuation_token);
    if (!decoded || in.continuation_token->empty()) return InvalidToken();
    start = *decoded;
  }
  start = ResumePoint(start, in.prefix, in.delimiter);

  ListObjectsOutput out;
  out.owner_account = bucket.account;
  int64_t count = 0;
  bool more = in.max_keys > 0;
  while (more) {
    storage::S3ListObjectsOptions options;
    options.prefix = in.prefix;
    options.start_after = start;
    options.limit = static_cast<size_t>(in.max_keys - count + 1);
    SEALSTACK_ASSIGN_OR_RETURN(ObjectPage page, parts_.store->List(in.bucket, options));
    more = false;
    for (const auto& o : page.objects) {
      if (count == in.max_keys) {
        out.truncated = true;
        break;
      }
      if (!in.delimiter.empty()) {
        size_t at = o.key.find(in.delimiter, in.prefix.size());
        if (at != std::string::npos) {
          std::string cp = o.key.substr(0, at + in.delimiter.size());
          out.common_prefixes.push_back(cp);
          ++count;
          out.last_item = cp;
          start = PastPrefix(cp);
          more = true;  // list again after everything under the common prefix
          break;
        }
      }
      out.objects.push_back(EntryOf(o));
      ++count;
      out.last_item = o.key;
      start = o.key;
    }
    if (out.truncated) break;
    if (!more && page.truncated) more = true;
  }
  return out;
}

Result<DeleteObjectsOutput> Service::DeleteObjects(const S3Caller& c,
                                                   const DeleteObjectsInput& in) {
  SEALSTACK_ASSIGN_OR_RETURN(Bucket bucket, parts_.buckets->Load(in.bucket));
  DeleteObjectsOutput out;
  for (const auto& key : in.keys) {
    if (key.empty()) {
      out.results.push_back(
          S3Error(ErrorKind::kUserKeyMustBeSpecified, "The key parameter must be specified"));
      continue;
    }
    Status allowed = parts_.buckets->Authorize(
        c, bucket, S3Access{"s3:DeleteObject", ObjectArn(in.bucket, key), {}});
    if (!allowed.ok()) {
      // Per key, S3 gives the short form of the denial.
      out.results.push_back(S3Error(ErrorKind::kAccessDenied, "Access Denied"));
      continue;
    }
    auto deleted = parts_.store->Delete(in.bucket, key);
    if (!deleted.ok()) {
      out.results.push_back(S3Error(ErrorKind::kInternalError,
                                    "We encountered an internal error. Please try again."));
      continue;
    }
    out.results.push_back(Status::Ok());
  }
  return out;
}

}  // namespace sealstack::api::s3
