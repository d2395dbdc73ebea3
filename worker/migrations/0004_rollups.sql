-- The report's sums, kept on write (report.Tally): every lead's
-- contribution (its creation, entries, stays, SLA outcomes) added up per
-- time zone, month and segment, so that a report reads a few rows per
-- month whatever the number of leads. A generation (gen) is one counting
-- from the events: a model whose stages change starts a new one, counted
-- lead by lead by the scheduled work while the old one is dropped.
CREATE TABLE rollups (
  gen INTEGER NOT NULL,
  zone TEXT NOT NULL,      -- the zone months are cut in
  month INTEGER NOT NULL,  -- 202603; 0 for the totals of all time
  seg TEXT NOT NULL,       -- report.Row.Seg: '' every lead, 'p' positions, 's|api' a source …
  cells TEXT NOT NULL,     -- JSON: count by cell name (report.Cells)
  PRIMARY KEY (gen, zone, month, seg)
) WITHOUT ROWID;

-- The SLA clocks nobody has acted on yet (report.Clock): the report
-- counts those not due yet, and lists the overdue ones, the most overdue
-- first, from the index.
CREATE TABLE sla_clocks (
  gen INTEGER NOT NULL,
  lead_id TEXT NOT NULL,
  stage TEXT NOT NULL,
  entered_at INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  PRIMARY KEY (gen, lead_id, stage, entered_at)
) WITHOUT ROWID;
CREATE INDEX sla_clocks_due ON sla_clocks (gen, due_at, lead_id, entered_at, stage);

-- A lead is counted in generation rollup_gen as of its version
-- rollup_version; rollup_gen 0: not counted yet, NULL: never (merged
-- into another lead).
ALTER TABLE leads ADD COLUMN rollup_gen INTEGER DEFAULT 0;
ALTER TABLE leads ADD COLUMN rollup_version INTEGER NOT NULL DEFAULT 0;
UPDATE leads SET rollup_gen = NULL WHERE merged_into IS NOT NULL;
CREATE INDEX leads_rollup ON leads (rollup_gen, id);

-- What the report segments a lead by, kept apart from its answers (which
-- the purge of personal data empties): where it came from (its
-- utm_source, or the host of the site that referred it) and its
-- campaign; NULL until the lead is next written (read from its answers).
ALTER TABLE leads ADD COLUMN origin TEXT;
ALTER TABLE leads ADD COLUMN campaign TEXT;

-- Generation 0 is nothing counted: the scheduled work starts the first.
INSERT INTO settings (name, value) VALUES ('rollups:gen', '0'), ('rollups:state', 'building'), ('rollups:shape', '')
  ON CONFLICT (name) DO NOTHING;
