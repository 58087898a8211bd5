-- 0005_audit: the audit trail (CloudTrail-shaped events; audit/recorder.h writes it, storage/
-- audit_repo.h holds the SQL).
--
-- One row per event. `json` is the complete CloudTrail record exactly as LookupEvents returns it
-- in CloudTrailEvent; the other columns are its lookup attributes, copied out for filtering.
-- `seq` orders events as they were recorded (AUTOINCREMENT: never reused, so a NextToken that
-- names a seq stays meaningful while its event is retained). `size` is the length of `json`,
-- summed by the recorder for the size bound of the retention policy.
CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  event_time_us INTEGER NOT NULL,
  account TEXT NOT NULL,          -- recipientAccountId: whose trail the event belongs to
  event_source TEXT NOT NULL,     -- "kms.amazonaws.com"
  event_name TEXT NOT NULL,       -- "Decrypt"
  read_only INTEGER NOT NULL,     -- 0 | 1
  username TEXT NOT NULL,         -- LookupEvents Username ("" for none)
  access_key_id TEXT NOT NULL,
  error_code TEXT NOT NULL,       -- "" for a call that succeeded
  size INTEGER NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX audit_events_account_time ON audit_events (account, event_time_us, seq);
CREATE INDEX audit_events_time ON audit_events (event_time_us);

-- The resources an event names (KMS: the key ARN; ReEncrypt: both keys).
CREATE TABLE audit_resources (
  seq INTEGER NOT NULL REFERENCES audit_events (seq) ON DELETE CASCADE,
  resource_type TEXT NOT NULL,    -- "AWS::KMS::Key"
  resource_name TEXT NOT NULL     -- the ARN
);
CREATE INDEX audit_resources_name ON audit_resources (resource_name, seq);
CREATE INDEX audit_resources_seq ON audit_resources (seq);

-- name/value pairs: "tracking_start_us" (when this trail began; reset moves it).
CREATE TABLE audit_meta (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
