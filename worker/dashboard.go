package worker

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/templates"
	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/store"
)

// The admin dashboard at /admin: server-rendered pages that work without
// JavaScript, for the people who have an account, each with a role
// (signin.go, people.go), and for the admin token as the break-glass
// admin. The JSON API keeps its bearer token.

// routeDashboard adds the dashboard's routes to the handler's mux.
func (h *Handler) routeDashboard() {
	viewer, sales, admin := templates.RoleViewer, templates.RoleSales, templates.RoleAdmin
	h.mux.HandleFunc("GET /admin", h.dashboard(viewer, h.overviewPage))
	h.mux.HandleFunc("GET /admin/leads/{id}", h.dashboard(viewer, h.leadPage))
	h.mux.HandleFunc("GET /admin/model", h.dashboard(viewer, h.modelPage))
	h.mux.HandleFunc("GET /admin/model.patch", h.dashboard(viewer, h.modelPatch))
	h.mux.HandleFunc("GET /admin/queue", h.dashboard(viewer, h.queuePage))
	h.mux.HandleFunc("POST /admin/leads/{id}/events", h.dashboardPost(sales, h.workLead))
	h.mux.HandleFunc("POST /admin/login", h.login)
	h.mux.HandleFunc("POST /admin/logout", h.dashboardPost(viewer, h.logout))
	h.mux.HandleFunc("GET /admin/link/{token}", h.linkPage)
	h.mux.HandleFunc("POST /admin/link", h.linkLogin)
	h.mux.HandleFunc("POST /admin/webhooks/{id}/retry", h.dashboardPost(sales, h.retryPage))
	h.mux.HandleFunc("GET /admin/people", h.dashboard(admin, h.peoplePage))
	h.mux.HandleFunc("POST /admin/people", h.dashboardPost(admin, h.addPerson))
	h.mux.HandleFunc("GET /admin/people/{id}", h.dashboard(admin, h.personPage))
	h.mux.HandleFunc("POST /admin/people/{id}", h.dashboardPost(admin, h.changePerson))
	h.mux.HandleFunc("POST /admin/people/{id}/link", h.dashboardPost(admin, h.makeLink))
	h.mux.HandleFunc("POST /admin/sessions/revoke", h.dashboardPost(viewer, h.revokeSessions))
	h.mux.HandleFunc("GET /admin/account", h.dashboard(viewer, h.accountPage))
	h.mux.HandleFunc("POST /admin/account/password", h.dashboardPost(viewer, h.setPassword))
	h.mux.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/admin/" && r.Method == http.MethodGet {
			seeOther(w, "/admin")
			return
		}
		h.noPage(w, r)
	})
}

// frame is what every page shows around its content: for an open
// session s, the navigation, who is signed in and the logout button.
func (h *Handler) frame(r *http.Request, s *signedIn) templates.AdminPage {
	p := templates.AdminPage{Site: h.c.Page.Site.Name, Language: h.c.Page.Site.Language, Path: r.URL.Path}
	if s != nil {
		p.CSRF = h.csrfToken(s.id)
		p.Actor, p.Role = s.actor(), s.role()
	}
	return p
}

// readAdminForm reads a small form body from the site's own pages; it
// answers the request itself and returns false when it cannot.
func (h *Handler) readAdminForm(w http.ResponseWriter, r *http.Request) bool {
	if h.crossOrigin(r) {
		h.adminMessage(w, r, http.StatusForbidden, "The form was refused", "It was sent from another site.")
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		h.adminMessage(w, r, tooLargeOr(err, "body", "").Status(), "The form was refused", "Its body cannot be read.")
		return false
	}
	return true
}

// safeNext returns next if it is a dashboard page of this site, else
// the overview.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.Contains(next, "\\") || strings.HasPrefix(next, "//") ||
		!(u.Path == "/admin" || strings.HasPrefix(u.Path, "/admin/")) {
		return "/admin"
	}
	return next
}

func seeOther(w http.ResponseWriter, to string) {
	w.Header().Set("Location", to)
	w.WriteHeader(http.StatusSeeOther)
}

// overviewPage is the dashboard's first page.
func (h *Handler) overviewPage(w http.ResponseWriter, r *http.Request, p templates.AdminPage) {
	ctx := r.Context()
	o, err := h.overview(ctx)
	if err == nil {
		o.Recent, err = h.recentLeads(ctx, 20)
	}
	var dead []deadJSON
	if err == nil {
		dead, err = h.deadWebhooks(ctx, 100)
	}
	var e *Error
	if errors.As(err, &e) && e.Code == "unavailable" {
		// The report's sums are being counted: the page says so.
		h.adminMessage(w, r, http.StatusServiceUnavailable, "The report is being counted", e.Message)
		return
	}
	if err != nil {
		h.dbDown(w, r, "reading the overview", err)
		return
	}
	for _, d := range dead {
		o.Dead = append(o.Dead, templates.DeadWebhook{ID: d.ID, LeadID: d.Lead, LeadURL: leadURL(d.Lead), Target: d.Target,
			Topic: d.Topic, Attempts: d.Attempts, LastError: d.LastError, Created: stamp(d.CreatedAt), CreatedISO: d.CreatedAt})
	}
	q := r.URL.Query()
	if id := q.Get("retried"); id != "" && len(id) <= 100 {
		o.Status = "Webhook " + id + " is back in the queue: the next delivery run sends it."
	} else if id := q.Get("missing"); id != "" && len(id) <= 100 {
		o.Status = "No dead webhook " + id + ": it may have been retried already."
	}
	p.Title = "Overview"
	csrf := p.CSRF // the retry buttons' token; viewers get none
	if p.Role == templates.RoleViewer {
		csrf = ""
	}
	h.adminRender(w, r, http.StatusOK, p, templates.AdminOverviewView(o, csrf))
}

// overview is what the dashboard shows of the funnel's history, from the
// funnel and SLA report (package report) of the last 12 months and the
// current one: how many of the leads that came in reached each stage of
// the funnel (then won), entering it or a later one; each month's
// conversion from each stage to the next (of the month's new leads that
// reached a stage, the share that went on); the entries into each stage
// the rules made and those overrides made; the conversions of the leads
// of each origin, campaign and source; how well each stage's SLA was
// kept, its first action and its rhythm; the entries nobody has acted on
// past their SLA; and how each owner and each team did with the leads
// they own.
func (h *Handler) overview(ctx context.Context) (templates.AdminOverview, error) {
	var o templates.AdminOverview
	rep, err := h.readReport(ctx, "", "", "", "", maxBreaches, false)
	if err != nil {
		return o, err
	}
	o.Period = rep.From + " to " + rep.To
	title := func(step string) string {
		if i := h.c.Model.StageIndex(step); i >= 0 {
			return h.c.Model.Stages[i].Title
		}
		if step == report.Won {
			return "Won"
		}
		return ""
	}
	f := rep.Stages
	for k, c := range f.Total.Conversions {
		o.Funnel = append(o.Funnel, templates.FunnelBar{Stage: c.From, Title: title(c.From), Count: c.Reached})
		if k == len(f.Total.Conversions)-1 {
			o.Funnel = append(o.Funnel, templates.FunnelBar{Stage: c.To, Title: title(c.To), Count: c.Converted})
		}
	}
	for k := range f.Total.Conversions {
		var s templates.TrendSeries
		for _, m := range f.Months {
			c := m.Conversions[k]
			s.Label = c.From + " → " + c.To
			s.Points = append(s.Points, templates.TrendPoint{Month: m.Month, Rate: c.Rate, Reached: c.Converted, Of: c.Reached})
		}
		o.Trend = append(o.Trend, s)
	}
	for _, mv := range rep.Moves {
		if !report.IsOutcome(mv.Step) {
			o.Moves = append(o.Moves, templates.MoveRow{Stage: mv.Step, ByRule: mv.ByRule, Override: mv.Override})
		}
	}
	o.Origins = segmentTable("Conversion by origin", "Origin", "Direct or unknown", rep.Origins)
	o.Campaigns = segmentTable("Conversion by campaign", "Campaign", "No campaign", rep.Campaigns)
	o.Sources = segmentTable("Conversion by source", "Source", "Unknown", rep.Sources)
	for _, s := range rep.SLA {
		row := templates.SLAFigures{Stage: s.Stage, Owner: s.Owner, Within: span(time.Duration(s.WithinSeconds) * time.Second),
			Entered: s.Entered, Met: s.Met, Late: s.Late, Breached: s.Breached, NotDue: s.NotDue, Compliance: s.Compliance,
			Rhythm: rhythmFigures(s.Rhythm)}
		switch {
		case s.EverySeconds <= 0:
			row.Attempts = "1" // the first action only
		case s.Attempts > 0:
			row.Attempts = strconv.Itoa(s.Attempts)
		}
		if s.EverySeconds > 0 {
			row.Every = span(time.Duration(s.EverySeconds) * time.Second)
		}
		o.SLA = append(o.SLA, row)
	}
	o.Owners, o.Teams = h.ownerRows(rep.Owners), h.ownerRows(rep.Teams)
	o.BreachCount = rep.BreachesTotal
	shown := rep.Breaches
	who, err := h.leadNames(ctx, shown)
	if err != nil {
		return o, err
	}
	for _, br := range shown {
		o.Breaches = append(o.Breaches, templates.BreachRow{LeadID: br.Lead, Lead: who[br.Lead], URL: leadURL(br.Lead),
			Stage: br.Stage, Owner: br.Owner, Age: span(time.Duration(br.AgeSeconds) * time.Second),
			Over: span(time.Duration(br.OverSeconds) * time.Second)})
	}
	return o, nil
}

// rhythmFigures is a rhythm as the dashboard shows it.
func rhythmFigures(r report.Rhythm) templates.RhythmFigures {
	return templates.RhythmFigures{Kept: r.Kept, Broken: r.Broken, Running: r.Running, OnTime: r.OnTime, Late: r.Late, Missed: r.Missed,
		Overdue: r.Overdue}
}

// ownerRows lays out the figures of owners or teams, with the three most
// frequent reasons for rejecting, by their labels.
func (h *Handler) ownerRows(owners []report.OwnerFigures) []templates.OwnerRow {
	var out []templates.OwnerRow
	for _, o := range owners {
		row := templates.OwnerRow{Name: o.Name, Owned: o.Owned, SpeedMedian: businessHours(o.SpeedMedianSeconds),
			SpeedP90: businessHours(o.SpeedP90Seconds), Rhythm: rhythmFigures(o.Rhythm), Accepted: o.Accepted, Rejected: o.Rejected,
			Opportunities: o.Opportunities, Won: o.Won}
		var reasons []string
		for _, r := range o.Reasons[:min(len(o.Reasons), 3)] {
			reasons = append(reasons, cmp.Or(h.rejectLabel(r.Reason), "no reason")+" "+strconv.Itoa(r.Count))
		}
		row.Reasons = strings.Join(reasons, ", ")
		out = append(out, row)
	}
	return out
}

// businessHours writes seconds of business time in hours and minutes,
// never days (a day of business hours is not a day): "26h 5m", "40m";
// "" for none.
func businessHours(seconds *float64) string {
	if seconds == nil {
		return ""
	}
	m := int(*seconds/60 + 0.5)
	if m < 60 {
		return strconv.Itoa(m) + "m"
	}
	return strconv.Itoa(m/60) + "h " + strconv.Itoa(m%60) + "m"
}

// segmentTable lays out the conversions over the whole period of the
// leads of each value of a dimension; none names the leads without one.
func segmentTable(caption, dimension, none string, segs []report.Segment) templates.SegmentTable {
	t := templates.SegmentTable{Caption: caption, Dimension: dimension}
	for i, s := range segs {
		row := templates.SegmentRow{Value: cmp.Or(s.Value, none), Leads: s.Funnel.Total.Created}
		for _, c := range s.Funnel.Total.Conversions {
			if i == 0 {
				t.Steps = append(t.Steps, c.From+" → "+c.To)
			}
			row.Conversions = append(row.Conversions, templates.Conversion{Reached: c.Reached, Converted: c.Converted, Rate: c.Rate})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// maxBreaches is how many SLA breaches the overview lists, the most
// overdue first; GET /api/report has them all.
const maxBreaches = 50

// leadNames gives the name (and company) of each breach's lead, in one
// query.
func (h *Handler) leadNames(ctx context.Context, breaches []report.Breach) (map[string]string, error) {
	out := map[string]string{}
	ids := make([]string, len(breaches))
	for i, b := range breaches {
		ids[i] = b.Lead
	}
	leads, err := h.store.Summaries(ctx, ids)
	for _, l := range leads {
		out[l.ID] = templates.LeadName(names(l.Input))
	}
	return out, err
}

// recentLeads lists the leads last active with the stage each stands in
// now (won or lost for a closed one).
func (h *Handler) recentLeads(ctx context.Context, limit int) ([]templates.RecentLead, error) {
	leads, err := h.store.RecentLeads(ctx, limit)
	var out []templates.RecentLead
	for _, s := range leads {
		l := templates.RecentLead{Stage: s.Stage, Fit: s.Fit, Tier: s.Tier}
		if s.Outcome != "" {
			l.Stage = s.Outcome
		}
		at := time.UnixMilli(s.CreatedAt).UTC()
		l.At, l.AtISO, l.URL = at.Format(humanTime), at.Format(time.RFC3339), leadURL(s.ID)
		l.Name, l.Company = names(s.Input)
		l.Score, l.Spam = qualify.FormatNumber(s.Score), s.Spam
		out = append(out, l)
	}
	return out, err
}

// leadPage shows one lead.
func (h *Handler) leadPage(w http.ResponseWriter, r *http.Request, p templates.AdminPage) {
	ctx := r.Context()
	l, err := h.loadLead(ctx, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		h.adminMessage(w, r, http.StatusNotFound, "No such lead", "No lead has the id in this address.")
		return
	}
	if err != nil {
		h.dbDown(w, r, "reading a lead", err)
		return
	}
	v := h.leadView(l, l.Scores, h.now())
	v.Status = h.workStatus(ctx, r.URL.Query())
	switch {
	case l.MergedInto != "" || l.Spam || l.Outcome != "":
		// Nobody works it: the page says why.
	case !p.CanWork():
		v.WorkNote = "You can read this lead; working it takes the sales or the admin role."
	default:
		v.Work = &templates.LeadWork{ID: l.ID, Name: v.Heading, Key: "lead", People: h.reassignOptions(l.Team, l.Owner, l.Stage),
			Accepted: slices.ContainsFunc(l.Events, func(e eventOut) bool { return e.Kind == lead.KindAccept }),
			Forms:    h.workForms(p.CSRF, leadURL(l.ID))}
	}
	p.Title = v.Heading
	h.adminRender(w, r, http.StatusOK, p, templates.AdminLeadView(v))
}

// leadView lays out a stored lead for its page, with its score history
// (oldest first) up to now.
func (h *Handler) leadView(l leadJSON, scores []scoreOut, now time.Time) templates.AdminLead {
	m := h.c.Model
	v := templates.AdminLead{ID: l.ID, Heading: "Lead " + l.ID, Created: stamp(l.CreatedAt), CreatedISO: l.CreatedAt,
		Source: l.Source, Spam: l.Spam, Purged: l.Purged, Stage: l.Stage}
	if name := templates.LeadName(l.Fields["name"], l.Fields["company"]); name != "" {
		v.Heading = name
	}
	if l.MergedInto != "" {
		v.MergedInto = &templates.Link{Title: l.MergedInto, URL: leadURL(l.MergedInto)}
	}
	for _, id := range l.Merged {
		v.Merged = append(v.Merged, templates.Link{Title: id, URL: leadURL(id)})
	}
	seen := map[string]bool{}
	for _, f := range m.Fields {
		if val := l.Fields[f.Name]; val != "" {
			seen[f.Name] = true
			for _, o := range f.Options {
				if o.Value == val && o.Label != "" && o.Label != val {
					val = o.Label + " (" + val + ")"
				}
			}
			v.Fields = append(v.Fields, templates.FieldValue{Name: f.Name, Label: f.Label, Value: val})
		}
	}
	for _, k := range sortedKeys(l.Fields) { // answers to fields the model no longer has
		if !seen[k] && l.Fields[k] != "" {
			v.Fields = append(v.Fields, templates.FieldValue{Name: k, Label: k, Value: l.Fields[k]})
		}
	}
	var vj VerdictJSON
	json.Unmarshal(l.Verdict, &vj)
	v.Verdict = templates.VerdictView{Model: vj.Model, At: stamp(vj.At), AtISO: vj.At, Stage: vj.Stage, Funnel: vj.Funnel, Fit: vj.Fit, Tier: vj.Tier,
		Score: qualify.FormatNumber(vj.Score), Framework: vj.Framework, Criteria: vj.Criteria, Next: vj.Next.Label}
	for _, r := range vj.Reasons {
		row := templates.ReasonRow{Kind: r.Kind, Rule: r.Rule, Label: r.Text, Pos: r.Pos, Decay: qualify.FormatDecay(r.Base, r.HalfLife, r.Age)}
		if r.Points != nil {
			row.Points = qualify.FormatPoints(*r.Points)
		}
		v.Verdict.Reasons = append(v.Verdict.Reasons, row)
	}
	var client map[string]any
	if json.Unmarshal(l.ClientVerdict, &client) == nil && client != nil {
		c := templates.ClientVerdict{Model: l.ClientModel, Stage: text(client["stage"]), Fit: text(client["fit"]),
			Tier: text(client["tier"]), Score: text(client["score"])}
		if c.Stage != vj.Stage || c.Fit != "" && c.Fit != vj.Fit || c.Tier != "" && c.Tier != vj.Tier {
			v.Client = &c
		}
	}
	if o := l.Override; o != nil {
		at := stampMS(o.At)
		v.Override = &templates.OverrideView{Stage: o.Stage, Rules: vj.Stage, Reason: h.rejectLabel(o.Reason), Actor: o.Actor, At: stamp(at), AtISO: at}
	}
	if l.Outcome != "" {
		v.Outcome = &templates.OutcomeView{Outcome: l.Outcome}
		for _, e := range slices.Backward(l.Events) {
			if e.Kind == lead.KindOutcome && e.Stage == l.Outcome {
				v.Outcome.Reason, v.Outcome.Actor, v.Outcome.At, v.Outcome.AtISO = h.closeReason(e.Value), e.Actor, stamp(e.At), e.At
				break
			}
		}
	}
	v.Owner, v.Team = l.Owner, l.Team
	if l.NextCheck != "" {
		v.NextCheck, v.NextCheckISO = stamp(l.NextCheck), l.NextCheck
	}
	v.Timeline = h.timeline(l.Events, scores)
	v.History = h.scoreHistory(l, vj, scores, now)
	return v
}

// timeline lays out a lead's events and the changes of its verdict,
// oldest first, by day (UTC): the change an event made goes on the
// event's row, and a change the passing of time made (a score row of no
// event) is a row of its own, before the stage entry it made.
func (h *Handler) timeline(events []eventOut, scores []scoreOut) []templates.TimelineDay {
	ids := map[string]bool{}
	for _, e := range events {
		ids[e.ID] = true
	}
	caused := map[string]*templates.ChangeView{}
	var own []templates.TimelineRow // the changes of no event shown, in order
	var ownAt []string
	for i, s := range scores {
		c := h.changeView(s, i == 0)
		if s.Event != "" && ids[s.Event] && caused[s.Event] == nil {
			caused[s.Event] = c
			continue
		}
		r := templates.TimelineRow{Kind: "decay", What: changeText(s, scores[:i]), Actor: report.SystemActor, Change: c}
		if s.Event != "" {
			r.Kind = "change"
		}
		own, ownAt = append(own, r), append(ownAt, s.At)
	}
	var days []templates.TimelineDay
	add := func(r templates.TimelineRow, at string) {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return
		}
		t = t.UTC()
		r.Time, r.AtISO = t.Format("15:04"), at
		if date := t.Format(time.DateOnly); len(days) == 0 || days[len(days)-1].DateISO != date {
			days = append(days, templates.TimelineDay{Date: t.Format("Monday 2 January 2006"), DateISO: date})
		}
		days[len(days)-1].Rows = append(days[len(days)-1].Rows, r)
	}
	k := 0
	for _, e := range events {
		for ; k < len(own) && ownAt[k] <= e.At; k++ {
			add(own[k], ownAt[k])
		}
		r := h.eventRow(e)
		r.Change = caused[e.ID]
		add(r, e.At)
	}
	for ; k < len(own); k++ {
		add(own[k], ownAt[k])
	}
	return days
}

// changeText says what changed a verdict without an event of the lead's
// timeline, after the rows before: "Score decayed: MQL → cold lead".
func changeText(s scoreOut, before []scoreOut) string {
	what := "Verdict changed"
	if s.Event == "" {
		what = "Verdict changed with time"
		if len(before) > 0 && s.Score < before[len(before)-1].Score {
			what = "Score decayed"
		}
	}
	var c lead.Change
	json.Unmarshal(s.Changed, &c)
	switch {
	case c.StageFrom != "":
		return what + ": " + c.StageFrom + " → " + c.Stage
	case c.TierFrom != "":
		return what + ": tier " + c.TierFrom + " → " + c.Tier
	}
	return what
}

// changeView lays out what changed in a row of the score history; the
// first row's verdict is all new.
func (h *Handler) changeView(s scoreOut, first bool) *templates.ChangeView {
	c := lead.Change{Stage: s.Stage, ByRule: true, Fit: s.Fit, Tier: s.Tier, Score: s.Score}
	json.Unmarshal(s.Changed, &c)
	move := func(from, to string) string {
		switch {
		case from != "":
			return from + " → " + to
		case first:
			return to
		}
		return ""
	}
	v := &templates.ChangeView{Stage: move(c.StageFrom, c.Stage), Override: !c.ByRule, Fit: move(c.FitFrom, c.Fit),
		Tier: move(c.TierFrom, c.Tier), Score: qualify.FormatNumber(c.Score)}
	for _, r := range c.Gained {
		v.Gained = append(v.Gained, h.ruleText(r))
	}
	for _, r := range c.Lost {
		v.Lost = append(v.Lost, h.ruleText(r))
	}
	return v
}

// closeReason is the label of the model's close reason named name (why
// sales closed a lead); any other text as it is.
func (h *Handler) closeReason(name string) string {
	if i := h.c.Model.CloseReasonIndex(name); i >= 0 && h.c.Model.CloseReasons[i].Label != "" {
		return h.c.Model.CloseReasons[i].Label
	}
	return name
}

// rejectLabel is the label of the reject reason named name (why an owner
// rejected a lead, which an override it set keeps as its reason); any
// other text as it is.
func (h *Handler) rejectLabel(name string) string {
	if rr := h.c.Routing.RejectReason(name); rr != nil && rr.Label != "" {
		return rr.Label
	}
	return name
}

// activityLabel is the label of the activity named name; any other name
// as it is.
func (h *Handler) activityLabel(name string) string {
	if a := h.c.Routing.Activity(name); a != nil && a.Label != "" {
		return a.Label
	}
	return name
}

// ruleText names a point rule with its points: "pricing +2".
func (h *Handler) ruleText(name string) string {
	for _, p := range h.c.Model.Points {
		if p.Name == name {
			return name + " " + qualify.FormatPoints(float64(p.Points))
		}
	}
	return name
}

// scoreHistory lays out a lead's score history for its chart, from its
// creation to now: the stored rows, then its stage and its verdict's
// score decayed to now.
func (h *Handler) scoreHistory(l leadJSON, vj VerdictJSON, scores []scoreOut, now time.Time) templates.ScoreHistory {
	m := h.c.Model
	out := templates.ScoreHistory{Now: templates.ScorePoint{At: now, Stage: l.Stage, Override: !l.ByRule,
		Score: h.scoreAt(vj, now), Fit: vj.Fit, Tier: vj.Tier}}
	out.Start, _ = time.Parse(time.RFC3339, l.CreatedAt)
	for _, s := range m.Stages {
		out.Stages = append(out.Stages, s.Name)
	}
	for _, t := range m.Tiers[:max(len(m.Tiers)-1, 0)] { // the last tier has no lower bound
		out.Thresholds = append(out.Thresholds, templates.Threshold{Label: t.Name, Score: t.Min})
	}
	causes := map[string]string{}
	for _, e := range l.Events {
		causes[e.ID] = h.eventRow(e).What
	}
	for i, s := range scores {
		at, err := time.Parse(time.RFC3339, s.At)
		if err != nil {
			continue
		}
		c := lead.Change{ByRule: true}
		json.Unmarshal(s.Changed, &c)
		cause := causes[s.Event]
		if cause == "" {
			cause = changeText(s, scores[:i])
		}
		out.Points = append(out.Points, templates.ScorePoint{At: at, Stage: s.Stage, Override: !c.ByRule, Score: s.Score,
			Fit: s.Fit, Tier: s.Tier, Cause: cause})
	}
	return out
}

// scoreAt is verdict v's score at instant t, from v's instant on: the
// points of each rule tied to a decaying signal halved once per half-life
// of the signal's age, to the hundredth as the model writes them.
func (h *Handler) scoreAt(v VerdictJSON, t time.Time) float64 {
	from, err := time.Parse(time.RFC3339, v.At)
	if err != nil || !t.After(from) {
		return v.Score
	}
	m, since := h.c.Model, int64(t.Sub(from)/time.Second)
	total := 0.0
	for _, r := range v.Reasons {
		if r.Points == nil {
			continue
		}
		points := *r.Points
		for _, p := range m.Points {
			if p.Name == r.Rule && p.Signal >= 0 && m.Signals[p.Signal].HalfLife > 0 {
				points = float64(p.Points) * math.Exp2(-float64(r.Age+since)/float64(m.Signals[p.Signal].HalfLife))
			}
		}
		total += math.Round(points*100) / 100
	}
	return math.Round(total*100) / 100
}

// retryPage puts a dead webhook back in the queue, recording who did as
// an event of its lead, and goes back to the overview, which says what
// happened.
func (h *Handler) retryPage(w http.ResponseWriter, r *http.Request, p templates.AdminPage) {
	id := r.PathValue("id")
	now := h.now().UnixMilli()
	ok, err := h.store.RequeueBy(r.Context(), id, lead.Event{ID: newID(), Kind: lead.KindRetry, Actor: p.Actor, Source: "admin",
		At: now, Recorded: now})
	if err != nil {
		h.log.Error("retrying a webhook", "err", err)
		h.adminMessage(w, r, http.StatusServiceUnavailable, "Try again in a minute", "The database does not answer; the webhook was not retried.")
		return
	}
	status := "missing"
	if ok {
		status = "retried"
	}
	adminHeaders(w.Header())
	seeOther(w, "/admin?"+status+"="+url.QueryEscape(id)+"#webhooks")
}

// loginPage shows the login form.
func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request, status int, l templates.AdminLogin) {
	p := h.frame(r, nil)
	p.Title = "Log in"
	h.adminRender(w, r, status, p, templates.AdminLoginView(l))
}

// adminOff answers every dashboard route when nobody can log in: no
// admin token is set, no Cloudflare Access, and nobody has an account.
func (h *Handler) adminOff(w http.ResponseWriter, r *http.Request) {
	h.adminMessage(w, r, http.StatusNotFound, "The dashboard is off",
		"The server has no admin token and nobody has an account: set WINNOW_ADMIN_TOKEN, or add a person with winnow people add, to turn the dashboard on.")
}

// noPage answers a dashboard address that has no page.
func (h *Handler) noPage(w http.ResponseWriter, r *http.Request) {
	h.adminMessage(w, r, http.StatusNotFound, "Page not found", "The dashboard has no page at this address.")
}

// dbDown answers a request the database failed while doing something.
func (h *Handler) dbDown(w http.ResponseWriter, r *http.Request, doing string, err error) {
	h.log.Error(doing, "err", err)
	h.adminMessage(w, r, http.StatusServiceUnavailable, "Try again in a minute", "The database does not answer.")
}

// adminMessage answers with a page that says one thing.
func (h *Handler) adminMessage(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	p := h.frame(r, nil)
	if s, ok := whoOf(r); ok {
		p = h.frame(r, &s)
	} else if s, ok, _ := h.session(r); ok && h.access == nil {
		p = h.frame(r, &s)
	}
	p.Title = heading
	h.adminRender(w, r, status, p, templates.AdminMessageView(templates.AdminMessage{Heading: heading, Message: msg,
		Link: templates.Link{Title: "Go to the dashboard", URL: "/admin"}}))
}

// adminRender renders a dashboard page with the headers every one carries.
func (h *Handler) adminRender(w http.ResponseWriter, r *http.Request, status int, p templates.AdminPage, body templ.Component) {
	var buf bytes.Buffer
	if err := templates.AdminLayout(p, body).Render(r.Context(), &buf); err != nil {
		h.log.Error("rendering an admin page", "err", err)
		http.Error(w, "the page cannot be shown", http.StatusInternalServerError)
		return
	}
	adminHeaders(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// adminHeaders keeps dashboard pages out of caches, frames and search
// engines, and lets them load nothing but their own inline style sheet.
func adminHeaders(hd http.Header) {
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src "+templates.AdminStyleHash+
		"; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Robots-Tag", "noindex, nofollow")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Add("Vary", "Cookie")
}

// humanTime is how the dashboard writes an instant.
const humanTime = "2006-01-02 15:04 UTC"

// stamp rewrites an RFC 3339 instant for people.
func stamp(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return rfc3339
	}
	return t.UTC().Format(humanTime)
}

// span writes a duration for people to the hour, or to the minute under
// a day: "3d 4h", "5h 12m", "40m".
func span(d time.Duration) string {
	d = max(d, 0)
	days, hours, mins := int(d/(24*time.Hour)), int(d/time.Hour)%24, int(d/time.Minute)%60
	switch {
	case days > 0:
		return strconv.Itoa(days) + "d " + strconv.Itoa(hours) + "h"
	case hours > 0:
		return strconv.Itoa(hours) + "h " + strconv.Itoa(mins) + "m"
	}
	return strconv.Itoa(mins) + "m"
}

func leadURL(id string) string { return "/admin/leads/" + url.PathEscape(id) }

// names reads a lead's name and company from its stored answers.
func names(input string) (name, company string) {
	var f map[string]string
	json.Unmarshal([]byte(input), &f)
	return f["name"], f["company"]
}

// text is a JSON value the browser sent as a string; numbers as written.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return qualify.FormatNumber(v)
	}
	return ""
}

// eventRow says what an event of a lead's timeline was, in a few words,
// with who, from where, its note, its reason and the lead it names.
func (h *Handler) eventRow(e eventOut) templates.TimelineRow {
	m := h.c.Model
	signal := func(name string) string {
		if i := m.SignalIndex(name); i >= 0 && m.Signals[i].Label != "" {
			return m.Signals[i].Label
		}
		return name
	}
	r := templates.TimelineRow{Kind: e.Kind, Actor: e.Actor, Source: e.Source, Note: e.Note}
	switch e.Kind {
	case lead.KindSubmission:
		r.What = "Submitted answers"
		if e.Source == "form" {
			r.What = "Submitted the form"
		}
	case lead.KindAnswers:
		var labels []string
		for _, f := range m.Fields {
			if e.Answers[f.Name] != "" {
				labels = append(labels, f.Label)
			}
		}
		r.What = "Answers recorded"
		if len(labels) > 0 {
			r.What += ": " + strings.Join(labels, ", ")
		}
	case lead.KindSignal:
		r.What = "Signal: " + signal(e.Name)
		if e.Value != "" {
			r.What += " (" + h.closeReason(e.Value) + ")"
		}
	case lead.KindView:
		r.What = "Viewed " + e.Name
		if e.Value != "" {
			r.What += " (signal: " + signal(e.Value) + ")"
		}
	case lead.KindActivity:
		r.What = "Activity: " + h.activityLabel(e.Name)
	case lead.KindAccept:
		r.What = "Accepted the lead"
		if e.Name != "" {
			r.What += " (signal: " + signal(e.Name) + ")"
		}
	case lead.KindReject:
		r.What, r.Reason = "Rejected the lead", h.rejectLabel(e.Value)
		if e.Stage != "" {
			r.What, r.Override = "Rejected the lead, sent to "+e.Stage, true
		}
	case lead.KindOutcome:
		switch e.Stage {
		case lead.Won:
			r.What = "Won"
		case lead.Lost:
			r.What = "Lost"
		case lead.Open:
			r.What = "Reopened"
		default:
			r.What = "Outcome: " + e.Stage
		}
		r.Reason = h.closeReason(e.Value)
	case lead.KindOverride:
		r.What, r.Override, r.Reason = "Set the stage to "+e.Stage+" against the rules", true, e.Value
	case lead.KindMerge:
		r.What, r.Link = "Merged in lead", &templates.Link{Title: e.Value, URL: leadURL(e.Value)}
	case lead.KindUnmerge:
		r.What, r.Link = "Took out lead", &templates.Link{Title: e.Value, URL: leadURL(e.Value)}
	case lead.KindStage:
		r.What = "Entered " + e.Stage + " by the rules"
		if e.ByRule != nil && !*e.ByRule {
			r.What, r.Override, r.Reason = "Entered "+e.Stage+" by override", true, h.rejectLabel(e.Value)
		}
	case lead.KindRetry:
		r.What = "Webhook to " + e.Name + " queued again by hand"
	case lead.KindAssign:
		r.What = "Assigned to " + e.Value + " (" + e.Name + ")"
		switch {
		case e.Actor != report.SystemActor:
			r.What = "Reassigned to " + e.Value + " (" + e.Name + ")"
		case e.Value == "":
			r.What = "No owner in " + e.Name + ": nobody could take the lead"
		}
		r.Reason, r.Note = e.Note, ""
	default:
		r.What = e.Kind
	}
	if e.Lead != "" {
		r.Lead = &templates.Link{Title: e.Lead, URL: leadURL(e.Lead)}
	}
	return r
}
