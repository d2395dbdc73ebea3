package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/templates"
)

// The admin dashboard at /admin: server-rendered pages that work without
// JavaScript, behind a login with the admin token. The JSON API keeps its
// bearer token.

// routeDashboard adds the dashboard's routes to the handler's mux.
func (h *Handler) routeDashboard() {
	h.mux.HandleFunc("GET /admin", h.dashboard(h.overviewPage))
	h.mux.HandleFunc("GET /admin/leads/{id}", h.dashboard(h.leadPage))
	h.mux.HandleFunc("POST /admin/login", h.login)
	h.mux.HandleFunc("POST /admin/logout", h.dashboardPost(h.logout))
	h.mux.HandleFunc("POST /admin/webhooks/{id}/retry", h.dashboardPost(h.retryPage))
	h.mux.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/admin/" && r.Method == http.MethodGet {
			seeOther(w, "/admin")
			return
		}
		h.noPage(w, r)
	})
}

// adminPage is a dashboard page of a logged-in session.
type adminPage func(w http.ResponseWriter, r *http.Request, p templates.AdminPage)

// dashboard guards a page: without a valid session it shows the login
// form, which brings the user back to the page.
func (h *Handler) dashboard(next adminPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.c.AdminToken == "" {
			h.adminOff(w, r)
			return
		}
		if nulPath(r) {
			h.noPage(w, r)
			return
		}
		sess, ok, err := h.session(r)
		if err != nil {
			h.dbDown(w, r, "reading a session", err)
			return
		}
		if !ok {
			h.loginPage(w, r, http.StatusOK, templates.AdminLogin{Next: r.URL.RequestURI()})
			return
		}
		next(w, r, h.frame(r, sess))
	}
}

// dashboardPost guards a form post: it must come from the site itself,
// within a valid session, with the session's CSRF token.
func (h *Handler) dashboardPost(next adminPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.c.AdminToken == "" {
			h.adminOff(w, r)
			return
		}
		if nulPath(r) {
			h.noPage(w, r)
			return
		}
		if !h.readAdminForm(w, r) {
			return
		}
		sess, ok, err := h.session(r)
		if err != nil {
			h.dbDown(w, r, "reading a session", err)
			return
		}
		if !ok {
			h.adminMessage(w, r, http.StatusForbidden, "Your session has ended",
				"Nothing was changed: log in again, then repeat what you did.")
			return
		}
		if !h.validCSRF(sess, r.PostForm.Get("csrf")) {
			h.adminMessage(w, r, http.StatusForbidden, "The form was refused",
				"It came without this session's security token, so nothing was changed: reload the dashboard and try again.")
			return
		}
		next(w, r, h.frame(r, sess))
	}
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
		h.adminMessage(w, r, statusOf(err), "The form was refused", "Its body cannot be read.")
		return false
	}
	return true
}

// frame is what every page of a session shows around its content.
func (h *Handler) frame(r *http.Request, session string) templates.AdminPage {
	p := templates.AdminPage{Site: h.c.Page.Site.Name, Language: h.c.Page.Site.Language, Path: r.URL.Path}
	if session != "" {
		p.CSRF = h.csrfToken(session)
	}
	return p
}

// login checks the admin token posted by the login form in constant time;
// it starts a session and goes to the page the user asked for. Wrong
// tokens count against the client's address, with those of the bearer
// API: past Limits.LoginFailures in a window, every attempt is refused
// until the window ends.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if h.c.AdminToken == "" {
		h.adminOff(w, r)
		return
	}
	if !h.readAdminForm(w, r) {
		return
	}
	form := templates.AdminLogin{Next: safeNext(r.PostForm.Get("next"))}
	ok, retry, err := h.attempt(r.Context(), h.tokenKey(r), func() bool { return h.isAdminToken(r.PostForm.Get("token")) })
	if err != nil {
		h.dbDown(w, r, "counting failed logins", err)
		return
	}
	if retry > 0 {
		form.Error = "Too many wrong tokens from your network: try again in " + qualify.FormatDuration(retryAfter(w, retry)) + "."
		h.loginPage(w, r, http.StatusTooManyRequests, form)
		return
	}
	if !ok {
		h.log.Warn("admin login refused")
		form.Error = "That is not the admin token."
		h.loginPage(w, r, http.StatusUnauthorized, form)
		return
	}
	id, err := h.newSession(r.Context(), h.now())
	if err != nil {
		h.dbDown(w, r, "starting a session", err)
		return
	}
	setSession(w, r, id)
	adminHeaders(w.Header())
	seeOther(w, form.Next)
}

// logout revokes the session, so that its cookie opens nothing even if
// kept or copied, and removes the cookie from this browser.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request, _ templates.AdminPage) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := h.endSession(r.Context(), c.Value); err != nil {
			h.log.Error("ending a session", "err", err)
			h.adminMessage(w, r, http.StatusServiceUnavailable, "Try again in a minute",
				"The database does not answer: you are still logged in.")
			return
		}
	}
	setSession(w, r, "")
	adminHeaders(w.Header())
	seeOther(w, "/admin")
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
	h.adminRender(w, r, http.StatusOK, p, templates.AdminOverviewView(o, p.CSRF))
}

// overview is what the dashboard shows of the funnel's history, from the
// funnel and SLA report (package report) of the last 12 months and the
// current one: how many of the leads that came in reached each stage of
// the funnel (then won), entering it or a later one; each month's
// conversion from each stage to the next (of the month's new leads that
// reached a stage, the share that went on); how well each stage's SLA was
// kept; and the entries nobody has acted on past their SLA.
func (h *Handler) overview(ctx context.Context) (templates.AdminOverview, error) {
	var o templates.AdminOverview
	opts, err := report.ParseOptions("", "", "", h.now())
	if err != nil {
		return o, err
	}
	b, err := report.NewBuilder(h.c.Model, opts)
	if err != nil {
		return o, err
	}
	if err := LoadReport(ctx, h.c.DB, b); err != nil {
		return o, err
	}
	rep := b.Report()
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
	for _, s := range rep.SLA {
		o.SLA = append(o.SLA, templates.SLAFigures{Stage: s.Stage, Owner: s.Owner, Within: span(time.Duration(s.WithinSeconds) * time.Second),
			Entered: s.Entered, Met: s.Met, Late: s.Late, Breached: s.Breached, NotDue: s.NotDue, Compliance: s.Compliance})
	}
	o.BreachCount = len(rep.Breaches)
	shown := rep.Breaches[:min(len(rep.Breaches), maxBreaches)]
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

// maxBreaches is how many SLA breaches the overview lists, the most
// overdue first; GET /api/report has them all.
const maxBreaches = 50

// leadNames gives the name (and company) of each breach's lead, in one
// query.
func (h *Handler) leadNames(ctx context.Context, breaches []report.Breach) (map[string]string, error) {
	out := map[string]string{}
	if len(breaches) == 0 {
		return out, nil
	}
	args := make([]any, len(breaches))
	for i, b := range breaches {
		args[i] = b.Lead
	}
	rows, err := h.c.DB.QueryContext(ctx, `SELECT id, input FROM leads WHERE id IN (?`+strings.Repeat(", ?", len(args)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, input string
		if err := rows.Scan(&id, &input); err != nil {
			return nil, err
		}
		out[id] = templates.LeadName(names(input))
	}
	return out, rows.Err()
}

// recentLeads lists the newest leads with the stage each stands in now.
func (h *Handler) recentLeads(ctx context.Context, limit int) ([]templates.RecentLead, error) {
	rows, err := h.c.DB.QueryContext(ctx, `SELECT l.id, l.created_at, l.input, l.fit, l.tier, l.score, l.spam,
		coalesce(`+latestStage("l.id")+`, l.stage) FROM leads l ORDER BY l.created_at DESC, l.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []templates.RecentLead
	for rows.Next() {
		var l templates.RecentLead
		var id, input string
		var created int64
		var score float64
		var spam int
		if err := rows.Scan(&id, &created, &input, &l.Fit, &l.Tier, &score, &spam, &l.Stage); err != nil {
			return nil, err
		}
		at := time.UnixMilli(created).UTC()
		l.At, l.AtISO, l.URL = at.Format(humanTime), at.Format(time.RFC3339), leadURL(id)
		l.Name, l.Company = names(input)
		l.Score, l.Spam = qualify.FormatNumber(score), spam != 0
		out = append(out, l)
	}
	return out, rows.Err()
}

// leadPage shows one lead.
func (h *Handler) leadPage(w http.ResponseWriter, r *http.Request, p templates.AdminPage) {
	l, err := h.loadLead(r.Context(), r.PathValue("id"))
	if errors.Is(err, errNoLead) {
		h.adminMessage(w, r, http.StatusNotFound, "No such lead", "No lead has the id in this address.")
		return
	}
	if err != nil {
		h.dbDown(w, r, "reading a lead", err)
		return
	}
	v := h.leadView(l)
	p.Title = v.Heading
	h.adminRender(w, r, http.StatusOK, p, templates.AdminLeadView(v))
}

// leadView lays out a stored lead for its page.
func (h *Handler) leadView(l leadJSON) templates.AdminLead {
	m := h.c.Model
	v := templates.AdminLead{ID: l.ID, Heading: "Lead " + l.ID, Created: stamp(l.CreatedAt), CreatedISO: l.CreatedAt,
		Source: l.Source, Spam: l.Spam, Purged: l.Purged}
	if name := templates.LeadName(l.Fields["name"], l.Fields["company"]); name != "" {
		v.Heading = name
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
	for _, e := range l.Events {
		v.Events = append(v.Events, templates.EventRow{Stage: e.Stage, Actor: e.Actor, Source: e.Source, Note: e.Note,
			At: stamp(e.At), AtISO: e.At})
	}
	return v
}

// retryPage puts a dead webhook back in the queue and goes back to the
// overview, which says what happened.
func (h *Handler) retryPage(w http.ResponseWriter, r *http.Request, _ templates.AdminPage) {
	id := r.PathValue("id")
	ok, err := h.requeue(r.Context(), id)
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
	p := h.frame(r, "")
	p.Title = "Log in"
	h.adminRender(w, r, status, p, templates.AdminLoginView(l))
}

// adminOff answers every dashboard route when no admin token is set.
func (h *Handler) adminOff(w http.ResponseWriter, r *http.Request) {
	h.adminMessage(w, r, http.StatusNotFound, "The dashboard is off",
		"The server has no admin token: set WINNOW_ADMIN_TOKEN to turn the dashboard on.")
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
	sess, _, _ := h.session(r)
	p := h.frame(r, sess)
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
