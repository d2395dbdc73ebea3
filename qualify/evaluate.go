package qualify

import (
	"strconv"

	"github.com/winnowhq/winnow/qualify/internal/num"
)

// ReasonKind says what a Reason explains.
type ReasonKind uint8

// Reason kinds.
const (
	ReasonPoints ReasonKind = iota + 1 // a point rule gave points
	ReasonStage                        // a stage rule decided the stage
)

// Reason explains one part of a verdict. It names its rule by index into
// the model that decided (Rule gives the name and where it is written), so
// that a verdict costs one pointer-free allocation.
type Reason struct {
	Kind     ReasonKind
	Index    int     // into Model.Points or Model.Stages
	Points   float64 // points given, after decay
	Base     int     // points before decay
	Age      int64   // seconds since the signal that earned the points; 0 if none
	HalfLife int64   // the signal's half-life in seconds; 0 if no decay applied
}

// Rule returns the name of the point rule or stage behind r in m, the model
// that gave the verdict, and where its rule is written.
func (r Reason) Rule(m *Model) (name string, pos Pos) {
	switch {
	case r.Kind == ReasonPoints && r.Index >= 0 && r.Index < len(m.Points):
		p := &m.Points[r.Index]
		return p.Name, p.Pos
	case r.Kind == ReasonStage && r.Index >= 0 && r.Index < len(m.Stages):
		s := &m.Stages[r.Index]
		if s.Rule != nil {
			return s.Name, s.Rule.Pos
		}
		return s.Name, s.Pos
	}
	return "", Pos{}
}

// Format explains the reason in one line, such as
// "+2.5 newsletter (5 points, halved every 90d, 90d ago)".
func (r Reason) Format(m *Model) string {
	name, _ := r.Rule(m)
	if r.Kind == ReasonStage {
		return "stage " + name
	}
	s := FormatPoints(r.Points) + " " + name
	if d := FormatDecay(r.Base, r.HalfLife, r.Age); d != "" {
		s += " (" + d + ")"
	}
	return s
}

// FormatDecay explains how points decayed, such as "5 points, halved
// every 90d, 90d ago": base points, halved every halfLife seconds, earned
// age seconds ago. It is "" when no decay applied.
func FormatDecay(base int, halfLife, age int64) string {
	if halfLife <= 0 || age <= 0 {
		return ""
	}
	return strconv.Itoa(base) + " points, halved every " + FormatDuration(halfLife) + ", " + FormatAge(age) + " ago"
}

// FormatAge formats a number of seconds for people, to a tenth of the
// largest unit that fits: "90.5d", "7h", "12.3m", "40s".
func FormatAge(sec int64) string {
	unit, name := int64(1), "s"
	switch {
	case sec >= SecondsPerDay:
		unit, name = SecondsPerDay, "d"
	case sec >= 3600:
		unit, name = 3600, "h"
	case sec >= 60:
		unit, name = 60, "m"
	}
	tenths := (sec*10 + unit/2) / unit
	s := strconv.FormatInt(tenths/10, 10)
	if tenths%10 != 0 {
		s += "." + strconv.FormatInt(tenths%10, 10)
	}
	return s + name
}

// FormatPoints formats points with a sign and at most two decimals.
func FormatPoints(p float64) string {
	s := strconv.FormatFloat(p, 'f', -1, 64)
	if p >= 0 {
		s = "+" + s
	}
	return s
}

// Verdict is what Evaluate concludes about a lead.
type Verdict struct {
	Model      string  // the version of the model that decided
	Score      float64 // all points after decay, in hundredths
	FitPoints  int
	Fit        string // the fit grade
	Tier       string
	Stage      string
	StageIndex int
	Funnel     Funnel
	Next       Next
	Framework  string   // the selected framework, if any
	Criteria   uint64   // the selected framework's criteria the lead meets, bit i for criterion i
	Reasons    []Reason // every point given, then the stage decision
}

// Evaluate scores lead with model m at instant now (Unix seconds) and
// decides its fit grade, tier, stage and next step. It is deterministic:
// the same model, lead and instant give the same verdict on every platform.
func Evaluate(m *Model, lead *Lead, now int64) Verdict {
	ev := evaluation{m: m, lead: lead, now: now}
	v := Verdict{Model: m.Version}
	// First find the rules that hold, so that the reasons take one
	// allocation of the right size.
	var holds [4]uint64 // rules 0..255; more are given their own pass below
	n, cents := 0, int64(0)
	for i := range m.Points {
		if ev.pointHolds(&m.Points[i]) {
			if i < 256 {
				holds[i/64] |= 1 << (i % 64)
			}
			n++
		}
	}
	v.Reasons = make([]Reason, 0, n+1)
	for i := range m.Points {
		if i < 256 && holds[i/64]&(1<<(i%64)) == 0 || i >= 256 && !ev.pointHolds(&m.Points[i]) {
			continue
		}
		p := &m.Points[i]
		var age, half int64
		if p.Signal >= 0 {
			if half = m.Signals[p.Signal].HalfLife; half > 0 && now > ev.signal(p.Signal) {
				age = now - ev.signal(p.Signal)
			} else {
				half = 0
			}
		}
		c := decayed(p.Points, age, half)
		cents += c
		if p.Kind == Fit {
			v.FitPoints += p.Points
		}
		v.Reasons = append(v.Reasons, Reason{
			Kind: ReasonPoints, Index: i,
			Points: float64(c) / 100, Base: p.Points, Age: age, HalfLife: half,
		})
	}
	v.Score = float64(cents) / 100
	ev.score, ev.fitPoints = v.Score, v.FitPoints

	ev.grade = len(m.Grades) - 1
	for i := range m.Grades {
		if v.FitPoints >= m.Grades[i].Min {
			ev.grade = i
			break
		}
	}
	if ev.grade >= 0 {
		v.Fit = m.Grades[ev.grade].Name
	}
	for i := range m.Tiers {
		if i == len(m.Tiers)-1 || v.Score >= m.Tiers[i].Min {
			v.Tier = m.Tiers[i].Name
			break
		}
	}
	if m.Framework >= 0 && m.Framework < len(m.Frameworks) {
		v.Framework = m.Frameworks[m.Framework].Name
		v.Criteria = ev.met(m.Framework)
	}

	stage := ev.stage()
	if stage >= 0 {
		s := &m.Stages[stage]
		v.Stage, v.StageIndex, v.Funnel, v.Next = s.Name, stage, s.Funnel, s.Next
		v.Reasons = append(v.Reasons, Reason{Kind: ReasonStage, Index: stage})
	} else {
		v.StageIndex = -1
	}
	return v
}

// pointHolds reports whether a point rule gives its points: its signal is
// recorded, if it has one, and its condition holds, if it has one.
func (ev *evaluation) pointHolds(p *PointRule) bool {
	if p.Signal >= 0 && ev.signal(p.Signal) == 0 {
		return false
	}
	return p.When == nil || ev.truth(p.When.Expr)
}

// stage returns the index of the first stage, in check order, whose rule
// holds, or the default stage.
func (ev *evaluation) stage() int {
	m := ev.m
	for i := range m.Stages {
		if s := &m.Stages[i]; s.Exit && s.Rule != nil && ev.truth(s.Rule.Expr) {
			return i
		}
	}
	for i := len(m.Stages) - 1; i >= 0; i-- {
		s := &m.Stages[i]
		if s.Exit {
			continue
		}
		if s.Rule == nil || ev.truth(s.Rule.Expr) {
			return i
		}
	}
	return -1
}

// StageCheck is the outcome of one stage rule for a lead.
type StageCheck struct {
	Stage int  // index into Model.Stages
	Holds bool // the rule holds (always true for the default stage)
}

// Explain evaluates every stage rule and every framework criterion for a
// lead, in the order Evaluate checks stages, to show why a verdict is what
// it is. Evaluate stops at the first stage that holds; Explain does not.
func Explain(m *Model, lead *Lead, now int64) (stages []StageCheck, criteria []uint64) {
	v := Evaluate(m, lead, now)
	ev := evaluation{m: m, lead: lead, now: now, score: v.Score, fitPoints: v.FitPoints}
	ev.grade = max(m.GradeIndex(v.Fit), 0)
	for _, i := range m.CheckOrder() {
		s := &m.Stages[i]
		stages = append(stages, StageCheck{i, s.Rule == nil || ev.truth(s.Rule.Expr)})
	}
	for i := range m.Frameworks {
		criteria = append(criteria, ev.met(i))
	}
	return stages, criteria
}

// Holds evaluates a rule for a lead as a stage rule would see it (score,
// fit grade and frameworks included). The widget uses it for ask
// conditions; verdict is the lead's verdict at now.
func Holds(m *Model, r *Rule, lead *Lead, now int64, verdict *Verdict) bool {
	if r == nil {
		return true
	}
	ev := evaluation{m: m, lead: lead, now: now, score: verdict.Score, fitPoints: verdict.FitPoints}
	ev.grade = max(m.GradeIndex(verdict.Fit), 0)
	return ev.truth(r.Expr)
}

// FormatDuration formats seconds as the largest whole unit content uses:
// "90d", "4h", "30m", "45s" (weeks are written in days).
func FormatDuration(sec int64) string {
	switch {
	case sec == 0:
		return "0s"
	case sec%SecondsPerDay == 0:
		return strconv.FormatInt(sec/SecondsPerDay, 10) + "d"
	case sec%3600 == 0:
		return strconv.FormatInt(sec/3600, 10) + "h"
	case sec%60 == 0:
		return strconv.FormatInt(sec/60, 10) + "m"
	}
	return strconv.FormatInt(sec, 10) + "s"
}

// ParseDuration parses a duration as content writes it: a whole number and
// a unit, s, m, h, d or w ("90d", "4h", "2w").
func ParseDuration(s string) (int64, bool) {
	if len(s) < 2 {
		return 0, false
	}
	var unit int64
	switch s[len(s)-1] {
	case 's':
		unit = 1
	case 'm':
		unit = 60
	case 'h':
		unit = 3600
	case 'd':
		unit = SecondsPerDay
	case 'w':
		unit = 7 * SecondsPerDay
	default:
		return 0, false
	}
	// num.Atoi, not strconv.ParseInt, whose errors would bring quoting
	// into the widget.
	n, ok := num.Atoi(s[:len(s)-1])
	if !ok || n < 0 || n > 100*365*SecondsPerDay/unit || s[0] == '-' {
		return 0, false
	}
	return n * unit, true
}
