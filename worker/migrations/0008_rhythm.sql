-- Where each owned lead stands in its stage's rhythm (routing.Next): the
-- instant its next attempt is due (due_at; NULL when the rhythm asks for
-- nothing more, or nobody owns it), the next instant the scheduled work
-- looks at it for alerts and escalation (alert_at: an SLA's warning share
-- or its due time; NULL for none) and the instant up to which it did
-- (alerted_at). The queue reads a person's leads due first from
-- leads_queue; the scheduled work the leads to look at from leads_alert.
ALTER TABLE leads ADD COLUMN due_at INTEGER;
ALTER TABLE leads ADD COLUMN alert_at INTEGER;
ALTER TABLE leads ADD COLUMN alerted_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX leads_queue ON leads (owner, due_at) WHERE owner != '' AND merged_into IS NULL;
CREATE INDEX leads_alert ON leads (alert_at) WHERE alert_at IS NOT NULL;
-- The leads an earlier release assigned are looked at once by the
-- scheduled pass, which works out their rhythm; the alerts their past
-- would have raised are not sent.
UPDATE leads SET next_check_at = 0, alerted_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  WHERE owner != '' AND merged_into IS NULL AND purged_at IS NULL;

-- Alerts raised, one row per lead (or person, for a digest) and reason
-- (key: "warn|<lead>|<entered>|<attempt>", "digest|<person>|<day>" …): the
-- key is what makes an alert go out once, whoever raises it and however
-- often; the alert itself goes out through the outbox.
CREATE TABLE alerts (
  key TEXT PRIMARY KEY,
  lead_id TEXT NOT NULL DEFAULT '',
  person TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL,
  at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX alerts_lead ON alerts (lead_id) WHERE lead_id != '';
