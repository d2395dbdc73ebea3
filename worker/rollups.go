package worker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/store"
)

// The report's rollups, kept on write: each write of a lead adds the
// lead's new contribution to the report (report.Contribute) less its old
// one, worked out from the lead's own few events, to the sums the report
// reads (store.AddRollups), in the write's transaction. A lead is counted
// in one generation of the sums; a generation is counted lead by lead by
// the scheduled work (CountRollups): the first after the migration that
// made them, and a new one whenever the model's stages or the calendars
// of the teams their SLAs name (report.Shape) change. While a generation
// is being counted, the report answers that it is, with how far it got,
// rather than figures that lack leads.

// rollupCache keeps the rollups' state between writes; a write that finds
// it stale (its guard fails) reads it again.
type rollupCache struct {
	mu    sync.Mutex
	state store.RollupState
	at    time.Time
	zones []*time.Location
}

// rollupState returns the rollups' state, read at most a few seconds ago
// unless fresh.
func (h *Handler) rollupState(ctx context.Context, fresh bool) (store.RollupState, error) {
	c := &h.rollups
	c.mu.Lock()
	defer c.mu.Unlock()
	if !fresh && !c.at.IsZero() && time.Since(c.at) < 5*time.Second {
		return c.state, nil
	}
	st, err := h.store.Rollups(ctx)
	if err != nil {
		return st, err
	}
	c.state, c.at = st, time.Now()
	return st, nil
}

// reportZones are the zones the rollups cut months in: UTC, and the
// model's time zone.
func (h *Handler) reportZones(ctx context.Context) ([]*time.Location, error) {
	c := &h.rollups
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.zones != nil {
		return c.zones, nil
	}
	zones := []*time.Location{time.UTC}
	if tz := h.c.Model.TimeZone; tz != "" && tz != "UTC" {
		loc, err := h.zones(ctx)(tz)
		if err != nil {
			return nil, errors.New("the model's time zone " + tz + ": " + err.Error())
		}
		zones = append(zones, loc)
	}
	c.zones = zones
	return zones, nil
}

// reportEvent is what the report reads of event e of a lead, and whether
// it reads it: its stage entries (own: not those of a lead merged into
// it, which its own history has re-scored), its outcomes, and what
// people did (activities, acceptances and rejections, and the signals,
// answers and overrides they recorded), which counts as acting on the
// lead: an attempt of the stage's rhythm.
func reportEvent(e *lead.Event, own bool) (report.Event, bool) {
	re := report.Event{Stage: e.Stage, Actor: e.Actor, Source: e.Source, At: time.UnixMilli(e.At).UTC(),
		RecordedAt: time.UnixMilli(e.Recorded).UTC(), Seq: e.Seq}
	switch e.Kind {
	case lead.KindStage:
		if !own {
			return re, false
		}
		re.Override = !e.ByRule
		if re.Override {
			re.Source = report.OverrideSource
		} else {
			re.Actor = report.SystemActor
		}
	case lead.KindOutcome:
		if e.Stage == lead.Open {
			re.Stage = report.Contacted // reopening is acting: the stage entry it made counts
		}
	case lead.KindActivity:
		re.Stage = report.Contacted
	case lead.KindAccept:
		re.Stage = report.Accepted
	case lead.KindReject:
		re.Stage, re.Reason = report.Rejected, e.Value
	case lead.KindSignal, lead.KindAnswers, lead.KindOverride:
		if e.Actor == report.SystemActor || e.Actor == "visitor" || e.Source == "beacon" {
			return re, false
		}
		re.Stage = report.Contacted
	default:
		return re, false
	}
	return re, true
}

// reportLead is lead l as the report counts it, with events, its own and
// those of the leads merged into it.
func reportLead(l *store.Lead, events []lead.Event) report.Lead {
	rl := report.Lead{ID: l.ID, CreatedAt: time.UnixMilli(l.CreatedAt).UTC(), Source: l.Source, Fit: l.Fit, Tier: l.Tier,
		Score: l.Score, Spam: l.Spam, Origin: l.Origin, Campaign: l.Campaign, Owner: l.Owner, Team: l.Team}
	for i := range events {
		if e, ok := reportEvent(&events[i], events[i].Lead == l.ID); ok {
			rl.Events = append(rl.Events, e)
		}
	}
	return rl
}

// contribution is what lead l with events contributes to the report's
// rollups of zones, and its open SLA clocks, in the calendars of the
// handler's routing.
func (h *Handler) contribution(l *store.Lead, events []lead.Event, zones []*time.Location) (report.Tally, []report.Clock) {
	rl := reportLead(l, events)
	return report.Contribute(h.c.Model, h.c.Routing, zones, &rl)
}

// rollupWrite is what a change of a lead does to the rollups: statements
// to run after the lead's write, and a condition (" AND …") the lead's
// write takes with them.
type rollupWrite struct {
	stmts []store.Stmt
	guard string
	args  []any
}

// rollupChange works out the rollups' part of a change: row is the lead
// as it will be written, and lives reads its events as stored (with those
// of the leads merged into it) and as they will be. A lead counted
// in the rollups' generation as of its version has its new contribution
// less its old one added; one not counted is counted whole where the
// generation is complete, and left to the counting otherwise.
func (h *Handler) rollupChange(ctx context.Context, c *change, row *store.LeadWrite,
	lives func() (before, after []lead.Event, err error), gu string, ga []any) (rollupWrite, error) {
	var w rollupWrite
	if c.bulk {
		row.RollupGen, row.RollupVersion = 0, 0
		return w, nil
	}
	st, err := h.rollupState(ctx, c.try > 0)
	if err != nil {
		return w, err
	}
	zones, err := h.reportZones(ctx)
	if err != nil {
		return w, err
	}
	l := &c.lead
	counted := !c.created && st.Gen > 0 && l.RollupGen == st.Gen && l.RollupVersion == l.Version
	if !counted && (st.Gen == 0 || !st.Built) { // the counting will come to it
		cond, args := store.BuiltIs(st.Gen, false)
		row.RollupGen, row.RollupVersion = max(l.RollupGen, 0), l.RollupVersion
		w.guard, w.args = " AND "+cond, args
		return w, nil
	}
	before, after, err := lives()
	if err != nil {
		return w, err
	}
	old := report.Tally{}
	cond, args := store.BuiltIs(st.Gen, true)
	if counted {
		old, _ = h.contribution(l, before, zones)
		cond, args = store.GenIs(st.Gen)
	}
	now, clocks := h.contribution(&row.Lead, after, zones)
	row.RollupGen, row.RollupVersion = st.Gen, row.Version+1
	if c.created {
		row.RollupVersion = 1
	}
	w.guard, w.args = " AND "+cond, args
	gc := gu + " AND " + cond
	gargs := append(append([]any{}, ga...), args...)
	w.stmts = append(w.stmts, store.AddRollups(st.Gen, old.Diff(now), gc, gargs...)...)
	w.stmts = append(w.stmts, store.SetClocks(st.Gen, row.ID, clocks, gc, gargs...)...)
	return w, nil
}

// leftRollups returns what makes the statements that take out of the
// rollups what lead o, about to be merged into another, contributed, with
// the guard of the write they go with; nil where o is not counted.
func (h *Handler) leftRollups(ctx context.Context, o *store.Lead) (func(gu string, ga []any) []store.Stmt, error) {
	st, err := h.rollupState(ctx, false)
	if err != nil || st.Gen == 0 || o.RollupGen != st.Gen || o.RollupVersion != o.Version {
		return nil, err
	}
	zones, err := h.reportZones(ctx)
	if err != nil {
		return nil, err
	}
	lives, err := h.store.Lives(ctx, []string{o.ID})
	if err != nil {
		return nil, err
	}
	old, _ := h.contribution(o, lives[o.ID], zones)
	gone := old.Diff(report.Tally{})
	return func(gu string, ga []any) []store.Stmt {
		cond, args := store.GenIs(st.Gen)
		gc := gu + " AND " + cond
		gargs := append(append([]any{}, ga...), args...)
		return append(store.AddRollups(st.Gen, gone, gc, gargs...), store.SetClocks(st.Gen, o.ID, nil, gc, gargs...)...)
	}, nil
}

// maxGroup is the most leads CountRollups counts in one transaction.
const maxGroup = 2000

// CountRollups brings the report's rollups up to date, as the scheduled
// work: it starts a new generation where the model's stages or the
// teams' calendars changed (or none was ever counted), counts the leads
// not counted yet, a page at a time, until none is left or budget has
// passed, marks the generation complete, and drops what older
// generations kept. It reports whether the generation is complete.
func (h *Handler) CountRollups(ctx context.Context, budget time.Duration) (bool, error) {
	began := time.Now()
	zones, err := h.reportZones(ctx)
	if err != nil {
		return false, err
	}
	shape := report.Shape(h.c.Model, h.c.Routing, zones)
	st, err := h.rollupState(ctx, true)
	if err != nil {
		return false, err
	}
	if st.Gen == 0 || st.Shape != shape {
		if _, err := h.store.Run(ctx, store.NewGeneration(st, shape)); err != nil {
			return false, err
		}
		if st, err = h.rollupState(ctx, true); err != nil {
			return false, err
		}
	}
	if _, err := h.store.Run(ctx, store.DropOldRollups(st.Gen, 5000)); err != nil {
		return false, err
	}
	// A group's statements rewrite every rollup row its leads touch, which
	// is most of them whatever its size: a group gathers pages of leads
	// for a share of the budget (at most 2,000 leads, 2 s), so that a
	// native count rewrites the rows seldom and a Worker's inline count
	// stays within a moment.
	share := min(budget/2, 2*time.Second)
	for !st.Built {
		groupBegan := time.Now()
		var group []store.Lead
		t := report.Tally{}
		var clocks []report.Clock
		for len(group) < maxGroup && (len(group) == 0 || time.Since(groupBegan) < share) {
			var after *store.Lead
			if len(group) > 0 {
				after = &group[len(group)-1]
			}
			leads, err := h.store.Uncounted(ctx, st.Gen, after, min(500, maxGroup-len(group)))
			if err != nil {
				return false, err
			}
			if len(leads) == 0 {
				break
			}
			for i := range leads {
				c, cl := h.contribution(&leads[i], leads[i].ReportEvents, zones)
				t.Add(c, 1)
				clocks = append(clocks, cl...)
			}
			group = append(group, leads...)
		}
		if len(group) == 0 {
			if _, err := h.store.Run(ctx, []store.Stmt{store.FinishGeneration(st.Gen)}); err != nil {
				return false, err
			}
			if st, err = h.rollupState(ctx, true); err != nil {
				return false, err
			}
			continue
		}
		// A lead written meanwhile leaves every row unchanged: the group
		// is read and counted again.
		if _, err := h.store.Run(ctx, store.CountLeads(st.Gen, group, t, clocks, newID())); err != nil {
			return false, err
		}
		if time.Since(began) >= budget {
			return false, nil
		}
	}
	return true, nil
}

// RollupCheck is what differs between the report's rollups and the
// leads' events counted again: the cells (what the events give less what
// is stored) and the open SLA clocks.
type RollupCheck struct {
	Gen     int64
	Leads   int
	Cells   report.Tally   // nonzero: the events give more (or less) than stored
	Missing []report.Clock // open clocks the events give that are not stored
	Extra   []report.Clock // stored open clocks the events do not give
	// Stale are leads whose row keeps other report events than their
	// events give (store.KeepReportEvents).
	Stale []string
}

// OK reports whether the rollups agree with the events.
func (c *RollupCheck) OK() bool {
	return len(c.Cells) == 0 && len(c.Missing) == 0 && len(c.Extra) == 0 && len(c.Stale) == 0
}

// CheckRollups counts every lead's contribution from its events again
// and compares the sum with the rollups of the current generation.
func (h *Handler) CheckRollups(ctx context.Context) (RollupCheck, error) {
	var out RollupCheck
	st, err := h.rollupState(ctx, true)
	if err != nil {
		return out, err
	}
	out.Gen = st.Gen
	zones, err := h.reportZones(ctx)
	if err != nil {
		return out, err
	}
	t := report.Tally{}
	clocks := map[report.Clock]bool{}
	type part struct {
		t      report.Tally
		clocks []report.Clock
		leads  int
	}
	// Each page's contributions are added up by its reader.
	err = eachPage(ctx, h.store, exportPage, false, func(leads []store.Lead) (part, error) {
		p := part{t: report.Tally{}, leads: len(leads)}
		for i := range leads {
			c, cl := h.contribution(&leads[i], leads[i].ReportEvents, zones)
			p.t.Add(c, 1)
			p.clocks = append(p.clocks, cl...)
		}
		return p, nil
	}, func(p part) error {
		t.Add(p.t, 1)
		for _, k := range p.clocks {
			clocks[clockKey(k)] = true
		}
		out.Leads += p.leads
		return nil
	})
	if err != nil {
		return out, err
	}
	stored, err := h.store.AllRollups(ctx, st.Gen)
	if err != nil {
		return out, err
	}
	out.Cells = stored.Diff(t)
	if out.Stale, err = h.store.StaleReportEvents(ctx); err != nil {
		return out, err
	}
	kept, err := h.store.Clocks(ctx, st.Gen)
	if err != nil {
		return out, err
	}
	for _, k := range kept {
		if clocks[clockKey(k)] {
			delete(clocks, clockKey(k))
		} else {
			out.Extra = append(out.Extra, k)
		}
	}
	for k := range clocks {
		out.Missing = append(out.Missing, k)
	}
	report.SortClocks(out.Missing)
	report.SortClocks(out.Extra)
	return out, nil
}

// clockKey is a clock as a map key: its instants in UTC.
func clockKey(c report.Clock) report.Clock {
	c.EnteredAt, c.DueAt = c.EnteredAt.UTC(), c.DueAt.UTC()
	return c
}

// Describe says what a check found, a line each: the cells that differ
// (what the events give against what is stored) and the clocks.
func (c *RollupCheck) Describe() []string {
	var out []string
	rows := make([]report.Row, 0, len(c.Cells))
	for row := range c.Cells {
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(a, b report.Row) int {
		return cmp.Or(cmp.Compare(a.Zone, b.Zone), cmp.Compare(a.Month, b.Month), cmp.Compare(a.Seg, b.Seg))
	})
	for _, row := range rows {
		keys := make([]string, 0, len(c.Cells[row]))
		for k := range c.Cells[row] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			out = append(out, fmt.Sprintf("zone %s, month %d, segment %q, cell %s: the events give %+d", row.Zone, row.Month, row.Seg,
				k, c.Cells[row][k]))
		}
	}
	for _, k := range c.Missing {
		out = append(out, "open SLA clock missing: lead "+k.Lead+", "+k.Stage+" entered "+k.EnteredAt.Format(time.RFC3339))
	}
	for _, k := range c.Extra {
		out = append(out, "open SLA clock the events do not give: lead "+k.Lead+", "+k.Stage+" entered "+k.EnteredAt.Format(time.RFC3339))
	}
	for _, id := range c.Stale {
		out = append(out, "lead "+id+": its row keeps report events its events do not give")
	}
	return out
}

// RebuildRollups counts the report's rollups anew from the events, in a
// new generation, to the end, and returns how many leads it counted.
func (h *Handler) RebuildRollups(ctx context.Context) (int64, error) {
	zones, err := h.reportZones(ctx)
	if err != nil {
		return 0, err
	}
	st, err := h.rollupState(ctx, true)
	if err != nil {
		return 0, err
	}
	if _, err := h.store.Run(ctx, store.NewGeneration(st, report.Shape(h.c.Model, h.c.Routing, zones))); err != nil {
		return 0, err
	}
	for done := false; !done; {
		if done, err = h.CountRollups(ctx, time.Minute); err != nil {
			return 0, err
		}
	}
	st, err = h.rollupState(ctx, true)
	if err != nil {
		return 0, err
	}
	counted, _, err := h.store.Progress(ctx, st.Gen)
	return counted, err
}
