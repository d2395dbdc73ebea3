package worker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/notify"
	"github.com/winnowhq/winnow/worker/store"
)

// Alerts: the owners of leads are told of what needs them through the
// channels of Config.Channels, as the routing says (routing.Alerts). A
// lead's write raises the alerts of what it did (a lead given to someone,
// a lead turned hot); the scheduled pass (Alerts) raises those of time
// passing (an attempt coming due, past due: then the lead's team may
// escalate it) and the daily digests. Each alert has a key, and the
// transaction that queues it in the outbox records the key, the outbox
// rows first, each conditioned on the key not being there (store.NotRaised):
// whoever raises an alert, and however often, it is queued once. The
// outbox delivers it like any webhook: retried with backoff, dead-lettered,
// listed by GET /api/outbox.

// channels returns the channels of c: its own, and for each team of its
// routing that names its own Slack webhook (routing.Team.Slack) set in
// the environment, a Slack channel of the team's, named after the
// variable (WINNOW_ALERT_SLACK_AE: alert-slack-ae).
func channels(c *Config) ([]notify.Channel, error) {
	out := slices.Clone(c.Channels)
	if c.Routing != nil && c.Env != nil {
		for _, t := range c.Routing.Teams {
			if t.Slack == "" {
				continue
			}
			u := c.Env(t.Slack)
			if u == "" {
				continue // the team's alerts go to the default channel
			}
			name := "alert-slack-" + strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(t.Slack, "WINNOW_ALERT_SLACK_"), "_", "-"))
			out = append(out, notify.Channel{Name: name, Kind: notify.KindSlack, URL: u, Team: t.Name})
		}
	}
	var errs []error
	seen := map[string]bool{}
	for _, t := range c.Targets {
		seen[t.Name] = true
	}
	for _, ch := range out {
		if err := ch.Check(); err != nil {
			errs = append(errs, err)
		}
		if seen[ch.Name] {
			errs = append(errs, errors.New("alert channel "+ch.Name+": the name is taken by another channel or webhook target"))
		}
		seen[ch.Name] = true
	}
	return out, errors.Join(errs...)
}

// alerting reports whether alerts are raised: the routing says who to
// tell, and there is a channel to tell them through.
func (h *Handler) alerting() bool {
	return h.c.Routing != nil && len(h.channels) > 0
}

// ownSlack reports whether a team has a Slack channel of its own.
func (h *Handler) ownSlack(team string) bool {
	for _, ch := range h.channels {
		if ch.Kind == notify.KindSlack && ch.Team == team {
			return true
		}
	}
	return false
}

// raise is an alert raised: what it says, about which lead, whom it tells
// and when it goes.
type raise struct {
	alert  notify.Alert
	lead   string    // "" for a digest
	person string    // who is told; "" for nobody (the team's channels)
	send   time.Time // after the quiet hours of the person's team
}

// newRaise prepares the alert of kind and key about lead (nil for a
// digest), telling person ("" for nobody) of team, raised at now; it goes
// after the quiet hours of the team (a digest goes at its time).
func (h *Handler) newRaise(kind, key string, l *notify.Lead, person, team string, now time.Time) raise {
	r := h.c.Routing
	a := notify.Alert{ID: key, Kind: kind, At: now, Zone: time.UTC, Team: team, Lead: l}
	if t := r.Team(team); t != nil {
		a.Zone = t.Calendar.Location()
		if p := t.Person(person); p != nil {
			a.Person = &notify.Person{Name: p.Name, Email: p.Email}
		}
	}
	if a.Person == nil && person != "" {
		a.Person = &notify.Person{Name: person}
	}
	rs := raise{alert: a, person: person, send: now}
	if l != nil {
		rs.lead = l.ID
	}
	if kind != notify.Digest {
		rs.send = time.Unix(r.Send(team, now.Unix()), 0)
		if rs.send.Before(now) {
			rs.send = now
		}
	}
	return rs
}

// alertStmts returns the statements that queue the alert r in every
// channel that takes it, and record its key, if guard holds (with args;
// "" for none), and the ids of its outbox rows. The outbox rows come
// first, each conditioned on the key not being recorded yet: the alert is
// queued once, whoever raises it and however often.
func (h *Handler) alertStmts(r *raise, guard string, args []any) ([]store.Stmt, []string, error) {
	a := &r.alert
	nr, nra := store.NotRaised(a.ID)
	cond, cargs := nr, nra
	if guard != "" {
		cond, cargs = guard+" AND "+nr, append(append([]any{}, args...), nra...)
	}
	about := r.lead
	if about == "" {
		about = a.ID // a digest: its own, so that one person's digest does not wait for another's
	}
	var stmts []store.Stmt
	var ids []string
	for _, ch := range h.channels {
		if !ch.Takes(a.Team, h.ownSlack) {
			continue
		}
		body, ok, err := ch.Payload(a)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			continue
		}
		id := a.ID + "." + ch.Name
		stmts = append(stmts, store.InsertWebhook(store.Webhook{ID: id, Lead: about, Target: ch.Name, Topic: notify.Topic(a.Kind),
			Payload: string(body), CreatedAt: a.At.UnixMilli(), NextAt: r.send.UnixMilli()}, cond, cargs...))
		ids = append(ids, id)
	}
	kg, kargs := guard, args
	if kg == "" {
		kg = "1"
	}
	stmts = append(stmts, store.InsertAlert(store.Alert{Key: a.ID, Lead: r.lead, Person: r.person,
		Reason: a.Kind + ": " + a.Title(), At: a.At.UnixMilli()}, kg, kargs...))
	return stmts, ids, nil
}

// alertLead is the lead row, of verdict v, as alerts show it.
func (h *Handler) alertLead(row *store.LeadWrite, v *lead.Verdict) *notify.Lead {
	l := &notify.Lead{ID: row.ID, Name: row.State.Answers["name"], Company: row.State.Answers["company"], Stage: v.Stage,
		Fit: v.Fit, Tier: v.Tier, Score: v.Score, Owner: row.Owner, Team: row.Team, URL: h.leadLink(row.ID)}
	if row.DueAt > 0 {
		l.Due = time.UnixMilli(row.DueAt)
	}
	return l
}

// leadLink is the address of a lead's page on the dashboard, or "" when
// the server does not know its own origin.
func (h *Handler) leadLink(id string) string {
	if h.c.Origin == "" {
		return ""
	}
	return h.c.Origin + "/admin/leads/" + url.PathEscape(id)
}

// writeAlerts works out the alerts a lead's write raises: each
// assignment tells the person given the lead (or the team's channels,
// when nobody could take it), and a lead that reaches the routing's hot
// tier or stage tells its owner, unless the same write gave it to them.
// row is the lead as written, was its verdict before, v after, sd where it
// stands in its stage's rhythm.
func (h *Handler) writeAlerts(row *store.LeadWrite, was lead.Previous, v *lead.Verdict, assigned []lead.Event, sd stand,
	now time.Time) []raise {
	a := &h.c.Routing.Alerts
	var hot []string
	if a.HotStage != "" && v.Stage == a.HotStage && was.Stage != a.HotStage {
		hot = append(hot, "the stage "+a.HotStage)
	}
	if a.HotTier != "" && v.Tier == a.HotTier && was.Tier != a.HotTier {
		hot = append(hot, "the tier "+a.HotTier)
	}
	if len(hot) == 0 && (len(assigned) == 0 || !a.Assigned) {
		return nil
	}
	l := h.alertLead(row, v)
	var out []raise
	told := map[string]bool{}
	for _, e := range assigned {
		if !a.Assigned {
			break
		}
		r := h.newRaise(notify.Assigned, "assigned|"+e.ID, l, e.Value, e.Name, now)
		r.alert.Reason = e.Note
		if sd.ok && e.Value == row.Owner {
			r.alert.Attempt, r.alert.Attempts, r.alert.Due = sd.step.Attempt, sd.sla.Attempts, time.Unix(sd.step.Due, 0)
		}
		told[e.Value] = true
		out = append(out, r)
	}
	if len(hot) > 0 && (row.Owner == "" || !told[row.Owner]) {
		r := h.newRaise(notify.Hot, "hot|"+row.ID+"|"+strconv.FormatInt(row.ScoredAt, 10), l, row.Owner, row.Team, now)
		r.alert.Reason = "reached " + strings.Join(hot, " and ")
		out = append(out, r)
	}
	return out
}

// looked raises what came due since the lead row was last looked at
// (AlertedAt) up to now, in the scheduled pass: an attempt past due (a
// breach) is escalated to the team the lead's team escalates to (one
// write: the escalation is the assignment it returns) and its owner, the
// new one, is told; an attempt coming due warns its owner. A breach
// escalates once per stage entry and attempt: the lead is looked at up to
// now, and the next instant to look at is after. It sets AlertedAt.
func (h *Handler) looked(ctx context.Context, m *qualify.Model, row *store.LeadWrite, ql *qualify.Lead, v *lead.Verdict,
	sd stand, now time.Time) (raises []raise, escalation *lead.Event) {
	from, to := row.AlertedAt, now.UnixMilli()
	row.AlertedAt = max(row.AlertedAt, to)
	if !sd.ok {
		return nil, nil
	}
	r := h.c.Routing
	due := sd.step.Due * 1000
	key := "|" + row.ID + "|" + strconv.FormatInt(sd.entered*1000, 10) + "|" + strconv.Itoa(sd.step.Attempt)
	what := notify.AttemptName(sd.step.Attempt, sd.sla.Attempts)
	switch {
	case due > from && due <= to:
		var why, escalated string
		if esc, ok := r.Escalate(row.Team); ok {
			if d, routed := h.route(ctx, m, r.Team(esc), row, ql, v, now); routed && d.Person != "" {
				reason := "SLA breached: " + what + " due " + notify.When(time.Unix(sd.step.Due, 0), sd.cal.Location()) +
					" (" + sd.sla.Owner + "); escalated to " + esc + ": " + d.Reason()
				e := h.give(row, d, reason, now.UnixMilli(), now)
				escalation, escalated = &e, esc
			} else if routed {
				why = "escalation to " + esc + " found nobody at work (" + d.Reason() + "), so " + row.Owner + " keeps it"
				h.log.Warn("escalating a lead: nobody can take it", "lead", row.ID, "team", esc, "reason", d.Reason())
			}
		}
		if h.alerting() && r.Alerts.Breach {
			rs := h.newRaise(notify.Breach, notify.Breach+key, h.alertLead(row, v), row.Owner, row.Team, now)
			rs.alert.Attempt, rs.alert.Attempts, rs.alert.Due = sd.step.Attempt, sd.sla.Attempts, time.Unix(sd.step.Due, 0)
			rs.alert.Escalated, rs.alert.Reason = escalated, why
			rs.alert.Lead.Due = rs.alert.Due
			raises = append(raises, rs)
		}
	case sd.warn != routing.Never && sd.warn*1000 > from && sd.warn*1000 <= to && due > to:
		if h.alerting() {
			rs := h.newRaise(notify.Warn, notify.Warn+key, h.alertLead(row, v), row.Owner, row.Team, now)
			rs.alert.Attempt, rs.alert.Attempts, rs.alert.Due = sd.step.Attempt, sd.sla.Attempts, time.Unix(sd.step.Due, 0)
			rs.alert.Lead.Due = rs.alert.Due
			raises = append(raises, rs)
		}
	}
	return raises, escalation
}

// Alerted counts what a pass of Alerts did.
type Alerted struct {
	Leads     int // leads looked at for what came due
	Raised    int // alerts they raised
	Escalated int // leads escalated to another team
	Reowned   int // leads whose owner the routing no longer has, given to someone else
	Digests   int // digests queued
}

// Alerts is the scheduled pass of alerts, as of at: it gives new owners
// to the open leads of people the routing no longer has (once per change
// of the routing's people), looks at the leads whose next instant to
// look at (alert_at) has come, in order, Limits.AlertBatch at a time,
// each in one write of its own guarded by its version (an attempt past
// due is escalated and its owner told, one coming due warns its owner;
// a lead changed meanwhile is read again), and queues the digests due.
// It goes on until nothing is due or Limits.DeliverBudget has passed.
func (h *Handler) Alerts(ctx context.Context, at time.Time) (Alerted, error) {
	var n Alerted
	if h.c.Routing == nil {
		return n, nil
	}
	began := h.now()
	if err := h.reownAll(ctx, at, &n); err != nil {
		return n, err
	}
	for {
		ids, err := h.store.AlertLeads(ctx, at.UnixMilli(), h.c.Limits.AlertBatch)
		if err != nil {
			return n, err
		}
		for _, id := range ids {
			read := func() (change, error) {
				l, err := h.store.Lead(ctx, id)
				return change{lead: l, alerting: true}, err
			}
			p, _, err := h.apply(ctx, read, at, nil)
			if err != nil {
				return n, err
			}
			n.Leads++
			n.Raised += p.raised
			if p.escalated {
				n.Escalated++
			}
		}
		if len(ids) < h.c.Limits.AlertBatch || h.now().Sub(began) >= h.c.Limits.DeliverBudget {
			break
		}
	}
	d, err := h.digests(ctx, at)
	n.Digests = d
	return n, err
}

// peopleSetting names the setting that holds the signature of the
// routing's people the open leads were last checked against.
const peopleSetting = "routing:people"

// reownAll gives new owners to the open leads of people the routing no
// longer has in their team (see reown), once the routing's people
// changed: at most Limits.AlertBatch leads a pass, until none is left.
func (h *Handler) reownAll(ctx context.Context, at time.Time, n *Alerted) error {
	r := h.c.Routing
	var pairs []string
	for _, t := range r.Teams {
		for _, p := range t.People {
			pairs = append(pairs, t.Name+"\x00"+p.Name)
		}
	}
	slices.Sort(pairs)
	sum := sha256.Sum256([]byte(strings.Join(pairs, "\x01")))
	sig := hex.EncodeToString(sum[:16])
	if got, err := h.store.Setting(ctx, peopleSetting); err != nil || got == sig {
		return err
	}
	owners, err := h.store.Owners(ctx)
	if err != nil {
		return err
	}
	budget := h.c.Limits.AlertBatch
	for _, o := range owners {
		if t := r.Team(o.Team); t != nil && t.Person(o.Person) != nil {
			continue
		}
		ids, err := h.store.OwnedLeads(ctx, o, budget)
		if err != nil {
			return err
		}
		moved := 0
		for _, id := range ids {
			read := func() (change, error) {
				l, err := h.store.Lead(ctx, id)
				return change{lead: l}, err
			}
			p, _, err := h.apply(ctx, read, at, nil)
			if err != nil {
				return err
			}
			if p.row.Owner != o.Person || p.row.Team != o.Team {
				n.Reowned++
				moved++
			}
			budget--
		}
		if moved == 0 {
			// Nobody can take this owner's leads (reown logged why): the
			// next pass would read the same ones again.
			budget += len(ids)
			continue
		}
		if budget <= 0 {
			return nil // the next pass goes on
		}
	}
	_, err = h.store.Run(ctx, []store.Stmt{store.SetSetting(peopleSetting, sig)})
	return err
}

// digestLeads is how many leads a digest lists.
const digestLeads = 25

// digests queues the digest of each person whose digest is due at at:
// on a working day of their team's calendar (their first team in the
// routing), from the digest's time of day in its time zone until the end
// of the day's working hours, unless they are away. A digest lists their open leads, due first, and goes once a
// day; a person without open leads gets none (the day's key is recorded
// all the same, so that the pass does not ask again).
func (h *Handler) digests(ctx context.Context, at time.Time) (int, error) {
	r := h.c.Routing
	if !r.Alerts.Digest || !h.alerting() {
		return 0, nil
	}
	type due struct {
		p    *routing.Person
		team *routing.Team
		key  string
	}
	var list []due
	var keys []string
	seen := map[string]bool{}
	for ti := range r.Teams {
		t := &r.Teams[ti]
		loc := t.Calendar.Location()
		y, mo, d := at.In(loc).Date()
		// From the digest's time to the end of the day's working hours.
		when := time.Date(y, mo, d, 0, r.Alerts.DigestAt, 0, 0, loc)
		next := t.Calendar.NextWorking(at.Unix())
		ny, nm, nd := time.Unix(next, 0).In(loc).Date()
		on := !at.Before(when) && next != routing.Never && ny == y && nm == mo && nd == d
		for pi := range t.People {
			p := &t.People[pi]
			if seen[p.Name] {
				continue
			}
			seen[p.Name] = true
			if _, away := p.AwayAt(at.Unix()); !on || away {
				continue
			}
			who := p.Email
			if who == "" {
				who = p.Name
			}
			k := "digest|" + who + "|" + routing.Date{Year: y, Month: mo, Day: d}.String()
			list = append(list, due{p, t, k})
			keys = append(keys, k)
		}
	}
	if len(list) == 0 {
		return 0, nil
	}
	raised, err := h.store.Raised(ctx, keys)
	if err != nil {
		return 0, err
	}
	stages := openStages(h.c.Model)
	n := 0
	for _, d := range list {
		if raised[d.key] {
			continue
		}
		leads, total, err := h.store.Digest(ctx, d.p.Name, stages, digestLeads)
		if err != nil {
			return n, err
		}
		rs := h.newRaise(notify.Digest, d.key, nil, d.p.Name, d.team.Name, at)
		rs.alert.Open = total
		for _, q := range leads {
			l := notify.Lead{ID: q.ID, Name: q.Answers["name"], Company: q.Answers["company"], Stage: q.Stage, Fit: q.Fit,
				Tier: q.Tier, Score: q.Score, Owner: d.p.Name, Team: q.Team, URL: h.leadLink(q.ID)}
			if q.DueAt > 0 {
				l.Due, l.Overdue = time.UnixMilli(q.DueAt), q.DueAt <= at.UnixMilli()
			}
			rs.alert.Leads = append(rs.alert.Leads, l)
		}
		var stmts []store.Stmt
		if total > 0 {
			stmts, _, err = h.alertStmts(&rs, "", nil)
			if err != nil {
				return n, err
			}
		} else {
			kg, ka := store.NotRaised(d.key)
			stmts = []store.Stmt{store.InsertAlert(store.Alert{Key: d.key, Person: d.p.Name, Reason: "digest: no open leads",
				At: at.UnixMilli()}, kg, ka...)}
		}
		changed, err := h.store.Run(ctx, stmts)
		if err != nil {
			return n, err
		}
		if total > 0 && changed[len(changed)-1] == 1 {
			n++
		}
	}
	return n, nil
}

// SettleAlerts marks every owned lead as looked at for alerts up to
// upTo: the scheduled pass raises nothing of what came due before (nor
// escalates it), and works out what each lead is to be looked at for
// next. For a database given a past, as winnow demo fills one: its past
// was not lived, and nobody is to hear of it. It returns how many leads
// it marked.
func (h *Handler) SettleAlerts(ctx context.Context, upTo time.Time) (int64, error) {
	return h.store.SettleAlerts(ctx, upTo.UnixMilli())
}
