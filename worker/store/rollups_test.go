package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/worker/sqlitedb"
	"github.com/winnowhq/winnow/worker/store"
)

// CountLeads counts a group of leads whole or not at all: a lead whose
// version moved on since it was read leaves every row as it was, the
// rollups, the clocks and the leads' marks, however many statements the
// group takes; the same group read again is counted.
func TestCountLeadsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "count.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := store.New(db, store.TxBatch(db))
	st, err := s.Rollups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(ctx, store.NewGeneration(st, "shape")); err != nil {
		t.Fatal(err)
	}
	const gen = 1
	for _, id := range []string{"a", "b", "c"} {
		if _, err := db.Exec(`INSERT INTO leads (id, idem_key, body_hash, created_at, input, source, model_version, stage, fit,
			tier, score, verdict, spam, response, version, rollup_gen) VALUES (?, ?, '', 0, '{}', 'api', 'm', 'MQL', 'A', '1', 1, '{}', 0, '', 2, 0)`,
			id, "key-"+id); err != nil {
			t.Fatal(err)
		}
	}
	leads, err := s.Uncounted(ctx, gen, nil, 10)
	if err != nil || len(leads) != 3 {
		t.Fatalf("uncounted: %d leads (%v), want 3", len(leads), err)
	}
	if after, err := s.Uncounted(ctx, gen, &leads[0], 10); err != nil || len(after) != 2 || after[0].ID != "b" {
		t.Fatalf("uncounted after a: %v (%v), want b and c", after, err)
	}
	// Enough rows and clocks to take several statements each.
	tally := report.Tally{}
	var clocks []report.Clock
	for m := range 400 {
		row := report.Row{Zone: "UTC", Month: 200001 + m, Seg: "all"}
		tally[row] = report.Cells{"n": 1}
		for i := range 100 {
			tally[row]["h|MQL|"+string(rune('a'+i%26))+string(rune('a'+i/26))] = int64(i + 1)
		}
	}
	for i := range 6000 {
		clocks = append(clocks, report.Clock{Lead: leads[i%3].ID, Stage: "MQL" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676)),
			EnteredAt: time.UnixMilli(int64(i)), DueAt: time.UnixMilli(int64(i) + 1000)})
	}
	stmts := store.CountLeads(gen, leads, tally, clocks, "token-1")
	if len(stmts) < 6 {
		t.Fatalf("%d statements: want the rows and clocks in several", len(stmts))
	}
	count := func() (rollups, clocks, counted int) {
		db.QueryRow(`SELECT (SELECT count(*) FROM rollups), (SELECT count(*) FROM sla_clocks), (SELECT count(*) FROM leads WHERE rollup_gen = 1)`).
			Scan(&rollups, &clocks, &counted)
		return
	}

	// b is written meanwhile.
	if _, err := db.Exec(`UPDATE leads SET version = 3 WHERE id = 'b'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(ctx, stmts); err != nil {
		t.Fatal(err)
	}
	if r, c, n := count(); r != 0 || c != 0 || n != 0 {
		t.Fatalf("a stale group changed %d rollup rows, %d clocks and %d leads; want none", r, c, n)
	}

	leads, _ = s.Uncounted(ctx, gen, nil, 10)
	if _, err := s.Run(ctx, store.CountLeads(gen, leads, tally, clocks, "token-2")); err != nil {
		t.Fatal(err)
	}
	// Each row in two parts: its count, and the histogram of MQL.
	if r, c, n := count(); r != 800 || c != 6000 || n != 3 {
		t.Fatalf("the group read again: %d rollup rows, %d clocks, %d leads counted; want 800, 6000, 3", r, c, n)
	}
	// Counted leads are not read again; the cursor pages on.
	if rest, err := s.Uncounted(ctx, gen, nil, 10); err != nil || len(rest) != 0 {
		t.Errorf("after counting, %d leads uncounted (%v)", len(rest), err)
	}
}

// What the report reads of a lead's events is read from the index
// events_lead alone, whatever the number of events, but for a rejection's
// reason: the rejections' rows are read by rowid.
func TestReportEventsFromIndex(t *testing.T) {
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := store.KeepReportEvents("lead", "1 = 1")
	rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+st.SQL, st.Args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	got := strings.Join(plan, "\n")
	for _, want := range []string{"SEARCH e USING COVERING INDEX events_lead (lead_id=?)", "SEARCH v USING INTEGER PRIMARY KEY (rowid=?)"} {
		if !strings.Contains(got, want) {
			t.Errorf("the plan lacks %q:\n%s", want, got)
		}
	}
}
