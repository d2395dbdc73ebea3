package routing

import (
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/qualify"
)

// Alerts says what the owners of leads are told, and when
// (content/routing.yaml, alerts). The zero Alerts tells nobody anything;
// escalations happen whatever it says.
type Alerts struct {
	// Assigned tells a person of each lead they are given (and a team's
	// channel of a lead nobody could take).
	Assigned bool
	// HotTier and HotStage tell the owner of a lead that reaches the tier
	// (from another) or enters the stage; "" for neither.
	HotTier, HotStage string
	// Warn tells the owner that an attempt of a stage's rhythm is coming
	// due, at Routing.Warn of its business time.
	Warn bool
	// Breach tells the owner that an attempt is past due: the new owner,
	// when the lead's team escalates it.
	Breach bool
	// Digest sends each person, on the working days of their team, a list
	// of their open leads at DigestAt (minutes after midnight in the
	// team's time zone).
	Digest   bool
	DigestAt int
	// Quiet is when alerts to a person wait.
	Quiet Quiet
}

// Quiet is when the alerts to a person wait, to go out at the first
// instant after it: outside their team's working hours (QuietOffHours,
// the zero Quiet), within a window of the day in their team's time zone
// (QuietWindow), or never (QuietNever). It delays what a person is told,
// never an escalation.
type Quiet struct {
	Mode QuietMode
	// From and To bound the window of QuietWindow, in minutes after
	// midnight; a window with From after To runs past midnight
	// (20:00-08:00).
	From, To int
}

// QuietMode is a kind of Quiet.
type QuietMode uint8

// Kinds of Quiet.
const (
	QuietOffHours QuietMode = iota // outside the team's working hours
	QuietWindow                    // within Quiet.From to Quiet.To each day
	QuietNever                     // alerts go at once
)

// Send returns the instant an alert raised at t (Unix seconds) to a
// person of team goes out: t, or the end of the quiet time it falls in.
// An alert for a team the routing does not have, or whose calendar never
// works, goes at once. r may be nil.
func (r *Routing) Send(team string, t int64) int64 {
	if r == nil {
		return t
	}
	tm := r.Team(team)
	if tm == nil {
		return t
	}
	q := r.Alerts.Quiet
	switch q.Mode {
	case QuietOffHours:
		if next := tm.Calendar.NextWorking(t); next != Never {
			return next
		}
	case QuietWindow:
		return q.after(tm.Calendar.zone(), t)
	}
	return t
}

// after returns the first instant at or after t outside the window, in
// loc: t itself when it is outside.
func (q Quiet) after(loc *time.Location, t int64) int64 {
	if q.From == q.To {
		return t
	}
	lt := time.Unix(t, 0).In(loc)
	y, m, d := lt.Date()
	min := lt.Hour()*60 + lt.Minute()
	var end time.Time
	switch {
	case q.From < q.To && min >= q.From && min < q.To: // 12:00-14:00 at 13:00
		end = time.Date(y, m, d, 0, q.To, 0, 0, loc)
	case q.From > q.To && min >= q.From: // 20:00-08:00 at 22:00
		end = time.Date(y, m, d+1, 0, q.To, 0, 0, loc)
	case q.From > q.To && min < q.To: // 20:00-08:00 at 06:00
		end = time.Date(y, m, d, 0, q.To, 0, 0, loc)
	default:
		return t
	}
	return max(end.Unix(), t)
}

// NextWorking returns the first instant at or after t (Unix seconds) that
// is working time: t itself when it is, Never when the calendar does not
// work again within MaxDays.
func (c *Calendar) NextWorking(t int64) int64 {
	if c.always() {
		return t
	}
	at := Never
	c.days(t, func(a, b int64) bool {
		if b <= t {
			return true
		}
		at = max(a, t)
		return false
	})
	return at
}

// Location returns the calendar's time zone: UTC when none is set.
func (c *Calendar) Location() *time.Location { return c.zone() }

// check adds the problems of the alerts (warned at share warn) to ds, at
// pos.
func (a *Alerts) check(ds *qualify.Diags, pos qualify.Pos, warn float64) {
	if warn < 0 || warn >= 1 {
		ds.Add(pos, "alerts: warn at "+strconv.FormatFloat(warn*100, 'f', -1, 64)+" % of an attempt's time, not between 1 % and 99 %")
	}
	if a.Digest && (a.DigestAt < 0 || a.DigestAt >= MinutesPerDay) {
		ds.Add(pos, "alerts: digest at "+clock(a.DigestAt)+", not a time of day")
	}
	if q := a.Quiet; q.Mode == QuietWindow && (q.From < 0 || q.To < 0 || q.From >= MinutesPerDay || q.To >= MinutesPerDay || q.From == q.To) {
		ds.Add(pos, "alerts: quiet "+q.String()+" is not a window of the day")
	}
}

// Words of Quiet as routing.yaml writes it.
const (
	QuietOffHoursText = "working hours"
	QuietNeverText    = "none"
)

// String writes q as routing.yaml does: "working hours", "none", or the
// window, "20:00-08:00".
func (q Quiet) String() string {
	switch q.Mode {
	case QuietWindow:
		return clock(q.From) + "-" + clock(q.To)
	case QuietNever:
		return QuietNeverText
	}
	return QuietOffHoursText
}

// ParseQuiet reads what String writes; "" is working hours.
func ParseQuiet(s string) (Quiet, bool) {
	switch s {
	case "", QuietOffHoursText:
		return Quiet{}, true
	case QuietNeverText:
		return Quiet{Mode: QuietNever}, true
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Quiet{}, false
	}
	from, okA := ParseClock(strings.TrimSpace(a))
	to, okB := ParseClock(strings.TrimSpace(b))
	if !okA || !okB || from == to || from == MinutesPerDay || to == MinutesPerDay {
		return Quiet{}, false
	}
	return Quiet{Mode: QuietWindow, From: from, To: to}, true
}

// ParseClock reads a time of day written 09:00 or 9:00 (up to 24:00) as
// minutes after midnight.
func ParseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 || strings.ContainsAny(h+m, "+-") {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || mm > 59 || hh > 24 || hh == 24 && mm != 0 {
		return 0, false
	}
	return hh*60 + mm, true
}
