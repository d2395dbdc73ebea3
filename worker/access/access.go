// Package access checks who Cloudflare Access let through: the JSON Web
// Token that Access adds to every request it lets reach the Worker (the
// Cf-Access-Jwt-Assertion header, or the CF_Authorization cookie), signed
// with RS256 by the team's keys, which Access publishes at
// https://<team>.cloudflareaccess.com/cdn-cgi/access/certs. A Verifier
// keeps those keys for an hour and fetches them again when a token names
// a key it does not know (Access rotates them), at most every few
// seconds.
//
// The signature is checked with crypto/rsa, natively and in the edge
// worker alike: the worker links most of it already (for crypto/x509),
// and what checking adds is 3 KB gzipped.
package access

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Header and Cookie carry the token Access adds to a request.
const (
	Header = "Cf-Access-Jwt-Assertion"
	Cookie = "CF_Authorization"
)

// Doer sends an HTTP request: natively an *http.Client, at the edge the
// Workers runtime's fetch().
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Config is what a Verifier checks tokens against.
type Config struct {
	// Team is the Access team, "acme" for https://acme.cloudflareaccess.com
	// (the team's domain or URL may be given too).
	Team string
	// AUD is the Access application's audience tag: a token for another
	// application of the team is refused.
	AUD string
	// CertsURL is where the team's keys are fetched from; "" is the
	// team's own certs endpoint. For tests only, it may name another
	// server, on a loopback address.
	CertsURL string
	Client   Doer
	Now      func() time.Time // nil: time.Now
}

// Reasons a token is refused. A token that cannot be checked because the
// keys cannot be fetched is refused with another error.
var (
	ErrMissing   = errors.New("no Access token")
	ErrMalformed = errors.New("not a token Access signs (RS256 JWT)")
	ErrUnknown   = errors.New("signed with a key the team does not publish")
	ErrSignature = errors.New("its signature does not verify")
	ErrExpired   = errors.New("expired, or not valid yet")
	ErrAudience  = errors.New("for another Access application (aud)")
	ErrIssuer    = errors.New("issued by another Access team (iss)")
	ErrNoEmail   = errors.New("names no email (a service token?)")
)

// Refused reports whether err is a fault of the token itself (one of the
// reasons above), not a failure to check it.
func Refused(err error) bool {
	for _, e := range []error{ErrMissing, ErrMalformed, ErrUnknown, ErrSignature, ErrExpired, ErrAudience, ErrIssuer, ErrNoEmail} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Identity is who a token says passed Access.
type Identity struct {
	Email   string // as Access gives it, not case-folded
	Subject string // the user's id in Access
	Expires time.Time
}

// How long keys are kept, how soon a token with an unknown key may
// fetch them again, and how much clocks may disagree.
const (
	keysTTL    = time.Hour
	minRefetch = 5 * time.Second
	leeway     = 30 * time.Second
)

// Verifier checks tokens of one Access application. Its keys are shared
// by the requests it serves; it is safe for concurrent use.
type Verifier struct {
	c      Config
	issuer string

	mu      sync.Mutex
	keys    map[string]*rsa.PublicKey // by kid
	fetched time.Time                 // when keys were fetched
	tried   time.Time                 // when they were last asked for
	failed  error                     // why the last fetch failed
}

// New checks a configuration and returns its Verifier.
func New(c Config) (*Verifier, error) {
	team := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(c.Team, "/"), "https://"), ".cloudflareaccess.com")
	if team == "" || strings.Trim(team, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return nil, errors.New("the Access team " + quote(c.Team) + " is not a team name such as acme (for acme.cloudflareaccess.com)")
	}
	if len(c.AUD) < 16 || strings.ContainsAny(c.AUD, " \t\r\n") {
		return nil, errors.New("the Access audience tag " + quote(c.AUD) + " is not an application's AUD (Access → Applications → Overview)")
	}
	if c.Client == nil {
		return nil, errors.New("no HTTP client to fetch the Access team's keys with")
	}
	v := &Verifier{c: c, issuer: "https://" + team + ".cloudflareaccess.com"}
	if c.CertsURL == "" {
		v.c.CertsURL = v.issuer + "/cdn-cgi/access/certs"
	} else if !Loopback(c.CertsURL) {
		return nil, errors.New("the Access certs URL " + quote(c.CertsURL) + " is not on a loopback address: only tests set it")
	}
	if v.c.Now == nil {
		v.c.Now = time.Now
	}
	return v, nil
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

// Loopback reports whether u is an http or https URL of a loopback
// address (127.0.0.0/8, ::1, localhost).
func Loopback(u string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "http" && p.Scheme != "https" {
		return false
	}
	host := p.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Issuer is the iss of the team's tokens.
func (v *Verifier) Issuer() string { return v.issuer }

// Token returns the token Access added to a request: its header, else
// its cookie; "" if neither.
func Token(r *http.Request) string {
	if t := r.Header.Get(Header); t != "" {
		return t
	}
	if c, err := r.Cookie(Cookie); err == nil {
		return c.Value
	}
	return ""
}

// Verify checks a token: RS256, signed by a key the team publishes, for
// the application (aud), by the team (iss), within its time (exp, nbf),
// naming an email.
func (v *Verifier) Verify(ctx context.Context, token string) (Identity, error) {
	if token == "" {
		return Identity{}, ErrMissing
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Identity{}, ErrMalformed
	}
	var head struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	var claims struct {
		Iss   string   `json:"iss"`
		Aud   audience `json:"aud"`
		Exp   *float64 `json:"exp"`
		Nbf   *float64 `json:"nbf"`
		Email string   `json:"email"`
		Sub   string   `json:"sub"`
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || decode(parts[0], &head) != nil || decode(parts[1], &claims) != nil || head.Alg != "RS256" || head.Kid == "" {
		return Identity{}, ErrMalformed
	}
	key, err := v.key(ctx, head.Kid)
	if err != nil {
		return Identity{}, err
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig) != nil {
		return Identity{}, ErrSignature
	}
	now := v.c.Now()
	if claims.Exp == nil || !now.Before(unix(*claims.Exp).Add(leeway)) || claims.Nbf != nil && now.Add(leeway).Before(unix(*claims.Nbf)) {
		return Identity{}, ErrExpired
	}
	if claims.Iss != v.issuer {
		return Identity{}, ErrIssuer
	}
	if !claims.Aud.has(v.c.AUD) {
		return Identity{}, ErrAudience
	}
	if claims.Email == "" {
		return Identity{}, ErrNoEmail
	}
	return Identity{Email: claims.Email, Subject: claims.Sub, Expires: unix(*claims.Exp)}, nil
}

func unix(sec float64) time.Time { return time.UnixMilli(int64(sec * 1000)) }

// decode reads a part of a token: base64url of a JSON object.
func decode(part string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// audience is a token's aud: one string or several.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*a = audience{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(a))
}

func (a audience) has(s string) bool {
	for _, x := range a {
		if x == s {
			return true
		}
	}
	return false
}

// key returns the team's key kid: from the keys kept while they are
// fresh and know it, else from the keys fetched again (at most every
// minRefetch; keys kept past their time serve if the fetch fails).
func (v *Verifier) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.c.Now()
	k, known := v.keys[kid]
	fresh := v.keys != nil && now.Sub(v.fetched) < keysTTL
	if known && fresh {
		return k, nil
	}
	if !v.tried.IsZero() && now.Sub(v.tried) < minRefetch {
		switch {
		case known:
			return k, nil
		case v.keys == nil:
			return nil, v.failed
		}
		return nil, ErrUnknown
	}
	v.tried = now
	keys, err := v.fetch(ctx)
	if err != nil {
		v.failed = errors.New("fetching the Access team's keys: " + err.Error())
		if known {
			return k, nil
		}
		return nil, v.failed
	}
	v.keys, v.fetched = keys, now
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return nil, ErrUnknown
}

// fetch reads the team's keys (a JWK set) from its certs endpoint.
func (v *Verifier) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", v.c.CertsURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.c.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New(v.c.CertsURL + " answered " + resp.Status)
	}
	return ParseKeys(body)
}

// ParseKeys reads the RSA keys of a JWK set by their kid; keys of other
// types, and RSA keys shorter than 2048 bits, are left out.
func ParseKeys(jwks []byte) (map[string]*rsa.PublicKey, error) {
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
			Kty string `json:"kty"`
			N   string `json:"n"`
			E   string `json:"e"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(jwks, &set); err != nil {
		return nil, errors.New("the Access keys are not a JWK set: " + err.Error())
	}
	out := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Kid == "" {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			continue
		}
		key := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if key.N.BitLen() < 2048 || key.E < 3 {
			continue
		}
		out[k.Kid] = key
	}
	if len(out) == 0 {
		return nil, errors.New("the Access keys hold no RSA key of 2048 bits or more")
	}
	return out, nil
}
