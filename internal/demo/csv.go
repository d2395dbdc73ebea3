package demo

import (
	"encoding/csv"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// FieldColumns are the form fields the CSV holds, under the default
// model's names.
var FieldColumns = []string{"name", "email", "phone", "company", "company_size", "industry", "role", "seniority",
	"country", "request", "need", "how_heard", "seats", "timeline", "budget", "authority", "priority", "message",
	"website", "fill_seconds", "pasted"}

// SignalColumns are the signals the CSV holds: when each happened, RFC
// 3339, or empty.
var SignalColumns = []string{"social_interaction", "newsletter_signup", "email_reply", "info_request", "trial_request",
	"demo_request", "inbound_call", "pricing_visit", "case_study_read", "follows_similar", "industry_group",
	"staff_connection"}

// ExtraColumns are what a CRM knows and the model does not read. The
// first three are the lead's own (Lead.TimeOnSite, PagesViewed, Source);
// the others are drawn as the CSV is written (see [WriteCSV]).
var ExtraColumns = []string{"time_on_site_minutes", "pages_viewed", "lead_source", "visits_before_form", "current_crm"}

// Placeholders: the share of answers an export writes as a blank or a
// form's placeholder instead of the answer, by field. The commitment
// questions (timeline, budget, authority, priority), when not asked, are
// written as "Select..." in one row in three and left blank otherwise.
var placeholders = []struct {
	field string
	share float64
	as    string
}{
	{"industry", 0.04, "Select..."},
	{"role", 0.05, ""},
	{"seniority", 0.03, "Please select"},
	{"how_heard", 0.08, ""},
	{"need", 0.02, "-- select --"},
}

var crms = []string{"HubSpot", "Salesforce", "Pipedrive", "Zoho", "Spreadsheets", "Other"}

// Header is the CSV's first row.
func Header() []string {
	h := []string{"created_at"}
	h = append(h, FieldColumns...)
	h = append(h, SignalColumns...)
	h = append(h, ExtraColumns...)
	return append(h, "converted")
}

// WriteCSV writes leads as a CSV of past leads with their outcomes,
// columns as Header names them. Like a real export, it has blanks and
// placeholders ("Select...", "Please select") in place of some answers
// (see placeholders), and two columns drawn given the outcome, from a
// stream of the lead's own, so that the outcome process is unchanged:
//
//   - visits_before_form: visits to the site before the form, a skewed
//     count whose effect rises then falls. Converted leads came back a few
//     times (about 6, log-normal); the others mostly once or twice, and one
//     in four many times (about 14: researchers, students, competitors).
//     So 1 or 2 visits convert least, 4 to 10 most, and 20 or more little.
//     It is "NA" for 4 % of the leads (no tracking consent).
//   - current_crm: the CRM the lead uses now, from a question most
//     leads skip: answered by 75 % of the converted leads and 30 % of the
//     others, with the same shares of each answer, so its signal is
//     whether it was answered. Unanswered, it is blank or "Select".
func WriteCSV(w io.Writer, leads []Lead) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header()); err != nil {
		return err
	}
	rec := make([]string, 0, len(Header()))
	for i := range leads {
		l := &leads[i]
		r := rand.New(rand.NewPCG(uint64(l.N), uint64(l.At.Unix())^0x6578706f7274))
		rec = append(rec[:0], l.At.UTC().Format(time.RFC3339))
		for _, c := range FieldColumns {
			rec = append(rec, exported(r, c, l.Fields[c]))
		}
		for _, c := range SignalColumns {
			s := ""
			if t, ok := l.Signals[c]; ok {
				s = t.UTC().Format(time.RFC3339)
			}
			rec = append(rec, s)
		}
		converted := "no"
		if l.Converted {
			converted = "yes"
		}
		rec = append(rec, strconv.FormatFloat(l.TimeOnSite, 'f', 1, 64), strconv.Itoa(l.PagesViewed), l.Source,
			visits(r, l.Converted), currentCRM(r, l.Converted), converted)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// exported is how an export writes the answer v to field: a blank or a
// placeholder instead of some answers.
func exported(r *rand.Rand, field, v string) string {
	switch field {
	case "timeline", "budget", "authority", "priority":
		if v == "" && r.Float64() < 1.0/3 {
			return "Select..."
		}
		return v
	}
	for _, p := range placeholders {
		if p.field == field && r.Float64() < p.share {
			return p.as
		}
	}
	return v
}

// visits draws visits_before_form given the outcome.
func visits(r *rand.Rand, converted bool) string {
	if r.Float64() < 0.04 {
		return "NA"
	}
	var mean, spread float64
	switch {
	case converted:
		mean, spread = 6, 0.45
	case r.Float64() < 0.25:
		mean, spread = 14, 0.6
	default:
		mean, spread = 1.3, 0.5
	}
	return strconv.Itoa(max(1, int(math.Round(math.Exp(r.NormFloat64()*spread+math.Log(mean))))))
}

// currentCRM draws current_crm given the outcome.
func currentCRM(r *rand.Rand, converted bool) string {
	answered := 0.3
	if converted {
		answered = 0.75
	}
	if r.Float64() >= answered {
		return []string{"", "Select"}[r.IntN(2)]
	}
	return crms[r.IntN(len(crms))]
}

// Mapping is the mapping file `winnow backtest --map` reads for the CSV:
// the outcome, the instant of each row, the signal columns and the extra
// columns a suggestion may turn into rules, with their types and kinds.
// The fields need no entry: the columns have the fields' names. The
// blanks, "NA" and the placeholders are missing values by default.
func Mapping() string {
	var b strings.Builder
	b.WriteString(`# How the demo's CSV of past leads maps onto the model (winnow backtest --map).
# The form's fields are columns of the same names, so they need no entry.
# Blanks, NA and placeholders such as "Select..." are missing values by
# default (missing: lists others).
outcome:
  column: converted
  positive: [yes]
  negative: [no]
at: created_at
signals:
`)
	for _, s := range SignalColumns {
		b.WriteString("  " + s + ": " + s + "\n")
	}
	b.WriteString(`extra:
  - time_on_site_minutes
  - pages_viewed
  - {column: lead_source, type: text}
  - {column: visits_before_form, type: number, kind: behaviour}
  - {column: current_crm, type: text, kind: fit}
`)
	return b.String()
}
