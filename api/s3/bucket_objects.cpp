// s3::Service operations on many objects of a bucket: ListObjects / ListObjectsV2 (prefix,
// delimiter with common prefixes, paging), ListObjectVersions, and DeleteObjects, each key
// authorized on its own as S3 does.
#include <algorithm>
#include <tuple>

#include "api/s3/object_common.h"
#include "api/s3/object_versions.h"
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

// The checksum algorithm and type a listing shows for a version ("" when none).
std::pair<std::string, std::string> ListedChecksum(const ObjectInfo& o) {
  auto doc = DecodeObjectDoc(o.doc, "");
  if (!doc.ok() || doc->checksum_algorithm.empty()) return {};
  return {doc->checksum_algorithm, doc->checksum_type.empty() ? "FULL_OBJECT" : doc->checksum_type};
}

ListedObject EntryOf(const ObjectInfo& o) {
  ListedObject e;
  e.key = o.key;
  e.last_modified = o.created_at;
  e.etag = o.etag;
  e.size = o.size;
  std::tie(e.checksum_algorithm, e.checksum_type) = ListedChecksum(o);
  return e;
}

ListedVersion VersionEntryOf(const ObjectInfo& o) {
  ListedVersion e;
  e.key = o.key;
  e.version_id = o.version_id;
  e.is_latest = o.is_latest;
  e.delete_marker = o.delete_marker;
  e.last_modified = o.created_at;
  if (!o.delete_marker) {
    e.etag = o.etag;
    e.size = o.size;
    std::tie(e.checksum_algorithm, e.checksum_type) = ListedChecksum(o);
  }
  return e;
}

// The paging ListObjects and ListObjectVersions share: the store is read up to `max_keys`
// entries at a time (`fetch(limit)` reads the next `Page` from the caller's resume point, its
// entries in `Page::*entries`). Under a delimiter, an entry inside a common prefix is listed once,
// as the prefix (`on_prefix`), and the next read starts past everything under it; any other
// entry goes to `on_entry`. Both callbacks move the caller's resume point. Returns whether the
// listing stopped at max_keys with entries left (truncated).
template <typename Page, typename Fetch, typename OnEntry, typename OnPrefix>
Result<bool> ListRollingUpPrefixes(const std::string& prefix, const std::string& delimiter,
                                   int64_t max_keys, std::vector<ObjectInfo> Page::*entries,
                                   Fetch fetch, OnEntry on_entry, OnPrefix on_prefix) {
  int64_t count = 0;
  bool more = max_keys > 0;
  while (more) {
    SEALSTACK_ASSIGN_OR_RETURN(Page page, fetch(static_cast<size_t>(max_keys - count + 1)));
    more = false;
    for (const ObjectInfo& o : page.*entries) {
      if (count == max_keys) return true;
      if (!delimiter.empty()) {
        size_t at = o.key.find(delimiter, prefix.size());
        if (at != std::string::npos) {
          on_prefix(o.key.substr(0, at + delimiter.size()));
          ++count;
          more = true;  // list again after everything under the common prefix
          break;
        }
      }
      on_entry(o);
      ++count;
    }
    if (!more && page.truncated) more = true;
  }
  return false;
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
  SEALSTACK_ASSIGN_OR_RETURN(out.truncated,
                             ListRollingUpPrefixes(
                                 in.prefix, in.delimiter, in.max_keys, &ObjectPage::objects,
                                 [&](size_t limit) {
                                   storage::S3ListObjectsOptions options;
                                   options.prefix = in.prefix;
                                   options.start_after = start;
                                   options.limit = limit;
                                   return parts_.store->List(in.bucket, options);
                                 },
                                 [&](const ObjectInfo& o) {
                                   out.objects.push_back(EntryOf(o));
                                   out.last_item = o.key;
                                   start = o.key;
                                 },
                                 [&](const std::string& common_prefix) {
                                   out.common_prefixes.push_back(common_prefix);
                                   out.last_item = common_prefix;
                                   start = PastPrefix(common_prefix);
                                 }));
  return out;
}

Result<ListObjectVersionsOutput> Service::ListObjectVersions(const S3Caller& c,
                                                             const ListObjectVersionsInput& in) {
  S3Access access{"s3:ListBucketVersions", BucketArn(in.bucket), {}};
  access.keys.emplace_back("s3:prefix", in.prefix);
  if (!in.delimiter.empty()) access.keys.emplace_back("s3:delimiter", in.delimiter);
  if (in.max_keys_raw) access.keys.emplace_back("s3:max-keys", *in.max_keys_raw);
  SEALSTACK_ASSIGN_OR_RETURN(Bucket bucket, parts_.buckets->Access(c, in.bucket, access));

  storage::S3ListVersionsOptions options;
  options.prefix = in.prefix;
  options.key_marker = in.key_marker;
  if (!in.version_id_marker.empty()) {
    if (in.key_marker.empty()) {
      return S3Error(
          ErrorKind::kInvalidArgument,
          "A version-id marker cannot be specified without a key marker.",
          {{"ArgumentName", "version-id-marker"}, {"ArgumentValue", in.version_id_marker}});
    }
    SEALSTACK_RETURN_IF_ERROR(CheckVersionId(in.version_id_marker, "version-id-marker"));
    auto seq = parts_.store->VersionSeq(in.bucket, in.key_marker, in.version_id_marker);
    if (!seq.ok()) {
      if (seq.status().code() != StatusCode::kNotFound) return seq.status();
      // The version is gone since the last page: resume after the whole key.
    } else {
      options.after_seq = *seq;
    }
  } else {
    options.key_marker = ResumePoint(in.key_marker, in.prefix, in.delimiter);
  }

  ListObjectVersionsOutput out;
  out.owner_account = bucket.account;
  SEALSTACK_ASSIGN_OR_RETURN(out.truncated,
                             ListRollingUpPrefixes(
                                 in.prefix, in.delimiter, in.max_keys, &VersionPage::versions,
                                 [&](size_t limit) {
                                   options.limit = limit;
                                   return parts_.store->ListVersions(in.bucket, options);
                                 },
                                 [&](const ObjectInfo& v) {
                                   out.versions.push_back(VersionEntryOf(v));
                                   out.next_key_marker = v.key;
                                   out.next_version_id_marker = v.version_id;
                                   options.key_marker = v.key;
                                   options.after_seq = v.seq;
                                 },
                                 [&](const std::string& common_prefix) {
                                   out.common_prefixes.push_back(common_prefix);
                                   out.next_key_marker = common_prefix;
                                   out.next_version_id_marker.clear();
                                   options.key_marker = PastPrefix(common_prefix);
                                   options.after_seq = 0;
                                 }));
  if (!out.truncated) {
    out.next_key_marker.clear();
    out.next_version_id_marker.clear();
  }
  return out;
}

Result<DeleteObjectsOutput> Service::DeleteObjects(const S3Caller& c,
                                                   const DeleteObjectsInput& in) {
  SEALSTACK_ASSIGN_OR_RETURN(Bucket bucket, parts_.buckets->Load(in.bucket));
  DeleteObjectsOutput out;
  for (const auto& o : in.objects) {
    if (o.key.empty()) {
      out.results.emplace_back(
          S3Error(ErrorKind::kUserKeyMustBeSpecified, "The key parameter must be specified"));
      continue;
    }
    Status allowed = parts_.buckets->Authorize(
        c, bucket,
        S3Access{VersionedAction("s3:DeleteObject", o.version_id.has_value()),
                 ObjectArn(in.bucket, o.key),
                 {}});
    if (!allowed.ok()) {
      // Per key, S3 gives the short form of the denial.
      out.results.emplace_back(S3Error(ErrorKind::kAccessDenied, "Access Denied"));
      continue;
    }
    auto deleted =
        DeleteObjectIn(c, bucket, {in.bucket, o.key, o.version_id, in.bypass_governance});
    if (!deleted.ok() && !DescribeS3Error(deleted.status()).has_value()) {
      out.results.emplace_back(S3Error(ErrorKind::kInternalError,
                                       "We encountered an internal error. Please try again."));
      continue;
    }
    out.results.push_back(std::move(deleted));
  }
  return out;
}

}  // namespace sealstack::api::s3
