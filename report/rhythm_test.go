package report_test

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/routing"
)

// testRouting has two of testModel's teams, SDR and AE, at work from
// Monday to Friday, 09:00 to 17:00 UTC, SDR off on Good Friday (3 April
// 2026). Ops, the bad leads' owner, is no team of it: its clocks run in
// wall-clock time.
func testRouting() *routing.Routing {
	var week [7][]routing.Span
	for d := time.Monday; d <= time.Friday; d++ {
		week[d] = []routing.Span{{From: 9 * 60, To: 17 * 60}}
	}
	return &routing.Routing{Teams: []routing.Team{
		{Name: "SDR", Calendar: routing.Calendar{Zone: time.UTC, Hours: week, Holidays: []routing.Date{{Year: 2026, Month: time.April, Day: 3}}}},
		{Name: "AE", Calendar: routing.Calendar{Hours: week}},
	}}
}

// rhythmModel is testModel with rhythms: an MQL is called within 4
// business hours, then every 8 (a working day) up to 3 attempts; an SAL
// within 8 hours, once; an opportunity within 2 hours, then every 8,
// without a limit.
func rhythmModel() *qualify.Model {
	m := testModel()
	for i := range m.Stages {
		s := &m.Stages[i].SLA
		switch m.Stages[i].Name {
		case "MQL":
			*s = qualify.SLA{Owner: "SDR", Within: 4 * 3600, Every: 8 * 3600, Attempts: 3}
		case "SAL":
			*s = qualify.SLA{Owner: "SDR", Within: 8 * 3600}
		case "opportunity":
			*s = qualify.SLA{Owner: "AE", Within: 2 * 3600, Every: 8 * 3600}
		}
	}
	return m
}

// A lead that enters a stage on Friday evening is due on Monday, in the
// business hours of the team the stage's SLA names: its clock is not
// breached over the weekend, and an action on Monday morning is in time.
// A holiday of the team is no working day; a stage whose owner is no
// team of the routing, or a report without a routing, runs in wall-clock
// time.
func TestSLABusinessTime(t *testing.T) {
	m, r := rhythmModel(), testRouting()
	zones := []*time.Location{time.UTC}
	friday := report.Lead{ID: "F", CreatedAt: at("2026-03-06 18:00"), Team: "SDR", Owner: "cy",
		Events: []report.Event{ev("MQL", "winnow", "2026-03-06 18:00")}}
	for _, c := range []struct {
		name string
		r    *routing.Routing
		lead report.Lead
		due  string
	}{
		{"Friday 18:00, 4 business hours", r, friday, "2026-03-09 13:00"},
		{"Friday 18:00, wall-clock", nil, friday, "2026-03-06 22:00"},
		{"Thursday 16:00 before Good Friday", r, report.Lead{ID: "G", CreatedAt: at("2026-04-02 16:00"),
			Events: []report.Event{ev("MQL", "winnow", "2026-04-02 16:00")}}, "2026-04-06 12:00"},
		{"an opportunity, AE works on Good Friday", r, report.Lead{ID: "O", CreatedAt: at("2026-04-02 16:00"),
			Events: []report.Event{ev("opportunity", "winnow", "2026-04-02 16:00")}}, "2026-04-03 10:00"},
		{"a bad lead, Ops is no team", r, report.Lead{ID: "B", CreatedAt: at("2026-03-06 18:00"),
			Events: []report.Event{ev("bad lead", "winnow", "2026-03-06 18:00")}}, "2026-03-09 18:00"},
	} {
		_, clocks := report.Contribute(m, c.r, zones, &c.lead)
		if len(clocks) != 1 || !clocks[0].DueAt.Equal(at(c.due)) || !clocks[0].EnteredAt.Equal(c.lead.CreatedAt) {
			t.Errorf("%s: clocks %+v, want one due %s", c.name, clocks, c.due)
		}
	}

	o := report.Options{From: report.Month{Year: 2026, Month: 3}, To: report.Month{Year: 2026, Month: 3}, Routing: r}
	sla := func(now string, leads ...report.Lead) (report.SLA, []report.Breach) {
		t.Helper()
		o.Now = at(now)
		rep, err := report.Build(m, o, leads)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range rep.SLA {
			if s.Stage == "MQL" {
				return s, rep.Breaches
			}
		}
		t.Fatal("no SLA row for MQL")
		return report.SLA{}, nil
	}
	// Monday 12:00: not due yet; 13:30: half an hour over.
	if s, b := sla("2026-03-09 12:00", friday); s.NotDue != 1 || s.Breached != 0 || len(b) != 0 {
		t.Errorf("Monday 12:00: %+v, breaches %+v; want one not due", s, b)
	}
	s, b := sla("2026-03-09 13:30", friday)
	want := []report.Breach{{Lead: "F", Stage: "MQL", Owner: "SDR", EnteredAt: at("2026-03-06 18:00"), DueAt: at("2026-03-09 13:00"),
		AgeSeconds: (2*24+19)*3600 + 1800, OverSeconds: 1800}}
	if s.Breached != 1 || !reflect.DeepEqual(b, want) {
		t.Errorf("Monday 13:30: %+v, breaches %+v; want %+v", s, b, want)
	}
	// Called on Monday at 12:00: in time.
	called := friday
	called.Events = append(called.Events[:1:1], ev("contacted", "cy", "2026-03-09 12:00"))
	if s, _ := sla("2026-03-10 12:00", called); s.Met != 1 || s.Late != 0 || s.Rhythm.Running != 1 || s.Rhythm.OnTime != 1 {
		t.Errorf("called on Monday morning: %+v, want met and the rhythm running", s)
	}
	// Without the routing, the call was 14 hours late.
	o.Routing = nil
	if s, _ := sla("2026-03-10 12:00", called); s.Met != 0 || s.Late != 1 || s.Rhythm.Broken != 1 || s.Rhythm.Late != 1 {
		t.Errorf("called on Monday morning, in wall-clock time: %+v, want late and the rhythm broken", s)
	}
}

// rhythmLeads are eight leads of March 2026 whose stages' rhythms went
// every way; 2 March is a Monday. Their owners now: ana, bo (who got L
// after ana rejected it) and cy (who got F after bo rejected it), all of
// team SDR.
func rhythmLeads() []report.Lead {
	rejected := func(actor, when, reason string) report.Event {
		e := ev(report.Rejected, actor, when)
		e.Reason = reason
		return e
	}
	lead := func(id, owner string, events ...report.Event) report.Lead {
		return report.Lead{ID: id, CreatedAt: events[0].At, Source: "form", Owner: owner, Team: "SDR", Events: events}
	}
	return []report.Lead{
		// Kept: every attempt in time (the second exactly at its due
		// time), the third asked for made: the rhythm is over.
		lead("K", "ana", ev("MQL", "winnow", "2026-03-02 09:00"), ev("contacted", "ana", "2026-03-02 10:00"),
			ev(report.Accepted, "ana", "2026-03-02 10:00"), ev("contacted", "ana", "2026-03-03 10:00"),
			ev("contacted", "ana", "2026-03-04 09:00")),
		// Broken: the first action (a rejection) two hours late.
		lead("L", "bo", ev("MQL", "winnow", "2026-03-02 09:00"), rejected("ana", "2026-03-02 15:00", "not_my_territory")),
		// Broken: accepted in time, the follow-up due on Tuesday at 10:00
		// missed before the rules moved it on to SAL on Thursday, where
		// nobody acted (running).
		lead("M", "ana", ev("MQL", "winnow", "2026-03-02 09:00"), ev(report.Accepted, "ana", "2026-03-02 10:00"),
			ev("SAL", "winnow", "2026-03-05 09:00")),
		// Running: a call and an acceptance of one instant, one attempt.
		lead("R", "ana", ev("MQL", "winnow", "2026-03-02 09:00"), ev("contacted", "ana", "2026-03-02 11:00"),
			ev(report.Accepted, "ana", "2026-03-02 11:00")),
		// Moved on to SAL before its first action fell due: no rhythm in
		// MQL (its clock, by the first action on the lead, stays open);
		// running in SAL.
		lead("E", "ana", ev("MQL", "winnow", "2026-03-02 09:00"), ev("SAL", "winnow", "2026-03-02 10:00")),
		// Kept: lost on Tuesday at 09:00, which is acting in time; the
		// third attempt was not due yet.
		lead("C", "ana", ev("MQL", "winnow", "2026-03-02 09:00"), ev("contacted", "ana", "2026-03-02 10:00"),
			ev("lost", "ana", "2026-03-03 09:00")),
		// An opportunity (AE's, not SDR's) acted on a day late, won.
		lead("P", "ana", ev("cold", "winnow", "2026-03-02 09:00"), ev("opportunity", "pat", "2026-03-03 09:00"),
			ev("won", "pat", "2026-03-04 09:00")),
		// Friday evening, rejected on Monday morning in time: running.
		lead("F", "cy", ev("MQL", "winnow", "2026-03-06 18:00"), rejected("bo", "2026-03-09 12:00", "duplicate")),
	}
}

// rhythmReport is the report of March 2026 on leads at Tuesday 10 March,
// 12:00.
func rhythmReport(t *testing.T, leads []report.Lead) *report.Report {
	t.Helper()
	return rhythmReportAt(t, "2026-03-10 12:00", leads)
}

func rhythmReportAt(t *testing.T, now string, leads []report.Lead) *report.Report {
	t.Helper()
	r, err := report.Build(rhythmModel(), report.Options{From: report.Month{Year: 2026, Month: 3}, To: report.Month{Year: 2026, Month: 3},
		Now: at(now), Routing: testRouting()}, leads)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sameRhythm reports whether two rhythms have the same figures.
func sameRhythm(a, b report.Rhythm) bool {
	ok := same(a.Compliance, b.Compliance)
	a.Compliance, b.Compliance = nil, nil
	return ok && a == b
}

// rhythm is a Rhythm with its compliance.
func rhythm(kept, broken, running, onTime, late, missed, overdue int) report.Rhythm {
	rh := report.Rhythm{Kept: kept, Broken: broken, Running: running, OnTime: onTime, Late: late, Missed: missed, Overdue: overdue}
	if kept+broken > 0 {
		rh.Compliance = f(float64(kept) / float64(kept+broken))
	}
	return rh
}

// The whole rhythm of each entry is measured: kept when it ended with
// every attempt asked for made in time, broken by an attempt late or
// missed, running while the lead is still in the stage and its next
// attempt is not due; the stay's end ends it, and what was not due by
// then is not missed.
func TestSLARhythm(t *testing.T) {
	r := rhythmReport(t, rhythmLeads())
	// MQL: K, L, M, R, E, C, F entered. The first action: K, M, R, C and F
	// (on Monday, in business time) in time, L late, E never: breached.
	// Rhythms: K and C kept; L and M broken, and R, whose follow-up was
	// due on Tuesday 3 March at 11:00; F runs, its follow-up due at 12:00
	// today (Monday 12:00 + 5 hours on Monday + 3 on Tuesday); E none.
	// Attempts in time: K 3, M 1, R 1 (one instant), C 2, F 1.
	// SAL: M and E, neither acted on, their first action overdue. The
	// opportunity: P late.
	want := map[string]report.SLA{
		"MQL": {Stage: "MQL", Owner: "SDR", WithinSeconds: 4 * 3600, EverySeconds: 8 * 3600, Attempts: 3, Entered: 7, Met: 5, Late: 1,
			Breached: 1, Compliance: f(5.0 / 7), Rhythm: rhythm(2, 3, 1, 8, 1, 2, 1)},
		"SAL": {Stage: "SAL", Owner: "SDR", WithinSeconds: 8 * 3600, Entered: 2, Breached: 2, Compliance: f(0),
			Rhythm: rhythm(0, 2, 0, 0, 0, 2, 2)},
		"opportunity": {Stage: "opportunity", Owner: "AE", WithinSeconds: 2 * 3600, EverySeconds: 8 * 3600, Entered: 1, Late: 1,
			Compliance: f(0), Rhythm: rhythm(0, 1, 0, 0, 1, 0, 0)},
	}
	for _, s := range r.SLA {
		w, ok := want[s.Stage]
		if !ok {
			continue
		}
		delete(want, s.Stage)
		if !same(s.Compliance, w.Compliance) || !same(s.Rhythm.Compliance, w.Rhythm.Compliance) {
			t.Errorf("%s: compliance %s, rhythm %s; want %s, %s", s.Stage, show(s.Compliance), show(s.Rhythm.Compliance),
				show(w.Compliance), show(w.Rhythm.Compliance))
		}
		s.Compliance, s.Rhythm.Compliance, w.Compliance, w.Rhythm.Compliance = nil, nil, nil, nil
		if s != w {
			t.Errorf("%s:\n%+v\nwant\n%+v", s.Stage, s, w)
		}
	}
	if len(want) > 0 {
		t.Errorf("no SLA rows for %v", want)
	}
}

// A rhythm runs until the hour its next attempt is due in is over: then
// it broke, the attempt missed.
func TestSLARhythmOverdue(t *testing.T) {
	f := rhythmLeads()[7:] // F, its follow-up due on Tuesday 10 March at 12:00
	for now, want := range map[string]report.Rhythm{
		"2026-03-10 11:59": rhythm(0, 0, 1, 1, 0, 0, 0),
		"2026-03-10 12:59": rhythm(0, 0, 1, 1, 0, 0, 0),
		"2026-03-10 13:00": rhythm(0, 1, 0, 1, 0, 1, 1),
	} {
		r := rhythmReportAt(t, now, f)
		mql, cy := r.SLA[1], r.Owners[1] // bo, who rejected F, then cy, who owns it
		if mql.Stage != "MQL" || !sameRhythm(mql.Rhythm, want) || cy.Name != "cy" || !sameRhythm(cy.Rhythm, want) ||
			!sameRhythm(r.Teams[0].Rhythm, want) {
			t.Errorf("at %s: %s %+v, %s %+v; want %+v", now, mql.Stage, mql.Rhythm, cy.Name, cy.Rhythm, want)
		}
	}
}

// Per owner and per team: the leads they own now, their speed to lead
// (the median and 90th percentile of the business time to the first
// action on the entries into the team's stages), their rhythms, the
// leads accepted and rejected (by whoever recorded it) with the reasons,
// and how many of those owned became opportunities and won.
func TestReportOwners(t *testing.T) {
	r := rhythmReport(t, rhythmLeads())
	const h = 3600.0
	type want struct {
		owned, firsts       int
		median, p90         float64
		rhythm              report.Rhythm
		accepted, rejected  int
		reasons             []report.ReasonCount
		opportunities, wins int
	}
	check := func(got []report.OwnerFigures, wants map[string]want, order ...string) {
		t.Helper()
		var names []string
		for _, o := range got {
			names = append(names, o.Name)
		}
		if !reflect.DeepEqual(names, order) {
			t.Fatalf("rows %v, want %v", names, order)
		}
		for _, o := range got {
			w := wants[o.Name]
			if o.Owned != w.owned || o.FirstActions != w.firsts || !near(o.SpeedMedianSeconds, f(w.median)) ||
				!near(o.SpeedP90Seconds, f(w.p90)) {
				t.Errorf("%s: owned %d, first actions %d, speed median %s p90 %s; want %d, %d, %v, %v", o.Name, o.Owned,
					o.FirstActions, show(o.SpeedMedianSeconds), show(o.SpeedP90Seconds), w.owned, w.firsts, w.median, w.p90)
			}
			rc := w.rhythm
			if !same(o.Rhythm.Compliance, rc.Compliance) {
				t.Errorf("%s: rhythm compliance %s, want %s", o.Name, show(o.Rhythm.Compliance), show(rc.Compliance))
			}
			o.Rhythm.Compliance, rc.Compliance = nil, nil
			if o.Rhythm != rc || o.Accepted != w.accepted || o.Rejected != w.rejected || !reflect.DeepEqual(o.Reasons, w.reasons) ||
				o.Opportunities != w.opportunities || o.Won != w.wins {
				t.Errorf("%s: rhythm %+v, accepted %d, rejected %d %v, opportunities %d, won %d; want %+v, %d, %d %v, %d, %d", o.Name,
					o.Rhythm, o.Accepted, o.Rejected, o.Reasons, o.Opportunities, o.Won, rc, w.accepted, w.rejected, w.reasons,
					w.opportunities, w.wins)
			}
		}
	}
	none := []report.ReasonCount{}
	// ana owns K, M, R, E, C and P (won after an opportunity). Her first
	// actions in SDR's stages: K, M and C 1 h, R 2 h (P's opportunity is
	// AE's): median 1 h, 90th percentile the 4th of 4, 2 h. Rhythms: K
	// and C kept; M (a follow-up missed) and R (a follow-up overdue)
	// broken in MQL, M and E (their first action overdue) in SAL. She
	// accepted K, M and R, and rejected L. bo owns L: 6 h, late; he
	// rejected F. cy owns F: 3 h, running.
	check(r.Owners, map[string]want{
		"ana": {6, 4, 1 * h, 2 * h, rhythm(2, 4, 0, 7, 0, 4, 3), 3, 1, []report.ReasonCount{{Reason: "not_my_territory", Count: 1}}, 1, 1},
		"bo":  {1, 1, 6 * h, 6 * h, rhythm(0, 1, 0, 0, 1, 0, 0), 0, 1, []report.ReasonCount{{Reason: "duplicate", Count: 1}}, 0, 0},
		"cy":  {1, 1, 3 * h, 3 * h, rhythm(0, 0, 1, 1, 0, 0, 0), 0, 0, none, 0, 0},
	}, "ana", "bo", "cy")
	// SDR: all of them. First actions 1, 1, 1, 2, 3, 6 h: median 1.5 h,
	// 90th percentile the 6th, 6 h.
	check(r.Teams, map[string]want{
		"SDR": {8, 6, 1.5 * h, 6 * h, rhythm(2, 5, 1, 8, 1, 4, 3), 3, 2,
			[]report.ReasonCount{{Reason: "duplicate", Count: 1}, {Reason: "not_my_territory", Count: 1}}, 1, 1},
	}, "SDR")

	// A lead created before the range is not owned in it, but what was
	// done with it in the range counts.
	old := rhythmLeads()
	for i := range old {
		old[i].CreatedAt = at("2026-02-20 09:00")
	}
	r = rhythmReport(t, old)
	if len(r.Owners) != 3 || r.Owners[0].Owned != 0 || r.Owners[0].FirstActions != 4 || r.Owners[0].Accepted != 3 || r.Owners[0].Won != 0 {
		t.Errorf("leads created before the range: %+v", r.Owners)
	}
	// Leads nobody owns and spam leads have no rows.
	var unowned []report.Lead
	for _, l := range rhythmLeads() {
		l.Owner, l.Team, l.Spam = "", "", l.ID == "L"
		l.Events = append(l.Events[:0:0], l.Events...)
		unowned = append(unowned, l)
	}
	r = rhythmReport(t, unowned)
	// The rejections and acceptances still name who recorded them.
	if len(r.Teams) != 0 || len(r.Owners) != 2 || r.Owners[0].Name != "ana" || r.Owners[0].Owned != 0 || r.Owners[0].Accepted != 3 ||
		r.Owners[0].Rejected != 0 || r.Owners[1].Name != "bo" || r.Owners[1].Rejected != 1 {
		t.Errorf("unowned leads: owners %+v, teams %+v", r.Owners, r.Teams)
	}
}

// The order leads and events arrive in changes nothing, owners and
// rhythms included.
func TestSLARhythmArrivalOrder(t *testing.T) {
	want := rhythmReport(t, rhythmLeads())
	rng := rand.New(rand.NewPCG(3, 4))
	for range 10 {
		leads := rhythmLeads()
		rng.Shuffle(len(leads), func(i, j int) { leads[i], leads[j] = leads[j], leads[i] })
		for _, l := range leads {
			rng.Shuffle(len(l.Events), func(i, j int) { l.Events[i], l.Events[j] = l.Events[j], l.Events[i] })
		}
		if got := rhythmReport(t, leads); !reflect.DeepEqual(got, want) {
			t.Fatal("a shuffled arrival changes the report")
		}
	}
}

// The shape names what the sums depend on: each stage's SLA (time to
// act, follow-ups, attempts, owner) and the calendars of the teams they
// name, not the people in them.
func TestShapeRouting(t *testing.T) {
	zones := []*time.Location{time.UTC}
	base := report.Shape(rhythmModel(), testRouting(), zones)
	if report.Shape(rhythmModel(), testRouting(), zones) != base {
		t.Fatal("the shape of one model and routing differs")
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	for name, change := range map[string]func(*qualify.Model, *routing.Routing) *routing.Routing{
		"no routing": func(*qualify.Model, *routing.Routing) *routing.Routing { return nil },
		"every":      func(m *qualify.Model, r *routing.Routing) *routing.Routing { m.Stages[2].SLA.Every++; return r },
		"attempts":   func(m *qualify.Model, r *routing.Routing) *routing.Routing { m.Stages[2].SLA.Attempts++; return r },
		"owner":      func(m *qualify.Model, r *routing.Routing) *routing.Routing { m.Stages[2].SLA.Owner = "AE"; return r },
		"within":     func(m *qualify.Model, r *routing.Routing) *routing.Routing { m.Stages[3].SLA.Within++; return r },
		"time zone": func(_ *qualify.Model, r *routing.Routing) *routing.Routing {
			r.Teams[0].Calendar.Zone = paris
			return r
		},
		"holiday": func(_ *qualify.Model, r *routing.Routing) *routing.Routing {
			r.Teams[0].Calendar.Holidays = nil
			return r
		},
		"hours of AE": func(_ *qualify.Model, r *routing.Routing) *routing.Routing {
			r.Teams[1].Calendar.Hours[time.Friday] = nil
			return r
		},
	} {
		m, r := rhythmModel(), testRouting()
		r = change(m, r)
		if report.Shape(m, r, zones) == base {
			t.Errorf("a change of %s leaves the shape as it was", name)
		}
	}
	r := testRouting()
	r.Teams[0].People = []routing.Person{{Name: "ana"}}
	r.Teams = append(r.Teams, routing.Team{Name: "Partners"})
	if report.Shape(rhythmModel(), r, zones) != base {
		t.Error("people, and a team no stage names, change the shape")
	}
}

// A rejection's reason and the lead's owner and team go through the
// export and back.
func TestExportOwners(t *testing.T) {
	e := ev(report.Rejected, "ana", "2026-03-02 15:00")
	e.Reason = "not in my territory"
	cell := report.EncodeEvents([]report.Event{ev("MQL", "winnow", "2026-03-02 09:00"), e})
	if want := "rejected ana api 2026-03-02T15:00:00.000Z 2026-03-02T15:00:00.000Z not%20in%20my%20territory"; cell[len(cell)-len(want):] != want {
		t.Errorf("cell %s, want it to end with %s", cell, want)
	}
	file := "id,created_at,owner,team,events\nL1,2026-03-02T09:00:00Z,ana,'=SDR," + cell + "\n"
	leads, err := report.ReadCSV(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(leads) != 1 || leads[0].Owner != "ana" || leads[0].Team != "=SDR" || len(leads[0].Events) != 2 ||
		leads[0].Events[1].Reason != e.Reason || leads[0].Events[0].Reason != "" {
		t.Errorf("read %+v", leads)
	}
}
