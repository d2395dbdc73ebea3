package report

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
)

// A report is a sum. Each lead contributes counts (its creation, its
// entries into steps, its stays, its SLA outcomes) to cells, kept per
// time zone, month and segment; a report of a range adds the cells of its
// months. The worker keeps the sums on write (a lead's new contribution
// minus its old one, in the transaction of the event that changed it), so
// that a report reads a few rows per month whatever the number of leads;
// Build computes the same sums from the leads themselves. What depends on
// the instant a report is read (an SLA clock past its due time or not) is
// not a sum: the SLA clocks nobody has acted on yet are kept apart
// (Clock), and Assemble is told how many are not due yet and which are the
// most overdue.

// Row is where a tally's cells are kept: a time zone's month (as 202603;
// 0 for figures of all time) and a segment (see the Seg constants).
type Row struct {
	Zone  string
	Month int
	Seg   string
}

// Segments of a tally's rows. A source's, fit grade's, origin's,
// campaign's, owner's or team's segment is its prefix and the value.
const (
	SegAll       = ""   // the funnel of stages, every lead; moves and the SLA too
	SegPositions = "p"  // the funnel of positions
	SegTotals    = "t"  // the totals of all time (Month 0)
	SegSource    = "s|" // + the lead's source
	SegFit       = "f|" // + its fit grade
	SegOrigin    = "o|" // + its origin
	SegCampaign  = "c|" // + its campaign
	SegOwner     = "w|" // + the person who owns it now (or who accepted or rejected it)
	SegTeam      = "m|" // + the team it is owned in now
)

// Cells are counts by name. A name is a metric, "|" and a step, stage or
// histogram bin where it has one:
//
//	n           leads created (a cohort)
//	r|step      leads of the cohort that reached the step of the line
//	e|step      entries into the step
//	x|step      re-entries (of e|step)
//	s|step      stays in the step that ended
//	h|step|bin  of those, the stays whose length falls in the bin
//	mr|step     entries the rules made (SegAll)
//	mo|step     entries a person made against them, overrides (SegAll)
//	ae|stage    entries into a stage with an SLA (SegAll)
//	am|stage    of those, acted on in time
//	al|stage    acted on late
//	ao|stage    not acted on yet: open clocks
//	rk|stage    of ae|stage, those whose rhythm was kept: it ended (the stay did,
//	            or it asked for nothing more), every attempt made in time
//	rb|stage    whose rhythm broke: an attempt made late, or missed
//	rr|stage    whose rhythm runs: still in the stage, every attempt so far in time
//	rn|stage|hour  of rr|stage, those whose next attempt falls due in the
//	            hour (Unix time / 3600): past it when the report is read,
//	            their rhythm broke and the attempt was missed
//	to|stage    attempts made in time
//	tl|stage    attempts made late
//	tm|stage    attempts missed: due in a stay that ended, never made
//	L, S        leads and spam leads (SegTotals)
//	c|stage     leads by their stage now (SegTotals)
//
// The segments of an owner and of a team (SegOwner, SegTeam) hold their
// own cells: n, the leads created that they own now, and r|step, those
// of them that reached the step of the line of funnel positions; the
// rhythm cells (rk, rb, rr, rn, to, tl, tm) of the entries into the stages
// whose SLA names the lead's team; and
//
//	sl|bin      of those entries, the ones acted on, by the business time
//	            to the first action (speed to lead), in bins as h|
//	ac          leads accepted
//	rj|reason   leads rejected, by reason
type Cells map[string]int64

// Tally is cells by row.
type Tally map[Row]Cells

// Add adds sign × o to t.
func (t Tally) Add(o Tally, sign int64) {
	for row, cells := range o {
		c := t[row]
		if c == nil {
			c = Cells{}
			t[row] = c
		}
		for k, n := range cells {
			c[k] += sign * n
		}
	}
}

// Diff returns what turns t into o: the cells that differ, o's minus t's.
func (t Tally) Diff(o Tally) Tally {
	out := Tally{}
	put := func(row Row, k string, n int64) {
		if n == 0 {
			return
		}
		if out[row] == nil {
			out[row] = Cells{}
		}
		out[row][k] = n
	}
	for row, cells := range o {
		for k, n := range cells {
			put(row, k, n-t[row][k])
		}
	}
	for row, cells := range t {
		for k, n := range cells {
			if _, ok := o[row][k]; !ok {
				put(row, k, -n)
			}
		}
	}
	return out
}

func (t Tally) inc(row Row, k string) { t.add(row, k, 1) }

func (t Tally) add(row Row, k string, n int64) {
	c := t[row]
	if c == nil {
		c = Cells{}
		t[row] = c
	}
	c[k] += n
}

// MonthKey is the number a tally's rows name month m by: 202603.
func MonthKey(m Month) int { return m.Year*100 + int(m.Month) }

// Clock is an SLA clock nobody has acted on yet: the lead entered the
// stage at EnteredAt and is due to be acted on by DueAt.
type Clock struct {
	Lead      string
	Stage     string
	EnteredAt time.Time
	DueAt     time.Time
}

// Shape names what a tally's cells depend on besides the leads: the
// model's stages in order with their exits, funnel positions and SLAs
// (owner, time to act, follow-ups and attempts), the business calendars of
// the teams those SLAs name in routing r (time zone, hours and holidays),
// its fit grades, and the zones. Tallies of different shapes do not add
// up: a model or routing whose shape changed needs its tallies counted
// again.
func Shape(m *qualify.Model, r *routing.Routing, zones []*time.Location) string {
	var b strings.Builder
	var teams []string
	for _, s := range m.Stages {
		b.WriteString(s.Name + "|" + strconv.FormatBool(s.Exit) + "|" + s.Funnel.String() + "|" +
			strconv.FormatInt(s.SLA.Within, 10) + "|" + strconv.FormatInt(s.SLA.Every, 10) + "|" + strconv.Itoa(s.SLA.Attempts) +
			"|" + s.SLA.Owner + ";")
		if s.SLA.Owner != "" && !slices.Contains(teams, s.SLA.Owner) {
			teams = append(teams, s.SLA.Owner)
		}
	}
	for _, g := range m.Grades {
		b.WriteString(g.Name + ",")
	}
	for _, z := range zones {
		b.WriteString(";" + z.String())
	}
	for _, name := range teams {
		if r == nil || r.Team(name) == nil {
			continue
		}
		c := &r.Team(name).Calendar
		zone := "UTC"
		if c.Zone != nil {
			zone = c.Zone.String()
		}
		b.WriteString(";" + name + "|" + zone + "|")
		for d, spans := range c.Hours {
			for _, sp := range spans {
				b.WriteString(strconv.Itoa(d) + " " + sp.String() + ",")
			}
		}
		b.WriteString("|")
		for _, h := range c.Holidays {
			b.WriteString(h.String() + ",")
		}
	}
	return b.String()
}

// Contribute returns what lead l contributes to the tallies of zones, and
// its SLA clocks nobody has acted on yet, with the SLA clocks in the
// business calendars of routing r (nil: wall-clock time). A spam lead
// counts in the totals only.
func Contribute(m *qualify.Model, r *routing.Routing, zones []*time.Location, l *Lead) (Tally, []Clock) {
	t := Tally{}
	events := append([]Event(nil), l.Events...)
	SortEvents(events)
	stages, positions := stageView(m), positionView(m)
	sp, pp := stages.walk(events), positions.walk(events)
	var slas []slaEntry
	if !l.Spam {
		slas = measureSLAs(m, r, l, events, stages, sp)
	}
	// The segments of the lead's owner and team.
	var owners []string
	if !l.Spam && l.Owner != "" {
		owners = append(owners, SegOwner+l.Owner)
	}
	if !l.Spam && l.Team != "" {
		owners = append(owners, SegTeam+l.Team)
	}
	latest, _, _ := Current(events)
	var clocks []Clock
	for zi, loc := range zones {
		zone := loc.String()
		total := Row{zone, 0, SegTotals}
		t.inc(total, "L")
		if l.Spam {
			t.inc(total, "S")
			continue
		}
		if latest != "" {
			t.inc(total, "c|"+latest)
		}
		month := func(at time.Time) int { return MonthKey(MonthOf(at, loc)) }
		for _, seg := range []string{SegAll, SegSource + l.Source, SegFit + l.Fit, SegOrigin + l.Origin, SegCampaign + l.Campaign} {
			funnelCells(t, stages, sp, zone, seg, l.CreatedAt, month)
		}
		funnelCells(t, positions, pp, zone, SegPositions, l.CreatedAt, month)
		for _, seg := range owners {
			row := Row{zone, month(l.CreatedAt), seg}
			t.inc(row, "n")
			for k := 0; k <= pp.reach; k++ {
				t.inc(row, "r|"+positions.steps[positions.line[k]])
			}
		}
		for _, e := range sp.entries {
			row := Row{zone, month(e.at), SegAll}
			if events[e.event].Override {
				t.inc(row, "mo|"+stages.steps[e.step])
			} else {
				t.inc(row, "mr|"+stages.steps[e.step])
			}
		}
		for i := range slas {
			a := &slas[i]
			row := Row{zone, month(a.at), SegAll}
			t.inc(row, a.entered)
			t.inc(row, a.acted)
			if zi == 0 && a.open {
				clocks = append(clocks, Clock{Lead: l.ID, Stage: a.stage, EnteredAt: a.at, DueAt: a.due})
			}
			a.rhythmCells(t, row)
			if !a.owned {
				continue
			}
			for _, seg := range owners {
				row := Row{zone, row.Month, seg}
				a.rhythmCells(t, row)
				if a.speed != "" {
					t.inc(row, a.speed)
				}
			}
		}
		for _, e := range events {
			if e.Stage != Accepted && e.Stage != Rejected || e.Actor == SystemActor {
				continue
			}
			k := "ac"
			if e.Stage == Rejected {
				k = "rj|" + e.Reason
			}
			t.inc(Row{zone, month(e.At), SegOwner + e.Actor}, k)
			if l.Team != "" {
				t.inc(Row{zone, month(e.At), SegTeam + l.Team}, k)
			}
		}
	}
	return t, clocks
}

// slaEntry is how an entry into a stage whose SLA sets a time to act
// went, as the cells it counts in: the first action on the lead after it
// (wherever the lead went since) against its due time, and the rhythm of
// its stay.
type slaEntry struct {
	stage   string
	at      time.Time // the entry
	due     time.Time // when the first action is due
	open    bool      // nobody has acted on the lead since
	entered string    // its cell, ae|stage
	acted   string    // the cell of its first action: am|stage, al|stage or ao|stage
	owned   bool      // the stage's SLA names the lead's team
	rhythm  []cell    // the cells of its rhythm (rk, rb, rr, rn, to, tl, tm)
	speed   string    // the cell of its first action's bin (sl|bin); "" for none
}

// rhythmCells adds the cells of the entry's rhythm to row.
func (a *slaEntry) rhythmCells(t Tally, row Row) {
	for _, c := range a.rhythm {
		t.add(row, c.name, c.n)
	}
}

// measureSLAs measures the entries of path p (through the stages, v) into
// stages whose SLA sets a time to act, with the calendars of r.
func measureSLAs(m *qualify.Model, r *routing.Routing, l *Lead, events []Event, v *view, p path) []slaEntry {
	var out []slaEntry
	var acts []int64
	for _, e := range p.entries {
		i := m.StageIndex(v.steps[e.step])
		if i < 0 || m.Stages[i].SLA.Within <= 0 {
			continue
		}
		sla := m.Stages[i].SLA
		cal := r.StageCalendar(sla)
		a := slaEntry{stage: v.steps[e.step], at: e.at, due: dueAt(cal, e.at, sla.Within), owned: l.Team != "" && sla.Owner == l.Team}
		a.entered = "ae|" + a.stage
		switch acted, ok := actedAt(events[e.event+1:]); {
		case ok && !acted.After(a.due):
			a.acted = "am|" + a.stage
		case ok:
			a.acted = "al|" + a.stage
		default:
			a.acted, a.open = "ao|"+a.stage, true
		}
		// The attempts: what people did in the stay, up to the event that
		// ended it, one a second.
		last := len(events) - 1
		if e.end >= 0 {
			last = e.end
		}
		acts = acts[:0]
		for _, x := range events[e.event+1 : last+1] {
			if x.Actor == SystemActor {
				continue
			}
			if u := x.At.Unix(); len(acts) == 0 || acts[len(acts)-1] != u {
				acts = append(acts, u)
			}
		}
		entered, until := e.at.Unix(), int64(math.MinInt64) // a stay still running misses nothing yet
		if e.end >= 0 {
			until = events[e.end].At.Unix()
		}
		attempts, first := routing.Measure(sla, cal, entered, acts, until)
		if a.owned && first >= 0 { // the business time to the first action in the stay
			a.speed = "sl|" + strconv.Itoa(bin(first.Seconds()))
		}
		var onTime, late, missed int64
		for _, at := range attempts {
			switch {
			case at.OnTime:
				onTime++
			case at.Made != 0:
				late++
			default:
				missed++
			}
		}
		next := routing.Step{Done: true}
		if e.end < 0 {
			next = routing.Next(sla, cal, entered, acts)
		}
		switch {
		case late+missed > 0:
			a.rhythm = append(a.rhythm, cell{"rb|" + a.stage, 1})
		case !next.Done:
			a.rhythm = append(a.rhythm, cell{"rr|" + a.stage, 1})
			if next.Due != routing.Never {
				a.rhythm = append(a.rhythm, cell{"rn|" + a.stage + "|" + strconv.FormatInt(next.Due/3600, 10), 1})
			}
		case len(attempts) > 0:
			a.rhythm = append(a.rhythm, cell{"rk|" + a.stage, 1})
		}
		for _, c := range []cell{{"to|", onTime}, {"tl|", late}, {"tm|", missed}} {
			if c.n > 0 {
				a.rhythm = append(a.rhythm, cell{c.name + a.stage, c.n})
			}
		}
		out = append(out, a)
	}
	return out
}

// endOfTime is the due time of a clock whose calendar never works
// (routing.Never), as an instant JSON can write.
var endOfTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// dueAt returns the instant within seconds of business time in cal after
// at, at's fraction of a second kept (so that in wall-clock time it is
// at + within).
func dueAt(cal *routing.Calendar, at time.Time, within int64) time.Time {
	u := cal.Add(at.Unix(), time.Duration(within)*time.Second)
	if u == routing.Never {
		return endOfTime
	}
	return time.Unix(u, int64(at.Nanosecond())).In(at.Location())
}

// funnelCells adds the cells of a lead created at created that took path
// p through view v to segment seg of zone.
func funnelCells(t Tally, v *view, p path, zone, seg string, created time.Time, month func(time.Time) int) {
	row := Row{zone, month(created), seg}
	t.inc(row, "n")
	for k := 0; k <= p.reach; k++ {
		t.inc(row, "r|"+v.steps[v.line[k]])
	}
	for _, e := range p.entries {
		row := Row{zone, month(e.at), seg}
		step := v.steps[e.step]
		t.inc(row, "e|"+step)
		if e.reentry {
			t.inc(row, "x|"+step)
		}
	}
	for _, s := range p.stays {
		row := Row{zone, month(s.end), seg}
		step := v.steps[s.step]
		t.inc(row, "s|"+step)
		t.inc(row, "h|"+step+"|"+strconv.Itoa(bin(s.end.Sub(s.start).Seconds())))
	}
}

// Stays' lengths are counted in bins of a sixteenth of an octave: bin 0
// holds the stays of no time at all, bin b ≥ 1 those of 2^((b-1)/16) to
// 2^(b/16) seconds (a second or less in bin 1). A median read from the
// bins is the middle of its bin: within 2.2 % (2^(1/32)) of the median of
// the stays themselves, to the second.
const binsPerOctave = 16

func bin(seconds float64) int {
	if seconds <= 0 {
		return 0
	}
	return 1 + int(math.Floor(binsPerOctave*math.Log2(max(seconds, 1))))
}

// binValue is the length a bin stands for, to the second.
func binValue(b int) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(math.Exp2((float64(b-1) + 0.5) / binsPerOctave))
}

// medianDense reads the median of the stays counted by bin (a slice
// indexed by bin): the middle one's length, the mean of the middle two
// for an even count; nil for none.
func medianDense(counts []int64) *float64 {
	n := total(counts)
	if n == 0 {
		return nil
	}
	m := ranked(counts, n/2)
	if n%2 == 0 {
		m = (ranked(counts, n/2-1) + m) / 2
	}
	return &m
}

// quantileDense reads the q-quantile (0 < q ≤ 1) of the lengths counted
// by bin: the length of the ⌈q·n⌉-th of the n lengths in order (the
// nearest rank), read from its bin; nil for none.
func quantileDense(counts []int64, q float64) *float64 {
	n := total(counts)
	if n == 0 {
		return nil
	}
	rank := int64(math.Ceil(q*float64(n))) - 1
	v := ranked(counts, min(max(rank, 0), n-1))
	return &v
}

func total(counts []int64) int64 {
	var n int64
	for _, c := range counts {
		n += c
	}
	return n
}

// ranked returns the length of the rank-th (from 0) of the lengths
// counted by bin.
func ranked(counts []int64, rank int64) float64 {
	last := 0
	for b, c := range counts {
		if c == 0 {
			continue
		}
		if rank < c {
			return binValue(b)
		}
		rank -= c
		last = b
	}
	return binValue(last)
}

// ParseCells reads cells as the rollups store them, a JSON object of
// integers ({"e|MQL": 12, "h|MQL|214": 3}); see CellParser.
func ParseCells(s string) (Cells, error) {
	var p CellParser
	return p.Parse(s)
}

// CellParser reads cells as the rollups store them, several times faster
// than encoding/json (a report reads a few megabytes of them): keys
// without escapes (printable ASCII) and integers are read directly,
// anything else by encoding/json. The names of the cells it reads are
// kept once, however many rows name them, apart from the text read.
type CellParser struct {
	names map[string]string
	cells []cell // room for the cells of a row
}

// Parse reads one row's cells.
func (p *CellParser) Parse(s string) (Cells, error) {
	c := make(Cells, strings.Count(s, ":"))
	return c, p.ParseInto(s, c)
}

// ParseInto sets the cells s holds in c (the parts of a row hold
// different cells).
func (p *CellParser) ParseInto(s string, c Cells) error {
	cells, ok := p.plain(s)
	if !ok {
		more, err := parseCellsJSON(s)
		if err != nil {
			return err
		}
		maps.Copy(c, more)
		return nil
	}
	for _, cell := range cells {
		c[cell.name] = cell.n
	}
	return nil
}

// cell is a cell read.
type cell struct {
	name string
	n    int64
}

// plain reads s directly, if it can: ok is false for what only
// encoding/json reads, or refuses.
func (p *CellParser) plain(s string) (cells []cell, ok bool) {
	if p.names == nil {
		p.names = map[string]string{}
	}
	cells = p.cells[:0]
	defer func() { p.cells = cells[:0] }()
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return nil, false
	}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == '}' {
		if skipSpace(s, i+1) != len(s) {
			return nil, false
		}
		return cells, true
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return nil, false
		}
		end := strings.IndexByte(s[i+1:], '"')
		if end < 0 {
			return nil, false
		}
		key := s[i+1 : i+1+end]
		if !plainKey(key) {
			return nil, false
		}
		i = skipSpace(s, i+end+2)
		if i >= len(s) || s[i] != ':' {
			return nil, false
		}
		i = skipSpace(s, i+1)
		j := i
		if j < len(s) && s[j] == '-' {
			j++
		}
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		n, err := strconv.ParseInt(s[i:j], 10, 64)
		if err != nil {
			return nil, false
		}
		name, ok := p.names[key]
		if !ok {
			name = strings.Clone(key)
			p.names[name] = name
		}
		cells = append(cells, cell{name, n})
		i = skipSpace(s, j)
		if i >= len(s) {
			return nil, false
		}
		switch s[i] {
		case ',':
			i = skipSpace(s, i+1)
		case '}':
			if skipSpace(s, i+1) != len(s) {
				return nil, false
			}
			return cells, true
		default:
			return nil, false
		}
	}
}

// plainKey reports whether a key is printable ASCII without escapes, as
// the cells' names are: JSON reads it as it is.
func plainKey(k string) bool {
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e || k[i] == '\\' {
			return false
		}
	}
	return true
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// parseCellsJSON reads cells with encoding/json, which says what is wrong.
func parseCellsJSON(s string) (Cells, error) {
	c := Cells{}
	err := json.Unmarshal([]byte(s), &c)
	return c, err
}
