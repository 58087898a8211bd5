-- KMS: keys, their key material (wrapped under the root key), aliases and grants.
-- Key and grant details live in `doc` (JSON written by api/kms); the columns are what is
-- looked up or ordered by. Key material is only ever stored wrapped (crypto/keywrap.h).
CREATE TABLE kms_keys (
  key_id     TEXT PRIMARY KEY,
  account    TEXT NOT NULL,
  region     TEXT NOT NULL,
  created_at REAL NOT NULL,
  doc        TEXT NOT NULL
);
CREATE INDEX kms_keys_by_account ON kms_keys (account, region, created_at);

CREATE TABLE kms_key_materials (
  key_id      TEXT NOT NULL REFERENCES kms_keys (key_id) ON DELETE CASCADE,
  material_id TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  wrapped     BLOB NOT NULL,
  doc         TEXT NOT NULL,
  PRIMARY KEY (key_id, material_id)
);

CREATE TABLE kms_aliases (
  account    TEXT NOT NULL,
  region     TEXT NOT NULL,
  alias_name TEXT NOT NULL,
  key_id     TEXT NOT NULL,
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL,
  PRIMARY KEY (account, region, alias_name)
);

CREATE TABLE kms_grants (
  grant_id   TEXT PRIMARY KEY,
  key_id     TEXT NOT NULL REFERENCES kms_keys (key_id) ON DELETE CASCADE,
  created_at REAL NOT NULL,
  doc        TEXT NOT NULL
);
