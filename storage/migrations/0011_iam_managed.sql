-- 0011_iam_managed: IAM groups, managed policies and their attachments, permissions boundaries,
-- and what an STS session carries besides its secrets (api/iam).
--
-- Managed policies keep their versions in one JSON column, at most 5 as IAM allows:
--   [{"VersionId": "v1", "Document": "<policy JSON>", "CreateDate": <Unix seconds>}, ...]
-- default_version names the one in force. Attachments name the policy by ARN (customer managed
-- policies are arn:aws:iam::ACCT:policy/PATH/NAME); kind 'user' | 'role' | 'group', owner = the
-- entity's stored name. Inline group policies live in iam_inline_policies with kind 'group'.
-- A boundary is the ARN of the managed policy set as permissions boundary (NULL: none).
-- iam_sessions.context is a JSON object of the session's non-secret facts: session policies,
-- session tags, transitive tag keys, source identity.

CREATE TABLE iam_groups (
  account TEXT NOT NULL,
  lname TEXT NOT NULL,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  id TEXT NOT NULL,
  created INTEGER NOT NULL,
  PRIMARY KEY (account, lname)
) WITHOUT ROWID;

CREATE TABLE iam_group_members (
  account TEXT NOT NULL,
  group_name TEXT NOT NULL,
  user_name TEXT NOT NULL,
  PRIMARY KEY (account, group_name, user_name)
) WITHOUT ROWID;

CREATE INDEX iam_group_members_user ON iam_group_members (account, user_name);

CREATE TABLE iam_managed_policies (
  account TEXT NOT NULL,
  lname TEXT NOT NULL,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  id TEXT NOT NULL,
  arn TEXT NOT NULL,
  description TEXT,
  default_version TEXT NOT NULL,
  next_version INTEGER NOT NULL,
  versions TEXT NOT NULL,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  PRIMARY KEY (account, lname)
) WITHOUT ROWID;

CREATE UNIQUE INDEX iam_managed_policies_arn ON iam_managed_policies (arn);

CREATE TABLE iam_attachments (
  account TEXT NOT NULL,
  kind TEXT NOT NULL,
  owner TEXT NOT NULL,
  policy_arn TEXT NOT NULL,
  PRIMARY KEY (account, kind, owner, policy_arn)
) WITHOUT ROWID;

CREATE INDEX iam_attachments_policy ON iam_attachments (policy_arn);

ALTER TABLE iam_users ADD COLUMN boundary TEXT;
ALTER TABLE iam_roles ADD COLUMN boundary TEXT;
ALTER TABLE iam_sessions ADD COLUMN context TEXT NOT NULL DEFAULT '{}';
