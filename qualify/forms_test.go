package qualify_test

import (
	"strings"
	"testing"

	"github.com/winnowhq/winnow/qualify"
)

// TestFormLead checks the answers sent with a form: only the form's own
// questions may be required (the model's other required fields are not
// the form's, its extra questions never are), and a submission records
// the form's signal besides the model's form signal. An index out of
// range is the model's whole form, as Lead; Answers requires nothing and
// records nothing.
func TestFormLead(t *testing.T) {
	m := testModel(t)
	news, demo := m.FormIndex("newsletter"), m.FormIndex("demo")
	if news < 0 || demo < 0 || m.FormIndex("webinar") != -1 {
		t.Fatalf("forms %d %d", news, demo)
	}
	signal := func(l qualify.Lead, name string) int64 { return l.Signals[m.SignalIndex(name)] }
	if _, errs := m.FormLead(news, qualify.Input{"email": "ana@acme.io"}, 100); len(errs) != 0 {
		t.Errorf("the newsletter asks no consent, yet: %v", errs)
	}
	if _, errs := m.Lead(qualify.Input{"email": "ana@acme.io"}, 100); len(errs) != 1 || errs[0].Field != "consent" {
		t.Errorf("the model requires consent: %v", errs)
	}
	if _, errs := m.FormLead(news, qualify.Input{}, 100); len(errs) != 1 || errs[0].Field != "email" || errs[0].Code != qualify.CodeRequired {
		t.Errorf("the newsletter requires the email: %v", errs)
	}
	if _, errs := m.FormLead(news, qualify.Input{"email": "ana@acme.io", "seats": "many"}, 100); len(errs) != 1 || errs[0].Field != "seats" {
		t.Errorf("an answer outside the form is still read: %v", errs)
	}
	lead, errs := m.FormLead(demo, qualify.Input{"email": "ana@acme.io", "consent": "yes"}, 100)
	if len(errs) != 0 || signal(lead, "demo") != 100 || signal(lead, "form") != 100 || signal(lead, "newsletter") != 0 {
		t.Errorf("a demo request: %v, signals %v", errs, lead.Signals)
	}
	if _, errs := m.FormLead(demo, qualify.Input{"email": "ana@acme.io", "consent": "no"}, 100); len(errs) != 1 || errs[0].Field != "consent" {
		t.Errorf("the demo form requires consent: %v", errs)
	}
	if lead, _ := m.FormLead(-1, qualify.Input{"email": "ana@acme.io", "consent": "yes"}, 100); signal(lead, "demo") != 0 || signal(lead, "form") != 100 {
		t.Errorf("no form: signals %v", lead.Signals)
	}
	if lead, _ := m.FormLead(demo, qualify.Input{"email": "ana@acme.io", "consent": "yes"}, 0); signal(lead, "demo") != 0 {
		t.Error("a form read without an instant records its signal")
	}
	f := &m.Forms[demo]
	phone, size := m.FieldIndex("phone"), m.FieldIndex("size")
	if !f.Asks(phone) || !f.Asks(size) || f.Asks(m.FieldIndex("request")) {
		t.Error("Asks does not tell the form's questions and extra ones from the others")
	}
	lead, errs = m.Answers(qualify.Input{"request": "demo", "seats": "4"})
	if len(errs) != 0 || signal(lead, "demo") != 0 || signal(lead, "form") != 0 || !lead.Values[m.FieldIndex("seats")].Known {
		t.Errorf("Answers: %v, %v", errs, lead)
	}
}

// TestMoves checks the changes that move a lead further along the
// funnel: each signal recorded now, each answer to a question not
// answered (free text is not guessed at), the nearest stage first; none
// that leads to an exit stage or stays where the lead is.
func TestMoves(t *testing.T) {
	m := testModel(t)
	const now = 1772409600
	lead, errs := m.Answers(qualify.Input{"email": "ana@acme.io", "industry": "software", "size": "large"})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	describe := func(l qualify.Lead) string {
		var out []string
		for _, mv := range qualify.Moves(m, &l, now) {
			what := ""
			if mv.Signal >= 0 {
				what = m.Signals[mv.Signal].Name
			} else {
				what = m.Fields[mv.Field].Name + "=" + mv.Value
			}
			out = append(out, what+"→"+m.Stages[mv.Stage].Name)
		}
		return strings.Join(out, " ")
	}
	if v := qualify.Evaluate(m, &lead, now); v.Stage != "new" {
		t.Fatalf("the lead is %s, want new", v.Stage)
	}
	if got, want := describe(lead), "accepted→sal budget=high→opportunity"; got != want {
		t.Errorf("moves %q, want %q", got, want)
	}
	lead.Values[m.FieldIndex("seats")] = qualify.Value{Known: true, Num: 5}
	got := describe(lead)
	if !strings.HasPrefix(got, "accepted→sal ") || !strings.Contains(got, "budget=low→opportunity") || !strings.Contains(got, "budget=high→opportunity") || strings.Contains(got, "budget=none") {
		t.Errorf("with seats: moves %q", got)
	}
	// The signal it has now moves nothing; nothing moves a competitor,
	// disqualified, back into the funnel.
	lead.Signals[m.SignalIndex("accepted")] = now
	if got := describe(lead); strings.Contains(got, "accepted") {
		t.Errorf("a signal of now moves the lead: %q", got)
	}
	rival, _ := m.Answers(qualify.Input{"email": "bo@rival.com", "industry": "software"})
	if v := qualify.Evaluate(m, &rival, now); v.Stage != "disqualified" {
		t.Fatalf("the competitor is %s", v.Stage)
	}
	if got := describe(rival); got != "" {
		t.Errorf("a competitor moves: %q", got)
	}
}
