package worker_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/crm"
)

// adminBrowser is a client of the dashboard: it keeps cookies and does
// not follow redirects.
type adminBrowser struct {
	base string
	c    *http.Client
}

func newAdminBrowser(t *testing.T, base string) *adminBrowser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &adminBrowser{base: base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	header http.Header
	body   string
	resp   *http.Response
}

func (b *adminBrowser) do(t *testing.T, method, path string, form url.Values, header map[string]string) page {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, resp.Header, string(out), resp}
}

func (b *adminBrowser) get(t *testing.T, path string) page {
	t.Helper()
	return b.do(t, "GET", path, nil, nil)
}

func (b *adminBrowser) post(t *testing.T, path string, form url.Values) page {
	t.Helper()
	return b.do(t, "POST", path, form, nil)
}

func (b *adminBrowser) login(t *testing.T, token string) page {
	t.Helper()
	return b.post(t, "/admin/login", url.Values{"token": {token}, "next": {"/admin"}})
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of a page's forms.
func csrf(t *testing.T, p page) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no CSRF token on the page:\n%s", p.body)
	}
	return m[1]
}

func wantPage(t *testing.T, p page, status int, has ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d:\n%s", p.status, status, p.body)
	}
	for _, s := range has {
		if !strings.Contains(p.body, s) {
			t.Errorf("the page lacks %q:\n%s", s, p.body)
		}
	}
}

// loggedIn reports whether a page is the dashboard rather than the login
// form.
func loggedIn(p page) bool { return strings.Contains(p.body, `action="/admin/logout"`) }

func TestDashboardLogin(t *testing.T) {
	f := newFixture(t, nil, nil)
	b := newAdminBrowser(t, f.srv.URL)
	form := b.get(t, "/admin")
	wantPage(t, form, 200, `<label for="token">Admin token</label>`, `type="password"`, `action="/admin/login"`)
	for name, want := range map[string]string{"Cache-Control": "no-store", "X-Frame-Options": "DENY",
		"X-Robots-Tag": "noindex", "Content-Security-Policy": "frame-ancestors 'none'"} {
		if got := form.header.Get(name); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want it to hold %q", name, got, want)
		}
	}
	if csp := form.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "style-src 'sha256-") {
		t.Errorf("CSP %q lets the page load more than its inline style sheet", csp)
	}

	wrong := b.login(t, "tok2")
	wantPage(t, wrong, 401, "That is not the admin token.", `aria-invalid="true"`)
	if len(wrong.resp.Cookies()) != 0 {
		t.Errorf("a wrong token got a cookie: %v", wrong.resp.Cookies())
	}

	ok := b.post(t, "/admin/login", url.Values{"token": {"tok"}, "next": {"/admin/leads/x1"}})
	if ok.status != 303 || ok.header.Get("Location") != "/admin/leads/x1" {
		t.Fatalf("login: %d to %q", ok.status, ok.header.Get("Location"))
	}
	cookies := ok.resp.Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies %v", cookies)
	}
	c := cookies[0]
	if c.Name != "winnow_admin" || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/admin" ||
		c.Secure || c.MaxAge != 12*3600 || c.Value == "tok" || len(c.Value) < 32 {
		t.Errorf("session cookie %+v", c)
	}
	over := b.get(t, "/admin")
	wantPage(t, over, 200, "Funnel overview", `<svg viewBox=`, `action="/admin/logout"`)
	if !strings.Contains(over.header.Get("Cache-Control"), "no-store") {
		t.Errorf("the overview may be cached: %q", over.header.Get("Cache-Control"))
	}
	// The cookie is not the admin token: the API still wants the token.
	if r := b.get(t, "/api/report"); r.status != 401 {
		t.Errorf("the API with a session cookie: %d", r.status)
	}
	// Over HTTPS (behind a proxy that says so) the cookie is Secure.
	tls := b.do(t, "POST", "/admin/login", url.Values{"token": {"tok"}}, map[string]string{"X-Forwarded-Proto": "https"})
	if cs := tls.resp.Cookies(); len(cs) != 1 || !cs[0].Secure {
		t.Errorf("over HTTPS: %v", cs)
	}
}

// After logging in, the user goes only to a dashboard page of this site.
func TestDashboardLoginNext(t *testing.T) {
	f := newFixture(t, nil, nil)
	b := newAdminBrowser(t, f.srv.URL)
	for next, want := range map[string]string{
		"/admin/leads/x?y=1":          "/admin/leads/x?y=1",
		"":                            "/admin",
		"//evil.example/admin":        "/admin",
		"https://evil.example/admin":  "/admin",
		"/\\evil.example/admin":       "/admin",
		"/api/report":                 "/admin",
		"/administrator":              "/admin",
		"javascript:alert(1)//admin/": "/admin",
	} {
		p := b.post(t, "/admin/login", url.Values{"token": {"tok"}, "next": {next}})
		if p.status != 303 || p.header.Get("Location") != want {
			t.Errorf("next %q: %d to %q, want %q", next, p.status, p.header.Get("Location"), want)
		}
	}
	// A page asked for before login brings the user back to it.
	fresh := newAdminBrowser(t, f.srv.URL)
	wantPage(t, fresh.get(t, "/admin/leads/x1"), 200, `name="next" value="/admin/leads/x1"`)
}

// A session ends after 12 hours, when the admin token changes, and when
// its cookie is tampered with.
func TestDashboardSessionEnds(t *testing.T) {
	f := newFixture(t, nil, nil)
	b := newAdminBrowser(t, f.srv.URL)
	b.login(t, "tok")
	f.clock.Advance(12*time.Hour - time.Second)
	if !loggedIn(b.get(t, "/admin")) {
		t.Fatal("the session ended early")
	}
	f.clock.Advance(time.Second)
	if p := b.get(t, "/admin"); loggedIn(p) || !strings.Contains(p.body, `type="password"`) {
		t.Errorf("after 12 hours the session goes on")
	}

	login := b.login(t, "tok")
	cookie := login.resp.Cookies()[0]
	send := func(h *httptest.Server, value string) bool {
		req, _ := http.NewRequest("GET", h.URL+"/admin", nil)
		req.AddCookie(&http.Cookie{Name: cookie.Name, Value: value})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return loggedIn(page{body: string(body)})
	}
	// Other servers over the same database: another instance of the edge.
	start := f.clock.Now()
	at := func(c *worker.Config) { c.DB = f.db; c.Now = func() time.Time { return start } }
	same := newFixture(t, nil, at)
	rotated := newFixture(t, nil, func(c *worker.Config) { at(c); c.AdminToken = "tok-rotated" })
	resecret := newFixture(t, nil, func(c *worker.Config) { at(c); c.Secret = "s2" })
	if !send(same.srv, cookie.Value) {
		t.Fatal("a server with the same token and secret refuses the session")
	}
	if send(rotated.srv, cookie.Value) {
		t.Error("a session outlives the admin token")
	}
	if send(resecret.srv, cookie.Value) {
		t.Error("a session outlives the secret")
	}
	v := cookie.Value
	flip := "A"
	if v[0] == 'A' {
		flip = "B"
	}
	for _, forged := range []string{flip + v[1:], v[:len(v)-2], v + "A", "tok", ""} {
		if send(same.srv, forged) {
			t.Errorf("a forged cookie %q is a session", forged)
		}
	}
}

// Failed logins from one address are counted: past the limit even the
// right token is refused until the window ends.
func TestDashboardLoginThrottle(t *testing.T) {
	f := newFixture(t, nil, func(c *worker.Config) { c.Limits.LoginFailures = 3; c.Limits.Window = 10 * time.Minute })
	b := newAdminBrowser(t, f.srv.URL)
	wantPage(t, b.login(t, "tok"), 303) // a success is not counted
	for range 3 {
		wantPage(t, b.login(t, "guess"), 401)
	}
	p := b.login(t, "tok")
	wantPage(t, p, 429, "Too many wrong tokens")
	if p.header.Get("Retry-After") == "" || len(p.resp.Cookies()) != 0 {
		t.Errorf("throttled: Retry-After %q, cookies %v", p.header.Get("Retry-After"), p.resp.Cookies())
	}
	f.clock.Advance(10 * time.Minute)
	wantPage(t, b.login(t, "tok"), 303)
}

// Every form post needs the session and its CSRF token, from this site.
func TestDashboardCSRF(t *testing.T) {
	f := newFixture(t, nil, nil)
	b := newAdminBrowser(t, f.srv.URL)
	b.login(t, "tok")
	token := csrf(t, b.get(t, "/admin"))
	for name, form := range map[string]url.Values{"no token": {}, "wrong token": {"csrf": {"x" + token}}} {
		p := b.post(t, "/admin/logout", form)
		if p.status != 403 || !strings.Contains(p.body, "security token") {
			t.Errorf("logout with %s: %d", name, p.status)
		}
		if p := b.post(t, "/admin/webhooks/w1/retry", form); p.status != 403 {
			t.Errorf("retry with %s: %d", name, p.status)
		}
	}
	if p := b.do(t, "POST", "/admin/logout", url.Values{"csrf": {token}}, map[string]string{"Origin": "https://evil.example"}); p.status != 403 {
		t.Errorf("logout from another site: %d", p.status)
	}
	// Another session's token does not do.
	other := newAdminBrowser(t, f.srv.URL)
	other.login(t, "tok")
	if p := other.post(t, "/admin/logout", url.Values{"csrf": {token}}); p.status != 403 {
		t.Errorf("a token of another session: %d", p.status)
	}
	// Without a session nothing is posted.
	anon := newAdminBrowser(t, f.srv.URL)
	if p := anon.post(t, "/admin/webhooks/w1/retry", url.Values{"csrf": {token}}); p.status != 403 || !strings.Contains(p.body, "session has ended") {
		t.Errorf("a retry without a session: %d", p.status)
	}
	out := b.post(t, "/admin/logout", url.Values{"csrf": {token}})
	if out.status != 303 || out.header.Get("Location") != "/admin" {
		t.Fatalf("logout: %d to %q", out.status, out.header.Get("Location"))
	}
	if cs := out.resp.Cookies(); len(cs) != 1 || cs[0].MaxAge >= 0 || cs[0].Path != "/admin" {
		t.Errorf("logout cookies %v", cs)
	}
	if loggedIn(b.get(t, "/admin")) {
		t.Error("still logged in after logout")
	}
}

// With no admin token the dashboard is off.
func TestDashboardOff(t *testing.T) {
	f := newFixture(t, nil, func(c *worker.Config) { c.AdminToken = "" })
	b := newAdminBrowser(t, f.srv.URL)
	wantPage(t, b.get(t, "/admin"), 404, "The dashboard is off")
	wantPage(t, b.login(t, ""), 404)
}

// A dead webhook is listed with a Retry button that puts it back in the
// queue, and the overview says so.
func TestDashboardRetry(t *testing.T) {
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	defer recv.Close()
	f := newFixture(t, []crm.Target{{Name: "crm", Kind: crm.KindJSON, URL: recv.URL, Secret: "x"}},
		func(c *worker.Config) { c.Limits.MaxAttempts = 1 })
	lead := f.submit(t, "key-00000101", ana())
	if d, err := f.h.Deliver(context.Background()); err != nil || d.Dead != 1 {
		t.Fatalf("deliver: %+v %v", d, err)
	}
	b := newAdminBrowser(t, f.srv.URL)
	b.login(t, "tok")
	over := b.get(t, "/admin")
	id := lead["id"].(string)
	wantPage(t, over, 200, `id="webhooks"`, "/admin/leads/"+id, "the target answered 502 Bad Gateway", "Retry")
	m := regexp.MustCompile(`action="/admin/webhooks/([^"]+)/retry"`).FindStringSubmatch(over.body)
	if m == nil {
		t.Fatal("no Retry form")
	}
	hook, _ := url.PathUnescape(m[1])
	p := b.post(t, "/admin/webhooks/"+m[1]+"/retry", url.Values{"csrf": {csrf(t, over)}})
	if p.status != 303 || p.header.Get("Location") != "/admin?retried="+url.QueryEscape(hook)+"#webhooks" {
		t.Fatalf("retry: %d to %q", p.status, p.header.Get("Location"))
	}
	back := b.get(t, strings.TrimSuffix(p.header.Get("Location"), "#webhooks"))
	wantPage(t, back, 200, `role="status">Webhook `+hook+` is back in the queue`, "Every webhook was delivered or is still being tried.")
	_, body := f.get(t, "/api/outbox")
	var rep struct{ Status map[string]int }
	json.Unmarshal(body, &rep)
	if rep.Status["pending"] != 1 || rep.Status["dead"] != 0 {
		t.Errorf("after a retry the outbox is %v", rep.Status)
	}
	again := b.post(t, "/admin/webhooks/"+m[1]+"/retry", url.Values{"csrf": {csrf(t, over)}})
	if loc := again.header.Get("Location"); !strings.HasPrefix(loc, "/admin?missing=") {
		t.Errorf("retrying a webhook that is not dead goes to %q", loc)
	}
}

// postEvent records a stage change through the API.
func (f *fixture) postEvent(t *testing.T, id string, ev map[string]string) {
	t.Helper()
	if status, body := f.sendEvent(t, id, ev); status != 201 {
		t.Fatalf("event %v: %d %s", ev, status, body)
	}
}

// A lead's page gives its answers, the reason behind every point, the
// browser's differing verdict and its events, oldest first; a purged lead
// says so and shows no personal data.
func TestDashboardLead(t *testing.T) {
	f := newFixture(t, nil, nil)
	body, _ := json.Marshal(map[string]any{"fields": ana(), "idempotency_key": "key-00000201", "model": "browser-model",
		"verdict": map[string]any{"stage": "opportunity", "fit": "A", "tier": "hot"}})
	resp, err := http.Post(f.srv.URL+"/api/leads", "application/json", strings.NewReader(string(body)))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("submit: %v %v", resp.StatusCode, err)
	}
	var lead struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&lead)
	resp.Body.Close()
	f.clock.Advance(time.Hour)
	f.postEvent(t, lead.ID, map[string]string{"signal": "sales_accepted", "actor": "jo@sales", "note": "called <back>"})

	b := newAdminBrowser(t, f.srv.URL)
	b.login(t, "tok")
	p := b.get(t, "/admin/leads/"+lead.ID)
	wantPage(t, p, 200, "<h1>Ana Maria Souza, Northwind Software</h1>", "Work email", "ana@northwind.io",
		"The browser's verdict differed", "browser-model", "stage opportunity", "called &lt;back&gt;")
	// Every reason of the stored verdict is on the page, with its rule,
	// points and where it is written.
	_, raw := f.get(t, "/api/leads/"+lead.ID)
	var stored struct {
		Verdict worker.VerdictJSON
	}
	json.Unmarshal(raw, &stored)
	if len(stored.Verdict.Reasons) < 2 {
		t.Fatalf("the verdict has %d reasons", len(stored.Verdict.Reasons))
	}
	for _, r := range stored.Verdict.Reasons {
		if !strings.Contains(p.body, ">"+r.Pos+"<") || !strings.Contains(p.body, r.Rule) {
			t.Errorf("reason %s (%s) is not on the page", r.Rule, r.Pos)
		}
	}
	if i, j := strings.Index(p.body, `Entered MQL by the rules`), strings.Index(p.body, `Entered SAL by the rules`); i < 0 || j < i {
		t.Errorf("the timeline is not oldest first (MQL at %d, SAL at %d)", i, j)
	}
	wantPage(t, b.get(t, "/admin/leads/nope"), 404, "No such lead")

	f.clock.Advance(740 * 24 * time.Hour)
	if n, err := f.h.Purge(context.Background()); err != nil || n != 1 {
		t.Fatalf("purge: %d %v", n, err)
	}
	b.login(t, "tok")
	purged := b.get(t, "/admin/leads/"+lead.ID)
	wantPage(t, purged, 200, "personal data was purged", "<h1>Lead "+lead.ID+"</h1>")
	if strings.Contains(purged.body, "Souza") || strings.Contains(purged.body, "northwind.io") {
		t.Errorf("a purged lead's page shows personal data")
	}
}

// tableRows reads the rows of a page's tables, keyed by their table's
// caption and their header cell: the cells' values joined with " | ".
func tableRows(body string) map[string]string {
	rows := map[string]string{}
	for _, table := range strings.Split(body, "<caption>")[1:] {
		caption, _, _ := strings.Cut(table, "</caption>")
		for _, m := range regexp.MustCompile(`(?s)<tr><th scope="row">(.*?)</th>(.*?)</tr>`).FindAllStringSubmatch(table, -1) {
			cells := regexp.MustCompile(`<td[^>]*>(.*?)</td>`).FindAllStringSubmatch(m[2], -1)
			var vals []string
			for _, c := range cells {
				vals = append(vals, c[1])
			}
			rows[caption+": "+strings.TrimSpace(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], ""))] = strings.Join(vals, " | ")
		}
	}
	return rows
}

// The overview's figures come from the events: leads that reached each
// stage, the conversion of each month's leads, and the SLA breaches.
func TestDashboardOverviewFigures(t *testing.T) {
	f := newFixture(t, nil, nil) // the clock starts on 2 March 2026
	a := f.submit(t, "key-00000301", ana())
	other := ana()
	other["email"] = "bo@northwind.io"
	f.submit(t, "key-00000302", other)
	f.postEvent(t, a["id"].(string), map[string]string{"signal": "sales_accepted", "actor": "jo"})
	f.clock.Advance(31 * 24 * time.Hour) // 2 April
	third := ana()
	third["email"] = "cy@northwind.io"
	f.submit(t, "key-00000303", third)
	f.clock.Advance(25 * time.Hour)

	b := newAdminBrowser(t, f.srv.URL)
	b.login(t, "tok")
	p := b.get(t, "/admin")
	rows := tableRows(p.body)
	for row, want := range map[string]string{
		"Leads reaching each stage: cold lead":                      "3 | 100%",
		"Leads reaching each stage: MQL (Marketing qualified lead)": "3 | 100%",
		"Leads reaching each stage: SAL (Sales accepted lead)":      "1 | 33%",
		"Leads reaching each stage: won":                            "0 | 0%",
		"Conversion by month: Mar 2026":                             "100% (2 of 2) | 50% (1 of 2) | 0% (0 of 1) | – | – | –",
		"Conversion by month: Apr 2026":                             "100% (1 of 1) | 0% (0 of 1) | – | – | – | –",
		"Conversion by month: Feb 2026":                             "– | – | – | – | – | –",
		// Ana's MQL entry was acted on (SAL, by jo) in time; Bo's (March)
		// and Cy's (April, 25 h against 24) were not. Ana's SAL entry has
		// waited a month against 2 days. Nobody entered the cold lead stage:
		// both were scored straight into MQL.
		"SLA compliance: MQL":       "Sales development | 1d 0h | 3 | 1 | 0 | 2 | 0 | 33%",
		"SLA compliance: SAL":       "Sales development | 2d 0h | 1 | 0 | 0 | 1 | 0 | 0%",
		"SLA compliance: cold lead": "Marketing | 7d 0h | 0 | 0 | 0 | 0 | 0 | –",
	} {
		if rows[row] != want {
			t.Errorf("row %q: %q, want %q", row, rows[row], want)
		}
	}
	// The April lead has been an MQL for 25 hours, past the 24 its SLA
	// gives; the March ones have waited a month, as MQL and as SAL.
	_, breaches, _ := strings.Cut(p.body, "SLA breaches</caption>")
	if strings.Count(breaches, `data-label="Owner">Sales development`) != 3 {
		t.Errorf("breaches: want the three waiting leads:\n%s", p.body)
	}
	if !strings.Contains(p.body, "Ana Maria Souza, Northwind Software") {
		t.Error("recent leads are not named")
	}
}

// The overview's Team section gives, per owner and per team, the leads
// they own, their speed to lead in business hours, how they kept the
// rhythm, the leads accepted and rejected with the reasons, and how many
// became opportunities and won.
func TestDashboardTeam(t *testing.T) {
	f := newFixture(t, nil, func(c *worker.Config) { c.Routing = shippedRouting(t) }) // Monday 2 March 2026, 09:00 UTC
	var ids []string
	for i := range 3 {
		fields := ana()
		fields["email"] = "team" + strconv.Itoa(i) + "@northwind.io"
		ids = append(ids, f.submit(t, "key-team-"+strconv.Itoa(i), fields)["id"].(string))
	}
	// The round robin of dach: Anna Schmidt twice, then Lukas Weber.
	for i, want := range []string{"Anna Schmidt", "Anna Schmidt", "Lukas Weber"} {
		if o := f.owned(t, ids[i]); o.Owner != want || o.Team != "Sales development" {
			t.Fatalf("lead %d: owned by %q in %q, want %s", i, o.Owner, o.Team, want)
		}
	}
	// Anna calls and accepts her first lead half an hour later; Lukas
	// hands his back after an hour, not his territory. Anna's second lead
	// waits.
	f.clock.Advance(30 * time.Minute)
	f.postEvent(t, ids[0], map[string]string{"activity": "contacted", "actor": "Anna Schmidt"})
	f.handle(t, ids[0], "Anna Schmidt", "")
	f.clock.Advance(30 * time.Minute)
	f.handle(t, ids[2], "Lukas Weber", "no_answer")
	f.clock.Advance(30 * time.Minute)

	b := newAdminBrowser(t, f.srv.URL)
	b.login(t, "tok")
	p := b.get(t, "/admin")
	wantPage(t, p, 200, `<h2 id="team-h">Team</h2>`)
	rows := tableRows(p.body)
	// Speeds are read from bins of 1/16 of an octave: half an hour reads
	// 31 minutes; the team's median is the mean of 30 and 60 minutes.
	for row, want := range map[string]string{
		"Leads by owner: Anna Schmidt":     "2 | 31m | 31m | – | 1 | 0 | 0% (0 of 2) | 0% (0 of 2)",
		"Leads by owner: Lukas Weber":      "1 | 1h 1m | 1h 1m | – | 0 | 1 (Never answered 1) | 0% (0 of 1) | 0% (0 of 1)",
		"Leads by team: Sales development": "3 | 46m | 1h 1m | – | 1 | 1 (Never answered 1) | 0% (0 of 3) | 0% (0 of 3)",
		// Three entries into MQL, their rhythms running: Anna's first and
		// Lukas's were acted on in time, her second is not due yet.
		"Follow-up rhythm: MQL": "2d 0h | 5 | 0 | 0 | 3 | 2 | 0 | 0 | –",
		"SLA compliance: MQL":   "Sales development | 1d 0h | 3 | 2 | 0 | 0 | 1 | 100%",
	} {
		if rows[row] != want {
			t.Errorf("row %q: %q, want %q", row, rows[row], want)
		}
	}

	// On Wednesday at 16:00 UTC, Anna's second lead is still waiting: its
	// first action was due 24 business hours (of 9.5 a day, from 08:30 to
	// 18:00 in Paris) after Monday 10:00 in Paris, on Wednesday at 15:00
	// there, 14:00 UTC. Its rhythm broke; the others' follow-ups are due
	// 48 business hours after Monday's actions, next Monday.
	f.clock.Advance(2*24*time.Hour + 5*time.Hour + 30*time.Minute)
	b = newAdminBrowser(t, f.srv.URL)
	b.login(t, "tok")
	rows = tableRows(b.get(t, "/admin").body)
	for row, want := range map[string]string{
		"Leads by owner: Anna Schmidt": "2 | 31m | 31m | 0% (0 of 1) | 1 | 0 | 0% (0 of 2) | 0% (0 of 2)",
		"Leads by owner: Lukas Weber":  "1 | 1h 1m | 1h 1m | – | 0 | 1 (Never answered 1) | 0% (0 of 1) | 0% (0 of 1)",
		"Follow-up rhythm: MQL":        "2d 0h | 5 | 0 | 1 (1 overdue) | 2 | 2 | 0 | 1 | 0% (0 of 1)",
		"SLA compliance: MQL":          "Sales development | 1d 0h | 3 | 2 | 0 | 1 | 0 | 67%",
	} {
		if rows[row] != want {
			t.Errorf("on Wednesday, row %q: %q, want %q", row, rows[row], want)
		}
	}
}

// submitVisit sends a lead from a visitor of the site: with the beacon's
// visitor id and, unless attribution is nil, its attribution cookie.
func (f *fixture) submitVisit(t *testing.T, key string, fields map[string]string, visitor string, attribution url.Values) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"fields": fields, "idempotency_key": key})
	req, _ := http.NewRequest("POST", f.srv.URL+"/api/leads", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: "winnow_v", Value: visitor})
	if attribution != nil {
		req.AddCookie(&http.Cookie{Name: "winnow_a", Value: attribution.Encode()})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 201 {
		t.Fatalf("submit: %d %v", resp.StatusCode, err)
	}
	return out.ID
}

// view records a page view of a visitor, as the site's beacon does.
func (f *fixture) view(t *testing.T, visitor, path, signal string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"v": visitor, "p": path, "s": signal})
	resp, err := http.Post(f.srv.URL+"/api/beacon", "text/plain", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		t.Fatalf("beacon: %d", resp.StatusCode)
	}
}

// lifeFixture is two leads of 2 March 2026. Ana comes from the
// newsletter's spring campaign: scored into MQL at exactly its threshold,
// she falls back to cold lead by decay within hours, views the pricing
// page (MQL again), is accepted by sales (SAL) and contacted, moved on
// to SQL by an override the next day, and lost the day after. Bo, of
// unknown origin, falls back to cold lead too. The clock is left at
// 5 March 2026 09:00.
func lifeFixture(t *testing.T) (f *fixture, ana, bo string) {
	f = newFixture(t, nil, nil) // 2026-03-02 09:00 UTC
	const visitor = "v1234567890abcdefghijk"
	ana = f.submitVisit(t, "key-life-ana", anaFields(), visitor,
		url.Values{"utm_source": {"newsletter"}, "utm_campaign": {"spring"}, "landing_page": {"/"}})
	other := anaFields()
	other["name"], other["email"] = "Bo Lindqvist", "bo@northwind.io"
	bo = f.submit(t, "key-life-bo", other)["id"].(string)
	ctx := context.Background()
	f.clock.Advance(4 * time.Hour) // 13:00: both fell back at 12:54
	if n, err := f.h.Rescore(ctx, f.clock.Now()); err != nil || n.Changed != 2 {
		t.Fatalf("rescore: %+v %v", n, err)
	}
	f.clock.Advance(time.Hour) // 14:00
	f.view(t, visitor, "/pricing/", "pricing_visit")
	f.clock.Advance(time.Hour) // 15:00
	f.postEvent(t, ana, map[string]string{"signal": "sales_accepted", "actor": "jo@sales"})
	f.clock.Advance(time.Hour) // 16:00
	f.postEvent(t, ana, map[string]string{"activity": "contacted", "actor": "jo@sales", "note": "left a voicemail"})
	f.clock.Advance(18 * time.Hour) // 3 March, 10:00
	f.postEvent(t, ana, map[string]string{"stage": "SQL", "reason": "budget confirmed on the call", "actor": "jo@sales"})
	f.clock.Advance(24 * time.Hour) // 4 March, 10:00
	f.postEvent(t, ana, map[string]string{"outcome": "lost", "reason": "chose_competitor", "actor": "jo@sales"})
	f.clock.Advance(23 * time.Hour) // 5 March, 09:00
	return f, ana, bo
}

// anaFields are Ana's answers: a fit of A, and a score of exactly the
// MQL threshold when she sends them.
func anaFields() map[string]string { return ana() }

// A lead's page tells its whole life, oldest first: each event with the
// change of verdict it made, the decay between them, the override with
// its reason, the outcome; the chart names the stages it went through;
// the overview counts the override and the leads by origin.
func TestDashboardLeadLife(t *testing.T) {
	f, ana, _ := lifeFixture(t)
	b := newAdminBrowser(t, f.srv.URL)
	b.login(t, "tok")
	p := b.get(t, "/admin/leads/"+ana)
	wantPage(t, p, 200)
	_, timeline, _ := strings.Cut(p.body, `aria-label="Timeline, oldest first"`)
	at := 0
	for _, row := range []string{
		"Monday 2 March 2026",
		"Submitted answers", "Stage MQL", "Gained target-industry +2", "form +4",
		"Entered MQL by the rules",
		"Score decayed: MQL → cold lead", "Stage MQL → cold lead", "Tier warm → cool",
		"Entered cold lead by the rules",
		"Viewed /pricing/ (signal: Visited the pricing page)", "Stage cold lead → MQL", "Gained pricing +2",
		"Entered MQL by the rules",
		"Signal: Sales accepted the lead", "Stage MQL → SAL",
		"Entered SAL by the rules",
		"Activity: contacted", "left a voicemail",
		"Tuesday 3 March 2026",
		`<span class="tag">override</span> Set the stage to SQL against the rules`, "Reason: budget confirmed on the call", "Stage SAL → SQL (override)",
		`<span class="tag">override</span> Entered SQL by override`, "Reason: budget confirmed on the call",
		"Wednesday 4 March 2026",
		"Lost", "Reason: Chose a competitor",
	} {
		i := strings.Index(timeline[at:], row)
		if i < 0 {
			t.Fatalf("the timeline lacks %q after its %d first bytes:\n%s", row, at, timeline)
		}
		at += i + len(row)
	}
	if n := strings.Count(timeline, `<tr class="event decay">`); n != 1 {
		t.Errorf("%d decay rows, want 1", n)
	}
	if !strings.Contains(timeline, `<time datetime="2026-03-02T12:54:03Z">12:54</time>`) {
		t.Error("the decay row is not at the instant the score fell below the threshold")
	}
	wantPage(t, p, 200,
		`<strong>Override: SQL</strong>, set by jo@sales on <time datetime="2026-03-03T10:00:00Z">2026-03-03 10:00 UTC</time>`,
		"<p>Reason: budget confirmed on the call</p>", "The rules give SAL;",
		`<strong>Lost</strong>, recorded by jo@sales`, "<p>Reason: Chose a competitor</p>",
		`<dt>Next change by time</dt><dd><time datetime=`,
		`<title id="life-title">Score and stage over time</title>`,
		"stages MQL → cold lead → MQL → SAL → SQL (override) over 3 days, from 2 Mar 2026 09:00 UTC to now.")

	// The overview: Ana's entries (and Bo's: MQL, then cold lead by
	// decay) by rule, her SQL by override; by origin and campaign.
	over := b.get(t, "/admin")
	rows := tableRows(over.body)
	for row, want := range map[string]string{
		"Stage entries by rule and by override: cold lead": "2 | 0 | 0%",
		"Stage entries by rule and by override: MQL":       "3 | 0 | 0%",
		"Stage entries by rule and by override: SAL":       "1 | 0 | 0%",
		"Stage entries by rule and by override: SQL":       "0 | 1 | 100%",
		"Stage entries by rule and by override: prospect":  "0 | 0 | –",
		"Conversion by origin: newsletter":                 "1 | 100% (1 of 1) | 100% (1 of 1) | 100% (1 of 1) | 100% (1 of 1) | 0% (0 of 1) | –",
		"Conversion by origin: Direct or unknown":          "1 | 100% (1 of 1) | 0% (0 of 1) | – | – | – | –",
		"Conversion by campaign: spring":                   "1 | 100% (1 of 1) | 100% (1 of 1) | 100% (1 of 1) | 100% (1 of 1) | 0% (0 of 1) | –",
		"Conversion by campaign: No campaign":              "1 | 100% (1 of 1) | 0% (0 of 1) | – | – | – | –",
		"Conversion by source: api":                        "2 | 100% (2 of 2) | 50% (1 of 2) | 100% (1 of 1) | 100% (1 of 1) | 0% (0 of 1) | –",
	} {
		if rows[row] != want {
			t.Errorf("row %q: %q, want %q", row, rows[row], want)
		}
	}
	if _, ok := rows["Stage entries by rule and by override: lost"]; ok {
		t.Error("outcomes are counted as stage entries")
	}
}

// A lead's page names the leads merged into it and the merged lead's
// events; its chart draws its own history, not theirs too. The merged
// lead's page says where it went.
func TestDashboardLeadMerged(t *testing.T) {
	f := newFixture(t, nil, nil)
	a := f.submit(t, "key-merge-a", ana())["id"].(string)
	f.clock.Advance(time.Hour)
	other := ana()
	other["email"] = "ana.souza@northwind.io"
	m := f.submit(t, "key-merge-b", other)["id"].(string)
	f.clock.Advance(time.Hour)
	body, _ := json.Marshal(map[string]string{"lead": m, "actor": "jo@sales", "reason": "same person"})
	if status, out := f.request(t, "POST", "/api/leads/"+a+"/merge", body); status != 200 {
		t.Fatalf("merge: %d %s", status, out)
	}
	b := newAdminBrowser(t, f.srv.URL)
	b.login(t, "tok")
	p := b.get(t, "/admin/leads/"+a)
	link := `<a href="/admin/leads/` + m + `"><code>` + m + `</code></a>`
	wantPage(t, p, 200, "<dt>Leads merged in</dt>", "Merged in lead "+link, "(of merged lead "+link+")", "Note")
	var own, all int
	if err := f.db.QueryRow(`SELECT count(*) FILTER (WHERE lead_id = ?), count(*) FROM scores`, a).Scan(&own, &all); err != nil {
		t.Fatal(err)
	}
	_, history, _ := strings.Cut(p.body, `aria-label="Score history"`)
	history, _, _ = strings.Cut(history, "</table>")
	if got := strings.Count(history, "<tr>") - 1; got != own+1 || own == all {
		t.Errorf("the chart's table has %d rows, want the lead's %d and now (of %d in all)", got, own, all)
	}
	wantPage(t, b.get(t, "/admin/leads/"+m), 200, `<dt>Merged into</dt><dd>lead <a href="/admin/leads/`+a+`">`)
}
