package worker

import (
	"context"
	"errors"
	"time"

	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/store"
)

// Work done on a schedule: the cron trigger at the edge, tickers natively.

// Rescored counts what a pass of Rescore did.
type Rescored struct {
	Leads   int // leads re-scored
	Changed int // of them, those whose verdict changed
}

// Rescore re-scores the leads whose verdict time alone may have changed
// by at: each lead stores the instant NextChange gave (next_check_at), so
// the pass reads those due, in order, at most Limits.RescoreBatch of them
// a round, and never the others. It goes on until none is due or
// Limits.DeliverBudget has passed.
func (h *Handler) Rescore(ctx context.Context, at time.Time) (Rescored, error) {
	var n Rescored
	began := h.now()
	for {
		ids, err := h.store.DueLeads(ctx, at.UnixMilli(), h.c.Limits.RescoreBatch)
		if err != nil || len(ids) == 0 {
			return n, err
		}
		for _, id := range ids {
			changed, err := h.rescore(ctx, id, at, false)
			if err != nil {
				return n, err
			}
			n.Leads++
			if changed {
				n.Changed++
			}
		}
		if len(ids) < h.c.Limits.RescoreBatch || h.now().Sub(began) >= h.c.Limits.DeliverBudget {
			return n, nil
		}
	}
}

// rescore re-scores one lead from its last verdict up to now, folded from
// its events if fold, and reports whether its verdict changed.
func (h *Handler) rescore(ctx context.Context, id string, now time.Time, fold bool) (bool, error) {
	read := func() (change, error) {
		l, err := h.store.Lead(ctx, id)
		return change{lead: l, fold: fold}, err
	}
	p, _, err := h.apply(ctx, read, now, nil)
	if err != nil {
		return false, err
	}
	return p.was.Stage != p.verdict.Stage || p.was.Fit != p.verdict.Fit || p.was.Tier != p.verdict.Tier, nil
}

// Persons computes the person of the leads an earlier release stored (one
// lead per submission then): the key their email address is found by.
// Where another lead already holds the person, the lead is merged into it
// (the oldest stays), as an event of both. It does at most limit leads a
// call and returns how many it did.
func (h *Handler) Persons(ctx context.Context, limit int) (int, error) {
	todo, err := h.store.PersonsTodo(ctx, limit)
	if err != nil {
		return 0, err
	}
	for _, t := range todo {
		person := h.person(t.Email)
		changed, err := h.store.Run(ctx, []store.Stmt{store.SetPerson(t.ID, person)})
		if err != nil {
			return 0, err
		}
		if changed[0] == 1 {
			continue
		}
		holder, err := h.store.LeadByPerson(ctx, person)
		if err != nil {
			return 0, err
		}
		into, other := holder.ID, t.ID
		if t.CreatedAt < holder.CreatedAt {
			into, other = t.ID, holder.ID
			// The older lead takes the person; the newer one joins it.
			if _, err := h.store.Run(ctx, store.MovePerson(holder.ID, t.ID, person)); err != nil {
				return 0, err
			}
		}
		if err := h.mergeLeads(ctx, into, other, report.SystemActor, "the same person", h.now()); err != nil {
			return 0, err
		}
	}
	return len(todo), nil
}

// mergeLeads merges lead other into lead into, as actor did for reason
// (see postMerge).
func (h *Handler) mergeLeads(ctx context.Context, into, other, actor, reason string, now time.Time) error {
	_, err := h.mergeOrUnmerge(ctx, into, other, actor, reason, true, now)
	return err
}

// mergeOrUnmerge merges other into into, or takes it out again, and
// re-scores both.
func (h *Handler) mergeOrUnmerge(ctx context.Context, into, other, actor, reason string, merge bool, now time.Time) (plan, error) {
	kind := lead.KindMerge
	if !merge {
		kind = lead.KindUnmerge
	}
	ev := store.EventWrite{Event: lead.Event{ID: newID(), Lead: into, Kind: kind, Value: other, Actor: actor, Source: "admin",
		Note: reason, At: now.UnixMilli(), Recorded: now.UnixMilli()}}
	read := func() (change, error) {
		l, err := h.store.Lead(ctx, into)
		o, err2 := h.store.Lead(ctx, other)
		c := change{lead: l, events: []store.EventWrite{ev}}
		target := into
		if !merge {
			target = ""
		}
		if err := errors.Join(err, err2); err != nil {
			return c, err
		}
		var left func(guard string, args []any) []store.Stmt
		if merge {
			// What it counted in the report is the lead's now.
			if left, err = h.leftRollups(ctx, &o); err != nil {
				return c, err
			}
		}
		c.extra = func(guard string, args []any) []store.Stmt {
			stmts := []store.Stmt{store.MergeLead(other, o.Version, target, guard, args...)}
			if left != nil {
				stmts = append(stmts, left(guard, args)...)
			}
			return stmts
		}
		return c, nil
	}
	p, _, err := h.apply(ctx, read, now, nil)
	if err != nil || merge {
		return p, err
	}
	// The lead taken out is folded from its own events again.
	_, err = h.rescore(ctx, other, now, true)
	return p, err
}
