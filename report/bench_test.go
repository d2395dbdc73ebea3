package report_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/routing"
)

// benchLead is a lead of a busy life: an MQL acted on a few hours later
// and followed up, then SAL, SQL, an opportunity with calls every day,
// and won, owned by jo of team SDR.
func benchLead(i int) report.Lead {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * 7 * time.Hour)
	h := func(n float64) time.Time { return start.Add(time.Duration(n * float64(time.Hour))) }
	e := func(stage, actor string, at time.Time) report.Event {
		return report.Event{Stage: stage, Actor: actor, Source: "api", At: at, RecordedAt: at}
	}
	return report.Lead{ID: "L" + strconv.Itoa(i), CreatedAt: start, Source: "form", Fit: "A", Origin: "newsletter", Campaign: "spring",
		Owner: "jo", Team: "SDR",
		Events: []report.Event{
			e("MQL", report.SystemActor, h(0)), e(report.Contacted, "jo", h(5)), e(report.Contacted, "jo", h(50)),
			e("SAL", report.SystemActor, h(60)), e("SQL", "jo", h(120)), e("opportunity", report.SystemActor, h(200)),
			e(report.Contacted, "kim", h(201)), e(report.Contacted, "kim", h(225)), e(report.Contacted, "kim", h(250)),
			e(report.Won, "kim", h(400)),
		}}
}

// benchModel is testModel with the rhythms of the shipped content: a
// first action, then follow-ups.
func benchModel() *qualify.Model {
	m := testModel()
	for i := range m.Stages {
		s := &m.Stages[i].SLA
		switch m.Stages[i].Name {
		case "MQL", "SAL":
			s.Every, s.Attempts = 2*86400, 5
		case "opportunity":
			s.Every, s.Attempts = 86400, 5
		}
	}
	return m
}

// BenchmarkContribute is the report's share of each write of a lead: its
// contribution to the sums, in the two zones the worker keeps (UTC and
// the model's), its SLA clocks in wall-clock time and in business hours.
func BenchmarkContribute(b *testing.B) {
	paris, _ := time.LoadLocation("Europe/Paris")
	zones := []*time.Location{time.UTC, paris}
	m := benchModel()
	leads := make([]report.Lead, 64)
	for i := range leads {
		leads[i] = benchLead(i)
	}
	for _, c := range []struct {
		name string
		r    *routing.Routing
	}{{"wall-clock", nil}, {"business-hours", testRouting()}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				report.Contribute(m, c.r, zones, &leads[i%len(leads)])
				i++
			}
		})
	}
}
