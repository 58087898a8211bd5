-- 0003_s3: S3 buckets, objects and their encrypted bodies, multipart uploads.
--
-- Bodies. Every body SealStack stores -- a PUT's object, one multipart part -- is a *sealed
-- object* (docs/formats/segment-format.md): a header plus segments, each segment a row of
-- s3_object_segments keyed by (object_id, seq). object_id is an integer handle drawn from
-- s3_pending_bodies (AUTOINCREMENT: never reused, even after the row is gone), so the segments
-- of two bodies never mix, whatever keys they are written for.
--
-- Lifecycle of a body (api/s3/object_store.h drives it, storage/s3_repo.h holds the SQL):
--
--   BeginBody          INSERT s3_pending_bodies            -> object_id
--   AppendSegments*    INSERT s3_object_segments, batches of several segments per transaction;
--                      each batch first checks that the pending row still exists
--   CommitObject       one transaction: DELETE the pending row, DELETE the old object at the key
--                      (its extents and segments), INSERT s3_objects + s3_object_extents
--   CommitPart         one transaction: DELETE the pending row, replace the part (and the old
--                      part's segments)
--   DiscardBody        DELETE the pending row and its segments (abort)
--   SweepOrphans       at start-up: pending rows left by a crash and their segments, plus any
--                      segment that no pending row, extent or part owns
--
-- So an object is visible exactly when its s3_objects row commits, which happens after all of
-- its segments are written; two PUTs of one key write disjoint segment sets and the later
-- commit wins whole. The data key is never stored here: the S3 layer passes `wrapped_key`, an
-- opaque blob it has wrapped (SSE-S3 / SSE-KMS / SSE-C), and a JSON `doc` it owns.
--
-- Keys and bucket names are TEXT compared with the BINARY collation (memcmp of UTF-8), which is
-- S3's listing order.

CREATE TABLE s3_buckets (
  name       TEXT PRIMARY KEY,
  account    TEXT NOT NULL,
  region     TEXT NOT NULL,
  created_at REAL NOT NULL,     -- seconds since the Unix epoch (injected Clock)
  doc        TEXT NOT NULL      -- JSON owned by api/s3: encryption config, policy, ownership...
);
CREATE INDEX s3_buckets_by_account ON s3_buckets (account, name);

-- Bodies being written. A row lives from BeginBody until the body is committed (as an object or
-- a part) or discarded. upload_id/part_number name the multipart upload a part is written for
-- (NULL for a plain PUT); they are informational.
CREATE TABLE s3_pending_bodies (
  object_id   INTEGER PRIMARY KEY AUTOINCREMENT,
  bucket      TEXT NOT NULL,
  key         TEXT NOT NULL,
  upload_id   TEXT,
  part_number INTEGER,
  created_at  REAL NOT NULL
);
CREATE INDEX s3_pending_bodies_by_age ON s3_pending_bodies (created_at);

-- Sealed segments: segment `seq` of body `object_id`, ciphertext || GCM tag. No foreign key: the
-- owner is a pending body, an object extent or a multipart part (see SweepOrphans).
CREATE TABLE s3_object_segments (
  object_id INTEGER NOT NULL,
  seq       INTEGER NOT NULL,
  sealed    BLOB NOT NULL,
  PRIMARY KEY (object_id, seq)
);

-- Visible objects: one row per (bucket, key), no versioning yet.
CREATE TABLE s3_objects (
  bucket       TEXT NOT NULL REFERENCES s3_buckets (name),
  key          TEXT NOT NULL,
  version_id   TEXT NOT NULL,     -- unique per committed generation of the key
  size         INTEGER NOT NULL,  -- plaintext bytes
  etag         TEXT NOT NULL,     -- hex MD5, or hex MD5-of-MD5s "-N" for multipart (unquoted)
  segment_size INTEGER NOT NULL,  -- plaintext bytes per segment
  created_at   REAL NOT NULL,
  wrapped_key  BLOB NOT NULL,     -- opaque to storage: the data key as wrapped by api/s3
  doc          TEXT NOT NULL,     -- JSON owned by api/s3: content type, user metadata, checksums,
                                  -- SSE mode, KMS key ARN, encryption context, SSE-C HMAC...
  PRIMARY KEY (bucket, key)
);

-- Where an object's body lives: one extent for a PUT, one per part for a multipart upload.
-- Extent idx covers plaintext [plain_offset, plain_offset + size) of the object and is the
-- sealed object (header + segments of object_id).
CREATE TABLE s3_object_extents (
  bucket       TEXT NOT NULL,
  key          TEXT NOT NULL,
  idx          INTEGER NOT NULL,
  object_id    INTEGER NOT NULL UNIQUE,
  plain_offset INTEGER NOT NULL,
  size         INTEGER NOT NULL,
  header       BLOB NOT NULL,     -- the segment header (magic, version, segment size, object id)
  PRIMARY KEY (bucket, key, idx),
  FOREIGN KEY (bucket, key) REFERENCES s3_objects (bucket, key) ON DELETE CASCADE
);

CREATE TABLE s3_multipart_uploads (
  upload_id   TEXT PRIMARY KEY,
  bucket      TEXT NOT NULL REFERENCES s3_buckets (name),
  key         TEXT NOT NULL,
  initiated   REAL NOT NULL,
  wrapped_key BLOB NOT NULL,      -- the upload's data key, wrapped by api/s3 (one for all parts)
  doc         TEXT NOT NULL       -- JSON owned by api/s3: what CreateMultipartUpload was given
);
CREATE INDEX s3_multipart_uploads_by_key ON s3_multipart_uploads (bucket, key, upload_id);

CREATE TABLE s3_multipart_parts (
  upload_id    TEXT NOT NULL REFERENCES s3_multipart_uploads (upload_id) ON DELETE CASCADE,
  part_number  INTEGER NOT NULL,
  size         INTEGER NOT NULL,
  etag         TEXT NOT NULL,     -- hex MD5 of the part (unquoted)
  checksum     TEXT,              -- base64 checksum computed while streaming, if one was asked
  object_id    INTEGER NOT NULL UNIQUE,
  segment_size INTEGER NOT NULL,
  header       BLOB NOT NULL,
  created_at   REAL NOT NULL,
  PRIMARY KEY (upload_id, part_number)
);
