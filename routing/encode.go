package routing

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/winnowhq/winnow/qualify"
)

// The encoded routing, as `winnow build --edge` writes it for the edge:
// time zones by name, rules as their canonical text, no positions.
type (
	routingJSON struct {
		Teams         []teamJSON      `json:"teams"`
		Territories   []territoryJSON `json:"territories,omitempty"`
		Warn          float64         `json:"warn,omitempty"`
		Alerts        *alertsJSON     `json:"alerts,omitempty"`
		AcceptSignal  string          `json:"accept_signal,omitempty"`
		Activities    []activityJSON  `json:"activities,omitempty"`
		RejectReasons []reasonJSON    `json:"reject_reasons,omitempty"`
	}
	alertsJSON struct {
		Assigned bool   `json:"assigned,omitempty"`
		HotTier  string `json:"hot_tier,omitempty"`
		HotStage string `json:"hot_stage,omitempty"`
		Warn     bool   `json:"warn,omitempty"`
		Breach   bool   `json:"breach,omitempty"`
		Digest   *int   `json:"digest,omitempty"` // minutes after midnight; absent: no digest
		Quiet    string `json:"quiet,omitempty"`  // "": working hours; "none"; "20:00-08:00"
	}
	activityJSON struct {
		Name  string `json:"name"`
		Label string `json:"label,omitempty"`
	}
	reasonJSON struct {
		Name  string `json:"name"`
		Label string `json:"label,omitempty"`
		To    string `json:"to,omitempty"` // a stage of the model; "": none
	}
	teamJSON struct {
		Name       string       `json:"name"`
		Zone       string       `json:"zone,omitempty"`     // IANA name; "": UTC
		Hours      [7][][2]int  `json:"hours"`              // per weekday, Sunday first: [from, to) minutes
		Holidays   []string     `json:"holidays,omitempty"` // 2026-12-24
		People     []personJSON `json:"people"`
		EscalateTo string       `json:"escalate_to,omitempty"`
		Slack      string       `json:"slack,omitempty"`
	}
	personJSON struct {
		Name     string     `json:"name"`
		Email    string     `json:"email,omitempty"`
		Weight   int        `json:"weight,omitempty"`
		Capacity int        `json:"capacity,omitempty"`
		Away     [][2]int64 `json:"away,omitempty"`
	}
	territoryJSON struct {
		Name   string   `json:"name"`
		Team   string   `json:"team"`
		When   string   `json:"when,omitempty"` // canonical rule text; "": every lead of the team
		People []string `json:"people,omitempty"`
	}
)

// Encode writes r as JSON for Decode: what a program that cannot read the
// content (the edge) needs to rebuild it. Time zones are written by name,
// territory rules as their canonical text; positions are left out. A nil
// routing encodes as null.
func Encode(r *Routing) ([]byte, error) {
	if r == nil {
		return []byte("null"), nil
	}
	out := routingJSON{Teams: make([]teamJSON, len(r.Teams)), Warn: r.Warn}
	if a := r.Alerts; a != (Alerts{}) {
		aj := &alertsJSON{Assigned: a.Assigned, HotTier: a.HotTier, HotStage: a.HotStage, Warn: a.Warn, Breach: a.Breach,
			Quiet: a.Quiet.String()}
		if a.Digest {
			aj.Digest = &a.DigestAt
		}
		out.Alerts = aj
	}
	for i := range r.Teams {
		t := &r.Teams[i]
		tj := teamJSON{Name: t.Name, EscalateTo: t.EscalateTo, Slack: t.Slack, People: make([]personJSON, len(t.People))}
		if t.Calendar.Zone != nil && t.Calendar.Zone != time.UTC {
			tj.Zone = t.Calendar.Zone.String()
			if tj.Zone == "Local" {
				return nil, errors.New("routing: team " + t.Name + ": the Local time zone has no name to encode")
			}
		}
		for wd, spans := range t.Calendar.Hours {
			for _, s := range spans {
				tj.Hours[wd] = append(tj.Hours[wd], [2]int{s.From, s.To})
			}
		}
		for _, d := range t.Calendar.Holidays {
			tj.Holidays = append(tj.Holidays, d.String())
		}
		for k := range t.People {
			p := &t.People[k]
			pj := personJSON{Name: p.Name, Email: p.Email, Weight: p.Weight, Capacity: p.Capacity}
			for _, a := range p.Away {
				pj.Away = append(pj.Away, [2]int64{a.From, a.To})
			}
			tj.People[k] = pj
		}
		out.Teams[i] = tj
	}
	for i := range r.Territories {
		tr := &r.Territories[i]
		tj := territoryJSON{Name: tr.Name, Team: tr.Team, People: tr.People}
		if tr.When != nil && tr.When.Expr != nil {
			tj.When = qualify.Print(tr.When.Expr)
		}
		out.Territories = append(out.Territories, tj)
	}
	out.AcceptSignal = r.AcceptSignal
	for _, a := range r.Activities {
		out.Activities = append(out.Activities, activityJSON{Name: a.Name, Label: a.Label})
	}
	for _, rr := range r.RejectReasons {
		out.RejectReasons = append(out.RejectReasons, reasonJSON{Name: rr.Name, Label: rr.Label, To: rr.To})
	}
	return json.Marshal(out)
}

// Decode rebuilds a routing that Encode wrote, compiled (Compile): its
// territory rules checked against m, as the content's are (the context of
// a framework criterion: fields, fit, lists and thresholds), the accept
// signal and the stages reject reasons send leads to as well, its time
// zones read with loadZone (never asked for UTC). null decodes as a nil
// routing and no error.
func Decode(data []byte, m *qualify.Model, loadZone func(name string) (*time.Location, error)) (*Routing, error) {
	var in *routingJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return nil, errors.New("routing: " + err.Error())
	}
	if in == nil {
		return nil, nil
	}
	r := &Routing{Teams: make([]Team, len(in.Teams)), Warn: in.Warn}
	if aj := in.Alerts; aj != nil {
		q, ok := ParseQuiet(aj.Quiet)
		if !ok {
			return nil, errors.New("routing: alerts: quiet " + aj.Quiet + " is not working hours, none or a window like 20:00-08:00")
		}
		r.Alerts = Alerts{Assigned: aj.Assigned, HotTier: aj.HotTier, HotStage: aj.HotStage, Warn: aj.Warn, Breach: aj.Breach, Quiet: q}
		if aj.Digest != nil {
			r.Alerts.Digest, r.Alerts.DigestAt = true, *aj.Digest
		}
	}
	for i, tj := range in.Teams {
		t := Team{Name: tj.Name, EscalateTo: tj.EscalateTo, Slack: tj.Slack, People: make([]Person, len(tj.People))}
		t.Calendar.Zone = time.UTC
		if tj.Zone != "" && tj.Zone != "UTC" {
			loc, err := loadZone(tj.Zone)
			if err != nil {
				return nil, errors.New("routing: team " + tj.Name + ": time zone " + tj.Zone + ": " + err.Error())
			}
			t.Calendar.Zone = loc
		}
		for wd, spans := range tj.Hours {
			for _, s := range spans {
				t.Calendar.Hours[wd] = append(t.Calendar.Hours[wd], Span{From: s[0], To: s[1]})
			}
		}
		for _, h := range tj.Holidays {
			day, err := time.Parse("2006-01-02", h)
			if err != nil {
				return nil, errors.New("routing: team " + tj.Name + ": holiday " + h + " is not a date")
			}
			y, mo, d := day.Date()
			t.Calendar.Holidays = append(t.Calendar.Holidays, Date{Year: y, Month: mo, Day: d})
		}
		for k, pj := range tj.People {
			p := Person{Name: pj.Name, Email: pj.Email, Weight: pj.Weight, Capacity: pj.Capacity}
			for _, a := range pj.Away {
				p.Away = append(p.Away, Period{From: a[0], To: a[1]})
			}
			t.People[k] = p
		}
		r.Teams[i] = t
	}
	for _, tj := range in.Territories {
		tr := Territory{Name: tj.Name, Team: tj.Team, People: tj.People}
		if tj.When != "" {
			e, errs := m.Compile(tj.When, qualify.InCriterion)
			if len(errs) > 0 {
				msgs := make([]string, len(errs))
				for k, e := range errs {
					msgs[k] = e.Msg
				}
				return nil, errors.New("routing: territory " + tj.Name + ": when " + tj.When + ": " + strings.Join(msgs, "; "))
			}
			tr.When = &qualify.Rule{Expr: e}
			qualify.StripOffsets(tr.When)
		}
		r.Territories = append(r.Territories, tr)
	}
	if in.AcceptSignal != "" && m.SignalIndex(in.AcceptSignal) < 0 {
		return nil, errors.New("routing: accept_signal: the model has no signal " + in.AcceptSignal)
	}
	r.AcceptSignal = in.AcceptSignal
	for _, a := range in.Activities {
		r.Activities = append(r.Activities, Activity{Name: a.Name, Label: a.Label})
	}
	for _, rr := range in.RejectReasons {
		if rr.To != "" && m.StageIndex(rr.To) < 0 {
			return nil, errors.New("routing: reject reason " + rr.Name + ": the model has no stage " + rr.To)
		}
		r.RejectReasons = append(r.RejectReasons, RejectReason{Name: rr.Name, Label: rr.Label, To: rr.To})
	}
	if err := r.Compile(); err != nil {
		return nil, err
	}
	return r, nil
}
