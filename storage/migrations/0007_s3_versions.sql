-- 0007_s3_versions: S3 versioning. A key holds any number of versions; each is an s3_objects
-- row keyed by (bucket, key, version_id), with its own body, data key (wrapped_key) and doc, so
-- every version keeps its own SSE mode, KMS key and encryption context. A delete marker is a
-- row with delete_marker = 1 and no extents.
--
--   seq         commit order (AUTOINCREMENT: never reused). Within a key, a higher seq is a newer
--               version; ListObjectVersions lists newest first and pages on it.
--   is_latest   1 on exactly one row per key that has rows (the newest one, marker or not).
--               ListObjects shows a key when its latest row is not a marker.
--   version_id  "null" for the null version (written while the bucket was never versioned, or
--               suspended), else an opaque id drawn by api/s3. A write of the null version
--               replaces the previous null version wherever it is in the history, as on AWS.
--
-- Bodies: each version owns its extents (s3_object_extents.version_seq), and a body belongs to
-- exactly one extent, so a body is freed exactly when the version that references it goes.
--
-- Existing rows become the latest (and only) version of their key. Buckets were never
-- versioned before this migration (PutBucketVersioning answered 501), so their objects are the
-- null version: their random version ids are replaced by "null", which is how AWS presents an
-- object written before versioning. A bucket whose doc already says it is versioned keeps them.
--
-- Old tables are renamed first so that the extents' foreign key follows the rename and the new
-- tables can take the old names (foreign keys stay on: nothing is deleted by the drops, as the
-- old extents table goes before the old objects table).

ALTER TABLE s3_object_extents RENAME TO s3_object_extents_0006;
ALTER TABLE s3_objects RENAME TO s3_objects_0006;

CREATE TABLE s3_objects (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  bucket        TEXT NOT NULL REFERENCES s3_buckets (name),
  key           TEXT NOT NULL,
  version_id    TEXT NOT NULL,     -- "null" or an opaque id, unique per key
  is_latest     INTEGER NOT NULL,  -- 1 on the newest row of the key
  delete_marker INTEGER NOT NULL,  -- 1: a delete marker (size 0, no extents, no body)
  size          INTEGER NOT NULL,  -- plaintext bytes
  etag          TEXT NOT NULL,     -- hex MD5, or hex MD5-of-MD5s "-N" for multipart (unquoted)
  segment_size  INTEGER NOT NULL,  -- plaintext bytes per segment
  created_at    REAL NOT NULL,
  wrapped_key   BLOB NOT NULL,     -- opaque to storage: the data key as wrapped by api/s3
  doc           TEXT NOT NULL,     -- JSON owned by api/s3 (docs/formats/object-metadata.md)
  UNIQUE (bucket, key, version_id)
);
-- ListObjects and GET without a version: the latest row of each key, in key order.
CREATE UNIQUE INDEX s3_objects_latest ON s3_objects (bucket, key) WHERE is_latest = 1;
-- ListObjectVersions: every row of each key, newest first.
CREATE INDEX s3_objects_history ON s3_objects (bucket, key, seq);

INSERT INTO s3_objects (bucket, key, version_id, is_latest, delete_marker, size, etag,
                        segment_size, created_at, wrapped_key, doc)
SELECT o.bucket, o.key,
       CASE WHEN json_extract(b.doc, '$.versioning') IN ('Enabled', 'Suspended') THEN o.version_id
            ELSE 'null' END,
       1, 0, o.size, o.etag, o.segment_size, o.created_at, o.wrapped_key, o.doc
FROM s3_objects_0006 o JOIN s3_buckets b ON b.name = o.bucket
ORDER BY o.created_at;

-- Where a version's body lives: one extent for a PUT, one per part for a multipart upload.
-- Extent idx covers plaintext [plain_offset, plain_offset + size) of the version and is the
-- sealed object (header + segments of object_id).
CREATE TABLE s3_object_extents (
  version_seq  INTEGER NOT NULL REFERENCES s3_objects (seq) ON DELETE CASCADE,
  idx          INTEGER NOT NULL,
  object_id    INTEGER NOT NULL UNIQUE,
  plain_offset INTEGER NOT NULL,
  size         INTEGER NOT NULL,
  header       BLOB NOT NULL,     -- the segment header (magic, version, segment size, object id)
  PRIMARY KEY (version_seq, idx)
);

INSERT INTO s3_object_extents (version_seq, idx, object_id, plain_offset, size, header)
SELECT o.seq, e.idx, e.object_id, e.plain_offset, e.size, e.header
FROM s3_object_extents_0006 e JOIN s3_objects o ON o.bucket = e.bucket AND o.key = e.key;

DROP TABLE s3_object_extents_0006;
DROP TABLE s3_objects_0006;
