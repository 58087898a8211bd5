-- 0006_s3_body_files: bodies may live in files (storage/body_files.h) instead of
-- s3_object_segments rows. A file cannot be deleted inside a transaction, so whoever frees a body
-- (an object replaced or deleted, a part replaced, an upload completed or aborted, a body
-- discarded or swept, a bucket or account reset) records its id here in the same transaction;
-- the S3 object store removes the file after the commit and then the row. A crash in between
-- leaves the row, and the next removal (or the start-up sweep) finishes the job.
-- In memory, where segments stay rows, the store just clears this table.

CREATE TABLE s3_freed_bodies (
  object_id INTEGER PRIMARY KEY
);
