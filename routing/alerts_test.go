package routing_test

import (
	"strings"
	"testing"

	"github.com/winnowhq/winnow/routing"
)

// NextWorking is the instant itself in working time, else the start of
// the next working interval: over lunch, the night, a weekend, Christmas.
func TestNextWorking(t *testing.T) {
	c := berlin(t)
	for _, tc := range []struct{ at, want string }{
		{"2026-03-02 10:00", "2026-03-02 10:00 Mon"}, // 11:00 in Berlin: working
		{"2026-03-02 11:30", "2026-03-02 12:00 Mon"}, // lunch
		{"2026-03-02 16:00", "2026-03-03 08:00 Tue"}, // 17:00: the close
		{"2026-03-06 20:00", "2026-03-09 08:00 Mon"}, // Friday night
		{"2026-12-23 17:00", "2026-12-28 08:00 Mon"}, // Christmas
	} {
		if got := fmtUTC(c.NextWorking(utc(t, tc.at))); got != tc.want {
			t.Errorf("NextWorking(%s) = %s, want %s", tc.at, got, tc.want)
		}
	}
	if got := (&routing.Calendar{}).NextWorking(42); got != 42 {
		t.Errorf("the calendar of every instant: %d", got)
	}
}

// An alert to a person waits out their quiet time: by default outside
// their team's working hours; in a window of the day (past midnight or
// not) in the team's zone; or never.
func TestSend(t *testing.T) {
	r := &routing.Routing{Teams: []routing.Team{{Name: "SDR", Calendar: *berlin(t), People: []routing.Person{{Name: "Ana"}}}}}
	if err := r.Compile(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		quiet    string
		at, want string
	}{
		{"working hours", "2026-03-02 10:00", "2026-03-02 10:00 Mon"},
		{"working hours", "2026-03-02 20:00", "2026-03-03 08:00 Tue"},
		{"20:00-08:00", "2026-03-02 20:00", "2026-03-03 07:00 Tue"}, // 21:00 in Berlin → 08:00
		{"20:00-08:00", "2026-03-02 04:00", "2026-03-02 07:00 Mon"},
		{"20:00-08:00", "2026-03-07 12:00", "2026-03-07 12:00 Sat"}, // a window, not the working days
		{"12:00-14:00", "2026-03-02 11:30", "2026-03-02 13:00 Mon"},
		{"none", "2026-03-07 23:00", "2026-03-07 23:00 Sat"},
	} {
		q, ok := routing.ParseQuiet(tc.quiet)
		if !ok || q.String() != tc.quiet {
			t.Fatalf("ParseQuiet(%q) = %v %v", tc.quiet, q, ok)
		}
		r.Alerts.Quiet = q
		if got := fmtUTC(r.Send("SDR", utc(t, tc.at))); got != tc.want {
			t.Errorf("quiet %s: Send(%s) = %s, want %s", tc.quiet, tc.at, got, tc.want)
		}
	}
	if got := r.Send("Nobody", 42); got != 42 {
		t.Errorf("a team the routing does not have: %d", got)
	}
	for _, bad := range []string{"22:00-22:00", "8-9", "20:00", "25:00-08:00", "sometimes"} {
		if _, ok := routing.ParseQuiet(bad); ok {
			t.Errorf("ParseQuiet(%q) passed", bad)
		}
	}
}

// Compile refuses alerts the content reader would have refused.
func TestCompileAlerts(t *testing.T) {
	r := &routing.Routing{Teams: []routing.Team{{Name: "SDR", People: []routing.Person{{Name: "Ana"}}}}, Warn: 1.2,
		Alerts: routing.Alerts{Digest: true, DigestAt: 24 * 60, Quiet: routing.Quiet{Mode: routing.QuietWindow, From: 60, To: 60}}}
	err := r.Compile()
	if err == nil {
		t.Fatal("no problem found")
	}
	for _, want := range []string{"warn at 120 %", "digest at 24:00", "quiet 01:00-01:00"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v: want it to say %q", err, want)
		}
	}
}
