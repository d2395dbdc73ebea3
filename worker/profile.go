package worker

import (
	"errors"
	"net/http"
	"slices"

	"github.com/winnowhq/winnow/worker/store"
)

// profilesPerWindow bounds how often a visitor, and an address, may ask
// for their profile in a window: a form asks once per page view.
const profilesPerWindow = 60

// profileJSON is what GET /api/profile tells a visitor of their lead:
// which of the questions the forms ask it has answered, by field name,
// never the answers.
type profileJSON struct {
	Answered []string `json:"answered"`
}

// getProfile tells the site's forms which questions the visitor's lead
// (the lead their first-party visitor cookie became) has answered, so
// that a form does not ask them again (progressive profiling). It names
// fields only, never the answers. A visitor without a lead has answered
// nothing, and so has a request without the cookie, which is answered
// without looking anything up; with it, each visitor and each address
// may ask a limited number of times a window.
func (h *Handler) getProfile(w http.ResponseWriter, r *http.Request) {
	if h.crossOrigin(r) {
		writeError(w, newError("origin", "profiles are given to the site's own pages only"))
		return
	}
	out := profileJSON{Answered: []string{}}
	visitor := visitorOf(r)
	if visitor == "" {
		writeJSON(w, http.StatusOK, out)
		return
	}
	ctx := r.Context()
	now := h.now()
	for _, key := range []string{"profile:" + visitor, "profile-ip:" + h.client(r)} {
		retry, over, err := h.limited(ctx, key, profilesPerWindow, now)
		if err != nil {
			h.serverError(w, r, false, "counting profile requests", err)
			return
		}
		if over {
			h.tooMany(w, r, false, retry, "too many profile requests")
			return
		}
	}
	l, err := h.store.LeadByVisitor(ctx, visitor)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		h.serverError(w, r, false, "finding a visitor's lead", err)
		return
	case !l.Spam && l.PurgedAt == 0:
		m := h.c.Model
		for name, v := range l.State.Answers {
			if i := m.FieldIndex(name); i >= 0 && v != "" && !m.Fields[i].Hidden {
				out.Answered = append(out.Answered, name)
			}
		}
		slices.Sort(out.Answered)
	}
	writeJSON(w, http.StatusOK, out)
}
