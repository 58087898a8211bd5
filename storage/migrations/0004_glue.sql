-- 0004_glue: Glue jobs, security configurations, job runs and the Data Catalog.
--
-- One table of JSON documents that api/glue owns (storage/glue_repo.h only stores them).
-- kind: 'job' | 'secconf' | 'run' (parent = job name) | 'database' | 'table' (parent = database)
--       | 'partition' (parent = database/table, name = values joined by U+001F) | 'connection'
--       | 'catalog' (the catalog encryption settings, name '').
-- doc: plain JSON, or for an encrypted catalog entity an envelope (api/glue/catalog_crypto.h):
-- never plaintext of an SSE-KMS catalog, never a connection password in the clear.
-- seq orders rows of one (account, region, kind, parent) by insertion (job runs, newest last).

CREATE TABLE glue_entities (
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  kind TEXT NOT NULL,
  parent TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL,
  doc BLOB NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account, region, kind, parent, name)
) WITHOUT ROWID;

CREATE INDEX glue_entities_seq ON glue_entities (account, region, kind, parent, seq);
