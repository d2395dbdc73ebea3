package worker

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/worker/account"
	"github.com/winnowhq/winnow/worker/domains"
	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/store"
)

// submission is a parsed POST /api/leads.
type submission struct {
	input       qualify.Input
	key         string // the idempotency key
	clientModel string // the model version the browser used
	client      string // the browser's verdict, as it sent it (JSON), advisory
	form        bool   // a plain HTML form post: answer with a page
	formName    string // the form of the model it was sent with, or "" for none
	formIndex   int    // its index into the model's forms; -1 for none
}

// submitJSON is the body the widget posts.
type submitJSON struct {
	Fields         map[string]json.RawMessage `json:"fields"`
	IdempotencyKey string                     `json:"idempotency_key"`
	Model          string                     `json:"model"`
	Verdict        json.RawMessage            `json:"verdict"`
	Form           string                     `json:"form"`
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
	// Thanks is what the form sent tells the visitor after sending it,
	// before their stage's next step; nil when it tells nothing.
	Thanks *thanksJSON `json:"thanks,omitempty"`
}

// thanksJSON is a form's thank-you: a heading, a message and a call to
// action, each optional.
type thanksJSON struct {
	Title   string `json:"title,omitempty"`
	Message string `json:"message,omitempty"`
	Label   string `json:"label,omitempty"`
	URL     string `json:"url,omitempty"`
}

// newID returns a random identifier: 26 characters of Crockford base32.
func newID() string { return account.NewID() }

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
// model does not ask is one (422), an empty one included. A submission
// may name the form of the model it was sent with (the member or field
// form): an unknown form, or an answer to a question the form does not
// ask, is a bad request (400) naming the field.
func (h *Handler) parseSubmission(w http.ResponseWriter, r *http.Request) (submission, *Error) {
	r.Body = http.MaxBytesReader(w, r.Body, h.c.Limits.MaxBody)
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		mt = ""
	}
	s := submission{formIndex: -1}
	var unknown, names []string
	switch mt {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return s, tooLargeOr(err, "body", "the form body cannot be read: "+err.Error())
		}
		s.form = true
		s.input = qualify.Input{}
		for k, vs := range r.PostForm {
			switch k {
			case "idempotency_key":
				s.key = vs[0]
			case "model":
				s.clientModel = vs[0]
			case "form":
				s.formName = vs[0]
			default:
				names = append(names, k)
				if h.c.Model.FieldIndex(k) < 0 {
					unknown = append(unknown, k)
				}
				s.input[k] = vs[0]
			}
		}
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return s, tooLargeOr(err, "body", "the body cannot be read")
		}
		if !utf8.Valid(body) {
			return s, &Error{Code: "bad_request", Message: "the body is not valid UTF-8",
				Errors: []fieldError{{"body", "text", "the body is not valid UTF-8"}}}
		}
		var in submitJSON
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return s, jsonError(err)
		}
		if dec.More() {
			return s, &Error{Code: "bad_request", Message: "the body holds more than one JSON value",
				Errors: []fieldError{{"body", "json", "the body holds more than one JSON value"}}}
		}
		s.key, s.clientModel, s.formName = in.IdempotencyKey, in.Model, in.Form
		s.input = qualify.Input{}
		for k, raw := range in.Fields {
			names = append(names, k)
			v, ok := answer(raw)
			if !ok {
				msg := "an answer must be a string, a number, true or false"
				return s, &Error{Code: "bad_request", Message: msg,
					Errors: []fieldError{{"fields." + k, "json", msg}}}
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
		return s, &Error{Code: "unsupported_media_type",
			Message: "send application/x-www-form-urlencoded (the HTML form) or application/json (the widget)"}
	}
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		if s.key != "" && s.key != k {
			return s, &Error{Code: "bad_request", Message: "the Idempotency-Key header and the body's idempotency_key differ",
				Errors: []fieldError{{"idempotency_key", "mismatch", "the header and the body name different keys"}}}
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
		return s, &Error{Code: "bad_request", Message: "an idempotency key is required",
			Errors: []fieldError{{"idempotency_key", "required", "send an Idempotency-Key header or an idempotency_key field"}}}
	case !validKey(s.key):
		return s, &Error{Code: "bad_request", Message: "the idempotency key is not valid",
			Errors: []fieldError{{"idempotency_key", "invalid", "use 8 to 128 letters, digits, '-', '_', ':' or '.'"}}}
	}
	for k, v := range s.input {
		if !utf8.ValidString(k) || len(k) > 64 {
			return s, &Error{Code: "bad_request", Message: "a field name is not valid",
				Errors: []fieldError{{"fields", "name", "field names are at most 64 bytes of UTF-8"}}}
		}
		if len(v) > 8<<10 {
			return s, &Error{Code: "bad_request", Message: "a field is too long",
				Errors: []fieldError{{k, qualify.CodeTooLong, "at most 8 KiB"}}}
		}
	}
	if s.formName != "" {
		if e := h.formOf(&s, names); e != nil {
			return s, e
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		e := &Error{Code: "invalid", Message: "some answers are to questions the model does not ask"}
		for _, k := range unknown {
			e.Errors = append(e.Errors, fieldError{k, "unknown", strconv.Quote(k) + " is not a field: the model asks no such question"})
		}
		return s, e
	}
	return s, nil
}

// formOf finds the form a submission names, and checks that it answers
// the form's questions only: those it asks (its extra questions
// included) and the fields the page fills in on every form.
func (h *Handler) formOf(s *submission, names []string) *Error {
	m := h.c.Model
	i := m.FormIndex(s.formName)
	if i < 0 {
		var forms []string
		for _, f := range m.Forms {
			forms = append(forms, f.Name)
		}
		msg := "the model has no form " + strconv.Quote(s.formName)
		if len(forms) > 0 {
			msg += ": its forms are " + strings.Join(forms, ", ")
		}
		return &Error{Code: "bad_request", Message: msg, Errors: []fieldError{{"form", "unknown", msg}}}
	}
	s.formIndex = i
	f := &m.Forms[i]
	var outside []string
	for _, k := range names {
		j := m.FieldIndex(k)
		if j >= 0 && (f.Asks(j) || m.Fields[j].Hidden && !m.Fields[j].Attribute) {
			continue
		}
		outside = append(outside, k)
	}
	if len(outside) == 0 {
		return nil
	}
	slices.Sort(outside)
	e := &Error{Code: "bad_request", Message: "some answers are to questions the form " + f.Name + " does not ask"}
	for _, k := range outside {
		e.Errors = append(e.Errors, fieldError{k, "not_in_form", strconv.Quote(k) + " is not a question of the form " + f.Name})
	}
	return e
}

func tooLargeOr(err error, field, msg string) *Error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return &Error{Code: "too_large", Message: "the body is larger than " + strconv.FormatInt(mb.Limit, 10) + " bytes",
			Errors: []fieldError{{field, "too_large", "at most " + strconv.FormatInt(mb.Limit, 10) + " bytes"}}}
	}
	return &Error{Code: "bad_request", Message: msg, Errors: []fieldError{{field, "unreadable", msg}}}
}

// jsonError says where a JSON body is wrong.
func jsonError(err error) *Error {
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
	return &Error{Code: "bad_request", Message: msg, Errors: []fieldError{{field, "json", msg}}}
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

// postLead takes a submission: it validates it with the model's own
// code, finds the person's lead by their email address (one lead per
// person) or makes one, and stores the submission as an event of the lead
// with the lead re-scored, in one transaction (plan). A replay of the
// same key and answers gets the first answer; the same key with other
// answers is a conflict. The answer is the lead's stage and next step.
func (h *Handler) postLead(w http.ResponseWriter, r *http.Request) {
	if h.crossOrigin(r) {
		writeError(w, newError("origin", "leads are accepted from the site's own pages only"))
		return
	}
	sub, aerr := h.parseSubmission(w, r)
	if aerr != nil {
		h.fail(w, r, sub.form, aerr)
		return
	}
	ctx := r.Context()
	now := h.now()
	m, err := h.model(ctx)
	if err != nil {
		h.serverError(w, r, sub.form, "loading the domain lists", err)
		return
	}
	h.attribution(r, sub.input)
	hash := h.bodyHash(sub.input)
	email := sub.input["email"]
	person := h.person(email)
	visitor := visitorOf(r)
	spam := h.spam(sub.input)
	_, errs := m.FormLead(sub.formIndex, sub.input, now.Unix())
	if sub.formIndex >= 0 && len(errs) > 0 && !spam {
		// A returning lead is not asked again what it answered: its
		// answers stand in for the form's required questions the
		// submission leaves out.
		known, err := h.returning(ctx, person, visitor)
		if err != nil {
			h.serverError(w, r, sub.form, "finding a returning lead", err)
			return
		}
		if known != nil {
			errs = answeredBefore(m, sub.formIndex, sub.input, known.State.Answers, now)
			if person == "" {
				person = known.Person
			}
		}
	}
	if len(errs) > 0 {
		// A replay is answered as stored even where the model has changed.
		if !h.replayed(w, r, sub, hash) {
			h.fail(w, r, sub.form, &Error{Code: "invalid", Message: "some answers need a correction", Errors: fieldErrors(errs)})
		}
		return
	}
	source := "api"
	if sub.form {
		source = "form"
	}
	ev := store.EventWrite{Event: lead.Event{ID: newID(), Kind: lead.KindSubmission, Name: sub.formName, Answers: sub.input, Actor: "visitor",
		Source: source, At: now.UnixMilli(), Recorded: now.UnixMilli()}, Idem: sub.key, BodyHash: hash}
	bucket, retry := h.window(now)
	ipKey := h.hashKey("ip:" + h.client(r))
	limits := h.submissionLimits(ipKey, person, bucket)
	var answer string
	read := func() (change, error) {
		c := change{events: []store.EventWrite{ev}, guard: limits.guard, args: limits.args, answerKey: sub.key}
		if h.c.Limits.PerIP >= 0 {
			c.before = []store.Stmt{store.CountRequest(ipKey, bucket)}
		}
		c.answer = func(l *store.LeadWrite, v *lead.Verdict) string {
			answer = h.leadAnswer(m, l.ID, v, spam, sub.formIndex, sub.input, now)
			return answer
		}
		// A robot's submission is a lead of its own, never a person's:
		// whatever email it gives, it does not touch their lead.
		match := person
		if spam {
			match = ""
		}
		l, err := store.Lead{}, store.ErrNotFound
		switch {
		case match != "":
			l, err = h.store.LeadByPerson(ctx, match)
		case visitor != "" && !spam:
			// Without an email address, the visitor's cookie says who
			// they are.
			var known *store.Lead
			if known, err = h.returning(ctx, "", visitor); err == nil && known == nil {
				err = store.ErrNotFound
			} else if err == nil {
				l = *known
			}
		}
		switch {
		case err == nil:
			c.lead = l
			if l.Visitor == "" {
				c.lead.Visitor = visitor
			}
		case !errors.Is(err, store.ErrNotFound):
			return c, err
		default:
			c.created = true
			c.lead = store.Lead{ID: newID(), IdemKey: sub.key, BodyHash: hash, CreatedAt: now.UnixMilli(), Person: match,
				PersonSet: true, Visitor: visitor, Source: source, ClientModel: sub.clientModel, Client: sub.client, Spam: spam}
		}
		if visitor != "" && !spam {
			// What the visitor did before they told us who they are.
			visits, err := h.store.Visits(ctx, visitor, 500)
			if err != nil {
				return c, err
			}
			for _, v := range visits {
				c.events = append(c.events, store.EventWrite{Event: lead.Event{ID: newID(), Kind: lead.KindView, Name: v.Path,
					Value: v.Signal, Actor: "visitor", Source: "beacon", At: v.At, Recorded: now.UnixMilli()}})
			}
			if len(visits) > 0 {
				c.extra = func(guard string, args []any) []store.Stmt {
					return []store.Stmt{store.DropVisits(visitor, guard, args...)}
				}
			}
		}
		return c, nil
	}
	refused := func(c *change, p *plan) (bool, error) {
		if h.replayed(w, r, sub, hash) {
			return true, nil
		}
		over, err := h.overLimits(ctx, ipKey, person, bucket)
		if err != nil || over == "" {
			return false, err // another write came first: again
		}
		h.tooMany(w, r, sub.form, retry, over)
		return true, nil
	}
	p, ok, err := h.apply(ctx, read, now, refused)
	if err != nil {
		h.serverError(w, r, sub.form, "storing a lead", err)
		return
	}
	if !ok {
		return // answered: a replay, or a limit
	}
	h.log.Info("lead", "id", p.row.ID, "stage", p.verdict.Stage, "source", source, "spam", spam)
	h.answer(w, r, sub, http.StatusCreated, []byte(answer), false)
}

// leadAnswer is what a visitor is told of their lead: its stage and the
// next step, what the form they sent (form, an index into the model's
// forms, or -1) tells after sending, and its score if the model shows it.
// A robot caught by the honeypot is told what the same answers without
// it would get as a new lead, so that nothing in the answer tells it was
// caught.
func (h *Handler) leadAnswer(m *qualify.Model, id string, v *lead.Verdict, spam bool, form int, in qualify.Input, now time.Time) string {
	stage, next, score := v.Stage, v.Next, v.Score
	if i := m.StageIndex(stage); i >= 0 {
		next = m.Stages[i].Next
	}
	if spam {
		d := decoy(m, form, in, now)
		stage, next, score = d.Stage, d.Next, d.Score
	}
	a := leadAnswer{ID: id, Stage: stage, Next: nextJSON(next), Model: m.Version}
	if form >= 0 && form < len(m.Forms) {
		if t := m.Forms[form].Thanks; t != (qualify.Thanks{}) {
			a.Thanks = &thanksJSON{t.Title, t.Message, t.Label, t.URL}
		}
	}
	if i := m.StageIndex(stage); i >= 0 {
		a.Funnel = m.Stages[i].Funnel.String()
	}
	if m.ShowScore {
		a.Score = &score
	}
	b, _ := json.Marshal(a)
	return string(b)
}

// person is the key a person's lead is found by: the keyed hash of their
// normalised email address ("" for none).
func (h *Handler) person(email string) string {
	if p := domains.Person(email); p != "" {
		return h.hashKey("person:" + p)
	}
	return ""
}

// visitorOf reads the first-party visitor id the site's beacon script set
// (22 characters of base64url), or "".
func visitorOf(r *http.Request) string {
	c, err := r.Cookie("winnow_v")
	if err != nil || !visitorID(c.Value) {
		return ""
	}
	return c.Value
}

func visitorID(v string) bool {
	if len(v) != 22 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// attribution copies into the answers what the site's beacon script
// recorded of the visitor's first visit (the winnow_a cookie: UTM
// parameters, the referrer, the landing page), for the model's text
// attribute fields the answers leave empty. A number attribute is filled
// by integrations, never by the cookie: a value there would be the
// visitor's own, and one that is not a number would fail a submission
// with an error the visitor cannot see.
func (h *Handler) attribution(r *http.Request, in qualify.Input) {
	c, err := r.Cookie("winnow_a")
	if err != nil || len(c.Value) > 2048 {
		return
	}
	vals, err := url.ParseQuery(c.Value)
	if err != nil {
		return
	}
	for i := range h.c.Model.Fields {
		f := &h.c.Model.Fields[i]
		if !f.Attribute || f.Type != qualify.Text || in[f.Name] != "" {
			continue
		}
		if v := strings.TrimSpace(vals.Get(f.Name)); v != "" && utf8.ValidString(v) {
			if len(v) > 200 {
				v = v[:200]
			}
			in[f.Name] = v
		}
	}
}

// replayed answers the submission from what its key stored, if it is
// stored, and reports whether it answered (a failed lookup is answered as
// a server error).
func (h *Handler) replayed(w http.ResponseWriter, r *http.Request, sub submission, hash string) bool {
	prev, ok, err := h.store.RecordedOne(r.Context(), sub.key)
	if err != nil {
		h.serverError(w, r, sub.form, "looking up an idempotency key", err)
		return true
	}
	if !ok {
		return false
	}
	if prev.BodyHash != hash {
		h.fail(w, r, sub.form, &Error{Code: "conflict", Message: "this idempotency key was used for a different submission",
			Errors: []fieldError{{"idempotency_key", "reused", "the key was used before with other answers: make a new key for a new submission"}}})
		return true
	}
	h.answer(w, r, sub, http.StatusOK, []byte(prev.Response), true)
	return true
}

// answer sends the visitor the stored answer: JSON, or the next-step page
// after a plain form post. A meeting to book is prefilled with the name
// and email address the submission gives (never stored with the answer).
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, sub submission, status int, response []byte, replayed bool) {
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	var a leadAnswer
	if err := json.Unmarshal(response, &a); err == nil && a.Next.Kind == qualify.Book.String() {
		q := url.Values{}
		for _, n := range []string{"name", "email"} {
			if v := strings.TrimSpace(sub.input[n]); v != "" {
				q.Set(n, v)
			}
		}
		if len(q) > 0 && a.Next.URL != "" {
			sep := "?"
			if strings.Contains(a.Next.URL, "?") {
				sep = "&"
			}
			a.Next.URL += sep + strings.ReplaceAll(q.Encode(), "+", "%20")
			response, _ = json.Marshal(a)
		}
	}
	if !sub.form {
		writeRaw(w, status, append(response, '\n'))
		return
	}
	h.nextPage(w, r, status, a)
}

// fail answers a request that cannot be taken.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, form bool, e *Error) {
	if form {
		if e.Retry > 0 {
			retryAfter(w, e.Retry)
		}
		h.errorPage(w, r, e.Status(), e)
		return
	}
	writeError(w, e)
}

func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, form bool, doing string, err error) {
	h.log.Error(doing, "err", err)
	h.fail(w, r, form, &Error{Code: "unavailable",
		Message: "we could not take your request just now; nothing was stored: please try again in a minute"})
}

func (h *Handler) tooMany(w http.ResponseWriter, r *http.Request, form bool, retry time.Duration, msg string) {
	secs := int64(retry.Seconds() + 0.999)
	h.fail(w, r, form, &Error{Code: "rate_limited", Retry: retry,
		Message: msg + ": please try again in " + qualify.FormatDuration(secs)})
}

// spam reports a submission a robot made: the honeypot, a hidden text
// field that is not an attribute, is filled. (How fast the form was
// filled is the model's to judge: the widget reports it and the model's
// negative rules score it.)
func (h *Handler) spam(in qualify.Input) bool {
	for i := range h.c.Model.Fields {
		if f := &h.c.Model.Fields[i]; f.Honeypot() && strings.TrimSpace(in[f.Name]) != "" {
			return true
		}
	}
	return false
}

// decoy is the verdict a robot caught by the honeypot is answered with:
// that of its answers without the honeypot, which a visitor who gave them
// would get, so that nothing in the answer tells it was caught. The lead
// is stored with the true verdict.
func decoy(m *qualify.Model, form int, in qualify.Input, now time.Time) qualify.Verdict {
	clean := qualify.Input{}
	for k, v := range in {
		if i := m.FieldIndex(k); i < 0 || !m.Fields[i].Honeypot() {
			clean[k] = v
		}
	}
	lead, _ := m.FormLead(form, clean, now.Unix())
	return qualify.Evaluate(m, &lead, now.Unix())
}

// returning finds the lead a submission goes to without a new lead: the
// person's, by their email address, or, without one, the lead the
// visitor's first-party cookie became. It returns nil when there is none
// (or it is a robot's, or its personal data is purged).
func (h *Handler) returning(ctx context.Context, person, visitor string) (*store.Lead, error) {
	l, err := store.Lead{}, store.ErrNotFound
	switch {
	case person != "":
		l, err = h.store.LeadByPerson(ctx, person)
	case visitor != "":
		l, err = h.store.LeadByVisitor(ctx, visitor)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	case l.Spam || l.PurgedAt != 0:
		return nil, nil
	}
	return &l, nil
}

// answeredBefore checks the answers sent with form (an index into m's
// forms) with a returning lead's earlier answers standing in for those
// the submission leaves out, but for the questions the form asks again:
// a submission answers those itself.
func answeredBefore(m *qualify.Model, form int, in qualify.Input, before map[string]string, now time.Time) qualify.FieldErrors {
	f := &m.Forms[form]
	merged := qualify.Input{}
	for k, v := range before {
		// An earlier answer the model no longer takes stands for nothing.
		if i := m.FieldIndex(k); i >= 0 && !slices.Contains(f.Again, i) {
			if _, ok := m.Fields[i].Check(v); ok {
				merged[k] = v
			}
		}
	}
	for k, v := range in {
		if strings.TrimSpace(v) != "" || merged[k] == "" {
			merged[k] = v
		}
	}
	_, errs := m.FormLead(form, merged, now.Unix())
	return errs
}
