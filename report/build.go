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
		}
		cur, since = s, e.At
		if s < 0 {
			continue
		}
		p.entries = append(p.entries, entry{s, e.At, i, seen[s]})
		seen[s] = true
		if at := v.lineAt[s]; at > p.reach {
			p.reach = at
		}
	}
	return p
}

// periodAcc gathers one period's figures.
type periodAcc struct {
	created   int
	entered   []int
	reopened  []int
	durations [][]float64 // per step, seconds
	reached   []int       // per place in the line: cohort leads that got there
}

// funnelAcc gathers a funnel's figures.
type funnelAcc struct {
	v      *view
	months []periodAcc
	total  periodAcc
}

func (b *Builder) newFunnel(v *view) *funnelAcc {
	f := &funnelAcc{v: v, months: make([]periodAcc, b.n)}
	for i := -1; i < b.n; i++ {
		p := &f.total
		if i >= 0 {
			p = &f.months[i]
		}
		p.entered = make([]int, len(v.steps))
		p.reopened = make([]int, len(v.steps))
		p.durations = make([][]float64, len(v.steps))
		p.reached = make([]int, len(v.line))
	}
	return f
}

// month returns the index of the range's month t falls in, or -1.
func (b *Builder) month(t time.Time) int {
	i := MonthOf(t, b.o.Location).index() - b.o.From.index()
	if i < 0 || i >= b.n {
		return -1
	}
	return i
}

// add counts a lead created at created that took path p.
func (f *funnelAcc) add(b *Builder, created time.Time, p path) {
	each := func(t time.Time, do func(*periodAcc)) {
		if i := b.month(t); i >= 0 {
			do(&f.months[i])
			do(&f.total)
		}
	}
	each(created, func(a *periodAcc) {
		a.created++
		for k := 0; k <= p.reach; k++ {
			a.reached[k]++
		}
	})
	for _, e := range p.entries {
		each(e.at, func(a *periodAcc) {
			a.entered[e.step]++
			if e.reentry {
				a.reopened[e.step]++
			}
		})
	}
	for _, s := range p.stays {
		each(s.end, func(a *periodAcc) {
			a.durations[s.step] = append(a.durations[s.step], s.end.Sub(s.start).Seconds())
		})
	}
}

func (f *funnelAcc) funnel(b *Builder) Funnel {
	out := Funnel{Steps: f.v.steps, Months: make([]Period, b.n)}
	for _, s := range f.v.line {
		out.Line = append(out.Line, f.v.steps[s])
	}
	for i := range f.months {
		m := b.o.From.Add(i)
		out.Months[i] = f.period(&f.months[i], m.String(), m.Start(b.o.Location), m.Add(1).Start(b.o.Location))
	}
	out.Total = f.period(&f.total, b.o.From.String()+".."+b.o.To.String(),
		b.o.From.Start(b.o.Location), b.o.To.Add(1).Start(b.o.Location))
	return out
}

func (f *funnelAcc) period(a *periodAcc, name string, start, end time.Time) Period {
	p := Period{Month: name, Start: start, End: end, Created: a.created,
		Steps: make([]StepFigures, len(f.v.steps)), Conversions: make([]Conversion, len(f.v.line)-1)}
	for i, s := range f.v.steps {
		p.Steps[i] = StepFigures{Step: s, Entered: a.entered[i], Reopened: a.reopened[i],
			Stays: len(a.durations[i]), MedianSeconds: Median(a.durations[i])}
	}
	for k := range p.Conversions {
		p.Conversions[k] = Conversion{From: f.v.steps[f.v.line[k]], To: f.v.steps[f.v.line[k+1]],
			Reached: a.reached[k], Converted: a.reached[k+1], Rate: ratio(a.reached[k+1], a.reached[k])}
	}
	return p
}

// Median returns the median of xs, the mean of the middle two for an even
// count, or nil for none. It sorts xs.
func Median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	slices.Sort(xs)
	m := xs[len(xs)/2]
	if len(xs)%2 == 0 {
		m = (xs[len(xs)/2-1] + m) / 2
	}
	return &m
}

// ratio returns n/d, or nil when d is 0.
func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	r := float64(n) / float64(d)
	return &r
}

// Report computes the report of the leads added so far.
func (b *Builder) Report() *Report {
	m, loc, now := b.m, b.o.Location, b.o.Now
	r := &Report{Model: m.Version, From: b.o.From.String(), To: b.o.To.String(), TimeZone: loc.String(), Now: now,
		Sources: []Segment{}, Fits: []Segment{}, Origins: []Segment{}, Campaigns: []Segment{}, SLA: []SLA{}, Breaches: []Breach{}}
	stages, positions := stageView(m), positionView(m)
	all, byPosition := b.newFunnel(stages), b.newFunnel(positions)
	sources, fits := map[string]*funnelAcc{}, map[string]*funnelAcc{}
	origins, campaigns := map[string]*funnelAcc{}, map[string]*funnelAcc{}
	moves := make([]Moves, len(stages.steps))
	for i, s := range stages.steps {
		moves[i].Step = s
	}
	segment := func(in map[string]*funnelAcc, k string) *funnelAcc {
		if in[k] == nil {
			in[k] = b.newFunnel(stages)
		}
		return in[k]
	}
	slaAt := map[string]int{}
	for _, s := range m.Stages {
		if s.SLA.Within > 0 {
			slaAt[s.Name] = len(r.SLA)
			r.SLA = append(r.SLA, SLA{Stage: s.Name, Owner: s.SLA.Owner, WithinSeconds: s.SLA.Within})
		}
	}
	current := map[string]int{}

	ids := make([]string, 0, len(b.leads))
	for id, p := range b.leads {
		if p.known {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		l := &b.leads[id].lead
		r.Totals.Leads++
		if l.Spam {
			r.Totals.Spam++
			continue
		}
		SortEvents(l.Events)
		if latest, _, _ := Current(l.Events); latest != "" {
			current[latest]++
		}
		p := stages.walk(l.Events)
		all.add(b, l.CreatedAt, p)
		segment(sources, l.Source).add(b, l.CreatedAt, p)
		segment(fits, l.Fit).add(b, l.CreatedAt, p)
		segment(origins, l.Origin).add(b, l.CreatedAt, p)
		segment(campaigns, l.Campaign).add(b, l.CreatedAt, p)
		for _, e := range p.entries {
			if b.month(e.at) < 0 {
				continue
			}
			if l.Events[e.event].Override {
				moves[e.step].Override++
			} else {
				moves[e.step].ByRule++
			}
		}
		byPosition.add(b, l.CreatedAt, positions.walk(l.Events))
		for _, e := range p.entries {
			k, ok := slaAt[stages.steps[e.step]]
			if !ok || b.month(e.at) < 0 {
				continue
			}
			s := &r.SLA[k]
			s.Entered++
			due := e.at.Add(time.Duration(s.WithinSeconds) * time.Second)
			acted, ok := actedAt(l.Events[e.event+1:])
			switch {
			case ok && !acted.After(due):
				s.Met++
			case ok:
				s.Late++
			case now.After(due):
				s.Breached++
				r.Breaches = append(r.Breaches, Breach{Lead: l.ID, Stage: s.Stage, Owner: s.Owner, EnteredAt: e.at, DueAt: due,
					AgeSeconds: int64(now.Sub(e.at) / time.Second), OverSeconds: int64(now.Sub(due) / time.Second)})
			default:
				s.NotDue++
			}
		}
	}
	for i := range r.SLA {
		s := &r.SLA[i]
		s.Compliance = ratio(s.Met, s.Met+s.Late+s.Breached)
	}
	slices.SortFunc(r.Breaches, func(a, b Breach) int {
		return cmp.Or(cmp.Compare(b.OverSeconds, a.OverSeconds), cmp.Compare(a.Lead, b.Lead),
			a.EnteredAt.Compare(b.EnteredAt), cmp.Compare(a.Stage, b.Stage))
	})
	r.Stages, r.Positions = all.funnel(b), byPosition.funnel(b)
	r.Totals.Stages = stageCounts(stages.steps, current)
	for _, k := range sortedKeys(sources, nil) {
		r.Sources = append(r.Sources, Segment{Value: k, Funnel: sources[k].funnel(b)})
	}
	for _, k := range sortedKeys(origins, nil) {
		r.Origins = append(r.Origins, Segment{Value: k, Funnel: origins[k].funnel(b)})
	}
	for _, k := range sortedKeys(campaigns, nil) {
		r.Campaigns = append(r.Campaigns, Segment{Value: k, Funnel: campaigns[k].funnel(b)})
	}
	r.Moves = moves
	var grades []string
	for _, g := range m.Grades {
		grades = append(grades, g.Name)
	}
	for _, k := range sortedKeys(fits, grades) {
		r.Fits = append(r.Fits, Segment{Value: k, Funnel: fits[k].funnel(b)})
	}
	return r
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
