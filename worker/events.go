package worker

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/winnowhq/winnow/report"
)

// Outcomes sales records beyond the model's stages, and the activities
// it records without changing the stage.
var (
	outcomes   = []string{report.Won, report.Lost}
	activities = []string{report.Contacted}
)

// eventJSON is the body of POST /api/leads/{id}/events.
type eventJSON struct {
	Stage string `json:"stage"`
	Actor string `json:"actor"`
	At    string `json:"at"` // RFC 3339; default now
	Note  string `json:"note"`
}

// stages are the names an event may record: the model's stages, the
// outcomes and the activities.
func (h *Handler) stages() []string {
	var names []string
	for _, s := range h.c.Model.Stages {
		names = append(names, s.Name)
	}
	return append(append(names, outcomes...), activities...)
}

// eventKind says what an event's stage is: "stage", "outcome" (won,
// lost) or "activity" (contacted: sales acted, the stage stays).
func eventKind(stage string) string {
	switch {
	case report.IsOutcome(stage):
		return "outcome"
	case report.IsActivity(stage):
		return "activity"
	}
	return "stage"
}

// postEvent records a stage change or an activity by sales (admin token)
// or a CRM (signed callback). Wrong tokens and wrong signatures count
// against the client's address, as failed logins do. An Idempotency-Key
// makes a retried callback one event: the retry gets the event as it was
// stored, and the key with another body is a conflict. A stage change or
// an outcome is sent to the webhook targets; an activity is not, since it
// changes nothing a receiver holds.
func (h *Handler) postEvent(w http.ResponseWriter, r *http.Request) {
	if nulPath(r) {
		writeError(w, http.StatusNotFound, "not_found", "no API route has NUL in its path")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.c.Limits.MaxBody)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeJSON(w, statusOf(err), tooLargeOr(err, "body", "the body cannot be read"))
		return
	}
	source, refused := "api", "too many wrong admin tokens from your network"
	ok, retry, err := h.bearer(r)
	if !ok && retry == 0 && err == nil && h.c.CallbackSecret != "" && r.Header.Get("Winnow-Signature") != "" {
		source, refused = "crm", "too many wrongly signed callbacks from your network"
		ok, retry, err = h.attempt(r.Context(), "callback:"+h.client(r), func() bool {
			return Verify(h.c.CallbackSecret, r.Header.Get("Winnow-Timestamp"), r.Header.Get("Winnow-Signature"), body, h.now(), 5*time.Minute)
		})
	}
	switch {
	case err != nil:
		h.serverError(w, r, false, "counting wrong credentials", err)
		return
	case retry > 0:
		h.tooMany(w, r, false, retry, refused)
		return
	case !ok:
		w.Header().Set("WWW-Authenticate", `Bearer realm="winnow"`)
		writeError(w, http.StatusUnauthorized, "unauthorized", "send the admin token, or sign the callback with the callback secret")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send application/json")
		return
	}
	var in eventJSON
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, jsonError(err))
		return
	}
	var errs []fieldError
	stages := h.stages()
	if !slices.Contains(stages, in.Stage) {
		errs = append(errs, fieldError{"stage", "option", "stage must be one of " + strings.Join(stages, ", ")})
	}
	in.Actor = strings.TrimSpace(in.Actor)
	if in.Actor == "" || len(in.Actor) > 200 {
		errs = append(errs, fieldError{"actor", "required", "actor names who acted, in at most 200 bytes"})
	} else if in.Actor == report.SystemActor {
		errs = append(errs, fieldError{"actor", "reserved", "actor " + report.SystemActor + " is Winnow itself: name who acted"})
	}
	if len(in.Note) > 2000 {
		errs = append(errs, fieldError{"note", "too_long", "at most 2000 bytes"})
	}
	now := h.now()
	at := now
	if in.At != "" {
		t, err := time.Parse(time.RFC3339, in.At)
		if err != nil {
			errs = append(errs, fieldError{"at", "date", "at must be an RFC 3339 time such as 2026-03-31T09:30:00Z"})
		} else if t.After(now.Add(5 * time.Minute)) {
			errs = append(errs, fieldError{"at", "range", "at is in the future"})
		} else {
			at = t
		}
	}
	if len(errs) > 0 {
		writeError(w, http.StatusUnprocessableEntity, "invalid", "the event needs a correction", errs...)
		return
	}
	id := r.PathValue("id")
	var created int64
	err = h.c.DB.QueryRowContext(r.Context(), `SELECT created_at FROM leads WHERE id = ?`, id).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		writeError(w, http.StatusNotFound, "not_found", "no lead "+id)
		return
	}
	if err != nil {
		h.serverError(w, r, false, "finding a lead", err)
		return
	}
	if at.UnixMilli() < created {
		// A clock behind ours: nothing happens to a lead before it exists.
		at = time.UnixMilli(created)
	}
	eventID := newID()
	key := r.Header.Get("Idempotency-Key")
	if key != "" {
		if !validKey(key) {
			writeError(w, http.StatusBadRequest, "bad_request", "the idempotency key is not valid",
				fieldError{"idempotency_key", "invalid", "use 8 to 128 letters, digits, '-', '_', ':' or '.'"})
			return
		}
		eventID = "e" + h.hashKey("event:"+id+":"+key)
		if prev, ok, err := h.lookupEvent(r.Context(), eventID); err != nil {
			h.serverError(w, r, false, "looking up an idempotency key", err)
			return
		} else if ok {
			replayEvent(w, id, eventID, prev, in, at)
			return
		}
	}
	mine := storedEvent{stage: in.Stage, actor: in.Actor, source: source, note: in.Note, at: at.UnixMilli(), recorded: now.UnixMilli()}
	stmts := []Stmt{{
		SQL: `INSERT INTO events (id, lead_id, stage, actor, source, note, at, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`,
		Args: []any{eventID, id, mine.stage, mine.actor, mine.source, mine.note, mine.at, mine.recorded},
	}}
	var outbox []string
	if !report.IsActivity(in.Stage) {
		// Webhooks only for the event this request stored: not for one
		// another request with the same key stored first.
		out, ids, err := h.outboxStmts(Event{ID: eventID, Topic: TopicStageChanged, LeadID: id, At: at, Stage: in.Stage,
			Actor: in.Actor, Source: source, Note: in.Note},
			func(q string) string {
				return q + ` WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE id = ?) AND EXISTS (SELECT 1 FROM events
					WHERE id = ? AND stage = ? AND actor = ? AND source = ? AND note = ? AND at = ? AND recorded_at = ?)`
			})
		if err != nil {
			h.serverError(w, r, false, "building webhooks", err)
			return
		}
		for i := range out {
			out[i].Args = append(out[i].Args, out[i].Args[0], eventID, mine.stage, mine.actor, mine.source, mine.note, mine.at, mine.recorded)
		}
		stmts = append(stmts, out...)
		outbox = ids
	}
	changed, err := h.c.Batch(r.Context(), stmts)
	if err != nil {
		h.serverError(w, r, false, "storing an event", err)
		return
	}
	if changed[0] == 0 {
		// Another request with the same key stored its event first.
		prev, ok, err := h.lookupEvent(r.Context(), eventID)
		if err != nil || !ok {
			h.serverError(w, r, false, "reading a stored event", err)
			return
		}
		replayEvent(w, id, eventID, prev, in, at)
		return
	}
	h.dispatch(r.Context(), outbox)
	writeJSON(w, http.StatusCreated, eventAnswer(eventID, id, in.Stage, at))
}

// storedEvent is an event's row as a replay needs it; times in Unix
// milliseconds.
type storedEvent struct {
	stage, actor, source, note string
	at, recorded               int64
}

// lookupEvent reads the event id, if it is stored.
func (h *Handler) lookupEvent(ctx context.Context, id string) (storedEvent, bool, error) {
	var e storedEvent
	err := h.c.DB.QueryRowContext(ctx, `SELECT stage, actor, source, note, at, recorded_at FROM events WHERE id = ?`, id).
		Scan(&e.stage, &e.actor, &e.source, &e.note, &e.at, &e.recorded)
	if errors.Is(err, sql.ErrNoRows) {
		return e, false, nil
	}
	return e, err == nil, err
}

// replayEvent answers an event whose idempotency key is stored already:
// with the stored event if in is the body it was recorded from (at, at
// the time in says, clamped to the lead's creation; without one, when it
// was recorded), else with a conflict.
func replayEvent(w http.ResponseWriter, lead, id string, prev storedEvent, in eventJSON, at time.Time) {
	same := prev.stage == in.Stage && prev.actor == in.Actor && prev.note == in.Note &&
		(in.At == "" && prev.at == prev.recorded || in.At != "" && prev.at == at.UnixMilli())
	if !same {
		writeError(w, http.StatusConflict, "conflict", "this idempotency key was used for a different event",
			fieldError{"idempotency_key", "reused", "the key was used before with another body: make a new key for a new event"})
		return
	}
	w.Header().Set("Idempotent-Replayed", "true")
	writeJSON(w, http.StatusOK, eventAnswer(id, lead, prev.stage, time.UnixMilli(prev.at)))
}

// eventAnswer is the answer to a recorded event.
func eventAnswer(id, lead, stage string, at time.Time) map[string]any {
	return map[string]any{"id": id, "lead": lead, "stage": stage, "kind": eventKind(stage), "at": at.UTC().Format(time.RFC3339)}
}

// leadJSON is a stored lead as the admin API gives it.
type leadJSON struct {
	ID            string            `json:"id"`
	CreatedAt     string            `json:"created_at"`
	Source        string            `json:"source"`
	Spam          bool              `json:"spam"`
	Fields        map[string]string `json:"fields"`
	Verdict       json.RawMessage   `json:"verdict"`
	ClientModel   string            `json:"client_model,omitempty"`
	ClientVerdict json.RawMessage   `json:"client_verdict,omitempty"`
	Events        []eventOut        `json:"events"`
	Purged        bool              `json:"purged,omitempty"`
}

type eventOut struct {
	ID    string `json:"id"`
	Stage string `json:"stage"`
	Kind  string `json:"kind"` // stage, outcome or activity

	Actor  string `json:"actor"`
	Source string `json:"source"`
	Note   string `json:"note,omitempty"`
	At     string `json:"at"`
}

// errNoLead is loadLead's error for an id no lead has.
var errNoLead = errors.New("no such lead")

// getLead gives a lead with the server's verdict and every reason, the
// browser's verdict, and its events.
func (h *Handler) getLead(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	l, err := h.loadLead(r.Context(), id)
	if errors.Is(err, errNoLead) {
		writeError(w, http.StatusNotFound, "not_found", "no lead "+id)
		return
	}
	if err != nil {
		h.serverError(w, r, false, "reading a lead", err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

// loadLead reads a lead with its verdicts and its events, oldest first.
func (h *Handler) loadLead(ctx context.Context, id string) (leadJSON, error) {
	var l leadJSON
	var created int64
	var input, verdict, client string
	var spam int
	var purged sql.NullInt64
	err := h.c.DB.QueryRowContext(ctx, `SELECT id, created_at, source, spam, input, verdict, client_model_version,
		client_verdict, purged_at FROM leads WHERE id = ?`, id).Scan(&l.ID, &created, &l.Source, &spam, &input, &verdict,
		&l.ClientModel, &client, &purged)
	if errors.Is(err, sql.ErrNoRows) {
		return l, errNoLead
	}
	if err != nil {
		return l, err
	}
	l.CreatedAt = time.UnixMilli(created).UTC().Format(time.RFC3339)
	l.Spam, l.Purged = spam != 0, purged.Valid
	json.Unmarshal([]byte(input), &l.Fields)
	l.Verdict = json.RawMessage(verdict)
	if client != "" && json.Valid([]byte(client)) {
		l.ClientVerdict = json.RawMessage(client)
	}
	rows, err := h.c.DB.QueryContext(ctx, `SELECT id, stage, actor, source, note, at FROM events WHERE lead_id = ? ORDER BY at, recorded_at, rowid`, id)
	if err != nil {
		return l, err
	}
	defer rows.Close()
	l.Events = []eventOut{}
	for rows.Next() {
		var e eventOut
		var at int64
		if err := rows.Scan(&e.ID, &e.Stage, &e.Actor, &e.Source, &e.Note, &at); err != nil {
			return l, err
		}
		e.At = time.UnixMilli(at).UTC().Format(time.RFC3339)
		e.Kind = eventKind(e.Stage)
		l.Events = append(l.Events, e)
	}
	return l, rows.Err()
}
