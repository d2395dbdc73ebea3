package worker

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"sync"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/templates"
)

// The dashboard's model check (/admin/model): how well the model's score
// at signup predicts the outcomes sales recorded, and the points fitted
// to them, computed by a ModelChecker: package worker/modelcheck's
// Checker, natively and at the edge. Without one (WINNOW_MODEL_CHECK_MAX
// set to 0) the page says how to run the check with winnow backtest --db.

// ModelChecker computes the model check of the leads in db with model m:
// package worker/modelcheck's Checker.
type ModelChecker interface {
	CheckModel(ctx context.Context, db *sql.DB, m *qualify.Model) (*ModelCheck, error)
}

// ModelCheck is a model check as a ModelChecker computes it.
type ModelCheck struct {
	View  templates.ModelCheck
	Patch []byte // the suggestion as a patch of the model's source; nil for none
}

// modelCheck is the last model check computed, kept until an outcome is
// recorded: computing one reads and fits the leads with an outcome,
// which a page view should not do each time. The outcomes are counted in
// the database on every view, so a handler that kept a check (at the
// edge, each isolate's) computes it again once any other recorded one.
type modelCheck struct {
	mu     sync.Mutex // held while one is computed: a second view waits for it
	key    [2]int64   // outcome events, the latest one's instant
	result *ModelCheck
}

// check returns the model check of the stored outcomes: the one kept if
// no outcome was recorded since, else a new one. The model is the
// handler's own, for its life. A failure to count the outcomes is the
// database's (dbDown); a failure of the check itself is a checkError.
func (h *Handler) check(ctx context.Context) (*ModelCheck, error) {
	count, last, err := h.store.OutcomeStamp(ctx)
	if err != nil {
		return nil, err
	}
	key := [2]int64{count, last}
	mc := &h.modelCheck
	mc.mu.Lock()
	defer mc.mu.Unlock()
	if mc.result != nil && mc.key == key {
		return mc.result, nil
	}
	res, err := h.c.ModelCheck.CheckModel(ctx, h.c.DB, h.c.Model)
	if err != nil {
		return nil, checkError{err}
	}
	mc.key, mc.result = key, res
	return res, nil
}

// checkError is a model check that failed once it began: reading the
// leads, or writing the patch.
type checkError struct{ err error }

func (e checkError) Error() string { return e.err.Error() }
func (e checkError) Unwrap() error { return e.err }

// checkFailed answers a request whose model check failed: 503 with what
// went wrong, or the database's page when it was the outcomes' count.
func (h *Handler) checkFailed(w http.ResponseWriter, r *http.Request, err error) {
	var ce checkError
	if !errors.As(err, &ce) {
		h.dbDown(w, r, "checking the model", err)
		return
	}
	h.log.Error("checking the model", "err", err)
	h.adminMessage(w, r, http.StatusServiceUnavailable, "The model check failed",
		"The check could not run just now: "+err.Error()+". Try again in a minute; "+
			"winnow backtest --db runs the same check on a copy of the database.")
}

// modelPage shows the model check, or, without a ModelChecker, how to
// make one.
func (h *Handler) modelPage(w http.ResponseWriter, r *http.Request, p templates.AdminPage) {
	p.Title = "Model check"
	if h.c.ModelCheck == nil {
		h.adminRender(w, r, http.StatusOK, p, templates.ModelCheckView(templates.ModelCheck{Model: h.c.Model.Version,
			Message: "The check is off on this server (WINNOW_MODEL_CHECK_MAX is 0). It runs beside the content too: " +
				"with a copy of the database (at the edge: wrangler d1 export, then sqlite3 winnow.db < export.sql), " +
				"run winnow backtest --db winnow.db --suggest. " +
				"It scores the leads with an outcome as they came in, prints how well the score predicts the outcomes, " +
				"and writes the fitted points as a patch of scoring.yaml."}))
		return
	}
	res, err := h.check(r.Context())
	if err != nil {
		h.checkFailed(w, r, err)
		return
	}
	h.adminRender(w, r, http.StatusOK, p, templates.ModelCheckView(res.View))
}

// modelPatch sends the model check's suggestion as a patch of the
// model's source, when there is one.
func (h *Handler) modelPatch(w http.ResponseWriter, r *http.Request, _ templates.AdminPage) {
	if h.c.ModelCheck == nil {
		h.adminMessage(w, r, http.StatusNotFound, "No patch here",
			"The model check is off on this server: winnow backtest --db FILE --suggest writes the patch beside the content.")
		return
	}
	res, err := h.check(r.Context())
	if err != nil {
		h.checkFailed(w, r, err)
		return
	}
	if res.Patch == nil {
		h.adminMessage(w, r, http.StatusNotFound, "No patch", res.View.NoPatch)
		return
	}
	adminHeaders(w.Header())
	w.Header().Set("Content-Type", "text/x-diff; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="suggest.patch"`)
	w.Write(res.Patch)
}
