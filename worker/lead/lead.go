// Package lead is a lead's life as values: the events that happen to a
// person, the state they fold into, and the verdict the model gives that
// state at an instant, with what changed since the last one. It does no
// I/O: the worker loads a lead's state (or its events), applies what
// happened here, and stores what comes out.
package lead

import (
	"cmp"
	"slices"

	"github.com/winnowhq/winnow/qualify"
)

// Kinds of events.
const (
	KindSubmission = "submission" // answers from a form or the API (Name: the form of the model it was sent with, or "")
	KindAnswers    = "answers"    // answers sales recorded, such as a framework's criteria
	KindSignal     = "signal"     // a signal of the model
	KindView       = "view"       // a page view of the lead's visitor (Name: the path; Value: the page's signal)
	KindActivity   = "activity"   // sales acted (Name: contacted …): no change to what the model reads
	KindOutcome    = "outcome"    // won or lost (Stage; Value: the reason)
	KindOverride   = "override"   // sales set a stage the rules do not give (Stage; Value: the reason)
	KindMerge      = "merge"      // another lead was merged into this one (Value: its id)
	KindUnmerge    = "unmerge"    // a merged lead was taken out again (Value: its id)
	KindStage      = "stage"      // the lead entered a stage: by the rules, or by an override
	KindAssign     = "assign"     // routing, or a person, gave the lead an owner (Name: the team; Value: the person, "" for nobody; Note: why)
	KindAccept     = "accept"     // the owner took the lead on (Name: the acceptance signal it records, "" for none)
	KindReject     = "reject"     // the owner handed the lead back (Value: a reason of content/routing.yaml; Stage: where it sends the lead, "" for nowhere)
	KindRetry      = "retry"      // a dead webhook about the lead was queued again by hand (Name: its target; Value: its id)
)

// Outcomes.
const (
	Won  = "won"
	Lost = "lost"
	Open = "open" // reopens a closed lead
)

// Event is something that happened to a lead. Instants are Unix
// milliseconds.
type Event struct {
	ID       string
	Lead     string
	Kind     string
	Name     string            // a signal's, an activity's name; a view's path
	Value    string            // a signal's value, a reason, a lead's id
	Stage    string            // an outcome, an override's stage, a stage entry's
	Answers  map[string]string // a submission's or sales' answers
	Actor    string            // "winnow", "visitor", or who in sales or which integration
	Source   string            // "form", "api", "crm", "beacon", "admin"
	Note     string
	At       int64 // when it happened
	Recorded int64 // when it was stored
	ByRule   bool  // a stage entry the rules gave
	// Seq orders the events stored at one instant as they were stored
	// (the store's row order); 0 for an event not stored yet.
	Seq int64
}

// Override is a stage sales holds against the rules. It holds while the
// rules' stage falls back or stays below what it was and what sales set
// (decay never undoes a sales decision), and lapses when the rules come
// to give its stage or one further along the model's line of stages: new
// facts have overtaken it. Sales may set another stage, or return the
// lead to the rules by setting the stage they give.
type Override struct {
	Stage  string `json:"stage"`
	Reason string `json:"reason"`
	Actor  string `json:"actor"`
	At     int64  `json:"at"`
	Rules  string `json:"rules"` // the rules' stage when it was set
}

// State is what a lead's events fold into.
type State struct {
	Answers    map[string]string // the latest answer to each field
	AnsweredAt int64             // the instant of the latest answers applied
	Signals    map[string]int64  // the latest instant of each signal, Unix seconds
	Outcome    string            // Won, Lost, or "" while open
	Override   *Override
}

// NewState returns an empty state.
func NewState() State {
	return State{Answers: map[string]string{}, Signals: map[string]int64{}}
}

// Apply applies one event to s. Answers replace earlier ones (apply
// events in order of instant), but for attribute fields, where the first
// touch's stay; a signal keeps its latest
// instant; a choice's answer records the signal its option names, and a
// submission the model's form signal and the signal of the form it was
// sent with, at the event's instant. Accepting a lead records the
// acceptance signal it names; a rejection that sends the lead to a stage
// sets it as an override does, with the rejection's reason.
func Apply(m *qualify.Model, s *State, e *Event) {
	if s.Answers == nil || s.Signals == nil {
		*s = State{Answers: map[string]string{}, Signals: map[string]int64{}, Outcome: s.Outcome, Override: s.Override,
			AnsweredAt: s.AnsweredAt}
	}
	sec := e.At / 1000
	signal := func(name string) {
		if name != "" && s.Signals[name] < sec {
			s.Signals[name] = sec
		}
	}
	switch e.Kind {
	case KindSubmission, KindAnswers:
		for k, v := range e.Answers {
			i := m.FieldIndex(k)
			if v == "" || i >= 0 && m.Fields[i].Attribute && s.Answers[k] != "" {
				continue // attribution is the first touch's
			}
			s.Answers[k] = v
			if i >= 0 && m.Fields[i].Type == qualify.Choice {
				for _, o := range m.Fields[i].Options {
					if o.Value == v {
						signal(o.Signal)
					}
				}
			}
		}
		s.AnsweredAt = max(s.AnsweredAt, e.At)
		if e.Kind == KindSubmission {
			signal(m.FormSignal)
			if i := m.FormIndex(e.Name); i >= 0 && m.Forms[i].Signal >= 0 {
				signal(m.Signals[m.Forms[i].Signal].Name)
			}
			s.Outcome = "" // the person came back: a closed lead is open again
		}
	case KindSignal:
		signal(e.Name)
	case KindView:
		signal(e.Value)
	case KindOutcome:
		s.Outcome = e.Stage
		if e.Stage == Open {
			s.Outcome = ""
		}
	case KindAccept:
		signal(e.Name)
	case KindOverride, KindReject:
		if e.Stage == "" {
			break // a rejection that leaves the lead where it is
		}
		// It holds against the rules' stage of its instant; the stage the
		// rules give returns the lead to them.
		v := rules(m, s, sec)
		s.Override = &Override{Stage: e.Stage, Reason: e.Value, Actor: e.Actor, At: e.At, Rules: v.Stage}
		if v.Stage == e.Stage {
			s.Override = nil
		}
	}
}

// Fold folds events, in order of instant, into a new state. Stage
// entries and the state's own bookkeeping are left out: they follow from
// the rest.
func Fold(m *qualify.Model, events []Event) State {
	sorted := slices.Clone(events)
	Sort(sorted)
	s := NewState()
	for i := range sorted {
		Apply(m, &s, &sorted[i])
	}
	return s
}

// Sort orders events by instant, then by when they were stored; events of
// one instant stored together keep the order given (the store gives them
// in the order it stored them), so a fold applies them as they were
// applied when they arrived.
func Sort(events []Event) {
	slices.SortStableFunc(events, func(a, b Event) int {
		switch {
		case a.At != b.At:
			return cmp.Compare(a.At, b.At)
		}
		return cmp.Compare(a.Recorded, b.Recorded)
	})
}

// Verdict is a state's verdict at an instant: the rules' (qualify's), and
// the stage the lead stands in, which is the override's while one holds.
type Verdict struct {
	qualify.Verdict
	Stage  string // the lead's stage: the rules', or the override's
	ByRule bool   // Stage is the rules'
	At     int64  // the instant, Unix seconds
}

// Rules returns the names of the point rules that hold.
func (v *Verdict) Rules(m *qualify.Model) []string {
	var out []string
	for _, r := range v.Reasons {
		if r.Kind == qualify.ReasonPoints {
			out = append(out, m.Points[r.Index].Name)
		}
	}
	return out
}

// Score evaluates s with m at instant at (Unix seconds). An override the
// rules have overtaken lapses: Score clears it from s. The qualify.Lead it
// evaluated is returned for NextChange.
func Score(m *qualify.Model, s *State, at int64) (Verdict, qualify.Lead) {
	lead := Layout(m, s)
	v := Verdict{Verdict: qualify.Evaluate(m, &lead, at), At: at, ByRule: true}
	v.Stage = v.Verdict.Stage
	if o := s.Override; o != nil {
		if Overtaken(m, o, v.Verdict.Stage) {
			s.Override = nil
		} else {
			v.Stage, v.ByRule = o.Stage, false
		}
	}
	return v, lead
}

// Overtaken reports whether the rules' stage rules overtakes override o:
// it is o's stage, or further along the model's stages than both o's and
// the rules' stage when o was set. A stage the model no longer has is
// overtaken by any.
func Overtaken(m *qualify.Model, o *Override, rules string) bool {
	r, set, was := m.StageIndex(rules), m.StageIndex(o.Stage), m.StageIndex(o.Rules)
	return set < 0 || r == set || r > max(set, was)
}

// rules is the rules' verdict of s at an instant, whatever an override.
func rules(m *qualify.Model, s *State, at int64) qualify.Verdict {
	lead := Layout(m, s)
	return qualify.Evaluate(m, &lead, at)
}

// Layout lays s out as the model reads a lead. Answers the model does not
// take (a field it no longer has, a value it no longer accepts) are left
// unknown.
func Layout(m *qualify.Model, s *State) qualify.Lead {
	lead, _ := m.Lead(s.Answers, 0)
	for name, t := range s.Signals {
		if j := m.SignalIndex(name); j >= 0 {
			lead.Signals[j] = t
		}
	}
	return lead
}

// Change is what differs between two verdicts of a lead.
type Change struct {
	StageFrom string   `json:"stage_from,omitempty"`
	Stage     string   `json:"stage"`
	ByRule    bool     `json:"by_rule"`
	FitFrom   string   `json:"fit_from,omitempty"`
	Fit       string   `json:"fit"`
	TierFrom  string   `json:"tier_from,omitempty"`
	Tier      string   `json:"tier"`
	Score     float64  `json:"score"`
	Gained    []string `json:"gained,omitempty"` // rules that hold now and did not
	Lost      []string `json:"lost,omitempty"`   // rules that held and do not now
}

// Previous is what a change is measured against: the lead's last verdict
// as stored.
type Previous struct {
	Stage, Fit, Tier string
	Rules            []string // the point rules that held
}

// Diff says what changed from prev to v, and whether anything did: the
// stage, the fit grade, the tier, or the rules that hold (the score alone
// moves with every second of decay, and is not a change by itself).
func Diff(m *qualify.Model, prev Previous, v *Verdict) (Change, bool) {
	c := Change{Stage: v.Stage, ByRule: v.ByRule, Fit: v.Fit, Tier: v.Tier, Score: v.Score}
	now := v.Rules(m)
	for _, r := range now {
		if !slices.Contains(prev.Rules, r) {
			c.Gained = append(c.Gained, r)
		}
	}
	for _, r := range prev.Rules {
		if !slices.Contains(now, r) {
			c.Lost = append(c.Lost, r)
		}
	}
	changed := len(c.Gained) > 0 || len(c.Lost) > 0
	if prev.Stage != v.Stage {
		c.StageFrom, changed = prev.Stage, true
	}
	if prev.Fit != v.Fit {
		c.FitFrom, changed = prev.Fit, true
	}
	if prev.Tier != v.Tier {
		c.TierFrom, changed = prev.Tier, true
	}
	return c, changed
}

// Moved reports whether a change moved what webhook receivers act on: the
// stage, the fit grade or the tier.
func (c *Change) Moved() bool {
	return c.StageFrom != "" || c.FitFrom != "" || c.TierFrom != ""
}
