// Package reporttext writes the funnel and SLA report (package report)
// as text: as tables for people, and as one flat CSV table.
//
// It is a package of its own because the edge worker links package
// report, and these forms need text/tabwriter, which the worker does not
// link otherwise (and never prints a table).
package reporttext

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/report"
)

// Write writes the report as tables for people: the totals, the
// funnel's entries, conversions and median times per month (then per
// funnel position), the conversions per source and per fit grade, the SLA
// compliance and rhythms, the breaches, and the figures per owner and per
// team, in the report's time zone.
func Write(w io.Writer, r *report.Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, a ...any) { fmt.Fprintf(tw, format, a...) }
	loc := location(r)
	p("Funnel and SLA report, %s to %s (%s), at %s, model %s\n", r.From, r.To, r.TimeZone,
		r.Now.In(loc).Format("2006-01-02 15:04 MST"), r.Model)
	var now []string
	for _, s := range r.Totals.Stages {
		now = append(now, fmt.Sprintf("%s %d", s.Stage, s.Leads))
	}
	p("%d leads, %d of them spam (left out below). Now: %s.\n", r.Totals.Leads, r.Totals.Spam, orNone(strings.Join(now, ", ")))

	funnelTables(p, "", r.Stages)
	funnelTables(p, "By funnel position. ", r.Positions)
	for _, seg := range []struct {
		title string
		segs  []report.Segment
	}{{"source", r.Sources}, {"fit grade", r.Fits}} {
		if len(seg.segs) == 0 {
			continue
		}
		p("\nConversions by %s over the range\n", seg.title)
		header(p, seg.title, append([]string{"created"}, pairs(seg.segs[0].Funnel.Line)...)...)
		for _, s := range seg.segs {
			row := []string{orNone(s.Value), strconv.Itoa(s.Funnel.Total.Created)}
			for _, c := range s.Funnel.Total.Conversions {
				row = append(row, rate(c))
			}
			p("%s\n", strings.Join(row, "\t"))
		}
	}

	p("\nSLA compliance (entries in the range)\n")
	header(p, "stage", "owner", "within", "entered", "met", "late", "breached", "not due", "compliance")
	for _, s := range r.SLA {
		p("%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", s.Stage, s.Owner, qualify.FormatDuration(s.WithinSeconds),
			s.Entered, s.Met, s.Late, s.Breached, s.NotDue, percent(s.Compliance))
	}
	p("\nSLA rhythm: the first action, then a follow-up every so often (entries in the range; overdue: of broken, those still\n" +
		"running past an attempt's due time; in time, late, missed: attempts)\n")
	header(p, "stage", "every", "attempts", "kept", "broken", "overdue", "running", "in time", "late", "missed", "kept %")
	for _, s := range r.SLA {
		every, attempts := "-", "1"
		if s.EverySeconds > 0 {
			every, attempts = qualify.FormatDuration(s.EverySeconds), "no limit"
			if s.Attempts > 0 {
				attempts = strconv.Itoa(s.Attempts)
			}
		}
		h := s.Rhythm
		p("%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", s.Stage, every, attempts, h.Kept, h.Broken, h.Overdue, h.Running, h.OnTime,
			h.Late, h.Missed, percent(h.Compliance))
	}
	p("\nBreaches: %d\n", len(r.Breaches))
	if len(r.Breaches) > 0 {
		header(p, "lead", "stage", "owner", "entered", "age", "over")
		for _, b := range r.Breaches {
			p("%s\t%s\t%s\t%s\t%s\t%s\n", b.Lead, b.Stage, b.Owner, b.EnteredAt.In(loc).Format("2006-01-02 15:04"),
				span(float64(b.AgeSeconds)), span(float64(b.OverSeconds)))
		}
	}
	for _, t := range []struct {
		title, column string
		rows          []report.OwnerFigures
	}{{"owner", "owner", r.Owners}, {"team", "team", r.Teams}} {
		p("\nTeam, by %s (owned: the leads created in the range it owns now; acted on: their entries into its team's stages in the\n"+
			"range acted on, and the business hours to the first action)\n", t.title)
		if len(t.rows) == 0 {
			p("(none)\n")
			continue
		}
		header(p, t.column, "owned", "acted on", "speed median", "speed p90", "rhythm kept", "accepted", "rejected", "opportunity", "won")
		for _, o := range t.rows {
			var reasons []string
			for _, rc := range o.Reasons[:min(len(o.Reasons), 3)] {
				reasons = append(reasons, fmt.Sprintf("%s %d", orNone(rc.Reason), rc.Count))
			}
			rejected := strconv.Itoa(o.Rejected)
			if len(reasons) > 0 {
				rejected += " (" + strings.Join(reasons, ", ") + ")"
			}
			h := o.Rhythm
			p("%s\t%d\t%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", o.Name, o.Owned, o.FirstActions, hours(o.SpeedMedianSeconds),
				hours(o.SpeedP90Seconds), share(h.Kept, h.Kept+h.Broken), o.Accepted, rejected, share(o.Opportunities, o.Owned),
				share(o.Won, o.Owned))
		}
	}
	return tw.Flush()
}

// WriteFlatCSV writes the report as one flat CSV table, a figure a row:
// section, segment, month, step, to, metric, value. (Not the export of
// leads report.ReadCSV reads.) The sections owner and team have a person
// or a team as their segment, and their rejections by reason (in step).
// Segments and reasons are escaped with report.EscapeCell.
func WriteFlatCSV(w io.Writer, r *report.Report) error {
	cw := csv.NewWriter(w)
	row := func(section, segment, month, step, to, metric, value string) {
		cw.Write([]string{section, report.EscapeCell(segment), month, step, to, metric, value})
	}
	num := func(x *float64) string {
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x, 'f', -1, 64)
	}
	itoa := strconv.Itoa
	row("section", "segment", "month", "step", "to", "metric", "value")
	row("totals", "", "", "", "", "leads", itoa(r.Totals.Leads))
	row("totals", "", "", "", "", "spam", itoa(r.Totals.Spam))
	for _, s := range r.Totals.Stages {
		row("totals", "", "", s.Stage, "", "leads_now", itoa(s.Leads))
	}
	funnel := func(section, segment string, f report.Funnel) {
		for _, m := range append(f.Months, f.Total) {
			row(section, segment, m.Month, "", "", "created", itoa(m.Created))
			for _, s := range m.Steps {
				row(section, segment, m.Month, s.Step, "", "entered", itoa(s.Entered))
				row(section, segment, m.Month, s.Step, "", "reopened", itoa(s.Reopened))
				row(section, segment, m.Month, s.Step, "", "stays", itoa(s.Stays))
				row(section, segment, m.Month, s.Step, "", "median_seconds", num(s.MedianSeconds))
			}
			for _, c := range m.Conversions {
				row(section, segment, m.Month, c.From, c.To, "reached", itoa(c.Reached))
				row(section, segment, m.Month, c.From, c.To, "converted", itoa(c.Converted))
				row(section, segment, m.Month, c.From, c.To, "rate", num(c.Rate))
			}
		}
	}
	funnel("stages", "", r.Stages)
	funnel("positions", "", r.Positions)
	for _, s := range r.Sources {
		funnel("source", s.Value, s.Funnel)
	}
	for _, s := range r.Fits {
		funnel("fit", s.Value, s.Funnel)
	}
	for _, s := range r.SLA {
		h := s.Rhythm
		for _, f := range []struct {
			metric, value string
		}{{"within_seconds", strconv.FormatInt(s.WithinSeconds, 10)}, {"entered", itoa(s.Entered)}, {"met", itoa(s.Met)},
			{"late", itoa(s.Late)}, {"breached", itoa(s.Breached)}, {"not_due", itoa(s.NotDue)}, {"compliance", num(s.Compliance)},
			{"every_seconds", strconv.FormatInt(s.EverySeconds, 10)}, {"attempts", itoa(s.Attempts)},
			{"rhythm_kept", itoa(h.Kept)}, {"rhythm_broken", itoa(h.Broken)}, {"rhythm_overdue", itoa(h.Overdue)}, {"rhythm_running", itoa(h.Running)},
			{"attempts_on_time", itoa(h.OnTime)}, {"attempts_late", itoa(h.Late)}, {"attempts_missed", itoa(h.Missed)},
			{"rhythm_compliance", num(h.Compliance)}} {
			row("sla", s.Owner, "", s.Stage, "", f.metric, f.value)
		}
	}
	for _, t := range []struct {
		section string
		rows    []report.OwnerFigures
	}{{"owner", r.Owners}, {"team", r.Teams}} {
		for _, o := range t.rows {
			h := o.Rhythm
			for _, f := range []struct {
				metric, value string
			}{{"owned", itoa(o.Owned)}, {"first_actions", itoa(o.FirstActions)}, {"speed_median_seconds", num(o.SpeedMedianSeconds)},
				{"speed_p90_seconds", num(o.SpeedP90Seconds)}, {"rhythm_kept", itoa(h.Kept)}, {"rhythm_broken", itoa(h.Broken)},
				{"rhythm_overdue", itoa(h.Overdue)}, {"rhythm_running", itoa(h.Running)}, {"attempts_on_time", itoa(h.OnTime)}, {"attempts_late", itoa(h.Late)},
				{"attempts_missed", itoa(h.Missed)}, {"rhythm_compliance", num(h.Compliance)}, {"accepted", itoa(o.Accepted)},
				{"rejected", itoa(o.Rejected)}, {"opportunities", itoa(o.Opportunities)}, {"won", itoa(o.Won)}} {
				row(t.section, o.Name, "", "", "", f.metric, f.value)
			}
			for _, rc := range o.Reasons {
				row(t.section, o.Name, "", report.EscapeCell(rc.Reason), "", "rejected_for", itoa(rc.Count))
			}
		}
	}
	for _, b := range r.Breaches {
		month := report.MonthOf(b.EnteredAt, location(r)).String()
		row("breach", b.Lead, month, b.Stage, "", "entered_at", b.EnteredAt.UTC().Format(time.RFC3339))
		row("breach", b.Lead, month, b.Stage, "", "age_seconds", strconv.FormatInt(b.AgeSeconds, 10))
		row("breach", b.Lead, month, b.Stage, "", "over_seconds", strconv.FormatInt(b.OverSeconds, 10))
	}
	cw.Flush()
	return cw.Error()
}

// location returns the zone the report's months are cut in.
func location(r *report.Report) *time.Location {
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// funnelTables prints a funnel's entries, conversions and median times
// per month.
func funnelTables(p func(string, ...any), title string, f report.Funnel) {
	months := append(f.Months, f.Total)
	label := func(m report.Period) string {
		if m.Month == f.Total.Month {
			return "range"
		}
		return m.Month
	}
	p("\n%sLeads entering each step (re-entries included; reopened: how many were re-entries)\n", title)
	header(p, "month", append(f.Steps, "reopened")...)
	for _, m := range months {
		row, again := []string{label(m)}, 0
		for _, s := range m.Steps {
			row = append(row, strconv.Itoa(s.Entered))
			again += s.Reopened
		}
		p("%s\t%d\n", strings.Join(row, "\t"), again)
	}
	p("\n%sConversions of the leads created each month (converted/reached)\n", title)
	header(p, "month", append([]string{"created"}, pairs(f.Line)...)...)
	for _, m := range months {
		row := []string{label(m), strconv.Itoa(m.Created)}
		for _, c := range m.Conversions {
			row = append(row, rate(c))
		}
		p("%s\n", strings.Join(row, "\t"))
	}
	p("\n%sMedian time in each step (stays that ended in the month)\n", title)
	header(p, "month", f.Steps...)
	for _, m := range months {
		row := []string{label(m)}
		for _, s := range m.Steps {
			if s.MedianSeconds == nil {
				row = append(row, "-")
			} else {
				row = append(row, span(*s.MedianSeconds))
			}
		}
		p("%s\n", strings.Join(row, "\t"))
	}
}

func header(p func(string, ...any), first string, cols ...string) {
	p("%s\n", strings.Join(append([]string{first}, cols...), "\t"))
}

// pairs names the conversions of a line: "MQL>SAL".
func pairs(line []string) []string {
	var out []string
	for i := 1; i < len(line); i++ {
		out = append(out, line[i-1]+">"+line[i])
	}
	return out
}

// rate prints a conversion as "67% 2/3", or "-" with nothing to divide.
func rate(c report.Conversion) string {
	if c.Rate == nil {
		return "-"
	}
	return fmt.Sprintf("%s %d/%d", percent(c.Rate), c.Converted, c.Reached)
}

// share prints n of d as "25% 1/4", or "-" with nothing to divide.
func share(n, d int) string {
	if d == 0 {
		return "-"
	}
	x := float64(n) / float64(d)
	return fmt.Sprintf("%s %d/%d", percent(&x), n, d)
}

// hours prints seconds of business time in hours and minutes, never days
// (a day of business hours is not a day): "26h 5m", "40m"; "-" for none.
func hours(sec *float64) string {
	if sec == nil {
		return "-"
	}
	m := int64(*sec/60 + 0.5)
	if m < 60 {
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%dh %dm", m/60, m%60)
}

func percent(x *float64) string {
	if x == nil {
		return "-"
	}
	return strconv.FormatFloat(*x*100, 'f', 0, 64) + "%"
}

// span prints seconds as days and hours, hours and minutes, or minutes.
func span(sec float64) string {
	s := int64(sec + 0.5)
	d, h, m := s/86400, s%86400/3600, s%3600/60
	switch {
	case d > 0:
		return fmt.Sprintf("%dd %dh", d, h)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	}
	return fmt.Sprintf("%dm", m)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
