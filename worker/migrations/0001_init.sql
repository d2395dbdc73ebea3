-- Winnow's storage: leads, their stage events and the outbox of webhooks.
-- The same file migrates D1 (wrangler d1 migrations apply) and SQLite
-- (worker.Migrate). Times are Unix milliseconds.

-- One row per acknowledged submission. idem_key makes a replay a no-op;
-- response is the answer given the first time, returned to every replay.
CREATE TABLE leads (
  id TEXT PRIMARY KEY,
  idem_key TEXT NOT NULL UNIQUE,
  body_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  email TEXT NOT NULL DEFAULT '',
  email_hash TEXT NOT NULL DEFAULT '',
  input TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  model_version TEXT NOT NULL,
  stage TEXT NOT NULL,
  fit TEXT NOT NULL,
  tier TEXT NOT NULL,
  score REAL NOT NULL,
  verdict TEXT NOT NULL,
  client_model_version TEXT NOT NULL DEFAULT '',
  client_verdict TEXT NOT NULL DEFAULT '',
  spam INTEGER NOT NULL DEFAULT 0,
  response TEXT NOT NULL,
  purged_at INTEGER
);
CREATE INDEX leads_created ON leads (created_at);
CREATE INDEX leads_email_hash ON leads (email_hash);

-- Stage changes: the qualification at submission, then what sales records
-- (SAL, SQL, opportunity, won, lost, disqualified), by API or CRM callback.
CREATE TABLE events (
  id TEXT PRIMARY KEY,
  lead_id TEXT NOT NULL REFERENCES leads (id),
  stage TEXT NOT NULL,
  actor TEXT NOT NULL,
  source TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX events_lead ON events (lead_id, at);
CREATE INDEX events_at ON events (at);

-- Webhooks waiting to be delivered, delivered, or dead after too many
-- attempts. id is the event id receivers deduplicate by.
CREATE TABLE outbox (
  id TEXT PRIMARY KEY,
  lead_id TEXT NOT NULL,
  target TEXT NOT NULL,
  topic TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL DEFAULT 0,
  delivered_at INTEGER,
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (status, next_at);

-- Fixed-window request counters for rate limits; keys are hashed.
CREATE TABLE rate_limits (
  key TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (key, bucket)
);
