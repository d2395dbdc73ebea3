package worker

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/store"
)

// leadJSON is a stored lead as the admin API gives it: where it stands,
// the rules' verdict with every reason, the browser's verdict at its
// first submission, its timeline and its score history.
type leadJSON struct {
	ID            string            `json:"id"`
	CreatedAt     string            `json:"created_at"`
	Source        string            `json:"source"`
	Spam          bool              `json:"spam"`
	Fields        map[string]string `json:"fields"`
	Signals       map[string]string `json:"signals"` // the latest instant of each, RFC 3339
	Stage         string            `json:"stage"`
	ByRule        bool              `json:"by_rule"`
	Override      *lead.Override    `json:"override,omitempty"`
	Outcome       string            `json:"outcome,omitempty"`
	Owner         string            `json:"owner"`                // who owns the lead; "" for nobody
	Team          string            `json:"team"`                 // the team of the stage it was assigned in; "" until assigned
	NextCheck     string            `json:"next_check,omitempty"` // when time alone may next change its verdict
	Verdict       json.RawMessage   `json:"verdict"`
	ClientModel   string            `json:"client_model,omitempty"`
	ClientVerdict json.RawMessage   `json:"client_verdict,omitempty"`
	MergedInto    string            `json:"merged_into,omitempty"`
	Merged        []string          `json:"merged,omitempty"` // the leads merged into this one
	Events        []eventOut        `json:"events"`
	Scores        []scoreOut        `json:"scores"`
	Purged        bool              `json:"purged,omitempty"`
}

// eventOut is an event of a lead's timeline.
type eventOut struct {
	ID      string            `json:"id"`
	Lead    string            `json:"lead,omitempty"` // a merged lead's events name it
	Kind    string            `json:"kind"`
	Name    string            `json:"name,omitempty"`
	Value   string            `json:"value,omitempty"`
	Stage   string            `json:"stage,omitempty"`
	ByRule  *bool             `json:"by_rule,omitempty"`
	Answers map[string]string `json:"answers,omitempty"`
	Actor   string            `json:"actor"`
	Source  string            `json:"source"`
	Note    string            `json:"note,omitempty"`
	At      string            `json:"at"`
}

// scoreOut is a row of the score history.
type scoreOut struct {
	At      string          `json:"at"`
	Stage   string          `json:"stage"`
	Fit     string          `json:"fit"`
	Tier    string          `json:"tier"`
	Score   float64         `json:"score"`
	Event   string          `json:"event,omitempty"`
	Changed json.RawMessage `json:"changed,omitempty"`
}

func stampMS(ms int64) string { return time.UnixMilli(ms).UTC().Format(time.RFC3339) }

// getLead gives a lead with its verdict, its timeline and its history.
func (h *Handler) getLead(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	l, err := h.loadLead(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, newError("not_found", "no lead "+id))
		return
	}
	if err != nil {
		h.serverError(w, r, false, "reading a lead", err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

// loadLead reads a lead with what the leads merged into it brought.
func (h *Handler) loadLead(ctx context.Context, id string) (leadJSON, error) {
	row, err := h.store.Lead(ctx, id)
	if err != nil {
		return leadJSON{}, err
	}
	merged, err := h.store.MergedInto(ctx, id)
	if err != nil {
		return leadJSON{}, err
	}
	t, err := h.store.Timeline(ctx, append([]string{id}, merged...))
	if err != nil {
		return leadJSON{}, err
	}
	l := leadJSON{ID: row.ID, CreatedAt: stampMS(row.CreatedAt), Source: row.Source, Spam: row.Spam, Fields: row.State.Answers,
		Signals: map[string]string{}, Stage: row.Stage, Override: row.State.Override, Outcome: row.State.Outcome,
		Owner: row.Owner, Team: row.Team,
		Verdict: json.RawMessage(row.Verdict), ClientModel: row.ClientModel, MergedInto: row.MergedInto, Merged: merged,
		Events: []eventOut{}, Scores: []scoreOut{}, Purged: row.PurgedAt != 0}
	var v VerdictJSON
	json.Unmarshal([]byte(row.Verdict), &v)
	l.ByRule = v.Stage == row.Stage
	for k, t := range row.State.Signals {
		l.Signals[k] = time.Unix(t, 0).UTC().Format(time.RFC3339)
	}
	if row.NextCheckAt != 0 {
		l.NextCheck = stampMS(row.NextCheckAt)
	}
	if row.Client != "" && json.Valid([]byte(row.Client)) {
		l.ClientVerdict = json.RawMessage(row.Client)
	}
	for _, e := range t.Events {
		out := eventOut{ID: e.ID, Kind: e.Kind, Name: e.Name, Value: e.Value, Stage: e.Stage, Answers: e.Answers,
			Actor: e.Actor, Source: e.Source, Note: e.Note, At: stampMS(e.At)}
		if e.Lead != id {
			out.Lead = e.Lead
		}
		if e.Kind == lead.KindStage {
			by := e.ByRule
			out.ByRule = &by
		}
		l.Events = append(l.Events, out)
	}
	for _, s := range t.Scores {
		out := scoreOut{At: stampMS(s.At), Stage: s.Stage, Fit: s.Fit, Tier: s.Tier, Score: s.Score, Event: s.Event}
		if s.Changed != "" {
			out.Changed = json.RawMessage(s.Changed)
		}
		l.Scores = append(l.Scores, out)
	}
	return l, nil
}

// mergeJSON is the body of POST /api/leads/{id}/merge and /unmerge.
type mergeJSON struct {
	Lead   string `json:"lead"` // the other lead
	Actor  string `json:"actor"`
	Reason string `json:"reason"`
}

// postMerge merges another lead into the lead (admin): the two are one
// person. The other lead's events become the lead's (its row stays, as
// merged), the lead is folded again from all of them and re-scored, and
// the merge is an event of both.
func (h *Handler) postMerge(w http.ResponseWriter, r *http.Request) { h.merge(w, r, true) }

// postUnmerge takes a merged lead out of the lead again (admin): each is
// folded from its own events and re-scored.
func (h *Handler) postUnmerge(w http.ResponseWriter, r *http.Request) { h.merge(w, r, false) }

func (h *Handler) merge(w http.ResponseWriter, r *http.Request, merge bool) {
	body, ok := h.body(w, r)
	if !ok {
		return
	}
	var in mergeJSON
	if !h.readJSON(w, r, body, &in, "lead, actor and reason") {
		return
	}
	ctx := r.Context()
	if _, err := h.model(ctx); err != nil {
		h.serverError(w, r, false, "loading the domain lists", err)
		return
	}
	id, other := r.PathValue("id"), strings.TrimSpace(in.Lead)
	in.Actor = strings.TrimSpace(in.Actor)
	var errs []fieldError
	if other == "" {
		errs = append(errs, fieldError{"lead", "required", "name the other lead"})
	} else if other == id {
		errs = append(errs, fieldError{"lead", "same", "a lead cannot be merged with itself"})
	}
	if in.Actor == "" || len(in.Actor) > 200 || in.Actor == "winnow" || in.Actor == "visitor" {
		errs = append(errs, fieldError{"actor", "required", "actor names who merges, in at most 200 bytes"})
	}
	if len(errs) > 0 {
		writeError(w, newError("invalid", "the merge needs a correction", errs...))
		return
	}
	target, err := h.store.Lead(ctx, id)
	src, err2 := h.store.Lead(ctx, other)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, newError("not_found", "no lead "+id))
		return
	case errors.Is(err2, store.ErrNotFound):
		writeError(w, newError("not_found", "no lead "+other, fieldError{"lead", "not_found", "no lead " + other}))
		return
	case err != nil || err2 != nil:
		h.serverError(w, r, false, "reading leads", errors.Join(err, err2))
		return
	case target.MergedInto != "":
		writeError(w, newError("conflict", "lead "+id+" is merged into "+target.MergedInto+": merge into that one"))
		return
	case merge && src.MergedInto != "":
		writeError(w, newError("conflict", "lead "+other+" is merged into "+src.MergedInto+" already"))
		return
	case !merge && src.MergedInto != id:
		writeError(w, newError("conflict", "lead "+other+" is not merged into "+id))
		return
	}
	p, err := h.mergeOrUnmerge(ctx, id, other, in.Actor, in.Reason, merge, h.now())
	if err != nil {
		h.serverError(w, r, false, "merging leads", err)
		return
	}
	kind := lead.KindMerge
	if !merge {
		kind = lead.KindUnmerge
	}
	writeJSON(w, http.StatusOK, map[string]any{"lead": id, "kind": kind, "other": other, "stage": p.verdict.Stage})
}
