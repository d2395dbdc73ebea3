package report

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/qualify"
)

// Live is what a report needs of the SLA clocks nobody has acted on yet,
// as of its Now: how many of those entered in the range are not due yet,
// per stage, and the overdue ones, the most overdue first (a page of them
// where More says there are others).
type Live struct {
	NotDue   map[string]int
	Breaches []Clock
	More     bool   // overdue clocks follow the page
	Next     string // where a caller that pages says the next page starts
}

// Assemble computes the report of range o from t, the tally of the
// range's months (and month 0's totals) in o's zone, and live, its clocks.
// Segments are the segments of every month, so that a source without
// leads in the range is listed with its empty figures, as Build lists it.
func Assemble(m *qualify.Model, o Options, t Tally, live Live) (*Report, error) {
	if err := o.resolve(); err != nil {
		return nil, err
	}
	zone := o.Location.String()
	r := &Report{Model: m.Version, From: o.From.String(), To: o.To.String(), TimeZone: zone, Now: o.Now,
		Sources: []Segment{}, Fits: []Segment{}, Origins: []Segment{}, Campaigns: []Segment{}, SLA: []SLA{}, Owners: []OwnerFigures{},
		Teams: []OwnerFigures{}, Breaches: []Breach{}}
	stages, positions := stageView(m), positionView(m)
	a := assembly{o: o, t: t, zone: zone, n: o.To.index() - o.From.index() + 1}

	totals := t[Row{zone, 0, SegTotals}]
	r.Totals.Leads, r.Totals.Spam = int(totals["L"]), int(totals["S"])
	current := map[string]int{}
	for k, n := range totals {
		if stage, ok := strings.CutPrefix(k, "c|"); ok && n != 0 {
			current[stage] = int(n)
		}
	}
	r.Totals.Stages = stageCounts(stages.steps, current)

	r.Stages, r.Positions = a.funnel(stages, SegAll), a.funnel(positions, SegPositions)
	segs := map[string]map[string]bool{SegSource: {}, SegFit: {}, SegOrigin: {}, SegCampaign: {}, SegOwner: {}, SegTeam: {}}
	for row, cells := range t {
		if row.Zone != zone || empty(cells) && row.Month >= 0 {
			continue // a segment is listed for its leads: rows of its months that came to nothing are not leads
		}
		for prefix, values := range segs {
			if v, ok := strings.CutPrefix(row.Seg, prefix); ok {
				values[v] = true
			}
		}
	}
	var grades []string
	for _, g := range m.Grades {
		grades = append(grades, g.Name)
	}
	for _, s := range []struct {
		prefix string
		out    *[]Segment
		first  []string
	}{{SegSource, &r.Sources, nil}, {SegFit, &r.Fits, grades}, {SegOrigin, &r.Origins, nil}, {SegCampaign, &r.Campaigns, nil}} {
		for _, v := range sortedKeys(segs[s.prefix], s.first) {
			*s.out = append(*s.out, Segment{Value: v, Funnel: a.funnel(stages, s.prefix+v)})
		}
	}
	for _, s := range []struct {
		prefix string
		out    *[]OwnerFigures
	}{{SegOwner, &r.Owners}, {SegTeam, &r.Teams}} {
		for _, v := range sortedKeys(segs[s.prefix], nil) {
			*s.out = append(*s.out, ownerFigures(v, a.sum(s.prefix+v), o.Now))
		}
	}

	all := a.sum(SegAll)
	for _, step := range stages.steps {
		r.Moves = append(r.Moves, Moves{Step: step, ByRule: int(all["mr|"+step]), Override: int(all["mo|"+step])})
	}
	owner := map[string]string{}
	for _, s := range m.Stages {
		if s.SLA.Within <= 0 {
			continue
		}
		owner[s.Name] = s.SLA.Owner
		open := int(all["ao|"+s.Name])
		notDue := live.NotDue[s.Name]
		sla := SLA{Stage: s.Name, Owner: s.SLA.Owner, WithinSeconds: s.SLA.Within, EverySeconds: s.SLA.Every, Attempts: s.SLA.Attempts,
			Entered: int(all["ae|"+s.Name]), Met: int(all["am|"+s.Name]), Late: int(all["al|"+s.Name]), Breached: open - notDue, NotDue: notDue}
		sla.Compliance = ratio(sla.Met, sla.Met+sla.Late+sla.Breached)
		sla.Rhythm.add(all, s.Name, o.Now)
		sla.Rhythm.Compliance = ratio(sla.Rhythm.Kept, sla.Rhythm.Kept+sla.Rhythm.Broken)
		r.BreachesTotal += sla.Breached
		r.SLA = append(r.SLA, sla)
	}
	for _, c := range live.Breaches {
		r.Breaches = append(r.Breaches, Breach{Lead: c.Lead, Stage: c.Stage, Owner: owner[c.Stage], EnteredAt: c.EnteredAt,
			DueAt: c.DueAt, AgeSeconds: int64(o.Now.Sub(c.EnteredAt) / time.Second), OverSeconds: int64(o.Now.Sub(c.DueAt) / time.Second)})
	}
	if live.More {
		r.BreachesNext = live.Next
	}
	return r, nil
}

// add adds the rhythm cells of stage in c to r as of now: a rhythm that
// runs past the hour its next attempt was due in broke, that attempt
// missed.
func (r *Rhythm) add(c Cells, stage string, now time.Time) {
	overdue := 0
	prefix, hour := "rn|"+stage+"|", now.Unix()/3600
	for k, n := range c {
		if h, ok := strings.CutPrefix(k, prefix); ok {
			if due, err := strconv.ParseInt(h, 10, 64); err == nil && due < hour {
				overdue += int(n)
			}
		}
	}
	r.Kept += int(c["rk|"+stage])
	r.Broken += int(c["rb|"+stage]) + overdue
	r.Running += int(c["rr|"+stage]) - overdue
	r.OnTime += int(c["to|"+stage])
	r.Late += int(c["tl|"+stage])
	r.Missed += int(c["tm|"+stage]) + overdue
	r.Overdue += overdue
}

// ownerFigures are the figures of the owner or team name from c, the
// cells of its segment over the range, as of now.
func ownerFigures(name string, c Cells, now time.Time) OwnerFigures {
	o := OwnerFigures{Name: name, Owned: int(c["n"]), Opportunities: int(c["r|"+qualify.BOFU.String()]), Won: int(c["r|"+Won]),
		Reasons: []ReasonCount{}}
	var speed []int64
	stages := map[string]bool{}
	reasons := map[string]int{}
	for k, n := range c {
		metric, rest, _ := strings.Cut(k, "|")
		switch metric {
		case "sl":
			b, err := strconv.Atoi(rest)
			if err != nil || b < 0 || b > maxBin {
				continue
			}
			if b >= len(speed) {
				speed = append(speed, make([]int64, b+1-len(speed))...)
			}
			speed[b] += n
			o.FirstActions += int(n)
		case "rk", "rb", "rr", "to", "tl", "tm":
			stages[rest] = true
		case "rn":
			if i := strings.LastIndexByte(rest, '|'); i >= 0 {
				stages[rest[:i]] = true
			}
		case "ac":
			o.Accepted += int(n)
		case "rj":
			o.Rejected += int(n)
			reasons[rest] += int(n)
		}
	}
	for stage := range stages {
		o.Rhythm.add(c, stage, now)
	}
	o.Rhythm.Compliance = ratio(o.Rhythm.Kept, o.Rhythm.Kept+o.Rhythm.Broken)
	o.SpeedMedianSeconds, o.SpeedP90Seconds = medianDense(speed), quantileDense(speed, 0.9)
	for reason, n := range reasons {
		if n != 0 {
			o.Reasons = append(o.Reasons, ReasonCount{reason, n})
		}
	}
	slices.SortFunc(o.Reasons, func(a, b ReasonCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason, b.Reason))
	})
	return o
}

// assembly is a report being assembled from a tally.
type assembly struct {
	bins histograms // room for period's histograms
	o    Options
	t    Tally
	zone string
	n    int // months in the range
}

// month returns the cells of segment seg in the i-th month of the range.
func (a *assembly) month(i int, seg string) Cells {
	return a.t[Row{a.zone, MonthKey(a.o.From.Add(i)), seg}]
}

// sum returns the cells of segment seg over the range.
func (a *assembly) sum(seg string) Cells {
	out := Cells{}
	for i := range a.n {
		for k, n := range a.month(i, seg) {
			out[k] += n
		}
	}
	return out
}

func (a *assembly) funnel(v *view, seg string) Funnel {
	loc := a.o.Location
	out := Funnel{Steps: v.steps, Months: make([]Period, a.n)}
	for _, s := range v.line {
		out.Line = append(out.Line, v.steps[s])
	}
	months := make([]Cells, a.n)
	for i := range out.Months {
		m := a.o.From.Add(i)
		months[i] = a.month(i, seg)
		out.Months[i] = period(v, months[i:i+1], m.String(), m.Start(loc), m.Add(1).Start(loc), &a.bins)
	}
	out.Total = period(v, months, a.o.From.String()+".."+a.o.To.String(), a.o.From.Start(loc), a.o.To.Add(1).Start(loc), &a.bins)
	return out
}

// period computes a period's figures from the sum of cells cs (a month's,
// or those of every month of the range), without adding them up into
// cells of its own; scratch is room for the histograms, kept from one
// period to the next.
func period(v *view, cs []Cells, name string, start, end time.Time, scratch *histograms) Period {
	get := func(k string) int {
		var n int64
		for _, c := range cs {
			n += c[k]
		}
		return int(n)
	}
	p := Period{Month: name, Start: start, End: end, Created: get("n"),
		Steps: make([]StepFigures, len(v.steps)), Conversions: make([]Conversion, len(v.line)-1)}
	// The histograms of the stays, by step: one pass over the cells into
	// a count for each bin (a bin is a small number: 1/16 of an octave of
	// seconds), kept from one period to the next.
	h := scratch
	for len(h.counts) < len(v.steps) {
		h.counts = append(h.counts, nil)
	}
	for _, c := range cs {
		for k, n := range c {
			if len(k) < 2 || k[0] != 'h' || k[1] != '|' || n == 0 {
				continue
			}
			i := strings.LastIndexByte(k, '|')
			b, err := strconv.Atoi(k[i+1:])
			if i < 2 || err != nil || b < 0 || b > maxBin {
				continue
			}
			if step := slices.Index(v.steps, k[2:i]); step >= 0 {
				if b >= len(h.counts[step]) {
					h.counts[step] = append(h.counts[step], make([]int64, b+1-len(h.counts[step]))...)
				}
				h.counts[step][b] += n
			}
		}
	}
	for i, s := range v.steps {
		p.Steps[i] = StepFigures{Step: s, Entered: get("e|" + s), Reopened: get("x|" + s), Stays: get("s|" + s),
			MedianSeconds: medianDense(h.counts[i])}
		clear(h.counts[i])
	}
	for k := range p.Conversions {
		from, to := v.steps[v.line[k]], v.steps[v.line[k+1]]
		reached, converted := get("r|"+from), get("r|"+to)
		p.Conversions[k] = Conversion{From: from, To: to, Reached: reached, Converted: converted, Rate: ratio(converted, reached)}
	}
	return p
}

// histograms are the counts of stays by step and bin.
type histograms struct {
	counts [][]int64
}

// maxBin is the largest bin a histogram keeps: stays of up to 2^40
// seconds (35,000 years); a larger bin is not one Contribute writes.
const maxBin = 1 + 40*binsPerOctave

// ratio returns n/d, or nil when d is 0.
func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	r := float64(n) / float64(d)
	return &r
}

// empty reports whether cells count nothing.
func empty(c Cells) bool {
	for _, n := range c {
		if n != 0 {
			return false
		}
	}
	return true
}
