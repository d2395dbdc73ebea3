// Package routing decides who owns a lead: the team a stage's SLA names,
// the territory within it whose rule the lead meets, and the person of
// that territory next in a weighted round robin among those at work and
// under their capacity. It also keeps the teams' business time: working
// hours in a time zone, less holidays, in which SLA clocks run.
//
// The routing is written by marketing and sales in content/routing.yaml
// (internal/content reads it, with positions); the types here are what
// it becomes.
package routing

import (
	"time"

	"github.com/winnowhq/winnow/qualify"
)

// Routing is the teams, their people and territories, and the company's
// calendar defaults.
type Routing struct {
	Teams []Team
	// Territories, in precedence order where they overlap: a lead goes to
	// the first territory of its stage's team whose rule it meets.
	Territories []Territory
	Pos         qualify.Pos
	// Warn is the share of an SLA attempt's business time at which its
	// owner is warned (0: DefaultWarn).
	Warn float64
	// Alerts says what the owners of leads are told, and when.
	Alerts Alerts

	// What owners record as they work their leads. AcceptSignal is the
	// model's signal that accepting a lead records (such as
	// sales_accepted, which a stage's rule reads), or "" for none.
	AcceptSignal string
	// Activities are the attempts an owner records of acting on a lead
	// (a call, an email), each one of the stage's rhythm.
	Activities []Activity
	// RejectReasons are why an owner hands a lead back, and where each
	// sends it.
	RejectReasons []RejectReason

	// What Compile prepares for Route: nil until it ran.
	teams map[string]int // team name → index into Teams
	plans []plan         // per team
}

// Team is a group of people who own leads of the stages whose SLA names it
// (qualify.SLA.Owner).
type Team struct {
	Name     string
	Calendar Calendar
	People   []Person
	// EscalateTo names the team a lead is reassigned to when its SLA
	// breaks, or "" for none.
	EscalateTo string
	// Slack names the environment variable that holds the URL of the
	// team's own Slack-compatible incoming webhook for its alerts, such as
	// WINNOW_ALERT_SLACK_AE; "" (or the variable unset): the default one.
	Slack string
	Pos   qualify.Pos
}

// Person is someone who owns leads.
type Person struct {
	Name  string
	Email string
	// Weight is the person's share of the round robin: a person of weight
	// 2 gets twice the leads of a person of weight 1. 0 counts as 1; at
	// most MaxWeight.
	Weight int
	// Capacity is the most open leads the person owns at once; 0: no limit.
	Capacity int
	// Away holds the periods the person takes no leads, as half-open
	// intervals [From, To) of Unix seconds.
	Away []Period
	Pos  qualify.Pos
}

// Period is a half-open interval of Unix seconds.
type Period struct{ From, To int64 }

// Territory sends the leads of a team that meet its rule to some of its
// people (all of the team when People is empty).
type Territory struct {
	Name   string
	Team   string
	When   *qualify.Rule // over the lead's fields, as point rules are
	People []string
	Pos    qualify.Pos
}

// Activity is a kind of attempt an owner records of acting on a lead.
type Activity struct {
	Name  string // as the API and the events name it: call
	Label string // as people read it: Called
	Pos   qualify.Pos
}

// RejectReason is why an owner hands a lead back: a name the API takes, a
// label people read, and the stage of the model the rejection sets
// against the rules (To), or "" to leave the lead where the rules put it.
type RejectReason struct {
	Name  string
	Label string
	To    string
	Pos   qualify.Pos
}

// Calendar is a team's working time: weekly hours in a time zone, less
// holidays. The zero Calendar is always working (24 × 7, UTC).
type Calendar struct {
	Zone *time.Location
	// Hours holds, per weekday (time.Sunday = 0), the working intervals of
	// that day as minutes after midnight, [start, end), sorted.
	Hours    [7][]Span
	Holidays []Date // whole days off, in the calendar's zone
}

// Span is a working interval of a day, in minutes after midnight.
type Span struct{ From, To int }

// Date is a day of the calendar, without a time.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}
