package routing

import (
	"errors"
	"strconv"
	"time"

	"github.com/winnowhq/winnow/qualify"
)

// MaxWeight is the largest weight a person may have.
const MaxWeight = 1000

// plan is what Compile prepares of a team for Route.
type plan struct {
	territories []int   // indexes into Routing.Territories of the team's, in order
	people      [][]int // per territory of territories: indexes into Team.People
	all         []int   // every person of the team, in order
	escalate    int     // index into Routing.Teams of EscalateTo, or -1
}

// Compile checks the routing and prepares it for Route: teams by name,
// each team's territories in order and their people as indexes. It
// reports every problem, at its position: names missing or given twice,
// territories of unknown teams or naming people outside their team,
// weights, capacities and time off out of range, working hours that are
// not spans of a day, holidays that are not dates, escalations to unknown
// teams or in a cycle, alerts at times that are not times of a day or at
// a share of an attempt's time that is not one. Compile it again after changing it; a compiled
// routing is safe to Route with from many goroutines.
func (r *Routing) Compile() error {
	var ds qualify.Diags
	teams := make(map[string]int, len(r.Teams))
	plans := make([]plan, len(r.Teams))
	for ti := range r.Teams {
		t := &r.Teams[ti]
		switch _, dup := teams[t.Name]; {
		case t.Name == "":
			ds.Add(t.Pos, "a team needs a name")
		case dup:
			ds.Add(t.Pos, "team "+t.Name+" is defined twice")
		default:
			teams[t.Name] = ti
		}
		t.Calendar.check(&ds, t.Pos, t.Name)
		seen := make(map[string]bool, len(t.People))
		all := make([]int, len(t.People))
		for pi := range t.People {
			all[pi] = pi
			p := &t.People[pi]
			who := "team " + t.Name + ": " + p.Name
			switch {
			case p.Name == "":
				ds.Add(p.Pos, "team "+t.Name+": a person needs a name")
			case seen[p.Name]:
				ds.Add(p.Pos, who+" is in the team twice")
			}
			seen[p.Name] = true
			if p.Weight < 0 || p.Weight > MaxWeight {
				ds.Add(p.Pos, who+": weight "+strconv.Itoa(p.Weight)+" is not between 1 and "+strconv.Itoa(MaxWeight))
			}
			if p.Capacity < 0 {
				ds.Add(p.Pos, who+": capacity "+strconv.Itoa(p.Capacity)+" is negative (0 is no limit)")
			}
			for _, a := range p.Away {
				if a.To <= a.From {
					ds.Add(p.Pos, who+": time off ends before it starts")
				}
			}
		}
		plans[ti] = plan{all: all, escalate: -1}
	}
	territories := make(map[string]bool, len(r.Territories))
	for k := range r.Territories {
		tr := &r.Territories[k]
		switch {
		case tr.Name == "":
			ds.Add(tr.Pos, "a territory needs a name")
		case territories[tr.Name]:
			ds.Add(tr.Pos, "territory "+tr.Name+" is defined twice")
		}
		territories[tr.Name] = true
		ti, ok := teams[tr.Team]
		if !ok {
			ds.Add(tr.Pos, "territory "+tr.Name+": no team "+strconv.Quote(tr.Team))
			continue
		}
		t := &r.Teams[ti]
		people := plans[ti].all
		if len(tr.People) > 0 {
			people = make([]int, 0, len(tr.People))
			for _, name := range tr.People {
				if pi := t.index(name); pi >= 0 {
					people = append(people, pi)
				} else {
					ds.Add(tr.Pos, "territory "+tr.Name+": "+name+" is not in team "+t.Name)
				}
			}
		}
		plans[ti].territories = append(plans[ti].territories, k)
		plans[ti].people = append(plans[ti].people, people)
	}
	for ti := range r.Teams {
		t := &r.Teams[ti]
		if t.EscalateTo == "" {
			continue
		}
		if to, ok := teams[t.EscalateTo]; ok {
			plans[ti].escalate = to
		} else {
			ds.Add(t.Pos, "team "+t.Name+" escalates to "+strconv.Quote(t.EscalateTo)+", which is no team")
		}
	}
	for ti := range r.Teams {
		if cycle := r.escalationCycle(plans, ti); cycle != "" {
			ds.Add(r.Teams[ti].Pos, "team "+r.Teams[ti].Name+" escalates in a cycle: "+cycle)
		}
	}
	r.Alerts.check(&ds, r.Pos, r.Warn)
	if len(ds) > 0 {
		ds.Sort()
		return ds
	}
	r.teams, r.plans = teams, plans
	return nil
}

// escalationCycle returns the cycle of escalations team ti is in, such as
// "a → b → a", or "" when it is in none.
func (r *Routing) escalationCycle(plans []plan, ti int) string {
	at := plans[ti].escalate
	for range plans {
		if at < 0 {
			return ""
		}
		if at == ti {
			s := r.Teams[ti].Name
			for at = plans[ti].escalate; ; at = plans[at].escalate {
				s += " → " + r.Teams[at].Name
				if at == ti {
					return s
				}
			}
		}
		at = plans[at].escalate
	}
	return ""
}

// index returns the index of the person named name in the team, or -1.
func (t *Team) index(name string) int {
	for i := range t.People {
		if t.People[i].Name == name {
			return i
		}
	}
	return -1
}

// Person returns the person of the team named name, or nil.
func (t *Team) Person(name string) *Person {
	if i := t.index(name); i >= 0 {
		return &t.People[i]
	}
	return nil
}

// Team returns the team named name, or nil.
func (r *Routing) Team(name string) *Team {
	if r.teams != nil {
		if i, ok := r.teams[name]; ok {
			return &r.Teams[i]
		}
		return nil
	}
	for i := range r.Teams {
		if r.Teams[i].Name == name {
			return &r.Teams[i]
		}
	}
	return nil
}

// Territory returns the territory named name, or nil.
func (r *Routing) Territory(name string) *Territory {
	for i := range r.Territories {
		if r.Territories[i].Name == name {
			return &r.Territories[i]
		}
	}
	return nil
}

// Escalate returns the team a lead of team goes to when its SLA breaks:
// the team's EscalateTo. It returns false when the team has none, when
// either team is unknown, or when following the escalations from team
// comes back to a team already passed (Compile reports such a cycle), so
// that a caller escalating again and again stops.
func (r *Routing) Escalate(team string) (string, bool) {
	t := r.Team(team)
	if t == nil || t.EscalateTo == "" || r.Team(t.EscalateTo) == nil {
		return "", false
	}
	at := t
	for range r.Teams {
		if at = r.Team(at.EscalateTo); at == nil || at.EscalateTo == "" {
			return t.EscalateTo, true
		}
		if at.Name == team {
			return "", false
		}
	}
	return "", false // a cycle that does not pass through team
}

// weight is the person's share of the round robin, at least 1.
func (p *Person) weight() int64 {
	return int64(max(p.Weight, 1))
}

// AwayAt reports whether the person takes no leads at the instant t, and
// if so the instant they are back: the end of their time off, periods
// that meet or overlap taken together.
func (p *Person) AwayAt(t int64) (back int64, away bool) {
	for _, a := range p.Away {
		if a.From <= t && t < a.To {
			back, away = a.To, true
			break
		}
	}
	if !away {
		return 0, false
	}
	for range p.Away {
		moved := false
		for _, a := range p.Away {
			if a.From <= back && back < a.To {
				back, moved = a.To, true
			}
		}
		if !moved {
			break
		}
	}
	return back, true
}

// Count is what the database knows of a person's leads.
type Count struct {
	// Open is how many leads the person owns that are not closed, for
	// their capacity.
	Open int
	// Assigned is how many leads the person was assigned, for the round
	// robin. Counting them over a recent window (the last 30 days, say)
	// rather than ever keeps someone who joins, or comes back from time
	// off, from taking every lead until they catch up.
	Assigned int64
}

// State gives Route the counts of the people of a team. Two servers that
// see the same counts route a lead the same way.
type State interface {
	Count(person string) Count
}

// Counts is a State held in a map by person; people missing count zero.
type Counts map[string]Count

// Count returns the counts of person.
func (c Counts) Count(person string) Count { return c[person] }

// Decision is where Route sends a lead, and what explains it (Reason).
type Decision struct {
	Team      string
	Territory string // the territory whose rule the lead meets, or "": the whole team
	Person    string // who owns the lead, or "" when nobody can take it
	Weight    int    // the person's weight
	Count     Count  // the person's counts before this lead
	People    int    // how many people the territory (or team) has
	Away      int    // how many of them are away
	Full      int    // how many of them are at capacity
	// Unavailable says why each person could not take the lead, when
	// Person is "".
	Unavailable []Unavailable

	zone *time.Location // the team's, for the dates of Reason
}

// Unavailable is a person who could not take a lead.
type Unavailable struct {
	Person   string
	Back     int64 // when away: the instant they are back (Never: no return set); 0 when not away
	Open     int   // when at capacity: their open leads
	Capacity int
}

// ErrNotCompiled is returned by Route before Compile succeeded.
var ErrNotCompiled = errors.New("routing: Route needs a compiled routing (Compile)")

// Route decides who on team owns lead, whose verdict is v, at the instant
// now (Unix seconds): the first of the team's territories whose rule the
// lead meets names the people to choose from, or the whole team when none
// does. Of these, people away at now and people whose open leads reach
// their capacity are passed over; among the others the round robin
// picks the person with the least (Assigned+1)/Weight: whoever would
// stay furthest below their share after taking the lead, the first in
// order on a tie. Fed back the counts, it gives each person their weight's
// share of leads in any stretch, and two servers that read the same State
// decide the same. v may be nil: territory rules read the lead's fields.
//
// When nobody can take the lead, the Decision has no Person and says why
// in Reason: the caller keeps the lead and logs it (or escalates). The
// error is for a team the routing does not have, or a routing not
// compiled.
func (r *Routing) Route(m *qualify.Model, team string, lead *qualify.Lead, v *qualify.Verdict, now int64, st State) (Decision, error) {
	if r.teams == nil {
		return Decision{}, ErrNotCompiled
	}
	ti, ok := r.teams[team]
	if !ok {
		return Decision{}, errors.New("routing: no team " + strconv.Quote(team))
	}
	if v == nil {
		v = &qualify.Verdict{}
	}
	t, pl := &r.Teams[ti], &r.plans[ti]
	d := Decision{Team: t.Name, zone: t.Calendar.zone()}
	people := pl.all
	for k, tr := range pl.territories {
		if qualify.Holds(m, r.Territories[tr].When, lead, now, v) {
			d.Territory, people = r.Territories[tr].Name, pl.people[k]
			break
		}
	}
	d.People = len(people)
	best, bestW := -1, int64(0)
	var bestC Count
	for _, i := range people {
		p := &t.People[i]
		if _, away := p.AwayAt(now); away {
			d.Away++
			continue
		}
		var c Count
		if st != nil {
			c = st.Count(p.Name)
		}
		if p.Capacity > 0 && c.Open >= p.Capacity {
			d.Full++
			continue
		}
		w := p.weight()
		if best < 0 || (max(c.Assigned, 0)+1)*bestW < (max(bestC.Assigned, 0)+1)*w {
			best, bestW, bestC = i, w, c
		}
	}
	if best >= 0 {
		d.Person, d.Weight, d.Count = t.People[best].Name, int(bestW), bestC
		return d, nil
	}
	for _, i := range people {
		p := &t.People[i]
		u := Unavailable{Person: p.Name, Capacity: p.Capacity}
		if back, away := p.AwayAt(now); away {
			u.Back = back
		} else if st != nil {
			u.Open = st.Count(p.Name).Open
		}
		d.Unavailable = append(d.Unavailable, u)
	}
	return d, nil
}

// Reason says in words why the lead goes where it goes, such as
// "territory dach, Ana Souza next in the round robin (weight 2)" or
// "territory dach: nobody at work: Ana Souza away until 2027-01-04, Bo at
// capacity (50 open)".
func (d Decision) Reason() string {
	where := "territory " + d.Territory
	if d.Territory == "" {
		where = "team " + d.Team + " (no territory matched)"
	}
	if d.Person != "" {
		s := where + ", " + d.Person + " next in the round robin (weight " + strconv.Itoa(d.Weight) + ")"
		if d.Away > 0 || d.Full > 0 {
			s += "; passed over: " + countOf(d.Away, "away") + and(d.Away > 0 && d.Full > 0) + countOf(d.Full, "at capacity")
		}
		return s
	}
	if d.People == 0 {
		return where + ": nobody in it"
	}
	s := where + ": nobody at work: "
	for i, u := range d.Unavailable {
		if i > 0 {
			s += ", "
		}
		if u.Back == Never {
			s += u.Person + " away, no return set"
		} else if u.Back != 0 {
			s += u.Person + " away until " + d.instant(u.Back)
		} else {
			s += u.Person + " at capacity (" + strconv.Itoa(u.Open) + " open)"
		}
	}
	return s
}

func countOf(n int, what string) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n) + " " + what
}

func and(b bool) string {
	if b {
		return ", "
	}
	return ""
}

// instant formats t in the team's zone: "2027-01-04" at midnight,
// "2027-01-04 13:30" otherwise.
func (d Decision) instant(t int64) string {
	loc := d.zone
	if loc == nil {
		loc = time.UTC
	}
	lt := time.Unix(t, 0).In(loc)
	y, m, day := lt.Date()
	s := Date{y, m, day}.String()
	if h, mi, sec := lt.Clock(); h != 0 || mi != 0 || sec != 0 {
		s += " " + clock(h*60+mi)
	}
	return s
}
