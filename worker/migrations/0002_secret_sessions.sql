-- What the worker keeps for itself: the key of its hashes when no
-- WINNOW_SECRET is set, made once and kept, so that idempotency keys and
-- rate limits hold across restarts and instances.
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Dashboard sessions: the cookie holds a random id, stored here as its
-- hash; logging out revokes the row, so a copied cookie stops working.
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
