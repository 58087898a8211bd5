-- 0008_iam: IAM users, roles, inline policies, access keys and STS role sessions (api/iam).
--
-- Names are unique per account as IAM has them (user and role names case-insensitively: the
-- `lname` columns). Dates are Unix seconds. Secrets are never stored in the clear: an access
-- key's secret and a session's secret and token are wrapped under the root key
-- (crypto/keywrap.h; purposes "iam-access-key" and "sts-session", context the access key id).
-- inline policies: kind 'user' | 'role', owner = the user or role name.

CREATE TABLE iam_users (
  account TEXT NOT NULL,
  lname TEXT NOT NULL,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  id TEXT NOT NULL,
  created INTEGER NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (account, lname)
) WITHOUT ROWID;

CREATE TABLE iam_roles (
  account TEXT NOT NULL,
  lname TEXT NOT NULL,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  id TEXT NOT NULL,
  created INTEGER NOT NULL,
  trust_policy TEXT NOT NULL,
  description TEXT,
  max_session INTEGER NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (account, lname)
) WITHOUT ROWID;

CREATE TABLE iam_inline_policies (
  account TEXT NOT NULL,
  kind TEXT NOT NULL,
  owner TEXT NOT NULL,
  name TEXT NOT NULL,
  doc TEXT NOT NULL,
  PRIMARY KEY (account, kind, owner, name)
) WITHOUT ROWID;

CREATE TABLE iam_access_keys (
  access_key_id TEXT PRIMARY KEY,
  account TEXT NOT NULL,
  user_name TEXT NOT NULL,
  status TEXT NOT NULL,
  created INTEGER NOT NULL,
  wrapped_secret BLOB NOT NULL
) WITHOUT ROWID;

CREATE INDEX iam_access_keys_user ON iam_access_keys (account, user_name);

CREATE TABLE iam_sessions (
  access_key_id TEXT PRIMARY KEY,
  account TEXT NOT NULL,
  role_name TEXT NOT NULL,
  session_name TEXT NOT NULL,
  wrapped_secret BLOB NOT NULL,
  wrapped_token BLOB NOT NULL,
  issued INTEGER NOT NULL,
  expires INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX iam_sessions_expires ON iam_sessions (expires);
