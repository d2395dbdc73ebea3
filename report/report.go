// Package report computes the funnel and SLA report from a lead's stage
// events: how many leads entered each stage per month, how each month's
// cohort converted from stage to stage, how long leads stayed in each
// stage, the same funnel per source, per fit grade and per funnel
// position, and whether sales acted on each hand-off within its SLA.
//
// It is pure computation over values the caller reads from storage (the
// worker from SQL, the winnow command from SQLite or a CSV export), and it
// is compiled into the edge worker, so it stays small: no SQL, no I/O
// beyond reading a CSV export from an io.Reader.
//
// # Conventions
//
//   - A lead's events are ordered by At, then RecordedAt, then stage,
//     actor and source: never by the order they arrived in, so events
//     recorded late with an earlier At give the same report.
//   - An entry is a stage event that moves the lead to a stage other than
//     the one it was in (its first stage event is an entry too). An event
//     that repeats the lead's stage is not an entry; an activity
//     (Contacted) never moves a lead.
//   - A lead that enters a stage it was in before (reopened after lost,
//     or sent back) counts again in the month it re-enters, and Reopened
//     counts those re-entries.
//   - A stay in a stage runs from its entry to the next event that moves
//     the lead elsewhere; only completed stays have a time in stage, and a
//     stay belongs to the month it ended in.
//   - Conversions are per cohort: the leads created in a month. A lead
//     reached the furthest step of the funnel's line (its non-exit stages
//     in order, then Won) that any of its events names, and with it every
//     step before: a lead that skips stages passed them.
//   - A median of an even count is the mean of the middle two. Medians are
//     read from stays counted in bins of 1/16 of an octave: within 2.2 %
//     of the exact median, to the second (see bin). A rate or a median
//     with nothing to count is absent (nil, null in JSON), never 0.
//   - Spam leads count in Totals.Leads and Totals.Spam only: they are
//     robots, not leads, and would drown the bad-lead stage and its SLA.
//   - SLA clocks run in the business time of the team a stage's SLA
//     names (routing.Routing.StageCalendar): a lead that enters a stage on
//     Friday evening is due on Monday. Without a routing, or for a stage
//     whose owner is no team of it, they run in wall-clock time.
//   - A stage's SLA is a rhythm (routing.Next): the first action, then a
//     follow-up every so often, up to a number of attempts. An attempt is
//     an event by a person (any actor but SystemActor) after the entry,
//     events of one second counting once; the stay's end (the lead moves
//     elsewhere or closes) ends the rhythm, and attempts not due by then
//     are not missed. The rhythm is measured to the second.
//   - The figures per owner and per team are those of the leads they own
//     now (Lead.Owner, Lead.Team), whoever owned them before: the leads
//     created in the range, their entries into the team's stages and how
//     those were followed up; acceptances and rejections are the person's
//     who recorded them.
package report

import (
	"time"

	"github.com/winnowhq/winnow/qualify"
)

// Outcomes and the activity an event may record besides the model's
// stages.
const (
	Won       = "won"       // the lead bought: beyond the funnel's last stage
	Lost      = "lost"      // the lead will not buy (for now: it may be reopened)
	Contacted = "contacted" // sales acted on the lead without changing its stage
	Accepted  = "accepted"  // the owner took the lead on
	Rejected  = "rejected"  // the owner handed the lead back, for a reason (Event.Reason)
)

// SystemActor is the actor of the events Winnow records itself (the
// qualification at submission); every other actor is a person, whose
// events count as acting on a lead for the SLA.
const SystemActor = "winnow"

// IsOutcome reports whether stage is Won or Lost.
func IsOutcome(stage string) bool { return stage == Won || stage == Lost }

// IsActivity reports whether stage names an activity, an event that does
// not change the lead's stage.
func IsActivity(stage string) bool {
	return stage == Contacted || stage == Accepted || stage == Rejected
}

// Event is one stage event or activity of a lead.
type Event struct {
	Stage      string    // a stage of the model, Won, Lost, or an activity (Contacted, Accepted, Rejected)
	Actor      string    // SystemActor, or who in sales
	Source     string    // "form", "api", "crm"
	At         time.Time // when it happened
	RecordedAt time.Time // when Winnow stored it
	// Override marks a stage a person set against the model's rules
	// (its Source is OverrideSource); the rules' own entries leave it
	// false.
	Override bool
	// Seq orders events of one instant as they were stored: a person's
	// fact comes before the stage entry it caused, so it does not count
	// as acting on that entry. Zero where the order is not known.
	Seq int64
	// Reason is why the owner handed the lead back (Rejected): a reason
	// of the routing, such as "not_my_territory"; "" for other events.
	Reason string
}

// OverrideSource is the Source of a stage a person set against the
// rules.
const OverrideSource = "override"

// Lead is a lead as the report reads it.
type Lead struct {
	ID        string
	CreatedAt time.Time
	Source    string // "form", "api", …
	Fit       string // the fit grade at submission
	Tier      string
	Score     float64
	Spam      bool
	// Origin is where the lead came from (its utm_source, or the site
	// that referred it; "" when unknown) and Campaign its utm_campaign.
	Origin   string
	Campaign string
	// Owner is the person who owns the lead now and Team the team they
	// own it in (routing); Owner is "" when nobody does, both are "" for
	// a lead never routed.
	Owner  string
	Team   string
	Events []Event // in any order
}

// Report is the funnel and SLA report over a range of months.
type Report struct {
	Model    string    `json:"model"` // the model version the report was computed with
	From     string    `json:"from"`  // the first month, "2026-01"
	To       string    `json:"to"`    // the last month, included
	TimeZone string    `json:"tz"`    // the zone months are cut in, "UTC" or an IANA name
	Now      time.Time `json:"now"`   // the instant ages and SLA breaches are measured at

	Totals Totals `json:"totals"`
	// Stages is the funnel of the model's stages, then Won and Lost.
	Stages Funnel `json:"stages"`
	// Positions is the funnel of the funnel positions (TOFU, MOFU, BOFU:
	// the stages grouped by qualify.Stage.Funnel), then Won and Lost;
	// exit stages belong to no position.
	Positions Funnel `json:"positions"`
	// Sources and Fits are the funnel of stages for the leads of each
	// source and of each fit grade.
	Sources []Segment `json:"sources"`
	Fits    []Segment `json:"fits"`
	// Origins and Campaigns are the funnel of stages for the leads of
	// each origin and of each campaign (attribution).
	Origins   []Segment `json:"origins"`
	Campaigns []Segment `json:"campaigns"`
	// Moves counts, per step, the entries in the range the model's rules
	// made and those a person made against them (overrides).
	Moves []Moves `json:"moves"`
	// SLA has one row per stage whose SLA sets a time to act (Within > 0).
	SLA []SLA `json:"sla"`
	// Owners and Teams are the figures of the leads each person and each
	// team owns now, by name.
	Owners []OwnerFigures `json:"owners"`
	Teams  []OwnerFigures `json:"teams"`
	// Breaches are the entries nobody has acted on yet past their SLA,
	// the most overdue first: all of them, or a page where the report is
	// paged (BreachesNext then says where the next page starts).
	Breaches      []Breach `json:"breaches"`
	BreachesTotal int      `json:"breaches_total"`          // all of them, the SLA rows' Breached summed
	BreachesNext  string   `json:"breaches_next,omitempty"` // the next page's token
}

// Totals count every lead stored, whatever the range.
type Totals struct {
	Leads int `json:"leads"` // all leads, spam included
	Spam  int `json:"spam"`
	// Stages counts the leads (spam aside) by their stage now: the stage
	// of their latest stage event, Won or Lost included. Model stages come
	// in the model's order, then Won, Lost, and any stage the model no
	// longer has.
	Stages []StageCount `json:"stages"`
}

// Moves are the entries into one step, by who made them.
type Moves struct {
	Step     string `json:"step"`
	ByRule   int    `json:"by_rule"`
	Override int    `json:"override"`
}

// StageCount is a number of leads in a stage.
type StageCount struct {
	Stage string `json:"stage"`
	Leads int    `json:"leads"`
}

// Funnel is the flow of leads through a line of steps, month by month.
type Funnel struct {
	// Steps are the steps figures are given for, in display order.
	Steps []string `json:"steps"`
	// Line is the conversion order: the steps a lead moves forward
	// through, ending with Won. Conversions pair each with the next.
	Line   []string `json:"line"`
	Months []Period `json:"months"` // every month of the range, empty ones too
	Total  Period   `json:"total"`  // the whole range
}

// Period is the figures of a funnel for one month, or for the range.
type Period struct {
	// Month is "2026-03"; for a funnel's Total it is "2026-01..2026-06".
	Month string    `json:"month"`
	Start time.Time `json:"start"` // the first instant of the period
	End   time.Time `json:"end"`   // the first instant after it
	// Created is the cohort: the leads created in the period.
	Created int `json:"created"`
	// Steps has one entry per Funnel.Steps, in the same order.
	Steps []StepFigures `json:"steps"`
	// Conversions has one entry per pair of consecutive Funnel.Line steps.
	Conversions []Conversion `json:"conversions"`
}

// StepFigures are the figures of one step in one period.
type StepFigures struct {
	Step string `json:"step"`
	// Entered counts the entries into the step in the period: distinct
	// leads, plus once more for each re-entry.
	Entered int `json:"entered"`
	// Reopened counts the entries that were re-entries: the lead had been
	// in the step before.
	Reopened int `json:"reopened"`
	// Stays counts the stays in the step that ended in the period.
	Stays int `json:"stays"`
	// MedianSeconds is the median length of those stays; nil without any.
	MedianSeconds *float64 `json:"median_seconds"`
}

// Conversion is how much of a cohort that reached one step went on.
type Conversion struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Reached counts the cohort's leads that reached From.
	Reached int `json:"reached"`
	// Converted counts those of them that reached To or a later step.
	Converted int `json:"converted"`
	// Rate is Converted / Reached; nil when Reached is 0.
	Rate *float64 `json:"rate"`
}

// Segment is the funnel of the leads that share a value of a dimension.
type Segment struct {
	Value  string `json:"value"` // the source or fit grade; "" for leads without one
	Funnel Funnel `json:"funnel"`
}

// SLA is how well one stage's SLA was kept for the entries in the range.
// Its times are business time, in the calendar of the team Owner names.
type SLA struct {
	Stage         string `json:"stage"`
	Owner         string `json:"owner"`
	WithinSeconds int64  `json:"within_seconds"` // the time to act after an entry
	EverySeconds  int64  `json:"every_seconds"`  // the time between follow-ups; 0: the first action only
	Attempts      int    `json:"attempts"`       // the attempts asked for; 0: no limit (with follow-ups), or one
	Entered       int    `json:"entered"`        // entries in the range
	Met           int    `json:"met"`            // a person acted within the time
	Late          int    `json:"late"`           // a person acted, after the time
	Breached      int    `json:"breached"`       // nobody acted yet, and the time is over
	NotDue        int    `json:"not_due"`        // nobody acted yet, and there is time left
	// Compliance is Met / (Met + Late + Breached): the share of the
	// entries that fell due that were acted on in time; nil when none fell
	// due.
	Compliance *float64 `json:"compliance"`
	// Rhythm is how the entries' whole rhythm went: the first action and
	// every follow-up.
	Rhythm Rhythm `json:"rhythm"`
}

// Rhythm is how the rhythm of an SLA (the first action, then a follow-up
// every so often, up to a number of attempts) went for some entries, as
// of the report's Now. An entry whose stay ended before its first attempt
// fell due counts in none of Kept, Broken and Running.
type Rhythm struct {
	Kept    int `json:"kept"`    // the rhythm ended (or asks for nothing more), every attempt made in time
	Broken  int `json:"broken"`  // an attempt was made late, or missed
	Running int `json:"running"` // the lead is still in the stage, every attempt so far in time, the next not due yet
	OnTime  int `json:"on_time"` // attempts made in time
	Late    int `json:"late"`    // attempts made after their time
	Missed  int `json:"missed"`  // attempts due while the lead was in the stage, not made
	// Overdue counts the rhythms of Broken that still run, their next
	// attempt past due (and in Missed): to the hour, a rhythm whose
	// attempt is due at 10:20 is overdue from 11:00.
	Overdue int `json:"overdue"`
	// Compliance is Kept / (Kept + Broken); nil when no rhythm ended
	// or broke.
	Compliance *float64 `json:"compliance"`
}

// OwnerFigures are the figures of the leads one person, or one team,
// owns now.
type OwnerFigures struct {
	Name string `json:"name"` // the person or the team
	// Owned counts the leads created in the range that it owns now.
	Owned int `json:"owned"`
	// FirstActions counts the entries in the range into the stages whose
	// SLA names the team that were acted on, and SpeedMedianSeconds and
	// SpeedP90Seconds are the median and the 90th percentile of their
	// business time from the entry to the first action (speed to lead;
	// read from bins as the stays' medians are); nil without any.
	FirstActions       int      `json:"first_actions"`
	SpeedMedianSeconds *float64 `json:"speed_median_seconds"`
	SpeedP90Seconds    *float64 `json:"speed_p90_seconds"`
	// Rhythm is how those entries were followed up, all stages together.
	Rhythm Rhythm `json:"rhythm"`
	// Accepted and Rejected count the leads taken on and handed back in
	// the range; Reasons are the rejections by reason, the most frequent
	// first.
	Accepted int           `json:"accepted"`
	Rejected int           `json:"rejected"`
	Reasons  []ReasonCount `json:"reasons"`
	// Opportunities counts the Owned that reached the bottom of the
	// funnel (BOFU: an opportunity) or won, and Won those that won.
	Opportunities int `json:"opportunities"`
	Won           int `json:"won"`
}

// ReasonCount is how many times one reason was given.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// Breach is an entry into a stage that nobody acted on within its SLA.
type Breach struct {
	Lead        string    `json:"lead"`
	Stage       string    `json:"stage"`
	Owner       string    `json:"owner"`
	EnteredAt   time.Time `json:"entered_at"`
	DueAt       time.Time `json:"due_at"`
	AgeSeconds  int64     `json:"age_seconds"`  // Now − EnteredAt
	OverSeconds int64     `json:"over_seconds"` // Now − DueAt
}

// Build computes the report of leads with their events.
func Build(m *qualify.Model, o Options, leads []Lead) (*Report, error) {
	b, err := NewBuilder(m, o)
	if err != nil {
		return nil, err
	}
	for _, l := range leads {
		b.AddLead(l)
	}
	return b.Report(), nil
}
