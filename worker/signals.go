package worker

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/store"
)

// MaxSignals is how many signals one request to POST /api/signals may
// carry.
const MaxSignals = 500

// signalsJSON is the body of POST /api/signals.
type signalsJSON struct {
	Signals []signalJSON `json:"signals"`
}

// signalJSON is one signal: which lead (by id or email), which signal of
// the model, when, an optional value, and the item's own id, which makes
// it idempotent (a resent item is recorded once).
type signalJSON struct {
	ID     string `json:"id"`
	Lead   string `json:"lead"`
	Email  string `json:"email"`
	Signal string `json:"signal"`
	At     string `json:"at"` // RFC 3339; default now
	Value  string `json:"value"`
}

// itemResult says what became of one signal.
type itemResult struct {
	ID     string `json:"id"`
	Lead   string `json:"lead"`
	Status string `json:"status"` // "recorded", or "duplicate" for an item recorded before
}

// postSignals records signals of the model from an integration: the
// admin token, an integration's token (Config.Integrations), or a
// callback signed with the callback secret. The whole request is checked
// first: an unknown signal, an unknown lead, an instant in the future or
// before its lead existed is a 422 naming the item, and nothing is
// stored. Then each lead's signals are stored with the lead re-scored,
// one write per lead.
func (h *Handler) postSignals(w http.ResponseWriter, r *http.Request) {
	var in signalsJSON
	integration, _, m, ok := h.readFacts(w, r, h.integration, &in, "signals: a list of {id, lead or email, signal, at, value}")
	if !ok {
		return
	}
	ctx := r.Context()
	if len(in.Signals) == 0 || len(in.Signals) > MaxSignals {
		writeError(w, newError("invalid", "send 1 to "+strconv.Itoa(MaxSignals)+" signals",
			fieldError{"signals", "count", "a request carries 1 to " + strconv.Itoa(MaxSignals) + " signals, not " + strconv.Itoa(len(in.Signals))}))
		return
	}
	now := h.now()
	var errs []fieldError
	var ids, persons []string
	items := make([]store.EventWrite, len(in.Signals))
	seen := map[string]bool{}
	for i := range in.Signals {
		s := &in.Signals[i]
		at := "signals[" + strconv.Itoa(i) + "]."
		if s.ID == "" || len(s.ID) > 128 {
			errs = append(errs, fieldError{at + "id", "required", "each signal needs an id of at most 128 bytes, which makes it idempotent"})
		} else if seen[s.ID] {
			errs = append(errs, fieldError{at + "id", "repeated", "the id " + strconv.Quote(s.ID) + " is on two signals"})
		}
		seen[s.ID] = true
		switch {
		case s.Signal == "":
			errs = append(errs, fieldError{at + "signal", "required", "name a signal of the model: " + signalNames(m)})
		case m.SignalIndex(s.Signal) < 0:
			errs = append(errs, fieldError{at + "signal", "unknown", "the model has no signal " + strconv.Quote(s.Signal) + ": it has " + signalNames(m)})
		case m.Signals[m.SignalIndex(s.Signal)].Reason && m.CloseReasonIndex(s.Value) < 0:
			errs = append(errs, fieldError{at + "value", "option", "signal " + s.Signal + " takes a reason as its value, one of " + reasonNames(m)})
		}
		switch {
		case (s.Lead == "") == (s.Email == ""):
			errs = append(errs, fieldError{at + "lead", "required", "name the lead by its id or by email, not both"})
		case s.Lead != "":
			ids = append(ids, s.Lead)
		default:
			if p := h.person(s.Email); p != "" {
				persons = append(persons, p)
			} else {
				errs = append(errs, fieldError{at + "email", "invalid", "not an email address"})
			}
		}
		if len(s.Value) > 500 {
			errs = append(errs, fieldError{at + "value", "too_long", "at most 500 bytes"})
		}
		t := now
		if s.At != "" {
			var perr error
			if t, perr = time.Parse(time.RFC3339, s.At); perr != nil {
				errs = append(errs, fieldError{at + "at", "date", "at must be an RFC 3339 time such as 2026-03-31T09:30:00Z"})
			} else if t.After(now.Add(5 * time.Minute)) {
				errs = append(errs, fieldError{at + "at", "range", "at is in the future"})
			}
		}
		items[i] = store.EventWrite{Event: lead.Event{ID: "s" + h.hashKey("signal:"+integration+":"+s.ID), Kind: lead.KindSignal,
			Name: s.Signal, Value: s.Value, Actor: integration, Source: "signals", At: min(t.UnixMilli(), now.UnixMilli()), Recorded: now.UnixMilli()},
			Idem: "sig:" + integration + ":" + s.ID}
	}
	if len(errs) > 0 {
		writeError(w, newError("invalid", "some signals need a correction: nothing was stored", errs...))
		return
	}
	leads, err := h.store.Leads(ctx, ids, persons)
	if err != nil {
		h.serverError(w, r, false, "finding leads", err)
		return
	}
	byID, byPerson := map[string]store.Lead{}, map[string]store.Lead{}
	for _, l := range leads {
		byID[l.ID] = l
		if l.Person != "" && l.MergedInto == "" {
			byPerson[l.Person] = l
		}
	}
	groups := map[string][]store.EventWrite{}
	var order []string
	for i := range in.Signals {
		s := &in.Signals[i]
		l, found := byID[s.Lead]
		if s.Lead == "" {
			l, found = byPerson[h.person(s.Email)]
		}
		at := "signals[" + strconv.Itoa(i) + "]."
		switch {
		case !found && s.Lead != "":
			errs = append(errs, fieldError{at + "lead", "not_found", "no lead " + s.Lead})
			continue
		case !found:
			errs = append(errs, fieldError{at + "email", "not_found", "no lead has this email address"})
			continue
		case items[i].At < l.CreatedAt:
			errs = append(errs, fieldError{at + "at", "range", "at is before the lead existed (" + stampMS(l.CreatedAt) + ")"})
			continue
		}
		target := l.ID
		if l.MergedInto != "" {
			target = l.MergedInto
		}
		items[i].Lead = target
		if groups[target] == nil {
			order = append(order, target)
		}
		groups[target] = append(groups[target], items[i])
	}
	if len(errs) > 0 {
		writeError(w, newError("invalid", "some signals need a correction: nothing was stored", errs...))
		return
	}
	results, err := h.recordSignals(ctx, order, groups, now)
	if err != nil {
		h.serverError(w, r, false, "storing signals", err)
		return
	}
	out := struct {
		Recorded   int          `json:"recorded"`
		Duplicates int          `json:"duplicates"`
		Items      []itemResult `json:"items"`
	}{Items: make([]itemResult, len(in.Signals))}
	for i := range in.Signals {
		status := results[items[i].Idem]
		if status == "recorded" {
			out.Recorded++
		} else {
			out.Duplicates++
		}
		out.Items[i] = itemResult{ID: in.Signals[i].ID, Lead: items[i].Lead, Status: status}
	}
	writeJSON(w, http.StatusOK, out)
}

// recordSignals stores each lead's signals with the lead re-scored, and
// says of each item's key whether it was recorded now or before.
func (h *Handler) recordSignals(ctx context.Context, order []string, groups map[string][]store.EventWrite, now time.Time) (map[string]string, error) {
	results := map[string]string{}
	for _, id := range order {
		keys := make([]string, 0, len(groups[id]))
		for _, e := range groups[id] {
			keys = append(keys, e.Idem)
		}
		if done, err := h.store.Recorded(ctx, keys); err != nil {
			return nil, err
		} else if len(done) == len(keys) {
			for _, k := range keys {
				results[k] = "duplicate" // a resent request: nothing to write
			}
			continue
		}
		read := func() (change, error) {
			// Items recorded before (a resent request) are left out.
			keys := make([]string, 0, len(groups[id]))
			for _, e := range groups[id] {
				keys = append(keys, e.Idem)
			}
			done, err := h.store.Recorded(ctx, keys)
			if err != nil {
				return change{}, err
			}
			c := change{}
			for _, e := range groups[id] {
				if _, dup := done[e.Idem]; dup {
					results[e.Idem] = "duplicate"
				} else {
					c.events = append(c.events, e)
				}
			}
			c.lead, err = h.store.Lead(ctx, id)
			return c, err
		}
		_, ok, err := h.apply(ctx, read, now, nil)
		if err != nil {
			return nil, err
		}
		if ok {
			for _, e := range groups[id] {
				if results[e.Idem] == "" {
					results[e.Idem] = "recorded"
				}
			}
		}
	}
	return results, nil
}

// integration checks the credentials of a request from an integration:
// the admin token ("api"), an integration's own token (its name), or a
// callback signed with the callback secret ("crm"). Wrong ones count
// against the client's address. It answers the request itself and
// returns false when it cannot go on.
func (h *Handler) integration(w http.ResponseWriter, r *http.Request, body []byte) (string, bool) {
	token, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if bearer && !h.isAdminToken(token) {
		for name, t := range h.c.Integrations {
			a, b := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(t))
			if subtle.ConstantTimeCompare(a[:], b[:]) == 1 {
				return name, true
			}
		}
	}
	return h.credentials(w, r, body)
}
