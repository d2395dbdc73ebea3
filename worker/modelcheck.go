package worker

import (
	"context"
	"database/sql"
	"net/http"
	"sync"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/templates"
)

// The dashboard's model check (/admin/model): how well the model's score
// at signup predicts the outcomes sales recorded, and the points fitted
// to them, computed by a ModelChecker. The edge has none (the backtest,
// with its YAML, would cost the worker about 100 KB gzipped): its page
// says how to run the check with winnow backtest --db.

// ModelChecker computes the model check of the leads in db with model m:
// natively package worker/modelcheck's Checker.
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
// which a page view should not do each time.
type modelCheck struct {
	mu     sync.Mutex // held while one is computed: a second view waits for it
	key    [2]int64   // outcome events, the latest one's instant
	result *ModelCheck
}

// check returns the model check of the stored outcomes: the one kept if
// no outcome was recorded since, else a new one. The model is the
// handler's own, for its life.
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
		return nil, err
	}
	mc.key, mc.result = key, res
	return res, nil
}

// modelPage shows the model check, or, without a ModelChecker, how to
// make one.
func (h *Handler) modelPage(w http.ResponseWriter, r *http.Request, p templates.AdminPage) {
	p.Title = "Model check"
	if h.c.ModelCheck == nil {
		h.adminRender(w, r, http.StatusOK, p, templates.ModelCheckView(templates.ModelCheck{Model: h.c.Model.Version,
			Message: "The check runs beside the content, not here: export the database (wrangler d1 export), " +
				"load it into SQLite (sqlite3 winnow.db < export.sql) and run winnow backtest --db winnow.db --suggest. " +
				"It scores the leads with an outcome as they came in, prints how well the score predicts the outcomes, " +
				"and writes the fitted points as a patch of scoring.yaml."}))
		return
	}
	res, err := h.check(r.Context())
	if err != nil {
		h.dbDown(w, r, "checking the model", err)
		return
	}
	h.adminRender(w, r, http.StatusOK, p, templates.ModelCheckView(res.View))
}

// modelPatch sends the model check's suggestion as a patch of the
// model's source, when there is one.
func (h *Handler) modelPatch(w http.ResponseWriter, r *http.Request, _ templates.AdminPage) {
	if h.c.ModelCheck == nil {
		h.adminMessage(w, r, http.StatusNotFound, "No patch here",
			"The model check runs beside the content: winnow backtest --db FILE --suggest writes the patch.")
		return
	}
	res, err := h.check(r.Context())
	if err != nil {
		h.dbDown(w, r, "checking the model", err)
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
