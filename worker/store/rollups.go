package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/worker/lead"
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

// rollupsJSON writes a tally's rows as the statement addRollups takes
// them: [[zone, month, seg, part, {cell: n, …}], …], the cells that
// count nothing left out, in as many parts as keep each under maxJSON
// bytes. A row of the tally is stored in parts (part): its counts (""),
// the histogram of each step's stays apart ("h|" and the step, the cells
// "h|step|bin"), which are most of its cells, and the due hours of each
// stage's running rhythms ("rn|" and the stage, the cells
// "rn|stage|hour"), one a lead at most: a lead's change rewrites the
// counts and the parts it changes, not every one.
func rollupsJSON(t report.Tally) []string {
	var items [][]byte
	for row, cells := range t {
		parts := map[string]report.Cells{}
		for k, n := range cells {
			if n != 0 {
				p := cellPart(k)
				if parts[p] == nil {
					parts[p] = report.Cells{}
				}
				parts[p][k] = n
			}
		}
		for p, c := range parts {
			js, _ := json.Marshal([]any{row.Zone, row.Month, row.Seg, p, c})
			items = append(items, js)
		}
	}
	return jsonArrays(items)
}

// cellPart is the part of its row a cell is stored in: "h|step" for the
// bins of a step's histogram ("h|step|bin"), "rn|stage" for the due hours
// of a stage's running rhythms ("rn|stage|hour"), "" for the others.
func cellPart(k string) string {
	if strings.HasPrefix(k, "h|") || strings.HasPrefix(k, "rn|") {
		if i := strings.LastIndexByte(k, '|'); i > 1 {
			return k[:i]
		}
	}
	return ""
}

// jsonArrays joins items (JSON values) into arrays of at most maxJSON
// bytes each (an item larger than that makes an array of its own).
func jsonArrays(items [][]byte) []string {
	var out []string
	var part []byte
	for _, js := range items {
		if len(part) > 0 && len(part)+len(js)+2 > maxJSON {
			out = append(out, string(append(part, ']')))
			part = part[:0]
		}
		if len(part) == 0 {
			part = append(part, '[')
		} else {
			part = append(part, ',')
		}
		part = append(part, js...)
	}
	if len(part) > 0 {
		out = append(out, string(append(part, ']')))
	}
	return out
}

// maxJSON is the most bytes of rows one addRollups statement takes: D1
// takes a string of at most 2 MB, and a statement's work stays short.
const maxJSON = 256 << 10

// addRollups adds rows' cells to generation gen's rollups where guard
// holds, in one statement (the guard is evaluated once). A row there
// already has its cells patched with the sums of the cells the row adds
// to (json_patch: a sum of 0 is null, which drops the cell): the work is
// the part's size once, not a sort of its cells.
const addRollups = `INSERT INTO rollups (gen, zone, month, seg, part, cells)
	SELECT ?, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]'),
		json_extract(j.value, '$[4]')
	FROM json_each(?) j WHERE %s
	ON CONFLICT (gen, zone, month, seg, part) DO UPDATE SET cells = json_patch(rollups.cells,
		(SELECT json_group_object(d.key, nullif(coalesce(json_extract(rollups.cells, '$."' || d.key || '"'), 0) + d.value, 0))
			FROM json_each(excluded.cells) d))`

// AddRollups adds t to generation gen's rollups, if guard holds.
func AddRollups(gen int64, t report.Tally, guard string, args ...any) []Stmt {
	var out []Stmt
	for _, js := range rollupsJSON(t) {
		out = append(out, Stmt{strings.Replace(addRollups, "%s", guard, 1), append([]any{gen, js}, args...)})
	}
	return out
}

// clocksJSON writes clocks as the statements take them: [[lead, stage,
// entered, due], …], instants in Unix ms, in parts of at most maxJSON
// bytes; none for none.
func clocksJSON(cs []report.Clock) []string {
	items := make([][]byte, len(cs))
	for i, c := range cs {
		items[i], _ = json.Marshal([]any{c.Lead, c.Stage, c.EnteredAt.UnixMilli(), c.DueAt.UnixMilli()})
	}
	return jsonArrays(items)
}

const insertClocks = `INSERT INTO sla_clocks (gen, lead_id, stage, entered_at, due_at)
	SELECT ?, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]')
	FROM json_each(?) j WHERE %s ON CONFLICT DO NOTHING`

// SetClocks replaces the open SLA clocks of lead id in generation gen
// with clocks, if guard holds.
func SetClocks(gen int64, id string, clocks []report.Clock, guard string, args ...any) []Stmt {
	out := []Stmt{{`DELETE FROM sla_clocks WHERE gen = ? AND lead_id = ? AND ` + guard, append([]any{gen, id}, args...)}}
	for _, part := range clocksJSON(clocks) {
		out = append(out, Stmt{strings.Replace(insertClocks, "%s", guard, 1), append([]any{gen, part}, args...)})
	}
	return out
}

// Uncounted reads at most limit leads not counted in generation gen yet
// whose (rollup_gen, id) follow after's, merged leads aside, in that
// order, with what the report reads of them and their versions (see
// LeadsBetween).
func (s *Store) Uncounted(ctx context.Context, gen int64, after *Lead, limit int) ([]Lead, error) {
	where, args := `rollup_gen < ?`, []any{gen}
	if after != nil {
		where, args = where+` AND (rollup_gen, id) > (?, ?)`, append(args, after.RollupGen, after.ID)
	}
	return s.reportLeads(ctx, false, where+` ORDER BY rollup_gen, id LIMIT ?`, append(args, limit)...)
}

// CountLeads adds the contributions of leads (t, clocks) to generation
// gen and marks them counted, if none of them changed since they were
// read and the generation is still gen; it changes no rows otherwise.
// The first statement checks that and, if so, sets the setting
// rollups:counting to token (a value never used before), which the
// others check: the leads are looked up once, however many statements
// the rows take.
func CountLeads(gen int64, leads []Lead, t report.Tally, clocks []report.Clock, token string) []Stmt {
	pairs := make([][]any, len(leads))
	for i, l := range leads {
		pairs[i] = []any{l.ID, l.Version}
	}
	js, _ := json.Marshal(pairs)
	gc, ga := GenIs(gen)
	out := []Stmt{{`INSERT INTO settings (name, value) SELECT 'rollups:counting', ?
		WHERE (SELECT count(*) FROM leads l JOIN json_each(?) j ON l.id = json_extract(j.value, '$[0]')
			AND l.version = json_extract(j.value, '$[1]') AND l.rollup_gen < ?) = ? AND ` + gc + `
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, append([]any{token, string(js), gen, len(leads)}, ga...)}}
	guard, args := `(SELECT value FROM settings WHERE name = 'rollups:counting') = ?`, []any{token}
	out = append(out, AddRollups(gen, t, guard, args...)...)
	for _, part := range clocksJSON(clocks) {
		out = append(out, Stmt{strings.Replace(insertClocks, "%s", guard, 1), append([]any{gen, part}, args...)})
	}
	return append(out, Stmt{`UPDATE leads SET rollup_gen = ?, rollup_version = version, report_events = ` + reportEvents + `
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
// (as empty rows of month -1, which Assemble lists segments by); without
// stays, not the histograms of the stays (the medians) but the other
// parts.
func (s *Store) ReadRollups(ctx context.Context, gen int64, zone string, from, to int, stays bool) (report.Tally, error) {
	t := report.Tally{}
	var cp report.CellParser
	// The parts of a row come one after another (the key's order): they
	// are read into one map, made the size of all of them.
	parts := ``
	if !stays {
		parts = ` AND part NOT LIKE 'h|%'`
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT month, seg, cells FROM rollups WHERE gen = ? AND zone = ?
		AND (month BETWEEN ? AND ? OR month = 0)`+parts+` ORDER BY month, seg, part`, gen, zone, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var row report.Row
	var kept []string // the parts of row
	flush := func() error {
		if len(kept) == 0 {
			return nil
		}
		n := 0
		for _, p := range kept {
			n += strings.Count(p, ":")
		}
		c := make(report.Cells, n)
		for _, p := range kept {
			if err := cp.ParseInto(p, c); err != nil {
				return errors.New("rollups: a row's cells are not JSON: " + err.Error())
			}
		}
		t[row] = c
		kept = kept[:0]
		return nil
	}
	for rows.Next() {
		next := report.Row{Zone: zone}
		var cells string
		if err := rows.Scan(&next.Month, &next.Seg, &cells); err != nil {
			return nil, err
		}
		if next != row {
			if err := flush(); err != nil {
				return nil, err
			}
			row = next
		}
		kept = append(kept, cells)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	segs, err := s.DB.QueryContext(ctx, `SELECT DISTINCT seg FROM rollups WHERE gen = ? AND zone = ? AND month != 0 AND part = '' AND cells != '{}'`,
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
		c, err := report.ParseCells(cells)
		if err != nil {
			return nil, err
		}
		addPart(t, row, c)
	}
	return t, rows.Err()
}

// addPart adds the cells of a part of a row (see rollupsJSON) to the
// row's.
func addPart(t report.Tally, row report.Row, c report.Cells) {
	have := t[row]
	if have == nil {
		t[row] = c
		return
	}
	for k, n := range c {
		have[k] += n
	}
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

// LeadsBetween reads the leads not merged into another whose places in
// the table (Row, rowid) are after from and at most to, in that order (a
// walk of the table, not a look-up per lead), with what the report and
// the export read of them: id, creation, source, spam, stage, fit, tier,
// score, model, origin, campaign, owner, team, version and the events the
// report reads (ReportEvents), and, with answers, the answers (else only where the
// origin must be worked out from them). It does not read the verdict, the
// signals or anything else a write needs.
func (s *Store) LeadsBetween(ctx context.Context, from, to int64, answers bool) ([]Lead, error) {
	return s.reportLeads(ctx, answers, `rowid > ? AND rowid <= ? AND merged_into IS NULL ORDER BY rowid`, from, to)
}

// LastRow is the place in the table of the lead stored last (0 for none).
func (s *Store) LastRow(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	err := s.DB.QueryRowContext(ctx, `SELECT max(rowid) FROM leads`).Scan(&n)
	return n.Int64, err
}

// reportLeadsSQL is the query of reportLeads.
func reportLeadsSQL(answers bool, where string) string {
	input := `input`
	if !answers {
		input = `CASE WHEN origin IS NULL THEN input ELSE '' END`
	}
	return `SELECT rowid, id, created_at, source, spam, model_version, stage, fit, tier, score, origin, campaign,
		version, coalesce(rollup_gen, -1), outcome, owner, team, coalesce(due_at, 0), ` + input + `, coalesce(report_events, ` + reportEvents + `)
		FROM leads WHERE ` + where
}

// reportLeads reads the leads where holds (a condition, then an order and
// a limit if any), in the order it gives, with what the report reads of
// them (see LeadsBetween), their owner and when their next attempt is due.
func (s *Store) reportLeads(ctx context.Context, answers bool, where string, args ...any) ([]Lead, error) {
	rows, err := s.DB.QueryContext(ctx, reportLeadsSQL(answers, where), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Lead
	for rows.Next() {
		var l Lead
		var spam int
		var origin, campaign, own sql.NullString
		var in string
		if err := rows.Scan(&l.Row, &l.ID, &l.CreatedAt, &l.Source, &spam, &l.Model, &l.Stage, &l.Fit, &l.Tier, &l.Score,
			&origin, &campaign, &l.Version, &l.RollupGen, &l.State.Outcome, &l.Owner, &l.Team, &l.DueAt, &in, &own); err != nil {
			return nil, err
		}
		l.Spam = spam != 0
		if in != "" {
			l.State.Answers = parseAnswers(in)
		}
		l.Origin, l.Campaign = origin.String, campaign.String
		if !origin.Valid {
			l.Origin, l.Campaign = Attribution(l.State.Answers) // an earlier release wrote the lead
		}
		if l.ReportEvents, err = parseReportEvents(l.ReportEvents, own.String, l.ID); err != nil {
			return nil, fmt.Errorf("lead %s: %w", l.ID, err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// The events of the leads merged into those that ever took one in.
	var merging []string
	at := map[string]int{}
	for i := range out {
		evs := out[i].ReportEvents
		if slices.ContainsFunc(evs, func(e lead.Event) bool { return e.Kind == lead.KindMerge }) {
			merging = append(merging, out[i].ID)
			at[out[i].ID] = i
		}
		out[i].ReportEvents = slices.DeleteFunc(evs, func(e lead.Event) bool { return e.Kind == lead.KindMerge })
	}
	err = chunks(merging, MaxParams, func(part []string) error {
		rows, err := s.DB.QueryContext(ctx, `SELECT m.merged_into, group_concat(`+reportEvent+`, char(30))
			FROM leads m JOIN events e ON e.lead_id = m.id AND `+reportKinds+`
			WHERE m.merged_into IN `+in(len(part))+` GROUP BY m.merged_into`, anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var into, text string
			if err := rows.Scan(&into, &text); err != nil {
				return err
			}
			l := &out[at[into]]
			if l.ReportEvents, err = parseReportEvents(l.ReportEvents, text, ""); err != nil {
				return fmt.Errorf("lead %s: %w", into, err)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		slices.SortStableFunc(out[i].ReportEvents, func(a, b lead.Event) int {
			return cmp.Or(cmp.Compare(a.At, b.At), cmp.Compare(a.Recorded, b.Recorded), cmp.Compare(a.Seq, b.Seq))
		})
	}
	return out, nil
}

// reportEvents is what the report reads of the events of the lead of the
// row (reportEvent's, joined by char(30)), as kept on the lead's row
// (leads.report_events) by every write that adds events, and by the
// counting of the report's sums; a lead without it (written by an
// earlier release, not counted since) has it read from the index.
const reportEvents = `(SELECT group_concat(` + reportEvent + `, char(30)) FROM events e WHERE e.lead_id = leads.id AND ` +
	reportKinds + `)`

// KeepReportEvents keeps on lead id's row what the report reads of its
// events (reportEvents), if guard holds: the write's last statement, after
// its events.
func KeepReportEvents(id, guard string, args ...any) Stmt {
	return Stmt{`UPDATE leads SET report_events = ` + reportEvents + ` WHERE id = ? AND ` + guard, append([]any{id}, args...)}
}

// StaleReportEvents lists the leads whose rows keep other report events
// than their events give (at most 100), for a check: it reads every
// lead's events.
func (s *Store) StaleReportEvents(ctx context.Context) ([]string, error) {
	return s.ids(ctx, `SELECT id FROM leads WHERE report_events IS NOT NULL
		AND report_events IS NOT `+reportEvents+` LIMIT 100`)
}

// reportKinds are the kinds of the events the report reads (see
// worker.reportEvent), and merges, which say that a lead has others'
// events. The kind is no condition of the index (+kind): a lead's events
// are few, the events of one kind many.
const reportKinds = `+e.kind IN ('stage', 'outcome', 'activity', 'accept', 'reject', 'signal', 'answers', 'override', 'merge')`

// reportEvent is what the report reads of an event e, as one text: kind,
// stage (a rejection's reason, its value, instead), actor, source, at,
// recorded_at, by_rule and rowid, separated by char(31) (which the texts
// never hold: it is replaced), the events of a lead by char(30). All of
// it but a rejection's reason is in the index events_lead: a lead's
// events are one look-up in the index, and the lead and its events one
// row of the query, not one a lead and one an event; the few rejections
// read their reason from their row, by rowid.
const reportEvent = `e.kind || char(31) || CASE e.kind WHEN 'reject' THEN
		(SELECT replace(replace(v.value, char(30), ' '), char(31), ' ') FROM events v WHERE v.rowid = e.rowid) ELSE e.stage END ||
	char(31) || replace(replace(e.actor, char(30), ' '), char(31), ' ') ||
	char(31) || replace(replace(e.source, char(30), ' '), char(31), ' ') || char(31) || e.at || char(31) || e.recorded_at ||
	char(31) || e.by_rule || char(31) || e.rowid`

// parseReportEvents appends the events of text (reportEvent's, joined by
// char(30)) to evs, as the events of lead id ("" for a lead merged into
// the one they are read for).
func parseReportEvents(evs []lead.Event, text, id string) ([]lead.Event, error) {
	for text != "" {
		one, rest, _ := strings.Cut(text, "\x1e")
		text = rest
		var f [8]string
		for i := range f {
			if i == 7 {
				f[i] = one
				break
			}
			var ok bool
			if f[i], one, ok = strings.Cut(one, "\x1f"); !ok {
				return evs, fmt.Errorf("an event read as %q", f[:i+1])
			}
		}
		e := lead.Event{Lead: id, Kind: f[0], Stage: f[1], Actor: f[2], Source: f[3], ByRule: f[6] == "1"}
		if e.Kind == lead.KindReject {
			e.Stage, e.Value = "", f[1]
		}
		var err1, err2, err3 error
		e.At, err1 = strconv.ParseInt(f[4], 10, 64)
		e.Recorded, err2 = strconv.ParseInt(f[5], 10, 64)
		e.Seq, err3 = strconv.ParseInt(f[7], 10, 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			return evs, fmt.Errorf("an event read as %q: %w", f, err)
		}
		if id == "" {
			e.Lead = "merged"
		}
		evs = append(evs, e)
	}
	return evs, nil
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
