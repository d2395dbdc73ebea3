package report

import (
	"cmp"
	"errors"
	"slices"
	"time"

	"github.com/winnowhq/winnow/qualify"
)

// Builder gathers leads and their events, in any order and one at a
// time, and computes their report. The worker streams rows into it.
type Builder struct {
	m     *qualify.Model
	o     Options
	n     int // months in the range
	leads map[string]*pending
}

// pending is a lead and the events added for it so far; known is false
// while only events have been added.
type pending struct {
	lead  Lead
	known bool
}

// NewBuilder returns a Builder of the report of model m with options o.
// Errors are *OptionError naming the option at fault.
func NewBuilder(m *qualify.Model, o Options) (*Builder, error) {
	if m == nil {
		return nil, errors.New("report: no model")
	}
	if err := o.resolve(); err != nil {
		return nil, err
	}
	return &Builder{m: m, o: o, n: o.To.index() - o.From.index() + 1, leads: map[string]*pending{}}, nil
}

// AddLead adds a lead with the events it holds. Adding a lead again
// replaces its details and adds its events.
func (b *Builder) AddLead(l Lead) {
	p := b.leads[l.ID]
	if p == nil {
		p = &pending{}
		b.leads[l.ID] = p
	}
	events := append(p.lead.Events, l.Events...)
	p.lead, p.known = l, true
	p.lead.Events = events
}

// AddEvent adds an event of the lead with id leadID, before or after the
// lead itself. Events of leads never added are left out of the report.
func (b *Builder) AddEvent(leadID string, e Event) {
	p := b.leads[leadID]
	if p == nil {
		p = &pending{lead: Lead{ID: leadID}}
		b.leads[leadID] = p
	}
	p.lead.Events = append(p.lead.Events, e)
}

// SortEvents orders events as the report reads them: by At, then
// RecordedAt, then Seq, then stage, actor and source, so that the order
// they arrived in never matters.
func SortEvents(events []Event) {
	slices.SortStableFunc(events, func(a, b Event) int {
		return cmp.Or(a.At.Compare(b.At), a.RecordedAt.Compare(b.RecordedAt), cmp.Compare(a.Seq, b.Seq),
			cmp.Compare(a.Stage, b.Stage), cmp.Compare(a.Actor, b.Actor), cmp.Compare(a.Source, b.Source))
	})
}

// Current returns where a lead stands, given its events sorted by
// SortEvents: the stage of its latest stage event (activities aside),
// which may be an outcome; and the latest of the model's stages it was
// in, stage, with the outcome recorded after it, if any.
func Current(events []Event) (latest, stage, outcome string) {
	for _, e := range events {
		switch {
		case IsActivity(e.Stage):
			continue
		case IsOutcome(e.Stage):
			outcome = e.Stage
		default:
			stage, outcome = e.Stage, ""
		}
		latest = e.Stage
	}
	return latest, stage, outcome
}

// view maps stages to the steps of a funnel.
type view struct {
	steps  []string
	step   map[string]int // stage or outcome → step; absent: none
	line   []int          // steps in conversion order
	lineAt []int          // step → its place in line, or -1
}

func newView(steps []string, step map[string]int, line []int) *view {
	v := &view{steps: steps, step: step, line: line, lineAt: make([]int, len(steps))}
	for i := range v.lineAt {
		v.lineAt[i] = -1
	}
	for i, s := range line {
		v.lineAt[s] = i
	}
	return v
}

// stageView is the funnel of the model's stages, then Won and Lost; its
// line is the non-exit stages in order, then Won.
func stageView(m *qualify.Model) *view {
	var steps []string
	var line []int
	step := map[string]int{}
	for i, s := range m.Stages {
		steps = append(steps, s.Name)
		step[s.Name] = i
		if !s.Exit {
			line = append(line, i)
		}
	}
	step[Won], step[Lost] = len(steps), len(steps)+1
	line = append(line, len(steps))
	return newView(append(steps, Won, Lost), step, line)
}

// positionView is the funnel of the funnel positions the model's stages
// have, in order, then Won and Lost; exit stages have no position.
func positionView(m *qualify.Model) *view {
	var steps []string
	var line []int
	step := map[string]int{}
	for _, f := range []qualify.Funnel{qualify.TOFU, qualify.MOFU, qualify.BOFU} {
		i := -1
		for _, s := range m.Stages {
			if s.Funnel != f || s.Exit {
				continue
			}
			if i < 0 {
				i = len(steps)
				steps = append(steps, f.String())
				line = append(line, i)
			}
			step[s.Name] = i
		}
	}
	step[Won], step[Lost] = len(steps), len(steps)+1
	line = append(line, len(steps))
	return newView(append(steps, Won, Lost), step, line)
}

// entry is a lead's entry into a step.
type entry struct {
	step    int
	at      time.Time
	event   int // index of the entering event
	end     int // index of the event that ended the stay; -1 while it lasts
	reentry bool
}

// stay is a completed stay in a step.
type stay struct {
	step       int
	start, end time.Time
}

// path is what a lead did in a view's terms.
type path struct {
	entries []entry
	stays   []stay
	reach   int // the furthest place in the line reached, or -1
}

// walk follows sorted events through v's steps.
func (v *view) walk(events []Event) path {
	p := path{reach: -1}
	cur, seen := -2, make([]bool, len(v.steps)) // -2: no stage yet; -1: a stage outside the view
	var since time.Time
	for i, e := range events {
		if IsActivity(e.Stage) {
			continue
		}
		s, ok := v.step[e.Stage]
		if !ok {
			s = -1
		}
		if s == cur {
			continue
		}
		if cur >= 0 {
			p.stays = append(p.stays, stay{cur, since, e.At})
			p.entries[len(p.entries)-1].end = i
		}
		cur, since = s, e.At
		if s < 0 {
			continue
		}
		p.entries = append(p.entries, entry{s, e.At, i, -1, seen[s]})
		seen[s] = true
		if at := v.lineAt[s]; at > p.reach {
			p.reach = at
		}
	}
	return p
}

// Report computes the report of the leads added so far: the sum of their
// contributions (Contribute) assembled with their SLA clocks as of Now.
func (b *Builder) Report() *Report {
	zones := []*time.Location{b.o.Location}
	t := Tally{}
	var clocks []Clock
	ids := make([]string, 0, len(b.leads))
	for id, p := range b.leads {
		if p.known {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		c, cl := Contribute(b.m, b.o.Routing, zones, &b.leads[id].lead)
		t.Add(c, 1)
		clocks = append(clocks, cl...)
	}
	r, _ := Assemble(b.m, b.o, t, LiveOf(b.o, clocks, 0))
	return r
}

// LiveOf works out what Assemble needs of clocks as of o's Now: those of
// the range not due yet, per stage, and the overdue ones, the most overdue
// first: all of them, or the first page if page > 0.
func LiveOf(o Options, clocks []Clock, page int) Live {
	live := Live{NotDue: map[string]int{}}
	start, end := o.From.Start(o.Location), o.To.Add(1).Start(o.Location)
	var over []Clock
	for _, c := range clocks {
		switch {
		case c.EnteredAt.Before(start) || !c.EnteredAt.Before(end):
		case o.Now.After(c.DueAt):
			over = append(over, c)
		default:
			live.NotDue[c.Stage]++
		}
	}
	SortClocks(over)
	for _, c := range over {
		if page > 0 && len(live.Breaches) == page {
			live.More = true
			break
		}
		live.Breaches = append(live.Breaches, c)
	}
	return live
}

// SortClocks orders overdue clocks the most overdue first: by due time,
// then lead, entry and stage.
func SortClocks(cs []Clock) {
	slices.SortFunc(cs, func(a, b Clock) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.Lead, b.Lead), a.EnteredAt.Compare(b.EnteredAt),
			cmp.Compare(a.Stage, b.Stage))
	})
}

// actedAt returns when a person first acted in events.
func actedAt(events []Event) (time.Time, bool) {
	for _, e := range events {
		if e.Actor != SystemActor {
			return e.At, true
		}
	}
	return time.Time{}, false
}

// stageCounts lists counts in the order of steps, then the other keys
// sorted.
func stageCounts(steps []string, counts map[string]int) []StageCount {
	out := []StageCount{}
	for _, k := range sortedKeys(counts, steps) {
		out = append(out, StageCount{k, counts[k]})
	}
	return out
}

// sortedKeys returns the keys of m: those in first in its order, then
// the others sorted, with "" last.
func sortedKeys[V any](m map[string]V, first []string) []string {
	var keys, rest []string
	for _, k := range first {
		if _, ok := m[k]; ok {
			keys = append(keys, k)
		}
	}
	for k := range m {
		if !slices.Contains(first, k) {
			rest = append(rest, k)
		}
	}
	slices.SortFunc(rest, func(a, b string) int {
		if (a == "") != (b == "") {
			return cmp.Compare(b, a) // "" last
		}
		return cmp.Compare(a, b)
	})
	return append(keys, rest...)
}
