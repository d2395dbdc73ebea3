package notify_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/worker/notify"
)

func warn() *notify.Alert {
	paris, _ := time.LoadLocation("Europe/Paris")
	return &notify.Alert{ID: "warn|l1|1772442000000|2", Kind: notify.Warn, At: time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC), Zone: paris,
		Person: &notify.Person{Name: "Anna Schmidt", Email: "anna@example.com"}, Team: "Sales development",
		Lead: &notify.Lead{ID: "l1", Name: "Ana <Souza> & co", Company: "Northwind", Stage: "MQL", Fit: "A", Tier: "warm", Score: 15,
			Owner: "Anna Schmidt", Team: "Sales development", URL: "https://winnow.example/admin/leads/l1"},
		Attempt: 2, Attempts: 5, Due: time.Date(2026, 3, 4, 14, 0, 0, 0, time.UTC)}
}

// Each channel's body: Slack's text and blocks with mrkdwn escaped and
// a link to the lead, Resend's email to the person, Winnow's JSON with
// the alert's facts. Digests stay out of Slack; email needs an address.
func TestPayloads(t *testing.T) {
	a := warn()
	slack := notify.Channel{Name: "s", Kind: notify.KindSlack, URL: "https://hooks.example/x"}
	body, ok, err := slack.Payload(a)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	var m notify.SlackMessage
	json.Unmarshal(body, &m)
	if m.Text != "Due soon: attempt 2 of 5 on Ana <Souza> & co (Northwind)" || len(m.Blocks) != 3 ||
		m.Blocks[0].Text.Text != "*Due soon: attempt 2 of 5 on Ana &lt;Souza&gt; &amp; co (Northwind)* · <https://winnow.example/admin/leads/l1|Open the lead>" ||
		!strings.Contains(m.Blocks[1].Text.Text, "is due Wed 4 Mar 15:00 CET in the working hours of Sales development.") {
		t.Errorf("Slack: %s", body)
	}

	email := notify.Channel{Name: "e", Kind: notify.KindEmail, URL: notify.ResendAPI, Key: "re_x", From: "Winnow <a@example.com>"}
	body, ok, _ = email.Payload(a)
	var e notify.Email
	json.Unmarshal(body, &e)
	if !ok || e.To[0] != "anna@example.com" || e.Subject != m.Text || !strings.Contains(e.HTML, "Ana &lt;Souza&gt; &amp; co") ||
		!strings.Contains(e.Text, "https://winnow.example/admin/leads/l1") {
		t.Errorf("email: %s", body)
	}
	nobody := *a
	nobody.Person = nil
	if _, ok, _ := email.Payload(&nobody); ok {
		t.Error("an email to nobody")
	}

	hook := notify.Channel{Name: "w", Kind: notify.KindWebhook, URL: "https://example.com/hook", Secret: "s"}
	body, _, _ = hook.Payload(a)
	var w map[string]any
	json.Unmarshal(body, &w)
	if w["topic"] != "alert.warn" || w["id"] != a.ID || w["due"] != "2026-03-04T14:00:00.000Z" || w["attempt"] != 2.0 ||
		w["lead"].(map[string]any)["stage"] != "MQL" {
		t.Errorf("webhook: %s", body)
	}

	d := &notify.Alert{ID: "digest|anna@example.com|2026-03-04", Kind: notify.Digest, At: a.At, Zone: a.Zone, Person: a.Person, Team: a.Team,
		Leads: []notify.Lead{{ID: "l1", Name: "Ana", Stage: "MQL", Due: a.Due, Overdue: true}, {ID: "l2", Company: "Acme", Stage: "SAL"}}, Open: 3}
	if _, ok, _ := slack.Payload(d); ok {
		t.Error("a digest in Slack")
	}
	body, _, _ = email.Payload(d)
	json.Unmarshal(body, &e)
	if e.Subject != "Open leads of Anna Schmidt: 3, 1 overdue" || !strings.Contains(e.Text, "OVERDUE since Wed 4 Mar 15:00 CET · Ana · MQL") ||
		!strings.Contains(e.Text, "nothing due · Acme · SAL") || !strings.Contains(e.Text, "… and 1 more") {
		t.Errorf("digest: %s", e.Text)
	}
}

// Channels are checked when the server starts.
func TestChannelCheck(t *testing.T) {
	for _, c := range []notify.Channel{
		{Name: "a b", Kind: notify.KindSlack, URL: "https://x.example"},
		{Name: "s", Kind: notify.KindSlack, URL: "ftp://x.example"},
		{Name: "e", Kind: notify.KindEmail, URL: notify.ResendAPI, From: "a@example.com"},
		{Name: "e", Kind: notify.KindEmail, URL: notify.ResendAPI, Key: "k", From: "nobody"},
		{Name: "x", Kind: "pager", URL: "https://x.example"},
	} {
		if c.Check() == nil {
			t.Errorf("%+v passed", c)
		}
	}
	if err := (notify.Channel{Name: "e", Kind: notify.KindEmail, URL: notify.ResendAPI, Key: "k", From: "W <a@example.com>"}).Check(); err != nil {
		t.Error(err)
	}
}

// The stand-in for Resend refuses what Resend refuses (no key, a wrong
// key, a body without a subject), takes an email once per Idempotency-Key
// (the same request again answers as the first time; another body under
// the key is a conflict), and lists what it took.
func TestMailbox(t *testing.T) {
	mb := &notify.Mailbox{Key: "re_k"}
	srv := httptest.NewServer(mb)
	defer srv.Close()
	post := func(key, idem string, body any) (int, string) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", srv.URL+"/emails", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		if idem != "" {
			req.Header.Set("Idempotency-Key", idem)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}
	mail := notify.Email{From: "W <a@example.com>", To: []string{"b@example.com"}, Subject: "Hi", Text: "Hello"}
	if code, _ := post("", "", mail); code != 401 {
		t.Errorf("no key: %d", code)
	}
	if code, _ := post("re_wrong", "", mail); code != 403 {
		t.Errorf("a wrong key: %d", code)
	}
	if code, body := post("re_k", "", notify.Email{From: mail.From, To: mail.To, Text: "x"}); code != 422 || !strings.Contains(body, "subject") {
		t.Errorf("no subject: %d %s", code, body)
	}
	code, first := post("re_k", "alert-1", mail)
	if code != 200 || !strings.Contains(first, `"id"`) {
		t.Fatalf("sent: %d %s", code, first)
	}
	if code, again := post("re_k", "alert-1", mail); code != 200 || again != first {
		t.Errorf("the same request again: %d %s, want %s", code, again, first)
	}
	other := mail
	other.Subject = "Other"
	if code, _ := post("re_k", "alert-1", other); code != 409 {
		t.Errorf("another body under the key: %d", code)
	}
	if code, _ := post("re_k", "", other); code != 200 {
		t.Errorf("without a key: %d", code)
	}
	if got := mb.Mails(); len(got) != 2 || got[0].Idempotency != "alert-1" || got[0].Subject != "Hi" {
		t.Errorf("mails %+v", got)
	}
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "<h2 style=\"font-size:1em\">Other</h2>") {
		t.Errorf("the list: %s", page)
	}
}
