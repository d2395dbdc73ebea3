package worker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/crm"
	"github.com/winnowhq/winnow/worker/notify"
)

// hook is a stand-in for an incoming webhook on loopback (Slack's, or a
// receiver of the signed alerts): it keeps what it accepted, and answers
// as answer says for each call (nil: 200).
type hook struct {
	srv *httptest.Server

	mu      sync.Mutex
	calls   int
	bodies  [][]byte
	headers []http.Header
	answer  func(call int, w http.ResponseWriter, r *http.Request) bool // true: it answered, the call is not accepted
}

func newHook(t *testing.T) *hook {
	k := &hook{}
	k.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		k.mu.Lock()
		k.calls++
		call, answer := k.calls, k.answer
		k.mu.Unlock()
		if answer != nil && answer(call, w, r) {
			return
		}
		k.mu.Lock()
		k.bodies = append(k.bodies, body)
		k.headers = append(k.headers, r.Header.Clone())
		k.mu.Unlock()
	}))
	t.Cleanup(k.srv.Close)
	return k
}

// got returns the bodies accepted, decoded.
func (k *hook) got() []map[string]any {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]map[string]any, len(k.bodies))
	for i, b := range k.bodies {
		json.Unmarshal(b, &out[i])
	}
	return out
}

// topics counts the accepted alerts by topic (the signed webhook's).
func (k *hook) topics() map[string]int {
	out := map[string]int{}
	for _, b := range k.got() {
		out[b["topic"].(string)]++
	}
	return out
}

// texts lists the accepted messages' text (Slack's).
func (k *hook) texts() []string {
	var out []string
	for _, b := range k.got() {
		out = append(out, b["text"].(string))
	}
	return out
}

// alertRig is a handler with the shipped routing and a channel of each
// kind: Slack's stand-in, a receiver of the signed alerts and Resend's
// stand-in.
type alertRig struct {
	*fixture
	slack, hook *hook
	mail        *notify.Mailbox
	mailSrv     *httptest.Server
	cfg         func(*worker.Config)
}

const (
	alertSecret = "alert-webhook-secret"
	resendKey   = "re_test_0123456789"
)

func newAlertRig(t *testing.T, tweak func(*worker.Config)) *alertRig {
	t.Helper()
	rig := &alertRig{slack: newHook(t), hook: newHook(t)}
	rig.mail = &notify.Mailbox{Key: resendKey}
	rig.mailSrv = httptest.NewServer(rig.mail)
	t.Cleanup(rig.mailSrv.Close)
	rig.cfg = func(c *worker.Config) {
		c.Routing = shippedRouting(t)
		c.Origin = "https://winnow.example"
		c.Channels = []notify.Channel{
			{Name: "alert-slack", Kind: notify.KindSlack, URL: rig.slack.srv.URL},
			{Name: "alert-webhook", Kind: notify.KindWebhook, URL: rig.hook.srv.URL, Secret: alertSecret},
			{Name: "alert-email", Kind: notify.KindEmail, URL: rig.mailSrv.URL + "/emails", Key: resendKey, From: "Winnow <alerts@winnow.example>"},
		}
		if tweak != nil {
			tweak(c)
		}
	}
	rig.fixture = newFixture(t, nil, rig.cfg)
	return rig
}

// restart is another handler over the same database and clock, as after
// a restart (or another isolate at the edge).
func (rig *alertRig) restart(t *testing.T) *worker.Handler {
	t.Helper()
	cfg := worker.Config{DB: rig.db, Model: defaultModel(t), Now: rig.clock.Now, AdminToken: "tok", Secret: "s"}
	rig.cfg(&cfg)
	h, err := worker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// at sets the clock to a wall-clock time in Paris.
func (rig *alertRig) at(t *testing.T, day, hour, min int) {
	t.Helper()
	paris, _ := time.LoadLocation("Europe/Paris")
	rig.clock.mu.Lock()
	rig.clock.t = time.Date(2026, 3, day, hour, min, 0, 0, paris)
	rig.clock.mu.Unlock()
}

func (rig *alertRig) alerts(t *testing.T) worker.Alerted {
	t.Helper()
	n, err := rig.h.Alerts(context.Background(), rig.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (rig *alertRig) deliver(t *testing.T) worker.Delivery {
	t.Helper()
	d, err := rig.h.Deliver(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// keys lists the keys of the alerts raised of kind.
func (rig *alertRig) keys(t *testing.T, kind string) []string {
	t.Helper()
	rows, err := rig.db.Query(`SELECT key FROM alerts WHERE key LIKE ? ORDER BY key`, kind+"|%")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		rows.Scan(&k)
		out = append(out, k)
	}
	return out
}

// mql is a lead that stays an MQL for weeks: ana, with the newsletter.
func mql() map[string]string {
	f := ana()
	f["request"] = "newsletter"
	return f
}

// A lead given to someone tells them through every channel: a message in
// Slack that names them and the lead, a signed webhook whose signature
// verifies (crm.Verify, as the CRM's callbacks are checked), and one email
// to their address through Resend's API, with the alert's key as its
// Idempotency-Key.
func TestAlertAssigned(t *testing.T) {
	rig := newAlertRig(t, nil)
	id := rig.submit(t, "key-alert-assigned", mql())["id"].(string)
	if d := rig.deliver(t); d.Delivered != 3 {
		t.Fatalf("delivered %+v, want the alert through 3 channels", d)
	}
	if got := rig.slack.texts(); len(got) != 1 || got[0] != "New lead for Anna Schmidt: Ana Maria Souza (Northwind Software)" {
		t.Errorf("Slack got %q", got)
	}
	var msg notify.SlackMessage
	json.Unmarshal(rig.slack.bodies[0], &msg)
	var blocks []string
	for _, b := range msg.Blocks {
		if b.Text != nil {
			blocks = append(blocks, b.Text.Text)
		}
	}
	if len(blocks) != 2 || !strings.HasSuffix(blocks[0], " · <https://winnow.example/admin/leads/"+id+"|Open the lead>") ||
		!strings.Contains(blocks[1], "First action due Wed 4 Mar 15:00 CET.") {
		t.Errorf("Slack's blocks %q", blocks)
	}

	if len(rig.hook.bodies) != 1 {
		t.Fatalf("the webhook got %d alerts", len(rig.hook.bodies))
	}
	hd, body := rig.hook.headers[0], rig.hook.bodies[0]
	if !crm.Verify(alertSecret, hd.Get("Winnow-Timestamp"), hd.Get("Winnow-Signature"), body, rig.clock.Now(), 5*time.Minute) {
		t.Errorf("the alert's signature does not verify: %s %s", hd.Get("Winnow-Timestamp"), hd.Get("Winnow-Signature"))
	}
	var a struct {
		ID, Topic, Title, Reason, Due string
		Person                        struct{ Name, Email string }
		Lead                          struct{ ID, Owner, Team, URL string }
	}
	json.Unmarshal(body, &a)
	if a.Topic != "alert.assigned" || a.Person.Email != "anna.schmidt@winnow.example" || a.Lead.ID != id || a.Lead.Owner != "Anna Schmidt" ||
		!strings.HasPrefix(a.Reason, "territory dach, Anna Schmidt next in the round robin") || a.Due != "2026-03-04T14:00:00.000Z" ||
		hd.Get("Winnow-Event-Id") != a.ID+".alert-webhook" || !strings.HasPrefix(a.ID, "assigned|") {
		t.Errorf("the signed alert: %s (event id %s)", body, hd.Get("Winnow-Event-Id"))
	}

	mails := rig.mail.Mails()
	if len(mails) != 1 {
		t.Fatalf("%d emails", len(mails))
	}
	m := mails[0]
	if m.Idempotency != a.ID || !slices.Equal(m.To, []string{"anna.schmidt@winnow.example"}) || m.From != "Winnow <alerts@winnow.example>" ||
		m.Subject != "New lead for Anna Schmidt: Ana Maria Souza (Northwind Software)" || !strings.Contains(m.Text, "Anna Schmidt (Sales development) now owns") ||
		!strings.Contains(m.HTML, `<a href="https://winnow.example/admin/leads/`+id+`">Open the lead</a>`) {
		t.Errorf("email %+v", m)
	}
	// Sent, each alert stays sent: another delivery run sends nothing.
	if d := rig.deliver(t); d != (worker.Delivery{}) {
		t.Errorf("a second run delivered %+v", d)
	}
	if got := rig.keys(t, "assigned"); len(got) != 1 || got[0] != a.ID {
		t.Errorf("alerts raised %v", got)
	}
}

// The owner is warned when three quarters of the attempt's business time
// have passed, not before: an MQL that enters on Monday at 10:00 in Paris
// is due on Wednesday at 15:00 in Sales development's hours, and its
// owner is warned on Wednesday at 09:00. The pass raises the warning
// once, however often it runs.
func TestAlertWarn(t *testing.T) {
	rig := newAlertRig(t, nil)
	rig.submit(t, "key-alert-warn", mql())
	rig.deliver(t)
	rig.at(t, 4, 8, 59)
	if n := rig.alerts(t); n.Leads != 0 || n.Raised != 0 {
		t.Errorf("a minute before the warning: %+v", n)
	}
	rig.at(t, 4, 9, 0)
	if n := rig.alerts(t); n.Leads != 1 || n.Raised != 1 {
		t.Errorf("at the warning: %+v", n)
	}
	rig.deliver(t)
	texts := rig.slack.texts()
	if len(texts) != 2 || texts[1] != "Due soon: first action on Ana Maria Souza (Northwind Software)" {
		t.Errorf("Slack got %q", texts)
	}
	rig.at(t, 4, 9, 30)
	if n := rig.alerts(t); n.Leads != 0 {
		t.Errorf("the lead was looked at again before its due time: %+v", n)
	}
	if rig.deliver(t) != (worker.Delivery{}) || len(rig.keys(t, "warn")) != 1 || rig.hook.topics()["alert.warn"] != 1 || len(subjects(rig.mail, "Due soon: ")) != 1 {
		t.Errorf("warned %v, webhooks %v, emails %q", rig.keys(t, "warn"), rig.hook.topics(), subjects(rig.mail, ""))
	}
	// The pass reads the leads to look at from the index leads_alert.
	var x, y, z int
	var plan string
	rig.db.QueryRow(`EXPLAIN QUERY PLAN SELECT id FROM leads WHERE alert_at IS NOT NULL AND alert_at <= ? AND merged_into IS NULL
		ORDER BY alert_at LIMIT ?`, 1, 100).Scan(&x, &y, &z, &plan)
	if !strings.Contains(plan, "leads_alert") {
		t.Errorf("the leads to look at are read as %q", plan)
	}
}

// A warning whose instant is not working time waits: an MQL that enters
// on Monday at 09:30 has three quarters of its 24 working hours behind it
// on Tuesday at 18:00, the close of Sales development's day. The warning
// is raised then, and sent at 08:30 on Wednesday, the next working
// instant.
func TestAlertQuietHours(t *testing.T) {
	rig := newAlertRig(t, nil)
	rig.at(t, 2, 9, 30)
	rig.submit(t, "key-alert-quiet", mql())
	rig.deliver(t)
	rig.at(t, 3, 18, 0)
	if n := rig.alerts(t); n.Raised != 1 {
		t.Fatalf("at the warning: %+v", n)
	}
	if d := rig.deliver(t); d != (worker.Delivery{}) {
		t.Errorf("sent out of working hours: %+v", d)
	}
	rig.at(t, 4, 8, 29)
	if d := rig.deliver(t); d != (worker.Delivery{}) {
		t.Errorf("sent before the day begins: %+v", d)
	}
	rig.at(t, 4, 8, 30)
	if d := rig.deliver(t); d.Delivered != 3 {
		t.Errorf("at 08:30: %+v, want the warning through 3 channels", d)
	}
	if got := rig.hook.topics(); got["alert.warn"] != 1 {
		t.Errorf("webhooks %v", got)
	}
	var b map[string]any
	for _, x := range rig.hook.got() {
		if x["topic"] == "alert.warn" {
			b = x
		}
	}
	if b["at"] != "2026-03-03T17:00:00.000Z" || b["due"] != "2026-03-04T13:30:00.000Z" {
		t.Errorf("the warning: raised %v, due %v; want raised Tuesday 18:00 Paris, due Wednesday 14:30", b["at"], b["due"])
	}
}

// A lead that arrives at night is given to someone at once; they are told
// when their day begins.
func TestAlertAssignedAtNight(t *testing.T) {
	rig := newAlertRig(t, nil)
	rig.at(t, 2, 22, 0)
	rig.submit(t, "key-alert-night", mql())
	if d := rig.deliver(t); d != (worker.Delivery{}) {
		t.Errorf("told at 22:00: %+v", d)
	}
	rig.at(t, 3, 8, 30)
	if d := rig.deliver(t); d.Delivered != 3 {
		t.Errorf("at 08:30: %+v", d)
	}
}

// An attempt past due is a breach: the lead goes to the team its team
// escalates to (Sales development → Sales managers), once, by a reason
// that says what was due; the new owner is told.
func TestAlertBreachEscalates(t *testing.T) {
	rig := newAlertRig(t, nil)
	id := rig.submit(t, "key-alert-breach", mql())["id"].(string)
	rig.deliver(t)
	rig.at(t, 4, 14, 59)
	if n := rig.alerts(t); n.Escalated != 0 || n.Raised != 1 {
		t.Fatalf("before the due time: %+v, want the warning (late) and no escalation", n)
	}
	rig.at(t, 4, 15, 0)
	if n := rig.alerts(t); n.Escalated != 1 || n.Raised != 1 {
		t.Fatalf("at the due time: %+v", n)
	}
	o := rig.owned(t, id)
	if o.Owner != "Nadia Fischer" || o.Team != "Sales managers" {
		t.Errorf("escalated to %s of %s", o.Owner, o.Team)
	}
	var reason string
	for _, e := range o.Events {
		if e.Kind == "assign" && e.Value == "Nadia Fischer" {
			reason = e.Note
		}
	}
	if want := "SLA breached: first action due Wed 4 Mar 15:00 CET (Sales development); escalated to Sales managers: "; !strings.HasPrefix(reason, want) {
		t.Errorf("the escalation's reason %q, want it to start with %q", reason, want)
	}
	rig.deliver(t)
	mails := rig.mail.Mails()
	last := mails[len(mails)-1]
	if len(subjects(rig.mail, "SLA breached")) != 1 || last.To[0] != "nadia.fischer@winnow.example" || last.Subject != "SLA breached: first action on Ana Maria Souza (Northwind Software)" ||
		!strings.Contains(last.Text, "Escalated to Sales managers: Nadia Fischer owns it now.") {
		t.Errorf("%d emails, the last %+v", len(mails), last)
	}
	// Once: later passes, and a restart, escalate nothing more.
	for _, h := range []*worker.Handler{rig.h, rig.restart(t)} {
		rig.clock.Advance(time.Hour)
		if n, err := h.Alerts(context.Background(), rig.clock.Now()); err != nil || n.Escalated+n.Raised != 0 {
			t.Errorf("a later pass: %+v %v", n, err)
		}
	}
	if as := rig.owned(t, id).assignments(); len(as) != 2 {
		t.Errorf("assignments %v, want the first and the escalation", as)
	}
	if got := rig.hook.topics(); got["alert.breach"] != 1 || got["alert.warn"] != 1 {
		t.Errorf("webhooks %v: want one warning and one breach", got)
	}
}

// A channel that fails is the outbox's to retry: Slack answering 500 once
// gets the alert on the next run, once.
func TestAlertRetried(t *testing.T) {
	rig := newAlertRig(t, nil)
	rig.slack.answer = func(call int, w http.ResponseWriter, r *http.Request) bool {
		if call == 1 {
			http.Error(w, "oops", http.StatusInternalServerError)
			return true
		}
		return false
	}
	rig.submit(t, "key-alert-retried", mql())
	if d := rig.deliver(t); d.Delivered != 2 || d.Failed != 1 {
		t.Fatalf("first run %+v", d)
	}
	var lastErr string
	rig.db.QueryRow(`SELECT last_error FROM outbox WHERE target = 'alert-slack'`).Scan(&lastErr)
	if !strings.Contains(lastErr, "500") {
		t.Errorf("the outbox says %q", lastErr)
	}
	rig.clock.Advance(time.Minute)
	if d := rig.deliver(t); d.Delivered != 1 {
		t.Errorf("second run %+v", d)
	}
	if got := rig.slack.texts(); len(got) != 1 || rig.slack.calls != 2 {
		t.Errorf("Slack took %d of %d calls", len(got), rig.slack.calls)
	}
}

// A channel that does not answer is given up on after Limits.SendTimeout
// and retried. Resend may have sent the email while its answer was lost:
// the retry carries the same Idempotency-Key, and one email goes out.
func TestAlertTimeout(t *testing.T) {
	rig := newAlertRig(t, func(c *worker.Config) { c.Limits.SendTimeout = 300 * time.Millisecond })
	release := make(chan struct{})
	defer close(release)
	rig.slack.answer = func(call int, w http.ResponseWriter, r *http.Request) bool {
		if call == 1 {
			select { // hangs
			case <-release:
			case <-r.Context().Done():
			}
			return true
		}
		return false
	}
	// Resend takes the first email, but its answer never comes.
	var mu sync.Mutex
	mailCalls := 0
	rig.mailSrv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		mailCalls++
		first := mailCalls == 1
		mu.Unlock()
		rec := httptest.NewRecorder()
		rig.mail.ServeHTTP(rec, r)
		if first {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
	rig.submit(t, "key-alert-timeout", mql())
	began := time.Now()
	d := rig.deliver(t)
	if d.Delivered != 1 || d.Failed != 2 {
		t.Fatalf("first run %+v", d)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("the run took %v: the timeout did not apply", took)
	}
	var lastErr string
	rig.db.QueryRow(`SELECT last_error FROM outbox WHERE target = 'alert-slack'`).Scan(&lastErr)
	if !strings.Contains(lastErr, "deadline") {
		t.Errorf("the outbox says %q", lastErr)
	}
	rig.clock.Advance(time.Minute)
	if d := rig.deliver(t); d.Delivered != 2 {
		t.Errorf("second run %+v", d)
	}
	if n := len(rig.mail.Mails()); n != 1 || rig.mail.Calls() != 2 {
		t.Errorf("%d emails sent of %d calls, want 1 of 2", n, rig.mail.Calls())
	}
	if got := rig.slack.texts(); len(got) != 1 {
		t.Errorf("Slack got %q", got)
	}
}

// Passes of the scheduled work that run at once (two cron events, two
// isolates), or one after another around a restart, raise each alert
// once, and each channel gets it once.
func TestAlertsOnce(t *testing.T) {
	rig := newAlertRig(t, nil)
	const leads = 6
	for i := range leads {
		fields := mql()
		fields["email"] = "ana" + strconv.Itoa(i) + "@northwind.io"
		rig.submit(t, "key-alert-once-"+strconv.Itoa(i), fields)
	}
	rig.deliver(t)
	rig.at(t, 4, 9, 0) // every lead's warning
	other := rig.restart(t)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, h := range []*worker.Handler{rig.h, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = h.Scheduled(context.Background(), rig.clock.Now())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rig.clock.Advance(time.Minute)
	if err := rig.restart(t).Scheduled(context.Background(), rig.clock.Now()); err != nil {
		t.Fatal(err)
	}
	rig.deliver(t)
	if got := rig.keys(t, "warn"); len(got) != leads {
		t.Errorf("%d warnings raised, want %d", len(got), leads)
	}
	ids := map[string]int{}
	for _, hd := range rig.hook.headers {
		ids[hd.Get("Winnow-Event-Id")]++
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("alert %s delivered %d times", id, n)
		}
	}
	if got := rig.hook.topics(); got["alert.warn"] != leads || got["alert.assigned"] != leads {
		t.Errorf("webhooks %v", got)
	}
	keys := map[string]int{}
	for _, m := range rig.mail.Mails() {
		keys[m.Idempotency]++
	}
	mails := len(subjects(rig.mail, "New lead")) + len(subjects(rig.mail, "Due soon"))
	if len(keys) != len(rig.mail.Mails()) || mails != 2*leads || len(rig.slack.bodies) != 2*leads {
		t.Errorf("%d emails of %d keys (%d alerts of leads), %d Slack messages; want %d", len(rig.mail.Mails()), len(keys), mails, len(rig.slack.bodies), 2*leads)
	}
}

// Each person gets a digest of their open leads at 08:00 of their team's
// time zone on its working days, due first: once a day, by email and the
// webhook (not in a team's Slack channel); none on a weekend, none for
// someone without open leads.
func TestAlertDigest(t *testing.T) {
	rig := newAlertRig(t, nil)
	for i := range 3 {
		fields := mql()
		fields["email"] = "ana" + strconv.Itoa(i) + "@northwind.io"
		rig.submit(t, "key-alert-digest-"+strconv.Itoa(i), fields)
		rig.clock.Advance(time.Hour)
	}
	rig.deliver(t)
	digests := func() []map[string]any {
		var out []map[string]any
		for _, b := range rig.hook.got() {
			if b["topic"] == "alert.digest" {
				out = append(out, b)
			}
		}
		return out
	}
	rig.at(t, 3, 7, 59)
	if n := rig.alerts(t); n.Digests != 0 {
		t.Errorf("digests before 08:00: %+v", n)
	}
	rig.at(t, 3, 8, 0)
	if n := rig.alerts(t); n.Digests != 2 {
		t.Errorf("at 08:00: %+v, want digests for Anna Schmidt and Lukas Weber", n)
	}
	rig.at(t, 3, 9, 0)
	if n := rig.alerts(t); n.Digests != 0 {
		t.Errorf("a second digest the same day: %+v", n)
	}
	rig.deliver(t)
	ds := digests()
	if len(ds) != 2 {
		t.Fatalf("%d digests", len(ds))
	}
	var anna map[string]any
	for _, d := range ds {
		if d["person"].(map[string]any)["name"] == "Anna Schmidt" {
			anna = d
		}
	}
	leads, _ := anna["leads"].([]any)
	if anna["title"] != "Open leads of Anna Schmidt: 2" || len(leads) != 2 || anna["open"] != 2.0 ||
		leads[0].(map[string]any)["due"].(string) > leads[1].(map[string]any)["due"].(string) {
		t.Errorf("Anna's digest %v", anna)
	}
	for _, s := range rig.slack.texts() {
		if strings.Contains(s, "Open leads") {
			t.Errorf("a digest in Slack: %q", s)
		}
	}
	if mailed := subjects(rig.mail, "Open leads of "); len(mailed) != 2 {
		t.Errorf("digests mailed: %q", mailed)
	}
	// Saturday is no working day. Meanwhile the leads were escalated, past
	// due (the pass looks at them on Saturday); on Monday the manager's
	// digest lists them, overdue.
	rig.at(t, 7, 8, 0)
	if n := rig.alerts(t); n.Digests != 0 || n.Escalated != 3 {
		t.Errorf("Saturday: %+v", n)
	}
	rig.at(t, 9, 8, 0)
	n := rig.alerts(t)
	rig.deliver(t)
	ds = digests()
	if n.Digests != 1 || len(ds) != 3 || ds[2]["title"] != "Open leads of Nadia Fischer: 3, 3 overdue" ||
		strings.Count(ds[2]["text"].(string), "OVERDUE since ") != 3 {
		t.Errorf("Monday: %+v, %d digests, the last %v", n, len(ds), ds[len(ds)-1])
	}
}

// Someone taken out of routing.yaml while owning leads gives them up: the
// scheduled pass gives each open lead to someone else of the team, by a
// reason that says why, and tells them.
func TestAlertOwnerRemoved(t *testing.T) {
	rig := newAlertRig(t, nil)
	id := rig.submit(t, "key-alert-removed", mql())["id"].(string)
	if o := rig.owned(t, id); o.Owner != "Anna Schmidt" {
		t.Fatalf("owner %s", o.Owner)
	}
	c, diags := content.Load(os.DirFS("../content"), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	r := c.Routing
	sdr := r.Team("Sales development")
	sdr.People = slices.DeleteFunc(sdr.People, func(p routing.Person) bool { return p.Name == "Anna Schmidt" })
	for i := range r.Territories {
		r.Territories[i].People = slices.DeleteFunc(r.Territories[i].People, func(p string) bool { return p == "Anna Schmidt" })
	}
	if err := r.Compile(); err != nil {
		t.Fatal(err)
	}
	cfg := worker.Config{DB: rig.db, Model: defaultModel(t), Now: rig.clock.Now, AdminToken: "tok", Secret: "s"}
	rig.cfg(&cfg)
	cfg.Routing = r
	h, err := worker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n, err := h.Alerts(context.Background(), rig.clock.Now())
	if err != nil || n.Reowned != 1 {
		t.Fatalf("pass: %+v %v", n, err)
	}
	o := rig.owned(t, id)
	var reason string
	for _, e := range o.Events {
		if e.Kind == "assign" && e.Value == "Lukas Weber" {
			reason = e.Note
		}
	}
	if o.Owner != "Lukas Weber" || !strings.HasPrefix(reason, "Anna Schmidt is no longer in team Sales development (content/routing.yaml): territory dach, Lukas Weber") {
		t.Errorf("owner %s, reason %q", o.Owner, reason)
	}
	// Done once: the next pass reads nothing of it.
	if n, err := h.Alerts(context.Background(), rig.clock.Now()); err != nil || n.Reowned != 0 {
		t.Errorf("a second pass: %+v %v", n, err)
	}
	if _, err := h.Deliver(context.Background()); err != nil {
		t.Fatal(err)
	}
	if texts := rig.slack.texts(); len(texts) != 2 || texts[1] != "New lead for Lukas Weber: Ana Maria Souza (Northwind Software)" {
		t.Errorf("Slack got %q", texts)
	}
}

// A lead that becomes hot tells its owner: an MQL whose signals take it
// to the hot tier. A lead given to someone as it becomes hot tells them
// once, by the assignment.
func TestAlertHot(t *testing.T) {
	rig := newAlertRig(t, nil)
	id := rig.submit(t, "key-alert-hot", mql())["id"].(string)
	for _, s := range []string{"demo_request", "pricing_visit", "trial_request"} {
		rig.postEvent(t, id, map[string]string{"signal": s, "actor": "web"})
	}
	status, body := rig.get(t, "/api/leads/"+id)
	var l struct{ Stage, Owner string }
	json.Unmarshal(body, &l)
	rig.deliver(t)
	got := rig.hook.topics()
	if status != 200 || got["alert.hot"] != 1 {
		t.Fatalf("lead %s of %s: webhooks %v", l.Stage, l.Owner, got)
	}
	var hot map[string]any
	for _, b := range rig.hook.got() {
		if b["topic"] == "alert.hot" {
			hot = b
		}
	}
	if hot["title"] != "Hot lead: Ana Maria Souza (Northwind Software)" || !strings.HasPrefix(hot["reason"].(string), "reached ") ||
		hot["person"].(map[string]any)["name"] != l.Owner {
		t.Errorf("the hot alert %v", hot)
	}

	opp := mql()
	opp["email"], opp["seats"], opp["timeline"] = "opp@northwind.io", "40", "this_quarter"
	rig.submit(t, "key-alert-hot-opp", opp)
	rig.deliver(t)
	if got := rig.hook.topics(); got["alert.hot"] != 1 || got["alert.assigned"] != 2 {
		t.Errorf("an opportunity given at once: webhooks %v, want its assignment only", got)
	}
}

// subjects lists the subjects of the emails mb took that begin with prefix.
func subjects(mb *notify.Mailbox, prefix string) []string {
	var out []string
	for _, m := range mb.Mails() {
		if strings.HasPrefix(m.Subject, prefix) {
			out = append(out, m.Subject)
		}
	}
	return out
}

// BenchmarkAlertsPass runs the scheduled pass of alerts over 1,000 owned
// MQLs of which 0, 100 or 1,000 have come to their warning: each of those
// is read, written again guarded by its version, and its warning queued
// to three channels in the same transaction. It reports the pass's time
// and the time per lead looked at.
//
//	go test -run '^$' -bench AlertsPass -benchtime 3x ./worker
func BenchmarkAlertsPass(b *testing.B) {
	const stored = 1000
	t := &testing.T{}
	c, diags := content.Load(os.DirFS("../content"), "content")
	if len(diags) > 0 {
		b.Fatal(diags)
	}
	for i := range c.Routing.Teams { // nobody is full: every lead is owned
		for j := range c.Routing.Teams[i].People {
			c.Routing.Teams[i].People[j].Capacity = 0
		}
	}
	if err := c.Routing.Compile(); err != nil {
		b.Fatal(err)
	}
	rig := newAlertRig(t, func(cfg *worker.Config) {
		cfg.Routing, cfg.Limits.PerIP, cfg.Limits.PerEmail = c.Routing, -1, -1
	})
	for i := range stored {
		fields := mql()
		fields["email"] = "bench" + strconv.Itoa(i) + "@northwind.io"
		rig.submit(t, "key-bench-alerts-"+strconv.Itoa(i), fields)
	}
	rig.at(t, 4, 9, 0) // every lead's warning
	ctx := context.Background()
	for _, due := range []int{0, 100, stored} {
		b.Run(fmt.Sprint("due=", due), func(b *testing.B) {
			var total time.Duration
			for range b.N {
				// Not warned yet, and due to be looked at.
				rig.db.Exec(`DELETE FROM alerts WHERE key LIKE 'warn|%'`)
				rig.db.Exec(`DELETE FROM outbox WHERE topic = 'alert.warn'`)
				rig.db.Exec(`UPDATE leads SET alerted_at = 0, alert_at = NULL`)
				if _, err := rig.db.Exec(`UPDATE leads SET alert_at = ? WHERE id IN (SELECT id FROM leads WHERE owner != '' ORDER BY id LIMIT ?)`,
					rig.clock.Now().Add(-time.Minute).UnixMilli(), due); err != nil {
					b.Fatal(err)
				}
				began := time.Now()
				n, err := rig.h.Alerts(ctx, rig.clock.Now())
				total += time.Since(began)
				if err != nil || n.Leads != due || n.Raised != due {
					b.Fatalf("the pass looked at %+v (%v), want %d", n, err, due)
				}
			}
			pass := total / time.Duration(b.N)
			b.ReportMetric(float64(pass.Microseconds())/1000, "ms/pass")
			if due > 0 {
				b.ReportMetric(float64(pass.Microseconds())/float64(due), "µs/due-lead")
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}
