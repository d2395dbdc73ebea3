package worker_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// submitForm posts answers as JSON naming a form, from a visitor (their
// winnow_v cookie, or none).
func (f *fixture) submitForm(t *testing.T, form, key, visitor string, fields map[string]string) (int, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"form": form, "fields": fields, "idempotency_key": key})
	header := map[string]string{"Content-Type": "application/json"}
	if visitor != "" {
		header["Cookie"] = "winnow_v=" + visitor
	}
	rec := f.call(t, "POST", "/api/leads", "192.0.2.1:1234", header, string(body))
	return rec.Code, rec.Body.Bytes()
}

// A submission naming a form answers that form's questions only: an
// unknown form, or an answer to a question the form does not ask (a
// field of the model or not, given or empty), is a bad request that
// names the field and stores nothing. Only the form's own questions are
// required; the lead records the form's signal besides the model's form
// signal, and the answer carries the form's thank-you.
func TestFormSubmission(t *testing.T) {
	f := newFixture(t, nil, nil)
	guide := map[string]string{"name": "Eve Eng", "email": "eve@example.org", "company": "Eng AG", "role": "marketing", "consent": "yes"}
	for _, c := range []struct {
		name, form string
		extra      map[string]string
		field      string
	}{
		{"a field of another form", "download", map[string]string{"budget": "none"}, "budget"},
		{"an empty answer outside the form", "download", map[string]string{"seats": ""}, "seats"},
		{"no field of the model", "download", map[string]string{"gclid": "Cj0"}, "gclid"},
		{"a field recorded from the visit", "download", map[string]string{"utm_source": "ads"}, "utm_source"},
		{"an unknown form", "webinar", nil, "form"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fields := map[string]string{}
			for k, v := range guide {
				fields[k] = v
			}
			for k, v := range c.extra {
				fields[k] = v
			}
			status, body := f.submitForm(t, c.form, "k-refused", "", fields)
			if status != 400 {
				t.Fatalf("status %d, want 400: %s", status, body)
			}
			if got := errorFields(t, body); len(got) != 1 || got[c.field] == "" {
				t.Errorf("the error names %v, want %s alone: %s", got, c.field, body)
			}
		})
	}
	// The refused requests stored nothing under their key; the page's own
	// fields (the honeypot, the fill time) belong to every form.
	fields := map[string]string{"website": "", "fill_seconds": "30"}
	for k, v := range guide {
		fields[k] = v
	}
	status, body := f.submitForm(t, "download", "k-refused", "", fields)
	if status != 201 {
		t.Fatalf("the guide's form: %d %s", status, body)
	}
	var a struct {
		ID     string
		Stage  string
		Thanks map[string]string
	}
	json.Unmarshal(body, &a)
	if a.Thanks["label"] != "Read the guide" || a.Thanks["url"] != "/guides/lead-qualification/" || a.Thanks["title"] == "" {
		t.Errorf("the guide's thank-you: %s", body)
	}
	l := f.lead(t, a.ID)
	if l.Signals["form_submission"] == "" || len(l.Events) == 0 || l.Events[0].Kind != "submission" || l.Events[0].Name != "download" {
		t.Errorf("the guide's submission: signals %v, events %s", l.Signals, l.kinds())
	}
	// The newsletter asks for an address and consent: the model's other
	// required questions are not the form's. Its signal is recorded.
	status, body = f.submitForm(t, "newsletter", "k-newsletter", "", map[string]string{"email": "nia@example.org", "consent": "yes"})
	if status != 201 {
		t.Fatalf("the newsletter: %d %s", status, body)
	}
	json.Unmarshal(body, &a)
	if l := f.lead(t, a.ID); l.Signals["newsletter_signup"] == "" || l.Signals["form_submission"] == "" {
		t.Errorf("a newsletter signup records %v", l.Signals)
	}
	// The same answers without a form are the model's: every required
	// field is.
	b, _ := json.Marshal(map[string]any{"fields": map[string]string{"email": "nia@example.org", "consent": "yes"}, "idempotency_key": "k-no-form"})
	rec := f.call(t, "POST", "/api/leads", "192.0.2.1:1234", map[string]string{"Content-Type": "application/json"}, string(b))
	if got := errorFields(t, rec.Body.Bytes()); rec.Code != 422 || got["name"] != "required" || got["company"] != "required" {
		t.Errorf("without a form: %d %v", rec.Code, got)
	}
	// The demo form records a demo request: the lead is a prospect at
	// least.
	demo := map[string]string{"name": "Ana Souza", "email": "ana@northwind.io", "company": "Northwind", "consent": "yes"}
	status, body = f.submitForm(t, "demo", "k-demo-form", "", demo)
	json.Unmarshal(body, &a)
	if l := f.lead(t, a.ID); status != 201 || l.Signals["demo_request"] == "" || a.Stage != "prospect" {
		t.Errorf("a demo request: %d %s, signals %v", status, body, l.Signals)
	}
	// A plain form post names its form too, and a refusal sends the
	// visitor back to that form's page.
	plain := url.Values{"form": {"contact"}, "email": {"not an email"}, "name": {"Bo"}, "company": {"B"}, "consent": {"yes"}}
	page := f.call(t, "POST", "/api/leads", "192.0.2.1:1234", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, plain.Encode())
	if page.Code != 422 || !strings.Contains(page.Body.String(), "Work email") {
		t.Errorf("a plain post with a wrong address: %d\n%s", page.Code, page.Body)
	}
	plain.Set("budget", "none")
	page = f.call(t, "POST", "/api/leads", "192.0.2.1:1234", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, plain.Encode())
	if page.Code != 400 || !strings.Contains(page.Body.String(), "budget") {
		t.Errorf("a plain post answering another form's question: %d\n%s", page.Code, page.Body)
	}
}

// GET /api/profile names the questions the visitor's lead answered,
// never the answers; a visitor without a lead, or without the cookie,
// answered nothing; other sites are refused; and each visitor may ask a
// limited number of times a window.
func TestProfile(t *testing.T) {
	f := newFixture(t, nil, nil)
	visitor := "profileVisitor00000001"
	profile := func(visitor string, header map[string]string) (int, string) {
		t.Helper()
		if header == nil {
			header = map[string]string{}
		}
		if visitor != "" {
			header["Cookie"] = "winnow_v=" + visitor
		}
		rec := f.call(t, "GET", "/api/profile", "192.0.2.7:1234", header, "")
		if got := rec.Header().Get("Cache-Control"); rec.Code == 200 && got != "no-store" {
			t.Errorf("Cache-Control %q", got)
		}
		return rec.Code, rec.Body.String()
	}
	if status, body := profile(visitor, nil); status != 200 || strings.TrimSpace(body) != `{"answered":[]}` {
		t.Errorf("before any submission: %d %s", status, body)
	}
	answers := map[string]string{"name": "Ana Souza", "email": "ana.profile@northwind.io", "company": "Northwind Software",
		"company_size": "201-1000", "industry": "software", "consent": "yes", "fill_seconds": "40"}
	if status, body := f.submitForm(t, "demo", "k-profile", visitor, answers); status != 201 {
		t.Fatalf("submit: %d %s", status, body)
	}
	status, body := profile(visitor, nil)
	var p struct{ Answered []string }
	if err := json.Unmarshal([]byte(body), &p); status != 200 || err != nil {
		t.Fatalf("profile: %d %s", status, body)
	}
	if want := []string{"company", "company_size", "consent", "email", "industry", "name"}; !slices.Equal(p.Answered, want) {
		t.Errorf("answered %v, want %v (the page's own fields left out)", p.Answered, want)
	}
	for k, v := range answers {
		if len(v) > 3 && strings.Contains(body, v) {
			t.Errorf("the profile gives the answer to %s: %s", k, body)
		}
	}
	if status, body := profile("", nil); status != 200 || strings.TrimSpace(body) != `{"answered":[]}` {
		t.Errorf("without the cookie: %d %s", status, body)
	}
	if status, _ := profile(visitor, map[string]string{"Origin": "https://evil.example"}); status != 403 {
		t.Errorf("from another site: %d", status)
	}
	limited := 0
	for i := 0; i < 70; i++ {
		if status, _ := profile(visitor, nil); status == 429 {
			limited = i
			break
		}
	}
	if limited == 0 || limited > 60 {
		t.Errorf("the profile was not limited (first 429 after %d more requests)", limited)
	}
}

// A returning visitor's form leaves out what their lead answered: the
// lead (by their email address, or by the visitor's cookie without one)
// stands in for the form's required questions, but for those the form
// asks again (consent), and the submission is an event of the same lead.
// Another visitor's submission without the answers is refused.
func TestReturningVisitor(t *testing.T) {
	f := newFixture(t, nil, nil)
	visitor := "returningVisitor000001"
	first := map[string]string{"name": "Ana Souza", "email": "ana.returning@northwind.io", "company": "Northwind Software",
		"consent": "yes", "fill_seconds": "40"}
	status, body := f.submitForm(t, "download", "k-first-form", visitor, first)
	if status != 201 {
		t.Fatalf("first: %d %s", status, body)
	}
	var a struct{ ID string }
	json.Unmarshal(body, &a)
	// The demo form's extra question takes the place of those answered.
	later := map[string]string{"how_heard": "referral", "seats": "40", "fill_seconds": "20"}
	status, body = f.submitForm(t, "demo", "k-no-consent", visitor, later)
	if got := errorFields(t, body); status != 422 || len(got) != 1 || got["consent"] != "required" {
		t.Errorf("without consent, which the demo form asks again: %d %s", status, body)
	}
	later["consent"] = "yes"
	status, body = f.submitForm(t, "demo", "k-later-form", visitor, later)
	if status != 201 {
		t.Fatalf("the returning visitor: %d %s", status, body)
	}
	var b struct{ ID, Stage string }
	json.Unmarshal(body, &b)
	if b.ID != a.ID {
		t.Errorf("the returning visitor made lead %s, not an event of %s", b.ID, a.ID)
	}
	l := f.lead(t, a.ID)
	if l.Fields["how_heard"] != "referral" || l.Fields["company"] != "Northwind Software" || l.Signals["demo_request"] == "" {
		t.Errorf("the lead after its second form: %v %v", l.Fields, l.Signals)
	}
	if n := strings.Count(l.kinds(), "submission:"); n != 2 {
		t.Errorf("%d submissions, want 2: %s", n, l.kinds())
	}
	// By email, without the cookie: the person's lead.
	status, body = f.submitForm(t, "demo", "k-by-email-1", "", map[string]string{"email": "ana.returning@northwind.io", "consent": "yes", "timeline": "now"})
	json.Unmarshal(body, &b)
	if status != 201 || b.ID != a.ID {
		t.Errorf("by email: %d %s", status, body)
	}
	// Another visitor cannot lean on the lead.
	status, body = f.submitForm(t, "demo", "k-stranger", "someoneElse00000000001", later)
	if got := errorFields(t, body); status != 422 || got["email"] != "required" || got["name"] != "required" {
		t.Errorf("another visitor: %d %s", status, body)
	}
	status, _ = f.submitForm(t, "demo", "k-nobody-1", "", later)
	if status != 422 {
		t.Errorf("no visitor: %d", status)
	}
}
