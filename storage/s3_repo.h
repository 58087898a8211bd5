// S3Repo: the rows behind S3 -- buckets, objects, their sealed segments, multipart uploads.
// Schema and body lifecycle: storage/migrations/0003_s3.sql. api/s3 owns every JSON `doc` and
// every `wrapped_key`; this layer only stores them. Plaintext and data keys never reach it: a
// segment arrives sealed, a data key arrives wrapped.
//
// Bodies live as segment rows (in memory) or as files (storage/body_files.h, on a data
// directory; then AppendSegments / ReadSegments are not used). Either way, every function here
// that frees a body -- replacing or deleting an object or part, completing or aborting an upload,
// discarding, sweeping, resetting -- records its id in s3_freed_bodies in the same transaction,
// for the object store to remove the file after the commit.
//
// Visibility rule: an object version exists for readers exactly when its s3_objects row has
// committed, and CommitObject only runs after every segment of the body has been appended.
// Versions (migration 0007): a key has any number of rows, one per version or delete marker,
// each with its own body; exactly one is the latest. Segments are
// appended in their own (short, batched) transactions under a pending body, so a crash
// mid-upload leaves a pending row and segments that SweepOrphans removes at the next start.
//
// Every function takes the Connection of a transaction or lease the caller holds
// (Database::WithTransaction for writers, WithConnection for readers), so a caller can combine
// several calls in one atomic commit. Functions that write must run inside a transaction.
//
// Errors: a missing bucket, object, upload or part -> kNotFound; a bucket that still holds
// objects -> kFailedPrecondition; a pending body that is gone (discarded, swept, or already
// committed) -> kFailedPrecondition; a bucket or upload that already exists -> kAlreadyExists;
// database failures as in storage/db.h.
//
// Thread safety: stateless; safe for concurrent use with distinct connections.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "storage/db.h"

namespace sealstack::storage {

struct S3BucketRow {
  std::string name;
  std::string account;
  std::string region;
  double created_at = 0;  // seconds since the Unix epoch
  std::string doc;        // JSON owned by api/s3
};

// One sealed object (header + segments of object_id) that holds plaintext bytes
// [plain_offset, plain_offset + size) of an S3 object.
struct S3ExtentRow {
  int64_t object_id = 0;
  uint64_t plain_offset = 0;
  uint64_t size = 0;
  std::string header;  // segment header (docs/formats/segment-format.md)
};

// One version of an S3 object (migration 0007): a body with its metadata, or a delete marker.
struct S3ObjectRow {
  std::string bucket;
  std::string key;
  std::string version_id;      // "null" for the null version
  bool is_latest = false;      // set by reads; CommitObject always makes the row the latest
  bool delete_marker = false;  // no body: size 0, no extents
  int64_t seq = 0;             // commit order, set by reads and CommitObject
  uint64_t size = 0;
  std::string etag;  // unquoted
  uint32_t segment_size = 0;
  double created_at = 0;
  std::string wrapped_key;  // opaque bytes from api/s3
  std::string doc;          // JSON owned by api/s3
  // In order of plain_offset, contiguous, covering [0, size). Filled by GetObject, required by
  // CommitObject (except for a delete marker) and CompleteUpload; left empty by the listings.
  std::vector<S3ExtentRow> extents;
};

struct S3ListObjectsOptions {
  std::string prefix{};       // only keys starting with these bytes; "" = all
  std::string start_after{};  // only keys ordered (bytewise) after this one; "" = from the start
  size_t limit = 1000;        // at most this many rows; REQUIRES: limit > 0
};

struct S3ObjectPage {
  std::vector<S3ObjectRow> objects;  // ordered by key (bytewise), extents empty
  bool truncated = false;            // more keys match after the last one returned
};

// ListObjectVersions: rows ordered by key, then newest first.
struct S3ListVersionsOptions {
  std::string prefix{};
  // Resume after (key_marker, the version with seq after_seq): older versions of key_marker,
  // then the keys after it. after_seq = 0: start after every version of key_marker.
  std::string key_marker{};
  int64_t after_seq = 0;
  size_t limit = 1000;  // REQUIRES: limit > 0
};

struct S3VersionPage {
  std::vector<S3ObjectRow> versions;  // extents empty
  bool truncated = false;
};

struct S3UploadRow {
  std::string upload_id;
  std::string bucket;
  std::string key;
  double initiated = 0;
  std::string wrapped_key;
  std::string doc;
};

struct S3ListUploadsOptions {
  std::string prefix{};
  // Resume after (key_marker, upload_id_marker), as ListMultipartUploads does: uploads for keys
  // after key_marker, plus uploads for key_marker itself whose id sorts after upload_id_marker.
  std::string key_marker{};
  std::string upload_id_marker{};
  size_t limit = 1000;  // REQUIRES: limit > 0
};

struct S3UploadPage {
  std::vector<S3UploadRow> uploads;  // ordered by (key, upload_id)
  bool truncated = false;
};

struct S3PartRow {
  std::string upload_id;
  int part_number = 0;
  uint64_t size = 0;
  std::string etag;  // hex MD5, unquoted
  std::optional<std::string> checksum;
  int64_t object_id = 0;
  uint32_t segment_size = 0;
  std::string header;
  double created_at = 0;
};

struct S3PartPage {
  std::vector<S3PartRow> parts;  // ordered by part_number
  bool truncated = false;
};

struct S3SweepStats {
  int64_t pending_bodies = 0;  // pending rows removed
  int64_t segments = 0;        // segment rows removed
  int64_t files = 0;           // body files no row owned, removed
};

class S3Repo {
 public:
  // Every S3 row: buckets, objects, bodies, segments, uploads (admin reset).
  static Status DeleteAll(Connection& c);
  // Every S3 row of one account's buckets (admin reset of one account). Returns the buckets
  // removed.
  static Result<int64_t> DeleteAccount(Connection& c, std::string_view account);

  // ---- Buckets ----
  // kAlreadyExists if the name is taken (by any account: bucket names are global).
  static Status CreateBucket(Connection& c, const S3BucketRow& row);
  // Replaces the bucket's doc. kNotFound if there is no such bucket.
  static Status PutBucketDoc(Connection& c, std::string_view name, std::string_view doc);
  static Result<S3BucketRow> GetBucket(Connection& c, std::string_view name);
  // The account's buckets ordered by name.
  static Result<std::vector<S3BucketRow>> ListBuckets(Connection& c, std::string_view account);
  // Every account's buckets ordered by name (the admin plane's posture report and console).
  static Result<std::vector<S3BucketRow>> ListAllBuckets(Connection& c);
  // Deletes an empty bucket. kFailedPrecondition if any version or delete marker remains. Multipart
  // uploads in progress are aborted (their parts and segments deleted) with it. kNotFound if
  // absent.
  static Status DeleteBucket(Connection& c, std::string_view name);

  // ---- Objects (versions) ----
  // The latest version of (bucket, key) -- which may be a delete marker -- or, with
  // `version_id`, that version; with its extents. kNotFound if none.
  static Result<S3ObjectRow> GetObject(Connection& c, std::string_view bucket, std::string_view key,
                                       std::optional<std::string_view> version_id = std::nullopt);
  // Keys whose latest version is not a delete marker, with that version.
  static Result<S3ObjectPage> ListObjects(Connection& c, std::string_view bucket,
                                          const S3ListObjectsOptions& options);
  // Every version and delete marker, by key then newest first.
  static Result<S3VersionPage> ListVersions(Connection& c, std::string_view bucket,
                                            const S3ListVersionsOptions& options);
  // The seq of a version (to resume a version listing after it). kNotFound if none.
  static Result<int64_t> VersionSeq(Connection& c, std::string_view bucket, std::string_view key,
                                    std::string_view version_id);
  // Makes `row` the latest version of (row.bucket, row.key): the previous latest stays as an
  // older version, except that a version with the same version_id (the null version) is
  // replaced, its extents and segments deleted. Every extent's object_id must be a pending body
  // (BeginBody) whose segments are all appended; its pending row is consumed. A delete marker
  // has no extents. Sets row.seq.
  // kNotFound if the bucket is gone; kFailedPrecondition if a pending body is gone;
  // kInvalidArgument if the extents do not tile [0, row.size).
  // REQUIRES: inside a transaction.
  static Status CommitObject(Connection& c, S3ObjectRow& row);
  // Deletes one version (or delete marker) with its segments; when it was the latest, the
  // newest remaining version of the key becomes the latest. Returns the row removed (extents
  // empty), nullopt if there was none.
  static Result<std::optional<S3ObjectRow>> DeleteVersion(Connection& c, std::string_view bucket,
                                                          std::string_view key,
                                                          std::string_view version_id);
  // Replaces the wrapped key and doc of the version with this seq, leaving its body, ETag and
  // dates alone (PutObjectTagging, UpdateObjectEncryption). kNotFound when the row is gone (a
  // concurrent write replaced or deleted it).
  static Status UpdateObjectDoc(Connection& c, int64_t seq, std::string_view wrapped_key,
                                std::string_view doc);
  // True if some committed object still owns the body object_id (used by readers to tell a
  // concurrent replacement from a missing segment).
  static Result<bool> ObjectOwnsBody(Connection& c, int64_t object_id);

  // ---- Bodies and segments ----
  // Starts a body for (bucket, key) (and, for a part, the upload and part number); returns its
  // object_id. Does not check the bucket: the commit does.
  static Result<int64_t> BeginBody(Connection& c, std::string_view bucket, std::string_view key,
                                   std::optional<std::string_view> upload_id,
                                   std::optional<int> part_number, double created_at);
  // Stores sealed segments first_seq, first_seq + 1, ... of pending body object_id.
  // kFailedPrecondition if the body is no longer pending (discarded, swept or committed).
  // REQUIRES: inside a transaction.
  static Status AppendSegments(Connection& c, int64_t object_id, uint64_t first_seq,
                               std::span<const std::string> sealed);
  // Calls on_segment(seq, sealed) for each stored segment of object_id with seq in
  // [first, last], in order, one row at a time. Missing rows are simply not reported: the
  // caller checks the sequence. The view is valid only during the call.
  using SegmentCallback = std::function<Status(uint64_t seq, std::string_view sealed)>;
  static Status ReadSegments(Connection& c, int64_t object_id, uint64_t first, uint64_t last,
                             const SegmentCallback& on_segment);
  // Drops a pending body and its segments (abort). A body that is not pending (already
  // committed, or swept) is left alone: OK either way.
  static Status DiscardBody(Connection& c, int64_t object_id);

  // ---- Multipart uploads ----
  static Status CreateUpload(Connection& c, const S3UploadRow& row);  // kAlreadyExists
  static Result<S3UploadRow> GetUpload(Connection& c, std::string_view upload_id);
  // Replaces the upload's doc (the client-side layer its first part shows). kNotFound if absent.
  static Status PutUploadDoc(Connection& c, std::string_view upload_id, std::string_view doc);
  static Result<S3UploadPage> ListUploads(Connection& c, std::string_view bucket,
                                          const S3ListUploadsOptions& options);
  // Records part row.part_number of row.upload_id, replacing (and deleting the segments of) a
  // previous part with that number. row.object_id must be a pending body; it is consumed.
  // kNotFound if the upload is gone; kFailedPrecondition if the body is not pending.
  // REQUIRES: inside a transaction.
  static Status CommitPart(Connection& c, const S3PartRow& row);
  // Parts with part_number > part_number_marker, at most `limit` (> 0).
  static Result<S3PartPage> ListParts(Connection& c, std::string_view upload_id,
                                      int part_number_marker, size_t limit);
  // Turns the upload into the object `object` (CommitObject's version rules; sets object.seq). Each
  // extent's object_id must be a part of this upload (kInvalidArgument otherwise); the upload's
  // other parts are deleted with their segments, and the upload row goes. kNotFound if the upload
  // is gone. REQUIRES: inside a transaction.
  static Status CompleteUpload(Connection& c, std::string_view upload_id, S3ObjectRow& object);
  // Deletes the upload, its parts and their segments. kNotFound if absent.
  static Status AbortUpload(Connection& c, std::string_view upload_id);

  // ---- Maintenance ----
  // Removes pending bodies created before `created_before` with their segments, and every
  // segment that no pending body, object extent or part owns. At start-up no writer is alive,
  // so pass +infinity (or the process start time). REQUIRES: inside a transaction.
  static Result<S3SweepStats> SweepOrphans(Connection& c, double created_before);

  // True if a pending body, an object extent or a multipart part owns object_id. Once false it
  // stays false: ids are never reused (the start-up sweep of body files relies on it).
  static Result<bool> BodyHasOwner(Connection& c, int64_t object_id);
  // Freed bodies (migration 0006) whose files may still exist: at most `limit` ids.
  static Result<std::vector<int64_t>> ListFreedBodies(Connection& c, size_t limit);
  // Forgets freed ids once their files are gone.
  static Status ForgetFreedBodies(Connection& c, std::span<const int64_t> ids);

  // Counts for tests and the admin API: rows in s3_object_segments / s3_pending_bodies.
  static Result<int64_t> CountSegments(Connection& c);
  static Result<int64_t> CountPendingBodies(Connection& c);
};

}  // namespace sealstack::storage
