-- 0001_init: the schema every SealStack database starts from.
--
-- meta: one row per fact about this database instance (not about any AWS resource).
--   instance_id  32 hex chars, random, fixed at creation; lets logs and fixtures tell two
--                data directories apart.
--   created_at   RFC 3339 UTC timestamp of creation (SQLite's clock, not the injected Clock:
--                it is informational only and never compared with request times).
-- Domain tables (keys, aliases, grants, buckets, objects, ...) arrive in 0002 and later.
CREATE TABLE meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);

INSERT INTO meta (key, value) VALUES ('instance_id', lower(hex(randomblob(16))));
INSERT INTO meta (key, value) VALUES ('created_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
