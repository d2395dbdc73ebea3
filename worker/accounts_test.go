package worker_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/access/accesstest"
	"github.com/winnowhq/winnow/worker/crm"
)

// admin returns a browser logged in with the admin token, on the overview.
func (f *fixture) admin(t *testing.T) (*adminBrowser, string) {
	t.Helper()
	b := newAdminBrowser(t, f.srv.URL)
	if p := b.login(t, "tok"); p.status != 303 {
		t.Fatalf("login with the admin token: %d", p.status)
	}
	return b, csrf(t, b.get(t, "/admin"))
}

// poster posts forms: an adminBrowser, or an accessBrowser.
type poster interface {
	post(t *testing.T, path string, form url.Values) page
}

// addPerson adds an account of role as the admin browser b, and returns
// the path of its page.
func addPerson(t *testing.T, b poster, token, email, role string) string {
	t.Helper()
	p := b.post(t, "/admin/people", url.Values{"csrf": {token}, "email": {email}, "name": {"Jo Sales"}, "role": {role}})
	if p.status != 303 {
		t.Fatalf("adding %s: %d\n%s", email, p.status, p.body)
	}
	path, _, _ := strings.Cut(p.header.Get("Location"), "?")
	return path
}

var linkPattern = regexp.MustCompile(`https?://[^"]*/admin/link/([A-Za-z0-9_-]{43})`)

// makeLink makes a login link for the person at path, as b, and returns
// its token.
func makeLink(t *testing.T, b poster, token, path string) string {
	t.Helper()
	p := b.post(t, path+"/link", url.Values{"csrf": {token}})
	m := linkPattern.FindStringSubmatch(p.body)
	if p.status != 200 || m == nil {
		t.Fatalf("making a login link: %d\n%s", p.status, p.body)
	}
	return m[1]
}

// linkLogin logs a new browser in with a login link's token.
func linkLogin(t *testing.T, f *fixture, tok string) (*adminBrowser, page) {
	t.Helper()
	b := newAdminBrowser(t, f.srv.URL)
	return b, b.post(t, "/admin/link", url.Values{"token": {tok}})
}

// A login link an admin makes is shown once, stored only as its hash,
// opens a page with a button (a link preview does not use it up), logs
// its person in once, and no more after 24 hours; a link that cannot be
// used counts as a failed login.
func TestLoginLink(t *testing.T) {
	f := newFixture(t, nil, func(c *worker.Config) { c.Limits.LoginFailures = 2 })
	admin, tok := f.admin(t)
	person := addPerson(t, admin, tok, "Jo@Example.com", "sales")
	wantPage(t, admin.get(t, person+"?done=added"), 200, "jo@example.com", "Make a login link", "Added.")

	link := makeLink(t, admin, tok, person)
	var stored int
	f.db.QueryRow(`SELECT count(*) FROM login_links WHERE token_hash LIKE ?`, "%"+link+"%").Scan(&stored)
	if stored != 0 {
		t.Error("the login link's token is stored as it is")
	}
	if p := admin.get(t, person); strings.Contains(p.body, link) {
		t.Error("the person's page shows the login link again")
	}

	// Opening it twice uses nothing up; its button logs in, once.
	b := newAdminBrowser(t, f.srv.URL)
	for range 2 {
		wantPage(t, b.get(t, "/admin/link/"+link), 200, "logs you in as Jo Sales (jo@example.com)", `action="/admin/link"`)
	}
	in := b.post(t, "/admin/link", url.Values{"token": {link}})
	if in.status != 303 || in.header.Get("Location") != "/admin/account" {
		t.Fatalf("logging in with the link: %d to %q", in.status, in.header.Get("Location"))
	}
	wantPage(t, b.get(t, "/admin/account"), 200, "jo@example.com", "logged in with a login link", "You have no password yet")
	_, again := linkLogin(t, f, link)
	wantPage(t, again, 404, "cannot be used")
	wantPage(t, newAdminBrowser(t, f.srv.URL).get(t, "/admin/link/"+link), 404, "cannot be used")

	// A day on, an unused link no longer logs in.
	late := makeLink(t, admin, tok, person)
	f.clock.Advance(24*time.Hour + time.Second)
	_, expired := linkLogin(t, f, late)
	wantPage(t, expired, 404, "it expired")

	// That failure and one more in this window use the address's
	// attempts up: even a good link is refused.
	admin, tok = f.admin(t)
	good := makeLink(t, admin, tok, person)
	newAdminBrowser(t, f.srv.URL).get(t, "/admin/link/"+strings.Repeat("x", 43))
	_, held := linkLogin(t, f, good)
	wantPage(t, held, 429, "Too many failed logins")
	if held.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
}

// A password is set by its person (after a login link), checked with
// PBKDF2 on login; a wrong one is refused like a wrong admin token and
// counts with them against the address; a disabled account's password
// logs in no more.
func TestPasswordLogin(t *testing.T) {
	f := newFixture(t, nil, func(c *worker.Config) { c.Limits.LoginFailures = 4 })
	admin, tok := f.admin(t)
	person := addPerson(t, admin, tok, "jo@example.com", "viewer")
	jo, _ := linkLogin(t, f, makeLink(t, admin, tok, person))
	acct := jo.get(t, "/admin/account")
	joCSRF := csrf(t, acct)
	wantPage(t, jo.post(t, "/admin/account/password", url.Values{"csrf": {joCSRF}, "password": {"short"}}), 422, "at least 12 characters")
	set := jo.post(t, "/admin/account/password", url.Values{"csrf": {joCSRF}, "password": {"correct horse battery"}})
	if set.status != 303 {
		t.Fatalf("setting a password: %d\n%s", set.status, set.body)
	}
	var hash string
	f.db.QueryRow(`SELECT password FROM accounts WHERE email = 'jo@example.com'`).Scan(&hash)
	if !strings.HasPrefix(hash, "$pbkdf2-sha256$i=600000$") || strings.Contains(hash, "horse") {
		t.Errorf("the stored password is %q", hash)
	}
	wantPage(t, jo.get(t, set.header.Get("Location")), 200, "Your password is set")
	// Changing it needs the current one.
	wantPage(t, jo.post(t, "/admin/account/password", url.Values{"csrf": {joCSRF}, "password": {"another long one"}}), 403, "not your current password")

	login := func(email, password string) page {
		b := newAdminBrowser(t, f.srv.URL)
		return b.post(t, "/admin/login", url.Values{"email": {email}, "password": {password}, "next": {"/admin/leads/x"}})
	}
	ok := login("Jo@Example.COM", "correct horse battery")
	if ok.status != 303 || ok.header.Get("Location") != "/admin/leads/x" || len(ok.resp.Cookies()) != 1 {
		t.Fatalf("login with the password: %d to %q", ok.status, ok.header.Get("Location"))
	}
	wrong := login("jo@example.com", "correct horse batterY")
	wantPage(t, wrong, 401, "not those of an account", `value="jo@example.com"`, `aria-invalid="true"`)
	if len(wrong.resp.Cookies()) != 0 {
		t.Error("a wrong password got a cookie")
	}
	wantPage(t, login("nobody@example.com", "correct horse battery"), 401, "not those of an account")
	// A wrong current password, two failed logins and a wrong bearer
	// token use the address's attempts up: the right password is refused.
	req, _ := http.NewRequest("GET", f.srv.URL+"/api/outbox", nil)
	req.Header.Set("Authorization", "Bearer guess")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wantPage(t, login("jo@example.com", "correct horse battery"), 429, "Too many failed logins")
	f.clock.Advance(10 * time.Minute)
	if p := login("jo@example.com", "correct horse battery"); p.status != 303 {
		t.Errorf("after the window: %d", p.status)
	}
	// Disabled, the password logs in no more.
	admin, tok = f.admin(t)
	admin.post(t, person, url.Values{"csrf": {tok}, "action": {"disable"}})
	wantPage(t, login("jo@example.com", "correct horse battery"), 401, "not those of an account")
}

// Disabling an account, or changing its role, ends its sessions at once:
// its cookie opens the login form and its forms are refused; enabling
// it again revives none of them. An admin sees a person's sessions and
// ends one, or all; a person ends their own, and nobody else's.
func TestSessionsEnd(t *testing.T) {
	f := newFixture(t, nil, nil)
	admin, tok := f.admin(t)
	person := addPerson(t, admin, tok, "jo@example.com", "sales")
	login := func() (*adminBrowser, string) {
		b, _ := linkLogin(t, f, makeLink(t, admin, tok, person))
		p := b.get(t, "/admin")
		if !loggedIn(p) {
			t.Fatal("the login link did not log in")
		}
		return b, csrf(t, p)
	}

	jo, joCSRF := login()
	admin.post(t, person, url.Values{"csrf": {tok}, "action": {"disable"}})
	if loggedIn(jo.get(t, "/admin")) {
		t.Error("a disabled account's session goes on")
	}
	wantPage(t, jo.post(t, "/admin/logout", url.Values{"csrf": {joCSRF}}), 403, "Your session has ended")
	admin.post(t, person, url.Values{"csrf": {tok}, "action": {"enable"}})
	if loggedIn(jo.get(t, "/admin")) {
		t.Error("enabling the account revived its session")
	}
	wantPage(t, admin.get(t, person+"?done=enabled"), 200, "They may log in again.", "No open session.")

	jo, _ = login()
	if p := admin.post(t, person, url.Values{"csrf": {tok}, "action": {"role"}, "role": {"viewer"}}); p.status != 303 {
		t.Fatalf("changing the role: %d", p.status)
	}
	if loggedIn(jo.get(t, "/admin")) {
		t.Error("a session goes on with the old role")
	}
	jo, joCSRF = login()
	wantPage(t, jo.get(t, "/admin"), 200, `<span class="role">viewer</span>`)

	// The admin sees the session, and ends it.
	page := admin.get(t, person)
	ids := regexp.MustCompile(`name="session" value="([^"]+)"`).FindAllStringSubmatch(page.body, -1)
	if len(ids) != 1 {
		t.Fatalf("the person's page lists %d sessions, want 1:\n%s", len(ids), page.body)
	}
	wantPage(t, page, 200, "a login link")
	// Jo may not end the admin's sessions, nor the token's.
	wantPage(t, jo.post(t, "/admin/sessions/revoke", url.Values{"csrf": {joCSRF}, "all": {"token"}}), 403)
	theirs := regexp.MustCompile(`name="session" value="([^"]+)"`).FindAllStringSubmatch(admin.get(t, "/admin/account").body, -1)
	gone := jo.post(t, "/admin/sessions/revoke", url.Values{"csrf": {joCSRF}, "session": {theirs[0][1]}, "back": {"/admin/account"}})
	if gone.header.Get("Location") != "/admin/account?revoked=0" || !loggedIn(admin.get(t, "/admin")) {
		t.Errorf("a viewer's revoking the admin's session: to %q", gone.header.Get("Location"))
	}
	end := admin.post(t, "/admin/sessions/revoke", url.Values{"csrf": {tok}, "session": {ids[0][1]}, "back": {person}})
	if end.status != 303 || end.header.Get("Location") != person+"?revoked=1" {
		t.Fatalf("ending the session: %d to %q", end.status, end.header.Get("Location"))
	}
	if loggedIn(jo.get(t, "/admin")) {
		t.Error("the session the admin ended goes on")
	}
	wantPage(t, admin.get(t, person+"?revoked=1"), 200, "One session ended")

	// All of a person's at once; and the admin token's, on the people page.
	a, _ := login()
	b, _ := login()
	admin.post(t, "/admin/sessions/revoke", url.Values{"csrf": {tok}, "all": {strings.TrimPrefix(person, "/admin/people/")}, "back": {person}})
	if loggedIn(a.get(t, "/admin")) || loggedIn(b.get(t, "/admin")) {
		t.Error("sessions go on after the admin ended them all")
	}
	other, _ := f.admin(t)
	wantPage(t, admin.get(t, "/admin/people"), 200, "It has 2 open sessions.")
	admin.post(t, "/admin/sessions/revoke", url.Values{"csrf": {tok}, "all": {"token"}, "back": {"/admin/people"}})
	if loggedIn(other.get(t, "/admin")) || loggedIn(admin.get(t, "/admin")) {
		t.Error("the admin token's sessions go on after they were ended")
	}
}

// A viewer reads and changes nothing: no retry button, a retry and the
// people refused with 403 saying why; sales retry webhooks but manage
// no people; an admin cannot disable themselves or change their role.
// What a person changes is recorded under their email in the lead's
// timeline, and the header says who is signed in, in which role.
func TestRoles(t *testing.T) {
	f := newFixture(t, []crm.Target{{Name: "crm", Kind: crm.KindJSON, URL: "https://crm.example/hooks", Secret: "x"}},
		func(c *worker.Config) { c.Client = refusing{}; c.Limits.MaxAttempts = 1 })
	lead := f.submit(t, "key-roles-0001", ana())["id"].(string)
	if _, err := f.h.Deliver(context.Background()); err != nil {
		t.Fatal(err)
	}
	var hook string
	if err := f.db.QueryRow(`SELECT id FROM outbox WHERE status = 'dead' AND lead_id = ?`, lead).Scan(&hook); err != nil {
		t.Fatal(err)
	}
	admin, tok := f.admin(t)
	as := func(email, role string) (*adminBrowser, string) {
		b, _ := linkLogin(t, f, makeLink(t, admin, tok, addPerson(t, admin, tok, email, role)))
		p := b.get(t, "/admin")
		return b, csrf(t, p)
	}

	viewer, vCSRF := as("vi@example.com", "viewer")
	overview := viewer.get(t, "/admin")
	wantPage(t, overview, 200, `<span class="vh">Signed in as </span>vi@example.com</a>`, `<span class="role">viewer</span>`, `action="/admin/logout"`)
	if strings.Contains(overview.body, "/retry") || strings.Contains(overview.body, `href="/admin/people"`) {
		t.Error("a viewer's overview offers a retry or the people")
	}
	wantPage(t, viewer.post(t, "/admin/webhooks/"+hook+"/retry", url.Values{"csrf": {vCSRF}}), 403, "signed in as a viewer", "nothing was changed")
	wantPage(t, viewer.get(t, "/admin/people"), 403, "Only admins")
	wantPage(t, viewer.post(t, "/admin/people", url.Values{"csrf": {vCSRF}, "email": {"x@example.com"}, "role": {"admin"}}), 403)
	var n int
	f.db.QueryRow(`SELECT count(*) FROM accounts WHERE email = 'x@example.com'`).Scan(&n)
	if n != 0 {
		t.Error("a viewer added a person")
	}

	sales, sCSRF := as("jo@example.com", "sales")
	wantPage(t, sales.get(t, "/admin"), 200, "/retry")
	wantPage(t, sales.post(t, "/admin/people", url.Values{"csrf": {sCSRF}, "email": {"x@example.com"}, "role": {"admin"}}), 403, "signed in as sales")
	retry := sales.post(t, "/admin/webhooks/"+hook+"/retry", url.Values{"csrf": {sCSRF}})
	if retry.status != 303 || !strings.Contains(retry.header.Get("Location"), "retried=") {
		t.Fatalf("sales retry: %d to %q", retry.status, retry.header.Get("Location"))
	}
	var actor, source, name, value string
	f.db.QueryRow(`SELECT actor, source, name, value FROM events WHERE lead_id = ? AND kind = 'retry'`, lead).Scan(&actor, &source, &name, &value)
	if actor != "jo@example.com" || source != "admin" || name != "crm" || value != hook {
		t.Errorf("the retry event: by %q from %q, %q %q", actor, source, name, value)
	}
	wantPage(t, viewer.get(t, "/admin/leads/"+lead), 200, "Webhook to crm queued again by hand", "jo@example.com")
	_, body := f.get(t, "/api/leads/"+lead)
	if !strings.Contains(string(body), `"kind":"retry"`) || !strings.Contains(string(body), `"actor":"jo@example.com"`) {
		t.Errorf("the API's lead lacks the retry by jo:\n%s", body)
	}
	// Retried already: nothing to record a second time.
	sales.post(t, "/admin/webhooks/"+hook+"/retry", url.Values{"csrf": {sCSRF}})
	f.db.QueryRow(`SELECT count(*) FROM events WHERE lead_id = ? AND kind = 'retry'`, lead).Scan(&n)
	if n != 1 {
		t.Errorf("%d retry events, want 1", n)
	}

	// An admin with an account manages people, but not themselves.
	boss, bCSRF := as("boss@example.com", "admin")
	var bossID string
	f.db.QueryRow(`SELECT id FROM accounts WHERE email = 'boss@example.com'`).Scan(&bossID)
	wantPage(t, boss.get(t, "/admin/people"), 200, "vi@example.com", "jo@example.com", `aria-current="page">People</a>`)
	wantPage(t, boss.get(t, "/admin/people/"+bossID), 200, "This is you")
	wantPage(t, boss.post(t, "/admin/people/"+bossID, url.Values{"csrf": {bCSRF}, "action": {"disable"}}), 403, "cannot change your own role")
	p := boss.post(t, "/admin/people", url.Values{"csrf": {bCSRF}, "email": {"new@example.com"}, "role": {"viewer"}})
	var by string
	f.db.QueryRow(`SELECT created_by FROM accounts WHERE email = 'new@example.com'`).Scan(&by)
	if p.status != 303 || by != "boss@example.com" {
		t.Errorf("an admin adding a person: %d, created by %q", p.status, by)
	}
	wantPage(t, boss.post(t, "/admin/people", url.Values{"csrf": {bCSRF}, "email": {"NEW@example.com"}, "role": {"viewer"}}), 409,
		"new@example.com has an account already")
}

// accessFixture is a handler behind Cloudflare Access: team acme, whose
// keys a server on loopback publishes, and the admin token.
func accessFixture(t *testing.T, defaultRole string) (*fixture, *accesstest.Team) {
	t.Helper()
	team := accesstest.NewTeam(t, "acme", accesstest.AUD)
	certs := team.Serve(t)
	f := newFixture(t, nil, func(c *worker.Config) {
		c.AccessTeam, c.AccessAUD, c.AccessCertsURL, c.AccessDefaultRole = "acme", accesstest.AUD, certs, defaultRole
	})
	return f, team
}

// through returns a browser whose every request carries the token
// Access signed for email.
func through(t *testing.T, f *fixture, team *accesstest.Team, claims map[string]any) *accessBrowser {
	t.Helper()
	return &accessBrowser{newAdminBrowser(t, f.srv.URL), team.Sign(claims)}
}

type accessBrowser struct {
	*adminBrowser
	jwt string
}

func (b *accessBrowser) get(t *testing.T, path string) page {
	t.Helper()
	return b.do(t, "GET", path, nil, map[string]string{"Cf-Access-Jwt-Assertion": b.jwt})
}

func (b *accessBrowser) post(t *testing.T, path string, form url.Values) page {
	t.Helper()
	return b.do(t, "POST", path, form, map[string]string{"Cf-Access-Jwt-Assertion": b.jwt})
}

// Behind Cloudflare Access every dashboard request must carry a token
// Access signed for the application; the email it names is the account,
// whose first page starts its session. Without an account one is
// refused (the default) but may use the admin token; with a default
// role, an account is made. Expired tokens, tokens of another
// application or signed with another key, and disabled accounts are
// refused; passwords and login links are off; the API keeps its token.
func TestAccess(t *testing.T) {
	f, team := accessFixture(t, "")
	now := f.clock.Now()

	// No token: refused, whatever else the request has.
	b := newAdminBrowser(t, f.srv.URL)
	wantPage(t, b.get(t, "/admin"), 403, "Sign in through Cloudflare Access", "no Access token")
	wantPage(t, b.login(t, "tok"), 403, "Sign in through Cloudflare Access")
	for name, claims := range map[string]map[string]any{
		"expired":             team.Claims("ana@acme.example", now.Add(-2*time.Hour)),
		"another application": withClaim(team.Claims("ana@acme.example", now), "aud", []string{"0123456789abcdef0123456789abcdef"}),
		"another team":        withClaim(team.Claims("ana@acme.example", now), "iss", "https://evil.cloudflareaccess.com"),
		"no email":            withClaim(team.Claims("ana@acme.example", now), "email", nil),
	} {
		if p := through(t, f, team, claims).get(t, "/admin"); p.status != 403 || !strings.Contains(p.body, "Sign in through Cloudflare Access") {
			t.Errorf("a token %s: %d\n%s", name, p.status, p.body)
		}
	}
	stranger := accesstest.NewTeam(t, "acme", accesstest.AUD)
	stranger.Kid = team.Kid
	wantPage(t, (&accessBrowser{newAdminBrowser(t, f.srv.URL), stranger.Sign(team.Claims("ana@acme.example", now))}).get(t, "/admin"),
		403, "signature does not verify")

	// Someone without an account: the login form says so, with the admin
	// token only, which logs in as the break-glass admin.
	ana := through(t, f, team, team.Claims("Ana@Acme.example", now))
	form := ana.get(t, "/admin")
	wantPage(t, form, 200, "let you in as ana@acme.example, who has no account here", `id="token"`)
	if strings.Contains(form.body, `id="password"`) {
		t.Error("behind Access the login form takes a password")
	}
	wantPage(t, ana.post(t, "/admin/login", url.Values{"email": {"ana@acme.example"}, "password": {"whatever it is"}}), 400, "no password")
	if p := ana.post(t, "/admin/login", url.Values{"token": {"tok"}, "next": {"/admin"}}); p.status != 303 {
		t.Fatalf("the admin token behind Access: %d", p.status)
	}
	overview := ana.get(t, "/admin")
	wantPage(t, overview, 200, `<span class="vh">Signed in as </span>admin</a>`)
	tok := csrf(t, overview)
	people := ana.get(t, "/admin/people")
	wantPage(t, people, 200, "behind Cloudflare Access", "is refused: add them here first")
	if strings.Contains(people.body, "logs in first with a login link") {
		t.Error("behind Access the people page offers login links")
	}
	person := addPerson(t, ana, tok, "bo@acme.example", "sales")
	wantPage(t, ana.post(t, person+"/link", url.Values{"csrf": {tok}}), 404, "Login links are off")
	wantPage(t, ana.get(t, "/admin/link/"+strings.Repeat("x", 43)), 404, "Login links are off")

	// Someone with an account: their first page starts their session.
	bo := through(t, f, team, team.Claims("bo@acme.example", now))
	first := bo.get(t, "/admin")
	wantPage(t, first, 200, "Funnel overview", `<span class="vh">Signed in as </span>bo@acme.example</a>`, `<span class="role">sales</span>`)
	if len(first.resp.Cookies()) != 1 {
		t.Errorf("the first page behind Access set %d cookies, want the session's", len(first.resp.Cookies()))
	}
	wantPage(t, bo.get(t, "/admin/account"), 200, "logged in with Cloudflare Access")
	if strings.Contains(bo.get(t, "/admin/account").body, "/admin/account/password") {
		t.Error("behind Access the account page offers a password")
	}
	var sessions int
	f.db.QueryRow(`SELECT count(*) FROM sessions WHERE method = 'access'`).Scan(&sessions)
	if sessions != 1 {
		t.Errorf("%d sessions by Access after two pages, want 1", sessions)
	}
	// Bo's session with another person's token is not Bo's: a page starts
	// the other person's, a form is refused.
	boCSRF := csrf(t, first)
	swapped := &accessBrowser{bo.adminBrowser, team.Sign(team.Claims("cy@acme.example", now))}
	wantPage(t, swapped.post(t, "/admin/logout", url.Values{"csrf": {boCSRF}}), 403, "Your session has ended")
	// Without the token, Bo's cookie opens nothing.
	wantPage(t, bo.adminBrowser.get(t, "/admin"), 403, "Sign in through Cloudflare Access")
	// Logging out ends Bo's session here, then Access's.
	out := bo.post(t, "/admin/logout", url.Values{"csrf": {boCSRF}})
	if out.status != 303 || out.header.Get("Location") != "/cdn-cgi/access/logout" {
		t.Errorf("logout behind Access: %d to %q", out.status, out.header.Get("Location"))
	}
	f.db.QueryRow(`SELECT count(*) FROM sessions WHERE method = 'access' AND revoked_at IS NULL`).Scan(&sessions)
	if sessions != 0 {
		t.Errorf("%d open sessions by Access after logout", sessions)
	}
	bo.get(t, "/admin") // Access still lets Bo in: a new session

	// Disabled, Bo is refused, token or not.
	ana.post(t, person, url.Values{"csrf": {tok}, "action": {"disable"}})
	wantPage(t, bo.get(t, "/admin"), 403, "Your account is disabled")

	// The API keeps the admin token, with or without Access's.
	if status, _ := f.get(t, "/api/outbox"); status != 200 {
		t.Errorf("the API with the admin token behind Access: %d", status)
	}
}

// With WINNOW_ACCESS_DEFAULT_ROLE=viewer, someone Access lets in without
// an account gets a viewer's, made by "access"; an admin may not be the
// default.
func TestAccessDefaultRole(t *testing.T) {
	f, team := accessFixture(t, "viewer")
	cy := through(t, f, team, team.Claims("cy@acme.example", f.clock.Now()))
	wantPage(t, cy.get(t, "/admin"), 200, "Funnel overview", `<span class="role">viewer</span>`)
	var role, by string
	f.db.QueryRow(`SELECT role, created_by FROM accounts WHERE email = 'cy@acme.example'`).Scan(&role, &by)
	if role != "viewer" || by != "access" {
		t.Errorf("the account made: %q by %q", role, by)
	}
	wantPage(t, cy.get(t, "/admin/people"), 403)

	for _, role := range []string{"admin", "root"} {
		cfg := worker.Config{DB: f.db, Model: defaultModel(t), AccessTeam: "acme", AccessAUD: accesstest.AUD, AccessDefaultRole: role}
		if _, err := worker.New(cfg); err == nil || !strings.Contains(err.Error(), "WINNOW_ACCESS_DEFAULT_ROLE") {
			t.Errorf("default role %s: %v", role, err)
		}
	}
	if _, err := worker.New(worker.Config{DB: f.db, Model: defaultModel(t), AccessTeam: "acme"}); err == nil {
		t.Error("an Access team without an audience tag was taken")
	}
}

// withClaim returns claims with one set (nil: removed).
func withClaim(claims map[string]any, name string, v any) map[string]any {
	if v == nil {
		delete(claims, name)
	} else {
		claims[name] = v
	}
	return claims
}
