package worker

import (
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/worker/store"
)

// stand is where an owned lead stands in its stage's rhythm.
type stand struct {
	sla     qualify.SLA
	cal     *routing.Calendar // the clocks' calendar: the stage's team's
	entered int64             // when the lead last entered its stage (Unix s)
	step    routing.Step
	warn    int64 // when its owner is warned of the step (Unix s); routing.Never for never
	ok      bool  // something is due
}

// stand works out where the lead row stands in its stage's rhythm, from
// its report's events (reportLead): the attempt due next, when, and when
// its owner is warned of it. A lead nobody owns, closed, merged or a
// robot's has nothing due.
func (h *Handler) stand(m *qualify.Model, row *store.LeadWrite, rl *report.Lead) stand {
	i := m.StageIndex(row.Stage)
	if row.Owner == "" || row.State.Outcome != "" || row.Spam || row.MergedInto != "" || i < 0 {
		return stand{}
	}
	sd := stand{sla: m.Stages[i].SLA}
	entered, acts, ok := stageActs(rl, row.Stage)
	if !ok {
		return stand{}
	}
	sd.cal = h.c.Routing.StageCalendar(sd.sla)
	sd.entered = entered
	sd.step = routing.Next(sd.sla, sd.cal, entered, acts)
	if sd.step.Done || sd.step.Due == routing.Never {
		return stand{}
	}
	sd.ok = true
	sd.warn = routing.Never
	if h.c.Routing != nil && h.c.Routing.Alerts.Warn {
		sd.warn = sd.step.At(sd.cal, h.c.Routing.WarnShare())
	}
	return sd
}

// rhythm sets where the lead row stands in its stage's rhythm (sd): when
// its owner's next attempt is due (DueAt) and when the scheduled work is
// to look at it next (AlertAt: the warning share of the interval, then
// its due time, whichever comes after what it already looked at).
func (h *Handler) rhythm(row *store.LeadWrite, sd stand) {
	row.DueAt, row.AlertAt = 0, 0
	if !sd.ok {
		return
	}
	row.DueAt = sd.step.Due * 1000
	for _, at := range []int64{sd.warn, sd.step.Due} {
		if at != routing.Never && at*1000 > row.AlertedAt {
			row.AlertAt = at * 1000
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
