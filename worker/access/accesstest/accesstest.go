// Package accesstest stands in for Cloudflare Access in tests: a team
// with its own RSA keys, which signs tokens as Access does and publishes
// its keys as Access's certs endpoint does, from a server on loopback.
package accesstest

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// AUD is the audience tag of the application the tests put behind Access.
const AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2"

// Team is an Access team: it signs tokens with its key (Kid) and
// publishes that key and those it rotated away from.
type Team struct {
	Name string
	AUD  string
	Kid  string
	key  *rsa.PrivateKey

	mu        *sync.Mutex
	published *[]*rsa.PrivateKey
	kids      *[]string
	fail      *bool
}

var serial struct {
	sync.Mutex
	n int
}

// NewTeam makes a team with a new key of 2048 bits.
func NewTeam(tb testing.TB, name, aud string) *Team {
	tb.Helper()
	t := &Team{Name: name, AUD: aud, mu: &sync.Mutex{}, published: &[]*rsa.PrivateKey{}, kids: &[]string{}, fail: new(bool)}
	t.newKey(tb)
	return t
}

func (t *Team) newKey(tb testing.TB) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	serial.Lock()
	serial.n++
	t.Kid = "test-key-" + strconv.Itoa(serial.n)
	serial.Unlock()
	t.key = key
	t.mu.Lock()
	*t.published = append(*t.published, key)
	*t.kids = append(*t.kids, t.Kid)
	t.mu.Unlock()
}

// Rotate gives the team a new key, which it publishes beside the old
// ones, and returns the team as it was, to sign with the old key.
func (t *Team) Rotate(tb testing.TB) *Team {
	tb.Helper()
	old := *t
	t.newKey(tb)
	return &old
}

// Fail makes the certs endpoint answer 503 (true) or the keys (false).
func (t *Team) Fail(fail bool) {
	t.mu.Lock()
	*t.fail = fail
	t.mu.Unlock()
}

// ServeHTTP answers as the team's certs endpoint: its keys as a JWK set.
func (t *Team) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if *t.fail {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	var keys []map[string]string
	for i, k := range *t.published {
		keys = append(keys, map[string]string{"kid": (*t.kids)[i], "kty": "RSA", "alg": "RS256", "use": "sig",
			"e": Encode64(big.NewInt(int64(k.E)).Bytes()), "n": Encode64(k.N.Bytes())})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"keys": keys})
}

// Serve publishes the team's keys from a server on 127.0.0.1 until the
// test ends, and returns the URL of its certs endpoint.
func (t *Team) Serve(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: t}}
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv.URL + "/cdn-cgi/access/certs"
}

// Issuer is the team's iss.
func (t *Team) Issuer() string { return "https://" + t.Name + ".cloudflareaccess.com" }

// Claims are the claims of a token Access issues at now, for an hour, to
// the person with email.
func (t *Team) Claims(email string, now time.Time) map[string]any {
	return map[string]any{
		"aud": []string{t.AUD}, "email": email, "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "nbf": now.Unix(),
		"iss": t.Issuer(), "type": "app", "identity_nonce": "6ei69kawdKzMIAPF", "sub": "7335d417-61da-459d-899c-0a01c76a2f94",
		"country": "DE",
	}
}

// Sign signs claims with the team's key, as Access does (RS256).
func (t *Team) Sign(claims map[string]any) string { return t.SignAs("RS256", claims) }

// SignAs makes a token of claims whose header names alg: RS256 is
// signed with the team's key, HS256 with its kid as the secret, and
// anything else not at all.
func (t *Team) SignAs(alg string, claims map[string]any) string {
	head := Encode(map[string]any{"alg": alg, "kid": t.Kid, "typ": "JWT"})
	signed := head + "." + Encode(claims)
	var sig []byte
	switch alg {
	case "RS256":
		h := sha256.Sum256([]byte(signed))
		sig, _ = rsa.SignPKCS1v15(rand.Reader, t.key, crypto.SHA256, h[:])
	case "HS256":
		m := hmac.New(sha256.New, []byte(t.Kid))
		m.Write([]byte(signed))
		sig = m.Sum(nil)
	}
	return signed + "." + Encode64(sig)
}

// Encode writes v as a part of a token: base64url of its JSON.
func Encode(v any) string {
	b, _ := json.Marshal(v)
	return Encode64(b)
}

// Encode64 is unpadded base64url.
func Encode64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// Decode reads a part of a token.
func Decode(part string) map[string]any {
	b, _ := base64.RawURLEncoding.DecodeString(part)
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}
