package blackbox

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/worker/crm"
)

// A lead's life, as the API sees it: one person one lead, signals in,
// page views, overrides, HubSpot both ways, and re-scoring by the passing
// of time.

// timeline lists a lead's events as kind:name-or-stage words.
func timeline(lead map[string]any) string {
	var out []string
	for _, e := range lead["events"].([]any) {
		m := e.(map[string]any)
		str := func(k string) string { s, _ := m[k].(string); return s }
		out = append(out, str("kind")+":"+str("name")+str("stage"))
	}
	return strings.Join(out, " ")
}

func count(s, word string) int {
	n := 0
	for _, w := range strings.Split(s, " ") {
		if w == word {
			n++
		}
	}
	return n
}

// identity: the same person, however their address is spelled where the
// provider ignores it, is one lead; each submission is an event of it.
func (c *client) identity(t *testing.T) {
	u := strings.ReplaceAll(c.unique(), "-", "")
	first := c.lead()
	first["email"] = "Ana.Souza." + u + "+spring@Gmail.com"
	a := c.submit(t, first, "k-"+c.unique())
	wantStatus(t, a, 201)
	second := c.lead()
	second["email"], second["company"] = "anasouza"+u+"@googlemail.com", "Northwind Group"
	b := c.submit(t, second, "k-"+c.unique())
	wantStatus(t, b, 201)
	id := a.json(t)["id"].(string)
	if got := b.json(t)["id"]; got != id {
		t.Fatalf("the same person got leads %s and %v", id, got)
	}
	lead := c.getLead(t, id)
	if got := lead["fields"].(map[string]any)["company"]; got != "Northwind Group" {
		t.Errorf("the latest answer is %v", got)
	}
	if n := count(timeline(lead), "submission:"); n != 2 {
		t.Errorf("%d submissions on the lead, want 2: %s", n, timeline(lead))
	}
}

// signals: an integration records signals in batches by lead id or email,
// each item once; a bad item refuses the request and names it.
func (c *client) signals(t *testing.T) {
	r := c.submit(t, c.lead(), "k-"+c.unique())
	wantStatus(t, r, 201)
	id := r.json(t)["id"].(string)
	email := c.getLead(t, id)["fields"].(map[string]any)["email"].(string)
	post := func(items ...map[string]string) response {
		body, _ := json.Marshal(map[string]any{"signals": items})
		return c.do(t, "POST", "/api/signals", "application/json", body, c.admin())
	}
	item := "sig-" + c.unique()
	batch := []map[string]string{
		{"id": item + "-1", "email": strings.ToUpper(email), "signal": "sales_accepted"},
		{"id": item + "-2", "lead": id, "signal": "pricing_visit"},
	}
	ok := post(batch...)
	wantStatus(t, ok, 200)
	if got := ok.json(t)["recorded"]; got != 2.0 {
		t.Errorf("recorded %v: %s", got, ok.body)
	}
	again := post(batch...)
	wantStatus(t, again, 200)
	if got := again.json(t)["duplicates"]; got != 2.0 {
		t.Errorf("a resent batch: %s", again.body)
	}
	lead := c.getLead(t, id)
	if lead["stage"] != "SAL" || count(timeline(lead), "signal:sales_accepted") != 1 {
		t.Errorf("after the batch: %v, %s", lead["stage"], timeline(lead))
	}
	bad := post(map[string]string{"id": item + "-3", "lead": id, "signal": "pricing_visit"},
		map[string]string{"id": item + "-4", "lead": id, "signal": "pricing_vist"})
	wantStatus(t, bad, 422)
	if f := fieldOf(t, bad); f != "signals[1].signal" || !strings.Contains(string(bad.body), "pricing_visit") {
		t.Errorf("an unknown signal: %s", bad.body)
	}
	future := post(map[string]string{"id": item + "-5", "lead": id, "signal": "email_reply",
		"at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	wantStatus(t, future, 422)
	if f := fieldOf(t, future); f != "signals[0].at" {
		t.Errorf("a signal in the future names %q", f)
	}
	if n := count(timeline(c.getLead(t, id)), "signal:pricing_visit"); n != 1 {
		t.Errorf("refused requests stored signals: %d pricing visits", n)
	}
}

// pageViews: the site's beacon records what a visitor viewed before they
// sent a form; the visit and its campaign become the lead's.
func (c *client) pageViews(t *testing.T) {
	visitor := strings.Repeat("A", 22) + strings.ReplaceAll(c.unique(), "-", "_")
	visitor = visitor[len(visitor)-22:] // a first-party visitor id: 22 base64url characters
	beacon, _ := json.Marshal(map[string]string{"v": visitor, "p": "/pricing/", "s": "pricing_visit"})
	wantStatus(t, c.do(t, "POST", "/api/beacon", "text/plain;charset=UTF-8", beacon, nil), 204)
	body, _ := json.Marshal(map[string]any{"fields": c.lead(), "idempotency_key": "k-" + c.unique()})
	r := c.do(t, "POST", "/api/leads", "application/json", body,
		map[string]string{"Cookie": "winnow_v=" + visitor + "; winnow_a=landing_page=%2Fpricing%2F&utm_source=newsletter&utm_campaign=spring"})
	wantStatus(t, r, 201)
	lead := c.getLead(t, r.json(t)["id"].(string))
	fields := lead["fields"].(map[string]any)
	if !strings.Contains(timeline(lead), "view:/pricing/") || lead["signals"].(map[string]any)["pricing_visit"] == nil {
		t.Errorf("the visit before the form: %s", timeline(lead))
	}
	if fields["utm_source"] != "newsletter" || fields["utm_campaign"] != "spring" || fields["landing_page"] != "/pricing/" {
		t.Errorf("attribution %v", fields)
	}
	// A page of another site cannot record views.
	cross := c.do(t, "POST", "/api/beacon", "text/plain;charset=UTF-8", beacon, map[string]string{"Origin": "https://evil.example"})
	if cross.status != 403 {
		t.Errorf("a cross-origin beacon: %d", cross.status)
	}
}

// submitForm posts answers as JSON naming a form, with the headers given.
func (c *client) submitForm(t *testing.T, form string, fields map[string]string, header map[string]string) response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"form": form, "fields": fields, "idempotency_key": "k-" + c.unique()})
	return c.do(t, "POST", "/api/leads", "application/json", body, header)
}

// namedForms: a submission naming a form of the model answers its
// questions only (another question, or an unknown form, is a bad request
// naming the field), is answered with the form's thank-you, and records
// the form's signal; a plain post of a form is sent back to that form's
// page to correct an answer.
func (c *client) namedForms(t *testing.T) {
	u := c.unique()
	guide := map[string]string{"name": "Eve Eng", "email": "eve." + u + "@example.org", "company": "Eng AG", "role": "marketing", "consent": "yes", "fill_seconds": "30"}
	r := c.submitForm(t, "download", guide, nil)
	wantStatus(t, r, 201)
	a := r.json(t)
	thanks, _ := a["thanks"].(map[string]any)
	if thanks["label"] != "Read the guide" || thanks["url"] != "/guides/lead-qualification/" {
		t.Errorf("the guide's thank-you: %s", r.body)
	}
	lead := c.getLead(t, a["id"].(string))
	if !strings.Contains(timeline(lead), "submission:download") || lead["signals"].(map[string]any)["form_submission"] == nil {
		t.Errorf("the guide's submission: %s, %v", timeline(lead), lead["signals"])
	}
	news := map[string]string{"email": "nia." + u + "@example.org", "consent": "yes"}
	r = c.submitForm(t, "newsletter", news, nil)
	wantStatus(t, r, 201)
	if s := c.getLead(t, r.json(t)["id"].(string))["signals"].(map[string]any); s["newsletter_signup"] == nil {
		t.Errorf("a newsletter signup records %v", s)
	}
	news["seats"] = "40"
	bad := c.submitForm(t, "newsletter", news, nil)
	wantStatus(t, bad, 400)
	if f := fieldOf(t, bad); f != "seats" {
		t.Errorf("an answer outside the form names %q: %s", f, bad.body)
	}
	unknown := c.submitForm(t, "webinar", guide, nil)
	wantStatus(t, unknown, 400)
	if f := fieldOf(t, unknown); f != "form" {
		t.Errorf("an unknown form names %q: %s", f, unknown.body)
	}
	plain := map[string]string{"form": "contact", "name": "Bo Berg", "email": "not an email", "company": "Berg AB", "consent": "yes"}
	p := c.do(t, "POST", "/api/leads", "application/x-www-form-urlencoded", form(plain), nil)
	wantStatus(t, p, 422)
	if page := string(p.body); !strings.Contains(page, "/contact/#f-email") {
		t.Errorf("a plain post of the contact form is not sent back to it:\n%s", page)
	}
}

// returningVisitor: the lead of a visitor's first-party cookie tells the
// site's forms which questions it answered (never the answers), and a
// later form that leaves them out is an event of the same lead.
func (c *client) returningVisitor(t *testing.T) {
	visitor := strings.Repeat("R", 22) + strings.ReplaceAll(c.unique(), "-", "_")
	visitor = visitor[len(visitor)-22:]
	cookie := map[string]string{"Cookie": "winnow_v=" + visitor}
	email := "rita." + c.unique() + "@northwind.io"
	first := map[string]string{"name": "Rita Ruiz", "email": email, "company": "Northwind Software", "role": "sales", "consent": "yes", "fill_seconds": "30"}
	r := c.submitForm(t, "download", first, cookie)
	wantStatus(t, r, 201)
	id := r.json(t)["id"].(string)
	p := c.do(t, "GET", "/api/profile", "", nil, cookie)
	wantStatus(t, p, 200)
	var profile struct{ Answered []string }
	json.Unmarshal(p.body, &profile)
	if got := strings.Join(profile.Answered, " "); got != "company consent email name role" {
		t.Errorf("the profile names %q", got)
	}
	if body := string(p.body); strings.Contains(body, "Rita") || strings.Contains(body, email) || strings.Contains(body, "Northwind") {
		t.Errorf("the profile gives answers away: %s", body)
	}
	later := c.submitForm(t, "demo", map[string]string{"how_heard": "event", "consent": "yes", "fill_seconds": "20"}, cookie)
	wantStatus(t, later, 201)
	if got := later.json(t)["id"]; got != id {
		t.Errorf("the returning visitor's demo request went to lead %v, not %s", got, id)
	}
	lead := c.getLead(t, id)
	if lead["fields"].(map[string]any)["how_heard"] != "event" || lead["signals"].(map[string]any)["demo_request"] == nil {
		t.Errorf("the lead after the demo request: %v %v", lead["fields"], lead["signals"])
	}
	stranger := c.submitForm(t, "demo", map[string]string{"how_heard": "event", "consent": "yes"}, nil)
	wantStatus(t, stranger, 422)
}

// overrides: a stage the rules do not give needs a reason, is shown as an
// override, and is counted as one by the report.
func (c *client) overrides(t *testing.T) {
	r := c.submit(t, c.lead(), "k-"+c.unique())
	wantStatus(t, r, 201)
	id := r.json(t)["id"].(string)
	bad := c.postEvent(t, id, map[string]string{"stage": "SQL", "actor": "jo"}, c.admin())
	wantStatus(t, bad, 422)
	if f := fieldOf(t, bad); f != "reason" {
		t.Errorf("an override without a reason names %q", f)
	}
	wantStatus(t, c.postEvent(t, id, map[string]string{"stage": "SQL", "actor": "jo", "reason": "budget confirmed on the call"}, c.admin()), 201)
	lead := c.getLead(t, id)
	o, _ := lead["override"].(map[string]any)
	if lead["stage"] != "SQL" || lead["by_rule"] != false || o == nil || o["reason"] != "budget confirmed on the call" {
		t.Errorf("the overridden lead: %v by rule %v, override %v", lead["stage"], lead["by_rule"], o)
	}
	rep := c.do(t, "GET", "/api/report", "", nil, c.admin())
	wantStatus(t, rep, 200)
	var report struct {
		Moves []struct {
			Step     string
			Override int
		}
	}
	json.Unmarshal(rep.body, &report)
	for _, m := range report.Moves {
		if m.Step == "SQL" && m.Override < 1 {
			t.Errorf("the report counts %d overrides into SQL", m.Override)
		}
	}
}

// hubspot: the HubSpot target upserts the contact with Winnow's verdict;
// HubSpot's signed webhooks about the contact or its deal come back as
// the signals and outcomes the model maps, once each.
func (c *client) hubspot(t *testing.T) {
	r := c.submit(t, c.lead(), "k-"+c.unique())
	wantStatus(t, r, 201)
	id := r.json(t)["id"].(string)
	email := c.getLead(t, id)["fields"].(map[string]any)["email"].(string)
	c.s.Deliver(t)
	contact, ok := c.s.HubSpot.Contact(email)
	if !ok {
		t.Fatalf("HubSpot got no contact %s", email)
	}
	for k, want := range map[string]string{"firstname": "Ana", "lastname": "Souza", "winnow_lead_id": id,
		"winnow_stage": "MQL", "lifecyclestage": "marketingqualifiedlead", "winnow_fit": "A"} {
		if contact.Props[k] != want {
			t.Errorf("the contact's %s is %q, want %q", k, contact.Props[k], want)
		}
	}
	send := func(events []map[string]any, mutate func(ts, sig string) (string, string)) response {
		body, _ := json.Marshal(events)
		ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
		sig := crm.SignHubSpot(HubSpotSecret, "POST", c.s.Direct+"/api/hubspot", body, ts)
		if mutate != nil {
			ts, sig = mutate(ts, sig)
		}
		return c.do(t, "POST", "/api/hubspot", "application/json", body,
			map[string]string{"X-HubSpot-Signature-v3": sig, "X-HubSpot-Request-Timestamp": ts})
	}
	base := time.Now().UnixNano() % 1e12
	lifecycle := []map[string]any{
		{"eventId": base + 1, "subscriptionType": "contact.propertyChange", "objectId": contact.ID, "occurredAt": time.Now().UnixMilli(),
			"propertyName": "lifecyclestage", "propertyValue": "salesqualifiedlead"},
		{"eventId": base + 2, "subscriptionType": "contact.propertyChange", "objectId": contact.ID, "occurredAt": time.Now().UnixMilli(),
			"propertyName": "hs_lead_status", "propertyValue": "OPEN"},
		{"eventId": base + 3, "subscriptionType": "contact.propertyChange", "objectId": 999999999, "occurredAt": time.Now().UnixMilli(),
			"propertyName": "lifecyclestage", "propertyValue": "salesqualifiedlead"},
	}
	first := send(lifecycle, nil)
	wantStatus(t, first, 200)
	if a := first.json(t); a["recorded"] != 1.0 || a["ignored"] != 1.0 || a["unmatched"] != 1.0 {
		t.Errorf("the first webhook: %s", first.body)
	}
	again := send(lifecycle, nil)
	wantStatus(t, again, 200)
	if a := again.json(t); a["duplicates"] != 1.0 || a["recorded"] != 0.0 {
		t.Errorf("HubSpot's retry: %s", again.body)
	}
	lead := c.getLead(t, id)
	if lead["stage"] != "SAL" || count(timeline(lead), "signal:sales_accepted") != 1 {
		t.Errorf("after HubSpot's lifecycle stage: %v, %s", lead["stage"], timeline(lead))
	}
	for name, mutate := range map[string]func(ts, sig string) (string, string){
		"a wrong signature": func(ts, sig string) (string, string) { return ts, "AAAA" + sig[4:] },
		"an old request": func(ts, sig string) (string, string) {
			old := strconv.FormatInt(time.Now().Add(-10*time.Minute).UnixMilli(), 10)
			body, _ := json.Marshal(lifecycle)
			return old, crm.SignHubSpot(HubSpotSecret, "POST", c.s.Direct+"/api/hubspot", body, old)
		},
	} {
		if r := send(lifecycle, mutate); r.status != 401 {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	deal := base % 1e6
	c.s.HubSpot.Deal(deal, contact.ID)
	won := send([]map[string]any{{"eventId": base + 4, "subscriptionType": "deal.propertyChange", "objectId": deal,
		"occurredAt": time.Now().UnixMilli(), "propertyName": "dealstage", "propertyValue": "closedwon"}}, nil)
	wantStatus(t, won, 200)
	if lead := c.getLead(t, id); lead["outcome"] != "won" {
		t.Errorf("after the deal was won: outcome %v, %s", lead["outcome"], timeline(lead))
	}
	c.s.Deliver(t)
	contact, _ = c.s.HubSpot.Contact(email)
	if contact.Props["winnow_stage"] != "SAL" || contact.Props["winnow_outcome"] != "won" || contact.Props["lifecyclestage"] != "salesqualifiedlead" {
		t.Errorf("the contact after the round trip: %v", contact.Props)
	}
	if n := c.s.HubSpot.BadTokens(); n != 0 {
		t.Errorf("%d requests reached HubSpot with a wrong token", n)
	}
}

// decay: time alone moves a lead; the scheduled work, run as of a minute
// after its verdict's next change, finds it due, re-scores it and tells
// the webhook target. Where the server's clock cannot be set from here
// (workerd), Server.Scheduled is nil and TestDecay in the edge tests
// runs the same steps around a restart with the clock moved.
func (c *client) decay(t *testing.T) {
	if c.s.Scheduled == nil {
		t.Skip("the server's scheduled work cannot be run at another time here")
	}
	id, next := DecayLead(t, c.s)
	c.s.Scheduled(t, next.Add(time.Minute))
	CheckDecayed(t, c.s, id, next)
}

// DecayLead submits a lead exactly at the MQL threshold and returns its
// id and when its verdict next changes (its form's points decaying).
func DecayLead(t *testing.T, s Server) (string, time.Time) {
	c := &client{t: t, s: s, run: fmt.Sprintf("decay-%x", time.Now().UnixNano())}
	r := c.submit(t, c.lead(), "k-"+c.unique())
	wantStatus(t, r, 201)
	id := r.json(t)["id"].(string)
	lead := c.getLead(t, id)
	next, err := time.Parse(time.RFC3339, fmt.Sprint(lead["next_check"]))
	if lead["stage"] != "MQL" || err != nil {
		t.Fatalf("the new lead: %v, next check %v", lead["stage"], lead["next_check"])
	}
	return id, next
}

// CheckDecayed checks that lead id fell back to a cold lead at next: its
// stage, the row of its score history, and the webhook that told of it.
func CheckDecayed(t *testing.T, s Server, id string, next time.Time) {
	c := &client{t: t, s: s}
	lead := c.getLead(t, id)
	scores := lead["scores"].([]any)
	last := scores[len(scores)-1].(map[string]any)
	if lead["stage"] != "cold lead" || last["stage"] != "cold lead" || last["event"] != nil || last["at"] != next.Format(time.RFC3339) {
		t.Errorf("after the scheduled pass: %v, last score row %v", lead["stage"], last)
	}
	changed := false
	for ev := range s.Receiver.Events() {
		b := s.Receiver.Body(ev)
		l, _ := b["lead"].(map[string]any)
		ch, _ := b["change"].(map[string]any)
		if b["topic"] == "lead.changed" && l["id"] == id && ch["stage_from"] == "MQL" && ch["stage"] == "cold lead" {
			changed = true
		}
	}
	if !changed {
		t.Errorf("the webhook target was not told of the decay")
	}
}
