//go:build edge

package edge_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/blackbox"
	"github.com/winnowhq/winnow/worker/access/accesstest"
)

// accessClient is a browser behind Cloudflare Access: every request
// carries the token Access signed for it (none if jwt is ""), and its
// cookies.
type accessClient struct {
	t    *testing.T
	base string
	jwt  string
	c    *http.Client
}

func newAccessClient(t *testing.T, base, jwt string) *accessClient {
	jar, _ := cookiejar.New(nil)
	return &accessClient{t: t, base: base, jwt: jwt, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (a *accessClient) do(method, path string, form url.Values) (int, string) {
	a.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, a.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if a.jwt != "" {
		req.Header.Set("Cf-Access-Jwt-Assertion", a.jwt)
	}
	resp, err := a.c.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var csrfValue = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestAccessInWorkerd puts the worker in workerd behind a stand-in for
// Cloudflare Access (team acme, its keys served on loopback): the
// dashboard takes only requests with a token the team signed for the
// application, fetched and checked by the Go worker through the Workers
// runtime's fetch; the email it names is the account, whose first page
// starts its session; a token of a key the team has just rotated to is
// taken once the keys are fetched again; what a person changes is
// recorded in the lead's timeline under their email.
func TestAccessInWorkerd(t *testing.T) {
	team := accesstest.NewTeam(t, "acme", accesstest.AUD)
	rec, hs := blackbox.NewReceiver(t), blackbox.NewHubSpot(t)
	rec.FailWhen(func() bool { return true })
	env := blackbox.Env(rec, hs)
	env["WINNOW_WEBHOOK_ATTEMPTS"] = "1"
	env["WINNOW_ACCESS_TEAM"] = "acme"
	env["WINNOW_ACCESS_AUD"] = accesstest.AUD
	env["WINNOW_ACCESS_CERTS_URL"] = team.Serve(t)
	srv := start(t, env)
	now := time.Now()

	// No token, an expired one, another application's, a forged one.
	stranger := accesstest.NewTeam(t, "acme", accesstest.AUD)
	stranger.Kid = team.Kid
	for name, jwt := range map[string]string{
		"none":                "",
		"expired":             team.Sign(team.Claims("ana@acme.example", now.Add(-2*time.Hour))),
		"another application": team.Sign(with(team.Claims("ana@acme.example", now), "aud", "0123456789abcdef0123456789abcdef")),
		"forged":              stranger.Sign(team.Claims("ana@acme.example", now)),
	} {
		if status, body := newAccessClient(t, srv.url, jwt).do("GET", "/admin", nil); status != 403 ||
			!strings.Contains(body, "Sign in through Cloudflare Access") {
			t.Errorf("a request with %s token: %d\n%.1500s", name, status, body)
		}
	}

	// Someone without an account uses the admin token, and adds Bo.
	ana := newAccessClient(t, srv.url, team.Sign(team.Claims("ana@acme.example", now)))
	if status, body := ana.do("GET", "/admin", nil); status != 200 || !strings.Contains(body, "who has no account here") {
		t.Fatalf("someone Access let in without an account: %d\n%.1500s", status, body)
	}
	if status, _ := ana.do("POST", "/admin/login", url.Values{"token": {blackbox.AdminToken}, "next": {"/admin/people"}}); status != 303 {
		t.Fatalf("the admin token behind Access: %d", status)
	}
	_, people := ana.do("GET", "/admin/people", nil)
	m := csrfValue.FindStringSubmatch(people)
	if m == nil {
		t.Fatalf("the people page has no form:\n%.2000s", people)
	}
	if status, _ := ana.do("POST", "/admin/people", url.Values{"csrf": {m[1]}, "email": {"Bo@Acme.example"}, "role": {"sales"}}); status != 303 {
		t.Fatalf("adding Bo: %d", status)
	}

	// A lead whose webhook dies.
	body, _ := json.Marshal(map[string]any{"idempotency_key": fmt.Sprintf("access-%d", now.UnixNano()), "fields": map[string]string{
		"name": "Cy Chan", "email": "cy.access@northwind.io", "company": "Northwind", "consent": "yes"}})
	resp, err := http.Post(srv.url+"/api/leads", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	srv.deliver(t)
	var outbox struct {
		Dead []struct {
			ID   string `json:"id"`
			Lead string `json:"lead"`
		} `json:"dead"`
	}
	r := adminGet(t, srv.url+"/api/outbox")
	json.NewDecoder(r.Body).Decode(&outbox)
	r.Body.Close()
	var hook string
	for _, d := range outbox.Dead {
		if d.Lead == created.ID {
			hook = d.ID
		}
	}
	if hook == "" {
		t.Fatalf("no dead webhook of lead %s: %+v", created.ID, outbox)
	}

	// Access rotates its key; Bo's token of the new key is taken once
	// the worker fetches the keys again (at most every 5 s), and starts
	// Bo's session, whose retry is recorded under Bo's email.
	team.Rotate(t)
	time.Sleep(5500 * time.Millisecond)
	bo := newAccessClient(t, srv.url, team.Sign(team.Claims("bo@acme.example", time.Now())))
	status, overview := bo.do("GET", "/admin", nil)
	if status != 200 || !strings.Contains(overview, `<span class="vh">Signed in as </span>bo@acme.example</a>`) ||
		!strings.Contains(overview, `<span class="role">sales</span>`) {
		t.Fatalf("Bo behind Access, with a token of the new key: %d\n%.2000s", status, overview)
	}
	m = csrfValue.FindStringSubmatch(overview)
	if status, _ := bo.do("POST", "/admin/webhooks/"+url.PathEscape(hook)+"/retry", url.Values{"csrf": {m[1]}}); status != 303 {
		t.Fatalf("Bo's retry: %d", status)
	}
	l := adminGet(t, srv.url+"/api/leads/"+created.ID)
	var lead struct {
		Events []struct{ Kind, Actor, Value string }
	}
	json.NewDecoder(l.Body).Decode(&lead)
	l.Body.Close()
	found := false
	for _, e := range lead.Events {
		found = found || e.Kind == "retry" && e.Actor == "bo@acme.example" && e.Value == hook
	}
	if !found {
		t.Errorf("the lead's timeline has no retry by bo@acme.example: %+v", lead.Events)
	}
	// Without Access's token, Bo's cookie opens nothing.
	bo.jwt = ""
	if status, _ := bo.do("GET", "/admin", nil); status != 403 {
		t.Errorf("Bo's cookie without Access's token: %d", status)
	}
}

// with returns claims with one set.
func with(claims map[string]any, name string, v any) map[string]any {
	claims[name] = v
	return claims
}
