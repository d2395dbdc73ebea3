package worker

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/report"
)

// submission is a parsed POST /api/leads.
type submission struct {
	input       qualify.Input
	key         string // the idempotency key
	clientModel string // the model version the browser used
	client      string // the browser's verdict, as it sent it (JSON), advisory
	form        bool   // a plain HTML form post: answer with a page
}

// submitJSON is the body the widget posts.
type submitJSON struct {
	Fields         map[string]json.RawMessage `json:"fields"`
	IdempotencyKey string                     `json:"idempotency_key"`
	Model          string                     `json:"model"`
	Verdict        json.RawMessage            `json:"verdict"`
}

// leadAnswer is what the visitor is told: the stage and the next step,
// and the score only if the model lets visitors see it.
type leadAnswer struct {
	ID     string   `json:"id"`
	Stage  string   `json:"stage"`
	Funnel string   `json:"funnel,omitempty"`
	Next   NextJSON `json:"next"`
	Model  string   `json:"model"`
	Score  *float64 `json:"score,omitempty"`
}

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// newID returns a random identifier: 26 characters of Crockford base32.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return idEncoding.EncodeToString(b[:])
}

// validKey reports whether an idempotency key is 8 to 128 characters of
// letters, digits, '-', '_', ':' and '.'.
func validKey(k string) bool {
	if len(k) < 8 || len(k) > 128 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == ':' || c == '.') {
			return false
		}
	}
	return true
}

// bodyHash is a digest of the answers, independent of their order, that
// tells a replay from another submission under the same key. It is keyed
// with the secret, so that nobody can find the answers by hashing likely
// ones.
func (h *Handler) bodyHash(in qualify.Input) string {
	m := hmac.New(sha256.New, []byte(h.c.Secret))
	io.WriteString(m, "answers\x00")
	for _, k := range sortedKeys(in) {
		io.WriteString(m, strconv.Quote(k)+"="+strconv.Quote(in[k])+"\n")
	}
	return hex.EncodeToString(m.Sum(nil))
}

// parseSubmission reads a form-encoded or JSON body. Its error answers
// say which part of the request is wrong; an answer to a question the
// model does not ask is one (422), an empty one included.
func (h *Handler) parseSubmission(w http.ResponseWriter, r *http.Request) (submission, *apiError, int) {
	r.Body = http.MaxBytesReader(w, r.Body, h.c.Limits.MaxBody)
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		mt = ""
	}
	var s submission
	var unknown []string
	switch mt {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return s, tooLargeOr(err, "body", "the form body cannot be read: "+err.Error()), statusOf(err)
		}
		s.form = true
		s.input = qualify.Input{}
		for k, vs := range r.PostForm {
			switch k {
			case "idempotency_key":
				s.key = vs[0]
			case "model":
				s.clientModel = vs[0]
			default:
				if h.c.Model.FieldIndex(k) < 0 {
					unknown = append(unknown, k)
				}
				s.input[k] = vs[0]
			}
		}
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return s, tooLargeOr(err, "body", "the body cannot be read"), statusOf(err)
		}
		if !utf8.Valid(body) {
			return s, &apiError{Code: "bad_request", Message: "the body is not valid UTF-8",
				Errors: []fieldError{{"body", "text", "the body is not valid UTF-8"}}}, http.StatusBadRequest
		}
		var in submitJSON
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return s, jsonError(err), http.StatusBadRequest
		}
		if dec.More() {
			return s, &apiError{Code: "bad_request", Message: "the body holds more than one JSON value",
				Errors: []fieldError{{"body", "json", "the body holds more than one JSON value"}}}, http.StatusBadRequest
		}
		s.key, s.clientModel = in.IdempotencyKey, in.Model
		s.input = qualify.Input{}
		for k, raw := range in.Fields {
			v, ok := answer(raw)
			if !ok {
				msg := "an answer must be a string, a number, true or false"
				return s, &apiError{Code: "bad_request", Message: msg,
					Errors: []fieldError{{"fields." + k, "json", msg}}}, http.StatusBadRequest
			}
			if h.c.Model.FieldIndex(k) < 0 {
				unknown = append(unknown, k)
			}
			if v != "" {
				s.input[k] = v
			}
		}
		if len(in.Verdict) > 0 && string(in.Verdict) != "null" {
			s.client = string(in.Verdict)
		}
	default:
		return s, &apiError{Code: "unsupported_media_type",
			Message: "send application/x-www-form-urlencoded (the HTML form) or application/json (the widget)"}, http.StatusUnsupportedMediaType
	}
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		if s.key != "" && s.key != k {
			return s, &apiError{Code: "bad_request", Message: "the Idempotency-Key header and the body's idempotency_key differ",
				Errors: []fieldError{{"idempotency_key", "mismatch", "the header and the body name different keys"}}}, http.StatusBadRequest
		}
		s.key = k
	}
	if s.key == "" && s.form {
		// A plain HTML form has no script to make a key: the answers
		// themselves are the key, so a resubmitted page is one lead.
		s.key = "form:" + h.bodyHash(s.input)[:40]
	}
	switch {
	case s.key == "":
		return s, &apiError{Code: "bad_request", Message: "an idempotency key is required",
			Errors: []fieldError{{"idempotency_key", "required", "send an Idempotency-Key header or an idempotency_key field"}}}, http.StatusBadRequest
	case !validKey(s.key):
		return s, &apiError{Code: "bad_request", Message: "the idempotency key is not valid",
			Errors: []fieldError{{"idempotency_key", "invalid", "use 8 to 128 letters, digits, '-', '_', ':' or '.'"}}}, http.StatusBadRequest
	}
	for k, v := range s.input {
		if !utf8.ValidString(k) || len(k) > 64 {
			return s, &apiError{Code: "bad_request", Message: "a field name is not valid",
				Errors: []fieldError{{"fields", "name", "field names are at most 64 bytes of UTF-8"}}}, http.StatusBadRequest
		}
		if len(v) > 8<<10 {
			return s, &apiError{Code: "bad_request", Message: "a field is too long",
				Errors: []fieldError{{k, qualify.CodeTooLong, "at most 8 KiB"}}}, http.StatusBadRequest
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		e := &apiError{Code: "invalid", Message: "some answers are to questions the model does not ask"}
		for _, k := range unknown {
			e.Errors = append(e.Errors, fieldError{k, "unknown", strconv.Quote(k) + " is not a field: the model asks no such question"})
		}
		return s, e, http.StatusUnprocessableEntity
	}
	return s, nil, 0
}

func statusOf(err error) int {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

func tooLargeOr(err error, field, msg string) *apiError {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return &apiError{Code: "too_large", Message: "the body is larger than " + strconv.FormatInt(mb.Limit, 10) + " bytes",
			Errors: []fieldError{{field, "too_large", "at most " + strconv.FormatInt(mb.Limit, 10) + " bytes"}}}
	}
	return &apiError{Code: "bad_request", Message: msg, Errors: []fieldError{{field, "unreadable", msg}}}
}

// jsonError says where a JSON body is wrong.
func jsonError(err error) *apiError {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	field, msg := "body", "the body is not valid JSON: "+err.Error()
	switch {
	case errors.As(err, &syn):
		msg = "the body is not valid JSON at byte " + strconv.FormatInt(syn.Offset, 10) + ": " + syn.Error()
	case errors.As(err, &typ):
		field = typ.Field
		if field == "" {
			field = "body"
		}
		msg = field + " must be " + typ.Type.String() + ", not a JSON " + typ.Value
		if strings.HasPrefix(field, "fields.") {
			msg = "every answer must be a JSON string"
		}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		field, msg = name, "unknown member "+strconv.Quote(name)+": the body holds fields, idempotency_key, model and verdict"
	case errors.Is(err, io.EOF):
		msg = "the body is empty"
	}
	return &apiError{Code: "bad_request", Message: msg, Errors: []fieldError{{field, "json", msg}}}
}

// answer reads one JSON answer: a string as it is, a number as written,
// true and false as yes and no, null as no answer.
func answer(raw json.RawMessage) (string, bool) {
	t := strings.TrimSpace(string(raw))
	switch {
	case t == "null":
		return "", true
	case t == "true":
		return "yes", true
	case t == "false":
		return "no", true
	case strings.HasPrefix(t, `"`):
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err == nil
	case t != "" && (t[0] == '-' || '0' <= t[0] && t[0] <= '9'):
		return t, true
	}
	return "", false
}

// stored is a lead's row as a replay needs it.
type stored struct {
	id, hash, response string
}

func (h *Handler) lookupKey(r *http.Request, key string) (stored, bool, error) {
	var s stored
	err := h.c.DB.QueryRowContext(r.Context(), `SELECT id, body_hash, response FROM leads WHERE idem_key = ?`, key).
		Scan(&s.id, &s.hash, &s.response)
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	}
	return s, err == nil, err
}

// postLead takes a submission: it validates and re-scores it with the
// server's model, and stores the lead, its first stage event and its
// webhooks in one transaction. A replay of the same key and answers gets
// the first answer; the same key with other answers is a conflict.
func (h *Handler) postLead(w http.ResponseWriter, r *http.Request) {
	if h.crossOrigin(r) {
		writeError(w, http.StatusForbidden, "origin", "leads are accepted from the site's own pages only")
		return
	}
	sub, aerr, status := h.parseSubmission(w, r)
	if aerr != nil {
		h.fail(w, r, sub.form, status, aerr)
		return
	}
	// A replay is answered with what its key stored. Looking the key up
	// costs a query, so it is done only where the submission is not
	// stored as a new lead: where it is refused, or where storing it finds
	// its key taken. The rate limits are checked by the statement that
	// stores the lead, so that a submission takes one round trip.
	hash := h.bodyHash(sub.input)
	now := h.now()
	m, err := h.model(r.Context())
	if err != nil {
		h.serverError(w, r, sub.form, "loading the domain lists", err)
		return
	}
	lead, errs := m.Lead(sub.input, now.Unix())
	if len(errs) > 0 {
		if !h.replayed(w, r, sub, hash) {
			h.fail(w, r, sub.form, http.StatusUnprocessableEntity, &apiError{Code: "invalid",
				Message: "some answers need a correction", Errors: fieldErrors(errs)})
		}
		return
	}
	email := ""
	if i := m.FieldIndex("email"); i >= 0 && lead.Values[i].Known {
		email = lead.Values[i].Str
	}
	v := qualify.Evaluate(m, &lead, now.Unix())
	spam := h.spam(sub.input)
	shown := v
	if spam {
		shown = decoy(m, sub.input, now)
	}
	id := newID()
	answer := leadAnswer{ID: id, Stage: shown.Stage, Funnel: shown.Funnel.String(), Next: nextJSON(shown.Next), Model: m.Version}
	if m.ShowScore {
		score := shown.Score
		answer.Score = &score
	}
	response, _ := json.Marshal(answer)
	verdict, _ := json.Marshal(NewVerdictJSON(m, &v, now.Unix()))
	input, _ := json.Marshal(sub.input)
	source := "api"
	if sub.form {
		source = "form"
	}
	ms := now.UnixMilli()
	limits := h.limits(r, email, now)
	stmts := append(limits.count, Stmt{
		SQL: `INSERT INTO leads (id, idem_key, body_hash, created_at, email, email_hash, input, source, model_version,
			stage, fit, tier, score, verdict, client_model_version, client_verdict, spam, response)
			SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE true` + limits.guard + ` ON CONFLICT (idem_key) DO NOTHING`,
		Args: append([]any{id, sub.key, hash, ms, email, h.hashKey("email:" + email), string(input), source, m.Version,
			v.Stage, v.Fit, v.Tier, v.Score, string(verdict), sub.clientModel, sub.client, boolInt(spam), string(response)},
			limits.args...),
	})
	stored := len(stmts) - 1
	eventID := newID()
	stmts = append(stmts, Stmt{
		SQL: `INSERT INTO events (id, lead_id, stage, actor, source, at, recorded_at)
			SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM leads WHERE id = ?)`,
		Args: []any{eventID, id, v.Stage, report.SystemActor, source, ms, ms, id},
	})
	var outbox []string
	if !spam {
		ev := Event{ID: eventID, Topic: TopicQualified, LeadID: id, At: now, Stage: v.Stage, Funnel: v.Funnel.String(),
			Fit: v.Fit, Tier: v.Tier, Score: v.Score, Next: nextJSON(v.Next), Model: m.Version, Actor: report.SystemActor,
			Fields: sub.input, Source: source}
		out, ids, err := h.outboxStmts(ev, func(s string) string { return s + " WHERE EXISTS (SELECT 1 FROM leads WHERE id = ?)" }, id)
		if err != nil {
			h.serverError(w, r, sub.form, "building webhooks", err)
			return
		}
		stmts = append(stmts, out...)
		outbox = ids
	}
	changed, err := h.c.Batch(r.Context(), stmts)
	if err != nil {
		h.serverError(w, r, sub.form, "storing a lead", err)
		return
	}
	if changed[stored] == 0 {
		// The key is stored already (a replay, or another request with the
		// same key won the race), or a rate limit refused the lead.
		if !h.replayed(w, r, sub, hash) {
			h.refuse(w, r, sub.form, limits, now)
		}
		return
	}
	h.dispatch(r.Context(), outbox)
	h.log.Info("lead", "id", id, "stage", v.Stage, "source", source, "spam", spam)
	h.answer(w, r, sub.form, http.StatusCreated, response, false)
}

// replayed answers the submission from what its key stored, if it is
// stored, and reports whether it answered (a failed lookup is answered as
// a server error).
func (h *Handler) replayed(w http.ResponseWriter, r *http.Request, sub submission, hash string) bool {
	prev, ok, err := h.lookupKey(r, sub.key)
	if err != nil {
		h.serverError(w, r, sub.form, "looking up an idempotency key", err)
		return true
	}
	if ok {
		h.replay(w, r, sub, prev, hash)
	}
	return ok
}

// replay answers a submission whose key is stored already.
func (h *Handler) replay(w http.ResponseWriter, r *http.Request, sub submission, prev stored, hash string) {
	if prev.hash != hash {
		h.fail(w, r, sub.form, http.StatusConflict, &apiError{Code: "conflict",
			Message: "this idempotency key was used for a different submission",
			Errors:  []fieldError{{"idempotency_key", "reused", "the key was used before with other answers: make a new key for a new submission"}}})
		return
	}
	h.answer(w, r, sub.form, http.StatusOK, []byte(prev.response), true)
}

// answer sends the visitor the stored answer: JSON, or the next-step page
// after a plain form post.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, form bool, status int, response []byte, replayed bool) {
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	if !form {
		writeRaw(w, status, append(response, '\n'))
		return
	}
	var a leadAnswer
	json.Unmarshal(response, &a)
	h.nextPage(w, r, status, a)
}

// fail answers a request that cannot be taken.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, form bool, status int, e *apiError) {
	if form {
		h.errorPage(w, r, status, e)
		return
	}
	writeJSON(w, status, e)
}

func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, form bool, doing string, err error) {
	h.log.Error(doing, "err", err)
	h.fail(w, r, form, http.StatusServiceUnavailable, &apiError{Code: "unavailable",
		Message: "we could not take your request just now; nothing was stored: please try again in a minute"})
}

func (h *Handler) tooMany(w http.ResponseWriter, r *http.Request, form bool, retry time.Duration, msg string) {
	h.fail(w, r, form, http.StatusTooManyRequests, &apiError{Code: "rate_limited",
		Message: msg + ": please try again in " + qualify.FormatDuration(retryAfter(w, retry))})
}

// retryAfter sets Retry-After to retry in whole seconds, rounded up, and
// returns them.
func retryAfter(w http.ResponseWriter, retry time.Duration) int64 {
	secs := int64(retry.Seconds() + 0.999)
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	return secs
}

// spam reports a submission a robot made: a hidden text field, the
// honeypot, is filled. (How fast the form was filled is the model's to
// judge: the widget reports it and the model's negative rules score it.)
func (h *Handler) spam(in qualify.Input) bool {
	for i := range h.c.Model.Fields {
		if f := &h.c.Model.Fields[i]; honeypot(f) && strings.TrimSpace(in[f.Name]) != "" {
			return true
		}
	}
	return false
}

// honeypot reports whether f is a honeypot: a hidden text field, which
// people never see and robots fill.
func honeypot(f *qualify.Field) bool {
	return f.Hidden && (f.Type == qualify.Text || f.Type == qualify.LongText)
}

// decoy is the verdict a robot caught by the honeypot is answered with:
// that of its answers without the honeypot, which a visitor who gave them
// would get, so that nothing in the answer tells it was caught. The lead
// is stored with the true verdict.
func decoy(m *qualify.Model, in qualify.Input, now time.Time) qualify.Verdict {
	clean := qualify.Input{}
	for k, v := range in {
		if i := m.FieldIndex(k); i < 0 || !honeypot(&m.Fields[i]) {
			clean[k] = v
		}
	}
	lead, _ := m.Lead(clean, now.Unix())
	return qualify.Evaluate(m, &lead, now.Unix())
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
