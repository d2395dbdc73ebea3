package worker

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"time"
)

// limited counts one request against key in the current fixed window and
// reports whether it is over limit, and when the window ends. The count
// lives in the database, so it holds across the edge's short-lived
// instances and across restarts.
func (h *Handler) limited(ctx context.Context, key string, limit int, now time.Time) (time.Duration, bool, error) {
	if limit < 0 {
		return 0, false, nil
	}
	bucket, retry := h.window(now)
	var n int
	err := h.c.DB.QueryRowContext(ctx, `INSERT INTO rate_limits (key, bucket, count) VALUES (?, ?, 1)
		ON CONFLICT (key, bucket) DO UPDATE SET count = count + 1 RETURNING count`, h.hashKey(key), bucket).Scan(&n)
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
	var n int
	err := h.c.DB.QueryRowContext(ctx, `SELECT coalesce(sum(count), 0) FROM rate_limits WHERE key = ? AND bucket = ?`,
		h.hashKey(key), bucket).Scan(&n)
	if err != nil {
		return 0, false, err
	}
	return retry, n >= limit, nil
}

// emailLimited reports whether the leads stored for email in the current
// window have reached the per-email limit, and when the window ends. It
// counts stored leads, not requests: duplicates of one submission sent at
// once (a double click, a retrying client) are one lead, and each of them
// gets its answer rather than a 429.
func (h *Handler) emailLimited(ctx context.Context, email string, now time.Time) (time.Duration, bool, error) {
	limit := h.c.Limits.PerEmail
	if limit < 0 {
		return 0, false, nil
	}
	bucket, retry := h.window(now)
	var n int
	err := h.c.DB.QueryRowContext(ctx, `SELECT count(*) FROM leads WHERE email_hash = ? AND created_at >= ?`,
		h.hashKey("email:"+email), bucket*h.c.Limits.Window.Milliseconds()).Scan(&n)
	if err != nil {
		return 0, false, err
	}
	return retry, n >= limit, nil
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

// clientIP is the address the request came from.
func (h *Handler) clientIP(r *http.Request) string {
	if h.c.IPHeader != "" {
		if ip := net.ParseIP(r.Header.Get(h.c.IPHeader)); ip != nil {
			return ip.String()
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
