package worker

import (
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/worker/store"
)

// rhythm sets where the lead row stands in its stage's rhythm, from its
// report's events (reportLead): when its owner's next attempt is due
// (DueAt) and when the scheduled work is to look at it next (AlertAt: the
// warning share of the interval, then its due time, whichever comes
// after what it already looked at). A lead nobody owns, closed, merged or
// a robot's has nothing due.
func (h *Handler) rhythm(m *qualify.Model, row *store.LeadWrite, rl *report.Lead) {
	row.DueAt, row.AlertAt = 0, 0
	i := m.StageIndex(row.Stage)
	if row.Owner == "" || row.State.Outcome != "" || row.Spam || row.MergedInto != "" || i < 0 {
		return
	}
	sla := m.Stages[i].SLA
	entered, acts, ok := stageActs(rl, row.Stage)
	if !ok {
		return
	}
	cal := h.c.Routing.StageCalendar(sla)
	s := routing.Next(sla, cal, entered, acts)
	if s.Done || s.Due == routing.Never {
		return
	}
	row.DueAt = s.Due * 1000
	for _, at := range []int64{s.At(cal, h.c.Routing.WarnShare()) * 1000, row.DueAt} {
		if at > row.AlertedAt {
			row.AlertAt = at
			return
		}
	}
}

// stageActs returns when the lead last entered stage (Unix s) and the
// instants people acted on it since (Unix s, in order), from its events;
// false when it never entered the stage.
func stageActs(rl *report.Lead, stage string) (entered int64, acts []int64, ok bool) {
	events := rl.Events
	report.SortEvents(events)
	last := -1
	for k, e := range events {
		if e.Stage == stage && (e.Actor == report.SystemActor || e.Override) {
			last = k
		}
	}
	if last < 0 {
		return 0, nil, false
	}
	for _, e := range events[last+1:] {
		if report.IsActivity(e.Stage) && e.Actor != report.SystemActor {
			acts = append(acts, e.At.Unix())
		}
	}
	return events[last].At.Unix(), acts, true
}
