package worker

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/winnowhq/winnow/templates"
	"github.com/winnowhq/winnow/worker/store"
)

// The admin dashboard's session: the cookie holds a random id of 256 bits
// and nothing else; the sessions table holds the id's hash, keyed with a
// key derived from the admin token and the secret, so that changing either
// ends every session, and the account the session is of ("" for the
// admin token's). A session is valid while its row is there, not revoked
// and not expired, and its account may log in: logging out revokes it,
// so that a kept or copied cookie opens nothing, and so do disabling its
// account, changing the account's role, and an admin's revoking it. The
// forms of a session carry a CSRF token derived from its id.
const (
	sessionCookie = "winnow_admin"
	sessionTTL    = 12 * time.Hour
	sessionPath   = "/admin"
	sessionIDLen  = 43 // 32 random bytes in unpadded base64url
)

// How a session logged in: the sessions table's method.
const (
	byToken    = "token"    // the admin token
	byPassword = "password" // an account's email and password
	byLink     = "link"     // a login link an admin made
	byAccess   = "access"   // Cloudflare Access vouched for the account's email
)

// tokenActor is who the timeline names for what a session of the admin
// token did: the token is nobody's, so the break-glass admin.
const tokenActor = "admin"

// signedIn is a request's open session: whose it is and its id.
type signedIn struct {
	id string // the cookie's value
	store.Session
}

// token reports whether the session is the admin token's.
func (s signedIn) token() bool { return s.Account.ID == "" }

// actor names who acted in this session, as the lead's timeline records
// it: the account's email, or tokenActor.
func (s signedIn) actor() string {
	if s.token() {
		return tokenActor
	}
	return s.Account.Email
}

// role is what the session may do: its account's role; the admin
// token's sessions are admins'.
func (s signedIn) role() string {
	if s.token() {
		return templates.RoleAdmin
	}
	return s.Account.Role
}

// sessionMAC signs value for one purpose ("session", "csrf") with the
// session key.
func (h *Handler) sessionMAC(purpose, value string) string {
	k := hmac.New(sha256.New, []byte(h.c.Secret))
	k.Write([]byte("winnow admin session\x00"))
	k.Write([]byte(h.c.AdminToken))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// newSession stores a session of account ("" the admin token's) that
// logged in by method, valid from now for sessionTTL, and returns it.
func (h *Handler) newSession(ctx context.Context, account store.Account, method string, now time.Time) (signedIn, error) {
	var b [32]byte
	rand.Read(b[:])
	id := base64.RawURLEncoding.EncodeToString(b[:])
	s := signedIn{id: id, Session: store.Session{IDHash: h.sessionMAC("session", id), Account: account, Method: method,
		CreatedAt: now.UnixMilli(), ExpiresAt: now.Add(sessionTTL).UnixMilli()}}
	return s, h.store.NewSession(ctx, s.IDHash, account.ID, method, s.CreatedAt, s.ExpiresAt)
}

// session returns the request's session if its cookie names one that is
// open.
func (h *Handler) session(r *http.Request) (signedIn, bool, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || len(c.Value) != sessionIDLen {
		return signedIn{}, false, nil
	}
	s, err := h.store.Session(r.Context(), h.sessionMAC("session", c.Value), h.now().UnixMilli())
	if errors.Is(err, store.ErrNotFound) {
		return signedIn{}, false, nil
	}
	if err != nil {
		return signedIn{}, false, err
	}
	return signedIn{id: c.Value, Session: s}, true, nil
}

// endSession revokes the session id.
func (h *Handler) endSession(ctx context.Context, id string) error {
	_, err := h.store.RevokeSession(ctx, h.sessionMAC("session", id), "-", h.now().UnixMilli())
	return err
}

// csrfToken is the token the forms of a session post.
func (h *Handler) csrfToken(session string) string {
	return h.sessionMAC("csrf", session)
}

// validCSRF reports whether got is the session's CSRF token.
func (h *Handler) validCSRF(session, got string) bool {
	return got != "" && hmac.Equal([]byte(got), []byte(h.csrfToken(session)))
}

// setSession sets the session cookie, or clears it when value is "".
func setSession(w http.ResponseWriter, r *http.Request, value string) {
	c := &http.Cookie{Name: sessionCookie, Value: value, Path: sessionPath, MaxAge: int(sessionTTL / time.Second),
		HttpOnly: true, Secure: secureRequest(r), SameSite: http.SameSiteStrictMode}
	if value == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// secureRequest reports whether the browser reached the server over
// HTTPS: directly, at the edge (the request's URL is the one the browser
// asked for), or through a proxy that says so.
func secureRequest(r *http.Request) bool {
	return r.TLS != nil || r.URL.Scheme == "https" || r.Header.Get("X-Forwarded-Proto") == "https"
}

// whoKey is the context key of the request's signedIn, which the
// dashboard's guards put there.
type whoKey struct{}

// withWho returns r carrying its session.
func withWho(r *http.Request, s signedIn) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), whoKey{}, s))
}

// whoOf returns the session the dashboard's guards found for r.
func whoOf(r *http.Request) (signedIn, bool) {
	s, ok := r.Context().Value(whoKey{}).(signedIn)
	return s, ok
}
