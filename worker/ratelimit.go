package worker

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/winnowhq/winnow/worker/store"
)

// limited counts one request against key in the current fixed window and
// reports whether it is over limit, and when the window ends. The count
// lives in the database, so it holds across the edge's instances and
// across restarts.
func (h *Handler) limited(ctx context.Context, key string, limit int, now time.Time) (time.Duration, bool, error) {
	if limit < 0 {
		return 0, false, nil
	}
	bucket, retry := h.window(now)
	n, err := h.store.CountNow(ctx, h.hashKey(key), bucket)
	if err != nil {
		return 0, false, err
	}
	return retry, n > limit, nil
}

// exhausted reports whether key has used up its limit in the current
// window, without counting a request, and when the window ends.
func (h *Handler) exhausted(ctx context.Context, key string, limit int, now time.Time) (time.Duration, bool, error) {
	if limit < 0 {
		return 0, false, nil
	}
	bucket, retry := h.window(now)
	n, err := h.store.Count(ctx, h.hashKey(key), bucket)
	if err != nil {
		return 0, false, err
	}
	return retry, n >= limit, nil
}

// limitGuard is the rate limits of a submission as a condition of the
// statement that stores it (" AND" ..., with its arguments): the
// address's requests in the window (the request itself counted first, in
// the same transaction) at most Limits.PerIP, and the person's stored
// submissions in the window fewer than Limits.PerEmail.
type limitGuard struct {
	guard string
	args  []any
}

func (h *Handler) submissionLimits(ipKey, person string, bucket int64) limitGuard {
	var g limitGuard
	if h.c.Limits.PerIP >= 0 {
		c, a := store.CountBelow(ipKey, bucket, h.c.Limits.PerIP)
		g.guard += " AND " + c
		g.args = append(g.args, a...)
	}
	if person != "" && h.c.Limits.PerEmail >= 0 {
		c, a := store.SubmissionsBelow(person, bucket*h.c.Limits.Window.Milliseconds(), h.c.Limits.PerEmail)
		g.guard += " AND " + c
		g.args = append(g.args, a...)
	}
	return g
}

// overLimits says which limit a submission that was not stored is over,
// if any: "" when neither is (another write came first).
func (h *Handler) overLimits(ctx context.Context, ipKey, person string, bucket int64) (string, error) {
	if h.c.Limits.PerIP >= 0 {
		n, err := h.store.Count(ctx, ipKey, bucket)
		if err != nil {
			return "", err
		}
		if n > h.c.Limits.PerIP {
			return "too many submissions from your network", nil
		}
	}
	if person != "" && h.c.Limits.PerEmail >= 0 {
		n, err := h.store.Submissions(ctx, person, bucket*h.c.Limits.Window.Milliseconds())
		if err != nil {
			return "", err
		}
		if n >= h.c.Limits.PerEmail {
			return "too many submissions for this email address", nil
		}
	}
	return "", nil
}

// window returns the fixed window now is in and the time left in it.
func (h *Handler) window(now time.Time) (int64, time.Duration) {
	win := h.c.Limits.Window
	bucket := now.UnixMilli() / win.Milliseconds()
	return bucket, time.Duration((bucket+1)*win.Milliseconds()-now.UnixMilli()) * time.Millisecond
}

// hashKey keys a digest of an IP address or email with the secret, so
// that the rate-limit table holds no personal data.
func (h *Handler) hashKey(s string) string {
	m := hmac.New(sha256.New, []byte(h.c.Secret))
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// attempt tries a credential that check says is right or wrong, counting
// wrong ones against key: once Limits.LoginFailures of them are used up in
// a window, every attempt, right or wrong, is refused unchecked until the
// window ends, which retry then says (it is zero otherwise). The count
// lives in the database, so guesses spread over the edge's instances add
// up.
func (h *Handler) attempt(ctx context.Context, key string, check func() bool) (right bool, retry time.Duration, err error) {
	now := h.now()
	wait, over, err := h.exhausted(ctx, key, h.c.Limits.LoginFailures, now)
	if err != nil {
		return false, 0, err
	}
	if over {
		return false, wait, nil
	}
	if check() {
		return true, 0, nil
	}
	_, _, err = h.limited(ctx, key, h.c.Limits.LoginFailures, now)
	return false, 0, err
}

// client names who a rate limit counts a request against: an IPv4
// address, or the /64 network of an IPv6 one, since one subscriber
// usually holds a whole /64.
func (h *Handler) client(r *http.Request) string {
	ip := h.clientIP(r)
	if !ip.IsValid() {
		return r.RemoteAddr
	}
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// clientIP is the address the request came from: the one IPHeader holds
// when set (at the edge); else the connection's, unless it is a trusted
// proxy: then the rightmost address of X-Forwarded-For that is not a
// trusted proxy itself, since what lies left of it the client may have
// written. An IPv4-mapped IPv6 address is given as IPv4; the zero Addr
// means no address can be read.
func (h *Handler) clientIP(r *http.Request) netip.Addr {
	if h.c.IPHeader != "" {
		if ip, ok := parseAddr(r.Header.Get(h.c.IPHeader)); ok {
			return ip
		}
	}
	ip, ok := parseAddr(r.RemoteAddr)
	if !ok || len(h.c.TrustedProxies) == 0 {
		return ip
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0 && h.trusted(ip); i-- {
		hop, ok := parseAddr(hops[i])
		if !ok {
			break // not an address: the proxy that passed it on is the client
		}
		ip = hop
	}
	return ip
}

// trusted reports whether ip is one of the trusted proxies.
func (h *Handler) trusted(ip netip.Addr) bool {
	for _, p := range h.c.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// parseAddr reads an address, with or without a port.
func parseAddr(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ip, err := netip.ParseAddr(s); err == nil {
		return ip.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}
