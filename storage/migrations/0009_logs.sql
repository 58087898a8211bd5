-- 0009_logs: CloudWatch Logs log groups, log streams and their events.
--
-- One table of JSON documents that api/logs owns (storage/logs_repo.h only stores them).
-- kind: 'group' (parent '', name = log group name)
--     | 'stream' (parent = log group name, name = log stream name)
--     | 'batch' (parent = group name U+001F stream name, name = the batch's sequence number,
--       zero-padded): the events of one PutLogEvents call, sealed under the group's KMS key
--       when it has one (api/logs/logs_service.h; never plaintext for a group with a key).
CREATE TABLE logs_entities (
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  kind TEXT NOT NULL,
  parent TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL,
  doc BLOB NOT NULL,
  PRIMARY KEY (account, region, kind, parent, name)
) WITHOUT ROWID;
