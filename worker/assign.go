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
	d, ok := h.route(ctx, m, team, row, ql, v, now)
	if !ok {
		return lead.Event{}, false
	}
	return h.give(row, d, d.Reason(), atMS, now), true
}

// route asks the routing who on team takes the lead row (of verdict v,
// lead ql) now, from the counts the database holds. It returns false,
// having logged why, when the routing fails.
func (h *Handler) route(ctx context.Context, m *qualify.Model, team *routing.Team, row *store.LeadWrite, ql *qualify.Lead,
	v *lead.Verdict, now time.Time) (routing.Decision, bool) {
	people := make([]string, len(team.People))
	for k := range team.People {
		people[k] = team.People[k].Name
	}
	counts, err := h.store.OwnerCounts(ctx, people, openStages(m), now.Add(-assignWindow).UnixMilli())
	if err != nil {
		h.log.Error("routing a lead: counting the team's leads", "lead", row.ID, "team", team.Name, "err", err)
		return routing.Decision{}, false
	}
	d, err := h.c.Routing.Route(m, team.Name, ql, &v.Verdict, now.Unix(), ownerCounts(counts))
	if err != nil {
		h.log.Error("routing a lead", "lead", row.ID, "team", team.Name, "err", err)
		return routing.Decision{}, false
	}
	return d, true
}

// give makes the decision d the lead row's owner and returns the event
// that records it, of instant atMS (Unix ms), with reason. A lead nobody
// could take is logged. The lead is looked at for alerts from now on:
// what came due before it had this owner is not theirs to hear of.
func (h *Handler) give(row *store.LeadWrite, d routing.Decision, reason string, atMS int64, now time.Time) lead.Event {
	if d.Person == "" {
		h.log.Warn("routing a lead: nobody can take it", "lead", row.ID, "team", d.Team, "reason", reason)
	}
	row.Owner, row.Team = d.Person, d.Team
	row.AlertedAt = max(row.AlertedAt, now.UnixMilli())
	return lead.Event{ID: newID(), Lead: row.ID, Kind: lead.KindAssign, Name: d.Team, Value: d.Person, Note: reason,
		Actor: report.SystemActor, Source: "routing", At: atMS, Recorded: now.UnixMilli()}
}

// reown gives a new owner to the open lead row when its owner is no
// longer a person of its team in the routing (content/routing.yaml
// changed): someone else of that team, or of the team of the lead's
// stage when the team is gone, with the reason. No lead is left to an
// owner the routing does not know.
func (h *Handler) reown(ctx context.Context, m *qualify.Model, row *store.LeadWrite, ql *qualify.Lead, v *lead.Verdict,
	atMS int64, now time.Time) (lead.Event, bool) {
	r := h.c.Routing
	if r == nil || row.Owner == "" || row.State.Outcome != "" || row.MergedInto != "" {
		return lead.Event{}, false
	}
	team := r.Team(row.Team)
	if team != nil && team.Person(row.Owner) != nil {
		return lead.Event{}, false
	}
	why := row.Owner + " is no longer in team " + row.Team + " (content/routing.yaml)"
	if team == nil || len(team.People) == 0 {
		if i := m.StageIndex(v.Stage); i >= 0 {
			team = r.Team(m.Stages[i].SLA.Owner)
		}
		if team == nil {
			h.log.Warn("routing a lead: its owner is gone and no team owns its stage", "lead", row.ID, "owner", row.Owner, "team", row.Team)
			return lead.Event{}, false
		}
		why = "team " + row.Team + " is no longer in content/routing.yaml; the stage's team " + team.Name + " takes it"
	}
	d, ok := h.route(ctx, m, team, row, ql, v, now)
	if !ok {
		return lead.Event{}, false
	}
	h.log.Warn("routing a lead: its owner is gone", "lead", row.ID, "owner", row.Owner, "team", row.Team, "to", d.Person)
	return h.give(row, d, why+": "+d.Reason(), atMS, now), true
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
