package backtest_test

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/backtest"
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

// A synthSet is a set of synthetic leads with what real exports have:
// the test model's rules, drawn as writeSynth draws them with the set's
// weights, and extra columns with blanks, placeholders, skewed numbers
// and effects that are not linear. The extra columns are built as Read
// would build them, directly, with placeholders as missing values.
type synthSet struct {
	name      string
	n         int
	intercept float64
	weights   map[string]float64 // per point rule of the test model
	columns   []synthColumn
}

// synthColumn is an extra column of a synthSet.
type synthColumn struct {
	name    string
	kind    qualify.PointKind
	numeric bool
	// draw returns a lead's value as an export holds it ("" or a
	// placeholder when missing) and its effect on the log-odds.
	draw func(rng *rand.Rand) (string, float64)
}

// placeholders are the values the synthetic sets use for a missing answer.
var placeholders = []string{"", "NA", "Select", "-"}

func isPlaceholder(v string) bool { return slices.Contains(placeholders, v) }

// choose returns one of values by the weights, and its effect.
func choose(rng *rand.Rand, values []string, weights, effects []float64) (string, float64) {
	u := rng.Float64()
	for i, w := range weights {
		if u < w || i == len(weights)-1 {
			return values[i], effects[i]
		}
		u -= w
	}
	panic("unreachable")
}

// blankish returns a placeholder: mostly empty, sometimes one a form or a
// CRM writes for no answer.
func blankish(rng *rand.Rand) string {
	v, _ := choose(rng, placeholders, []float64{0.7, 0.15, 0.1, 0.05}, make([]float64, 4))
	return v
}

// synthSets are the synthetic sets Suggest is measured on.
var synthSets = []synthSet{
	{
		// Budget is left blank by half the leads and what matters is
		// whether it was answered; role is left blank by a sixth, who
		// convert less than any who answered.
		name: "blanks", n: 16000, intercept: -2.3, weights: synthWeights,
		columns: []synthColumn{
			{name: "budget", kind: qualify.Fit, draw: func(rng *rand.Rand) (string, float64) {
				if rng.Float64() < 0.5 {
					return blankish(rng), 0
				}
				return choose(rng, []string{"<10k", "10k-50k", "50k+"}, []float64{0.4, 0.35, 0.25}, []float64{1.1, 1.3, 1.5})
			}},
			{name: "role", draw: func(rng *rand.Rand) (string, float64) {
				if rng.Float64() < 0.18 {
					return blankish(rng), -1.0
				}
				return choose(rng, []string{"marketing", "sales", "it", "founder"}, []float64{0.35, 0.25, 0.25, 0.15}, []float64{0, 0.2, -0.2, 0.5})
			}},
			{name: "minutes", numeric: true, draw: func(rng *rand.Rand) (string, float64) {
				if rng.Float64() < 0.12 {
					return "", -0.5
				}
				m := math.Round(rng.ExpFloat64()*80) / 10
				if m > 7.5 {
					return strconv.FormatFloat(m, 'g', -1, 64), 0.8
				}
				return strconv.FormatFloat(m, 'g', -1, 64), 0
			}},
		},
	},
	{
		// Time on site is skewed and its effect rises, peaks at about 12
		// minutes and falls; leads whose time was not recorded convert
		// less. Pages has a logarithmic effect and some blanks.
		name: "nonlinear", n: 16000, intercept: -2.6, weights: synthWeights,
		columns: []synthColumn{
			{name: "time_on_site", numeric: true, draw: func(rng *rand.Rand) (string, float64) {
				if rng.Float64() < 0.15 {
					return "", -0.7
				}
				t := math.Round(math.Exp(math.Log(4)+1.1*rng.NormFloat64())*10) / 10
				z := (math.Log(max(t, 0.1)) - math.Log(12)) / 0.45
				return strconv.FormatFloat(t, 'g', -1, 64), 2.2 * math.Exp(-z*z/2)
			}},
			{name: "pages", numeric: true, draw: func(rng *rand.Rand) (string, float64) {
				if rng.Float64() < 0.1 {
					return "", 0
				}
				p := 1 + math.Floor(rng.ExpFloat64()*3)
				return strconv.FormatFloat(p, 'g', -1, 64), 0.6*math.Log1p(p) - 0.8
			}},
			{name: "source", draw: func(rng *rand.Rand) (string, float64) {
				v, e := choose(rng, []string{"ads", "search", "event", "partner", "rare"}, []float64{0.4, 0.3, 0.2, 0.095, 0.005}, []float64{0, 0.3, 1.2, -1, 0})
				if v == "rare" {
					v = fmt.Sprintf("rare%d", rng.IntN(5))
				}
				return v, e
			}},
		},
	},
	{
		// Two of the model's rules convert less when they hold, against
		// their kinds: soft (fit) and newsletter (engagement).
		name: "kinds", n: 12000, intercept: -1.8,
		weights: map[string]float64{"demo": 2.0, "big": 1.2, "pricing": 0.8, "soft": -0.6, "newsletter": -1.0, "robot": -2},
		columns: []synthColumn{
			{name: "source", draw: func(rng *rand.Rand) (string, float64) {
				return choose(rng, []string{"ads", "search", "event", "partner"}, []float64{0.4, 0.3, 0.2, 0.1}, []float64{0, 0.3, 1.2, -1})
			}},
		},
	},
}

// synthModelMapping maps the test model's columns of a synthSet's CSV.
const synthModelMapping = `outcome: {column: converted, positive: [won], negative: [lost]}
at: created_at
fields:
  size: {column: employees, values: {"1-50": small, "51-500": mid, "500+": large}}
signals:
  demo: demo_at
`

// data draws the set's leads: the model's columns are read from a CSV,
// the extra columns built directly.
func (s synthSet) data(tb testing.TB, seed uint64) *backtest.Data {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 13))
	var b strings.Builder
	b.WriteString("converted,created_at,employees,industry,demo_at,pricing,newsletter,website\n")
	sizes := []string{"1-50", "51-500", "500+"}
	industries := []string{"software", "retail", "other"}
	flag := func(p float64) bool { return rng.Float64() < p }
	yes := func(v bool) string {
		if v {
			return "yes"
		}
		return ""
	}
	raw := make([][]string, len(s.columns))
	for range s.n {
		size, industry := rng.IntN(3), rng.IntN(3)
		demo, pricing, newsletter, robot := flag(0.2), flag(0.3), flag(0.4), flag(0.02)
		logit := s.intercept
		for _, r := range []struct {
			rule  string
			holds bool
		}{{"big", size > 0}, {"soft", industry == 0}, {"demo", demo}, {"pricing", pricing}, {"newsletter", newsletter}, {"robot", robot}} {
			if r.holds {
				logit += s.weights[r.rule]
			}
		}
		for c, col := range s.columns {
			v, e := col.draw(rng)
			raw[c] = append(raw[c], v)
			logit += e
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
		fmt.Fprintf(&b, "%s,2026-02-%02dT10:00:00Z,%s,%s,%s,%s,%s,%s\n", outcome, day, sizes[size], industries[industry],
			demoAt, yes(pricing), yes(newsletter), website)
	}
	d := MustRead(tb, MustModel(tb), synthModelMapping, b.String())
	if d.Len() != s.n {
		tb.Fatalf("%s: %d of %d leads read: %v", s.name, d.Len(), s.n, d.Problems)
	}
	for c, col := range s.columns {
		d.Extra = append(d.Extra, buildExtra(col.name, col.kind, col.numeric, raw[c]))
	}
	return d
}

// buildExtra builds an extra column from its values as Read does, with
// the placeholders as missing values. A text column's Num is NaN
// throughout.
func buildExtra(name string, kind qualify.PointKind, numeric bool, values []string) *backtest.Extra {
	x := &backtest.Extra{Name: name, Kind: kind}
	codes := map[string]int32{}
	for _, v := range values {
		if isPlaceholder(v) {
			x.Num = append(x.Num, math.NaN())
			x.Code = append(x.Code, -1)
			x.Missing++
			continue
		}
		f := math.NaN()
		if numeric {
			var err error
			if f, err = strconv.ParseFloat(v, 64); err != nil {
				panic(err)
			}
		}
		x.Num = append(x.Num, f)
		code, ok := codes[v]
		if !ok {
			code = int32(len(x.Values))
			codes[v] = code
			x.Values = append(x.Values, v)
			x.Counts = append(x.Counts, 0)
		}
		x.Counts[code]++
		x.Code = append(x.Code, code)
	}
	return x
}

// pooled returns d with its extra columns' missing values pooled as
// Suggest once pooled them: a missing text value with the column's most
// common value, a missing number with the lowest.
func pooled(d *backtest.Data) *backtest.Data {
	out := *d
	out.Extra = nil
	for _, x := range d.Extra {
		y := *x
		y.Code, y.Num = slices.Clone(x.Code), slices.Clone(x.Num)
		top := int32(slices.Index(x.Counts, slices.Max(x.Counts)))
		low := math.Inf(1)
		for _, v := range x.Num {
			if !math.IsNaN(v) {
				low = min(low, v)
			}
		}
		for i, c := range y.Code {
			if c < 0 {
				y.Code[i] = top
				if !math.IsInf(low, 0) {
					y.Num[i] = low
				}
			}
		}
		out.Extra = append(out.Extra, &y)
	}
	return &out
}
