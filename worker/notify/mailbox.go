package notify

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Mailbox stands in for Resend's API where mail is not to be sent: the
// tests, and winnow dev without an API key. It takes POST …/emails as
// Resend does: the key as Authorization: Bearer, a JSON body with from,
// to, subject and text or html; an Idempotency-Key (at most 256
// characters) seen in the last 24 hours with the same body is answered as
// the first time and sends nothing, with another body it is refused (409).
// It keeps the emails it took, lists them on GET (a page to read them in
// a browser), and tells OnSend of each.
type Mailbox struct {
	Key string // the API key it takes; "" takes none
	// OnSend, if set, is told of each email taken (not of a replay).
	OnSend func(Mail)
	Now    func() time.Time // nil: time.Now

	mu    sync.Mutex
	mails []Mail
	keys  map[string]replay
	calls int
}

// Mail is an email the Mailbox took.
type Mail struct {
	ID          string
	Idempotency string // the request's Idempotency-Key, "" for none
	At          time.Time
	Email
}

type replay struct {
	body   []byte
	answer []byte
	at     time.Time
}

// idempotencyWindow is how long Resend keeps an Idempotency-Key.
const idempotencyWindow = 24 * time.Hour

func (m *Mailbox) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// ServeHTTP takes an email (POST) or lists those taken (GET).
func (m *Mailbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		m.list(w)
		return
	}
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/emails") {
		resendError(w, http.StatusNotFound, "not_found", "the stand-in of Resend takes POST /emails only")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		resendError(w, http.StatusBadRequest, "validation_error", "the body could not be read")
		return
	}
	tok, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch {
	case !bearer || tok == "":
		resendError(w, http.StatusUnauthorized, "missing_api_key", "Missing API key in the authorization header")
		return
	case m.Key != "" && tok != m.Key:
		resendError(w, http.StatusForbidden, "invalid_api_key", "API key is invalid")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		resendError(w, http.StatusBadRequest, "validation_error", "the body must be JSON (Content-Type: application/json)")
		return
	}
	var e Email
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&e); err != nil {
		resendError(w, http.StatusUnprocessableEntity, "validation_error", "the body is not the JSON of an email: "+err.Error())
		return
	}
	switch {
	case !strings.Contains(e.From, "@"):
		resendError(w, http.StatusUnprocessableEntity, "validation_error", "Invalid `from` field")
		return
	case len(e.To) == 0 || len(e.To) > 50:
		resendError(w, http.StatusUnprocessableEntity, "validation_error", "`to` must hold 1 to 50 addresses")
		return
	case e.Subject == "":
		resendError(w, http.StatusUnprocessableEntity, "missing_required_field", "Missing `subject` field")
		return
	case e.Text == "" && e.HTML == "":
		resendError(w, http.StatusUnprocessableEntity, "missing_required_field", "Missing `html` or `text` field")
		return
	}
	for _, to := range e.To {
		if !strings.Contains(to, "@") {
			resendError(w, http.StatusUnprocessableEntity, "validation_error", "Invalid `to` field: "+strconv.Quote(to))
			return
		}
	}
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 256 {
		resendError(w, http.StatusBadRequest, "invalid_idempotency_key", "The key must be between 1-256 chars")
		return
	}
	m.mu.Lock()
	m.calls++
	now := m.now()
	if key != "" {
		if m.keys == nil {
			m.keys = map[string]replay{}
		}
		if p, ok := m.keys[key]; ok && now.Sub(p.at) < idempotencyWindow {
			m.mu.Unlock()
			if !bytes.Equal(p.body, body) {
				resendError(w, http.StatusConflict, "invalid_idempotent_request",
					"Same idempotency key used with a different request payload. Change your idempotency key or payload.")
				return
			}
			writeJSON(w, http.StatusOK, p.answer)
			return
		}
	}
	var id [16]byte
	rand.Read(id[:])
	mail := Mail{ID: hex.EncodeToString(id[:]), Idempotency: key, At: now, Email: e}
	answer, _ := json.Marshal(map[string]string{"id": mail.ID})
	if key != "" {
		m.keys[key] = replay{body: body, answer: answer, at: now}
	}
	m.mails = append(m.mails, mail)
	onSend := m.OnSend
	m.mu.Unlock()
	if onSend != nil {
		onSend(mail)
	}
	writeJSON(w, http.StatusOK, answer)
}

// Mails returns the emails taken, in order.
func (m *Mailbox) Mails() []Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Mail(nil), m.mails...)
}

// Calls counts the requests to send that were authorised and well
// formed, replays included.
func (m *Mailbox) Calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls
}

// list writes the emails taken as a page, newest first.
func (m *Mailbox) list(w http.ResponseWriter) {
	mails := m.Mails()
	var b strings.Builder
	b.WriteString("<!doctype html><html lang=en><meta charset=utf-8><title>Mail not sent</title><body style=\"font-family:system-ui,sans-serif\">")
	b.WriteString("<h1>Mail not sent</h1><p>Without WINNOW_EMAIL_API_KEY, the alerts' emails stop here. " + strconv.Itoa(len(mails)) + " so far.</p>")
	for i := len(mails) - 1; i >= 0; i-- {
		e := mails[i]
		b.WriteString("<article style=\"border-top:1px solid #ccc;margin-top:1em\"><h2 style=\"font-size:1em\">" + html.EscapeString(e.Subject) + "</h2>")
		b.WriteString("<p><small>" + html.EscapeString(e.At.Format(time.RFC3339)+" · from "+e.From+" to "+strings.Join(e.To, ", ")) + "</small></p>")
		b.WriteString("<pre style=\"white-space:pre-wrap\">" + html.EscapeString(e.Text) + "</pre></article>")
	}
	b.WriteString("</body></html>")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, b.String())
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// resendError answers as Resend's API does when it refuses a request.
func resendError(w http.ResponseWriter, status int, name, msg string) {
	b, _ := json.Marshal(map[string]any{"statusCode": status, "name": name, "message": msg})
	writeJSON(w, status, b)
}
