package worker

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/worker/crm"
	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/store"
)

// A lead's life: every submission, signal and sales fact is an event that
// re-scores the lead with the model at its instant, and the event, the
// lead's new state and verdict, its stage entry if its stage moved, a row
// of its score history if its verdict changed, and the webhooks that tell
// of it are stored in one transaction. The write is guarded by the
// version the lead was read at: where another write came first, the lead
// is read again and the events applied again (D1's batches cannot read
// their own writes, so the guard is how two writers of one lead stay
// apart).

// maxTries bounds the attempts of a write whose lead others keep
// changing. Writes take turns, so each round one of the writers of a lead
// wins: a burst of writes to one lead (an integration resending a day's
// signals) needs as many rounds as it has writes.
const maxTries = 24

// errBusy is a write that found its lead changed on every attempt.
var errBusy = errors.New("the lead kept changing while its events were stored")

// change is what one write does to one lead.
type change struct {
	lead    store.Lead         // as read; for a new lead, its first row
	created bool               // the lead is new
	events  []store.EventWrite // what happened, to store with it
	// before are statements to run first in the transaction (counting a
	// request against a rate limit); guard and args (" AND" a condition)
	// further condition the lead's write.
	before []store.Stmt
	guard  string
	args   []any
	// answer, if set, makes the answer the submission's replay gets, from
	// the lead's verdict; it is stored with the events of key answerKey.
	answer    func(l *store.LeadWrite, v *lead.Verdict) string
	answerKey string
	// extra are statements that depend on the write (given its guard).
	extra func(guard string, args []any) []store.Stmt
	// fold folds the lead's state from its events whatever its row says.
	fold bool
	// bulk marks a change of an import: the report's rollups are rebuilt
	// after it, not kept on write.
	bulk bool
	// alerting marks the scheduled pass of alerts: what came due since
	// the lead was last looked at is raised, and a breach escalated.
	alerting bool
	// try counts the attempts made at the change before this one.
	try int
}

// plan is a change worked out: its statements and what they did.
type plan struct {
	was     lead.Previous // the lead's verdict before
	stmts   []store.Stmt
	leadAt  int // the statement that writes the lead: it changed no row if the write did not take place
	row     store.LeadWrite
	verdict lead.Verdict
	answer  string
	outbox  []string // the webhooks it queues
	// raised counts the alerts it raises; escalated says it escalated the
	// lead to another team.
	raised    int
	escalated bool
}

// prior is the verdict a lead had, as stored, to measure a change from.
func prior(l *store.Lead) lead.Previous {
	p := lead.Previous{Stage: l.Stage, Fit: l.Fit, Tier: l.Tier}
	var v VerdictJSON
	if json.Unmarshal([]byte(l.Verdict), &v) == nil {
		for _, r := range v.Reasons {
			if r.Kind == "points" {
				p.Rules = append(p.Rules, r.Rule)
			}
		}
	}
	return p
}

// history is where re-scoring a change starts: the lead's state before
// the events still to apply, those events in order of instant, the
// instant (Unix ms) and the verdict it starts from, and whether what
// re-scoring wrote from that instant on is stale and written again.
type history struct {
	st      lead.State
	pending []lead.Event
	from    int64
	prev    lead.Previous
	rebuild bool
}

// history works out where the change c starts. New events at or after
// the instant of the lead's stored verdict apply to its stored state.
// Otherwise the state is folded from the lead's events (and those of the
// leads merged into it): for a lead an earlier release stored, or one
// whose merged leads change; and where facts are dated before its stored
// verdict (a call logged late, a lead merged in with its past), its
// history is re-scored from the earliest of them.
func (h *Handler) history(ctx context.Context, c *change) (history, error) {
	m, l := h.c.Model, &c.lead
	news := make([]lead.Event, len(c.events))
	for i := range c.events {
		news[i] = c.events[i].Event
	}
	lead.Sort(news)
	if c.created {
		from := l.CreatedAt
		if len(news) > 0 {
			from = news[0].At
		}
		return history{st: lead.NewState(), pending: news, from: from}, nil
	}
	from := max(l.ScoredAt, l.CreatedAt)
	earliest := from
	var join, leave []string
	for _, e := range news {
		earliest = min(earliest, e.At)
		switch e.Kind {
		case lead.KindMerge:
			join = append(join, e.Value)
		case lead.KindUnmerge:
			leave = append(leave, e.Value)
		}
	}
	if l.Version != 0 && !c.fold && len(join)+len(leave) == 0 && earliest >= from {
		st := l.State
		st.Answers, st.Signals = cloneMap(st.Answers), cloneMap(st.Signals)
		return history{st: st, pending: news, from: from, prev: prior(l)}, nil
	}
	ids, err := h.store.MergedInto(ctx, l.ID)
	if err != nil {
		return history{}, err
	}
	ids = append(slices.DeleteFunc(ids, func(id string) bool { return slices.Contains(join, id) || slices.Contains(leave, id) }),
		join...)
	stored, err := h.store.Events(ctx, append(append(ids, l.ID), leave...))
	if err != nil {
		return history{}, err
	}
	facts := stored[:0]
	for _, e := range stored {
		if slices.Contains(join, e.Lead) || slices.Contains(leave, e.Lead) {
			earliest = min(earliest, e.At)
		}
		if e.Kind != lead.KindStage && e.Kind != lead.KindAssign && !slices.Contains(leave, e.Lead) {
			facts = append(facts, e)
		}
	}
	start := func(st lead.State) lead.State {
		if st.Override == nil && l.Version == 0 {
			st.Override = l.State.Override // set by the migration from an earlier release
		}
		return st
	}
	if earliest >= from {
		return history{st: start(lead.Fold(m, facts)), pending: news, from: from, prev: prior(l)}, nil
	}
	all := append(facts, news...)
	lead.Sort(all)
	i := 0
	for i < len(all) && all[i].At < earliest {
		i++
	}
	hs := history{st: start(lead.Fold(m, all[:i])), pending: all[i:], from: earliest, rebuild: true}
	if i > 0 {
		st := hs.st
		st.Answers, st.Signals = cloneMap(st.Answers), cloneMap(st.Signals)
		v, _ := lead.Score(m, &st, earliest/1000)
		hs.prev = lead.Previous{Stage: v.Stage, Fit: v.Fit, Tier: v.Tier, Rules: v.Rules(m)}
	}
	return hs, nil
}

func cloneMap[V any](in map[string]V) map[string]V {
	out := make(map[string]V, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// maxDecaySteps bounds the changes by the passing of time one write
// records; the scheduled pass records the rest.
const maxDecaySteps = 64

// plan works out the statements of a change: the lead re-scored at the
// instant of each of its events and of each change the passing of time
// made between them and up to now, its stage entries, its score history
// and its webhooks.
func (h *Handler) plan(ctx context.Context, c *change, now time.Time) (plan, error) {
	m, l := h.c.Model, &c.lead
	var p plan
	for i := range c.events {
		if c.events[i].Kind != lead.KindMerge && c.events[i].Kind != lead.KindUnmerge || c.events[i].Lead == "" {
			c.events[i].Lead = l.ID
		}
	}
	hs, err := h.history(ctx, c)
	if err != nil {
		return p, err
	}
	st, prev := hs.st, hs.prev
	p.was = prior(l)
	nowMS := now.UnixMilli()
	token := newID()
	gu, ga := store.Guard(l.ID, token)

	var after []store.Stmt
	var entries []lead.Event // the stage entries written, in order
	type move struct {
		ch lead.Change
		at int64 // Unix ms
	}
	var moves []move
	// A closed lead opened again enters its stage anew.
	closed := !c.created && st.Outcome != ""
	// record stores a verdict of instant atMS (Unix ms: an event's own,
	// so that an entry sorts after what caused it) if it changed.
	record := func(v *lead.Verdict, cause string, atMS int64) {
		ch, changed := lead.Diff(m, prev, v)
		reopened := closed && st.Outcome == ""
		closed = st.Outcome != ""
		if !changed && !reopened {
			return
		}
		js, _ := json.Marshal(ch)
		after = append(after, store.InsertScore(store.Score{Lead: l.ID, At: atMS, Event: cause, Stage: v.Stage,
			Fit: v.Fit, Tier: v.Tier, Score: v.Score, Changed: string(js)}, gu, ga...))
		if prev.Stage != v.Stage || reopened {
			entry := lead.Event{ID: newID(), Lead: l.ID, Kind: lead.KindStage, Stage: v.Stage, ByRule: v.ByRule,
				Actor: report.SystemActor, Source: "rules", At: atMS, Recorded: nowMS}
			if !v.ByRule && st.Override != nil {
				entry.Actor, entry.Source, entry.Value = st.Override.Actor, "override", st.Override.Reason
			}
			after = append(after, store.InsertEvent(store.EventWrite{Event: entry}, gu, ga...))
			entries = append(entries, entry)
		}
		if prev.Stage != "" {
			moves = append(moves, move{ch, atMS})
		}
		prev = lead.Previous{Stage: v.Stage, Fit: v.Fit, Tier: v.Tier, Rules: v.Rules(m)}
	}

	// From the start, each event's instant and each instant time alone
	// changes the verdict, in order, up to now.
	at := hs.from
	v, ql := lead.Score(m, &st, at/1000)
	next := qualify.NextChange(m, &ql, at/1000)
	pending, decay := hs.pending, 0
	for {
		switch {
		case len(pending) > 0 && (next == 0 || pending[0].At/1000 <= next || decay >= maxDecaySteps):
			t, cause := pending[0].At, ""
			for len(pending) > 0 && pending[0].At == t {
				e := &pending[0]
				lead.Apply(m, &st, e)
				if cause == "" || e.Kind != lead.KindView {
					cause = e.ID
				}
				pending = pending[1:]
			}
			at = min(t, nowMS)
			v, ql = lead.Score(m, &st, at/1000)
			record(&v, cause, at)
		case next != 0 && next*1000 <= nowMS && decay < maxDecaySteps:
			at, decay = next*1000, decay+1
			v, ql = lead.Score(m, &st, next)
			record(&v, "", at)
		default:
			goto done
		}
		next = qualify.NextChange(m, &ql, at/1000)
	}
done:
	if hs.rebuild {
		// Re-scored from the past: receivers hear the change from what
		// they were last told.
		moves = nil
		if ch, changed := lead.Diff(m, prior(l), &v); changed && ch.Moved() {
			moves = append(moves, move{ch, at})
		}
	}
	p.verdict = v

	row := store.LeadWrite{Lead: *l, Token: token}
	row.State = st
	row.ScoredAt, row.NextCheckAt = at, next*1000
	row.Model, row.Stage, row.Fit, row.Tier, row.Score = m.Version, v.Stage, v.Fit, v.Tier, v.Score
	verdict, _ := json.Marshal(NewVerdictJSON(m, &v.Verdict, at/1000))
	row.Verdict = string(verdict)
	if email := st.Answers["email"]; email != "" {
		row.Email, row.EmailHash = email, h.hashKey("email:"+email)
	}
	if l.PurgedAt == 0 {
		row.Origin, row.Campaign = store.Attribution(st.Answers)
	}
	// The stage entered may be a team's: the lead gets its owner; an
	// owner the routing no longer has gives the lead up.
	var assigned []lead.Event
	if len(entries) > 0 && !l.Spam && !c.bulk && (!hs.rebuild || c.created || v.Stage != l.Stage) {
		if e, ok := h.assign(ctx, m, &row, &ql, &v, entries[len(entries)-1].At, now); ok {
			assigned = append(assigned, e)
		}
	}
	if len(assigned) == 0 && !l.Spam && !c.bulk {
		if e, ok := h.reown(ctx, m, &row, &ql, &v, nowMS, now); ok {
			assigned = append(assigned, e)
		}
	}
	p.row = row
	if c.answer != nil {
		p.answer = c.answer(&row, &v)
	}

	// The report's rollups: what the lead contributes now less what it did.
	inserted := make([]lead.Event, 0, len(c.events)+len(entries))
	for _, e := range c.events {
		inserted = append(inserted, e.Event)
	}
	inserted = append(inserted, entries...)
	inserted = append(inserted, assigned...)
	var life struct {
		read          bool
		before, after []lead.Event
		err           error
	}
	lives := func() ([]lead.Event, []lead.Event, error) {
		if !life.read {
			life.read = true
			life.before, life.after, life.err = h.lives(ctx, c, hs, inserted)
		}
		return life.before, life.after, life.err
	}
	// Where its owner stands in the stage's rhythm. The scheduled pass of
	// alerts raises what came due since it last looked, and escalates a
	// breach: an assignment of this write too.
	var sd stand
	if row.Owner != "" && !c.bulk {
		_, after, err := lives()
		if err != nil {
			return p, err
		}
		rl := reportLead(&row.Lead, after)
		sd = h.stand(m, &row, &rl)
	}
	var raises []raise
	if c.alerting && !l.Spam {
		var esc *lead.Event
		raises, esc = h.looked(ctx, m, &row, &ql, &v, sd, now)
		if esc != nil {
			assigned = append(assigned, *esc)
			e := *esc
			e.Seq = 1<<62 + int64(len(inserted))
			inserted = append(inserted, e)
			if life.read {
				life.after = append(life.after, e)
			}
			p.escalated = true
		}
	}
	h.rhythm(&row, sd)
	if h.alerting() && !l.Spam && !c.bulk {
		told := assigned
		if p.escalated {
			told = told[:len(told)-1] // its breach alert tells of it
		}
		raises = append(h.writeAlerts(&row, p.was, &v, told, sd, now), raises...)
	}
	rw, err := h.rollupChange(ctx, c, &row, lives, gu, ga)
	if err != nil {
		return p, err
	}
	p.row = row

	var idems []string
	p.stmts = append(p.stmts, c.before...)
	p.leadAt = len(p.stmts)
	guard, gargs := c.guard+rw.guard, append(append([]any{}, c.args...), rw.args...)
	if c.created {
		p.stmts = append(p.stmts, store.InsertLead(row, guard, gargs...))
	} else {
		for _, e := range c.events {
			if e.Idem != "" {
				idems = append(idems, e.Idem)
			}
		}
		p.stmts = append(p.stmts, store.UpdateLead(row, idems, guard, gargs...))
	}
	if hs.rebuild {
		p.stmts = append(p.stmts, store.DropDerived(l.ID, hs.from, gu, ga...)...)
	}
	for _, e := range c.events {
		if e.Idem == c.answerKey && e.Idem != "" {
			e.Response = p.answer
		}
		p.stmts = append(p.stmts, store.InsertEvent(e, gu, ga...))
	}
	p.stmts = append(p.stmts, after...)
	for _, e := range assigned {
		p.stmts = append(p.stmts, store.InsertEvent(store.EventWrite{Event: e}, gu, ga...))
	}
	p.stmts = append(p.stmts, rw.stmts...)
	if c.extra != nil {
		p.stmts = append(p.stmts, c.extra(gu, ga)...)
	}
	// What the report reads of the lead's events, kept on its row.
	p.stmts = append(p.stmts, store.KeepReportEvents(l.ID, gu, ga...))
	// The alerts it raises, each queued once.
	for i := range raises {
		out, ids, err := h.alertStmts(&raises[i], gu, ga)
		if err != nil {
			return p, err
		}
		p.stmts = append(p.stmts, out...)
		p.outbox = append(p.outbox, ids...)
	}
	p.raised = len(raises)

	// Webhooks; a robot's lead is never handed off.
	if l.Spam || len(h.c.Targets) == 0 {
		return p, nil
	}
	base := h.crmLead(&row, &v)
	reasons := crm.Reasons(m, &v.Verdict)
	var events []crm.Event
	if c.created && len(c.events) > 0 {
		ch, _ := lead.Diff(m, lead.Previous{}, &v)
		first := c.events[0].Event
		ev := crm.Event{ID: first.ID, Topic: crm.TopicCreated, At: time.UnixMilli(first.At), Actor: report.SystemActor,
			Lead: base, Change: &ch, Reasons: reasons}
		ev.Lead.Fields = st.Answers
		events = append(events, ev)
	}
	for i := range moves {
		if moves[i].ch.Moved() {
			events = append(events, crm.Event{ID: token + "." + strconv.Itoa(i), Topic: crm.TopicChanged, At: time.UnixMilli(moves[i].at),
				Actor: report.SystemActor, Lead: base, Change: &moves[i].ch, Reasons: reasons})
		}
	}
	for _, e := range c.events {
		if e.Kind == lead.KindOutcome {
			events = append(events, crm.Event{ID: e.ID, Topic: crm.TopicOutcome, At: time.UnixMilli(e.At), Actor: e.Actor,
				Lead: base, Outcome: &crm.Outcome{Outcome: e.Stage, Reason: e.Value}, Reasons: reasons})
		}
	}
	for _, ev := range events {
		out, ids, err := h.outboxStmts(ev, gu, ga...)
		if err != nil {
			return p, err
		}
		p.stmts = append(p.stmts, out...)
		p.outbox = append(p.outbox, ids...)
	}
	return p, nil
}

// crmLead is a lead as its webhooks show it.
func (h *Handler) crmLead(row *store.LeadWrite, v *lead.Verdict) crm.Lead {
	m := h.c.Model
	l := crm.Lead{ID: row.ID, Stage: v.Stage, Fit: v.Fit, Tier: v.Tier, Score: v.Score, ByRule: v.ByRule, Model: m.Version,
		Source: row.Source, Email: row.Email, Outcome: row.State.Outcome, Owner: row.Owner, Team: row.Team}
	if i := m.StageIndex(v.Stage); i >= 0 {
		s := &m.Stages[i]
		l.Funnel, l.CRMStage = s.Funnel.String(), s.CRMStage
		n := nextJSON(s.Next)
		l.Next = &crm.Next{Kind: n.Kind, Label: n.Label, Message: n.Message, URL: n.URL}
	}
	return l
}

// apply stores a change, reading its lead again with read and trying
// again when another write of the lead came first. When the lead's write
// does not take place, refused (if set) is asked whether it was refused
// for a reason of its own (a replay, a rate limit: it answers, and the
// change is dropped) before the change is tried again. It returns the
// plan stored, and false for a refused change.
func (h *Handler) apply(ctx context.Context, read func() (change, error), now time.Time,
	refused func(c *change, p *plan) (bool, error)) (plan, bool, error) {
	for try := 0; try < maxTries; try++ {
		c, err := read()
		if err != nil {
			return plan{}, false, err
		}
		c.try = try
		p, err := h.plan(ctx, &c, now)
		if err != nil {
			return p, false, err
		}
		changed, err := h.store.Run(ctx, p.stmts)
		if err != nil {
			return p, false, err
		}
		if changed[p.leadAt] == 1 {
			h.dispatch(ctx, p.outbox)
			return p, true, nil
		}
		if refused != nil {
			if stop, err := refused(&c, &p); err != nil || stop {
				return p, false, err
			}
		}
	}
	return plan{}, false, errBusy
}

// lives reads the events of the lead change c writes (with those of the
// leads merged into it) as stored, and works out what they will be once
// the change is stored: without those of a lead it takes out, with those
// of one it takes in, without the stage entries and score rows of a
// history re-scored (hs), and with inserted, the events it writes, in the
// order it writes them.
func (h *Handler) lives(ctx context.Context, c *change, hs history, inserted []lead.Event) (before, after []lead.Event, err error) {
	if !c.created {
		l := &c.lead
		lv, err := h.store.Lives(ctx, []string{l.ID})
		if err != nil {
			return nil, nil, err
		}
		before = lv[l.ID]
		var join, leave []string
		for _, e := range c.events {
			switch e.Kind {
			case lead.KindMerge:
				join = append(join, e.Value)
			case lead.KindUnmerge:
				leave = append(leave, e.Value)
			}
		}
		for _, e := range before {
			if slices.Contains(leave, e.Lead) || hs.rebuild && e.Lead == l.ID && e.Kind == lead.KindStage &&
				(e.Source == "rules" || e.Source == "override") && e.At >= hs.from {
				continue
			}
			after = append(after, e)
		}
		if len(join) > 0 {
			joined, err := h.store.Events(ctx, join)
			if err != nil {
				return nil, nil, err
			}
			after = append(after, joined...)
		}
	}
	for i, e := range inserted {
		e.Seq = 1<<62 + int64(i) // stored after every event there is: the store numbers rows in the order it stores them
		after = append(after, e)
	}
	return before, after, nil
}
