-- People, not a token: the people who use the dashboard, each with an
-- account and a role, instead of one shared admin token (which still
-- logs in, as the break-glass admin). Times are Unix milliseconds.

-- An account: email is stored case-folded and names the person (at the
-- edge behind Cloudflare Access, the email Access vouches for); role is
-- admin (everything, people included), sales (works leads and their
-- webhooks) or viewer (reads); password is a hash that names its
-- algorithm and parameters ('' none: the person logs in with login links
-- or through Access). A disabled account logs in no more and its
-- sessions end.
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL CHECK (role IN ('admin', 'sales', 'viewer')),
  password TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',  -- who added it: a person's email, 'admin' (the token), 'winnow people', 'access'
  disabled_at INTEGER
);

-- A session is a person's (account_id) or, '' for the sessions stored
-- before accounts, the admin token's; method says how it logged in:
-- token, password, link or access. Revoking a person's sessions ends
-- them all at once.
ALTER TABLE sessions ADD COLUMN account_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'token';
CREATE INDEX sessions_account ON sessions (account_id, expires_at) WHERE revoked_at IS NULL;

-- Login links an admin made for a person: the link holds a random token,
-- kept here as its SHA-256; it logs in once (used_at), within a day.
CREATE TABLE login_links (
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX login_links_expiry ON login_links (expires_at);
