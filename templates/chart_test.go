package templates

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func at(day, hour, minute int) time.Time {
	return time.Date(2026, 3, day, hour, minute, 0, 0, time.UTC)
}

// lifeFixture is a lead scored into MQL, fallen back to cold lead by
// decay, accepted by sales and moved on by an override, seen 12 days
// after it came in.
func lifeFixture() ScoreHistory {
	return ScoreHistory{
		Start: at(2, 9, 0),
		Points: []ScorePoint{
			{At: at(2, 9, 0), Stage: "MQL", Score: 12},
			{At: at(2, 12, 54), Stage: "cold lead", Score: 11.99},
			{At: at(3, 10, 0), Stage: "SAL", Score: 14},
			{At: at(5, 10, 0), Stage: "SQL", Override: true, Score: 13.9},
		},
		Now:        ScorePoint{At: at(14, 9, 0), Stage: "SQL", Override: true, Score: 12.5},
		Stages:     []string{"bad lead", "cold lead", "MQL", "SAL", "SQL", "disqualified"},
		Thresholds: []Threshold{{Label: "hot", Score: 25}, {Label: "warm", Score: 12}},
	}
}

func parseNum(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// vertices reads the points of a path of M and L commands.
func vertices(t *testing.T, d string) [][2]float64 {
	t.Helper()
	var out [][2]float64
	f := strings.Fields(d)
	for i := 0; i < len(f); i += 2 {
		if f[i][0] != 'M' && f[i][0] != 'L' {
			t.Fatalf("path %q: %q is not M or L", d, f[i])
		}
		out = append(out, [2]float64{parseNum(t, f[i][1:]), parseNum(t, f[i+1])})
	}
	return out
}

func TestScales(t *testing.T) {
	x := timeScale(at(2, 9, 0), at(14, 9, 0), 100, 460)
	for _, c := range []struct {
		t    time.Time
		want float64
	}{{at(2, 9, 0), 100}, {at(14, 9, 0), 460}, {at(8, 9, 0), 280}} {
		if got := x(c.t); got != c.want {
			t.Errorf("x(%v) = %v, want %v", c.t, got, c.want)
		}
	}
	if got := timeScale(at(2, 9, 0), at(2, 9, 0), 100, 460)(at(3, 0, 0)); got != 100 {
		t.Errorf("an empty range maps to %v, want its start", got)
	}
	y := linear(0, 15, 154, 14) // scores up, y down
	if y(0) != 154 || y(15) != 14 || y(7.5) != 84 {
		t.Errorf("y(0), y(7.5), y(15) = %v, %v, %v", y(0), y(7.5), y(15))
	}
}

func TestScoreTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 13.99, "0 5 10 15"},
		{0, 12, "0 5 10 15"},
		{-25, 16, "-40 -20 0 20"},
		{0, 0, "0 0.25 0.5 0.75 1"},
		{0, 100, "0 25 50 75 100"},
		{0, 3, "0 1 2 3"},
	} {
		var got []string
		for _, v := range scoreTicks(c.lo, c.hi, 4) {
			got = append(got, strconv.FormatFloat(v, 'f', -1, 64))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("scoreTicks(%v, %v) = %v, want %s", c.lo, c.hi, got, c.want)
		}
	}
}

func TestTimeTicks(t *testing.T) {
	for _, c := range []struct {
		start, end time.Time
		want       string
	}{
		// Days: the first date has the year under it.
		{at(2, 9, 0), at(5, 15, 0), "3 Mar/2026 4 Mar 5 Mar"},
		// Hours: the first time has the day under it, and so does the
		// first of the next day.
		{at(2, 9, 0), at(2, 13, 0), "10:00/2 Mar 12:00"},
		{at(2, 21, 0), at(3, 2, 0), "22:00/2 Mar 00:00/3 Mar 02:00"},
		{at(2, 20, 0), at(3, 4, 0), "21:00/2 Mar 00:00/3 Mar 03:00"},
		// Weeks fall on Mondays (9, 16 and 23 March 2026).
		{at(2, 9, 0), at(24, 9, 0), "9 Mar/2026 16 Mar 23 Mar"},
		// Months.
		{at(2, 9, 0), time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), "Jul/2026 Jan/2027"},
		// Too short for a tick: the start, with its date.
		{at(2, 9, 1), at(2, 9, 2), "09:01/2 Mar 2026"},
	} {
		ticks, step := timeTicks(c.start, c.end, 3)
		var got []string
		for i, tk := range ticks {
			if tk.Before(c.start) || tk.After(c.end) {
				t.Errorf("%v to %v: tick %v out of range", c.start, c.end, tk)
			}
			label, sub := tickLabel(tk, step, i == 0 || !sameSub(ticks[i-1], tk, step))
			if sub != "" {
				label += "/" + sub
			}
			got = append(got, label)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%v to %v: %q, want %q", c.start, c.end, strings.Join(got, " "), c.want)
		}
	}
}

// The first row is at the left edge, now at the right one; the score
// path has a point per row and one for now, the stage path runs in the
// lane of each row's stage, lanes in the model's order from the bottom.
func TestLifeLayout(t *testing.T) {
	h := lifeFixture()
	g := lifeLayout(h)
	left, right := parseNum(t, g.Left), parseNum(t, g.Right)
	pts := vertices(t, g.ScorePath)
	if len(pts) != len(h.Points)+1 {
		t.Fatalf("score path %q has %d points for %d rows and now", g.ScorePath, len(pts), len(h.Points))
	}
	if pts[0][0] != left || pts[len(pts)-1][0] != right {
		t.Errorf("the path runs from x %v to %v, want the plot's edges %v and %v", pts[0][0], pts[len(pts)-1][0], left, right)
	}
	for i := 1; i < len(pts); i++ {
		if pts[i][0] < pts[i-1][0] {
			t.Errorf("point %d goes back in time", i)
		}
	}
	if len(g.Dots) != len(h.Points) {
		t.Errorf("%d dots for %d rows", len(g.Dots), len(h.Points))
	}
	// Scores 0 to 15: 12 is at 4/5 of the panel's height, above 11.99.
	top, bottom := float64(lifeTop), float64(lifeTop+lifePlot)
	if want := bottom - (bottom-top)*12/15; pts[0][1] != want || pts[1][1] <= pts[0][1] {
		t.Errorf("score 12 at y %v (11.99 at %v), want %v", pts[0][1], pts[1][1], want)
	}
	if len(g.Thresholds) != 1 || g.Thresholds[0].Label != "warm" || parseNum(t, g.Thresholds[0].Y) != pts[0][1] {
		t.Errorf("thresholds %+v: want warm alone, at score 12 (hot is off the scale)", g.Thresholds)
	}
	// A stage maps to its band.
	if len(g.Lanes) != len(h.Stages) {
		t.Fatalf("%d lanes for %d stages", len(g.Lanes), len(h.Stages))
	}
	lane := map[string]laneGeom{}
	for i, l := range g.Lanes {
		lane[l.Stage] = l
		y, mid := parseNum(t, l.Y), parseNum(t, l.Middle)
		if l.Stage != h.Stages[i] || mid <= y || mid >= y+lifeLane || y < bottom {
			t.Errorf("lane %d: %+v", i, l)
		}
		if i > 0 && y >= parseNum(t, g.Lanes[i-1].Y) {
			t.Errorf("lane %s is not above %s", l.Stage, g.Lanes[i-1].Stage)
		}
	}
	if lane["bad lead"].Odd == lane["cold lead"].Odd {
		t.Error("neighbouring lanes are shaded alike")
	}
	want := "M" + num(left) + " " + lane["MQL"].Middle
	for i, p := range h.Points[1:] {
		want += " H" + num(pts[i+1][0]) + " V" + lane[p.Stage].Middle
	}
	want += " H" + num(right) + " V" + lane["SQL"].Middle
	if g.StagePath != want {
		t.Errorf("stage path %q, want %q", g.StagePath, want)
	}
	if len(g.Overrides) != 1 || g.Overrides[0] != "M"+num(pts[3][0])+" "+lane["SQL"].Middle+" H"+num(right) {
		t.Errorf("overrides %q: want SQL from the override to now", g.Overrides)
	}
	if vb := strings.Fields(g.ViewBox); len(vb) != 4 || parseNum(t, vb[3]) < parseNum(t, lane["bad lead"].Y)+lifeLane+40 {
		t.Errorf("viewBox %q leaves no room for the times", g.ViewBox)
	}
	for _, s := range h.Stages {
		if w := float64(len(s)) * lifeChar; w > left {
			t.Errorf("%q does not fit left of the plot", s)
		}
	}
	// 2 to 14 March: every third day, every other one left out on a
	// narrow screen.
	var ticks []string
	for _, tk := range g.TimeTicks {
		s := tk.Label + "/" + tk.Sub
		if tk.Minor {
			s = "(" + s + ")"
		}
		ticks = append(ticks, s)
	}
	if got := strings.Join(ticks, " "); got != "3 Mar/2026 (6 Mar/) 9 Mar/ (12 Mar/)" {
		t.Errorf("time labels %q", got)
	}
	desc := lifeDesc(h)
	if !strings.HasPrefix(desc, "Score 12 → 12.5 and stages MQL → cold lead → SAL → SQL (override) over 12 days, from 2 Mar 2026 09:00 UTC to now.") {
		t.Errorf("desc %q", desc)
	}
}

// A lead with one row runs from it to now; one with none (stored before
// the score history was) has a lone point at now; a stage the model no
// longer has gets a lane of its own.
func TestLifeLayoutFewRows(t *testing.T) {
	h := lifeFixture()
	h.Points = h.Points[:1]
	h.Now = ScorePoint{At: at(2, 9, 30), Stage: "MQL", Score: 11.99}
	g := lifeLayout(h)
	pts := vertices(t, g.ScorePath)
	if len(pts) != 2 || pts[0][0] != parseNum(t, g.Left) || pts[1][0] != parseNum(t, g.Right) || len(g.Dots) != 1 {
		t.Errorf("one row: path %q, %d dots", g.ScorePath, len(g.Dots))
	}
	if desc := lifeDesc(h); !strings.HasPrefix(desc, "Score 12 → 11.99 in stage MQL over 30 minutes") {
		t.Errorf("one row: desc %q", desc)
	}

	h.Points = nil
	h.Now.Stage = "nurture"
	g = lifeLayout(h)
	if pts := vertices(t, g.ScorePath); len(pts) != 1 || len(g.Dots) != 0 || g.StagePath != "M"+g.Right+" "+g.Lanes[len(g.Lanes)-1].Middle {
		t.Errorf("no rows: path %q, stage path %q, %d dots", g.ScorePath, g.StagePath, len(g.Dots))
	}
	if last := g.Lanes[len(g.Lanes)-1]; len(g.Lanes) != len(h.Stages)+1 || last.Stage != "nurture" {
		t.Errorf("lanes %+v: want the model's, then nurture", g.Lanes)
	}
	if desc := lifeDesc(h); desc != "Score 11.99 and stage nurture now; no change of verdict is recorded." {
		t.Errorf("no rows: desc %q", desc)
	}
	if len(g.TimeTicks) == 0 {
		t.Error("no time on the axis")
	}
}

// A label names the day under its time where the day changed since the
// label before it; a label a narrow screen shows too, since the one it
// shows before it.
func TestLifeTimeLabels(t *testing.T) {
	h := ScoreHistory{Start: at(2, 15, 0), Now: ScorePoint{At: at(3, 15, 0), Stage: "MQL"}}
	var got []string
	for _, tk := range lifeLayout(h).TimeTicks {
		s := tk.Label + "/" + tk.Sub
		if tk.Minor {
			s = "(" + s + ")"
		}
		got = append(got, s)
	}
	if strings.Join(got, " ") != "18:00/2 Mar (00:00/3 Mar) 06:00/3 Mar (12:00/)" {
		t.Errorf("time labels %q", strings.Join(got, " "))
	}
}
