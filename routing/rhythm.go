package routing

import (
	"time"

	"github.com/winnowhq/winnow/qualify"
)

// A stage's SLA is a rhythm, not one deadline: the first action within
// Within of entering the stage, then a follow-up every Every after the
// last attempt, until Attempts attempts were made (a stage without Every
// asks for the first action only). Every interval is business time in
// the calendar of the team that owns the stage: a lead that arrives on
// Friday evening is due on Monday.

// Step is where a lead stands in its stage's rhythm: the attempt due next
// and the interval it is due in, or Done.
type Step struct {
	Attempt int   // the attempt due next, from 1 (the first action); 0 when Done
	From    int64 // when the interval began: entering the stage, or the last attempt (Unix s)
	Due     int64 // when the attempt is due (Unix s); Never when the calendar never works
	Done    bool  // the rhythm asks for nothing more
}

// Next returns the step of the rhythm of sla in calendar cal for a lead
// that entered its stage at entered and was acted on at the instants acts
// since (sorted, Unix seconds).
func Next(sla qualify.SLA, cal *Calendar, entered int64, acts []int64) Step {
	n := len(acts)
	switch {
	case sla.Within <= 0 && sla.Every <= 0:
		return Step{Done: true}
	case sla.Attempts > 0 && n >= sla.Attempts:
		return Step{Done: true}
	case n == 0:
		if sla.Within <= 0 {
			return Step{Attempt: 1, From: entered, Due: cal.Add(entered, time.Duration(sla.Every)*time.Second)}
		}
		return Step{Attempt: 1, From: entered, Due: cal.Add(entered, time.Duration(sla.Within)*time.Second)}
	case sla.Every <= 0:
		return Step{Done: true}
	}
	last := acts[n-1]
	return Step{Attempt: n + 1, From: last, Due: cal.Add(last, time.Duration(sla.Every)*time.Second)}
}

// At returns the instant at share (0 to 1) of the step's business time:
// At(cal, 0.75) is when three quarters of the time to the step's due time
// have passed. A step that is Done, or due Never, has no such instant:
// At returns Never.
func (s Step) At(cal *Calendar, share float64) int64 {
	if s.Done || s.Due == Never {
		return Never
	}
	if share >= 1 {
		return s.Due
	}
	if share <= 0 {
		return s.From
	}
	d := cal.Between(s.From, s.Due)
	return cal.Add(s.From, time.Duration(float64(d/time.Second)*share)*time.Second)
}

// Attempt is one attempt of a rhythm as it went: when it was due, when it
// was made (0: not made yet) and whether in time.
type Attempt struct {
	Due    int64
	Made   int64
	OnTime bool
}

// Measure returns the attempts a rhythm asked for up to now, for a lead
// that entered its stage at entered and was acted on at acts (sorted) in
// it, and the business time to the first action (-1 when there was none):
// what speed to lead and rhythm compliance are measured from. Attempts not
// made that are not due by now are left out; an attempt made is on time
// when it was made by its due time. With no limit on attempts, it
// measures the attempts made and the one due next.
func Measure(sla qualify.SLA, cal *Calendar, entered int64, acts []int64, now int64) (attempts []Attempt, first time.Duration) {
	first = -1
	if len(acts) > 0 {
		first = cal.Between(entered, acts[0])
	}
	for i := 0; ; i++ {
		s := Next(sla, cal, entered, acts[:min(i, len(acts))])
		if s.Done || s.Attempt != i+1 {
			return attempts, first
		}
		if i < len(acts) {
			attempts = append(attempts, Attempt{Due: s.Due, Made: acts[i], OnTime: acts[i] <= s.Due})
			continue
		}
		if s.Due <= now {
			attempts = append(attempts, Attempt{Due: s.Due})
		}
		return attempts, first
	}
}

// StageCalendar returns the calendar the SLA clocks of a stage run in:
// that of the team its SLA names, or Always when the routing has no such
// team. r may be nil.
func (r *Routing) StageCalendar(sla qualify.SLA) *Calendar {
	if r != nil {
		if t := r.Team(sla.Owner); t != nil {
			return &t.Calendar
		}
	}
	return Always
}

// Always is the calendar of every instant: clocks in wall-clock time.
var Always = &Calendar{}

// DefaultWarn is the share of an attempt's time at which its owner is
// warned when the routing sets none.
const DefaultWarn = 0.75

// WarnShare returns the share of an attempt's business time at which its
// owner is warned that it is coming due. r may be nil.
func (r *Routing) WarnShare() float64 {
	if r == nil || r.Warn <= 0 || r.Warn > 1 {
		return DefaultWarn
	}
	return r.Warn
}
