// ObjectStore: S3 object bodies at rest -- streamed in, sealed segment by segment
// (crypto/segment_cipher.h), stored through storage/s3_repo.h, and streamed back out decrypting
// only the segments a range touches. No HTTP, no XML, no AWS error codes: Status / Result only.
//
// Who does what
//   The S3 layer decides the SSE mode, makes or unwraps the object's 32-byte data key, wraps it
//   (SSE-S3 / SSE-KMS / SSE-C) and builds the metadata doc. ObjectStore takes the data key only
//   to run the cipher and never stores it: what it stores is the opaque `wrapped_key` bytes and
//   the JSON `doc` passed to Commit. One data key per object; one per upload for multipart (each
//   part is its own sealed object with a fresh random object id, so segment keys never repeat).
//
// PUT, as the HTTP layer pushes the body:
//
//   SEALSTACK_ASSIGN_OR_RETURN(auto w, store.NewObjectWriter(bucket, key, data_key, {}));
//   for (piece : body) SEALSTACK_RETURN_IF_ERROR(w->Append(piece));
//   SEALSTACK_ASSIGN_OR_RETURN(BodySummary body, w->Finish());   // size, MD5, checksum
//   ... compare body.md5 with Content-MD5 etc.; on mismatch just drop w (it aborts) ...
//   SEALSTACK_ASSIGN_OR_RETURN(ObjectInfo info, w->Commit({.wrapped_key = wk, .doc = doc}));
//
// GET:
//
//   SEALSTACK_ASSIGN_OR_RETURN(ObjectInfo info, store.Head(bucket, key));
//   ... unwrap the data key from info.wrapped_key / info.doc ...
//   SEALSTACK_RETURN_IF_ERROR(store.Read(info, data_key, ByteRange{100, 199}, sink));
//
// Guarantees
//   - Visibility: an object appears (Head, List, Read) only when Commit's single transaction
//     writes its metadata row, after every segment is stored. Until then readers see nothing or
//     the previous object at that key, which stays readable until the commit.
//   - Replacement is atomic and last-commit-wins: concurrent writers of one key write disjoint
//     segment sets; each commit swaps the row and deletes the previous body in one transaction.
//   - A writer that is aborted, destroyed uncommitted, or fails removes its segments. After a
//     crash, SweepOrphans (run at start-up) removes what was left.
//   - Body files (ObjectStoreOptions::body_files): a freed body's file goes once the transaction
//     that freed it has committed -- on the store's reaper thread, woken after every change that
//     can free one (and once a second for frees made elsewhere: bucket deletion, resets). A
//     reader that opened the file before keeps reading it.
//   - Memory: a writer holds one plaintext segment plus at most write_batch_segments sealed
//     segments, whatever the object size; Read holds read_batch_segments sealed segments and
//     their plaintext (2 MiB at the defaults), and hands the sink a batch at a time.
//   - Integrity: Read hands the sink only authenticated plaintext. A tampered, truncated,
//     reordered or missing segment, a bad header or a wrong data key -> kIntegrity. Plaintext
//     handed to the sink before the failing segment is authentic, but the read as a whole failed:
//     the HTTP layer must abort the response rather than end it cleanly.
//
// Multipart upload states (each transition names the function that makes it):
//
//   CreateMultipartUpload --> [open] --NewPartWriter + CommitPart--> [open] (part N replaced)
//                               |  \--AbortMultipartUpload--> gone (parts and segments deleted)
//                               \--CompleteMultipartUpload--> gone; object visible at the key,
//                                                              unused parts deleted
//
// Errors: unknown bucket/key/upload -> kNotFound (the caller knows which it asked for); a bad
// part list -> kInvalidArgument with detail ErrorKind::kInvalidPart / kInvalidPartOrder
// (api/s3/s3_errors.h); a body replaced or deleted while being read -> kUnavailable (retry from
// Head); stored bytes that fail verification -> kIntegrity; database errors as in storage/db.h.
//
// Thread safety: ObjectStore may be shared by all threads (its only mutable state is the reaper
// thread's wake-up flag, under a mutex; the Database and RandomSource it is given are
// thread-safe). An ObjectWriter belongs to one
// request: it is not safe for concurrent use, and must not outlive its ObjectStore.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/result.h"
#include "common/status.h"
#include "crypto/checksum.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "crypto/secret_bytes.h"
#include "crypto/segment_cipher.h"
#include "storage/body_files.h"
#include "storage/db.h"
#include "storage/s3_repo.h"

namespace sealstack::api::s3 {

// Plaintext bytes [first, last] of an object, inclusive, as in "Range: bytes=first-last".
struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;
};

struct ObjectStoreOptions {
  // Plaintext bytes per segment for new bodies. Default: 64 KiB.
  uint32_t segment_size = crypto::kDefaultSegmentSize;
  // Sealed segments a writer buffers and stores per transaction. Larger batches mean fewer
  // transactions, smaller ones less memory per upload. 0 counts as 1. Default: 4, so a writer
  // holds at most ~5 segments (320 KiB); measured, 16 was no faster (file-backed writes are
  // bound by SQLite's I/O, not by the transaction count).
  size_t write_batch_segments = 4;
  // Segments Read fetches per database lease or file read (the sink runs outside the lease, so
  // a slow client never holds a connection). 0 counts as 1. Default: 16 (1 MiB).
  size_t read_batch_segments = 16;
  // Where bodies larger than one write batch live: files (storage/body_files.h; the server uses
  // <data-dir>/bodies). Smaller bodies, and all of them when this is null (in memory, most
  // tests), are segment rows in the database.
  std::shared_ptr<const storage::BodyFiles> body_files{};
};

struct WriteOptions {
  // Also compute this checksum of the plaintext while streaming. Default: none.
  std::optional<crypto::ChecksumAlgorithm> checksum{};
  // Also compute the CRC64NVME of the plaintext and record it, not `checksum`, as a part's
  // checksum: a part of an upload created without an algorithm, which gets AWS's default
  // full-object CRC64NVME at completion, while the part's own checksum is only verified.
  bool part_crc64nvme = false;
  // Compute the body's MD5 (the ETag of SSE-S3 objects, Content-MD5 checks). When false --
  // SSE-KMS / SSE-C bodies, whose ETags are not MD5s on AWS either -- BodySummary::md5 is 16
  // random bytes instead: MD5 was a sixth of the upload CPU time.
  bool md5 = true;
};

// What a writer saw of the plaintext body.
struct BodySummary {
  uint64_t size = 0;
  std::string md5;                       // raw 16 bytes (random when WriteOptions::md5 is false)
  std::optional<std::string> checksum;   // base64 of WriteOptions::checksum, when asked
  std::optional<std::string> crc64nvme;  // base64, with WriteOptions::part_crc64nvme
};

// What the caller stores with an object at Commit.
struct ObjectMetadata {
  // The version this commit makes the latest of its key. "" (or kNullVersionId) = the null
  // version, which replaces the previous null version (an unversioned or suspended bucket);
  // NewVersionId() = a new version beside the others (a bucket with versioning Enabled).
  std::string version_id{};
  std::string wrapped_key{};  // opaque: the data key as the S3 layer wrapped it. Never the key.
  std::string doc = "{}";     // JSON owned by the S3 layer (content type, SSE mode, checksums, ...)
  std::string etag{};         // "" = hex MD5 of the body ("<hex>-N" for multipart). Unquoted.
};

// The version id of an object written while its bucket was unversioned or suspended.
inline constexpr std::string_view kNullVersionId = "null";

// One version of an object, or a delete marker.
struct ObjectInfo {
  std::string bucket;
  std::string key;
  std::string version_id;  // kNullVersionId for the null version
  bool is_latest = true;
  bool delete_marker = false;  // no body: size 0, no extents
  int64_t seq = 0;             // commit order (newer versions have larger values)
  uint64_t size = 0;
  std::string etag;  // unquoted
  uint32_t segment_size = 0;
  SystemTime created_at;
  std::string wrapped_key;
  std::string doc;
  // Where the body lives (one extent, or one per multipart part). Filled by Head and the commits,
  // empty in List results; Read needs it. Callers treat it as opaque.
  std::vector<storage::S3ExtentRow> extents;
};

struct ObjectPage {
  std::vector<ObjectInfo> objects;  // ordered by key (bytewise), extents empty
  bool truncated = false;
};

struct VersionPage {
  std::vector<ObjectInfo> versions;  // by key, then newest first; extents empty
  bool truncated = false;
};

struct UploadInfo {
  std::string upload_id;
  std::string bucket;
  std::string key;
  SystemTime initiated;
  std::string wrapped_key;
  std::string doc;
};

struct UploadPage {
  std::vector<UploadInfo> uploads;  // ordered by (key, upload_id)
  bool truncated = false;
};

struct PartInfo {
  std::string upload_id;
  int part_number = 0;
  uint64_t size = 0;
  std::string etag;  // hex MD5, unquoted
  std::optional<std::string> checksum;
  SystemTime created_at;
};

struct PartPage {
  std::vector<PartInfo> parts;  // ordered by part number
  bool truncated = false;
};

// A part named in CompleteMultipartUpload (the wire form is s3_xml.h's CompletedPart).
struct PartChoice {
  int part_number = 0;
  std::string etag;  // unquoted; "" = do not check
};

inline constexpr int kMinPartNumber = 1;
inline constexpr int kMaxPartNumber = 10000;

// Receives plaintext in order; a non-OK Status stops the read and is returned by it.
using PlaintextSink = std::function<Status(std::string_view plaintext)>;

class ObjectStore;

// Streams one body into the store: an object (NewObjectWriter) or a multipart part
// (NewPartWriter).
//
//   [open] --Append*--> [open] --Finish--> [finished] --Commit / CommitPart--> [committed]
//      \                                        |
//       +--Abort, destructor, any error---------+--> [discarded] (segments deleted)
//
// Commit and CommitPart call Finish themselves if it was not called. Each call after an error
// returns that error. Writers store sealed segments in batches (ObjectStoreOptions), each batch
// its own short transaction; none of it is visible until the commit.
class ObjectWriter {
 public:
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;
  // Discards the body unless it was committed (errors ignored: SweepOrphans is the backstop).
  ~ObjectWriter();

  // Adds the next plaintext bytes (any piece size, including 0). May store a batch of sealed
  // segments. REQUIRES: state open (else kFailedPrecondition).
  Status Append(std::string_view plaintext);

  // Seals the last segment, stores what is buffered and returns the body's size and digests.
  // Calling it again returns the same summary.
  Result<BodySummary> Finish();

  // Object writers only (kFailedPrecondition for a part writer): makes the body the visible
  // object at its key, replacing any previous one. kNotFound if the bucket is gone.
  Result<ObjectInfo> Commit(const ObjectMetadata& metadata);

  // Part writers only (kFailedPrecondition for an object writer): records the part, replacing a
  // previous part with the same number. kNotFound if the upload is gone.
  Result<PartInfo> CommitPart();

  // Deletes the stored segments. A no-op after Commit or a previous Abort.
  Status Abort();

  uint64_t size() const { return cipher_ ? cipher_->plaintext_size() : 0; }

  // Bytes of body the writer holds right now (sealed segments waiting for their batch, plus
  // plaintext waiting to fill a segment), and the most it ever held. Test hooks for the memory
  // bound: high water <= write_batch_segments * (segment_size + 16) + segment_size.
  size_t buffered_bytes() const;
  size_t buffered_bytes_high_water() const { return high_water_; }

  // TEST ONLY: forget the body without deleting anything, as a crash would; the writer becomes
  // unusable. The pending row and stored segments stay for SweepOrphans.
  void AbandonForTesting();

 private:
  friend class ObjectStore;
  struct Target {
    std::string bucket;
    std::string key;
    std::optional<std::string> upload_id;  // set for a part writer
    int part_number = 0;
  };
  enum class State { kOpen, kFinished, kCommitted, kDiscarded };

  ObjectWriter(ObjectStore& store, Target target, const WriteOptions& options);
  Status Start(const crypto::SecretBytes& data_key);  // cipher + pending body
  Status OnSealed(uint64_t index, std::string_view sealed, bool is_last);
  Status Flush(bool final_batch);            // final_batch: called by Finish
  Status BeginBody(storage::Connection& c);  // the pending row; sets object_id_
  // Commit's part for a body kept whole in the batch: its pending row and segment rows, in the
  // commit's transaction. A no-op for a body already (being) stored.
  Status StoreDeferredBatch(storage::Connection& c);
  void NoteBuffered();
  Status Fail(Status s);  // records s as the sticky error and discards the body
  Status CloseFile();     // body files: closes the file after the last segment

  ObjectStore& store_;
  const Target target_;
  std::optional<crypto::SegmentWriter> cipher_;
  crypto::HashStream md5_;
  const bool compute_md5_;
  std::optional<crypto::Checksum> checksum_;
  std::optional<crypto::Checksum> crc64nvme_;  // WriteOptions::part_crc64nvme
  int64_t object_id_ = 0;                      // 0 until the pending body exists
  bool deferred_ = false;                      // the whole body is in batch_, stored by the commit
  std::optional<storage::BodyFiles::Writer> file_;  // a body file, from the first full batch
  State state_ = State::kOpen;
  Status status_;  // first error; sticks
  std::optional<BodySummary> summary_;
  std::vector<std::string> batch_;  // sealed segments [batch_first_seq_, + batch_count_)
  size_t batch_count_ = 0;
  uint64_t batch_first_seq_ = 0;
  size_t batch_bytes_ = 0;
  size_t high_water_ = 0;
};

class ObjectStore {
 public:
  // REQUIRES: db, random and clock outlive the store and every writer it makes.
  ObjectStore(storage::Database& db, crypto::RandomSource& random, const Clock& clock,
              ObjectStoreOptions options = {});
  ObjectStore(const ObjectStore&) = delete;
  ObjectStore& operator=(const ObjectStore&) = delete;
  ~ObjectStore();  // stops the reaper thread

  const ObjectStoreOptions& options() const { return options_; }

  // ---- Objects ----
  // A writer for the object at (bucket, key). The bucket is checked at Commit.
  // REQUIRES: data_key is 32 bytes (kInvalidArgument).
  Result<std::unique_ptr<ObjectWriter>> NewObjectWriter(std::string_view bucket,
                                                        std::string_view key,
                                                        const crypto::SecretBytes& data_key,
                                                        const WriteOptions& options = {});
  // Whole body in memory, for small objects and tests: NewObjectWriter + Append + Commit.
  Result<ObjectInfo> Put(std::string_view bucket, std::string_view key,
                         const crypto::SecretBytes& data_key, std::string_view body,
                         const ObjectMetadata& metadata, const WriteOptions& options = {});

  // The latest version of the key (possibly a delete marker), or the version `version_id`,
  // with its extents. kNotFound if none.
  Result<ObjectInfo> Head(std::string_view bucket, std::string_view key,
                          std::optional<std::string_view> version_id = std::nullopt);

  // Streams plaintext of `object` (as returned by Head) to sink: the whole body, or `range`.
  // REQUIRES: range->first <= range->last < object.size (kInvalidArgument; so no range on an
  // empty object). data_key must be the object's (a wrong key -> kIntegrity).
  Status Read(const ObjectInfo& object, const crypto::SecretBytes& data_key,
              std::optional<ByteRange> range, const PlaintextSink& sink);

  // Deletes the latest version of the key and its segments (an unversioned bucket's object).
  // Returns false if there was none.
  Result<bool> Delete(std::string_view bucket, std::string_view key);
  // Deletes one version or delete marker with its segments; the next newest version becomes the
  // latest. Returns what was removed (extents empty), nullopt if there was no such version.
  Result<std::optional<ObjectInfo>> DeleteVersion(std::string_view bucket, std::string_view key,
                                                  std::string_view version_id);
  // Adds a delete marker as the latest version of the key, with `version_id` ("" = the null
  // version, replacing the previous one). kNotFound if the bucket is gone.
  Result<ObjectInfo> PutDeleteMarker(std::string_view bucket, std::string_view key,
                                     std::string_view version_id);

  // Rewrites the metadata of `object` (as Head returned it) in place: its wrapped key and doc,
  // nothing else (the body, ETag, dates and version id stay). kNotFound when that version is no
  // longer there.
  Status UpdateMetadata(const ObjectInfo& object, std::string_view wrapped_key,
                        std::string_view doc);

  // Keys whose latest version is not a delete marker, with that version.
  Result<ObjectPage> List(std::string_view bucket, const storage::S3ListObjectsOptions& options);
  // Every version and delete marker.
  Result<VersionPage> ListVersions(std::string_view bucket,
                                   const storage::S3ListVersionsOptions& options);
  // The commit order of a version (a version listing resumes after it). kNotFound if none.
  Result<int64_t> VersionSeq(std::string_view bucket, std::string_view key,
                             std::string_view version_id);

  // A new version id: 32 characters of [0-9A-Za-z._], opaque as AWS's are.
  Result<std::string> NewVersionId();

  // ---- Multipart ----
  // Draws an upload id (32 hex chars). kNotFound if the bucket does not exist.
  Result<UploadInfo> CreateMultipartUpload(std::string_view bucket, std::string_view key,
                                           std::string_view wrapped_key, std::string_view doc);
  Result<UploadInfo> GetMultipartUpload(std::string_view upload_id);
  // Replaces the upload's doc (client_side.cpp: the layer part 1 shows). kNotFound if it is gone.
  Status UpdateUploadDoc(std::string_view upload_id, std::string_view doc);
  Result<UploadPage> ListMultipartUploads(std::string_view bucket,
                                          const storage::S3ListUploadsOptions& options);
  // A writer for part part_number of the upload; data_key is the upload's.
  // REQUIRES: kMinPartNumber <= part_number <= kMaxPartNumber (kInvalidArgument).
  // kNotFound if the upload does not exist (checked again at CommitPart).
  Result<std::unique_ptr<ObjectWriter>> NewPartWriter(std::string_view upload_id, int part_number,
                                                      const crypto::SecretBytes& data_key,
                                                      const WriteOptions& options = {});
  Result<PartPage> ListParts(std::string_view upload_id, int part_number_marker = 0,
                             size_t limit = 1000);
  // Makes the listed parts, in order, the object at the upload's key (replacing any previous
  // one) and ends the upload; parts not listed are deleted. ETag = hex MD5 of the parts' MD5s
  // plus "-N" unless metadata.etag is given. Part numbers must be strictly ascending
  // (ErrorKind::kInvalidPartOrder) and uploaded, with matching ETags where given
  // (ErrorKind::kInvalidPart). Part size
  // minimums are the S3 layer's to enforce.
  Result<ObjectInfo> CompleteMultipartUpload(std::string_view upload_id,
                                             std::span<const PartChoice> parts,
                                             const ObjectMetadata& metadata);
  Status AbortMultipartUpload(std::string_view upload_id);

  // ---- Maintenance ----
  // Deletes bodies left by writers that never committed nor aborted (a crash): pending bodies
  // created before `started_before` (default: all -- right at start-up no writer is alive) and
  // any segment nobody owns; then every body file no row owns.
  Result<storage::S3SweepStats> SweepOrphans(std::optional<SystemTime> started_before = {});

  // Removes the files of freed bodies (and forgets their ids); returns how many. The reaper
  // thread calls it; tests call it to wait for nothing.
  Result<int64_t> RemoveFreedBodies();

 private:
  friend class ObjectWriter;
  Result<std::unique_ptr<ObjectWriter>> StartWriter(ObjectWriter::Target target,
                                                    const crypto::SecretBytes& data_key,
                                                    const WriteOptions& options);
  Status ReadExtent(const storage::S3ExtentRow& extent, crypto::SegmentReader& reader,
                    const crypto::SegmentLayout& layout, uint64_t first_segment,
                    uint64_t last_segment, uint64_t from, uint64_t to, const PlaintextSink& sink);
  Status ReadExtentFile(const storage::BodyFiles::Reader& file, crypto::SegmentReader& reader,
                        const crypto::SegmentLayout& layout, uint64_t first_segment,
                        uint64_t last_segment, uint64_t from, uint64_t to,
                        const PlaintextSink& sink);
  double Now() const;
  Result<std::string> RandomHex(size_t bytes);
  bool BodyHasRows(int64_t object_id);  // segment 0 is a row
  void NoteFreed()
      EXCLUDES(reaper_mu_);  // wakes the reaper after a change that may have freed bodies
  void ReaperLoop() EXCLUDES(reaper_mu_);

  storage::Database& db_;
  crypto::RandomSource& random_;
  const Clock& clock_;
  const ObjectStoreOptions options_;
  const storage::BodyFiles* const files_;  // options_.body_files, or null

  Mutex reaper_mu_;
  CondVar reaper_cv_;
  bool reaper_wake_ GUARDED_BY(reaper_mu_) = false;
  bool reaper_stop_ GUARDED_BY(reaper_mu_) = false;
  std::thread reaper_;
};

}  // namespace sealstack::api::s3
