package routing

import (
	"testing"
	"time"

	"github.com/winnowhq/winnow/qualify"
)

func TestRhythm(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	cal := &Calendar{Zone: paris}
	for d := time.Monday; d <= time.Friday; d++ {
		cal.Hours[d] = []Span{{9 * 60, 17 * 60}}
	}
	at := func(s string) int64 {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
		if err != nil {
			t.Fatal(err)
		}
		return tm.Unix()
	}
	show := func(u int64) string { return time.Unix(u, 0).In(paris).Format("Mon 2006-01-02 15:04") }
	sla := qualify.SLA{Within: 4 * 3600, Every: 24 * 3600, Attempts: 3}
	// Entered on Friday at 16:00: an hour on Friday, three on Monday.
	entered := at("2026-12-04 16:00")
	s := Next(sla, cal, entered, nil)
	if s.Attempt != 1 || show(s.Due) != "Mon 2026-12-07 12:00" {
		t.Fatalf("first action: attempt %d due %s", s.Attempt, show(s.Due))
	}
	if got := show(s.At(cal, 0.75)); got != "Mon 2026-12-07 11:00" {
		t.Errorf("75 %% of the first interval: %s", got)
	}
	acts := []int64{at("2026-12-07 10:00")}
	s = Next(sla, cal, entered, acts)
	// A day of business time is three working days of 8 hours.
	if s.Attempt != 2 || s.From != acts[0] || show(s.Due) != "Thu 2026-12-10 10:00" {
		t.Fatalf("follow-up: attempt %d due %s", s.Attempt, show(s.Due))
	}
	acts = append(acts, at("2026-12-11 09:00"), at("2026-12-11 10:00"))
	if s = Next(sla, cal, entered, acts); !s.Done || s.At(cal, 0.5) != Never {
		t.Fatalf("after 3 attempts: %+v", s)
	}
	got, first := Measure(sla, cal, entered, acts, at("2026-12-20 00:00"))
	if first != 2*time.Hour || len(got) != 3 || !got[0].OnTime || got[1].OnTime || !got[2].OnTime {
		t.Fatalf("measure: first %v, attempts %+v", first, got)
	}
	// Not acted on: the first attempt is listed once due, missed.
	got, first = Measure(sla, cal, entered, nil, at("2026-12-07 11:00"))
	if first != -1 || len(got) != 0 {
		t.Fatalf("before due: %v %+v", first, got)
	}
	got, _ = Measure(sla, cal, entered, nil, at("2026-12-07 12:00"))
	if len(got) != 1 || got[0].Made != 0 || got[0].OnTime {
		t.Fatalf("at due: %+v", got)
	}
	// First action only.
	if s := Next(qualify.SLA{Within: 3600}, cal, entered, acts[:1]); !s.Done {
		t.Errorf("without every, one action is enough: %+v", s)
	}
	// Without a routing, clocks run in wall-clock time.
	var r *Routing
	if s := Next(sla, r.StageCalendar(sla), entered, nil); s.Due != entered+4*3600 {
		t.Errorf("wall clock: due %s", show(s.Due))
	}
}
