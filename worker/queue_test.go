package worker_test

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/templates"
	"github.com/winnowhq/winnow/worker"
)

// queueFixture is a fixture whose leads are routed by content/routing.yaml.
func queueFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixture(t, nil, func(c *worker.Config) { c.Routing = shippedRouting(t) })
}

// steady is Ana's answers under another name and email, asking to be
// kept posted: an MQL whose score stays above the threshold for weeks.
func steady(i int) map[string]string {
	f := ana()
	f["name"], f["email"], f["request"] = "Lead "+strconv.Itoa(i), "lead"+strconv.Itoa(i)+"@northwind.io", "newsletter"
	return f
}

// queueOf is a page of a queue as GET /api/queue gives it.
type queueOf struct {
	Open, Due, Overdue, Waiting, Page, Pages int
	Leads                                    []struct {
		ID, Name, Stage, Tier, Owner string
		DueAt                        string `json:"due_at"`
		Overdue                      bool
		Attempts                     int
		AttemptsAsked                int `json:"attempts_asked"`
	}
}

func (f *fixture) queue(t *testing.T, owner string) queueOf {
	t.Helper()
	status, body := f.get(t, "/api/queue?owner="+url.QueryEscape(owner))
	if status != 200 {
		t.Fatalf("GET queue of %s: %d %s", owner, status, body)
	}
	var q queueOf
	if err := json.Unmarshal(body, &q); err != nil {
		t.Fatal(err)
	}
	return q
}

// names lists the leads of a queue's page by name.
func (q queueOf) names() string {
	var out []string
	for _, l := range q.Leads {
		out = append(out, l.Name)
	}
	return strings.Join(out, ", ")
}

// dueAt is when a lead's next attempt is due, in Paris, or "none".
func (f *fixture) dueAt(t *testing.T, id string) string {
	t.Helper()
	var due int64
	if err := f.db.QueryRow(`SELECT coalesce(due_at, 0) FROM leads WHERE id = ?`, id).Scan(&due); err != nil {
		t.Fatal(err)
	}
	if due == 0 {
		return "none"
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	return time.UnixMilli(due).In(paris).Format("Mon 15:04")
}

// queuePage logs b in and opens the queue of owner; it returns the page
// and its CSRF token.
func queuePage(t *testing.T, b *adminBrowser, owner string) (page, string) {
	t.Helper()
	b.login(t, "tok")
	p := b.get(t, "/admin/queue?owner="+url.QueryEscape(owner))
	wantPage(t, p, 200, "Queue of "+owner)
	return p, csrf(t, p)
}

// work posts a form that works lead id, back to the queue of Anna Schmidt.
func (b *adminBrowser) work(t *testing.T, id, token string, form url.Values) page {
	t.Helper()
	form.Set("csrf", token)
	form.Set("back", "/admin/queue?owner=Anna+Schmidt")
	return b.post(t, "/admin/leads/"+id+"/events", form)
}

// events counts the events stored.
func (f *fixture) events(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.db.QueryRow(`SELECT count(*) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Accepting an MQL from the queue records the acceptance, with who is
// signed in, and the model's acceptance signal, which makes the lead a
// SAL by the rules; the queue comes back saying so, and the lead's
// timeline shows who accepted it.
func TestWorkAccept(t *testing.T) {
	f := queueFixture(t)
	id := f.submit(t, "key-work-accept", ana())["id"].(string)
	b := newAdminBrowser(t, f.srv.URL)
	q, token := queuePage(t, b, "Anna Schmidt")
	wantPage(t, q, 200, "Ana Maria Souza, Northwind Software", `action="/admin/leads/`+id+`/events"`, "1 open lead: 0 overdue, 1 due later")
	p := b.work(t, id, token, url.Values{"fact": {"accept"}})
	if want := "/admin/queue?done=accepted&lead=" + id + "&owner=Anna+Schmidt"; p.status != 303 || p.header.Get("Location") != want {
		t.Fatalf("accept: %d to %q, want 303 to %q:\n%s", p.status, p.header.Get("Location"), want, p.body)
	}
	l := f.lead(t, id)
	if l.Stage != "SAL" || !l.ByRule {
		t.Errorf("accepted: %s (by rule %v), want SAL by the rules", l.Stage, l.ByRule)
	}
	var accepted, entered bool
	for _, e := range l.Events {
		switch {
		case e.Kind == "accept":
			accepted = e.Actor == "admin" && e.Source == "admin" && e.Name == "sales_accepted"
		case e.Kind == "stage" && e.Stage == "SAL":
			entered = *e.ByRule && e.Actor == "winnow"
		}
	}
	if !accepted || !entered {
		t.Errorf("timeline %s: accept by admin recorded %v, SAL entered by the rules %v", l.kinds(), accepted, entered)
	}
	if _, ok := l.Signals["sales_accepted"]; !ok {
		t.Errorf("signals %v lack sales_accepted", l.Signals)
	}
	wantPage(t, b.get(t, p.header.Get("Location")), 200, "Accepted Ana Maria Souza, Northwind Software: it is in SAL, owned by Anna Schmidt.")
	leadPage := b.get(t, "/admin/leads/"+id)
	wantPage(t, leadPage, 200, "Accepted the lead (signal: Sales accepted the lead)", "<td data-label=\"Who\">admin</td>")
	// A lead taken on is not offered for acceptance again, on its page or
	// in the queue.
	if strings.Contains(leadPage.body, `value="accept"`) {
		t.Error("the lead page offers to accept a lead accepted already")
	}
	if q := b.get(t, "/admin/queue?owner=Anna+Schmidt"); strings.Contains(q.body, `value="accept"`) {
		t.Error("the queue offers to accept a lead accepted already")
	}
}

// Rejecting a lead with the reason not_ready sends it back to cold lead,
// as content/routing.yaml says, against the rules and with the reason; the
// stage's team (Marketing) takes it. An unknown reason, or none, is
// refused, naming the field, by the API and by the form, and changes
// nothing.
func TestWorkReject(t *testing.T) {
	f := queueFixture(t)
	id := f.submit(t, "key-work-reject", ana())["id"].(string)
	b := newAdminBrowser(t, f.srv.URL)
	_, token := queuePage(t, b, "Anna Schmidt")
	before := f.events(t)
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"reject": true, "reason": "not_interested", "actor": "jo"}, "reason"},
		{map[string]any{"reject": true, "actor": "jo"}, "reason"},
		{map[string]any{"reject": true, "reason": "not_ready", "activity": "call", "actor": "jo"}, "body"},
	} {
		js, _ := json.Marshal(c.body)
		status, body := f.request(t, "POST", "/api/leads/"+id+"/events", js)
		var e struct{ Errors []struct{ Field string } }
		json.Unmarshal(body, &e)
		if status != 422 || len(e.Errors) != 1 || e.Errors[0].Field != c.field {
			t.Errorf("%s: %d %s, want 422 naming %s", js, status, body, c.field)
		}
	}
	p := b.work(t, id, token, url.Values{"fact": {"reject"}, "reason": {"not_interested"}})
	wantPage(t, p, 400, "The lead was not changed", "reason: reason &#34;not_interested&#34; is not one of the reject reasons: not_ready, no_budget")
	if after := f.events(t); after != before {
		t.Fatalf("refused rejections stored %d events", after-before)
	}

	p = b.work(t, id, token, url.Values{"fact": {"reject"}, "reason": {"not_ready"}, "note": {"budget next year"}})
	if p.status != 303 || !strings.Contains(p.header.Get("Location"), "done=rejected") {
		t.Fatalf("reject: %d %s", p.status, p.header.Get("Location"))
	}
	l := f.lead(t, id)
	if l.Stage != "cold lead" || l.ByRule || l.Override == nil || l.Override.Reason != "not_ready" || l.Override.Actor != "admin" {
		t.Errorf("rejected: %s (by rule %v), override %+v; want cold lead held with the reason not_ready", l.Stage, l.ByRule, l.Override)
	}
	var rejected bool
	for _, e := range l.Events {
		if e.Kind == "reject" {
			rejected = e.Value == "not_ready" && e.Stage == "cold lead" && e.Note == "budget next year" && e.Actor == "admin"
		}
	}
	if !rejected {
		t.Errorf("timeline %s lacks the rejection with its reason", l.kinds())
	}
	if o := f.owned(t, id); o.Team != "Marketing" || o.Owner == "" {
		t.Errorf("rejected to cold lead: owned by %q in %q, want someone of Marketing", o.Owner, o.Team)
	}
	if q := f.queue(t, "Anna Schmidt"); q.Open != 0 {
		t.Errorf("Anna Schmidt's queue holds %d leads after the rejection, want none", q.Open)
	}
	wantPage(t, b.get(t, "/admin/leads/"+id), 200, "Rejected the lead, sent to cold lead", "Reason: Not ready to buy yet")
}

// A viewer's post is refused and stores nothing; so is a post without the
// session's CSRF token, whoever sends it.
func TestWorkRefused(t *testing.T) {
	f := queueFixture(t)
	id := f.submit(t, "key-work-viewer", ana())["id"].(string)
	b := newAdminBrowser(t, f.srv.URL)
	_, token := queuePage(t, b, "Anna Schmidt")
	before := f.events(t)

	// A viewer, signed in by a login link, may read the queue, not work it.
	viewerBrowser, _ := linkLogin(t, f, makeLink(t, b, token, addPerson(t, b, token, "vi@winnow.example", templates.RoleViewer)))
	p := viewerBrowser.work(t, id, csrf(t, viewerBrowser.get(t, "/admin")), url.Values{"fact": {"accept"}})
	wantPage(t, p, 403, "Not with your role", "nothing was changed")

	p = b.post(t, "/admin/leads/"+id+"/events", url.Values{"fact": {"accept"}, "back": {"/admin/queue"}})
	wantPage(t, p, 403, "The form was refused", "security token")
	p = b.post(t, "/admin/leads/"+id+"/events", url.Values{"fact": {"accept"}, "csrf": {token + "x"}})
	wantPage(t, p, 403, "The form was refused")
	if after, l := f.events(t), f.lead(t, id); after != before || l.Stage != "MQL" {
		t.Fatalf("refused posts stored %d events; the lead is %s", after-before, l.Stage)
	}
	// Someone of sales may, and the timeline names them.
	salesBrowser, _ := linkLogin(t, f, makeLink(t, b, token, addPerson(t, b, token, "jo@winnow.example", templates.RoleSales)))
	wantPage(t, salesBrowser.work(t, id, csrf(t, salesBrowser.get(t, "/admin")), url.Values{"fact": {"accept"}}), 303)
	by := ""
	for _, e := range f.owned(t, id).Events {
		if e.Kind == "accept" {
			by = e.Actor
		}
	}
	if by != "jo@winnow.example" {
		t.Errorf("the acceptance is recorded as done by %q, want jo@winnow.example", by)
	}
	if l := f.lead(t, id); l.Stage != "SAL" {
		t.Errorf("accepted by sales: %s", l.Stage)
	}
}

// Reassigning a lead to another person of its team records an assign
// event by who did it, with the reason, and moves what is due to the new
// owner's queue, due when it was; nobody outside the team, and not the
// owner again, can be named.
func TestWorkReassign(t *testing.T) {
	f := queueFixture(t)
	id := f.submit(t, "key-work-reassign", ana())["id"].(string)
	due := f.dueAt(t, id)
	b := newAdminBrowser(t, f.srv.URL)
	q, token := queuePage(t, b, "Anna Schmidt")
	wantPage(t, q, 200, `<option value="Lukas Weber">Lukas Weber</option>`)
	for _, c := range []struct{ who, code string }{{"Daniel Kim", "unknown"}, {"Anna Schmidt", "held"}, {"nobody@example.com", "unknown"}} {
		js, _ := json.Marshal(map[string]any{"reassign": c.who, "actor": "jo"})
		status, body := f.request(t, "POST", "/api/leads/"+id+"/events", js)
		var e struct {
			Errors []struct{ Field, Code string }
		}
		json.Unmarshal(body, &e)
		if status != 422 || len(e.Errors) != 1 || e.Errors[0].Field != "reassign" || e.Errors[0].Code != c.code {
			t.Errorf("reassign to %s: %d %s, want 422 naming reassign (%s)", c.who, status, body, c.code)
		}
	}
	p := b.work(t, id, token, url.Values{"fact": {"reassign"}, "person": {"Lukas Weber"}, "note": {"speaks German"}})
	if p.status != 303 {
		t.Fatalf("reassign: %d %s", p.status, p.body)
	}
	o := f.owned(t, id)
	if o.Owner != "Lukas Weber" || o.Team != "Sales development" {
		t.Errorf("owner %q in %q, want Lukas Weber in Sales development", o.Owner, o.Team)
	}
	var reason string
	for _, e := range o.Events {
		if e.Kind == "assign" && e.Actor == "admin" && e.Value == "Lukas Weber" {
			reason = e.Note
		}
	}
	if reason != "reassigned by admin: speaks German" {
		t.Errorf("assignments %v, reason %q; want one to Lukas Weber by admin", o.assignments(), reason)
	}
	if got := f.dueAt(t, id); got != due {
		t.Errorf("due %s after the reassignment, want %s as before", got, due)
	}
	if anna, lukas := f.queue(t, "Anna Schmidt"), f.queue(t, "lukas.weber@winnow.example"); anna.Open != 0 || lukas.Open != 1 || lukas.Leads[0].ID != id {
		t.Errorf("after the reassignment Anna Schmidt's queue holds %d, Lukas Weber's %+v", anna.Open, lukas)
	}
	// By email through the API, back to Anna Schmidt.
	f.postEvent(t, id, map[string]string{"reassign": "anna.schmidt@winnow.example", "actor": "jo"})
	if o := f.owned(t, id); o.Owner != "Anna Schmidt" {
		t.Errorf("reassigned by email: owner %q", o.Owner)
	}
	wantPage(t, b.get(t, "/admin/leads/"+id), 200, "Reassigned to Lukas Weber (Sales development)", "Reason: reassigned by admin: speaks German")
}

// Recording an activity from the queue is an attempt of the stage's
// rhythm: what is due moves to the next follow-up (2 working days of
// Sales development later), and the queue counts the attempt.
func TestWorkActivity(t *testing.T) {
	f := queueFixture(t)
	id := f.submit(t, "key-work-activity", ana())["id"].(string) // Monday 10:00 in Paris
	if due := f.dueAt(t, id); due != "Wed 15:00" {
		t.Fatalf("entered on Monday 10:00: due %s, want Wed 15:00", due)
	}
	f.clock.Advance(time.Hour)
	b := newAdminBrowser(t, f.srv.URL)
	_, token := queuePage(t, b, "Anna Schmidt")
	wantPage(t, b.work(t, id, token, url.Values{"fact": {"activity"}}), 400, "Choose the activity to record.")
	wantPage(t, b.work(t, id, token, url.Values{"fact": {"activity"}, "activity": {"fax"}}), 400, "activity: activity must be one of contacted, call")
	p := b.work(t, id, token, url.Values{"fact": {"activity"}, "activity": {"call"}, "note": {"left a message"}})
	if p.status != 303 {
		t.Fatalf("activity: %d %s", p.status, p.body)
	}
	if due := f.dueAt(t, id); due != "Mon 11:30" {
		t.Errorf("called on Monday 11:00: due %s, want the follow-up on Mon 11:30 (two working days on)", due)
	}
	q := f.queue(t, "Anna Schmidt")
	if len(q.Leads) != 1 || q.Leads[0].Attempts != 1 || q.Leads[0].AttemptsAsked != 5 {
		t.Errorf("queue %+v, want the lead with 1 attempt of 5", q)
	}
	wantPage(t, b.get(t, p.header.Get("Location")), 200, "Recorded an activity on Ana Maria Souza", "1 of 5")
	wantPage(t, b.get(t, "/admin/leads/"+id), 200, "Activity: Called", "left a message")

	// A form sent twice with the key of its page (a double click, a
	// resend) records one event; sent again with other answers from a
	// page kept open, it changes nothing and says the page is out of date.
	sent := url.Values{"fact": {"activity"}, "activity": {"email"}, "key": {"page-key-0001-activity"}}
	before := f.events(t)
	for range 2 {
		if p := b.work(t, id, token, sent); p.status != 303 {
			t.Fatalf("a keyed form: %d %s", p.status, p.body)
		}
	}
	if n := f.events(t) - before; n != 1 {
		t.Errorf("a form sent twice stored %d events, want 1", n)
	}
	sent.Set("activity", "meeting")
	wantPage(t, b.work(t, id, token, sent), 409, "The lead was not changed", "the page is out of date")
	if n := f.events(t) - before; n != 1 {
		t.Errorf("a stale form stored %d more events", n-1)
	}
}

// A queue lists what is overdue first, then what is due, then what has
// nothing due, hot before warm; the page marks what is overdue and pages
// through the queue.
func TestQueueOrder(t *testing.T) {
	f := queueFixture(t)
	ids := map[string]string{}
	add := func(i int) string {
		id := f.submit(t, "key-queue-"+strconv.Itoa(i), steady(i))["id"].(string)
		if o := f.owned(t, id); o.Owner != "Anna Schmidt" {
			f.postEvent(t, id, map[string]string{"reassign": "Anna Schmidt", "actor": "jo"})
		}
		ids["Lead "+strconv.Itoa(i)] = id
		return id
	}
	add(1) // Monday 10:00 in Paris: due Wednesday 15:00
	f.clock.Advance(24 * time.Hour)
	add(2) // Tuesday 10:00: due Thursday 15:00
	warm, hot := add(3), add(4)
	for range 5 {
		f.postEvent(t, warm, map[string]string{"activity": "call", "actor": "jo"})
	}
	for _, s := range []string{"email_reply", "pricing_visit", "social_interaction", "staff_connection", "case_study_read", "follows_similar", "industry_group"} {
		f.postEvent(t, hot, map[string]string{"signal": s, "actor": "jo"})
	}
	f.clock.Advance(48 * time.Hour) // Thursday 10:00
	q := f.queue(t, "Anna Schmidt")
	if got, want := q.names(), "Lead 1, Lead 2, Lead 4, Lead 3"; got != want {
		t.Errorf("queue %s, want %s", got, want)
	}
	if q.Open != 4 || q.Due != 2 || q.Overdue != 1 || q.Waiting != 2 {
		t.Errorf("counts %+v, want 4 open: 2 due, 1 overdue, 2 with nothing due", q)
	}
	if len(q.Leads) == 4 && (!q.Leads[0].Overdue || q.Leads[1].Overdue || q.Leads[2].Tier != "hot" || q.Leads[3].Tier != "warm" ||
		q.Leads[2].DueAt != "" || q.Leads[3].Attempts != 5) {
		t.Errorf("leads %+v", q.Leads)
	}
	b := newAdminBrowser(t, f.srv.URL)
	p, _ := queuePage(t, b, "Anna Schmidt")
	wantPage(t, p, 200, "4 open leads: 1 overdue, 1 due later, 2 with nothing due.", `<tr class="overdue">`,
		`<time datetime="2026-03-04T14:00:00Z">Wed 4 Mar 15:00 CET</time> <span class="muted">(4h 30m ago)</span>`,
		"(in 5h 0m)", "5 of 5")
	if strings.Contains(p.body, "7 of 5") {
		t.Error("the page counts more attempts than the rhythm asks for")
	}
	order := []int{}
	for _, n := range []string{"Lead 1", "Lead 2", "Lead 4", "Lead 3"} {
		order = append(order, strings.Index(p.body, ">"+n+", Northwind Software<"))
	}
	for i := 1; i < len(order); i++ {
		if order[i-1] < 0 || order[i] < order[i-1] {
			t.Errorf("the page lists the leads at %v, want in the queue's order", order)
		}
	}
	// The team's queue holds them too, with their owner.
	if team := f.queue(t, "Sales development"); team.names() != q.names() {
		t.Errorf("the team's queue %s, want %s", team.names(), q.names())
	}
	// Someone nobody knows has no queue.
	if status, body := f.get(t, "/api/queue?owner=nobody"); status != 400 || !strings.Contains(string(body), `"field":"owner"`) {
		t.Errorf("the queue of nobody: %d %s", status, body)
	}
	wantPage(t, b.get(t, "/admin/queue?owner=nobody"), 404, "No such queue")
}
