package demo

import (
	"math"
	"math/rand/v2"
	"time"
)

// Event is a stage change that sales, or marketing's automation, records
// for a lead.
type Event struct {
	Stage  string
	Actor  string
	Note   string
	Reason string // why it was lost or disqualified: one of the model's close reasons
	At     time.Time
}

// A step of the funnel towards "won": the stage it records, who records
// it, and how long after the step before it (the first step's wait comes
// from the SLA).
type step struct {
	stage    string
	sales    bool // an account executive's step, not sales development's
	min, max float64
	// lost is the share of leads failing this step that are recorded as
	// lost (the others stall), and why: a close reason of the model and
	// sales' note.
	lost float64
	why  []loss
}

type loss struct{ reason, note string }

var funnel = []step{
	{"SAL", false, 0, 0, 0.55, []loss{{"no_need", "rejected by sales: no current need"}, {"not_a_fit", "rejected by sales: wrong contact, no referral"}}},
	{"SQL", false, 2, 21, 0.6, []loss{{"unresponsive", "went quiet after the first call"}, {"no_budget", "no budget this year"}}},
	{"opportunity", true, 5, 30, 0.8, []loss{{"no_budget", "no budget this year"}, {"bad_timing", "the project was postponed"},
		{"no_decision", "stays with the current tool"}}},
	{"won", true, 14, 90, 1, []loss{{"chose_competitor", "chose another vendor"}, {"no_decision", "no decision"}, {"no_budget", "price"}}},
}

// start is where a lead in each stage enters the funnel above.
var start = map[string]int{"MQL": 0, "prospect": 1, "opportunity": 3}

var (
	sdrs = []string{"Maya Chen (SDR)", "Lukas Weber (SDR)", "Amara Okafor (SDR)"}
	aes  = []string{"Diego Lopez (AE)", "Freya Larsen (AE)"}
)

// Journey draws what happens to lead l after the handler put it in stage
// at submission, as the package documentation describes; within gives the
// time a stage's SLA allows for the first action. Events after the end
// are left out.
func (g *Generator) Journey(l *Lead, stage string, within func(stage string) time.Duration) []Event {
	r := g.rng(l.N, 1)
	sdr, ae := one(r, sdrs), one(r, aes)
	var evs []Event
	t := l.At
	add := func(stage, actor, note string) {
		evs = append(evs, Event{Stage: stage, Actor: actor, Note: note, At: t.Truncate(time.Second)})
	}
	closeWith := func(stage, actor string, why loss) {
		add(stage, actor, why.note)
		evs[len(evs)-1].Reason = why.reason
	}
	reopened := false
	for {
		if stage == "cold lead" {
			if r.Float64() >= min(0.6, 3*l.P) {
				break
			}
			t = t.Add(days(r, 7, 84))
			add("MQL", "Marketing automation", "engaged with the nurture emails")
			stage = "MQL"
		}
		first, ok := start[stage]
		if !ok {
			break
		}
		// The first touch: within the SLA, late, or never.
		busy := g.month(t) >= 9
		never, late := 0.06, 0.15
		if busy {
			never, late = 0.12, 0.25
		}
		if l.P > 0.2 {
			never, late = never/2, late/2 // the best leads are called first
		}
		if r.Float64() < never {
			break
		}
		w := within(stage)
		if w <= 0 {
			w = 24 * time.Hour
		}
		if r.Float64() < late {
			t = t.Add(time.Duration(float64(w) * (1.2 + 5*r.Float64())))
		} else {
			t = t.Add(time.Duration(float64(w) * (0.05 + 0.85*r.Float64())))
		}
		q := math.Pow(l.P, 1/float64(len(funnel)-first))
		lost := false
		for i := first; i < len(funnel); i++ {
			s := funnel[i]
			if i > first {
				t = t.Add(days(r, s.min, s.max))
			}
			actor := sdr
			if s.sales {
				actor = ae
			}
			if r.Float64() < q {
				add(s.stage, actor, "")
				continue
			}
			switch x := r.Float64(); {
			case i == 0 && x < 0.05:
				closeWith("disqualified", actor, loss{"not_a_fit", "outside our market: a reseller, not a buyer"})
			case x < s.lost:
				closeWith("lost", actor, s.why[r.IntN(len(s.why))])
				lost = true
			}
			break
		}
		if !lost || reopened || r.Float64() >= 1.0/8 {
			break
		}
		// Lost leads sometimes come back.
		reopened = true
		t = t.Add(days(r, 60, 180))
		add("MQL", "Marketing automation", "came back: asked about pricing again")
		stage = "MQL"
	}
	for i, e := range evs {
		if !e.At.Before(g.end) {
			return evs[:i]
		}
	}
	return evs
}

// days is a uniform wait between lo and hi days.
func days(r *rand.Rand, lo, hi float64) time.Duration {
	return time.Duration((lo + (hi-lo)*r.Float64()) * 24 * float64(time.Hour))
}
