package worker

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The admin dashboard's session: a cookie that holds no secret, only an
// expiry and a random nonce signed with a key derived from the admin token
// and the secret, so that changing either ends every session. The forms
// of a session carry a CSRF token derived from its cookie.
const (
	sessionCookie = "winnow_admin"
	sessionTTL    = 12 * time.Hour
	sessionPath   = "/admin"
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

// newSession returns the value of a session cookie that is valid from now
// for sessionTTL: "<expiry in Unix seconds>.<nonce>.<signature>".
func (h *Handler) newSession(now time.Time) string {
	var nonce [12]byte
	rand.Read(nonce[:])
	payload := strconv.FormatInt(now.Add(sessionTTL).Unix(), 10) + "." + base64.RawURLEncoding.EncodeToString(nonce[:])
	return payload + "." + h.sessionMAC("session", payload)
}

// session returns the request's session cookie if it is signed with the
// current key and has not expired.
func (h *Handler) session(r *http.Request) (string, bool) {
	if h.c.AdminToken == "" {
		return "", false
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	payload, sig, ok := cutLast(c.Value, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(h.sessionMAC("session", payload))) {
		return "", false
	}
	exp, _, _ := strings.Cut(payload, ".")
	until, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || h.now().Unix() >= until {
		return "", false
	}
	return c.Value, true
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

// cutLast slices s around the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}
