package access_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winnowhq/winnow/worker/access"
	"github.com/winnowhq/winnow/worker/access/accesstest"
)

// fixture is a Verifier of team "acme" whose keys an httptest server on
// loopback publishes, with a clock the test sets.
type fixture struct {
	team    *accesstest.Team
	v       *access.Verifier
	now     time.Time
	fetches atomic.Int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	f.team = accesstest.NewTeam(t, "acme", accesstest.AUD)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.fetches.Add(1)
		f.team.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	v, err := access.New(access.Config{Team: "acme", AUD: accesstest.AUD, CertsURL: srv.URL + "/cdn-cgi/access/certs",
		Client: srv.Client(), Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	f.v = v
	return f
}

// A token Access signed for the application is the identity it names;
// tokens that are expired, not yet valid, for another application or
// team, signed with another key, tampered with, of another algorithm,
// or without an email are refused, each for its reason.
func TestVerify(t *testing.T) {
	f := newFixture(t)
	good := f.team.Claims("ana@acme.example", f.now)
	id, err := f.v.Verify(t.Context(), f.team.Sign(good))
	if err != nil || id.Email != "ana@acme.example" || id.Subject == "" || !id.Expires.Equal(f.now.Add(time.Hour).Truncate(time.Second)) {
		t.Fatalf("a good token: %+v, %v", id, err)
	}

	other := accesstest.NewTeam(t, "acme", accesstest.AUD) // a key the team does not publish, under a kid it does
	other.Kid = f.team.Kid
	for _, c := range []struct {
		name  string
		token string
		want  error
	}{
		{"expired", f.team.Sign(with(good, "exp", f.now.Add(-time.Minute).Unix())), access.ErrExpired},
		{"not valid yet", f.team.Sign(with(good, "nbf", f.now.Add(5*time.Minute).Unix())), access.ErrExpired},
		{"no expiry", f.team.Sign(with(good, "exp", nil)), access.ErrExpired},
		{"another application", f.team.Sign(with(good, "aud", []string{"another-application-aud-0123456789"})), access.ErrAudience},
		{"another team", f.team.Sign(with(good, "iss", "https://evil.cloudflareaccess.com")), access.ErrIssuer},
		{"no email", f.team.Sign(with(good, "email", nil)), access.ErrNoEmail},
		{"wrong signature", other.Sign(good), access.ErrSignature},
		{"tampered", tamper(f.team.Sign(good)), access.ErrSignature},
		{"HS256", f.team.SignAs("HS256", good), access.ErrMalformed},
		{"none", f.team.SignAs("none", good), access.ErrMalformed},
		{"not a JWT", "abc.def", access.ErrMalformed},
		{"empty", "", access.ErrMissing},
	} {
		if _, err := f.v.Verify(t.Context(), c.token); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// Within the leeway of 30 s a token just expired still passes: the
	// clocks of Access and the Worker may differ a little.
	if _, err := f.v.Verify(t.Context(), f.team.Sign(with(good, "exp", f.now.Add(-10*time.Second).Unix()))); err != nil {
		t.Errorf("a token expired 10 s ago: %v", err)
	}
	// aud as one string, as well as a list.
	if _, err := f.v.Verify(t.Context(), f.team.Sign(with(good, "aud", accesstest.AUD))); err != nil {
		t.Errorf("aud as a string: %v", err)
	}
	if n := f.fetches.Load(); n != 1 {
		t.Errorf("the keys were fetched %d times, want once: they are kept", n)
	}
}

// When Access rotates its keys, a token signed with the new one makes the
// verifier fetch the keys again at once; a token of a kid the team does
// not publish fetches them at most every 5 s; kept keys are fetched
// again after an hour.
func TestKeyRotation(t *testing.T) {
	f := newFixture(t)
	if _, err := f.v.Verify(t.Context(), f.team.Sign(f.team.Claims("ana@acme.example", f.now))); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(10 * time.Second)
	old := f.team.Rotate(t)
	if _, err := f.v.Verify(t.Context(), f.team.Sign(f.team.Claims("ana@acme.example", f.now))); err != nil {
		t.Fatalf("a token of the new key: %v", err)
	}
	if n := f.fetches.Load(); n != 2 {
		t.Errorf("%d fetches, want 2: an unknown kid fetches the keys again", n)
	}
	// The old key, still published, still verifies.
	if _, err := f.v.Verify(t.Context(), old.Sign(old.Claims("ana@acme.example", f.now))); err != nil {
		t.Errorf("a token of the old key, still published: %v", err)
	}
	// Unknown kids fetch again at most every 5 s.
	stranger := accesstest.NewTeam(t, "acme", accesstest.AUD)
	for range 3 {
		if _, err := f.v.Verify(t.Context(), stranger.Sign(stranger.Claims("eve@acme.example", f.now))); !errors.Is(err, access.ErrUnknown) {
			t.Errorf("an unknown kid: %v, want %v", err, access.ErrUnknown)
		}
	}
	if n := f.fetches.Load(); n != 2 {
		t.Errorf("%d fetches after unknown kids within 5 s of the last fetch, want 2", n)
	}
	f.now = f.now.Add(6 * time.Second)
	f.v.Verify(t.Context(), stranger.Sign(stranger.Claims("eve@acme.example", f.now)))
	if n := f.fetches.Load(); n != 3 {
		t.Errorf("%d fetches after an unknown kid 6 s on, want 3", n)
	}
	// An hour on, a known kid fetches the keys again.
	f.now = f.now.Add(time.Hour)
	if _, err := f.v.Verify(t.Context(), f.team.Sign(f.team.Claims("ana@acme.example", f.now))); err != nil {
		t.Fatal(err)
	}
	if n := f.fetches.Load(); n != 4 {
		t.Errorf("%d fetches an hour on, want 4", n)
	}
}

// Keys that cannot be fetched refuse every token, with an error that is
// not one of the token's; the keys kept serve while a fetch fails.
func TestKeysUnavailable(t *testing.T) {
	f := newFixture(t)
	f.team.Fail(true)
	_, err := f.v.Verify(t.Context(), f.team.Sign(f.team.Claims("ana@acme.example", f.now)))
	if err == nil || !strings.Contains(err.Error(), "fetching the Access team's keys") {
		t.Errorf("keys unavailable: %v", err)
	}
	f.team.Fail(false)
	f.now = f.now.Add(time.Minute)
	if _, err := f.v.Verify(t.Context(), f.team.Sign(f.team.Claims("ana@acme.example", f.now))); err != nil {
		t.Fatal(err)
	}
	f.team.Fail(true)
	f.now = f.now.Add(2 * time.Hour)
	if _, err := f.v.Verify(t.Context(), f.team.Sign(f.team.Claims("ana@acme.example", f.now))); err != nil {
		t.Errorf("a known key while the fetch fails: %v", err)
	}
}

// Only a team name, an application's audience tag and a loopback certs
// URL are taken.
func TestNew(t *testing.T) {
	ok := access.Config{Team: "acme", AUD: accesstest.AUD, Client: http.DefaultClient}
	for _, team := range []string{"acme", "acme.cloudflareaccess.com", "https://acme.cloudflareaccess.com/"} {
		c := ok
		c.Team = team
		v, err := access.New(c)
		if err != nil || v.Issuer() != "https://acme.cloudflareaccess.com" {
			t.Errorf("team %q: %v", team, err)
		}
	}
	for _, c := range []access.Config{
		{Team: "", AUD: accesstest.AUD, Client: http.DefaultClient},
		{Team: "acme/evil", AUD: accesstest.AUD, Client: http.DefaultClient},
		{Team: "acme", AUD: "short", Client: http.DefaultClient},
		{Team: "acme", AUD: accesstest.AUD},
		{Team: "acme", AUD: accesstest.AUD, Client: http.DefaultClient, CertsURL: "https://certs.example/keys"},
		{Team: "acme", AUD: accesstest.AUD, Client: http.DefaultClient, CertsURL: "http://10.0.0.1/keys"},
		{Team: "acme", AUD: accesstest.AUD, Client: http.DefaultClient, CertsURL: "file:///etc/keys"},
	} {
		if _, err := access.New(c); err == nil {
			t.Errorf("%+v was taken", c)
		}
	}
	for _, u := range []string{"http://127.0.0.1:8080/certs", "http://[::1]:9/x", "https://localhost/certs", "http://127.0.0.2/"} {
		if !access.Loopback(u) {
			t.Errorf("%s is loopback", u)
		}
	}
}

// with returns claims with one claim set (nil: removed).
func with(claims map[string]any, name string, v any) map[string]any {
	out := map[string]any{}
	for k, x := range claims {
		out[k] = x
	}
	if v == nil {
		delete(out, name)
	} else {
		out[name] = v
	}
	return out
}

// tamper changes the email in a token's claims, keeping its signature.
func tamper(token string) string {
	parts := strings.Split(token, ".")
	claims := accesstest.Decode(parts[1])
	claims["email"] = "eve@acme.example"
	return parts[0] + "." + accesstest.Encode(claims) + "." + parts[2]
}
