package routing_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/routing"
)

func mustZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// utc is the instant of a UTC wall-clock time "2026-03-27 15:00".
func utc(tb testing.TB, s string) int64 {
	tb.Helper()
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		tb.Fatal(err)
	}
	return t.Unix()
}

func fmtUTC(t int64) string {
	if t == routing.Never {
		return "never"
	}
	return time.Unix(t, 0).UTC().Format("2006-01-02 15:04 Mon")
}

// berlin works Monday to Friday 09:00-12:00 and 13:00-17:00 in
// Europe/Berlin, less Christmas.
func berlin(tb testing.TB) *routing.Calendar {
	day := []routing.Span{{From: 9 * 60, To: 12 * 60}, {From: 13 * 60, To: 17 * 60}}
	c := &routing.Calendar{Zone: mustZone(tb, "Europe/Berlin")}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		c.Hours[wd] = day
	}
	c.Holidays = []routing.Date{{Year: 2026, Month: 12, Day: 24}, {Year: 2026, Month: 12, Day: 25}, {Year: 2026, Month: 12, Day: 31}}
	return c
}

// nights works Sundays 00:00-06:00 in Europe/Berlin: the hours the clocks
// change.
func nights(tb testing.TB) *routing.Calendar {
	c := &routing.Calendar{Zone: mustZone(tb, "Europe/Berlin")}
	c.Hours[time.Sunday] = []routing.Span{{From: 0, To: 6 * 60}}
	return c
}

// wholeDays works every day whole in Europe/Berlin but New Year's Day.
func wholeDays(tb testing.TB) *routing.Calendar {
	return &routing.Calendar{Zone: mustZone(tb, "Europe/Berlin"), Holidays: []routing.Date{{Year: 2027, Month: 1, Day: 1}}}
}

func TestCalendarAdd(t *testing.T) {
	// Berlin is UTC+1 in winter (CET), UTC+2 in summer (CEST): summer
	// time runs from 2026-03-29 01:00 UTC to 2026-10-25 01:00 UTC.
	tests := []struct {
		name string
		cal  *routing.Calendar
		from string // UTC
		d    time.Duration
		want string // UTC
	}{
		{"within a span", berlin(t), "2026-01-12 09:00", time.Hour, "2026-01-12 10:00"},
		{"over lunch", berlin(t), "2026-01-12 10:30", time.Hour, "2026-01-12 12:30"},
		{"ends at closing, not the next morning", berlin(t), "2026-01-12 15:00", time.Hour, "2026-01-12 16:00"},
		{"zero from outside hours", berlin(t), "2026-01-12 20:00", 0, "2026-01-12 20:00"},
		{"from the night", berlin(t), "2026-01-12 22:00", time.Minute, "2026-01-13 08:01"},
		{"Friday evening to Monday morning", berlin(t), "2026-01-16 15:00", 2 * time.Hour, "2026-01-19 09:00"},
		{"Friday night to Monday", berlin(t), "2026-01-16 19:00", time.Hour, "2026-01-19 09:00"},
		{"one business day", berlin(t), "2026-01-14 10:00", 7 * time.Hour, "2026-01-15 10:00"},
		{"a week", berlin(t), "2026-01-14 10:00", 35 * time.Hour, "2026-01-21 10:00"},
		{"into summer time", berlin(t), "2026-03-27 15:00", 2 * time.Hour, "2026-03-30 08:00"},
		{"into winter time", berlin(t), "2026-10-23 14:00", 2 * time.Hour, "2026-10-26 09:00"},
		{"over Christmas", berlin(t), "2026-12-23 15:00", 2 * time.Hour, "2026-12-28 09:00"},
		{"over New Year's Eve", berlin(t), "2026-12-30 15:00", 2 * time.Hour, "2027-01-01 09:00"},
		{"whole seconds count", berlin(t), "2026-01-12 08:00", 2*time.Minute + 500*time.Millisecond, "2026-01-12 08:02"},
		{"the night clocks go forward is 5 hours", nights(t), "2026-03-28 23:00", 5 * time.Hour, "2026-03-29 04:00"},
		{"and one more hour is the next Sunday", nights(t), "2026-03-28 23:00", 6 * time.Hour, "2026-04-04 23:00"},
		{"the night clocks go back is 7 hours", nights(t), "2026-10-24 22:00", 7 * time.Hour, "2026-10-25 05:00"},
		{"a whole day in spring is 23 hours", wholeDays(t), "2026-03-28 23:00", 23 * time.Hour, "2026-03-29 22:00"},
		{"a whole day in autumn is 25 hours", wholeDays(t), "2026-10-24 22:00", 25 * time.Hour, "2026-10-25 23:00"},
		{"a holiday whole days skip", wholeDays(t), "2026-12-31 22:00", 2 * time.Hour, "2027-01-02 00:00"},
		{"zero calendar", &routing.Calendar{}, "2026-01-16 19:00", 90 * time.Minute, "2026-01-16 20:30"},
		{"never", &routing.Calendar{Hours: [7][]routing.Span{time.Monday: {{From: 0, To: 60}}}}, "2026-01-16 19:00", 10000 * time.Hour, "never"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := utc(t, tt.from)
			got := tt.cal.Add(from, tt.d)
			want := routing.Never
			if tt.want != "never" {
				want = utc(t, tt.want)
			}
			if got != want {
				t.Errorf("Add(%s, %v) = %s, want %s", fmtUTC(from), tt.d, fmtUTC(got), fmtUTC(want))
			}
			if want != routing.Never {
				if b := tt.cal.Between(from, got); b != tt.d.Truncate(time.Second) {
					t.Errorf("Between(%s, %s) = %v, want %v", fmtUTC(from), fmtUTC(got), b, tt.d)
				}
			}
		})
	}
}

func TestCalendarBetween(t *testing.T) {
	tests := []struct {
		name string
		cal  *routing.Calendar
		a, b string // UTC
		want time.Duration
	}{
		{"same instant", berlin(t), "2026-01-12 09:00", "2026-01-12 09:00", 0},
		{"a night", berlin(t), "2026-01-12 17:00", "2026-01-13 07:00", 0},
		{"a working day", berlin(t), "2026-01-12 00:00", "2026-01-13 00:00", 7 * time.Hour},
		{"a week", berlin(t), "2026-01-12 00:00", "2026-01-19 00:00", 35 * time.Hour},
		{"backwards", berlin(t), "2026-01-13 00:00", "2026-01-12 00:00", -7 * time.Hour},
		{"Friday evening to Monday morning", berlin(t), "2026-01-16 15:00", "2026-01-19 09:00", 2 * time.Hour},
		{"the week of Christmas", berlin(t), "2026-12-21 00:00", "2026-12-28 00:00", 21 * time.Hour},
		{"the week summer time starts", berlin(t), "2026-03-23 00:00", "2026-03-30 00:00", 35 * time.Hour},
		{"a year", berlin(t), "2026-01-01 00:00", "2027-01-01 00:00", (261 - 3) * 7 * time.Hour},
		{"the night clocks go forward", nights(t), "2026-03-28 00:00", "2026-03-30 00:00", 5 * time.Hour},
		{"the night clocks go back", nights(t), "2026-10-24 00:00", "2026-10-26 00:00", 7 * time.Hour},
		{"whole days over summer time", wholeDays(t), "2026-03-27 23:00", "2026-03-30 22:00", 71 * time.Hour},
		{"whole days over a holiday", wholeDays(t), "2026-12-30 23:00", "2027-01-02 23:00", 48 * time.Hour},
		{"zero calendar", &routing.Calendar{}, "2026-01-12 00:00", "2026-01-13 00:00", 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cal.Between(utc(t, tt.a), utc(t, tt.b)); got != tt.want {
				t.Errorf("Between(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestCalendarWorking(t *testing.T) {
	tests := []struct {
		cal  *routing.Calendar
		at   string // UTC
		want bool
	}{
		{berlin(t), "2026-01-12 08:00", true},  // Monday 09:00
		{berlin(t), "2026-01-12 07:59", false}, // Monday 08:59
		{berlin(t), "2026-01-12 11:30", false}, // lunch
		{berlin(t), "2026-01-12 15:59", true},
		{berlin(t), "2026-01-12 16:00", false}, // 17:00: closed
		{berlin(t), "2026-01-17 10:00", false}, // Saturday
		{berlin(t), "2026-07-13 07:30", true},  // 09:30 summer time
		{berlin(t), "2026-07-13 15:30", false}, // 17:30 summer time
		{berlin(t), "2026-12-24 10:00", false}, // holiday
		{nights(t), "2026-03-29 03:00", true},  // 05:00 summer time
		{nights(t), "2026-03-29 04:00", false}, // 06:00 summer time
		{wholeDays(t), "2027-01-01 12:00", false},
		{wholeDays(t), "2026-12-31 22:59", true},
		{wholeDays(t), "2026-12-31 23:00", false}, // midnight in Berlin
		{&routing.Calendar{}, "2026-01-17 03:00", true},
	}
	for _, tt := range tests {
		if got := tt.cal.Working(utc(t, tt.at)); got != tt.want {
			t.Errorf("Working(%s) = %v, want %v", tt.at, got, tt.want)
		}
	}
}

// TestCalendarRoundTrip checks Between(a, Add(a, d)) == d, that Add is
// monotonic in d and that the instant Add reaches after a positive d is
// working time or the end of some.
func TestCalendarRoundTrip(t *testing.T) {
	newYork := &routing.Calendar{Zone: mustZone(t, "America/New_York")}
	for wd := time.Monday; wd <= time.Saturday; wd++ {
		newYork.Hours[wd] = []routing.Span{{From: 8*60 + 30, To: 12 * 60}, {From: 12*60 + 45, To: 18*60 + 15}}
	}
	newYork.Hours[time.Sunday] = []routing.Span{{From: 60, To: 3 * 60}} // the hours clocks change at
	newYork.Holidays = []routing.Date{{Year: 2026, Month: 7, Day: 3}, {Year: 2026, Month: 11, Day: 26}, {Year: 2027, Month: 1, Day: 1}}
	cals := map[string]*routing.Calendar{
		"berlin": berlin(t), "nights": nights(t), "whole days": wholeDays(t), "new york": newYork, "zero": {},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start, end := utc(t, "2026-01-01 00:00"), utc(t, "2028-01-01 00:00")
	for name, c := range cals {
		for range 2000 {
			a := start + rng.Int64N(end-start)
			d := time.Duration(rng.Int64N(400*3600)) * time.Second
			if rng.IntN(4) == 0 {
				d = time.Duration(rng.Int64N(3*3600)) * time.Second
			}
			b := c.Add(a, d)
			if got := c.Between(a, b); got != d {
				t.Fatalf("%s: Between(%s, Add(.., %v) = %s) = %v", name, fmtUTC(a), d, fmtUTC(b), got)
			}
			if d > 0 && !c.Working(b-1) {
				t.Fatalf("%s: Add(%s, %v) = %s, after a second not worked", name, fmtUTC(a), d, fmtUTC(b))
			}
			if b2 := c.Add(a, d+time.Second); b2 <= b {
				t.Fatalf("%s: Add(%s, %v) = %s, one second more %s", name, fmtUTC(a), d, fmtUTC(b), fmtUTC(b2))
			}
		}
	}
}

func TestCalendarCheck(t *testing.T) {
	c := routing.Calendar{}
	c.Hours[time.Monday] = []routing.Span{{From: 9 * 60, To: 8 * 60}}
	c.Hours[time.Tuesday] = []routing.Span{{From: 13 * 60, To: 17 * 60}, {From: 9 * 60, To: 12 * 60}}
	c.Hours[time.Wednesday] = []routing.Span{{From: 9 * 60, To: 25 * 60}}
	c.Holidays = []routing.Date{{Year: 2026, Month: 2, Day: 30}}
	r := &routing.Routing{Teams: []routing.Team{{Name: "sales", Calendar: c}}}
	err := r.Compile()
	if err == nil {
		t.Fatal("Compile accepted bad hours")
	}
	for _, want := range []string{
		"team sales: working hours 09:00-08:00 on Monday are not a time span within a day",
		"team sales: working hours 09:00-12:00 on Tuesday overlap or come before 13:00-17:00",
		"team sales: working hours 09:00-1500min on Wednesday are not a time span within a day",
		"team sales: holiday 2026-02-30 is not a date",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Compile() = %v\nwant it to say %q", err, want)
		}
	}
}

func BenchmarkCalendarAdd(b *testing.B) {
	c := berlin(b)
	from := utc(b, "2026-01-16 15:00")
	for _, d := range []time.Duration{time.Hour, 7 * time.Hour, 5 * 7 * time.Hour, 258 * 7 * time.Hour} {
		b.Run(d.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if c.Add(from, d) == routing.Never {
					b.Fatal("never")
				}
			}
		})
	}
}

func BenchmarkCalendarBetween(b *testing.B) {
	c := berlin(b)
	a := utc(b, "2026-01-16 15:00")
	b.ReportAllocs()
	for b.Loop() {
		c.Between(a, a+7*86400)
	}
}
