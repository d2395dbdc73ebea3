package content

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
)

// routingReader holds the state of reading routing.yaml.
type routingReader struct {
	l *loader
	f *file
	r *routing.Routing

	teamN  []ast.Node // the name of each team of r.Teams, for messages
	escN   []ast.Node // the escalate_to of each team, or nil
	terrN  []ast.Node // the name of each territory of r.Territories
	whenN  []ast.Node // the when of each territory, or nil
	ruleOK []bool     // each territory's rule type-checks (or it has none)
	emails map[string]personAt
}

// personAt is a person as first listed, for one who is in several teams.
type personAt struct {
	email string
	pos   qualify.Pos
}

// readRouting reads routing.yaml, when the content has one: the teams
// that own leads, their people and calendars, and the territories that
// sort a team's leads, each checked at its position. Every stage's SLA
// owner must then name a team.
func (l *loader) readRouting() {
	body, f := l.yaml(RoutingFile, false)
	if f == nil {
		return
	}
	rd := &routingReader{l: l, f: f, r: &routing.Routing{Pos: f.pos(body)}, emails: map[string]personAt{}}
	before := len(l.diags)
	rd.read(body)
	rd.checkOwners()
	l.c.Routing = rd.r
	if len(l.diags) > before {
		return
	}
	// Compile checks what it needs on its own: anything it finds here is
	// a problem the reader missed, still reported at its position.
	if err := rd.r.Compile(); err != nil {
		if ds, ok := err.(qualify.Diags); ok {
			l.diags = append(l.diags, ds...)
		} else {
			l.diags.Add(rd.r.Pos, err.Error())
		}
	}
}

func (rd *routingReader) read(body ast.Node) {
	f, l := rd.f, rd.l
	var zoneN, holidaysN, hoursN, teamsN, territoriesN, alertsN, acceptN, activitiesN, reasonsN ast.Node
	f.fields(body, "routing", map[string]func(ast.Node){
		"time_zone":      func(n ast.Node) { zoneN = n },
		"holidays":       func(n ast.Node) { holidaysN = n },
		"hours":          func(n ast.Node) { hoursN = n },
		"teams":          func(n ast.Node) { teamsN = n },
		"territories":    func(n ast.Node) { territoriesN = n },
		"alerts":         func(n ast.Node) { alertsN = n },
		"accept_signal":  func(n ast.Node) { acceptN = n },
		"activities":     func(n ast.Node) { activitiesN = n },
		"reject_reasons": func(n ast.Node) { reasonsN = n },
	})
	// The company's defaults, which a team may replace one by one.
	def := routing.Calendar{Zone: time.UTC}
	if loc, err := time.LoadLocation(l.m.TimeZone); err == nil && l.m.TimeZone != "Local" {
		def.Zone = loc
	}
	if zoneN != nil {
		def.Zone = rd.zone(zoneN, "time_zone")
	}
	if holidaysN != nil {
		def.Holidays = rd.holidays(holidaysN, "holidays")
	}
	if hoursN != nil {
		def.Hours = rd.hours(hoursN, "hours")
	}
	items := f.seq(teamsN, "teams")
	if len(items) == 0 && !f.isNull(body) {
		f.err(body, "routing: no teams: list the teams that own leads under teams")
	} else if len(items) == 0 {
		f.errPos(rd.r.Pos, "routing: the file is empty: list the teams that own leads under teams")
	}
	for _, item := range items {
		rd.team(item, def)
	}
	rd.escalations()
	rd.awayTogether()
	for _, item := range f.seq(territoriesN, "territories") {
		rd.territory(item)
	}
	rd.shadowed()
	if alertsN != nil {
		rd.alerts(alertsN)
	}
	if acceptN != nil {
		rd.acceptSignal(acceptN)
	}
	for _, item := range f.seq(activitiesN, "activities") {
		rd.activity(item)
	}
	for _, item := range f.seq(reasonsN, "reject_reasons") {
		rd.rejectReason(item)
	}
}

// alerts reads what the owners of leads are told, and when: which alerts
// are on, the share of an attempt's time at which its owner is warned,
// the time of the daily digest and the quiet hours.
func (rd *routingReader) alerts(n ast.Node) {
	f, l, a := rd.f, rd.l, &rd.r.Alerts
	f.fields(n, "alerts", map[string]func(ast.Node){
		"assigned": func(n ast.Node) { a.Assigned = f.bool(n, "alerts: assigned") },
		"breach":   func(n ast.Node) { a.Breach = f.bool(n, "alerts: breach") },
		"hot": func(n ast.Node) {
			if _, scalar := f.scalar(n); scalar {
				if f.bool(n, "alerts: hot") {
					f.err(n, "alerts: hot: name the tier or the stage that makes a lead hot, as {tier: hot, stage: opportunity}, or write false")
				}
				return
			}
			f.fields(n, "alerts: hot", map[string]func(ast.Node){
				"tier": func(n ast.Node) {
					a.HotTier = strings.TrimSpace(f.str(n, "alerts: hot: tier"))
					var names []string
					for _, t := range l.m.Tiers {
						names = append(names, t.Name)
					}
					rd.known(n, "alerts: hot: tier", a.HotTier, "tier", names)
				},
				"stage": func(n ast.Node) {
					a.HotStage = strings.TrimSpace(f.str(n, "alerts: hot: stage"))
					var names []string
					for _, s := range l.m.Stages {
						names = append(names, s.Name)
					}
					rd.known(n, "alerts: hot: stage", a.HotStage, "stage", names)
				},
			})
		},
		"warn": func(n ast.Node) {
			s, _ := f.scalar(n)
			s = strings.TrimSpace(s)
			switch strings.ToLower(s) {
			case "false", "no":
				return
			}
			pct, ok := strings.CutSuffix(s, "%")
			v, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
			switch {
			case !ok || err != nil:
				f.err(n, "alerts: warn: "+f.describeValue(n)+" is not a share of an attempt's time like 75%, or false")
			case v < 1 || v > 99:
				f.err(n, "alerts: warn: "+strconv.Quote(s)+" is not between 1% and 99%: the owner is warned when that share of an attempt's time has passed")
			default:
				a.Warn, rd.r.Warn = true, v/100
			}
		},
		"digest": func(n ast.Node) {
			s, _ := f.scalar(n)
			s = strings.TrimSpace(s)
			switch strings.ToLower(s) {
			case "false", "no", "":
				return
			}
			at, ok := routing.ParseClock(s)
			if !ok || at == routing.MinutesPerDay || len(s) != 5 {
				f.err(n, "alerts: digest: "+f.describeValue(n)+" is not a time of day written HH:MM, like \"08:00\"")
				return
			}
			a.Digest, a.DigestAt = true, at
		},
		"quiet": func(n ast.Node) {
			s := strings.TrimSpace(f.str(n, "alerts: quiet"))
			q, ok := routing.ParseQuiet(s)
			if !ok {
				f.err(n, "alerts: quiet: "+f.describeValue(n)+" is not "+strconv.Quote(routing.QuietOffHoursText)+
					" (alerts wait outside the team's working hours), "+strconv.Quote(routing.QuietNeverText)+
					" or a window of the day like \"20:00-08:00\"")
				return
			}
			a.Quiet = q
		},
	})
}

// known reports a name that is not one of names, with the closest.
func (rd *routingReader) known(n ast.Node, what, name, kind string, names []string) {
	if slices.Contains(names, name) {
		return
	}
	msg := what + ": unknown " + kind + " " + strconv.Quote(name)
	if s := qualify.DidYouMean(name, names); s != "" {
		msg += s
	} else {
		msg += "; " + kind + "s: " + strings.Join(names, ", ")
	}
	rd.f.err(n, msg)
}

// acceptSignal reads accept_signal: the model's signal that accepting a
// lead records.
func (rd *routingReader) acceptSignal(n ast.Node) {
	f, m := rd.f, rd.l.m
	name := strings.TrimSpace(f.str(n, "accept_signal"))
	if m.SignalIndex(name) < 0 {
		names := nameList(m.Signals, func(s *qualify.Signal) string { return s.Name })
		f.err(n, "accept_signal: unknown signal "+strconv.Quote(name)+choices(name, "signals", names))
		return
	}
	rd.r.AcceptSignal = name
}

// workName checks the name of an activity or a reject reason, which the
// API takes and events keep: it starts with a lower-case letter and holds
// only lower-case letters, digits and _.
func (rd *routingReader) workName(n ast.Node, what, name string) bool {
	if !crmWord(name, false) || name[0] < 'a' {
		rd.f.err(n, what+" name "+strconv.Quote(name)+" must start with a lower-case letter and hold only lower-case letters, digits and _")
		return false
	}
	return true
}

// activity reads an activity: an attempt owners record of acting on a
// lead, with the label people read.
func (rd *routingReader) activity(item ast.Node) {
	f, r := rd.f, rd.r
	a := routing.Activity{Pos: f.pos(item)}
	var nameN ast.Node
	f.fields(item, "activity", map[string]func(ast.Node){
		"name":  func(n ast.Node) { a.Name, nameN = strings.TrimSpace(f.str(n, "activity name")), n },
		"label": func(n ast.Node) { a.Label = strings.TrimSpace(f.str(n, "activity label")) },
	})
	if nameN == nil {
		f.err(item, "activity: name is missing")
		return
	}
	a.Pos = f.pos(nameN)
	if !rd.workName(nameN, "activity", a.Name) {
		return
	}
	if b := r.Activity(a.Name); b != nil {
		f.err(nameN, "activity "+a.Name+" is already listed at "+b.Pos.String())
		return
	}
	if a.Label == "" {
		f.err(item, "activity "+a.Name+": label is missing (what people read, such as Called)")
	}
	r.Activities = append(r.Activities, a)
}

// rejectReason reads a reason to reject a lead: its name, the label
// people read, and the stage it sends the lead to (to), if any.
func (rd *routingReader) rejectReason(item ast.Node) {
	f, r, m := rd.f, rd.r, rd.l.m
	rr := routing.RejectReason{Pos: f.pos(item)}
	var nameN, toN ast.Node
	f.fields(item, "reject reason", map[string]func(ast.Node){
		"name":  func(n ast.Node) { rr.Name, nameN = strings.TrimSpace(f.str(n, "reject reason name")), n },
		"label": func(n ast.Node) { rr.Label = strings.TrimSpace(f.str(n, "reject reason label")) },
		"to":    func(n ast.Node) { toN = n },
	})
	if nameN == nil {
		f.err(item, "reject reason: name is missing")
		return
	}
	rr.Pos = f.pos(nameN)
	if !rd.workName(nameN, "reject reason", rr.Name) {
		return
	}
	if b := r.RejectReason(rr.Name); b != nil {
		f.err(nameN, "reject reason "+rr.Name+" is already listed at "+b.Pos.String())
		return
	}
	what := "reject reason " + rr.Name
	if rr.Label == "" {
		f.err(item, what+": label is missing (what people read, such as Not ready to buy yet)")
	}
	if toN != nil && !f.isNull(toN) {
		rr.To = strings.TrimSpace(f.str(toN, what+": to"))
		if rr.To != "" && m.StageIndex(rr.To) < 0 {
			names := nameList(m.Stages, func(s *qualify.Stage) string { return s.Name })
			f.err(toN, what+": to: unknown stage "+strconv.Quote(rr.To)+choices(rr.To, "stages", names))
			rr.To = ""
		}
	}
	r.RejectReasons = append(r.RejectReasons, rr)
}

// zone reads a time zone of the IANA database, as the model's time_zone.
func (rd *routingReader) zone(n ast.Node, what string) *time.Location {
	name := rd.f.str(n, what)
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || name == "Local" {
		rd.f.err(n, what+": "+strconv.Quote(name)+" is not a time zone: name one of the IANA database, such as Europe/Paris or America/New_York")
		return time.UTC
	}
	return loc
}

// maxHolidayRun bounds a range of holidays, which becomes one date each.
const maxHolidayRun = 366

// holidays reads a list of days off: dates, or ranges of them written
// from..to (both included).
func (rd *routingReader) holidays(n ast.Node, what string) []routing.Date {
	f := rd.f
	var out []routing.Date
	for _, item := range f.seq(n, what) {
		s := strings.TrimSpace(f.str(item, what+" item"))
		from, to, ok := parseDays(s)
		if !ok || to == nil {
			f.err(item, what+": "+f.describeValue(item)+" is not a date like 2026-12-24 or a range like 2026-12-24..2026-12-26")
			continue
		}
		if dateLess(*to, from) {
			f.err(item, what+": "+strconv.Quote(s)+" ends before it starts")
			continue
		}
		start := time.Date(from.Year, from.Month, from.Day, 12, 0, 0, 0, time.UTC)
		for i := 0; ; i++ {
			if i == maxHolidayRun {
				f.err(item, what+": "+strconv.Quote(s)+" is longer than a year")
				break
			}
			y, m, d := start.AddDate(0, 0, i).Date()
			day := routing.Date{Year: y, Month: m, Day: d}
			if dateLess(*to, day) {
				break
			}
			if slices.Contains(out, day) {
				f.err(item, what+": "+day.String()+" is listed twice")
				break
			}
			out = append(out, day)
		}
	}
	slices.SortFunc(out, func(a, b routing.Date) int {
		switch {
		case dateLess(a, b):
			return -1
		case dateLess(b, a):
			return 1
		}
		return 0
	})
	return out
}

func dateLess(a, b routing.Date) bool {
	if a.Year != b.Year {
		return a.Year < b.Year
	}
	if a.Month != b.Month {
		return a.Month < b.Month
	}
	return a.Day < b.Day
}

// parseDay parses a date written 2026-12-24.
func parseDay(s string) (routing.Date, bool) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return routing.Date{}, false
	}
	y, m, d := t.Date()
	return routing.Date{Year: y, Month: m, Day: d}, true
}

// parseDays parses a day (2026-12-24), a range of days (2026-12-21..2027-01-03,
// both included) or a range with no end (2027-02-01..): to is nil then.
func parseDays(s string) (from routing.Date, to *routing.Date, ok bool) {
	a, b, isRange := strings.Cut(s, "..")
	if from, ok = parseDay(strings.TrimSpace(a)); !ok {
		return from, nil, false
	}
	if !isRange {
		return from, &from, true
	}
	if b = strings.TrimSpace(b); b == "" {
		return from, nil, true
	}
	end, ok := parseDay(b)
	return from, &end, ok
}

// weekdays are the days as hours name them, Sunday first as time.Weekday.
var weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// hours reads weekly working hours: days (mon, mon-fri, sat-sun, or a
// list of them: "mon, wed") to spans of the day ("09:00-17:30", or
// "09:00-12:00, 13:00-17:30"). Days not named are not worked.
func (rd *routingReader) hours(n ast.Node, what string) [7][]routing.Span {
	f := rd.f
	var out [7][]routing.Span
	var given [7]string
	entries := f.mapping(n, what)
	if _, isMap := f.unwrap(n).(*ast.MappingNode); len(entries) == 0 && (isMap || f.isNull(n)) {
		f.err(n, what+": no working hours: give days and times such as mon-fri: \"09:00-17:30\", or leave hours out to work every day whole")
	}
	for _, e := range entries {
		days, ok := parseWeekdays(e.key)
		if !ok {
			f.err(e.keyN, what+": "+strconv.Quote(e.key)+" is not a day or a range of days: days are "+strings.Join(weekdays[1:], ", ")+", sun; a range is like mon-fri")
			continue
		}
		text, _ := f.scalar(e.value)
		spans, ok := parseSpans(text)
		if !ok {
			f.err(e.value, what+" "+e.key+": "+f.describeValue(e.value)+" is not working hours like \"09:00-17:30\" or \"09:00-12:00, 13:00-17:30\"")
			continue
		}
		if msg := spansProblem(spans); msg != "" {
			f.err(e.value, what+" "+e.key+": "+strconv.Quote(text)+" "+msg)
			continue
		}
		for _, d := range days {
			if given[d] != "" {
				f.err(e.keyN, what+": "+weekdays[d]+" is given twice (first in "+strconv.Quote(given[d])+")")
				continue
			}
			given[d] = e.key
			out[d] = spans
		}
	}
	return out
}

// parseWeekdays parses "mon", "mon-fri" (a range wraps after sun: fri-mon
// is fri, sat, sun, mon) or a comma-separated list of either.
func parseWeekdays(s string) ([]int, bool) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		a, b, isRange := strings.Cut(strings.TrimSpace(part), "-")
		from := slices.Index(weekdays, strings.ToLower(strings.TrimSpace(a)))
		to := from
		if isRange {
			to = slices.Index(weekdays, strings.ToLower(strings.TrimSpace(b)))
		}
		if from < 0 || to < 0 {
			return nil, false
		}
		for d := from; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == to {
				break
			}
		}
	}
	return out, len(out) > 0
}

// parseSpans parses "09:00-17:30" or "09:00-12:00, 13:00-17:30".
func parseSpans(s string) ([]routing.Span, bool) {
	var out []routing.Span
	for _, part := range strings.Split(s, ",") {
		a, b, ok := strings.Cut(strings.TrimSpace(part), "-")
		if !ok {
			return nil, false
		}
		from, okA := routing.ParseClock(strings.TrimSpace(a))
		to, okB := routing.ParseClock(strings.TrimSpace(b))
		if !okA || !okB {
			return nil, false
		}
		out = append(out, routing.Span{From: from, To: to})
	}
	return out, len(out) > 0
}

// spansProblem says what is wrong with the spans of a day, or "".
func spansProblem(spans []routing.Span) string {
	for i, s := range spans {
		if s.To <= s.From {
			return "ends before it starts: " + s.String()
		}
		if i > 0 && s.From < spans[i-1].To {
			return "has spans that overlap or are not in order: " + spans[i-1].String() + " then " + s.String()
		}
	}
	return ""
}

// team reads a team and its people.
func (rd *routingReader) team(item ast.Node, def routing.Calendar) {
	f, r := rd.f, rd.r
	t := routing.Team{Pos: f.pos(item), Calendar: def}
	var nameN, zoneN, hoursN, holidaysN, escN, peopleN, slackN ast.Node
	f.fields(item, "team", map[string]func(ast.Node){
		"name":        func(n ast.Node) { t.Name, nameN = strings.TrimSpace(f.str(n, "team name")), n },
		"time_zone":   func(n ast.Node) { zoneN = n },
		"hours":       func(n ast.Node) { hoursN = n },
		"holidays":    func(n ast.Node) { holidaysN = n },
		"escalate_to": func(n ast.Node) { t.EscalateTo, escN = strings.TrimSpace(f.str(n, "escalate_to")), n },
		"people":      func(n ast.Node) { peopleN = n },
		"slack":       func(n ast.Node) { t.Slack, slackN = strings.TrimSpace(f.str(n, "slack")), n },
	})
	if nameN == nil || t.Name == "" {
		f.err(item, "team: name is missing")
		return
	}
	t.Pos = f.pos(nameN)
	for i := range r.Teams {
		if r.Teams[i].Name == t.Name {
			f.err(nameN, "team "+strconv.Quote(t.Name)+" is already defined at "+r.Teams[i].Pos.String())
			return
		}
	}
	what := "team " + t.Name
	if slackN != nil && !slackVar(t.Slack) {
		f.err(slackN, what+": slack: "+f.describeValue(slackN)+" is not the name of an environment variable like "+
			"WINNOW_ALERT_SLACK_SALES: the webhook's URL is a secret, kept in the environment, not in the content")
		t.Slack = ""
	}
	if zoneN != nil {
		t.Calendar.Zone = rd.zone(zoneN, what+": time_zone")
	}
	if hoursN != nil {
		t.Calendar.Hours = rd.hours(hoursN, what+": hours")
	}
	if holidaysN != nil {
		t.Calendar.Holidays = rd.holidays(holidaysN, what+": holidays")
	}
	items := f.seq(peopleN, what+": people")
	if len(items) == 0 {
		f.err(nameN, what+" has no people: list who takes its leads under people")
	}
	for _, pn := range items {
		if p, ok := rd.person(pn, &t); ok {
			t.People = append(t.People, p)
		}
	}
	r.Teams = append(r.Teams, t)
	rd.teamN = append(rd.teamN, nameN)
	rd.escN = append(rd.escN, escN)
}

// slackVar reports whether name can name the environment variable of a
// team's Slack webhook: WINNOW_ALERT_SLACK_ and capitals, digits or '_'.
func slackVar(name string) bool {
	rest, ok := strings.CutPrefix(name, "WINNOW_ALERT_SLACK_")
	if !ok || rest == "" || rest == "URL" {
		return false
	}
	for _, c := range rest {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// person reads a person of team t.
func (rd *routingReader) person(item ast.Node, t *routing.Team) (routing.Person, bool) {
	f := rd.f
	p := routing.Person{Pos: f.pos(item), Weight: 1}
	var nameN, emailN, awayN, weightN, capacityN ast.Node
	what := "team " + t.Name + ": person"
	f.fields(item, what, map[string]func(ast.Node){
		"name":     func(n ast.Node) { p.Name, nameN = strings.TrimSpace(f.str(n, "person name")), n },
		"email":    func(n ast.Node) { emailN = n },
		"weight":   func(n ast.Node) { weightN = n },
		"capacity": func(n ast.Node) { capacityN = n },
		"away":     func(n ast.Node) { awayN = n },
	})
	if nameN == nil || p.Name == "" {
		f.err(item, what+": name is missing")
		return p, false
	}
	p.Pos = f.pos(nameN)
	what = "team " + t.Name + ": " + p.Name
	for _, q := range t.People {
		if q.Name == p.Name {
			f.err(nameN, what+" is listed twice (first at line "+strconv.Itoa(q.Pos.Line)+")")
			return p, false
		}
	}
	if weightN != nil {
		if v, ok := f.int(weightN, what+": weight"); ok {
			p.Weight = v
			if v < 1 || v > routing.MaxWeight {
				f.err(weightN, what+": weight must be between 1 and "+strconv.Itoa(routing.MaxWeight)+", not "+strconv.Itoa(v)+": a person of weight 2 gets twice the leads of a person of weight 1")
			}
		}
	}
	if capacityN != nil {
		if v, ok := f.int(capacityN, what+": capacity"); ok {
			p.Capacity = v
			if v < 0 {
				f.err(capacityN, what+": capacity cannot be negative, not "+strconv.Itoa(v)+": it is the most open leads the person owns at once (0 or none: no limit)")
			}
		}
	}
	if emailN == nil {
		f.err(item, what+": email is missing")
	} else {
		s := strings.TrimSpace(f.str(emailN, what+": email"))
		if email, ok := qualify.NormalizeEmail(s); !ok {
			f.err(emailN, what+": "+f.describeValue(emailN)+" is not an email address")
		} else {
			p.Email = email
			if first, ok := rd.emails[p.Name]; ok && first.email != email {
				f.err(emailN, what+": the email differs from "+first.email+" at "+first.pos.String()+": someone in several teams is one person, with one email")
			} else if !ok {
				rd.emails[p.Name] = personAt{email, f.pos(emailN)}
			}
		}
	}
	for _, an := range f.seq(awayN, what+": away") {
		s := strings.TrimSpace(f.str(an, what+": away item"))
		from, to, ok := parseDays(s)
		if !ok {
			f.err(an, what+": away: "+f.describeValue(an)+" is not a day or a period like 2026-12-24, 2026-12-21..2027-01-03, or 2027-02-01.. (no end)")
			continue
		}
		if to != nil && dateLess(*to, from) {
			f.err(an, what+": away: "+strconv.Quote(s)+" ends before it starts")
			continue
		}
		loc := t.Calendar.Zone
		per := routing.Period{From: time.Date(from.Year, from.Month, from.Day, 0, 0, 0, 0, loc).Unix(), To: math.MaxInt64}
		if to != nil {
			per.To = time.Date(to.Year, to.Month, to.Day+1, 0, 0, 0, 0, loc).Unix()
		}
		p.Away = append(p.Away, per)
	}
	return p, true
}

// escalations checks that each team escalates to a team, and that no
// escalation comes back to where it started.
func (rd *routingReader) escalations() {
	f, r := rd.f, rd.r
	names := nameList(r.Teams, func(t *routing.Team) string { return t.Name })
	next := make([]int, len(r.Teams))
	for i, t := range r.Teams {
		next[i] = slices.Index(names, t.EscalateTo)
		if t.EscalateTo != "" && next[i] < 0 {
			msg := "team " + t.Name + ": escalate_to: unknown team " + strconv.Quote(t.EscalateTo)
			if s := qualify.DidYouMean(t.EscalateTo, names); s != "" {
				msg += s
			} else {
				msg += "; teams: " + strings.Join(names, ", ")
			}
			f.err(rd.escN[i], msg)
		}
	}
	for i := range r.Teams {
		// Follow the escalations from i; report a cycle once, at the
		// first of its teams in the file.
		path := []string{names[i]}
		at, lowest := next[i], i
		for steps := 0; at >= 0 && at != i && steps < len(names); steps++ {
			path = append(path, names[at])
			lowest = min(lowest, at)
			at = next[at]
		}
		if at == i && lowest == i {
			path = append(path, names[i])
			f.err(rd.escN[i], "team "+names[i]+": escalations go round in a circle: "+strings.Join(path, " → "))
		}
	}
}

// awayTogether reports a team whose people are all away for good, and
// one whose people are all away at once while no team it escalates to
// has someone who is not: its leads would have no owner.
func (rd *routingReader) awayTogether() {
	r := rd.r
	away := make([][]routing.Period, len(r.Teams))
	for i := range r.Teams {
		away[i] = allAway(&r.Teams[i])
	}
	for i := range r.Teams {
		t := &r.Teams[i]
		if len(t.People) == 0 {
			continue
		}
		gaps := away[i]
		if n := len(gaps); n > 0 && gaps[n-1].To == math.MaxInt64 {
			rd.f.err(rd.teamN[i], "team "+t.Name+": every person is away for good from "+day(gaps[n-1].From, t.Calendar.Zone)+": nobody can take its leads")
			gaps = gaps[:n-1]
		}
		seen := map[int]bool{i: true}
		var chain []string
		for at := i; len(gaps) > 0; {
			next := -1
			for j := range r.Teams {
				if r.Teams[j].Name == r.Teams[at].EscalateTo && r.Teams[at].EscalateTo != "" {
					next = j
				}
			}
			if next < 0 || seen[next] {
				break
			}
			seen[next] = true
			chain = append(chain, r.Teams[next].Name)
			gaps = intersect(gaps, away[next])
			at = next
		}
		if len(gaps) == 0 {
			continue
		}
		msg := "team " + t.Name + ": every person is away " + periods(gaps, t.Calendar.Zone)
		if len(chain) == 0 {
			msg += ": its leads would have no owner then; add someone, or escalate_to a team that is not away then"
		} else {
			msg += ", and so is every team it escalates to (" + strings.Join(chain, ", ") + "): its leads would have no owner then"
		}
		rd.f.err(rd.teamN[i], msg)
	}
}

// periods describes bounded periods in loc: "on 2026-08-17", "from
// 2026-08-10 to 2026-08-14", the first three joined by commas.
func periods(ps []routing.Period, loc *time.Location) string {
	var out []string
	for k, p := range ps {
		if k == 3 {
			out = append(out, strconv.Itoa(len(ps)-3)+" more times")
			break
		}
		from, to := day(p.From, loc), day(p.To-1, loc)
		if from == to {
			out = append(out, "on "+from)
		} else {
			out = append(out, "from "+from+" to "+to)
		}
	}
	if len(out) > 1 {
		return strings.Join(out[:len(out)-1], ", ") + " and " + out[len(out)-1]
	}
	return strings.Join(out, "")
}

// day formats an instant as the date it falls on in loc.
func day(t int64, loc *time.Location) string {
	y, m, d := time.Unix(t, 0).In(loc).Date()
	return routing.Date{Year: y, Month: m, Day: d}.String()
}

// allAway returns when every person of t is away at once, as sorted
// periods apart from each other.
func allAway(t *routing.Team) []routing.Period {
	var out []routing.Period
	for i, p := range t.People {
		u := merge(p.Away)
		if i == 0 {
			out = u
		} else {
			out = intersect(out, u)
		}
	}
	return out
}

// merge returns the union of periods, sorted, those that meet or overlap
// taken together.
func merge(ps []routing.Period) []routing.Period {
	s := slices.Clone(ps)
	slices.SortFunc(s, func(a, b routing.Period) int {
		switch {
		case a.From < b.From:
			return -1
		case a.From > b.From:
			return 1
		}
		return 0
	})
	var out []routing.Period
	for _, p := range s {
		if n := len(out); n > 0 && p.From <= out[n-1].To {
			out[n-1].To = max(out[n-1].To, p.To)
			continue
		}
		out = append(out, p)
	}
	return out
}

// intersect returns the instants in both a and b, each sorted and apart.
func intersect(a, b []routing.Period) []routing.Period {
	var out []routing.Period
	for i, j := 0, 0; i < len(a) && j < len(b); {
		if from, to := max(a[i].From, b[j].From), min(a[i].To, b[j].To); from < to {
			out = append(out, routing.Period{From: from, To: to})
		}
		if a[i].To < b[j].To {
			i++
		} else {
			j++
		}
	}
	return out
}

// territory reads a territory: a team's leads that meet a rule, sent to
// some of its people.
func (rd *routingReader) territory(item ast.Node) {
	f, r, l := rd.f, rd.r, rd.l
	tr := routing.Territory{Pos: f.pos(item)}
	var nameN, teamN, whenN, peopleN ast.Node
	f.fields(item, "territory", map[string]func(ast.Node){
		"name":   func(n ast.Node) { tr.Name, nameN = strings.TrimSpace(f.str(n, "territory name")), n },
		"team":   func(n ast.Node) { tr.Team, teamN = strings.TrimSpace(f.str(n, "team")), n },
		"when":   func(n ast.Node) { whenN = n },
		"people": func(n ast.Node) { peopleN = n },
	})
	if nameN == nil || tr.Name == "" {
		f.err(item, "territory: name is missing")
		return
	}
	tr.Pos = f.pos(nameN)
	for i := range r.Territories {
		if r.Territories[i].Name == tr.Name {
			f.err(nameN, "territory "+strconv.Quote(tr.Name)+" is already defined at "+r.Territories[i].Pos.String())
			return
		}
	}
	what := "territory " + tr.Name
	ok := true
	if whenN != nil {
		tr.When = l.parseRule(f, whenN, what+": when")
		ok = tr.When != nil && l.checkRule(pendingRule{f: f, n: whenN, rule: tr.When, ctx: qualify.InCriterion, what: what + ": when", limit: l.territoryLimit})
	}
	names := nameList(r.Teams, func(t *routing.Team) string { return t.Name })
	var team *routing.Team
	switch i := slices.Index(names, tr.Team); {
	case teamN == nil:
		f.err(item, what+": team is missing")
	case i < 0:
		msg := what + ": unknown team " + strconv.Quote(tr.Team)
		if s := qualify.DidYouMean(tr.Team, names); s != "" {
			msg += s
		} else {
			msg += "; teams: " + strings.Join(names, ", ")
		}
		f.err(teamN, msg)
	default:
		team = &r.Teams[i]
	}
	for _, pn := range f.seq(peopleN, what+": people") {
		name := strings.TrimSpace(f.str(pn, what+": person"))
		switch {
		case slices.Contains(tr.People, name):
			f.err(pn, what+": "+name+" is listed twice")
			continue
		case team != nil && team.Person(name) == nil:
			people := nameList(team.People, func(p *routing.Person) string { return p.Name })
			msg := what + ": " + name + " is not in team " + team.Name
			if s := qualify.DidYouMean(name, people); s != "" {
				msg += s
			} else {
				msg += "; its people: " + strings.Join(people, ", ")
			}
			f.err(pn, msg)
			continue
		}
		tr.People = append(tr.People, name)
	}
	if peopleN != nil && len(tr.People) == 0 && team != nil {
		f.err(peopleN, what+": people is empty: name some of team "+team.Name+", or leave people out for all of them")
	}
	if team != nil && len(tr.People) > 0 {
		t := routing.Team{People: make([]routing.Person, 0, len(tr.People))}
		for _, name := range tr.People {
			t.People = append(t.People, *team.Person(name))
		}
		if gaps := allAway(&t); len(gaps) > 0 && gaps[len(gaps)-1].To == math.MaxInt64 {
			f.err(nameN, what+": every person is away for good from "+day(gaps[len(gaps)-1].From, team.Calendar.Zone)+": nobody can take its leads")
		}
	}
	r.Territories = append(r.Territories, tr)
	rd.terrN = append(rd.terrN, nameN)
	rd.whenN = append(rd.whenN, whenN)
	rd.ruleOK = append(rd.ruleOK, ok)
}

// territoryLimit refuses what a territory's rule may not read. A
// territory sorts leads by who they are: fields, the fit grade, lists and
// thresholds. Signals and the score change as a lead engages, and the
// owner of a lead would change with them.
func (l *loader) territoryLimit(e *qualify.Expr) []qualify.RuleError {
	var errs []qualify.RuleError
	const why = " cannot be used in a territory: a territory sorts leads by who they are (fields, fit, lists and thresholds), not by what they do"
	qualify.Walk(e, func(x *qualify.Expr) {
		if x.Op != qualify.OpName {
			return
		}
		switch {
		case x.Name == qualify.NameScore || x.Name == qualify.NameFitPoints:
			errs = append(errs, qualify.RuleError{Off: int(x.Off), Msg: x.Name + why})
		case l.m.SignalIndex(x.Name) >= 0 && l.m.FieldIndex(x.Name) < 0:
			errs = append(errs, qualify.RuleError{Off: int(x.Off), Msg: "signal " + x.Name + why})
		}
	})
	return errs
}

// checkOwners checks that every stage's SLA owner is a team.
func (rd *routingReader) checkOwners() {
	names := nameList(rd.r.Teams, func(t *routing.Team) string { return t.Name })
	for _, sd := range rd.l.stages {
		owner := sd.stage.SLA.Owner
		if sd.ownerN == nil || owner == "" || slices.Contains(names, owner) {
			continue
		}
		msg := "stage " + sd.stage.Name + ": sla owner " + strconv.Quote(owner) + " is not a team of " + rd.f.name
		if s := qualify.DidYouMean(owner, names); s != "" {
			msg += s
		} else if len(names) > 0 {
			msg += "; teams: " + strings.Join(names, ", ")
		}
		sd.f.err(sd.ownerN, msg)
	}
}

// maxCombinations bounds the leads the shadow check tries per territory.
const maxCombinations = 1 << 16

// shadowed reports a territory that can never match: no lead meets its
// rule, or every lead that does meets the rule of a territory listed
// before it for the same team, which takes the lead first. The order of
// the list is the precedence where territories overlap, so an overlap is
// no mistake in itself; one that leaves a territory nothing is.
//
// It is decided by trying every combination of the values the rules read,
// which is possible when they read only choice and yes/no fields (each
// answered with one of its values, or not at all) and the fit grade. A
// territory whose rule reads another field (text, a number, a date) is not
// checked, and earlier territories of that kind are left out of the
// cover, which can only make it smaller: what is reported holds.
func (rd *routingReader) shadowed() {
	r, m := rd.r, rd.l.m
	for j := range r.Territories {
		tj := &r.Territories[j]
		if !rd.ruleOK[j] {
			continue
		}
		at := rd.whenN[j]
		if at == nil {
			at = rd.terrN[j]
		}
		what := "territory " + tj.Name + " can never match: "
		vars, ok := ruleVars(m, tj.When, nil)
		if !ok {
			continue
		}
		var before []int
		all := -1 // an earlier territory without a rule: it takes every lead
		for i := 0; i < j && all < 0; i++ {
			ti := &r.Territories[i]
			if ti.Team != tj.Team || !rd.ruleOK[i] {
				continue
			}
			if ti.When == nil {
				all = i
				continue
			}
			if v, ok := ruleVars(m, ti.When, vars); ok {
				vars = v
				before = append(before, i)
			}
		}
		if all >= 0 {
			rd.f.err(at, what+"territory "+r.Territories[all].Name+" (line "+strconv.Itoa(r.Territories[all].Pos.Line)+
				"), listed before it for team "+tj.Team+", has no when rule and takes every lead of the team; move it up")
			continue
		}
		meets, covered, used := coverage(m, vars, tj.When, r.Territories, before)
		switch {
		case covered && !meets:
			rd.f.err(at, what+"no lead meets its rule")
		case covered:
			var names []string
			for _, i := range used {
				names = append(names, r.Territories[i].Name+" (line "+strconv.Itoa(r.Territories[i].Pos.Line)+")")
			}
			them := "that territory"
			if len(names) > 1 {
				them = "those territories"
			}
			rd.f.err(at, what+"every lead that meets its rule meets first the rule of "+
				listWords(names)+", listed before it for team "+tj.Team+"; move it up, or narrow "+them)
		}
	}
}

// listWords joins names as "a", "a and b" or "a, b and c", with "territory"
// or "territories" before them.
func listWords(names []string) string {
	if len(names) == 1 {
		return "territory " + names[0]
	}
	return "territories " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// ruleVar is a value a territory rule reads that takes few values: a
// choice or yes/no field (field >= 0), or the fit grade (field < 0).
type ruleVar struct{ field, values int }

// ruleVars adds to vars the values rule reads, and reports false when it
// reads one that takes too many values to try (text, numbers, dates) or
// when trying them all would be too many leads.
func ruleVars(m *qualify.Model, rule *qualify.Rule, vars []ruleVar) ([]ruleVar, bool) {
	if rule == nil {
		return vars, true
	}
	out, ok := slices.Clone(vars), true
	qualify.Walk(rule.Expr, func(x *qualify.Expr) {
		if x.Op != qualify.OpName {
			return
		}
		v := ruleVar{field: m.FieldIndex(x.Name)}
		switch {
		case v.field >= 0 && m.Fields[v.field].Type == qualify.Choice:
			v.values = len(m.Fields[v.field].Options) + 1
		case v.field >= 0 && m.Fields[v.field].Type == qualify.YesNo:
			v.values = 3
		case v.field >= 0:
			ok = false
			return
		case x.Name == qualify.NameFit:
			v.values = max(len(m.Grades), 1)
		default:
			return // a threshold: one value
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	})
	n := 1
	for _, v := range out {
		if n *= v.values; n > maxCombinations {
			return vars, false
		}
	}
	return out, ok
}

// coverage tries every combination of vars: meets says whether some lead
// meets rule, covered whether every lead that does meets one of the rules
// of the territories before, and used lists those that took such a lead.
func coverage(m *qualify.Model, vars []ruleVar, rule *qualify.Rule, ts []routing.Territory, before []int) (meets, covered bool, used []int) {
	lead := m.NewLead()
	var v qualify.Verdict
	digits := make([]int, len(vars))
	took := make([]bool, len(ts))
	for {
		for k, rv := range vars {
			d := digits[k]
			switch {
			case rv.field < 0:
				if len(m.Grades) > 0 {
					v.Fit = m.Grades[d].Name
				}
			case d == 0:
				lead.Values[rv.field] = qualify.Value{}
			default:
				lead.Values[rv.field] = qualify.Value{Known: true, Int: int64(d - 1)}
			}
		}
		if qualify.Holds(m, rule, &lead, 0, &v) {
			meets = true
			first := -1
			for _, i := range before {
				if qualify.Holds(m, ts[i].When, &lead, 0, &v) {
					first = i
					break
				}
			}
			if first < 0 {
				return true, false, nil
			}
			took[first] = true
		}
		k := 0
		for ; k < len(digits); k++ {
			if digits[k]++; digits[k] < vars[k].values {
				break
			}
			digits[k] = 0
		}
		if k == len(digits) {
			break
		}
	}
	for _, i := range before {
		if took[i] {
			used = append(used, i)
		}
	}
	return meets, true, used
}
