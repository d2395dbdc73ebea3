package worker

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"
)

// The admin dashboard's session: the cookie holds a random id of 256 bits
// and nothing else; the sessions table holds the id's hash, keyed with a
// key derived from the admin token and the secret, so that changing either
// ends every session. A session is valid while its row is there, not
// revoked and not expired: logging out revokes it, so that a kept or
// copied cookie opens nothing. The forms of a session carry a CSRF token
// derived from its id.
const (
	sessionCookie = "winnow_admin"
	sessionTTL    = 12 * time.Hour
	sessionPath   = "/admin"
	sessionIDLen  = 43 // 32 random bytes in unpadded base64url
)

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

// newSession stores a session valid from now for sessionTTL and returns
// its id, the value of its cookie.
func (h *Handler) newSession(ctx context.Context, now time.Time) (string, error) {
	var b [32]byte
	rand.Read(b[:])
	id := base64.RawURLEncoding.EncodeToString(b[:])
	return id, h.store.NewSession(ctx, h.sessionMAC("session", id), now.UnixMilli(), now.Add(sessionTTL).UnixMilli())
}

// session returns the id of the request's session if its cookie names a
// stored session that is neither revoked nor expired.
func (h *Handler) session(r *http.Request) (id string, ok bool, err error) {
	if h.c.AdminToken == "" {
		return "", false, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || len(c.Value) != sessionIDLen {
		return "", false, nil
	}
	ok, err = h.store.SessionValid(r.Context(), h.sessionMAC("session", c.Value), h.now().UnixMilli())
	if !ok || err != nil {
		return "", false, err
	}
	return c.Value, true, nil
}

// endSession revokes the session id.
func (h *Handler) endSession(ctx context.Context, id string) error {
	return h.store.RevokeSession(ctx, h.sessionMAC("session", id), h.now().UnixMilli())
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
