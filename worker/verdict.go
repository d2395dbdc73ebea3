package worker

import (
	"time"

	"github.com/winnowhq/winnow/qualify"
)

// VerdictJSON is a verdict with every reason, as the admin API, the
// export and `winnow eval --json` give it.
type VerdictJSON struct {
	Model     string       `json:"model"`
	At        string       `json:"at"`
	Stage     string       `json:"stage"`
	Funnel    string       `json:"funnel,omitempty"`
	Fit       string       `json:"fit"`
	FitPoints int          `json:"fit_points"`
	Score     float64      `json:"score"`
	Tier      string       `json:"tier"`
	Framework string       `json:"framework,omitempty"`
	Criteria  []string     `json:"criteria_met"`
	Next      NextJSON     `json:"next"`
	Reasons   []ReasonJSON `json:"reasons"`
}

// NextJSON is the next step offered to the visitor.
type NextJSON struct {
	Kind    string `json:"kind"`
	Label   string `json:"label"`
	Message string `json:"message,omitempty"`
	URL     string `json:"url,omitempty"`
}

// ReasonJSON is one reason: points a rule gave, or the stage's rule.
type ReasonJSON struct {
	Kind   string   `json:"kind"`
	Rule   string   `json:"rule"`
	Pos    string   `json:"pos"`
	Text   string   `json:"text,omitempty"`
	Points *float64 `json:"points,omitempty"`
	// Decay: the points before decay, the signal's half-life and its age
	// in seconds; absent when no decay applied.
	Base     int   `json:"base,omitempty"`
	HalfLife int64 `json:"half_life,omitempty"`
	Age      int64 `json:"age,omitempty"`
}

// NewVerdictJSON lays out a verdict of model m reached at instant now.
func NewVerdictJSON(m *qualify.Model, v *qualify.Verdict, now int64) VerdictJSON {
	out := VerdictJSON{
		Model: v.Model, At: time.Unix(now, 0).UTC().Format(time.RFC3339),
		Stage: v.Stage, Funnel: v.Funnel.String(), Fit: v.Fit, FitPoints: v.FitPoints,
		Score: v.Score, Tier: v.Tier, Framework: v.Framework, Criteria: []string{},
		Next: nextJSON(v.Next), Reasons: []ReasonJSON{},
	}
	if m.Framework >= 0 {
		for j, c := range m.Frameworks[m.Framework].Criteria {
			if v.Criteria&(1<<j) != 0 {
				out.Criteria = append(out.Criteria, c.Name)
			}
		}
	}
	for _, r := range v.Reasons {
		name, pos := r.Rule(m)
		jr := ReasonJSON{Rule: name, Pos: pos.String()}
		switch r.Kind {
		case qualify.ReasonPoints:
			pts := r.Points
			jr.Kind, jr.Points, jr.Text = "points", &pts, m.Points[r.Index].Label
			if r.HalfLife > 0 && r.Age > 0 {
				jr.Base, jr.HalfLife, jr.Age = r.Base, r.HalfLife, r.Age
			}
		case qualify.ReasonStage:
			jr.Kind = "stage"
			jr.Text = m.Stages[r.Index].Rule.String()
		}
		out.Reasons = append(out.Reasons, jr)
	}
	return out
}

func nextJSON(n qualify.Next) NextJSON {
	return NextJSON{n.Kind.String(), n.Label, n.Message, n.URL}
}
