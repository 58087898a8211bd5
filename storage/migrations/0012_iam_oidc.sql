-- 0012_iam_oidc: OpenID Connect identity providers (IAM CreateOpenIDConnectProvider), the JWKS
-- documents a test hands in for their issuers (PUT /_sealstack/oidc/jwks), instance profiles, and
-- when each access key was last used (api/iam).
--
-- A provider is keyed by its URL without the scheme (token.actions.githubusercontent.com,
-- oidc.eks.us-east-1.amazonaws.com/id/X), which is also its ARN's resource part:
-- arn:aws:iam::ACCT:oidc-provider/URL. client_ids, thumbprints and tags are JSON arrays
-- (["sts.amazonaws.com"], ["<40 hex>"], [{"Key":..,"Value":..}]).
-- iam_oidc_jwks holds public keys only (a JWKS document as the test sent it), per issuer URL
-- (again without the scheme), for every account.
-- An instance profile holds at most one role (its stored name; NULL: none).
-- iam_access_keys.last_used (Unix seconds), last_service ("kms", "s3", ...) and last_region are
-- NULL until the key is used; they are written at most once a minute per key.

CREATE TABLE iam_oidc_providers (
  account TEXT NOT NULL,
  url TEXT NOT NULL,
  client_ids TEXT NOT NULL DEFAULT '[]',
  thumbprints TEXT NOT NULL DEFAULT '[]',
  tags TEXT NOT NULL DEFAULT '[]',
  created INTEGER NOT NULL,
  PRIMARY KEY (account, url)
) WITHOUT ROWID;

CREATE TABLE iam_oidc_jwks (
  url TEXT PRIMARY KEY,
  jwks TEXT NOT NULL,
  updated INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE iam_instance_profiles (
  account TEXT NOT NULL,
  lname TEXT NOT NULL,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  id TEXT NOT NULL,
  created INTEGER NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  role TEXT,
  PRIMARY KEY (account, lname)
) WITHOUT ROWID;

CREATE INDEX iam_instance_profiles_role ON iam_instance_profiles (account, role);

ALTER TABLE iam_access_keys ADD COLUMN last_used INTEGER;
ALTER TABLE iam_access_keys ADD COLUMN last_service TEXT;
ALTER TABLE iam_access_keys ADD COLUMN last_region TEXT;
