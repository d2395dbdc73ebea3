package demo

import (
	"encoding/csv"
	"io"
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

// ExtraColumns are what a CRM knows and the model does not read.
var ExtraColumns = []string{"time_on_site_minutes", "pages_viewed", "lead_source"}

// Header is the CSV's first row.
func Header() []string {
	h := []string{"created_at"}
	h = append(h, FieldColumns...)
	h = append(h, SignalColumns...)
	h = append(h, ExtraColumns...)
	return append(h, "converted")
}

// WriteCSV writes leads as a CSV of past leads with their outcomes,
// columns as Header names them.
func WriteCSV(w io.Writer, leads []Lead) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header()); err != nil {
		return err
	}
	rec := make([]string, 0, len(Header()))
	for i := range leads {
		l := &leads[i]
		rec = append(rec[:0], l.At.UTC().Format(time.RFC3339))
		for _, c := range FieldColumns {
			rec = append(rec, l.Fields[c])
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
		rec = append(rec, strconv.FormatFloat(l.TimeOnSite, 'f', 1, 64), strconv.Itoa(l.PagesViewed), l.Source, converted)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Mapping is the mapping file `winnow backtest --map` reads for the CSV:
// the outcome, the instant of each row, the signal columns and the extra
// columns a suggestion may turn into rules. The fields need no entry: the
// columns have the fields' names.
func Mapping() string {
	var b strings.Builder
	b.WriteString(`# How the demo's CSV of past leads maps onto the model (winnow backtest --map).
# The form's fields are columns of the same names, so they need no entry.
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
	b.WriteString("extra: [" + strings.Join(ExtraColumns, ", ") + "]\n")
	return b.String()
}
