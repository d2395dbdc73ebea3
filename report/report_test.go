package report_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/report"
)

// testModel is a small model of its own, so that the figures below do not
// move when content/ changes: bad lead (exit), cold (TOFU), MQL and SAL
// (MOFU), SQL and opportunity (BOFU), disqualified (exit).
func testModel() *qualify.Model {
	const h = 3600
	return &qualify.Model{Version: "test", Grades: []qualify.Grade{{Name: "A"}, {Name: "B"}, {Name: "C"}, {Name: "D"}},
		Stages: []qualify.Stage{
			{Name: "bad lead", Exit: true, SLA: qualify.SLA{Owner: "Ops", Within: 72 * h}},
			{Name: "cold", Funnel: qualify.TOFU},
			{Name: "MQL", Funnel: qualify.MOFU, SLA: qualify.SLA{Owner: "SDR", Within: 24 * h}},
			{Name: "SAL", Funnel: qualify.MOFU, SLA: qualify.SLA{Owner: "SDR", Within: 48 * h}},
			{Name: "SQL", Funnel: qualify.BOFU},
			{Name: "opportunity", Funnel: qualify.BOFU, SLA: qualify.SLA{Owner: "AE", Within: 2 * h}},
			{Name: "disqualified", Exit: true},
		}}
}

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// ev is an event recorded when it happened.
func ev(stage, actor, when string) report.Event {
	return report.Event{Stage: stage, Actor: actor, Source: "api", At: at(when), RecordedAt: at(when)}
}

// late is an event recorded at recorded, after it happened at when.
func late(stage, actor, when, recorded string) report.Event {
	e := ev(stage, actor, when)
	e.RecordedAt = at(recorded)
	return e
}

var now = at("2026-04-10 12:00")

// fixture is eight leads over January to April 2026, March left empty.
func fixture() []report.Lead {
	return []report.Lead{
		{ID: "L1", CreatedAt: at("2026-01-05 09:00"), Source: "form", Fit: "A", Events: []report.Event{
			ev("MQL", "winnow", "2026-01-05 09:00"),
			ev("contacted", "jo", "2026-01-05 15:00"),
			ev("SAL", "jo", "2026-01-07 09:00"),
			ev("SQL", "jo", "2026-01-20 09:00"),
			ev("won", "jo", "2026-02-10 09:00"),
		}},
		// Reopened: lost in January, MQL again in April.
		{ID: "L2", CreatedAt: at("2026-01-10 10:00"), Source: "api", Fit: "B", Events: []report.Event{
			ev("cold", "winnow", "2026-01-10 10:00"),
			ev("MQL", "jo", "2026-01-12 10:00"),
			ev("lost", "jo", "2026-01-15 10:00"),
			ev("MQL", "ann", "2026-04-02 10:00"),
			ev("SAL", "ann", "2026-04-02 20:00"),
		}},
		// Out of order: SAL arrived after SQL, with an earlier at.
		{ID: "L3", CreatedAt: at("2026-01-20 08:00"), Source: "form", Fit: "A", Events: []report.Event{
			ev("MQL", "winnow", "2026-01-20 08:00"),
			ev("SQL", "kim", "2026-01-23 08:00"),
			late("SAL", "kim", "2026-01-21 08:00", "2026-01-25 08:00"),
		}},
		// Skips MQL, SAL and SQL.
		{ID: "L4", CreatedAt: at("2026-02-03 12:00"), Source: "form", Fit: "C", Events: []report.Event{
			ev("cold", "winnow", "2026-02-03 12:00"),
			ev("opportunity", "pat", "2026-02-04 12:00"),
		}},
		{ID: "L5", CreatedAt: at("2026-02-05 12:00"), Source: "form", Spam: true, Events: []report.Event{
			ev("bad lead", "winnow", "2026-02-05 12:00"),
		}},
		{ID: "L6", CreatedAt: at("2026-04-10 09:00"), Source: "api", Fit: "B", Events: []report.Event{
			ev("MQL", "winnow", "2026-04-10 09:00"),
		}},
		{ID: "L7", CreatedAt: at("2026-04-01 10:00"), Source: "form", Fit: "A", Events: []report.Event{
			ev("MQL", "winnow", "2026-04-01 10:00"),
		}},
		// Created before the range.
		{ID: "L8", CreatedAt: at("2025-12-20 10:00"), Source: "form", Fit: "B", Events: []report.Event{
			ev("MQL", "winnow", "2025-12-20 10:00"),
			ev("SAL", "jo", "2026-01-02 10:00"),
			ev("disqualified", "jo", "2026-01-03 10:00"),
		}},
	}
}

func options() report.Options {
	return report.Options{From: report.Month{Year: 2026, Month: 1}, To: report.Month{Year: 2026, Month: 4}, Now: now}
}

func build(t *testing.T, leads []report.Lead) *report.Report {
	t.Helper()
	r, err := report.Build(testModel(), options(), leads)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// step returns the figures of a step in a period.
func step(t *testing.T, p report.Period, name string) report.StepFigures {
	t.Helper()
	for _, s := range p.Steps {
		if s.Step == name {
			return s
		}
	}
	t.Fatalf("period %s has no step %q", p.Month, name)
	return report.StepFigures{}
}

func f(x float64) *float64 { return &x }

func same(a, b *float64) bool {
	return a == nil && b == nil || a != nil && b != nil && (*a-*b < 1e-9 && *b-*a < 1e-9)
}

// near reports whether median a, read from the stays' bins, is within
// their bound of the exact median b: 2.2 % and the second it is rounded
// to.
func near(a, b *float64) bool {
	return a == nil && b == nil || a != nil && b != nil && math.Abs(*a-*b) <= 0.022**b+1
}

func show(x *float64) string {
	if x == nil {
		return "nil"
	}
	b, _ := json.Marshal(*x)
	return string(b)
}

// stepWant is the expected figures of a step: entered, reopened, stays
// and their exact median (the report's is within its bound, see near).
type stepWant struct {
	entered, reopened, stays int
	median                   *float64
}

func checkSteps(t *testing.T, p report.Period, want map[string]stepWant) {
	t.Helper()
	for _, s := range p.Steps {
		w := want[s.Step] // absent: all zero
		if s.Entered != w.entered || s.Reopened != w.reopened || s.Stays != w.stays || !near(s.MedianSeconds, w.median) {
			t.Errorf("%s %s: entered %d reopened %d stays %d median %s, want %d %d %d %s", p.Month, s.Step,
				s.Entered, s.Reopened, s.Stays, show(s.MedianSeconds), w.entered, w.reopened, w.stays, show(w.median))
		}
	}
}

func checkConversions(t *testing.T, p report.Period, want [][2]int) {
	t.Helper()
	if len(p.Conversions) != len(want) {
		t.Fatalf("%s: %d conversions, want %d", p.Month, len(p.Conversions), len(want))
	}
	for i, c := range p.Conversions {
		w := want[i]
		var rate *float64
		if w[0] > 0 {
			rate = f(float64(w[1]) / float64(w[0]))
		}
		if c.Reached != w[0] || c.Converted != w[1] || !same(c.Rate, rate) {
			t.Errorf("%s %s→%s: %d of %d, rate %s; want %d of %d, rate %s", p.Month, c.From, c.To,
				c.Converted, c.Reached, show(c.Rate), w[1], w[0], show(rate))
		}
	}
}

const day = 86400.0

func TestReportStages(t *testing.T) {
	r := build(t, fixture())
	fn := r.Stages
	if got, want := strings.Join(fn.Steps, ","), "bad lead,cold,MQL,SAL,SQL,opportunity,disqualified,won,lost"; got != want {
		t.Errorf("steps %s, want %s", got, want)
	}
	if got, want := strings.Join(fn.Line, ","), "cold,MQL,SAL,SQL,opportunity,won"; got != want {
		t.Errorf("line %s, want %s", got, want)
	}
	var months []string
	for _, m := range fn.Months {
		months = append(months, m.Month)
	}
	if got, want := strings.Join(months, ","), "2026-01,2026-02,2026-03,2026-04"; got != want {
		t.Fatalf("months %s, want %s", got, want)
	}
	jan, feb, mar, apr := fn.Months[0], fn.Months[1], fn.Months[2], fn.Months[3]

	// January. Created: L1, L2, L3 (L8 was created in December).
	// Entries: cold L2; MQL L1, L2, L3; SAL L1, L3, L8; SQL L1, L3;
	// disqualified L8; lost L2.
	// Stays ended in January:
	//   cold L2 01-10 10:00 → 01-12 10:00 = 2 d
	//   MQL  L1 2 d (01-05 → 01-07; the contact does not move it), L2 3 d,
	//        L3 1 d (to the late SAL at 01-21), L8 13 d (12-20 → 01-02)
	//        sorted 1, 2, 3, 13 d: median (2 + 3) / 2 = 2.5 d
	//   SAL  L1 13 d (01-07 → 01-20), L3 2 d, L8 1 d: median 2 d
	if jan.Created != 3 {
		t.Errorf("January created %d, want 3", jan.Created)
	}
	checkSteps(t, jan, map[string]stepWant{
		"cold":         {1, 0, 1, f(2 * day)},
		"MQL":          {3, 0, 4, f(2.5 * day)},
		"SAL":          {3, 0, 3, f(2 * day)},
		"SQL":          {2, 0, 0, nil},
		"disqualified": {1, 0, 0, nil},
		"lost":         {1, 0, 0, nil},
	})
	// The January cohort reached: L1 won (so every step before), L2 SAL,
	// L3 SQL. cold 3 → MQL 3 → SAL 3 → SQL 2 (L1, L3) → opportunity 1
	// (L1, which skipped it) → won 1.
	checkConversions(t, jan, [][2]int{{3, 3}, {3, 3}, {3, 2}, {2, 1}, {1, 1}})

	// February. Created: L4 (L5 is spam). Entries: cold and opportunity
	// L4, won L1. Stays: SQL L1 01-20 → 02-10 = 21 d; cold L4 1 d.
	// L4 reached opportunity, not won: 1 1 1 1 1, then 0 of 1.
	if feb.Created != 1 {
		t.Errorf("February created %d, want 1", feb.Created)
	}
	checkSteps(t, feb, map[string]stepWant{
		"cold":        {1, 0, 1, f(1 * day)},
		"opportunity": {1, 0, 0, nil},
		"won":         {1, 0, 0, nil},
		"SQL":         {0, 0, 1, f(21 * day)},
	})
	checkConversions(t, feb, [][2]int{{1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 0}})

	// March has no events and no leads: a row of zeros, no rates.
	if mar.Created != 0 || mar.Start != at("2026-03-01 00:00") || mar.End != at("2026-04-01 00:00") {
		t.Errorf("March: created %d, %v to %v", mar.Created, mar.Start, mar.End)
	}
	checkSteps(t, mar, nil)
	checkConversions(t, mar, [][2]int{{0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}})

	// April. Created: L6, L7. Entries: MQL L2 (again: reopened), L6, L7;
	// SAL L2. Stays: lost L2 01-15 10:00 → 04-02 10:00 = 16 + 28 + 31 + 2
	// = 77 d; MQL L2 04-02 10:00 → 20:00 = 10 h. The cohort (L6, L7)
	// reached MQL only: cold 2 → MQL 2 → SAL 0, then nothing to divide.
	checkSteps(t, apr, map[string]stepWant{
		"MQL":  {3, 1, 1, f(10 * 3600)},
		"SAL":  {1, 0, 0, nil},
		"lost": {0, 0, 1, f(77 * day)},
	})
	checkConversions(t, apr, [][2]int{{2, 2}, {2, 0}, {0, 0}, {0, 0}, {0, 0}})

	// The range. Created 3 + 1 + 2 = 6. Stays:
	//   cold 2 d, 1 d: median 1.5 d
	//   MQL 1, 2, 3, 13 d and 10 h: median 2 d
	//   SAL 1, 2, 13 d: median 2 d
	// Reached (furthest step): L1 won, L2 SAL, L3 SQL, L4 opportunity,
	// L6 and L7 MQL: cold 6, MQL 6, SAL 4, SQL 3, opportunity 2, won 1.
	tot := fn.Total
	if tot.Month != "2026-01..2026-04" || tot.Created != 6 {
		t.Errorf("total %s created %d, want 2026-01..2026-04 and 6", tot.Month, tot.Created)
	}
	checkSteps(t, tot, map[string]stepWant{
		"cold":         {2, 0, 2, f(1.5 * day)},
		"MQL":          {6, 1, 5, f(2 * day)},
		"SAL":          {4, 0, 3, f(2 * day)},
		"SQL":          {2, 0, 1, f(21 * day)},
		"opportunity":  {1, 0, 0, nil},
		"disqualified": {1, 0, 0, nil},
		"won":          {1, 0, 0, nil},
		"lost":         {1, 0, 1, f(77 * day)},
	})
	checkConversions(t, tot, [][2]int{{6, 6}, {6, 4}, {4, 3}, {3, 2}, {2, 1}})
}

func TestReportPositionsAndSegments(t *testing.T) {
	r := build(t, fixture())
	pos := r.Positions
	if got, want := strings.Join(pos.Steps, ","), "TOFU,MOFU,BOFU,won,lost"; got != want {
		t.Fatalf("positions %s, want %s", got, want)
	}
	// January: TOFU L2; MOFU L1, L2, L3 (MQL → SAL stays in MOFU); BOFU
	// L1, L3; lost L2. MOFU stays ended: L1 01-05 → 01-20 = 15 d, L2 3 d,
	// L3 01-20 → 01-23 = 3 d, L8 12-20 → 01-03 (disqualified has no
	// position) = 14 d: sorted 3, 3, 14, 15: median 8.5 d.
	checkSteps(t, pos.Months[0], map[string]stepWant{
		"TOFU": {1, 0, 1, f(2 * day)},
		"MOFU": {3, 0, 4, f(8.5 * day)},
		"BOFU": {2, 0, 0, nil},
		"lost": {1, 0, 0, nil},
	})
	// January cohort: TOFU 3 → MOFU 3 → BOFU 2 (L1, L3) → won 1.
	checkConversions(t, pos.Months[0], [][2]int{{3, 3}, {3, 2}, {2, 1}})
	// April: L2 re-enters MOFU (reopened), L6 and L7 enter it.
	checkSteps(t, pos.Months[3], map[string]stepWant{
		"MOFU": {3, 1, 0, nil},
		"lost": {0, 0, 1, f(77 * day)},
	})

	// Sources: api (L2, L6), then form (L1, L3, L4, L7, L8; L5 is spam).
	if len(r.Sources) != 2 || r.Sources[0].Value != "api" || r.Sources[1].Value != "form" {
		t.Fatalf("sources %+v", r.Sources)
	}
	api, form := r.Sources[0].Funnel.Total, r.Sources[1].Funnel.Total
	// api: MQL entered by L2 twice and L6; cohort L2 (SAL), L6 (MQL).
	checkSteps(t, api, map[string]stepWant{
		"cold": {1, 0, 1, f(2 * day)},
		"MQL":  {3, 1, 2, f((3*day + 10*3600) / 2)},
		"SAL":  {1, 0, 0, nil},
		"lost": {1, 0, 1, f(77 * day)},
	})
	checkConversions(t, api, [][2]int{{2, 2}, {2, 1}, {1, 0}, {0, 0}, {0, 0}})
	// form cohort: L1 won, L3 SQL, L4 opportunity, L7 MQL (L8 is from
	// December): 4, 4, 3, 3, 2, 1.
	checkConversions(t, form, [][2]int{{4, 4}, {4, 3}, {3, 3}, {3, 2}, {2, 1}})

	// Fits in the model's order: A (L1, L3, L7), B (L2, L6, L8), C (L4).
	var fits []string
	for _, s := range r.Fits {
		fits = append(fits, s.Value)
	}
	if got := strings.Join(fits, ","); got != "A,B,C" {
		t.Fatalf("fits %s, want A,B,C", got)
	}
	if c := r.Fits[0].Funnel.Total.Created; c != 3 {
		t.Errorf("fit A created %d, want 3", c)
	}
	// Fit A in January: L1 won, L3 SQL: SAL 2 → SQL 2, SQL 2 → opportunity 1.
	checkConversions(t, r.Fits[0].Funnel.Months[0], [][2]int{{2, 2}, {2, 2}, {2, 2}, {2, 1}, {1, 1}})
}

func TestReportSLA(t *testing.T) {
	r := build(t, fixture())
	// Now is 2026-04-10 12:00.
	// MQL (24 h), entries in the range:
	//   L1 01-05 09:00, contacted 15:00                       met
	//   L2 01-12 10:00, next person's event lost 01-15        late
	//   L3 01-20 08:00, SAL at 01-21 08:00 (recorded late): due exactly  met
	//   L2 04-02 10:00, SAL 20:00                             met
	//   L6 04-10 09:00, due 04-11 09:00                       not due
	//   L7 04-01 10:00, nothing                               breached
	// (L8 entered MQL in December.) Compliance 3 / (3 + 1 + 1) = 0.6.
	// SAL (48 h): L1 01-07 → SQL 01-20 late; L3 01-21 08:00 → SQL 01-23
	// 08:00 met; L8 01-02 → disqualified 01-03 met; L2 04-02 20:00
	// breached. Compliance 2 / 4.
	// opportunity (2 h): L4 breached. Compliance 0 / 1.
	// bad lead (72 h): only the spam lead entered it: no compliance.
	// The rhythms (one action each): of the stays, those that ended with
	// the action in time were kept (MQL: L1, L3, L2 in April; SAL: L3,
	// L8), those with it late broke (MQL: L2 in January; SAL: L1), and so
	// did those still waiting past their due time, the breaches (MQL: L7;
	// SAL: L2; opportunity: L4); L6's runs.
	want := []report.SLA{
		{Stage: "bad lead", Owner: "Ops", WithinSeconds: 72 * 3600},
		{Stage: "MQL", Owner: "SDR", WithinSeconds: 24 * 3600, Entered: 6, Met: 3, Late: 1, Breached: 1, NotDue: 1, Compliance: f(0.6),
			Rhythm: report.Rhythm{Kept: 3, Broken: 2, Running: 1, OnTime: 3, Late: 1, Missed: 1, Overdue: 1, Compliance: f(0.6)}},
		{Stage: "SAL", Owner: "SDR", WithinSeconds: 48 * 3600, Entered: 4, Met: 2, Late: 1, Breached: 1, Compliance: f(0.5),
			Rhythm: report.Rhythm{Kept: 2, Broken: 2, OnTime: 2, Late: 1, Missed: 1, Overdue: 1, Compliance: f(0.5)}},
		{Stage: "opportunity", Owner: "AE", WithinSeconds: 2 * 3600, Entered: 1, Breached: 1, Compliance: f(0),
			Rhythm: report.Rhythm{Broken: 1, Missed: 1, Overdue: 1, Compliance: f(0)}},
	}
	if len(r.SLA) != len(want) {
		t.Fatalf("SLA rows %+v", r.SLA)
	}
	for i, got := range r.SLA {
		w := want[i]
		gc, wc, grc, wrc := got.Compliance, w.Compliance, got.Rhythm.Compliance, w.Rhythm.Compliance
		got.Compliance, w.Compliance, got.Rhythm.Compliance, w.Rhythm.Compliance = nil, nil, nil, nil
		if got != w || !same(gc, wc) || !same(grc, wrc) {
			t.Errorf("SLA %s: %+v compliance %s rhythm %s, want %+v compliance %s rhythm %s", w.Stage, got, show(gc), show(grc),
				w, show(wc), show(wrc))
		}
	}
	// Breaches, most overdue first:
	//   L4 opportunity entered 02-04 12:00: age 24 + 31 + 10 = 65 d =
	//      5 616 000 s, over 65 d − 2 h = 5 608 800 s
	//   L7 MQL entered 04-01 10:00: age 9 d 2 h = 784 800 s, over
	//      784 800 − 86 400 = 698 400 s
	//   L2 SAL entered 04-02 20:00: age 7 d 16 h = 662 400 s, over
	//      662 400 − 172 800 = 489 600 s
	wantB := []report.Breach{
		{Lead: "L4", Stage: "opportunity", Owner: "AE", EnteredAt: at("2026-02-04 12:00"), DueAt: at("2026-02-04 14:00"),
			AgeSeconds: 5616000, OverSeconds: 5608800},
		{Lead: "L7", Stage: "MQL", Owner: "SDR", EnteredAt: at("2026-04-01 10:00"), DueAt: at("2026-04-02 10:00"),
			AgeSeconds: 784800, OverSeconds: 698400},
		{Lead: "L2", Stage: "SAL", Owner: "SDR", EnteredAt: at("2026-04-02 20:00"), DueAt: at("2026-04-04 20:00"),
			AgeSeconds: 662400, OverSeconds: 489600},
	}
	if !reflect.DeepEqual(r.Breaches, wantB) {
		t.Errorf("breaches\n%+v\nwant\n%+v", r.Breaches, wantB)
	}
}

func TestReportTotals(t *testing.T) {
	r := build(t, fixture())
	// Eight leads, L5 spam. Now: L1 won, L2 SAL, L3 SQL (its SAL arrived
	// last but happened before), L4 opportunity, L6 and L7 MQL, L8
	// disqualified.
	if r.Totals.Leads != 8 || r.Totals.Spam != 1 {
		t.Errorf("totals %d leads, %d spam, want 8 and 1", r.Totals.Leads, r.Totals.Spam)
	}
	want := []report.StageCount{{"MQL", 2}, {"SAL", 1}, {"SQL", 1}, {"opportunity", 1}, {"disqualified", 1}, {"won", 1}}
	if !reflect.DeepEqual(r.Totals.Stages, want) {
		t.Errorf("stages now %v, want %v", r.Totals.Stages, want)
	}
}

// The order events and leads arrive in never changes the report.
func TestReportArrivalOrder(t *testing.T) {
	want := build(t, fixture())
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		leads := fixture()
		b, err := report.NewBuilder(testModel(), options())
		if err != nil {
			t.Fatal(err)
		}
		rng.Shuffle(len(leads), func(i, j int) { leads[i], leads[j] = leads[j], leads[i] })
		for _, l := range leads {
			evs := l.Events
			rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
			l.Events = nil
			half := len(evs) / 2
			for _, e := range evs[:half] {
				b.AddEvent(l.ID, e)
			}
			b.AddLead(l)
			for _, e := range evs[half:] {
				b.AddEvent(l.ID, e)
			}
		}
		if got := b.Report(); !reflect.DeepEqual(got, want) {
			t.Fatalf("a shuffled arrival changes the report")
		}
	}
}

func TestReportEmpty(t *testing.T) {
	r, err := report.Build(testModel(), report.Options{Now: now}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The default range: the 12 full months before April 2026 and April.
	if r.From != "2025-04" || r.To != "2026-04" || len(r.Stages.Months) != 13 || r.TimeZone != "UTC" {
		t.Errorf("range %s..%s in %s, %d months; want 2025-04..2026-04 in UTC, 13", r.From, r.To, r.TimeZone, len(r.Stages.Months))
	}
	for _, m := range append(r.Stages.Months, r.Stages.Total) {
		checkSteps(t, m, nil)
		checkConversions(t, m, [][2]int{{0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}})
	}
	b, _ := json.Marshal(r)
	js := string(b)
	for _, want := range []string{`"rate":null`, `"median_seconds":null`, `"sources":[]`, `"breaches":[]`, `"compliance":null`} {
		if !strings.Contains(js, want) {
			t.Errorf("the empty report's JSON lacks %s", want)
		}
	}
	if strings.Contains(js, "NaN") {
		t.Errorf("NaN in %s", js)
	}
}

// Months are cut in the report's zone.
func TestReportTimeZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	leads := []report.Lead{{ID: "x", CreatedAt: at("2026-01-31 23:30"), Events: []report.Event{ev("MQL", "winnow", "2026-01-31 23:30")}}}
	o := options()
	utc, _ := report.Build(testModel(), o, leads)
	o.Location = paris
	local, _ := report.Build(testModel(), o, leads)
	// 23:30 UTC on 31 January is 00:30 on 1 February in Paris.
	if step(t, utc.Stages.Months[0], "MQL").Entered != 1 || step(t, local.Stages.Months[1], "MQL").Entered != 1 {
		t.Errorf("UTC January %d, Paris February %d", step(t, utc.Stages.Months[0], "MQL").Entered,
			step(t, local.Stages.Months[1], "MQL").Entered)
	}
	if local.TimeZone != "Europe/Paris" || !local.Stages.Months[0].Start.Equal(at("2025-12-31 23:00")) {
		t.Errorf("Paris: zone %s, January starts %v", local.TimeZone, local.Stages.Months[0].Start)
	}
}

func TestParseOptions(t *testing.T) {
	o, err := report.ParseOptions("2026-01", "2026-06", "Europe/Paris", now)
	if err != nil || o.From != (report.Month{Year: 2026, Month: 1}) || o.To != (report.Month{Year: 2026, Month: 6}) || o.Location.String() != "Europe/Paris" {
		t.Errorf("ParseOptions: %+v %v", o, err)
	}
	// From alone runs to the month of now.
	if o, err := report.ParseOptions("2025-11", "", "", now); err != nil || o.To != (report.Month{Year: 2026, Month: 4}) {
		t.Errorf("from alone: %+v %v", o, err)
	}
	for _, tc := range []struct{ from, to, tz, option string }{
		{"2026-13", "", "", "from"},
		{"26-01", "", "", "from"},
		{"", "2026-1", "", "to"},
		{"", "", "Mars/Olympus", "tz"},
		{"", "", "Local", "tz"},
		{"2026-05", "2026-04", "", "from"},
		{"2000-01", "2026-04", "", "to"},
	} {
		_, err := report.ParseOptions(tc.from, tc.to, tc.tz, now)
		oe, ok := err.(*report.OptionError)
		if !ok || oe.Option != tc.option || oe.Message == "" {
			t.Errorf("ParseOptions(%q, %q, %q): %v, want an error naming %s", tc.from, tc.to, tc.tz, err, tc.option)
		}
	}
}
