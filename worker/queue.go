package worker

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/templates"
	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/store"
)

// The queue: the open leads of a person, or of the people of a team, in
// the order they are to be worked (what is due first, the most overdue
// first, then what has nothing due; each by tier), a page at a time. The
// dashboard shows it at /admin/queue with forms that work each lead
// (accept, reject with a reason, record an activity, reassign, override
// the stage), which post to /admin/leads/{id}/events; GET /api/queue
// gives it as JSON. Each form's fact is an event of the lead, recorded by
// who is signed in and re-scored as the events API's are.

// queuePageSize is how many leads a page of a queue lists.
const queuePageSize = 50

// queueOf is whose queue: a person's, or a team's.
type queueOf struct {
	store.QueueOwner
	name string         // the person's name, or the team's
	team bool           // a team's queue
	zone *time.Location // the zone of the person's (first) team, or the team's
}

// findQueue finds whose queue who names: a person of the routing, by
// their name or email, or a team, by its name.
func (h *Handler) findQueue(who string) (queueOf, bool) {
	r := h.c.Routing
	if p, t := r.Find(who); p != nil {
		return queueOf{QueueOwner: store.QueueOwner{Person: p.Name}, name: p.Name, zone: t.Calendar.Zone}, true
	}
	if r == nil {
		return queueOf{}, false
	}
	t := r.Team(strings.TrimSpace(who))
	if t == nil {
		return queueOf{}, false
	}
	o := queueOf{QueueOwner: store.QueueOwner{Team: t.Name}, name: t.Name, team: true, zone: t.Calendar.Zone}
	for _, p := range t.People {
		o.People = append(o.People, p.Name)
	}
	return o, true
}

// queueLead is a lead of a queue with where it stands in its stage's
// rhythm.
type queueLead struct {
	store.Lead
	name, company string
	due           time.Time     // when its owner's next attempt is due; zero when nothing is
	off           time.Duration // how far off that is in the working time of the stage's team: past it when overdue
	overdue       bool
	made, asked   int  // the attempts made in the stage, of those its rhythm asks for (0: no limit)
	rhythm        bool // the stage has a rhythm
}

// queueRead is a page of a queue, read.
type queueRead struct {
	counts      store.QueueCounts
	page, pages int
	leads       []queueLead
}

// readQueue reads page (from 1; past the last, the last) of queue o at
// now.
func (h *Handler) readQueue(ctx context.Context, o queueOf, page int, now time.Time) (queueRead, error) {
	m := h.c.Model
	open := openStages(m)
	c, err := h.store.QueueCounts(ctx, o.QueueOwner, open, now.UnixMilli())
	if err != nil {
		return queueRead{}, err
	}
	out := queueRead{counts: c, pages: max(1, (c.Open()+queuePageSize-1)/queuePageSize)}
	out.page = min(max(page, 1), out.pages)
	tiers := make([]string, len(m.Tiers))
	for i, t := range m.Tiers {
		tiers[i] = t.Name
	}
	leads, err := h.store.Queue(ctx, o.QueueOwner, open, tiers, c.Due, (out.page-1)*queuePageSize, queuePageSize)
	if err != nil {
		return queueRead{}, err
	}
	for _, l := range leads {
		q := queueLead{Lead: l}
		q.name, q.company = l.State.Answers["name"], l.State.Answers["company"]
		if i := m.StageIndex(l.Stage); i >= 0 {
			sla := m.Stages[i].SLA
			q.rhythm, q.asked = sla.Within > 0 || sla.Every > 0, sla.Attempts
			rl := reportLead(&q.Lead, l.ReportEvents)
			_, acts, _ := stageActs(&rl, l.Stage)
			q.made = len(acts)
			if l.DueAt > 0 {
				cal := h.c.Routing.StageCalendar(sla)
				q.due = time.UnixMilli(l.DueAt)
				if q.overdue = !q.due.After(now); q.overdue {
					q.off = cal.Between(q.due.Unix(), now.Unix())
				} else {
					q.off = cal.Between(now.Unix(), q.due.Unix())
				}
			}
		}
		out.leads = append(out.leads, q)
	}
	return out, nil
}

// queuePage shows a queue: the signed-in person's own, or, for an admin,
// the person's or team's that ?owner= names (a person by name or email).
// ?page= pages through it.
func (h *Handler) queuePage(w http.ResponseWriter, r *http.Request, p templates.AdminPage) {
	ctx := r.Context()
	rt := h.c.Routing
	p.Title = "Queue"
	var v templates.AdminQueue
	if rt == nil {
		v.Message = "Nobody owns leads: the content has no routing.yaml, so there are no queues."
		h.adminRender(w, r, http.StatusOK, p, templates.AdminQueueView(v))
		return
	}
	admin := p.Role == templates.RoleAdmin
	if admin {
		v.Choices = queueChoices(rt)
	}
	q := r.URL.Query()
	me, _ := rt.Find(p.Actor)
	who := strings.TrimSpace(q.Get("owner"))
	if who == "" && me != nil {
		who = me.Name
	}
	if who == "" {
		v.Message = "You are none of the people of routing.yaml, so you have no queue of your own."
		if admin {
			v.Message = "Choose whose queue to see: a person's, or a team's."
		}
		h.adminRender(w, r, http.StatusOK, p, templates.AdminQueueView(v))
		return
	}
	o, ok := h.findQueue(who)
	if !ok || len(who) > 200 {
		h.adminMessage(w, r, http.StatusNotFound, "No such queue", "No person (by name or email) or team of routing.yaml is named "+strconv.Quote(who)+".")
		return
	}
	if !admin && (me == nil || o.team || o.Person != me.Name) {
		h.adminMessage(w, r, http.StatusForbidden, "Not your queue", "You can see your own queue; an admin can see everyone's.")
		return
	}
	page, _ := strconv.Atoi(q.Get("page"))
	now := h.now()
	qp, err := h.readQueue(ctx, o, page, now)
	if err != nil {
		h.dbDown(w, r, "reading a queue", err)
		return
	}
	v.Owner, v.Team, v.Chosen, v.Zone = o.name, o.team, o.name, o.zone.String()
	v.Status = h.workStatus(ctx, q)
	c := qp.counts
	v.Open, v.Due, v.Overdue, v.Waiting = c.Open(), c.Due, c.Overdue, c.Waiting
	v.Page, v.Pages = qp.page, qp.pages
	at := func(n int) string { return queueURL(o.name, n) }
	if v.Page > 1 {
		v.Prev = at(v.Page - 1)
	}
	if v.Page < v.Pages {
		v.Next = at(v.Page + 1)
	}
	if len(qp.leads) > 0 {
		v.From = (v.Page-1)*queuePageSize + 1
		v.To = v.From + len(qp.leads) - 1
	}
	if p.CanWork() {
		f := h.workForms(p.CSRF, at(v.Page))
		v.Work = &f
	}
	for _, l := range qp.leads {
		row := templates.QueueRow{ID: l.ID, URL: leadURL(l.ID), Name: templates.LeadName(l.name, l.company), Stage: l.Stage,
			Tier: l.Tier, Fit: l.Fit, Owner: l.Owner, Overdue: l.overdue, Attempts: attempts(l), Accepted: accepted(l.ReportEvents)}
		if !l.due.IsZero() {
			row.Due, row.DueISO = l.due.In(o.zone).Format("Mon 2 Jan 15:04 MST"), l.due.UTC().Format(time.RFC3339)
			row.DueIn = "in " + workSpan(l.off)
			if l.overdue {
				row.DueIn = workSpan(l.off) + " ago"
			}
		}
		if v.Work != nil {
			row.People = h.reassignOptions(l.Team, l.Owner, l.Stage)
		}
		v.Rows = append(v.Rows, row)
	}
	p.Title = "Queue of " + o.name
	h.adminRender(w, r, http.StatusOK, p, templates.AdminQueueView(v))
}

// queueURL is the address of page n of the queue of who.
func queueURL(who string, n int) string {
	q := url.Values{"owner": {who}}
	if n > 1 {
		q.Set("page", strconv.Itoa(n))
	}
	return "/admin/queue?" + q.Encode()
}

// queueChoices are the queues an admin may open: each team's, and those
// of its people (each person under the first team that lists them).
func queueChoices(r *routing.Routing) []templates.OptionGroup {
	seen := map[string]bool{}
	var out []templates.OptionGroup
	for _, t := range r.Teams {
		g := templates.OptionGroup{Label: t.Name, Options: []templates.Option{{Value: t.Name, Label: "Everyone in " + t.Name}}}
		for _, p := range t.People {
			if !seen[p.Name] {
				seen[p.Name] = true
				g.Options = append(g.Options, templates.Option{Value: p.Name, Label: p.Name})
			}
		}
		out = append(out, g)
	}
	return out
}

// accepted reports whether a lead's events hold an acceptance.
func accepted(events []lead.Event) bool {
	return slices.ContainsFunc(events, func(e lead.Event) bool { return e.Kind == lead.KindAccept })
}

// attempts says how many attempts of its stage's rhythm a lead had: "2
// of 5" (those past the last asked for count as it), "3 made" without a
// limit, "–" for a stage without a rhythm.
func attempts(l queueLead) string {
	switch {
	case !l.rhythm:
		return "–"
	case l.asked > 0:
		return strconv.Itoa(min(l.made, l.asked)) + " of " + strconv.Itoa(l.asked)
	}
	return strconv.Itoa(l.made) + " made"
}

// workSpan writes a span of working time in hours and minutes: "26h 5m",
// "40m", "under a minute".
func workSpan(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	}
	return strconv.Itoa(int(d/time.Hour)) + "h " + strconv.Itoa(int(d/time.Minute)%60) + "m"
}

// workForms is what the forms that work leads offer: the activities,
// the reasons to reject and the model's stages; they post csrf and come
// back to back.
func (h *Handler) workForms(csrf, back string) templates.WorkForms {
	var b [12]byte
	rand.Read(b[:])
	f := templates.WorkForms{CSRF: csrf, Back: back, Key: base64.RawURLEncoding.EncodeToString(b[:])}
	for _, name := range h.activities() {
		label := h.activityLabel(name)
		if name == report.Contacted && label == name {
			label = "Contacted"
		}
		f.Activities = append(f.Activities, templates.Option{Value: name, Label: label})
	}
	if r := h.c.Routing; r != nil {
		for _, rr := range r.RejectReasons {
			label := rr.Label
			if rr.To != "" {
				label += " (to " + rr.To + ")"
			}
			f.Reasons = append(f.Reasons, templates.Option{Value: rr.Name, Label: label})
		}
	}
	for _, s := range h.c.Model.Stages {
		label := s.Name
		if s.Title != "" && s.Title != s.Name {
			label += " (" + s.Title + ")"
		}
		f.Stages = append(f.Stages, templates.Option{Value: s.Name, Label: label})
	}
	return f
}

// reassignOptions are whom a lead owned by owner in team, in stage, may
// be handed to: the other people of its team.
func (h *Handler) reassignOptions(team, owner, stage string) []templates.Option {
	t := reassignTeam(h.c.Model, h.c.Routing, team, stage)
	if t == nil {
		return nil
	}
	var out []templates.Option
	for _, p := range t.People {
		if p.Name != owner || t.Name != team {
			out = append(out, templates.Option{Value: p.Name, Label: p.Name})
		}
	}
	return out
}

// workDone is what a form's fact did, as the page it goes back to says:
// the ?done= it adds.
var workDone = map[string]string{
	"accept":   "accepted",
	"reject":   "rejected",
	"activity": "recorded",
	"reassign": "reassigned",
	"override": "overridden",
}

// workStatus says what the last form did, from the ?done= and ?lead= it
// came back with, and where the lead stands now; "" without them.
func (h *Handler) workStatus(ctx context.Context, q url.Values) string {
	done, id := q.Get("done"), q.Get("lead")
	var verb string
	switch done {
	case "accepted":
		verb = "Accepted"
	case "rejected":
		verb = "Rejected"
	case "recorded":
		verb = "Recorded an activity on"
	case "reassigned":
		verb = "Reassigned"
	case "overridden":
		verb = "Set the stage of"
	}
	if verb == "" || id == "" || len(id) > 100 {
		return ""
	}
	l, err := h.store.Lead(ctx, id)
	if err != nil {
		return verb + " lead " + id + "."
	}
	name := templates.LeadName(l.State.Answers["name"], l.State.Answers["company"])
	if name == "" {
		name = "lead " + id
	}
	s := verb + " " + name + ": it is in " + l.Stage
	if l.Owner != "" {
		s += ", owned by " + l.Owner
	}
	return s + "."
}

// workLead records the fact a form that works a lead posts (fact: accept,
// reject with a reason, activity with a note, reassign to a person,
// override to a stage with a reason) as an event of the lead by who is
// signed in, re-scores it, and goes back to the page the form was on
// (back), which says what happened. A viewer's post is refused.
func (h *Handler) workLead(w http.ResponseWriter, r *http.Request, p templates.AdminPage) {
	ctx := r.Context()
	f := r.PostForm
	back := safeNext(f.Get("back"))
	if !p.CanWork() {
		h.adminMessageBack(w, r, http.StatusForbidden, "Your role cannot change leads",
			"You are signed in as a "+p.Role+": you can read the queue and the leads, not work them. Nothing was changed.", back)
		return
	}
	fact := f.Get("fact")
	in := factJSON{Actor: p.Actor, Note: f.Get("note")}
	var missing string
	switch fact {
	case "accept":
		in.Accept = true
	case "reject":
		in.Reject, in.Reason = true, f.Get("reason")
	case "activity":
		in.Activity, missing = f.Get("activity"), "Choose the activity to record."
	case "reassign":
		in.Reassign, missing = f.Get("person"), "Choose whom to hand the lead to."
	case "override":
		in.Stage, in.Reason, missing = f.Get("stage"), f.Get("reason"), "Choose the stage to set."
	default:
		h.adminMessageBack(w, r, http.StatusBadRequest, "The form was refused", "It names no fact to record, so nothing was changed.", back)
		return
	}
	if missing != "" && in.Activity == "" && in.Reassign == "" && in.Stage == "" {
		h.adminMessageBack(w, r, http.StatusBadRequest, "The lead was not changed", missing, back)
		return
	}
	m, err := h.model(ctx)
	if err != nil {
		h.dbDown(w, r, "loading the domain lists", err)
		return
	}
	id := r.PathValue("id")
	l, err := h.activeLead(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		h.adminMessageBack(w, r, http.StatusNotFound, "No such lead", "No lead has the id in this address.", back)
		return
	}
	if err != nil {
		h.dbDown(w, r, "finding a lead", err)
		return
	}
	now := h.now()
	e, errs := h.fact(m, &in, l, now)
	if len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, fe := range errs {
			msgs[i] = fe.Field + ": " + fe.Message
		}
		h.adminMessageBack(w, r, http.StatusBadRequest, "The lead was not changed", strings.Join(msgs, "; ")+".", back)
		return
	}
	e.Source = "admin"
	if refusal := overrideRefusal(m, l, e); refusal != nil {
		h.adminMessageBack(w, r, http.StatusBadRequest, "The lead was not changed", refusal.Message+".", back)
		return
	}
	// The form's key makes a form sent twice one event; sent again with
	// other answers (a page kept open since), it is refused.
	ev := store.EventWrite{Event: e}
	if k := f.Get("key"); validKey(k) {
		ev.Idem = "ev:" + l.ID + ":" + k
		ev.ID = "e" + h.hashKey(ev.Idem)
		ev.BodyHash = h.bodyHashOf([]byte(strings.Join([]string{fact, f.Get("activity"), f.Get("reason"), f.Get("person"),
			f.Get("stage"), f.Get("note")}, "\x00")))
	}
	read := func() (change, error) {
		l, err := h.activeLead(ctx, id)
		reassigned(&l, &ev.Event)
		return change{lead: l, events: []store.EventWrite{ev}, answerKey: ev.Idem}, err
	}
	stale := false
	refused := func(c *change, p *plan) (bool, error) {
		if ev.Idem == "" {
			return false, nil
		}
		prev, found, err := h.store.RecordedOne(ctx, ev.Idem)
		if err != nil || !found {
			return false, err
		}
		stale = prev.BodyHash != ev.BodyHash
		return true, nil
	}
	if _, _, err := h.apply(ctx, read, now, refused); err != nil {
		h.dbDown(w, r, "storing an event", err)
		return
	}
	if stale {
		h.adminMessageBack(w, r, http.StatusConflict, "The lead was not changed",
			"This form was sent before with other answers: the page is out of date. Go back, reload it and try again.", back)
		return
	}
	adminHeaders(w.Header())
	seeOther(w, withDone(back, workDone[fact], l.ID))
}

// withDone adds to the dashboard address back what a form did (done) to
// lead id, for the page to say.
func withDone(back, done, id string) string {
	u, err := url.Parse(back)
	if err != nil {
		return "/admin"
	}
	q := u.Query()
	q.Set("done", done)
	q.Set("lead", id)
	u.RawQuery = q.Encode()
	return u.String()
}

// adminMessageBack answers with a page that says one thing and links
// back to the page a form was on.
func (h *Handler) adminMessageBack(w http.ResponseWriter, r *http.Request, status int, heading, msg, back string) {
	var s *signedIn
	if sess, ok, _ := h.session(r); ok {
		s = &sess
	}
	p := h.frame(r, s)
	p.Title = heading
	h.adminRender(w, r, status, p, templates.AdminMessageView(templates.AdminMessage{Heading: heading, Message: msg,
		Link: templates.Link{Title: "Go back", URL: back}}))
}

// queueJSON is a page of a queue as GET /api/queue gives it.
type queueJSON struct {
	Owner   string          `json:"owner"` // the person's name, or the team's
	Team    bool            `json:"team"`
	Zone    string          `json:"zone"` // the time zone of the owner's team
	Open    int             `json:"open"`
	Due     int             `json:"due"`
	Overdue int             `json:"overdue"`
	Waiting int             `json:"waiting"`
	Page    int             `json:"page"`
	Pages   int             `json:"pages"`
	Leads   []queueLeadJSON `json:"leads"`
}

// queueLeadJSON is a lead of a queue.
type queueLeadJSON struct {
	ID            string `json:"id"`
	Name          string `json:"name,omitempty"`
	Company       string `json:"company,omitempty"`
	Stage         string `json:"stage"`
	Fit           string `json:"fit"`
	Tier          string `json:"tier"`
	Owner         string `json:"owner"`
	Team          string `json:"team"`
	DueAt         string `json:"due_at,omitempty"`
	Overdue       bool   `json:"overdue"`
	Attempts      int    `json:"attempts"`       // made in the stage
	AttemptsAsked int    `json:"attempts_asked"` // asked by its rhythm; 0: no limit
}

// apiQueue gives a page of the queue of ?owner= (a person's name or
// email, or a team's name): its counts and its leads in the queue's
// order. ?page= pages through it.
func (h *Handler) apiQueue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	who := strings.TrimSpace(q.Get("owner"))
	if h.c.Routing == nil {
		writeError(w, newError("bad_request", "nobody owns leads: the content has no routing.yaml",
			fieldError{"owner", "routing", "the content has no routing.yaml: there are no queues"}))
		return
	}
	if who == "" {
		writeError(w, newError("bad_request", "say whose queue", fieldError{"owner", "required", "owner names a person (by name or email) or a team"}))
		return
	}
	o, ok := h.findQueue(who)
	if !ok {
		writeError(w, newError("bad_request", "no such queue", fieldError{"owner", "unknown",
			"no person (by name or email) or team of routing.yaml is named " + strconv.Quote(who)}))
		return
	}
	page := 1
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			writeError(w, newError("bad_request", "page is not a page number", fieldError{"page", "invalid", "page is a number from 1"}))
			return
		}
		page = n
	}
	qp, err := h.readQueue(r.Context(), o, page, h.now())
	if err != nil {
		h.serverError(w, r, false, "reading a queue", err)
		return
	}
	c := qp.counts
	out := queueJSON{Owner: o.name, Team: o.team, Zone: o.zone.String(), Open: c.Open(), Due: c.Due, Overdue: c.Overdue,
		Waiting: c.Waiting, Page: qp.page, Pages: qp.pages, Leads: []queueLeadJSON{}}
	for _, l := range qp.leads {
		lj := queueLeadJSON{ID: l.ID, Name: l.name, Company: l.company, Stage: l.Stage, Fit: l.Fit, Tier: l.Tier,
			Owner: l.Owner, Team: l.Team, Overdue: l.overdue, Attempts: l.made, AttemptsAsked: l.asked}
		if !l.due.IsZero() {
			lj.DueAt = l.due.UTC().Format(time.RFC3339)
		}
		out.Leads = append(out.Leads, lj)
	}
	writeJSON(w, http.StatusOK, out)
}
