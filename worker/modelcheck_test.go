package worker_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/backtest"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/modelcheck"
	"github.com/winnowhq/winnow/worker/store"
)

// checkFact is a fact of a lead of decidedLives, by jo in sales.
func checkFact(at time.Time, body map[string]any) worker.Fact {
	body["actor"], body["at"] = "jo@sales", at.UTC().Format(time.RFC3339)
	return fact(at, "", body)
}

// decidedLives are n leads an hour apart from importBase: big companies
// asking for a demo are won more often. Every lead but the first ten gets
// an outcome ten days on; lead 10 is reopened after it, and leads 20 to 29
// reply to an email two days after they came in (after their signup: the
// check does not see it).
func decidedLives(n int) []worker.Life {
	lives := make([]worker.Life, n)
	for i := range lives {
		fields := ana()
		fields["email"] = fmt.Sprintf("lead%d@northwind.io", i)
		fields["company_size"] = []string{"1-10", "201-1000", "51-200"}[i%3]
		fields["request"] = []string{"question", "demo"}[i/3%2]
		at := importBase.Add(time.Duration(i) * time.Hour)
		l := worker.Life{Key: fmt.Sprintf("life-check-%d", i), Source: "api", At: at, Fields: fields}
		if i >= 20 && i < 30 {
			l.Facts = append(l.Facts, checkFact(at.Add(48*time.Hour), map[string]any{"signal": "email_reply"}))
		}
		if i >= 10 {
			won := (i%3 != 0 && i/3%2 == 1) || i%5 == 0
			outcome := map[string]any{"outcome": "lost", "reason": "no_budget"}
			if won {
				outcome = map[string]any{"outcome": "won"}
			}
			l.Facts = append(l.Facts, checkFact(at.Add(240*time.Hour), outcome))
		}
		if i == 10 {
			l.Facts = append(l.Facts, checkFact(at.Add(250*time.Hour), map[string]any{"outcome": "open"}))
		}
		lives[i] = l
	}
	return lives
}

// ReadDecided reads the leads with an outcome, the most recent first, as
// they came in: a reopened lead and open ones are left out, a signal
// after the signup is not read, and Max cuts the oldest off.
func TestReadDecided(t *testing.T) {
	f := newFixture(t, nil, nil)
	if err := f.h.Import(context.Background(), decidedLives(300)); err != nil {
		t.Fatal(err)
	}
	m := defaultModel(t)
	dec, err := modelcheck.ReadDecided(context.Background(), f.db, m, modelcheck.DecidedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := dec.Data
	if got, want := d.Len(), 289; got != want || d.Read != want || dec.More {
		t.Fatalf("%d leads read (Read %d, More %v), want %d: 300 less 10 open and 1 reopened", got, d.Read, dec.More, want)
	}
	if got, want := time.UnixMilli(dec.Last), importBase.Add(299*time.Hour); !got.Equal(want) {
		t.Errorf("the newest lead came in at %v, want %v", got, want)
	}
	if got, want := time.UnixMilli(dec.First), importBase.Add(11*time.Hour); !got.Equal(want) {
		t.Errorf("the oldest lead came in at %v, want %v", got, want)
	}
	if d.Later != 0 || len(dec.Rejected) != 0 {
		t.Errorf("later signals %d, rejected answers %v: want none", d.Later, dec.Rejected)
	}
	won := 0
	for _, y := range d.Outcome {
		if y {
			won++
		}
	}
	if won == 0 || won == d.Len() {
		t.Fatalf("%d of %d won", won, d.Len())
	}
	// The rows are the most recent first: lead k is row 299-k. Leads 20
	// and 23 replied to an email two days after signup, which the check
	// does not read; they sent the form.
	form := m.SignalIndex("form_submission")
	reply := m.SignalIndex("email_reply")
	for r := range m.Points {
		if m.Points[r].Signal == reply && (d.Holds(279, r) || d.Holds(276, r)) {
			t.Errorf("rule %s holds for a lead whose email reply came after its signup", m.Points[r].Name)
		}
		if m.Points[r].Signal == form && !d.Holds(279, r) {
			t.Errorf("rule %s does not hold for a lead that sent the form", m.Points[r].Name)
		}
	}

	s := store.New(f.db, nil)
	leads, _, err := s.DecidedLeads(context.Background(), store.DecidedCursor{}, 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range leads {
		for _, e := range l.Events {
			if e.At > l.CreatedAt || e.Kind == lead.KindOutcome {
				t.Fatalf("lead %s came in at %d: event %s at %d read", l.ID, l.CreatedAt, e.Kind, e.At)
			}
		}
		if len(l.Events) == 0 || l.Events[0].Kind != lead.KindSubmission {
			t.Fatalf("lead %s: events %v, want its submission", l.ID, l.Events)
		}
	}

	// Cut off: the most recent 100 of them, in pages of 500 or less.
	dec, err = modelcheck.ReadDecided(context.Background(), f.db, m, modelcheck.DecidedOptions{Max: 100})
	if err != nil {
		t.Fatal(err)
	}
	if dec.Data.Len() != 100 || !dec.More || !time.UnixMilli(dec.First).Equal(importBase.Add(200*time.Hour)) {
		t.Errorf("Max 100: %d leads, More %v, oldest %v", dec.Data.Len(), dec.More, time.UnixMilli(dec.First))
	}
}

// The dashboard's model check: the AUC and the suggested points of the
// leads with an outcome, computed once until an outcome is recorded; the
// patch where the server has the model's source, and a pointer to
// winnow backtest --db where it has not or the check is off.
func TestDashboardModelCheck(t *testing.T) {
	var patched *backtest.Suggestion
	checker := modelcheck.Checker{Max: 250, Patch: func(s *backtest.Suggestion, note string) ([]byte, error) {
		patched = s
		return []byte(note + "\n--- a/content/scoring.yaml\n+++ b/content/scoring.yaml\n"), nil
	}}
	f := newFixture(t, nil, func(c *worker.Config) { checker.Now = c.Now; c.ModelCheck = checker })
	b := newAdminBrowser(t, f.srv.URL)
	if p := b.get(t, "/admin/model"); p.status != 200 || !strings.Contains(p.body, `name="token"`) {
		t.Fatalf("without a session: %d, want the login form\n%s", p.status, p.body)
	}
	b.login(t, "tok")
	p := b.get(t, "/admin/model")
	if p.status != 200 || !strings.Contains(p.body, "The check needs leads with an outcome") {
		t.Fatalf("without outcomes: %d\n%s", p.status, p.body)
	}
	if !strings.Contains(p.body, `href="/admin/model" aria-current="page"`) {
		t.Error("the navigation does not mark the model check as the current page")
	}

	if err := f.h.Import(context.Background(), decidedLives(300)); err != nil {
		t.Fatal(err)
	}
	p = b.get(t, "/admin/model")
	for _, want := range []string{"<h1>Model check</h1>", "250 with an outcome", "the 250 most recent leads with an outcome",
		"Held-out ROC AUC", "Top decile lift", "company-size", `href="/admin/model.patch"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the model check lacks %q:\n%s", want, p.body)
		}
	}
	if p.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", p.header.Get("Cache-Control"))
	}
	computed := func(body string) string {
		_, after, _ := strings.Cut(body, "<dt>Computed</dt>")
		before, _, _ := strings.Cut(after, "</dd>")
		return before
	}
	first := computed(p.body)
	f.clock.Advance(time.Hour)
	if again := computed(b.get(t, "/admin/model").body); again != first {
		t.Errorf("computed again (%s, then %s) with no new outcome", first, again)
	}

	patch := b.get(t, "/admin/model.patch")
	if patch.status != 200 || patch.header.Get("Content-Type") != "text/x-diff; charset=utf-8" ||
		!strings.Contains(patch.body, "+++ b/content/scoring.yaml") || !strings.Contains(patch.body, "250 leads") || patched == nil {
		t.Errorf("the patch: %d %q\n%s", patch.status, patch.header.Get("Content-Type"), patch.body)
	}

	// A new outcome: computed again.
	id := f.submit(t, "key-check-new", map[string]string{"email": "new@northwind.io", "company_size": "51-200", "consent": "yes",
		"name": "New", "company": "Northwind"})["id"].(string)
	f.postEvent(t, id, map[string]string{"outcome": "won", "actor": "jo@sales"})
	if again := computed(b.get(t, "/admin/model").body); again == first {
		t.Errorf("not computed again after an outcome was recorded (%s)", again)
	}

	// Natively without the content: no patch.
	noSource := newFixture(t, nil, func(c *worker.Config) { c.ModelCheck = modelcheck.Checker{Max: 250} })
	if err := noSource.h.Import(context.Background(), decidedLives(300)); err != nil {
		t.Fatal(err)
	}
	nb := newAdminBrowser(t, noSource.srv.URL)
	nb.login(t, "tok")
	p = nb.get(t, "/admin/model")
	if strings.Contains(p.body, "/admin/model.patch") || !strings.Contains(p.body, "winnow backtest --db FILE --suggest") ||
		!strings.Contains(p.body, "Held-out ROC AUC") {
		t.Errorf("without the content the page offers a patch, or not winnow backtest --db:\n%s", p.body)
	}

	// The check off (WINNOW_MODEL_CHECK_MAX=0): how to run one.
	edge := newFixture(t, nil, nil)
	eb := newAdminBrowser(t, edge.srv.URL)
	eb.login(t, "tok")
	p = eb.get(t, "/admin/model")
	if p.status != 200 || !strings.Contains(p.body, "winnow backtest --db winnow.db --suggest") {
		t.Errorf("the model check off: %d\n%s", p.status, p.body)
	}
	if p := eb.get(t, "/admin/model.patch"); p.status != 404 || !strings.Contains(p.body, "winnow backtest --db") {
		t.Errorf("the patch with the check off: %d\n%s", p.status, p.body)
	}
}

// failingChecker is a model check that cannot run.
type failingChecker struct{}

func (failingChecker) CheckModel(context.Context, *sql.DB, *qualify.Model) (*worker.ModelCheck, error) {
	return nil, errors.New("content/scoring.yaml: no point rule \"x\" at line 3")
}

// A model check that fails is a page that says why, not a 500.
func TestDashboardModelCheckFails(t *testing.T) {
	f := newFixture(t, nil, func(c *worker.Config) { c.ModelCheck = failingChecker{} })
	b := newAdminBrowser(t, f.srv.URL)
	b.login(t, "tok")
	for _, path := range []string{"/admin/model", "/admin/model.patch"} {
		p := b.get(t, path)
		if p.status != 503 || !strings.Contains(p.body, "The model check failed") || !strings.Contains(p.body, "no point rule") {
			t.Errorf("%s with a failing check: %d\n%s", path, p.status, p.body)
		}
	}
}
