package templates

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The chart of a lead's life on its page: the score over time above, and
// below it the stage the lead stood in, one lane per stage of the model,
// on one time axis from the lead's creation to now. The geometry is
// computed here; LifeChart only writes it out.

// ScoreHistory is what a lead's chart draws.
type ScoreHistory struct {
	Start  time.Time    // the lead's creation: where the time axis starts
	Points []ScorePoint // the rows of the score history, oldest first
	// Now is where the lead stands at the end of the time axis: its stage
	// and its score decayed to Now.At.
	Now ScorePoint
	// Stages are the model's stages in order: the lanes, the first at the
	// bottom.
	Stages     []string
	Thresholds []Threshold // the scores the chart draws a line at
}

// ScorePoint is a lead's verdict at an instant.
type ScorePoint struct {
	At       time.Time
	Stage    string
	Override bool // the stage is an override's, not the rules'
	Score    float64
	Fit      string
	Tier     string
	Cause    string // what changed the verdict, e.g. "Submitted the form" or "Score decayed"
}

// Threshold is a score the chart draws a line at, such as a tier's lower
// bound.
type Threshold struct {
	Label string // e.g. "warm"
	Score float64
}

// The lead's chart in user units; the SVG scales to its box. Labels are
// sized for a narrow screen, where the admin style sheet sets the axes'
// text to 21 units.
const (
	lifeWidth    = 480
	lifeRight    = 36 // room for half a time of the axis at the right edge
	lifeTop      = 14
	lifePlot     = 140         // the score panel's height
	lifeGap      = 18          // between the score panel and the lanes
	lifeLane     = 24          // a stage's lane
	lifeBottom   = 56          // room for the times and the dates under them
	lifeMinLeft  = 48          // room for the scores, at least
	lifeChar     = 12.6        // the width of a label's character at 21 units, generously
	lifeMaxTicks = 5           // times on the axis, at most; a narrow screen shows every other one
	lifeMinSpan  = time.Minute // the shortest time axis, for a lead seen as it comes in
)

// lifeGeom is the lead's chart, placed.
type lifeGeom struct {
	ViewBox     string
	Left, Right string // the plots' edges
	Width       string // the plots' width
	Top         string // the score panel's top
	Bottom      string // the lanes' bottom
	ScoreTicks  []tick // y of round scores, bottom to top
	TimeTicks   []timeTick
	Thresholds  []thresholdGeom
	Lanes       []laneGeom // bottom to top
	ScorePath   string     // the stored scores joined, then the score now
	Dots        []point    // a stored score each
	StagePath   string     // the stage, a step line through the lanes
	Overrides   []string   // the stays in a stage an override held, drawn over the step line
}

// timeTick is a label of the time axis.
type timeTick struct {
	Pos   string // x
	Label string // "15:00", "2 Mar" or "Mar"
	Sub   string // under the label where the day or the year changes, e.g. "2 Mar" or "2026"
	Minor bool   // a label a narrow screen leaves out: every other one
}

// thresholdGeom is a threshold's line, placed.
type thresholdGeom struct {
	Y     string
	Label string
}

// laneGeom is a stage's lane.
type laneGeom struct {
	Stage  string
	Y      string // the lane's top
	Middle string // y of the step line in the lane
	Odd    bool   // every other lane is shaded
}

// lifeLayout places the lead's chart. Between two stored rows the score
// decays exponentially (each point rule halving with its signal's
// half-life, events adding points); the chart joins the rows with straight
// segments, which approximates the decay and draws a jump as a slope up
// to the row of the event that caused it.
func lifeLayout(h ScoreHistory) lifeGeom {
	all := h.series()
	stages := lifeStages(h)
	left := lifeLeft(stages)
	right := float64(lifeWidth - lifeRight)
	top, bottom := float64(lifeTop), float64(lifeTop+lifePlot)
	lanesTop := bottom + lifeGap
	lanesBottom := lanesTop + float64(len(stages)*lifeLane)
	g := lifeGeom{ViewBox: "0 0 " + strconv.Itoa(lifeWidth) + " " + num(lanesBottom+lifeBottom),
		Left: num(left), Right: num(right), Width: num(right - left), Top: num(top), Bottom: num(lanesBottom)}

	start, end := lifeSpan(h)
	x := timeScale(start, end, left, right)
	lo, hi := 0.0, 0.0
	for _, p := range all {
		lo, hi = min(lo, p.Score), max(hi, p.Score)
	}
	ticks := scoreTicks(lo, hi, 4)
	y := linear(ticks[0], ticks[len(ticks)-1], bottom, top)
	for _, v := range ticks {
		g.ScoreTicks = append(g.ScoreTicks, tick{Pos: num(y(v)), Label: num(v)})
	}
	for _, t := range h.Thresholds {
		if t.Score > ticks[0] && t.Score < ticks[len(ticks)-1] {
			g.Thresholds = append(g.Thresholds, thresholdGeom{Y: num(y(t.Score)), Label: t.Label})
		}
	}
	// A label has the day (or year) under it where it changed since the
	// label before it, or since the one before that for the labels a
	// narrow screen shows too.
	steps, step := timeTicks(start, end, lifeMaxTicks)
	for i, t := range steps {
		tt := timeTick{Pos: num(x(t)), Minor: i%2 == 1}
		before := i - 1
		if !tt.Minor {
			before = i - 2
		}
		tt.Label, tt.Sub = tickLabel(t, step, before < 0 || !sameSub(steps[before], t, step))
		g.TimeTicks = append(g.TimeTicks, tt)
	}

	lane := map[string]int{}
	for i, s := range stages {
		lane[s] = i
		g.Lanes = append(g.Lanes, laneGeom{Stage: s, Y: num(laneTop(lanesTop, len(stages), i)),
			Middle: num(laneMiddle(lanesTop, len(stages), i)), Odd: i%2 == 1})
	}
	var score, stage strings.Builder
	for i, p := range all {
		px, sy := num(x(p.At)), num(laneMiddle(lanesTop, len(stages), lane[p.Stage]))
		if i == 0 {
			score.WriteString("M" + px + " " + num(y(p.Score)))
			stage.WriteString("M" + px + " " + sy)
		} else {
			score.WriteString(" L" + px + " " + num(y(p.Score)))
			stage.WriteString(" H" + px + " V" + sy)
		}
		if i < len(h.Points) {
			g.Dots = append(g.Dots, point{px, num(y(p.Score))})
		}
		if i+1 < len(all) && p.Override {
			g.Overrides = append(g.Overrides, "M"+px+" "+sy+" H"+num(x(all[i+1].At)))
		}
	}
	g.ScorePath, g.StagePath = score.String(), stage.String()
	return g
}

// series is the verdicts the chart draws: the stored rows, then now.
func (h ScoreHistory) series() []ScorePoint {
	return append(slices.Clip(h.Points), h.Now)
}

// lifeStages lists the lanes: the model's stages, then any other stage
// the lead stood in (one a later model no longer has), as they come.
func lifeStages(h ScoreHistory) []string {
	out := slices.Clone(h.Stages)
	for _, p := range h.series() {
		if !slices.Contains(out, p.Stage) {
			out = append(out, p.Stage)
		}
	}
	return out
}

// lifeLeft is the room left of the plots: for the longest stage's name,
// written in the narrow screen's font size, and the scores.
func lifeLeft(stages []string) float64 {
	longest := 0
	for _, s := range stages {
		longest = max(longest, utf8.RuneCountInString(s))
	}
	return max(lifeMinLeft, math.Ceil(10+float64(longest)*lifeChar))
}

// lifeSpan is the time axis: from the lead's creation (or its first row,
// if earlier) to now, at least lifeMinSpan long.
func lifeSpan(h ScoreHistory) (start, end time.Time) {
	start, end = h.Start, h.Now.At
	if len(h.Points) > 0 && (start.IsZero() || h.Points[0].At.Before(start)) {
		start = h.Points[0].At
	}
	if start.IsZero() || start.After(end) {
		start = end
	}
	if end.Sub(start) < lifeMinSpan {
		end = start.Add(lifeMinSpan)
	}
	return start, end
}

func laneTop(lanesTop float64, n, i int) float64 { return lanesTop + float64((n-1-i)*lifeLane) }

func laneMiddle(lanesTop float64, n, i int) float64 {
	return laneTop(lanesTop, n, i) + lifeLane/2
}

// timeScale maps the instants from start to end onto x0 to x1.
func timeScale(start, end time.Time, x0, x1 float64) func(time.Time) float64 {
	span := end.Sub(start)
	return func(t time.Time) float64 {
		if span <= 0 {
			return x0
		}
		return x0 + (x1-x0)*float64(t.Sub(start))/float64(span)
	}
}

// linear maps the values from d0 to d1 onto r0 to r1.
func linear(d0, d1, r0, r1 float64) func(float64) float64 {
	return func(v float64) float64 {
		if d1 == d0 {
			return r0
		}
		return r0 + (r1-r0)*(v-d0)/(d1-d0)
	}
}

// scoreTicks returns round scores, evenly spaced, from at most lo to at
// least hi in at most steps steps: 1, 2, 2.5 or 5 times a power of ten
// apart.
func scoreTicks(lo, hi float64, steps int) []float64 {
	if hi <= lo {
		hi = lo + 1
	}
	for mag := math.Pow(10, math.Floor(math.Log10((hi-lo)/float64(steps)))); ; mag *= 10 {
		for _, m := range []float64{1, 2, 2.5, 5} {
			step := m * mag
			k0, k1 := math.Floor(lo/step), math.Ceil(hi/step)
			if k1-k0 > float64(steps) {
				continue
			}
			var out []float64
			for k := k0; k <= k1; k++ {
				out = append(out, k*step+0) // +0 turns -0 into 0
			}
			return out
		}
	}
}

// timeStep is a spacing of the time axis' labels: a duration, or whole
// months.
type timeStep struct {
	d      time.Duration
	months int
}

// timeSteps are the spacings the time axis may have, finest first. Steps
// of a day or less fall on UTC midnights (time.Truncate counts from
// 1 January of year 1, a Monday at midnight), weeks on Mondays.
var timeSteps = []timeStep{
	{d: 5 * time.Minute}, {d: 15 * time.Minute}, {d: 30 * time.Minute},
	{d: time.Hour}, {d: 2 * time.Hour}, {d: 3 * time.Hour}, {d: 6 * time.Hour}, {d: 12 * time.Hour},
	{d: 24 * time.Hour}, {d: 48 * time.Hour}, {d: 72 * time.Hour}, {d: 7 * 24 * time.Hour}, {d: 14 * 24 * time.Hour},
	{months: 1}, {months: 2}, {months: 3}, {months: 6}, {months: 12}, {months: 24}, {months: 60}, {months: 120},
}

// timeTicks returns the instants from start to end, at most max of them,
// of the finest step that has no more; when the finest has none (a range
// shorter than its five minutes), the start. (Each step is at most three
// times the one before, so a range too long for one has an instant of the
// next.)
func timeTicks(start, end time.Time, max int) ([]time.Time, timeStep) {
	for _, s := range timeSteps {
		var out []time.Time
		for t := firstTick(start, s); !t.After(end) && len(out) <= max; t = nextTick(t, s) {
			out = append(out, t)
		}
		if len(out) == 0 {
			break
		}
		if len(out) <= max {
			return out, s
		}
	}
	return []time.Time{start}, timeStep{}
}

// firstTick is the first instant of step s at or after t (UTC).
func firstTick(t time.Time, s timeStep) time.Time {
	t = t.UTC()
	if s.months == 0 {
		f := t.Truncate(s.d)
		if f.Before(t) {
			f = f.Add(s.d)
		}
		return f
	}
	f := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	if f.Before(t) {
		f = f.AddDate(0, 1, 0)
	}
	for (int(f.Month())-1)%s.months != 0 || s.months > 12 && f.Year()%(s.months/12) != 0 {
		f = f.AddDate(0, 1, 0)
	}
	return f
}

func nextTick(t time.Time, s timeStep) time.Time {
	if s.months == 0 {
		return t.Add(s.d)
	}
	return t.AddDate(0, s.months, 0)
}

// tickLabel writes instant t of the time axis for its step: a time of
// day under a day, a date under a month, else a month; sub is the day
// (or the year) under it, where sub is true.
func tickLabel(t time.Time, s timeStep, sub bool) (label, under string) {
	t = t.UTC()
	switch {
	case s.months == 0 && s.d == 0:
		label, under = t.Format("15:04"), t.Format("2 Jan 2006")
	case s.months == 0 && s.d < 24*time.Hour:
		label, under = t.Format("15:04"), t.Format("2 Jan")
	case s.months == 0:
		label, under = t.Format("2 Jan"), t.Format("2006")
	default:
		label, under = t.Format("Jan"), t.Format("2006")
	}
	if !sub {
		under = ""
	}
	return label, under
}

// sameSub reports whether two labels of the axis share the line under
// them: the day under times of day, else the year.
func sameSub(a, b time.Time, s timeStep) bool {
	a, b = a.UTC(), b.UTC()
	if s.months == 0 && s.d < 24*time.Hour {
		return a.YearDay() == b.YearDay() && a.Year() == b.Year()
	}
	return a.Year() == b.Year()
}

// lifeDesc says in words what the lead's chart shows, e.g. "Score 12 → 4
// and stages MQL → cold lead over 3 days, from 2 Mar 2026 09:00 UTC to
// now."
func lifeDesc(h ScoreHistory) string {
	start, _ := lifeSpan(h)
	all := h.series()
	var stages []string
	for i, p := range all {
		name := p.Stage
		if p.Override {
			name += " (override)"
		}
		if i == 0 || name != stages[len(stages)-1] {
			stages = append(stages, name)
		}
	}
	if len(h.Points) == 0 {
		return "Score " + scoreText(h.Now.Score) + " and stage " + stages[0] + " now; no change of verdict is recorded."
	}
	var b strings.Builder
	b.WriteString("Score " + scoreText(all[0].Score) + " → " + scoreText(h.Now.Score))
	if len(stages) == 1 {
		b.WriteString(" in stage " + stages[0])
	} else {
		b.WriteString(" and stages " + strings.Join(stages, " → "))
	}
	b.WriteString(" over " + lasted(h.Now.At.Sub(start)) + ", from " + start.UTC().Format("2 Jan 2006 15:04 UTC") +
		" to now. The figures are in the table below.")
	return b.String()
}

// lasted writes a duration in its largest whole unit: "12 days", "5
// hours", "1 minute".
func lasted(d time.Duration) string {
	n, unit := int(d/time.Minute), "minute"
	switch {
	case d >= 48*time.Hour:
		n, unit = int(d/(24*time.Hour)), "day"
	case d >= 2*time.Hour:
		n, unit = int(d/time.Hour), "hour"
	}
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// scoreText writes a score to the hundredth, as the verdict does.
func scoreText(f float64) string {
	return strconv.FormatFloat(math.Round(f*100)/100+0, 'f', -1, 64)
}

// isoTime writes an instant for <time datetime>.
func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// humanTime writes an instant for people, as the dashboard does.
func humanTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
