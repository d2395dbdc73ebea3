package report

import (
	"encoding/json"
	"maps"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/qualify"
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

// Segments of a tally's rows. A source's, fit grade's, origin's or
// campaign's segment is its prefix and the value.
const (
	SegAll       = ""   // the funnel of stages, every lead; moves and the SLA too
	SegPositions = "p"  // the funnel of positions
	SegTotals    = "t"  // the totals of all time (Month 0)
	SegSource    = "s|" // + the lead's source
	SegFit       = "f|" // + its fit grade
	SegOrigin    = "o|" // + its origin
	SegCampaign  = "c|" // + its campaign
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
//	L, S        leads and spam leads (SegTotals)
//	c|stage     leads by their stage now (SegTotals)
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

func (t Tally) inc(row Row, k string) {
	c := t[row]
	if c == nil {
		c = Cells{}
		t[row] = c
	}
	c[k]++
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
// model's stages in order with their exits, funnel positions and SLA
// times, its fit grades, and the zones. Tallies of different shapes do
// not add up: a model whose shape changed needs its tallies counted
// again.
func Shape(m *qualify.Model, zones []*time.Location) string {
	var b strings.Builder
	for _, s := range m.Stages {
		b.WriteString(s.Name + "|" + strconv.FormatBool(s.Exit) + "|" + s.Funnel.String() + "|" +
			strconv.FormatInt(s.SLA.Within, 10) + ";")
	}
	for _, g := range m.Grades {
		b.WriteString(g.Name + ",")
	}
	for _, z := range zones {
		b.WriteString(";" + z.String())
	}
	return b.String()
}

// Contribute returns what lead l contributes to the tallies of zones, and
// its SLA clocks nobody has acted on yet. A spam lead counts in the
// totals only.
func Contribute(m *qualify.Model, zones []*time.Location, l *Lead) (Tally, []Clock) {
	t := Tally{}
	events := append([]Event(nil), l.Events...)
	SortEvents(events)
	stages, positions := stageView(m), positionView(m)
	sp, pp := stages.walk(events), positions.walk(events)
	var clocks []Clock
	for zi, loc := range zones {
		zone := loc.String()
		total := Row{zone, 0, SegTotals}
		t.inc(total, "L")
		if l.Spam {
			t.inc(total, "S")
			continue
		}
		if latest, _, _ := Current(events); latest != "" {
			t.inc(total, "c|"+latest)
		}
		month := func(at time.Time) int { return MonthKey(MonthOf(at, loc)) }
		for _, seg := range []string{SegAll, SegSource + l.Source, SegFit + l.Fit, SegOrigin + l.Origin, SegCampaign + l.Campaign} {
			funnelCells(t, stages, sp, zone, seg, l.CreatedAt, month)
		}
		funnelCells(t, positions, pp, zone, SegPositions, l.CreatedAt, month)
		for _, e := range sp.entries {
			row := Row{zone, month(e.at), SegAll}
			step := stages.steps[e.step]
			if events[e.event].Override {
				t.inc(row, "mo|"+step)
			} else {
				t.inc(row, "mr|"+step)
			}
			i := m.StageIndex(step)
			if i < 0 || m.Stages[i].SLA.Within <= 0 {
				continue
			}
			t.inc(row, "ae|"+step)
			due := e.at.Add(time.Duration(m.Stages[i].SLA.Within) * time.Second)
			acted, ok := actedAt(events[e.event+1:])
			switch {
			case ok && !acted.After(due):
				t.inc(row, "am|"+step)
			case ok:
				t.inc(row, "al|"+step)
			default:
				t.inc(row, "ao|"+step)
				if zi == 0 {
					clocks = append(clocks, Clock{Lead: l.ID, Stage: step, EnteredAt: e.at, DueAt: due})
				}
			}
		}
	}
	return t, clocks
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

// medianOf reads the median of the stays counted in bins (bin → count):
// the middle one's length, the mean of the middle two for an even count;
// nil for none.
func medianOf(bins map[int]int64) *float64 {
	var dense []int64
	for b, n := range bins {
		if b >= len(dense) {
			dense = append(dense, make([]int64, b+1-len(dense))...)
		}
		dense[b] += n
	}
	return medianDense(dense)
}

// medianDense is medianOf over counts by bin.
func medianDense(counts []int64) *float64 {
	var n int64
	for _, c := range counts {
		n += c
	}
	if n == 0 {
		return nil
	}
	at := func(rank int64) float64 { // the rank-th length, from 0
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
	m := at(n / 2)
	if n%2 == 0 {
		m = (at(n/2-1) + m) / 2
	}
	return &m
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
