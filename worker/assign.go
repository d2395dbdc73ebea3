package worker

import (
	"context"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/store"
)

// assignWindow is how far back a person's assignments count for the
// round robin (routing.Count.Assigned): someone back from time off does
// not take every lead until they catch up.
const assignWindow = 30 * 24 * time.Hour

// assign gives an owner to the lead row, which entered its stage (the
// verdict v's, of lead ql) at the instant atMS (Unix ms) in this write:
// when the stage's SLA owner names a team of the routing and the lead is
// not owned in that team already, the team's Route picks the person from
// the counts the database holds now. It sets the row's owner and team
// and returns the event that records it, with the reason: a person, or
// none when nobody could take the lead (logged). It returns false when
// the lead is not routed; routing never fails a write: what goes wrong is
// logged and the lead keeps its owner.
func (h *Handler) assign(ctx context.Context, m *qualify.Model, row *store.LeadWrite, ql *qualify.Lead, v *lead.Verdict,
	atMS int64, now time.Time) (lead.Event, bool) {
	r := h.c.Routing
	i := m.StageIndex(v.Stage)
	if r == nil || i < 0 {
		return lead.Event{}, false
	}
	team := r.Team(m.Stages[i].SLA.Owner)
	if team == nil || row.Team == team.Name && row.Owner != "" {
		return lead.Event{}, false
	}
	people := make([]string, len(team.People))
	for k := range team.People {
		people[k] = team.People[k].Name
	}
	counts, err := h.store.OwnerCounts(ctx, people, openStages(m), now.Add(-assignWindow).UnixMilli())
	if err != nil {
		h.log.Error("routing a lead: counting the team's leads", "lead", row.ID, "team", team.Name, "err", err)
		return lead.Event{}, false
	}
	st := ownerCounts(counts)
	d, err := r.Route(m, team.Name, ql, &v.Verdict, now.Unix(), st)
	if err != nil {
		h.log.Error("routing a lead", "lead", row.ID, "team", team.Name, "err", err)
		return lead.Event{}, false
	}
	reason := d.Reason()
	if d.Person == "" {
		h.log.Warn("routing a lead: nobody can take it", "lead", row.ID, "team", team.Name, "reason", reason)
	}
	row.Owner, row.Team = d.Person, d.Team
	return lead.Event{ID: newID(), Lead: row.ID, Kind: lead.KindAssign, Name: d.Team, Value: d.Person, Note: reason,
		Actor: report.SystemActor, Source: "routing", At: atMS, Recorded: now.UnixMilli()}, true
}

// ownerCounts is the store's counts as the routing reads them.
type ownerCounts map[string]store.OwnerCount

func (c ownerCounts) Count(person string) (out routing.Count) {
	n := c[person]
	out.Open, out.Assigned = n.Open, n.Assigned
	return out
}

// openStages are the stages a lead owned is open in: the model's stages
// that are not exits (a lead won or lost is closed in any stage).
func openStages(m *qualify.Model) []string {
	var out []string
	for _, s := range m.Stages {
		if !s.Exit {
			out = append(out, s.Name)
		}
	}
	return out
}
