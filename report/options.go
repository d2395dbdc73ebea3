package report

import (
	"strconv"
	"time"

	"github.com/winnowhq/winnow/routing"
)

// Month is a calendar month. The zero Month is no month.
type Month struct {
	Year  int
	Month time.Month
}

// MonthOf returns the month t falls in, in loc.
func MonthOf(t time.Time, loc *time.Location) Month {
	y, m, _ := t.In(loc).Date()
	return Month{y, m}
}

// ParseMonth reads a month written "2026-03".
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || len(s) != 7 {
		return Month{}, &OptionError{Message: strconv.Quote(s) + " is not a month: write it as 2026-03"}
	}
	return Month{t.Year(), t.Month()}, nil
}

// IsZero reports whether m is the zero Month.
func (m Month) IsZero() bool { return m == Month{} }

// String returns m as "2026-03".
func (m Month) String() string {
	y := strconv.Itoa(m.Year)
	for len(y) < 4 {
		y = "0" + y
	}
	mm := strconv.Itoa(int(m.Month))
	if len(mm) < 2 {
		mm = "0" + mm
	}
	return y + "-" + mm
}

// Add returns the month n months after m (before, for a negative n).
func (m Month) Add(n int) Month {
	i := m.index() + n
	return Month{i / 12, time.Month(i%12 + 1)}
}

// Start returns the first instant of m in loc.
func (m Month) Start(loc *time.Location) time.Time {
	return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, loc)
}

// index counts months from year 0, for arithmetic.
func (m Month) index() int { return m.Year*12 + int(m.Month) - 1 }

// MaxMonths is the most months a report covers.
const MaxMonths = 120

// Options choose the range and the clock of a report, and the calendars
// its SLA clocks run in.
type Options struct {
	// From and To are the first and the last month of the range. A zero
	// To is the month of Now; a zero From is 12 months before To, so the
	// default range is the last 12 full months and the current one.
	From, To Month
	// Location is the zone months are cut in; nil is UTC.
	Location *time.Location
	// Now is the instant SLA breaches and ages are measured at; the zero
	// time is time.Now().
	Now time.Time
	// Routing holds the teams whose business calendars SLA clocks run in
	// (see Contribute); nil: every clock runs in wall-clock time. Build
	// reads it; Assemble, given sums already counted, does not.
	Routing *routing.Routing
}

// OptionError is an option a report cannot be computed with.
type OptionError struct {
	Option  string // "from", "to" or "tz"
	Message string
}

func (e *OptionError) Error() string {
	if e.Option == "" {
		return e.Message
	}
	return e.Option + ": " + e.Message
}

// ParseOptions reads a report's range as the API and the command take it:
// months written "2026-03" and an IANA time zone such as "Europe/Paris",
// each "" for the default. Errors are *OptionError naming the option.
func ParseOptions(from, to, tz string, now time.Time) (Options, error) {
	return ParseOptionsZones(from, to, tz, now, time.LoadLocation)
}

// ParseOptionsZones is ParseOptions with the time zones read by zones,
// where the zone database is not the machine's (at the edge, the site's
// copy of it).
func ParseOptionsZones(from, to, tz string, now time.Time, zones func(name string) (*time.Location, error)) (Options, error) {
	o := Options{Now: now}
	var err error
	if from != "" {
		if o.From, err = ParseMonth(from); err != nil {
			err.(*OptionError).Option = "from"
			return o, err
		}
	}
	if to != "" {
		if o.To, err = ParseMonth(to); err != nil {
			err.(*OptionError).Option = "to"
			return o, err
		}
	}
	if tz != "" {
		if tz == "Local" {
			return o, &OptionError{"tz", `"Local" depends on the machine: name a zone such as Europe/Paris`}
		}
		loc, err := zones(tz)
		if err != nil {
			return o, &OptionError{"tz", strconv.Quote(tz) + " is not a known time zone: name one such as Europe/Paris or UTC"}
		}
		o.Location = loc
	}
	return o, o.resolve()
}

// resolve fills in the defaults and checks the range.
func (o *Options) resolve() error {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.To.IsZero() {
		o.To = MonthOf(o.Now, o.Location)
	}
	if o.From.IsZero() {
		o.From = o.To.Add(-12)
	}
	if o.From.index() > o.To.index() {
		return &OptionError{"from", "the range starts at " + o.From.String() + ", after its end " + o.To.String()}
	}
	if n := o.To.index() - o.From.index() + 1; n > MaxMonths {
		return &OptionError{"to", "the range covers " + strconv.Itoa(n) + " months, more than " + strconv.Itoa(MaxMonths)}
	}
	return nil
}
