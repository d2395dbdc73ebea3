package templates

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"math"
	"net/url"
	"strconv"
	"strings"
)

// The admin dashboard's view models: what sales and marketing see of the
// funnel, of a lead, and of webhooks that could not be delivered. The
// worker fills them; the components only lay them out.

// AdminPage is what every admin page shows around its content.
type AdminPage struct {
	Site     string // the site's name, e.g. "Winnow"
	Language string // BCP 47 language of the pages; "" is "en"
	Title    string // the page's own title
	Path     string // the page's path, e.g. "/admin"
	// CSRF is the session's token that every form posts; "" before login,
	// when the page has no navigation and no logout button.
	CSRF string
	// Actor is who is signed in, as the lead's timeline names them; Role
	// what they may do: RoleAdmin, RoleSales or RoleViewer.
	Actor string
	Role  string
}

// Roles of the people who use the dashboard.
const (
	RoleAdmin  = "admin"  // everything, people and settings included
	RoleSales  = "sales"  // works leads: accept, reject, activities, reassign, override; retries their webhooks
	RoleViewer = "viewer" // reads
)

// CanWork reports whether the signed-in person may work leads: accept,
// reject, record activities, reassign, override.
func (p AdminPage) CanWork() bool { return p.Role == RoleAdmin || p.Role == RoleSales }

// AdminLogin is the login form.
type AdminLogin struct {
	Next  string // the admin page to go to after logging in
	Error string // why the last attempt failed, or ""
	// Failed names the form Error is about: "password" or "token".
	Failed string
	// Passwords shows the form of a person's email and password (off
	// behind Cloudflare Access); Token the admin token's (off when no
	// admin token is set).
	Passwords, Token bool
	Email            string // the email last tried, filled in again
	// Notice says something before the forms, such as that Cloudflare
	// Access let in someone without an account.
	Notice string
}

// AdminMessage is a page that says one thing, such as why a form post
// was refused.
type AdminMessage struct {
	Heading string
	Message string
	Link    Link // where to go from here
}

// FunnelBar is one bar of the funnel chart: the leads that reached a
// stage, by entering it or a later one.
type FunnelBar struct {
	Stage string // the stage's name, e.g. "MQL"
	Title string // its full name, e.g. "Marketing qualified lead", or ""
	Count int
}

// TrendPoint is one month of a conversion series.
type TrendPoint struct {
	Month string // "2026-03"
	// Rate is the share, 0 to 1, of the month's leads in the earlier
	// stage that reached the later one; nil when the month had none in
	// the earlier stage: the chart shows a gap, not a zero.
	Rate    *float64
	Reached int // leads that reached the later stage
	Of      int // leads that reached the earlier stage
}

// TrendSeries is the monthly conversion from one stage to the next.
type TrendSeries struct {
	Label  string       // e.g. "MQL → SAL"
	Points []TrendPoint // one a month, oldest first; every series has the same months
}

// BreachRow is a lead that has waited in its stage longer than the
// stage's SLA allows.
type BreachRow struct {
	LeadID string
	Lead   string // the lead's name or company; "" when purged
	URL    string // the lead's admin page
	Stage  string
	Owner  string // who should have acted
	Age    string // how long the lead has been in the stage, e.g. "3d 4h"
	Over   string // how far past the SLA, e.g. "2d 4h"
}

// RecentLead is a row of the recent leads.
type RecentLead struct {
	At      string // for people, e.g. "2026-03-02 09:00 UTC"
	AtISO   string // RFC 3339, for <time datetime>
	Name    string // "" when unknown or purged
	Company string
	URL     string // the lead's admin page
	Stage   string // where the lead stands now
	Fit     string
	Tier    string
	Score   string
	Spam    bool
}

// DeadWebhook is a webhook that failed every attempt and waits for a
// retry by hand.
type DeadWebhook struct {
	ID         string
	LeadID     string
	LeadURL    string
	Target     string
	Topic      string
	Attempts   int
	LastError  string
	Created    string // for people
	CreatedISO string // RFC 3339
}

// AdminOverview is the dashboard's first page.
type AdminOverview struct {
	Status   string // what the last action did, or ""
	Period   string // the months the funnel, trend and SLA figures cover, e.g. "2025-11 to 2026-11"
	Funnel   []FunnelBar
	Trend    []TrendSeries
	SLA      []SLAFigures
	Breaches []BreachRow // the most overdue first, at most a page of them
	// BreachCount is how many breaches there are in all.
	BreachCount int
	Recent      []RecentLead
	Dead        []DeadWebhook
	Moves       []MoveRow // the model's stages in order
	// Owners and Teams are how each person and each team did with the
	// leads they own now, by name.
	Owners, Teams []OwnerRow
	// Sources, Origins and Campaigns are the conversions of the leads by
	// where they came from.
	Sources, Origins, Campaigns SegmentTable
}

// MoveRow is the entries into a stage in the period, by who made them.
type MoveRow struct {
	Stage    string
	ByRule   int // entries the model's rules made
	Override int // entries a person made against them
}

// SegmentTable is the conversions of the leads that share each value of
// one dimension, such as where they came from.
type SegmentTable struct {
	Caption   string   // e.g. "Conversion by origin"
	Dimension string   // the heading of the values' column, e.g. "Origin"
	Steps     []string // the conversions, e.g. "cold lead → MQL"
	Rows      []SegmentRow
}

// SegmentRow is the conversions of the leads of one value.
type SegmentRow struct {
	Value       string // e.g. "newsletter", or "Direct or unknown"
	Leads       int    // leads that came in in the period
	Conversions []Conversion
}

// Conversion is how many of the leads that reached a step went on to the
// next.
type Conversion struct {
	Reached   int
	Converted int
	Rate      *float64 // Converted / Reached; nil when none reached the step
}

// SLAFigures is how well one stage's SLA was kept for the entries in the
// period.
type SLAFigures struct {
	Stage    string
	Owner    string // who acts on the stage
	Within   string // the time to act, e.g. "1d 0h"
	Entered  int    // entries into the stage
	Met      int    // acted on in time
	Late     int    // acted on after the time
	Breached int    // not acted on, and the time is over
	NotDue   int    // not acted on yet, with time left
	// Compliance is Met / (Met + Late + Breached), 0 to 1; nil when no
	// entry has fallen due.
	Compliance *float64
	// The rhythm after the first action: Every is the time between
	// follow-ups ("" for none), Attempts how many attempts are asked for,
	// the first action included ("" for no limit), and Rhythm how the
	// entries' rhythms went.
	Every    string
	Attempts string
	Rhythm   RhythmFigures
}

// RhythmFigures is how the rhythm of an SLA (the first action, then the
// follow-ups) went for some entries.
type RhythmFigures struct {
	Kept    int // ended with every attempt made in time
	Broken  int // an attempt made late, or missed
	Running int // still in the stage, every attempt so far in time
	OnTime  int // attempts made in time
	Late    int // attempts made late
	Missed  int // attempts missed
	Overdue int // of Broken, the rhythms still running past an attempt's due time
}

// OwnerRow is how one person, or one team, did with the leads they own
// now.
type OwnerRow struct {
	Name  string
	Owned int // leads that came in in the period
	// SpeedMedian and SpeedP90 are the median and the 90th percentile of
	// the business time to the first action, e.g. "1h 30m"; "" without
	// any.
	SpeedMedian string
	SpeedP90    string
	Rhythm      RhythmFigures
	Accepted    int
	Rejected    int
	Reasons     string // the most frequent reasons for rejecting, e.g. "duplicate 3, not_my_territory 1"
	// Opportunities and Won count the owned leads that reached the bottom
	// of the funnel (or won) and that won.
	Opportunities int
	Won           int
}

// AdminLead is the page of one lead.
type AdminLead struct {
	ID         string
	Heading    string // the lead's name and company, or its id
	Created    string
	CreatedISO string
	Source     string // "form" or "api"
	Spam       bool
	Purged     bool  // its personal data was erased after the retention period
	MergedInto *Link // the lead this one was merged into, or nil
	Merged     []Link
	Fields     []FieldValue
	// Stage is where the lead stands: the rules' stage (Verdict.Stage),
	// or the stage an override holds.
	Stage    string
	Override *OverrideView // the override that holds, or nil
	Outcome  *OutcomeView  // how a closed lead ended, or nil while it is open
	// Owner is who owns the lead and Team the team they own it in; both
	// "" until routing assigns it, Owner "" when nobody could take it.
	Owner, Team string
	// NextCheck is when time alone may next change the verdict, for
	// people; "" when it never will.
	NextCheck    string
	NextCheckISO string
	Verdict      VerdictView
	Client       *ClientVerdict // the browser's verdict when it differs from the server's
	History      ScoreHistory
	Timeline     []TimelineDay // oldest first
	// Status is what the last action on the lead did, or "".
	Status string
	// Work is the forms that work the lead; nil when it cannot be worked
	// (it is closed, merged into another or a robot's) or the signed-in
	// person may not work leads, which WorkNote then says, if anything.
	Work     *LeadWork
	WorkNote string
}

// AdminQueue is the queue page: the open leads of a person, or of a
// team's people, what is due first.
type AdminQueue struct {
	Owner  string // whose queue: a person's name, or a team's; "" when none is shown
	Team   bool   // Owner is a team
	Zone   string // the time zone the times are written in, e.g. "Europe/Paris"
	Status string // what the last action did, or ""
	// Message says why no queue is shown, or what to do, or "".
	Message string
	// Choices are the queues an admin may open, by team: the team's and
	// each person's; nil for anyone else, who sees their own.
	Choices []OptionGroup
	Chosen  string // the choice shown, e.g. the person's name
	// Counts of the open leads: those with an attempt due (Overdue of
	// them past it) and those with nothing due.
	Open, Due, Overdue, Waiting int

	Page, Pages int
	From, To    int    // the places of the rows shown, from 1
	Prev, Next  string // the pages before and after, or ""
	Rows        []QueueRow
	// Work is what the rows' forms offer; nil when the signed-in person
	// may not work leads.
	Work *WorkForms
}

// QueueRow is an open lead of a queue.
type QueueRow struct {
	ID    string
	URL   string // the lead's page
	Name  string // the lead's name and company, or "" when unknown
	Stage string
	Tier  string
	Fit   string
	Owner string // who owns it, in a team's queue
	// Due is when the owner's next attempt is due, in the queue's zone
	// ("Wed 4 Mar 15:00 CET"), and DueIn how far off in the working time
	// of the stage's team ("in 5h 20m", "3h 10m ago"); "" when nothing is
	// due.
	Due, DueISO, DueIn string
	Overdue            bool
	Attempts           string   // the attempts made in the stage of those asked: "2 of 5"
	People             []Option // whom it may be handed to: the other people of its team
	Accepted           bool     // its owner took it on already: no Accept button
}

// LeadWork is the forms that work one lead.
type LeadWork struct {
	ID     string
	Name   string   // the lead's name, which names its forms' controls
	Key    string   // what makes the ids of its controls unique on the page
	People []Option // whom it may be handed to: the other people of its team
	// Accepted says the lead was taken on already: it offers no Accept.
	Accepted bool
	Forms    WorkForms
}

// WorkForms is what the forms that work leads offer, from the content,
// and what they post with.
type WorkForms struct {
	CSRF string
	// Key is made anew for each page: each form posts it with its fact,
	// and the lead's events keep it, so that a form sent twice (a double
	// click, a resend after a lost answer) records one event.
	Key        string
	Back       string   // the page to come back to after a post
	Activities []Option // what an owner records of acting on a lead
	Reasons    []Option // why an owner rejects a lead; none: leads cannot be rejected
	Stages     []Option // the model's stages, for an override
}

// Option is a choice of a select.
type Option struct {
	Value string
	Label string
}

// OptionGroup is a group of choices of a select.
type OptionGroup struct {
	Label   string
	Options []Option
}

// WorkURL is the address the forms that work lead id post to.
func WorkURL(id string) string {
	return "/admin/leads/" + url.PathEscape(id) + "/events"
}

// OverrideView is a stage sales holds against the model's rules.
type OverrideView struct {
	Stage  string
	Rules  string // the stage the rules give now
	Reason string
	Actor  string
	At     string
	AtISO  string
}

// OutcomeView is how a closed lead ended.
type OutcomeView struct {
	Outcome string // "won" or "lost"
	Reason  string
	Actor   string
	At      string
	AtISO   string
}

// FieldValue is one answer of a lead.
type FieldValue struct {
	Name  string
	Label string
	Value string
}

// VerdictView is the server's verdict with the reason behind every point.
type VerdictView struct {
	Model     string // the model version that decided
	At        string // when, for people
	AtISO     string // when, RFC 3339
	Stage     string
	Funnel    string
	Fit       string
	Tier      string
	Score     string
	Framework string
	Criteria  []string // the framework's criteria the lead meets
	Next      string   // the step the visitor was offered
	Reasons   []ReasonRow
}

// ReasonRow is one reason of a verdict: points a rule gave, or the rule
// that decided the stage.
type ReasonRow struct {
	Kind   string // "points" or "stage"
	Rule   string // the point rule's or stage's name
	Label  string // what the rule means, or the stage's rule
	Points string // signed, e.g. "+2.5"; "" for the stage
	Decay  string // e.g. "5 points, halved every 90d, 90d ago", or ""
	Pos    string // where the rule is written, e.g. "content/scoring.yaml:14:3"
}

// ClientVerdict is what the widget concluded in the visitor's browser.
type ClientVerdict struct {
	Model string
	Stage string
	Fit   string
	Tier  string
	Score string
}

// TimelineDay is what happened to a lead on one day (UTC).
type TimelineDay struct {
	Date    string // e.g. "Monday 2 March 2026"
	DateISO string // e.g. "2026-03-02"
	Rows    []TimelineRow
}

// TimelineRow is an event of a lead's life, or a change of its verdict
// the passing of time made.
type TimelineRow struct {
	// Kind is the event's kind ("submission", "signal", "stage", …), or
	// "decay" for a change the passing of time made ("change" for one of
	// an event the timeline does not have).
	Kind     string
	What     string // what happened, in a few words
	Link     *Link  // the lead a merge names, written after What
	Override bool   // an override, or a stage entry it made
	Reason   string // an override's or an outcome's reason
	Lead     *Link  // the merged lead whose event this is, or nil
	Actor    string
	Source   string
	Note     string
	Time     string      // the time of day, e.g. "09:00"
	AtISO    string      // RFC 3339
	Change   *ChangeView // the change of verdict it made, or nil
}

// ChangeView is what changed in a lead's verdict.
type ChangeView struct {
	Stage    string // e.g. "cold lead → MQL", or "" when the stage stayed
	Override bool   // the stage is an override's
	Fit      string // e.g. "B → A", or ""
	Tier     string // e.g. "cool → warm", or ""
	Score    string
	Gained   []string // the point rules that came to hold, e.g. "pricing +2"
	Lost     []string // the point rules that stopped holding
}

//go:embed admin.css
var adminCSS string

// AdminStyleHash is the content security policy source that allows the
// admin pages' one inline style sheet, e.g. "'sha256-…'".
var AdminStyleHash = func() string {
	sum := sha256.Sum256([]byte(adminCSS))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// adminTitle is the text of an admin page's <title>.
func adminTitle(p AdminPage) string {
	site := or(p.Site, "Winnow")
	if p.Title == "" {
		return site + " admin"
	}
	return p.Title + " · " + site + " admin"
}

// RetryURL is the address a dead webhook's Retry button posts to.
func RetryURL(id string) string {
	return "/admin/webhooks/" + url.PathEscape(id) + "/retry"
}

// The charts are drawn in user units; the SVG scales to its box.
const (
	funnelWidth = 480 // viewBox width of the funnel chart
	funnelRow   = 50  // height of one stage: its label above its bar
	funnelBar   = 20  // height of a bar
	funnelRoom  = 72  // room right of the longest bar for its count

	trendWidth  = 480 // viewBox width of the conversion chart
	trendHeight = 280
	trendLeft   = 64 // room for the percentages
	trendRight  = 28 // room for half the last month's name
	trendTop    = 14
	trendBottom = 56 // room for the months and the years
)

// funnelGeom is a bar of the funnel chart, placed.
type funnelGeom struct {
	FunnelBar
	LabelY string // baseline of the stage's name
	BarY   string // top of the bar
	Width  string // the bar's length; at least a hairline when Count > 0
	CountX string // where the count is written
	CountY string
}

// funnelLayout places the bars: the longest is the widest count's, the
// others in proportion.
func funnelLayout(bars []FunnelBar) []funnelGeom {
	top := 0
	for _, b := range bars {
		top = max(top, b.Count)
	}
	out := make([]funnelGeom, len(bars))
	for i, b := range bars {
		w := 0.0
		if top > 0 {
			w = float64(b.Count) / float64(top) * (funnelWidth - funnelRoom)
		}
		if b.Count > 0 {
			w = max(w, 1)
		}
		y := float64(i * funnelRow)
		out[i] = funnelGeom{FunnelBar: b,
			LabelY: num(y + 20), BarY: num(y + 26), Width: num(w),
			CountX: num(w + 8), CountY: num(y + 26 + funnelBar - 4)}
	}
	return out
}

func funnelViewBox(bars []FunnelBar) string {
	return "0 0 " + strconv.Itoa(funnelWidth) + " " + strconv.Itoa(max(len(bars), 1)*funnelRow)
}

// funnelDesc says in words what the funnel chart shows.
func funnelDesc(bars []FunnelBar) string {
	if len(bars) == 0 {
		return "No stages to show."
	}
	parts := make([]string, len(bars))
	for i, b := range bars {
		parts[i] = b.Stage + " " + strconv.Itoa(b.Count)
	}
	return "Leads that reached each stage, by entering it or a later one, in funnel order: " + strings.Join(parts, ", ") + "."
}

// share is count as a percentage of the first bar's count.
func share(bars []FunnelBar, i int) string {
	if len(bars) == 0 || bars[0].Count == 0 {
		return "–"
	}
	return percent(float64(bars[i].Count) / float64(bars[0].Count))
}

// trendGeom is the conversion chart, placed.
type trendGeom struct {
	Grid   []tick // the percentages, bottom to top
	Months []tick // one a month, oldest first
	Lines  []trendLine
}

// tick is a gridline or an axis label.
type tick struct {
	Pos   string // x of a month, y of a percentage
	Label string
	Year  string // under a month that starts a year, or the first one
	Minor bool   // a month a narrow screen leaves unlabelled: every other one
}

// trendLine is one series, placed.
type trendLine struct {
	Label  string
	Class  string  // s0, s1, …: the series' colour and dash
	Path   string  // "" when the series has no data at all
	Points []point // the months with data
}

type point struct{ X, Y string }

// trendLayout places the series on a shared month axis. A month without
// a rate breaks its line: the path starts anew after the gap.
func trendLayout(series []TrendSeries) trendGeom {
	var g trendGeom
	plotW := float64(trendWidth - trendLeft - trendRight)
	plotH := float64(trendHeight - trendTop - trendBottom)
	for _, p := range []float64{0, .25, .5, .75, 1} {
		g.Grid = append(g.Grid, tick{Pos: num(trendTop + plotH*(1-p)), Label: percent(p)})
	}
	var months []TrendPoint
	if len(series) > 0 {
		months = series[0].Points
	}
	x := func(i int) float64 {
		if len(months) < 2 {
			return trendLeft + plotW/2
		}
		return trendLeft + plotW*float64(i)/float64(len(months)-1)
	}
	for i, m := range months {
		t := tick{Pos: num(x(i)), Label: monthShort(m.Month), Minor: true}
		if i == 0 || strings.HasSuffix(m.Month, "-01") {
			t.Year, _, _ = strings.Cut(m.Month, "-")
			t.Minor = false
		}
		g.Months = append(g.Months, t)
	}
	// A narrow screen labels every other month, those with a year always.
	for i := range g.Months {
		if g.Months[i].Minor && (i == 0 || g.Months[i-1].Minor) && (i+1 == len(g.Months) || g.Months[i+1].Year == "") {
			g.Months[i].Minor = false
		}
	}
	for si, s := range series {
		l := trendLine{Label: s.Label, Class: "s" + strconv.Itoa(si%6)}
		var d strings.Builder
		pen := false // whether the last month had a rate
		for i, p := range s.Points {
			if p.Rate == nil {
				pen = false
				continue
			}
			px, py := num(x(i)), num(trendTop+plotH*(1-clamp01(*p.Rate)))
			if pen {
				d.WriteString(" L")
			} else {
				if d.Len() > 0 {
					d.WriteByte(' ')
				}
				d.WriteString("M")
			}
			d.WriteString(px + " " + py)
			pen = true
			l.Points = append(l.Points, point{px, py})
		}
		l.Path = d.String()
		g.Lines = append(g.Lines, l)
	}
	return g
}

func trendViewBox() string {
	return "0 0 " + strconv.Itoa(trendWidth) + " " + strconv.Itoa(trendHeight)
}

// trendDesc says in words what the conversion chart shows.
func trendDesc(series []TrendSeries) string {
	if len(series) == 0 || len(series[0].Points) == 0 {
		return "No conversions to show."
	}
	ps := series[0].Points
	return "For each month from " + monthLong(ps[0].Month) + " to " + monthLong(ps[len(ps)-1].Month) +
		", the share of that month's new leads in each stage that reached the next one; one line per step. " +
		"A month where no lead was in the earlier stage is a gap in its line. The figures are in the table below."
}

// shareCell writes a share as a percentage, or a dash without one.
func shareCell(f *float64) string {
	if f == nil {
		return "–"
	}
	return percent(*f)
}

// keptCell writes how many rhythms were kept: "50% (2 of 4)", of those
// that ended or broke; a dash when none did.
func keptCell(r RhythmFigures) string {
	var rate *float64
	if n := r.Kept + r.Broken; n > 0 {
		f := float64(r.Kept) / float64(n)
		rate = &f
	}
	return conversionCell(Conversion{Reached: r.Kept + r.Broken, Converted: r.Kept, Rate: rate})
}

// brokenCell writes the broken rhythms with those still overdue: "5 (2
// overdue)".
func brokenCell(r RhythmFigures) string {
	if r.Overdue == 0 {
		return strconv.Itoa(r.Broken)
	}
	return strconv.Itoa(r.Broken) + " (" + strconv.Itoa(r.Overdue) + " overdue)"
}

// ofOwned writes how many owned leads got somewhere: "20% (2 of 10)"; a
// dash when none is owned.
func ofOwned(n int, r OwnerRow) string {
	var rate *float64
	if r.Owned > 0 {
		f := float64(n) / float64(r.Owned)
		rate = &f
	}
	return conversionCell(Conversion{Reached: r.Owned, Converted: n, Rate: rate})
}

// rejectedCell writes the rejections with their most frequent reasons:
// "4 (duplicate 3, not_my_territory 1)".
func rejectedCell(r OwnerRow) string {
	if r.Reasons == "" {
		return strconv.Itoa(r.Rejected)
	}
	return strconv.Itoa(r.Rejected) + " (" + r.Reasons + ")"
}

// rateCell writes a month's conversion for the table: "40% (4 of 10)", or
// a dash when there was nothing to convert.
func rateCell(p TrendPoint) string {
	return conversionCell(Conversion{Reached: p.Of, Converted: p.Reached, Rate: p.Rate})
}

// conversionCell writes a conversion for a table: "40% (4 of 10)", or a
// dash when there was nothing to convert.
func conversionCell(c Conversion) string {
	if c.Rate == nil {
		return "–"
	}
	return percent(*c.Rate) + " (" + strconv.Itoa(c.Converted) + " of " + strconv.Itoa(c.Reached) + ")"
}

// overrideShare writes the share of a stage's entries an override made:
// "25%", or a dash when there were none.
func overrideShare(m MoveRow) string {
	if m.ByRule+m.Override == 0 {
		return "–"
	}
	return percent(float64(m.Override) / float64(m.ByRule+m.Override))
}

// trendMonths lists the months of the series, oldest first.
func trendMonths(series []TrendSeries) []string {
	if len(series) == 0 {
		return nil
	}
	out := make([]string, len(series[0].Points))
	for i, p := range series[0].Points {
		out[i] = p.Month
	}
	return out
}

// pointAt is series s's point for month i, or a gap.
func pointAt(s TrendSeries, i int) TrendPoint {
	if i < len(s.Points) {
		return s.Points[i]
	}
	return TrendPoint{}
}

var monthNames = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// monthShort writes "2026-03" as "Mar"; anything else as it is.
func monthShort(m string) string {
	if _, mm, ok := strings.Cut(m, "-"); ok {
		if n, err := strconv.Atoi(mm); err == nil && n >= 1 && n <= 12 {
			return monthNames[n-1]
		}
	}
	return m
}

// monthLong writes "2026-03" as "Mar 2026".
func monthLong(m string) string {
	y, _, _ := strings.Cut(m, "-")
	if s := monthShort(m); s != m {
		return s + " " + y
	}
	return m
}

// percent writes a share as a whole percentage, "40%".
func percent(f float64) string {
	return strconv.FormatFloat(math.Round(f*100), 'f', 0, 64) + "%"
}

// num writes a coordinate to a tenth of a unit.
func num(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

func clamp01(f float64) float64 { return min(max(f, 0), 1) }

// LeadName names a lead by its name and company, or either; "" when
// neither is known.
func LeadName(name, company string) string {
	if name != "" && company != "" {
		return name + ", " + company
	}
	return name + company
}

// joinComma lists words with commas.
func joinComma(words []string) string { return strings.Join(words, ", ") }

// clientSummary writes the browser's verdict: "stage opportunity, fit A,
// tier hot".
func clientSummary(c ClientVerdict) string {
	s := "stage " + or(c.Stage, "–") + ", fit " + or(c.Fit, "–") + ", tier " + or(c.Tier, "–")
	if c.Score != "" {
		s += ", score " + c.Score
	}
	return s
}

// stepAt is the label of conversion i, or "" past the last.
func stepAt(steps []string, i int) string {
	if i < len(steps) {
		return steps[i]
	}
	return ""
}

// outcomeTitle writes an outcome as a heading: "Won", "Lost".
func outcomeTitle(o string) string {
	if o == "" {
		return ""
	}
	return strings.ToUpper(o[:1]) + o[1:]
}

// queueHeading is a queue's heading: whose it is.
func queueHeading(q AdminQueue) string {
	if q.Owner == "" {
		return "Queue"
	}
	return "Queue of " + q.Owner
}

// queueCaption names the table of a queue's page.
func queueCaption(q AdminQueue) string {
	return "Open leads of " + q.Owner + ", due first: " + strconv.Itoa(q.From) + " to " + strconv.Itoa(q.To) +
		" of " + strconv.Itoa(q.Open)
}

// queueSummary counts a queue's open leads and says how its times read.
func queueSummary(q AdminQueue) string {
	s := count(q.Open, "open lead", "open leads")
	if q.Open == 0 {
		return s + ": nothing to work."
	}
	s += ": " + strconv.Itoa(q.Overdue) + " overdue, " + strconv.Itoa(q.Due-q.Overdue) + " due later, " +
		strconv.Itoa(q.Waiting) + " with nothing due."
	if q.Zone != "" {
		s += " Times are in " + q.Zone + "; how far off is working time."
	}
	return s
}

// count writes n with the singular or plural of a noun.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
