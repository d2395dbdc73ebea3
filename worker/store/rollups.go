package store

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/report"
)

// The report's rollups: report.Tally rows per generation, with the SLA
// clocks nobody has acted on yet. A lead is counted in a generation as of
// one of its versions (leads.rollup_gen, rollup_version); the settings
// rollups:gen, rollups:state ('building' or 'built') and rollups:shape say
// which generation the report reads and whether every lead is in it.

// RollupState is the rollups' generation and whether it is complete.
type RollupState struct {
	Gen   int64
	Built bool   // every lead is counted in Gen
	Shape string // report.Shape of the model and zones Gen counts with
}

// Rollups reads the rollups' state.
func (s *Store) Rollups(ctx context.Context) (RollupState, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT name, value FROM settings WHERE name IN ('rollups:gen', 'rollups:state', 'rollups:shape')`)
	if err != nil {
		return RollupState{}, err
	}
	defer rows.Close()
	var st RollupState
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return st, err
		}
		switch name {
		case "rollups:gen":
			st.Gen, _ = strconv.ParseInt(value, 10, 64)
		case "rollups:state":
			st.Built = value == "built"
		case "rollups:shape":
			st.Shape = value
		}
	}
	return st, rows.Err()
}

// GenIs is the condition that the rollups' generation is gen.
func GenIs(gen int64) (string, []any) {
	return `(SELECT value FROM settings WHERE name = 'rollups:gen') = ?`, []any{strconv.FormatInt(gen, 10)}
}

// BuiltIs is the condition that the rollups' generation is gen and that it
// is complete (built) or not.
func BuiltIs(gen int64, built bool) (string, []any) {
	state := "building"
	if built {
		state = "built"
	}
	return `(SELECT value FROM settings WHERE name = 'rollups:gen') = ? AND (SELECT value FROM settings WHERE name = 'rollups:state') = ?`,
		[]any{strconv.FormatInt(gen, 10), state}
}

// NewGeneration starts generation from.Gen + 1, counted with shape, if
// the generation is still from.Gen: its rollups are counted lead by lead
// (CountLeads) while the older ones are dropped (DropOldRollups).
func NewGeneration(from RollupState, shape string) []Stmt {
	g := strconv.FormatInt(from.Gen, 10)
	next := strconv.FormatInt(from.Gen+1, 10)
	cond := ` AND (SELECT value FROM settings WHERE name = 'rollups:gen') = ?`
	return []Stmt{
		{`UPDATE settings SET value = ? WHERE name = 'rollups:shape'` + cond, []any{shape, g}},
		{`UPDATE settings SET value = 'building' WHERE name = 'rollups:state'` + cond, []any{g}},
		{`UPDATE settings SET value = ? WHERE name = 'rollups:gen' AND value = ?`, []any{next, g}},
	}
}

// rollupRow is a tally's row as the statements take it.
type rollupRow struct {
	zone  string
	month int
	seg   string
	cells string
}

func rows(t report.Tally) []rollupRow {
	var out []rollupRow
	for row, cells := range t {
		nonzero := report.Cells{}
		for k, n := range cells {
			if n != 0 {
				nonzero[k] = n
			}
		}
		if len(nonzero) == 0 {
			continue
		}
		js, _ := json.Marshal(nonzero)
		out = append(out, rollupRow{row.Zone, row.Month, row.Seg, string(js)})
	}
	return out
}

// addRollup adds a row's cells to generation gen's rollups where guard
// holds; a cell that comes to 0 is dropped.
const addRollup = `INSERT INTO rollups (gen, zone, month, seg, cells) SELECT ?, ?, ?, ?, ? WHERE %s
	ON CONFLICT (gen, zone, month, seg) DO UPDATE SET cells = (SELECT coalesce(json_group_object(key, n), '{}') FROM
		(SELECT key, sum(value) AS n FROM (SELECT key, value FROM json_each(rollups.cells)
			UNION ALL SELECT key, value FROM json_each(excluded.cells)) GROUP BY key HAVING sum(value) != 0))`

// AddRollups adds t to generation gen's rollups, if guard holds.
func AddRollups(gen int64, t report.Tally, guard string, args ...any) []Stmt {
	var out []Stmt
	for _, r := range rows(t) {
		out = append(out, Stmt{strings.Replace(addRollup, "%s", guard, 1), append([]any{gen, r.zone, r.month, r.seg, r.cells}, args...)})
	}
	return out
}

// clocksJSON writes clocks as the statements take them: [[lead, stage,
// entered, due], …], instants in Unix ms.
func clocksJSON(cs []report.Clock) string {
	out := make([][]any, len(cs))
	for i, c := range cs {
		out[i] = []any{c.Lead, c.Stage, c.EnteredAt.UnixMilli(), c.DueAt.UnixMilli()}
	}
	js, _ := json.Marshal(out)
	return string(js)
}

const insertClocks = `INSERT INTO sla_clocks (gen, lead_id, stage, entered_at, due_at)
	SELECT ?, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]')
	FROM json_each(?) j WHERE %s ON CONFLICT DO NOTHING`

// SetClocks replaces the open SLA clocks of lead id in generation gen
// with clocks, if guard holds.
func SetClocks(gen int64, id string, clocks []report.Clock, guard string, args ...any) []Stmt {
	out := []Stmt{{`DELETE FROM sla_clocks WHERE gen = ? AND lead_id = ? AND ` + guard, append([]any{gen, id}, args...)}}
	if len(clocks) > 0 {
		out = append(out, Stmt{strings.Replace(insertClocks, "%s", guard, 1), append([]any{gen, clocksJSON(clocks)}, args...)})
	}
	return out
}

// Uncounted reads at most limit leads not counted in generation gen yet,
// merged leads aside.
func (s *Store) Uncounted(ctx context.Context, gen int64, limit int) ([]Lead, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT `+leadColumns+` FROM leads WHERE rollup_gen < ? ORDER BY rollup_gen, id LIMIT ?`, gen, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Lead
	for rows.Next() {
		l, err := scanLead(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// CountLeads adds the contributions of leads (t, clocks) to generation
// gen and marks them counted, if none of them changed since they were
// read and the generation is still gen; it changed no rows otherwise.
func CountLeads(gen int64, leads []Lead, t report.Tally, clocks []report.Clock) []Stmt {
	pairs := make([][]any, len(leads))
	for i, l := range leads {
		pairs[i] = []any{l.ID, l.Version}
	}
	js, _ := json.Marshal(pairs)
	gc, ga := GenIs(gen)
	guard := `(SELECT count(*) FROM leads l JOIN json_each(?) j ON l.id = json_extract(j.value, '$[0]')
		AND l.version = json_extract(j.value, '$[1]') AND l.rollup_gen < ?) = ? AND ` + gc
	args := append([]any{string(js), gen, len(leads)}, ga...)
	out := AddRollups(gen, t, guard, args...)
	if len(clocks) > 0 {
		out = append(out, Stmt{strings.Replace(insertClocks, "%s", guard, 1), append([]any{gen, clocksJSON(clocks)}, args...)})
	}
	return append(out, Stmt{`UPDATE leads SET rollup_gen = ?, rollup_version = version
		WHERE id IN (SELECT json_extract(value, '$[0]') FROM json_each(?)) AND ` + guard, append([]any{gen, string(js)}, args...)})
}

// FinishGeneration marks generation gen complete, if it is and no lead
// is left to count.
func FinishGeneration(gen int64) Stmt {
	gc, ga := GenIs(gen)
	return Stmt{`UPDATE settings SET value = 'built' WHERE name = 'rollups:state' AND ` + gc +
		` AND NOT EXISTS (SELECT 1 FROM leads WHERE rollup_gen < ?)`, append(ga, gen)}
}

// Progress counts the leads counted in generation gen and all of them,
// merged ones aside.
func (s *Store) Progress(ctx context.Context, gen int64) (counted, total int64, err error) {
	err = s.DB.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM leads WHERE rollup_gen >= ?),
		(SELECT count(*) FROM leads WHERE rollup_gen IS NOT NULL)`, gen).Scan(&counted, &total)
	return counted, total, err
}

// DropOldRollups deletes what generations before gen kept, at most limit
// clocks a call.
func DropOldRollups(gen int64, limit int) []Stmt {
	return []Stmt{
		{`DELETE FROM rollups WHERE gen < ?`, []any{gen}},
		{`DELETE FROM sla_clocks WHERE (gen, lead_id, stage, entered_at) IN
			(SELECT gen, lead_id, stage, entered_at FROM sla_clocks WHERE gen < ? LIMIT ?)`, []any{gen, limit}},
	}
}

// ReadRollups reads generation gen's rollups of zone over months from to
// to (report.MonthKey), with the totals, and the segments of every month
// (as empty rows of month -1, which Assemble lists segments by).
func (s *Store) ReadRollups(ctx context.Context, gen int64, zone string, from, to int) (report.Tally, error) {
	t := report.Tally{}
	rows, err := s.DB.QueryContext(ctx, `SELECT month, seg, cells FROM rollups WHERE gen = ? AND zone = ?
		AND (month BETWEEN ? AND ? OR month = 0)`, gen, zone, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var row report.Row
		var cells string
		if err := rows.Scan(&row.Month, &row.Seg, &cells); err != nil {
			return nil, err
		}
		row.Zone = zone
		c := report.Cells{}
		if err := json.Unmarshal([]byte(cells), &c); err != nil {
			return nil, errors.New("rollups: a row's cells are not JSON: " + err.Error())
		}
		t[row] = c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	segs, err := s.DB.QueryContext(ctx, `SELECT DISTINCT seg FROM rollups WHERE gen = ? AND zone = ? AND month != 0 AND cells != '{}'`,
		gen, zone)
	if err != nil {
		return nil, err
	}
	defer segs.Close()
	for segs.Next() {
		var seg string
		if err := segs.Scan(&seg); err != nil {
			return nil, err
		}
		t[report.Row{Zone: zone, Month: -1, Seg: seg}] = report.Cells{}
	}
	return t, segs.Err()
}

// AllRollups reads every row of generation gen, for a check against the
// events.
func (s *Store) AllRollups(ctx context.Context, gen int64) (report.Tally, error) {
	t := report.Tally{}
	rows, err := s.DB.QueryContext(ctx, `SELECT zone, month, seg, cells FROM rollups WHERE gen = ?`, gen)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var row report.Row
		var cells string
		if err := rows.Scan(&row.Zone, &row.Month, &row.Seg, &cells); err != nil {
			return nil, err
		}
		c := report.Cells{}
		if err := json.Unmarshal([]byte(cells), &c); err != nil {
			return nil, err
		}
		t[row] = c
	}
	return t, rows.Err()
}

// NotDue counts, per stage, generation gen's open clocks entered in [from,
// to) that are not due at now.
func (s *Store) NotDue(ctx context.Context, gen int64, from, to, now time.Time) (map[string]int, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT stage, count(*) FROM sla_clocks WHERE gen = ? AND due_at >= ?
		AND entered_at >= ? AND entered_at < ? GROUP BY stage`, gen, now.UnixMilli(), from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var stage string
		var n int
		if err := rows.Scan(&stage, &n); err != nil {
			return nil, err
		}
		out[stage] = n
	}
	return out, rows.Err()
}

// Overdue reads at most limit of generation gen's clocks entered in
// [from, to) and overdue at now, the most overdue first, after clock
// after (the zero Clock for the first).
func (s *Store) Overdue(ctx context.Context, gen int64, from, to, now time.Time, after report.Clock, limit int) ([]report.Clock, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT lead_id, stage, entered_at, due_at FROM sla_clocks
		WHERE gen = ? AND due_at < ? AND entered_at >= ? AND entered_at < ?
		AND (due_at, lead_id, entered_at, stage) > (?, ?, ?, ?)
		ORDER BY due_at, lead_id, entered_at, stage LIMIT ?`,
		gen, now.UnixMilli(), from.UnixMilli(), to.UnixMilli(),
		after.DueAt.UnixMilli(), after.Lead, after.EnteredAt.UnixMilli(), after.Stage, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []report.Clock
	for rows.Next() {
		var c report.Clock
		var entered, due int64
		if err := rows.Scan(&c.Lead, &c.Stage, &entered, &due); err != nil {
			return nil, err
		}
		c.EnteredAt, c.DueAt = time.UnixMilli(entered).UTC(), time.UnixMilli(due).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// LeadsAfter reads at most limit leads not merged into another, in order
// of id, after id after.
func (s *Store) LeadsAfter(ctx context.Context, after string, limit int) ([]Lead, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT `+leadColumns+` FROM leads WHERE id > ? AND merged_into IS NULL ORDER BY id LIMIT ?`,
		after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Lead
	for rows.Next() {
		l, err := scanLead(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Clocks reads every open SLA clock of generation gen.
func (s *Store) Clocks(ctx context.Context, gen int64) ([]report.Clock, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT lead_id, stage, entered_at, due_at FROM sla_clocks WHERE gen = ?`, gen)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []report.Clock
	for rows.Next() {
		var c report.Clock
		var entered, due int64
		if err := rows.Scan(&c.Lead, &c.Stage, &entered, &due); err != nil {
			return nil, err
		}
		c.EnteredAt, c.DueAt = time.UnixMilli(entered).UTC(), time.UnixMilli(due).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}
