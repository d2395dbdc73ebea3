package backtest_test

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
)

// The log-odds of converting that the synthetic leads of the test model
// are drawn from: one weight per point rule, and effects of the two extra
// columns.
var (
	synthIntercept = -2.0
	synthWeights   = map[string]float64{
		"demo": 2.5, "big": 1.5, "pricing": 1.0, "soft": 0.5, "newsletter": 0, "robot": -2,
	}
	synthMinutes = 0.8 // minutes > 7.5, the third quintile's cut
	synthSource  = map[string]float64{"ads": 0, "search": 0.3, "event": 1.2, "partner": -1}
)

// synthMapping maps the synthetic CSV of the test model.
const synthMapping = `outcome: {column: converted, positive: [won], negative: [lost]}
at: created_at
fields:
  size: {column: employees, values: {"1-50": small, "51-500": mid, "500+": large}}
signals:
  demo: demo_at
extra: [minutes, source]
`

// writeSynth writes n leads for the test model whose outcomes are drawn
// from the weights above.
func writeSynth(w io.Writer, n int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	fmt.Fprintln(w, "converted,created_at,employees,industry,demo_at,pricing,newsletter,website,minutes,source")
	sizes := []string{"1-50", "51-500", "500+"}
	industries := []string{"software", "retail", "other"}
	flag := func(p float64) bool { return rng.Float64() < p }
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return ""
	}
	for range n {
		size, industry := rng.IntN(3), rng.IntN(3)
		demo, pricing, newsletter, robot := flag(0.2), flag(0.3), flag(0.4), flag(0.02)
		minutes := math.Round(rng.ExpFloat64()*80) / 10
		var source string
		switch u := rng.Float64(); {
		case u < 0.4:
			source = "ads"
		case u < 0.7:
			source = "search"
		case u < 0.9:
			source = "event"
		case u < 0.995:
			source = "partner"
		default:
			source = fmt.Sprintf("rare%d", rng.IntN(5))
		}
		logit := synthIntercept + synthSource[source]
		for _, r := range []struct {
			rule  string
			holds bool
		}{{"big", size > 0}, {"soft", industry == 0}, {"demo", demo}, {"pricing", pricing}, {"newsletter", newsletter}, {"robot", robot}} {
			if r.holds {
				logit += synthWeights[r.rule]
			}
		}
		if minutes > 7.5 {
			logit += synthMinutes
		}
		outcome := "lost"
		if rng.Float64() < 1/(1+math.Exp(-logit)) {
			outcome = "won"
		}
		day := 1 + rng.IntN(28)
		demoAt, website := "", ""
		if demo {
			demoAt = fmt.Sprintf("2026-01-%02d", day)
		}
		if robot {
			website = "http://spam.example"
		}
		fmt.Fprintf(w, "%s,2026-02-%02dT10:00:00Z,%s,%s,%s,%s,%s,%s,%g,%s\n", outcome, day, sizes[size], industries[industry],
			demoAt, yes(pricing), yes(newsletter), website, minutes, source)
	}
}

// shippedModel loads the content shipped with Winnow.
func shippedModel(tb testing.TB) *qualify.Model {
	tb.Helper()
	c, diags := content.Load(os.DirFS("../content"), "content")
	if len(diags) > 0 {
		tb.Fatalf("content does not load:\n%v", diags)
	}
	return c.Model
}

// shippedMapping maps the CSV writeShipped writes onto the shipped model.
const shippedMapping = `outcome: converted
at: created_at
fields:
  email: work_email
  company_size:
    column: employees
    values: {"1-10": "1-10", "11-50": "11-50", "51-200": "51-200", "201-1000": "201-1000", "1001-5000": "1001-5000", "Enterprise": "5000+"}
signals:
  pricing_visit: visited_pricing
  newsletter_signup: newsletter
  email_reply: replied_at
  case_study_read: read_case_study
extra: [time_on_site_minutes, lead_source]
`

// writeShipped writes n leads with the fields and signals of the shipped
// model, as a CRM export might hold them.
func writeShipped(w io.Writer, n int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 11))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	fmt.Fprintln(w, "name,work_email,company,employees,industry,role,seniority,country,request,consent,fill_seconds,"+
		"created_at,visited_pricing,newsletter,replied_at,read_case_study,time_on_site_minutes,lead_source,converted")
	for i := range n {
		first := pick("Ana", "Jonas", "Priya", "Wei", "Fatima", "Lukas", "Maria", "Kofi")
		domain := pick("northwind.io", "stahlwerk.de", "acme.com", "gmail.com", "contoso.co.uk", "tinyshop.in")
		size := pick("1-10", "11-50", "51-200", "201-1000", "1001-5000", "Enterprise")
		industry := pick("software", "financial_services", "healthcare", "manufacturing", "retail", "agency", "education", "other")
		role := pick("marketing", "sales", "revenue_operations", "it", "engineering", "finance", "other")
		seniority := pick("individual", "manager", "director", "vp", "executive", "student")
		country := pick("US", "DE", "GB", "FR", "IN", "BR", "JP", "other")
		request := pick("demo", "trial", "pricing", "question", "newsletter")
		day := 1 + rng.IntN(28)
		when := func(p float64) string {
			if rng.Float64() < p {
				return fmt.Sprintf("2026-01-%02d", 1+rng.IntN(28))
			}
			return ""
		}
		pricing, newsletter, reply, story := when(0.3), when(0.2), when(0.15), when(0.25)
		minutes := math.Round(rng.ExpFloat64()*60) / 10
		source := pick("ads", "search", "search", "event", "partner", "social")
		logit := -2.5
		if request == "demo" {
			logit += 1.5
		}
		if industry == "software" || industry == "financial_services" {
			logit += 0.7
		}
		if domain == "gmail.com" {
			logit -= 1
		}
		if pricing != "" {
			logit += 0.8
		}
		if minutes > 10 {
			logit += 0.6
		}
		if source == "event" {
			logit += 0.9
		}
		converted := "no"
		if rng.Float64() < 1/(1+math.Exp(-logit)) {
			converted = "yes"
		}
		fmt.Fprintf(w, "%s Example,%s%d@%s,Company %d,%s,%s,%s,%s,%s,%s,yes,%d,2026-02-%02d,%s,%s,%s,%s,%g,%s,%s\n",
			first, first, i, domain, i%500, size, industry, role, seniority, country, request, 5+rng.IntN(300), day,
			pricing, newsletter, reply, story, minutes, source, converted)
	}
}

// synthCSV returns n leads written by write.
func synthCSV(write func(io.Writer, int, uint64), n int, seed uint64) []byte {
	var b bytes.Buffer
	write(&b, n, seed)
	return b.Bytes()
}
