-- The dashboard's overview lists the leads last active: an index in that
-- order, so that it reads twenty leads rather than sorting every one.
CREATE INDEX leads_recent ON leads (max(created_at, answered_at) DESC, id DESC) WHERE merged_into IS NULL;

-- A lead's events as the report reads them (store.LeadsBetween: the
-- export, the counting of the report's sums) come whole from the index,
-- without a look-up in the table for each.
DROP INDEX events_lead;
CREATE INDEX events_lead ON events (lead_id, at, recorded_at, kind, stage, by_rule, actor, source);

-- A row of the report's sums is kept in parts: its counts (part ''),
-- and the histogram of each step's stays ('h|' and the step), which hold
-- most of its cells, so that a write rewrites only the parts it changes.
-- The sums are counted anew from the events, in a new generation (the
-- shape no generation has), by the scheduled work; until then a report
-- says how far the counting got.
DROP TABLE rollups;
CREATE TABLE rollups (
  gen INTEGER NOT NULL,
  zone TEXT NOT NULL,
  month INTEGER NOT NULL,
  seg TEXT NOT NULL,
  part TEXT NOT NULL,      -- '' the counts, 'h|SQL' the histogram of the stays in SQL …
  cells TEXT NOT NULL,     -- JSON: count by cell name (report.Cells)
  PRIMARY KEY (gen, zone, month, seg, part)
) WITHOUT ROWID;
UPDATE settings SET value = 'rows in parts' WHERE name = 'rollups:shape';

-- What the report reads of a lead's events (store.KeepReportEvents),
-- kept on its row by every write that adds events, so that the export
-- and the counting read a lead, not its events; NULL until the lead is
-- next written or counted (read from the events meanwhile).
ALTER TABLE leads ADD COLUMN report_events TEXT;
