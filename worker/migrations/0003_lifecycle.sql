-- A lead's whole life: one lead per person, every submission, signal and
-- sales fact an event, the verdict re-scored after each and kept as a
-- history. Times are Unix milliseconds.

-- The lead is the person's current state, which folding its events gives
-- again: the answers (input, the latest of each), the latest instant of
-- each signal (signals, JSON), the rules' verdict (verdict, fit, tier,
-- score), its stage (stage: the rules', or an override's), an outcome.
ALTER TABLE leads ADD COLUMN person TEXT;             -- keyed hash of the normalised email; NULL until computed, '' without an email
ALTER TABLE leads ADD COLUMN visitor TEXT NOT NULL DEFAULT '';  -- the first-party visitor id that became the lead
ALTER TABLE leads ADD COLUMN merged_into TEXT;        -- the lead this one was merged into
ALTER TABLE leads ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE leads ADD COLUMN last_event TEXT NOT NULL DEFAULT '';   -- the event of the last change: a write's token
ALTER TABLE leads ADD COLUMN signals TEXT NOT NULL DEFAULT '{}';
ALTER TABLE leads ADD COLUMN answered_at INTEGER NOT NULL DEFAULT 0; -- the instant of the latest answers applied
ALTER TABLE leads ADD COLUMN scored_at INTEGER NOT NULL DEFAULT 0;   -- the instant the verdict is of
ALTER TABLE leads ADD COLUMN next_check_at INTEGER;   -- when time alone can next change the verdict; NULL: never
ALTER TABLE leads ADD COLUMN override TEXT NOT NULL DEFAULT '';     -- JSON, while sales holds the stage against the rules
ALTER TABLE leads ADD COLUMN outcome TEXT NOT NULL DEFAULT '';      -- won, lost, or '' while open
ALTER TABLE leads ADD COLUMN hubspot_id TEXT;         -- the HubSpot contact the lead was upserted as
-- A lead an earlier release stored has version 0: its state is folded
-- from its events the first time it changes.
UPDATE leads SET scored_at = created_at, answered_at = created_at, version = 0,
  next_check_at = CASE WHEN purged_at IS NULL THEN created_at END; -- the scheduled pass re-scores each once
CREATE UNIQUE INDEX leads_person ON leads (person) WHERE person IS NOT NULL AND person != '' AND merged_into IS NULL;
CREATE INDEX leads_person_todo ON leads (created_at) WHERE person IS NULL;
CREATE INDEX leads_due ON leads (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX leads_visitor ON leads (visitor) WHERE visitor != '';
CREATE INDEX leads_merged ON leads (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX leads_hubspot ON leads (hubspot_id) WHERE hubspot_id IS NOT NULL;

-- Events are everything that happened to a lead: kind says what.
--   submission  answers from a form or the API (data: the answers, JSON)
--   answers     answers sales recorded (a framework's criteria)
--   signal      a signal of the model (name; value)
--   view        a page view of the lead's visitor (name: the path)
--   activity    sales acted (name: contacted …)
--   outcome     won or lost (stage; value: the reason)
--   override    sales set a stage the rules do not give (stage; value: the reason)
--   merge       another lead was merged into this one (value: its id), or
--   unmerge     taken out again
--   stage       the lead entered a stage: by the rules (by_rule 1) or by
--               an override (by_rule 0); the funnel's log
-- idem is the idempotency key of the request that recorded it, with the
-- submission's body hash and its answer, for replays.
ALTER TABLE events ADD COLUMN kind TEXT NOT NULL DEFAULT 'stage';
ALTER TABLE events ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN value TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN data TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN by_rule INTEGER NOT NULL DEFAULT 1;
ALTER TABLE events ADD COLUMN idem TEXT;
ALTER TABLE events ADD COLUMN body_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN response TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX events_idem ON events (idem) WHERE idem IS NOT NULL;
CREATE INDEX events_kind ON events (kind, at);

-- What the earlier release stored: won and lost are outcomes, contacted an
-- activity, and stages other than the first one sales set are overrides
-- (the rules of that release never moved a lead past its submission).
UPDATE events SET kind = 'outcome' WHERE stage IN ('won', 'lost');
UPDATE events SET kind = 'activity', name = stage WHERE stage = 'contacted';
UPDATE events SET by_rule = 0 WHERE kind = 'stage' AND actor != 'winnow';
UPDATE leads SET override = (SELECT json_object('stage', e.stage, 'reason', 'set by sales before stages followed the rules',
    'actor', e.actor, 'at', e.at, 'rules', leads.stage)
  FROM events e WHERE e.lead_id = leads.id AND e.kind = 'stage' ORDER BY e.at DESC, e.recorded_at DESC LIMIT 1)
  WHERE (SELECT e.actor FROM events e WHERE e.lead_id = leads.id AND e.kind = 'stage'
    ORDER BY e.at DESC, e.recorded_at DESC LIMIT 1) != 'winnow';
UPDATE leads SET stage = json_extract(override, '$.stage') WHERE override != '';
UPDATE leads SET outcome = coalesce((SELECT e.stage FROM events e WHERE e.lead_id = leads.id AND e.kind = 'outcome'
  ORDER BY e.at DESC, e.recorded_at DESC LIMIT 1), '');
-- Every lead's submission becomes its first event, with its key.
INSERT INTO events (id, lead_id, stage, actor, source, at, recorded_at, kind, data, idem, body_hash, response)
  SELECT 's' || id, id, '', 'visitor', source, created_at, created_at, 'submission', input, idem_key, body_hash, response
  FROM leads WHERE purged_at IS NULL;

-- The score history: every change of a lead's verdict (stage, fit, tier,
-- or the rules that hold), with what changed (JSON) and the event that
-- caused it ('' for the passing of time).
CREATE TABLE scores (
  lead_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  event_id TEXT NOT NULL DEFAULT '',
  stage TEXT NOT NULL,
  fit TEXT NOT NULL,
  tier TEXT NOT NULL,
  score REAL NOT NULL,
  changed TEXT NOT NULL DEFAULT ''
);
CREATE INDEX scores_lead ON scores (lead_id, at);
INSERT INTO scores (lead_id, at, event_id, stage, fit, tier, score)
  SELECT id, created_at, 's' || id, stage, fit, tier, score FROM leads;

-- Page views of visitors not yet known as leads, kept until the visitor
-- submits a form (then they become the lead's events) or expires.
CREATE TABLE visits (
  visitor TEXT NOT NULL,
  path TEXT NOT NULL,
  signal TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL
);
CREATE INDEX visits_visitor ON visits (visitor, at);
CREATE INDEX visits_at ON visits (at);

-- A lead's webhooks reach each target in the order they were queued: the
-- first pending one of a lead and target is found by this index.
CREATE INDEX outbox_lead_pending ON outbox (lead_id, target) WHERE status = 'pending';

-- What was dropped rather than refused (page views past a visitor's
-- limit, malformed or of an unknown signal; HubSpot's changes the model
-- does not map), by name, since the database was made.
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  count INTEGER NOT NULL DEFAULT 0
);
