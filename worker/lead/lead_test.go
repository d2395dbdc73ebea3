package lead_test

import (
	"maps"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/worker/lead"
)

func shipped(t testing.TB) *qualify.Model {
	t.Helper()
	c, diags := content.Load(os.DirFS("../../content"), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	return c.Model
}

const day = int64(24 * 3600 * 1000)

// t0 is 2 March 2026, 09:00 UTC, in Unix milliseconds.
const t0 = int64(1772442000000)

func ana() map[string]string {
	return map[string]string{"name": "Ana Maria Souza", "email": "ana@northwind.io", "company": "Northwind Software",
		"company_size": "201-1000", "industry": "software", "role": "marketing", "seniority": "director", "country": "DE",
		"request": "question", "consent": "yes"}
}

func submission(id string, at int64, answers map[string]string) lead.Event {
	return lead.Event{ID: id, Kind: lead.KindSubmission, Answers: answers, Actor: "visitor", At: at, Recorded: at}
}

func signal(id, name string, at int64) lead.Event {
	return lead.Event{ID: id, Kind: lead.KindSignal, Name: name, Actor: "jo", At: at, Recorded: at}
}

// A later answer wins, an empty one changes nothing, a submission records
// the model's form signal and a choice the signal its option names, and a
// signal keeps its latest instant.
func TestApply(t *testing.T) {
	m := shipped(t)
	s := lead.NewState()
	first := ana()
	first["request"] = "demo"
	lead.Apply(m, &s, &lead.Event{Kind: lead.KindSubmission, Answers: first, At: t0})
	second := map[string]string{"company": "Northwind Group", "phone": ""}
	lead.Apply(m, &s, &lead.Event{Kind: lead.KindSubmission, Answers: second, At: t0 + day})
	if got, want := s.Answers["company"], "Northwind Group"; got != want {
		t.Errorf("company %q, want the later answer %q", got, want)
	}
	if got, want := s.Answers["name"], "Ana Maria Souza"; got != want {
		t.Errorf("name %q, want the earlier answer kept %q", got, want)
	}
	if _, ok := s.Answers["phone"]; ok {
		t.Errorf("an empty answer was stored")
	}
	if got, want := s.Signals[m.FormSignal], (t0+day)/1000; got != want {
		t.Errorf("the form signal at %d, want the latest submission's %d", got, want)
	}
	demo := ""
	for _, f := range m.Fields {
		for _, o := range f.Options {
			if f.Name == "request" && o.Value == "demo" {
				demo = o.Signal
			}
		}
	}
	if demo == "" {
		t.Fatal("the shipped model's request field has no demo option with a signal")
	}
	if got, want := s.Signals[demo], t0/1000; got != want {
		t.Errorf("signal %s at %d, want %d", demo, got, want)
	}
	lead.Apply(m, &s, &lead.Event{Kind: lead.KindSignal, Name: "sales_accepted", At: t0 + 2*day})
	lead.Apply(m, &s, &lead.Event{Kind: lead.KindSignal, Name: "sales_accepted", At: t0 + day})
	if got, want := s.Signals["sales_accepted"], (t0+2*day)/1000; got != want {
		t.Errorf("sales_accepted at %d, want its latest instant %d", got, want)
	}
	lead.Apply(m, &s, &lead.Event{Kind: lead.KindOutcome, Stage: lead.Lost, Value: "no_budget", At: t0 + 3*day})
	if s.Outcome != lead.Lost {
		t.Errorf("outcome %q after lost", s.Outcome)
	}
	lead.Apply(m, &s, &lead.Event{Kind: lead.KindOutcome, Stage: lead.Open, At: t0 + 4*day})
	if s.Outcome != "" {
		t.Errorf("outcome %q after reopening", s.Outcome)
	}
	lead.Apply(m, &s, &lead.Event{Kind: lead.KindOutcome, Stage: lead.Won, At: t0 + 5*day})
	lead.Apply(m, &s, &lead.Event{Kind: lead.KindSubmission, Answers: map[string]string{"message": "hi"}, At: t0 + 6*day})
	if s.Outcome != "" {
		t.Errorf("a closed lead that sends a form is %q, want open", s.Outcome)
	}
}

// Folding is independent of the order events arrive in, and applying
// events one by one in order of instant gives what folding gives: the
// stored state and the state folded again never differ.
func TestFoldAnyOrder(t *testing.T) {
	m := shipped(t)
	r := rand.New(rand.NewPCG(3, 4))
	names := []string{"sales_accepted", "pricing_visit", "email_reply", "discovery_call", "meeting_booked"}
	answers := []map[string]string{ana(), {"company": "Northwind Group"}, {"budget": "10k_50k", "timeline": "this_quarter"},
		{"seniority": "manager"}}
	for round := range 200 {
		var events []lead.Event
		at := t0
		for i := range 2 + r.IntN(10) {
			at += int64(r.IntN(3)) * day // some share an instant
			id := string(rune('a' + i))
			switch r.IntN(3) {
			case 0:
				events = append(events, submission(id, at, answers[r.IntN(len(answers))]))
			default:
				events = append(events, signal(id, names[r.IntN(len(names))], at))
			}
		}
		events[0] = submission("first", t0, ana())
		for i := range events {
			events[i].Recorded = t0 + int64(i) // stored in this order
		}
		inOrder := lead.NewState()
		for i := range events {
			lead.Apply(m, &inOrder, &events[i])
		}
		shuffled := slices.Clone(events)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		folded := lead.Fold(m, shuffled)
		if !maps.Equal(folded.Answers, inOrder.Answers) || !maps.Equal(folded.Signals, inOrder.Signals) {
			t.Fatalf("round %d: folded from %v\n%+v\napplied in order\n%+v", round, shuffled, folded, inOrder)
		}
	}
}

// An override holds while the rules fall back or stay below it, lapses
// when they give its stage or one further along than both it and the
// rules' stage when it was set, and setting the rules' stage returns the
// lead to the rules.
func TestOverride(t *testing.T) {
	m := shipped(t)
	s := lead.NewState()
	lead.Apply(m, &s, &lead.Event{Kind: lead.KindSubmission, Answers: ana(), At: t0})
	v, _ := lead.Score(m, &s, t0/1000)
	if v.Stage != "MQL" || !v.ByRule {
		t.Fatalf("Ana is %s (by rule %v), want MQL by the rules", v.Stage, v.ByRule)
	}
	lead.Apply(m, &s, &lead.Event{Kind: lead.KindOverride, Stage: "SQL", Value: "met the criteria on the call", Actor: "jo", At: t0 + 3600_000})
	if s.Override == nil || s.Override.Rules != "MQL" || s.Override.Reason != "met the criteria on the call" {
		t.Fatalf("override %+v", s.Override)
	}
	// A month later the form's points have decayed: the rules give a cold
	// lead, and sales' decision holds.
	v, _ = lead.Score(m, &s, (t0+30*day)/1000)
	if v.Verdict.Stage != "cold lead" || v.Stage != "SQL" || v.ByRule {
		t.Errorf("after decay: rules %s, stage %s (by rule %v); want cold lead, SQL held", v.Verdict.Stage, v.Stage, v.ByRule)
	}
	// Accepted by sales: SAL is further than MQL but not than SQL.
	lead.Apply(m, &s, &lead.Event{Kind: lead.KindSignal, Name: "sales_accepted", At: t0 + 31*day})
	v, _ = lead.Score(m, &s, (t0+31*day)/1000)
	if v.Verdict.Stage != "SAL" || v.Stage != "SQL" || s.Override == nil {
		t.Errorf("accepted: rules %s, stage %s; want SAL, SQL held", v.Verdict.Stage, v.Stage)
	}
	// A meeting makes it an opportunity by the rules: past SQL, the
	// override lapses.
	lead.Apply(m, &s, &lead.Event{Kind: lead.KindSignal, Name: "meeting_booked", At: t0 + 32*day})
	v, _ = lead.Score(m, &s, (t0+32*day)/1000)
	if v.Stage != "opportunity" || !v.ByRule || s.Override != nil {
		t.Errorf("after the meeting: stage %s (by rule %v), override %+v; want opportunity by the rules", v.Stage, v.ByRule, s.Override)
	}
	// Setting the stage the rules give clears an override.
	lead.Apply(m, &s, &lead.Event{Kind: lead.KindOverride, Stage: "prospect", Value: "not yet", At: t0 + 33*day})
	if v, _ = lead.Score(m, &s, (t0+33*day)/1000); v.Stage != "prospect" || v.ByRule {
		t.Errorf("overridden back: %s by rule %v", v.Stage, v.ByRule)
	}
	lead.Apply(m, &s, &lead.Event{Kind: lead.KindOverride, Stage: "opportunity", Value: "agreed", At: t0 + 34*day})
	if s.Override != nil {
		t.Errorf("setting the rules' stage left the override %+v", s.Override)
	}

	for _, c := range []struct {
		set, was, rules string
		overtaken       bool
	}{
		{"SQL", "MQL", "cold lead", false},
		{"SQL", "MQL", "MQL", false},
		{"SQL", "MQL", "SAL", false},
		{"SQL", "MQL", "SQL", true},
		{"SQL", "MQL", "opportunity", true},
		{"cold lead", "MQL", "MQL", false}, // sales demoted it: the rules must move on
		{"cold lead", "MQL", "SAL", true},
		{"SQL", "MQL", "disqualified", true},
		{"no such stage", "MQL", "MQL", true},
	} {
		o := &lead.Override{Stage: c.set, Rules: c.was}
		if got := lead.Overtaken(m, o, c.rules); got != c.overtaken {
			t.Errorf("an override to %s set over %s, rules now %s: overtaken %v, want %v", c.set, c.was, c.rules, got, c.overtaken)
		}
	}
}

// Accepting a lead records the acceptance signal it names, which makes an
// MQL a SAL by the rules; a rejection sends the lead to its stage as an
// override with its reason, holds against the rules as one, and a
// rejection to no stage leaves the lead where the rules put it. Folded
// from the events, the state is the same.
func TestAcceptReject(t *testing.T) {
	m := shipped(t)
	events := []lead.Event{submission("e1", t0, ana())}
	s := lead.Fold(m, events)
	accept := lead.Event{ID: "e2", Kind: lead.KindAccept, Name: "sales_accepted", Actor: "jo", At: t0 + 3600_000, Recorded: t0 + 3600_000}
	lead.Apply(m, &s, &accept)
	events = append(events, accept)
	if v, _ := lead.Score(m, &s, accept.At/1000); v.Stage != "SAL" || !v.ByRule {
		t.Errorf("accepted: %s (by rule %v), want SAL by the rules", v.Stage, v.ByRule)
	}
	if got := s.Signals["sales_accepted"]; got != accept.At/1000 {
		t.Errorf("sales_accepted at %d, want %d", got, accept.At/1000)
	}
	// An acceptance that records no signal changes nothing the model reads.
	quiet := lead.Fold(m, events[:1])
	lead.Apply(m, &quiet, &lead.Event{Kind: lead.KindAccept, Actor: "jo", At: t0 + 3600_000})
	if v, _ := lead.Score(m, &quiet, t0/1000+3600); v.Stage != "MQL" || len(quiet.Signals) != 1 {
		t.Errorf("accepted without a signal: %s, signals %v", v.Stage, quiet.Signals)
	}

	nowhere := lead.Event{ID: "e3", Kind: lead.KindReject, Value: "no_answer", Actor: "jo", At: t0 + 2*3600_000, Recorded: t0 + 2*3600_000}
	lead.Apply(m, &s, &nowhere)
	events = append(events, nowhere)
	if v, _ := lead.Score(m, &s, nowhere.At/1000); v.Stage != "SAL" || s.Override != nil {
		t.Errorf("rejected to no stage: %s, override %+v; want SAL by the rules", v.Stage, s.Override)
	}
	reject := lead.Event{ID: "e4", Kind: lead.KindReject, Value: "not_ready", Stage: "cold lead", Actor: "jo", At: t0 + 3*3600_000, Recorded: t0 + 3*3600_000}
	lead.Apply(m, &s, &reject)
	events = append(events, reject)
	v, _ := lead.Score(m, &s, reject.At/1000)
	if v.Stage != "cold lead" || v.ByRule || v.Verdict.Stage != "SAL" {
		t.Errorf("rejected: %s (by rule %v, rules %s), want cold lead against the rules' SAL", v.Stage, v.ByRule, v.Verdict.Stage)
	}
	if o := s.Override; o == nil || o.Reason != "not_ready" || o.Actor != "jo" || o.Rules != "SAL" {
		t.Errorf("override %+v", o)
	}
	if folded := lead.Fold(m, events); !reflect.DeepEqual(folded, s) {
		t.Errorf("folded %+v\napplied %+v", folded, s)
	}
}

// Diff names what moved: the stage, the fit, the tier and the point rules
// gained and lost; the score decaying alone is no change.
func TestDiff(t *testing.T) {
	m := shipped(t)
	s := lead.NewState()
	lead.Apply(m, &s, &lead.Event{Kind: lead.KindSubmission, Answers: ana(), At: t0})
	v, _ := lead.Score(m, &s, t0/1000)
	ch, changed := lead.Diff(m, lead.Previous{}, &v)
	if !changed || ch.Stage != "MQL" || ch.StageFrom != "" || len(ch.Gained) == 0 {
		t.Fatalf("the first verdict: %+v %v", ch, changed)
	}
	prev := lead.Previous{Stage: v.Stage, Fit: v.Fit, Tier: v.Tier, Rules: v.Rules(m)}
	lead.Apply(m, &s, &lead.Event{Kind: lead.KindSignal, Name: "pricing_visit", At: t0 + 120_000})
	pricing, _ := lead.Score(m, &s, (t0+120_000)/1000)
	ch, changed = lead.Diff(m, prev, &pricing)
	if !changed || !reflect.DeepEqual(ch.Gained, []string{"pricing"}) || ch.Lost != nil || ch.StageFrom != "" {
		t.Errorf("a pricing visit: %+v %v", ch, changed)
	}
	if ch.Moved() != (ch.TierFrom != "") {
		t.Errorf("Moved %v with tier from %q", ch.Moved(), ch.TierFrom)
	}
	prev = lead.Previous{Stage: pricing.Stage, Fit: pricing.Fit, Tier: pricing.Tier, Rules: pricing.Rules(m)}
	later, _ := lead.Score(m, &s, (t0+day)/1000)
	if later.Score >= pricing.Score || later.Stage != "MQL" {
		t.Fatalf("a day later: %v (%s), was %v", later.Score, later.Stage, pricing.Score)
	}
	if ch, changed := lead.Diff(m, prev, &later); changed {
		t.Errorf("a day of decay alone is a change: %+v", ch)
	}
	cold, _ := lead.Score(m, &s, (t0+60*day)/1000)
	ch, changed = lead.Diff(m, prev, &cold)
	if !changed || ch.StageFrom != "MQL" || ch.Stage != "cold lead" || !ch.Moved() {
		t.Errorf("decayed to a cold lead: %+v", ch)
	}
}

// A submission sent with a form of the model (the event's name) records
// the form's signal besides the model's form signal, as the form itself
// does when the lead is read (qualify.Model.FormLead); one without a
// form, or with a form the model no longer has, the model's form signal
// alone. Folding the events again gives the same.
func TestApplyForm(t *testing.T) {
	m := shipped(t)
	for _, c := range []struct {
		form       string
		demo, news bool
	}{{"demo", true, false}, {"newsletter", false, true}, {"", false, false}, {"gone", false, false}} {
		ev := submission("e1", t0, map[string]string{"email": "ana@northwind.io", "consent": "yes"})
		ev.Name = c.form
		s := lead.Fold(m, []lead.Event{ev})
		sec := t0 / 1000
		if got := s.Signals["demo_request"] == sec; got != c.demo {
			t.Errorf("form %q: demo_request recorded %v, want %v", c.form, got, c.demo)
		}
		if got := s.Signals["newsletter_signup"] == sec; got != c.news {
			t.Errorf("form %q: newsletter_signup recorded %v, want %v", c.form, got, c.news)
		}
		if s.Signals["form_submission"] != sec {
			t.Errorf("form %q: no form_submission", c.form)
		}
		if i := m.FormIndex(c.form); i >= 0 {
			l, _ := m.FormLead(i, ev.Answers, sec)
			if got := lead.Layout(m, &s); !reflect.DeepEqual(got.Signals, l.Signals) {
				t.Errorf("form %q: the state's signals %v, the form's %v", c.form, got.Signals, l.Signals)
			}
		}
	}
}
