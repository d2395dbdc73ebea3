package worker

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/worker/crm"
	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/store"
)

// activities are what sales may record of acting on a lead that the
// model does not read, each an attempt of the stage's rhythm: contacted,
// and the activities of content/routing.yaml.
func (h *Handler) activities() []string {
	out := []string{report.Contacted}
	if r := h.c.Routing; r != nil {
		for _, a := range r.Activities {
			if a.Name != report.Contacted {
				out = append(out, a.Name)
			}
		}
	}
	return out
}

// factJSON is the body of POST /api/leads/{id}/events: who, when, and
// one fact: a signal of the model, an activity, an outcome with its
// reason, answers to the model's fields (a framework's criteria), a
// stage the rules do not give, with the reason (an override), the owner
// accepting the lead, rejecting it with one of the reasons of
// content/routing.yaml, or handing it to another person of its team.
type factJSON struct {
	Actor    string            `json:"actor"`
	At       string            `json:"at"` // RFC 3339; default now
	Note     string            `json:"note"`
	Signal   string            `json:"signal"`
	Value    string            `json:"value"`
	Activity string            `json:"activity"`
	Outcome  string            `json:"outcome"`
	Stage    string            `json:"stage"`
	Reason   string            `json:"reason"`
	Answers  map[string]string `json:"answers"`
	Accept   bool              `json:"accept"`
	Reject   bool              `json:"reject"`   // with a reason
	Reassign string            `json:"reassign"` // a person's name or email
}

// factMembers is what a fact's body may hold, for the message that
// refuses another member.
const factMembers = "actor, at, note, and one of signal (with value), activity, outcome (with reason), stage (with reason), " +
	"answers, accept, reject (with reason) or reassign"

// factAnswer is the answer to a recorded fact: the event, and where the
// lead stands after it.
type factAnswer struct {
	ID     string `json:"id"`
	Lead   string `json:"lead"`
	Kind   string `json:"kind"`
	At     string `json:"at"`
	Stage  string `json:"stage"`   // the lead's stage now
	ByRule bool   `json:"by_rule"` // it is the rules' stage (else an override's)
	Fit    string `json:"fit"`
	Tier   string `json:"tier"`
}

// credentials checks a request that records facts: the admin token, or a
// callback signed with the callback secret. Wrong ones count against the
// client's address, as failed logins do. It answers the request itself
// and returns false when it cannot go on; source is "api" or "crm".
func (h *Handler) credentials(w http.ResponseWriter, r *http.Request, body []byte) (source string, ok bool) {
	source, refusal := "api", "too many wrong admin tokens from your network"
	ok, retry, err := h.bearer(r)
	if !ok && retry == 0 && err == nil && h.c.CallbackSecret != "" && r.Header.Get("Winnow-Signature") != "" {
		source, refusal = "crm", "too many wrongly signed callbacks from your network"
		ok, retry, err = h.attempt(r.Context(), "callback:"+h.client(r), func() bool {
			return crm.Verify(h.c.CallbackSecret, r.Header.Get("Winnow-Timestamp"), r.Header.Get("Winnow-Signature"), body, h.now(), 5*time.Minute)
		})
	}
	switch {
	case err != nil:
		h.serverError(w, r, false, "counting wrong credentials", err)
	case retry > 0:
		h.tooMany(w, r, false, retry, refusal)
	case !ok:
		w.Header().Set("WWW-Authenticate", `Bearer realm="winnow"`)
		writeError(w, newError("unauthorized", "send the admin token, or sign the callback with the callback secret"))
	default:
		return source, true
	}
	return "", false
}

// readJSON reads a JSON body of at most Limits.MaxBody bytes into v,
// members it does not have refused; it answers the request itself and
// returns false when it cannot.
func (h *Handler) readJSON(w http.ResponseWriter, r *http.Request, body []byte, v any, members string) bool {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeError(w, newError("unsupported_media_type", "send application/json"))
		return false
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		e := jsonError(err)
		if strings.HasPrefix(e.Message, "unknown member") {
			e.Message, e.Errors[0].Message = e.Message[:strings.IndexByte(e.Message, ':')]+": the body holds "+members,
				e.Message[:strings.IndexByte(e.Message, ':')]+": the body holds "+members
		}
		writeError(w, e)
		return false
	}
	return true
}

// readFacts reads a request that records facts: its body, who sent it
// (auth: the credentials it takes), the body's JSON into v (members names
// what it may hold), and the model to check the facts with. It answers
// the request itself and returns false when it cannot go on.
func (h *Handler) readFacts(w http.ResponseWriter, r *http.Request, auth func(http.ResponseWriter, *http.Request, []byte) (string, bool),
	v any, members string) (source string, body []byte, m *qualify.Model, ok bool) {
	if body, ok = h.body(w, r); !ok {
		return
	}
	if source, ok = auth(w, r, body); !ok {
		return
	}
	if ok = h.readJSON(w, r, body, v, members); !ok {
		return
	}
	m, err := h.model(r.Context())
	if err != nil {
		h.serverError(w, r, false, "loading the domain lists", err)
		return "", nil, nil, false
	}
	return source, body, m, true
}

// body reads a request's body, at most Limits.MaxBody bytes.
func (h *Handler) body(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, h.c.Limits.MaxBody)
	b, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, tooLargeOr(err, "body", "the body cannot be read"))
		return nil, false
	}
	return b, true
}

// postEvent records a fact about a lead, by sales (admin token) or a CRM
// (signed callback): the lead is re-scored and its stage follows from the
// model's rules; a stage they do not give is an override, which needs a
// reason. An Idempotency-Key makes a retried request one event: the retry
// gets the first answer, and the key with another body is a conflict.
func (h *Handler) postEvent(w http.ResponseWriter, r *http.Request) {
	if nulPath(r) {
		writeError(w, newError("not_found", "no API route has NUL in its path"))
		return
	}
	var in factJSON
	source, body, m, ok := h.readFacts(w, r, h.credentials, &in, factMembers)
	if !ok {
		return
	}
	ctx := r.Context()
	id := r.PathValue("id")
	l, err := h.activeLead(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, newError("not_found", "no lead "+id))
		return
	}
	if err != nil {
		h.serverError(w, r, false, "finding a lead", err)
		return
	}
	now := h.now()
	e, errs := h.fact(m, &in, l, now)
	if len(errs) > 0 {
		writeError(w, newError("invalid", "the event needs a correction", errs...))
		return
	}
	e.Source = source
	ev := store.EventWrite{Event: e, BodyHash: h.bodyHashOf(body)}
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		if !validKey(k) {
			writeError(w, newError("bad_request", "the idempotency key is not valid",
				fieldError{"idempotency_key", "invalid", "use 8 to 128 letters, digits, '-', '_', ':' or '.'"}))
			return
		}
		ev.Idem = "ev:" + l.ID + ":" + k
		ev.ID = "e" + h.hashKey(ev.Idem)
	}
	if refusal := overrideRefusal(m, l, e); refusal != nil {
		writeError(w, refusal)
		return
	}
	var answer string
	read := func() (change, error) {
		l, err := h.activeLead(ctx, id)
		reassigned(&l, &ev.Event)
		c := change{lead: l, events: []store.EventWrite{ev}, answerKey: ev.Idem}
		c.answer = func(row *store.LeadWrite, v *lead.Verdict) string {
			answer = factReply(&ev, row, v)
			return answer
		}
		return c, err
	}
	refused := func(c *change, p *plan) (bool, error) {
		if ev.Idem == "" {
			return false, nil
		}
		prev, found, err := h.store.RecordedOne(ctx, ev.Idem)
		if err != nil || !found {
			return false, err
		}
		if prev.BodyHash != ev.BodyHash {
			writeError(w, newError("conflict", "this idempotency key was used for a different event",
				fieldError{"idempotency_key", "reused", "the key was used before with another body: make a new key for a new event"}))
		} else {
			w.Header().Set("Idempotent-Replayed", "true")
			writeRaw(w, http.StatusOK, append([]byte(prev.Response), '\n'))
		}
		return true, nil
	}
	if _, ok, err := h.apply(ctx, read, now, refused); err != nil {
		h.serverError(w, r, false, "storing an event", err)
	} else if ok {
		writeRaw(w, http.StatusCreated, append([]byte(answer), '\n'))
	}
}

// overrideRefusal is why fact e, an override of lead l's stage, is
// refused (the rules give the lead its stage already, or an override holds
// it there), or nil for any other fact and an override that moves the lead.
func overrideRefusal(m *qualify.Model, l store.Lead, e lead.Event) *Error {
	if e.Kind != lead.KindOverride {
		return nil
	}
	st := l.State
	v, _ := lead.Score(m, &st, e.At/1000)
	switch {
	case v.ByRule && v.Stage == e.Stage:
		return newError("invalid", "the rules give this lead the stage "+e.Stage+" already: there is nothing to override",
			fieldError{"stage", "by_rule", "the lead is in " + e.Stage + " by the rules"})
	case !v.ByRule && v.Stage == e.Stage:
		return newError("invalid", "the lead is in "+e.Stage+" by an override already",
			fieldError{"stage", "held", "an override by " + st.Override.Actor + " holds the lead in " + e.Stage +
				"; set the stage the rules give (" + v.Verdict.Stage + ") to return it to them"})
	}
	return nil
}

// reassigned gives lead l the owner that fact e, a reassignment, names,
// in the team it names: the write stores the lead with them. As when the
// routing gives a lead (give), what came due before is not theirs to
// hear of.
func reassigned(l *store.Lead, e *lead.Event) {
	if e.Kind == lead.KindAssign {
		l.Owner, l.Team = e.Value, e.Name
		l.AlertedAt = max(l.AlertedAt, e.Recorded)
	}
}

// factReply is the answer to recorded fact ev: the event, and where the
// lead, row, stands after it with verdict v (JSON).
func factReply(ev *store.EventWrite, row *store.LeadWrite, v *lead.Verdict) string {
	b, _ := json.Marshal(factAnswer{ID: ev.ID, Lead: row.ID, Kind: ev.Kind, At: time.UnixMilli(ev.At).UTC().Format(time.RFC3339),
		Stage: v.Stage, ByRule: v.ByRule, Fit: v.Fit, Tier: v.Tier})
	return string(b)
}

// activeLead reads a lead, or the lead it was merged into.
func (h *Handler) activeLead(ctx context.Context, id string) (store.Lead, error) {
	l, err := h.store.Lead(ctx, id)
	for hops := 0; err == nil && l.MergedInto != "" && hops < 4; hops++ {
		l, err = h.store.Lead(ctx, l.MergedInto)
	}
	return l, err
}

// bodyHashOf keys a hash of a request's body with the secret.
func (h *Handler) bodyHashOf(body []byte) string { return h.hashKey("body:" + string(body)) }

// fact checks a fact and makes it an event of lead l.
func (h *Handler) fact(m *qualify.Model, in *factJSON, l store.Lead, now time.Time) (lead.Event, []fieldError) {
	var errs []fieldError
	e := lead.Event{ID: newID(), Lead: l.ID, Note: in.Note, Recorded: now.UnixMilli()}
	in.Actor = strings.TrimSpace(in.Actor)
	switch {
	case in.Actor == "" || len(in.Actor) > 200:
		errs = append(errs, fieldError{"actor", "required", "actor names who acted, in at most 200 bytes"})
	case in.Actor == report.SystemActor || in.Actor == "visitor":
		errs = append(errs, fieldError{"actor", "reserved", "actor " + in.Actor + " is Winnow's own: name who acted"})
	}
	e.Actor = in.Actor
	if len(in.Note) > 2000 {
		errs = append(errs, fieldError{"note", "too_long", "at most 2000 bytes"})
	}
	e.At = now.UnixMilli()
	if in.At != "" {
		switch t, err := time.Parse(time.RFC3339, in.At); {
		case err != nil:
			errs = append(errs, fieldError{"at", "date", "at must be an RFC 3339 time such as 2026-03-31T09:30:00Z"})
		case t.After(now.Add(5 * time.Minute)):
			errs = append(errs, fieldError{"at", "range", "at is in the future"})
		case t.UnixMilli() < l.CreatedAt:
			errs = append(errs, fieldError{"at", "range", "at is before the lead existed (" +
				time.UnixMilli(l.CreatedAt).UTC().Format(time.RFC3339) + ")"})
		default:
			e.At = min(t.UnixMilli(), now.UnixMilli()) // a sender's clock a little ahead: it happened now
		}
	}
	n := 0
	for _, set := range []bool{in.Signal != "", in.Activity != "", in.Outcome != "", in.Stage != "", in.Answers != nil,
		in.Accept, in.Reject, in.Reassign != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		errs = append(errs, fieldError{"body", "fact", "name one fact: signal, activity, outcome, stage, answers, accept, reject or reassign"})
		return e, errs
	}
	r := h.c.Routing
	switch {
	case in.Signal != "":
		e.Kind, e.Name, e.Value = lead.KindSignal, in.Signal, in.Value
		if m.SignalIndex(in.Signal) < 0 {
			errs = append(errs, fieldError{"signal", "unknown", "the model has no signal " + in.Signal + ": it has " + signalNames(m)})
		}
		if len(in.Value) > 500 {
			errs = append(errs, fieldError{"value", "too_long", "at most 500 bytes"})
		}
		if i := m.SignalIndex(in.Signal); i >= 0 && m.Signals[i].Reason {
			// Its value is why: one of the model's reasons.
			e.Value = in.Reason
			if m.CloseReasonIndex(in.Reason) < 0 {
				errs = append(errs, fieldError{"reason", "option", "signal " + in.Signal + " needs a reason, one of " + reasonNames(m)})
			}
		}
	case in.Activity != "":
		e.Kind, e.Name = lead.KindActivity, in.Activity
		if acts := h.activities(); !slices.Contains(acts, in.Activity) {
			errs = append(errs, fieldError{"activity", "unknown", "activity must be one of " + strings.Join(acts, ", ")})
		}
	case in.Accept:
		e.Kind = lead.KindAccept
		if r != nil {
			e.Name = r.AcceptSignal
		}
		if l.State.Outcome != "" {
			errs = append(errs, fieldError{"accept", "closed", "the lead is " + l.State.Outcome + ": reopen it (outcome open) to work it again"})
		}
	case in.Reject:
		e.Kind, e.Value = lead.KindReject, strings.TrimSpace(in.Reason)
		switch rr := r.RejectReason(e.Value); {
		case r == nil || len(r.RejectReasons) == 0:
			errs = append(errs, fieldError{"reject", "unavailable", "the content lists no reject_reasons in routing.yaml: a lead cannot be rejected"})
		case e.Value == "":
			errs = append(errs, fieldError{"reason", "required", "a rejection needs a reason, one of " + rejectNames(r)})
		case rr == nil:
			errs = append(errs, fieldError{"reason", "option", "reason " + strconv.Quote(e.Value) + " is not one of the reject reasons: " + rejectNames(r)})
		default:
			e.Stage = rr.To
		}
		if l.State.Outcome != "" {
			errs = append(errs, fieldError{"reject", "closed", "the lead is " + l.State.Outcome + ": it is no one's to reject"})
		}
	case in.Reassign != "":
		e.Kind, e.Note = lead.KindAssign, "reassigned by "+in.Actor
		if note := strings.TrimSpace(in.Note); note != "" {
			e.Note += ": " + note
		}
		team := reassignTeam(m, r, l.Team, l.Stage)
		var p *routing.Person
		if team != nil {
			if p = team.Person(strings.TrimSpace(in.Reassign)); p == nil {
				if q, _ := r.Find(in.Reassign); q != nil {
					p = team.Person(q.Name) // named by email
				}
			}
		}
		switch {
		case team == nil:
			errs = append(errs, fieldError{"reassign", "team", "the lead has no team of routing.yaml to reassign it in"})
		case p == nil:
			errs = append(errs, fieldError{"reassign", "unknown", "reassign names nobody of team " + team.Name + ": its people are " + peopleNames(team)})
		case p.Name == l.Owner && team.Name == l.Team:
			errs = append(errs, fieldError{"reassign", "held", p.Name + " owns the lead already"})
		default:
			e.Name, e.Value = team.Name, p.Name
		}
		if l.State.Outcome != "" {
			errs = append(errs, fieldError{"reassign", "closed", "the lead is " + l.State.Outcome + ": reopen it (outcome open) to hand it on"})
		}
		if l.Spam {
			errs = append(errs, fieldError{"reassign", "spam", "the lead is a robot's: nobody works it"})
		}
	case in.Outcome != "":
		e.Kind, e.Stage, e.Value = lead.KindOutcome, in.Outcome, strings.TrimSpace(in.Reason)
		switch {
		case in.Outcome != lead.Won && in.Outcome != lead.Lost && in.Outcome != lead.Open:
			errs = append(errs, fieldError{"outcome", "option", "outcome must be won, lost, or open (to reopen a closed lead)"})
		case in.Outcome == lead.Open && l.State.Outcome == "":
			errs = append(errs, fieldError{"outcome", "open", "the lead is open: it has no outcome to undo"})
		case in.Outcome == l.State.Outcome:
			errs = append(errs, fieldError{"outcome", "held", "the lead is " + in.Outcome + " already"})
		case in.Outcome == lead.Lost && m.CloseReasonIndex(e.Value) < 0:
			errs = append(errs, fieldError{"reason", "option", "a lost lead needs a reason, one of " + reasonNames(m)})
		}
	case in.Stage != "":
		e.Kind, e.Stage, e.Value = lead.KindOverride, in.Stage, strings.TrimSpace(in.Reason)
		if in.Stage == lead.Won || in.Stage == lead.Lost {
			e.Kind, e.Stage = lead.KindOutcome, in.Stage // what the API took before outcomes had their own member
			if in.Stage == lead.Lost && m.CloseReasonIndex(e.Value) < 0 {
				errs = append(errs, fieldError{"reason", "option", "a lost lead needs a reason, one of " + reasonNames(m)})
			}
			break
		}
		if in.Stage == report.Contacted {
			e.Kind, e.Name, e.Stage, e.Value = lead.KindActivity, in.Stage, "", ""
			break
		}
		if m.StageIndex(in.Stage) < 0 {
			errs = append(errs, fieldError{"stage", "option", "stage must be one of the model's: " + stageNames(m)})
		}
		if e.Value == "" || len(e.Value) > 500 {
			errs = append(errs, fieldError{"reason", "required",
				"setting a stage the rules do not give is an override: say why, in at most 500 bytes"})
		}
	default:
		e.Kind, e.Answers = lead.KindAnswers, in.Answers
		for k, v := range in.Answers {
			i := m.FieldIndex(k)
			if i < 0 {
				errs = append(errs, fieldError{"answers." + k, "unknown", "the model has no field " + k})
				continue
			}
			if fe, ok := m.Fields[i].Check(v); !ok {
				errs = append(errs, fieldError{"answers." + k, fe.Code, fe.Message})
			}
		}
	}
	slices.SortFunc(errs, func(a, b fieldError) int { return strings.Compare(a.Field, b.Field) })
	return e, errs
}

// joinNames lists the names of items, as name gives each, joined by
// commas: what an error names as the options.
func joinNames[T any](items []T, name func(*T) string) string {
	names := make([]string, len(items))
	for i := range items {
		names[i] = name(&items[i])
	}
	return strings.Join(names, ", ")
}

func signalNames(m *qualify.Model) string {
	return joinNames(m.Signals, func(s *qualify.Signal) string { return s.Name })
}

func reasonNames(m *qualify.Model) string {
	return joinNames(m.CloseReasons, func(r *qualify.CloseReason) string { return r.Name })
}

// rejectNames lists the names of the reject reasons of r.
func rejectNames(r *routing.Routing) string {
	return joinNames(r.RejectReasons, func(rr *routing.RejectReason) string { return rr.Name })
}

// peopleNames lists the names of the people of t.
func peopleNames(t *routing.Team) string {
	return joinNames(t.People, func(p *routing.Person) string { return p.Name })
}

// reassignTeam is the team whose people a lead may be handed to: the
// team it is owned in, else the team its stage's SLA names; nil when the
// routing (r, which may be nil) has neither.
func reassignTeam(m *qualify.Model, r *routing.Routing, team, stage string) *routing.Team {
	if r == nil {
		return nil
	}
	if team != "" {
		return r.Team(team)
	}
	if i := m.StageIndex(stage); i >= 0 {
		return r.Team(m.Stages[i].SLA.Owner)
	}
	return nil
}

func stageNames(m *qualify.Model) string {
	names := make([]string, len(m.Stages))
	for i, s := range m.Stages {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}
