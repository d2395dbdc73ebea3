// Package demo makes believable, synthetic lead data for trying Winnow: a
// year of leads in the database of `winnow dev`, moved along the funnel
// the way a sales team would move them, and a CSV of past leads with known
// outcomes for `winnow backtest`. Nothing is random between runs: a seed
// and the instant the data ends decide every value.
//
// # The leads
//
// Lead i of a seed is drawn from its own random stream, so it is the same
// however many leads are drawn. In order:
//
//   - Arrival. A day among the 365 before the end day, weighted by growth
//     (the last month has about twice the leads of the first), by weekday
//     (a Saturday or Sunday a quarter of a weekday) and, for leads from
//     events, by three trade shows (they arrive in the ten days after one).
//     The hour follows office hours in the lead's region, 8:00 to 19:00 with
//     a peak mid-morning; spam arrives at any hour.
//   - Source: organic 34 %, paid search 20 %, referral 12 %, event 8 %,
//     paid social 8 %, partner 7 %, social 6 %, review site 5 %. The form's
//     "where did you hear about us" (how_heard) follows from it.
//   - Intent, a hidden number u in [0, 1): most leads are browsing (u is
//     drawn as a uniform number to the power 1.6), and referrals, partners
//     and events add 0.1. Intent makes engagement likelier and fresher,
//     the request more serious and the visit longer; it does not decide the
//     outcome by itself (see below).
//   - Company size, industry, team (role), seniority and country, from
//     fixed shares of a mid-market B2B audience (a third of the leads from
//     the United States, a few from the countries the model cannot sell to);
//     small companies have more founders.
//   - Email kind: a company address (about 70 %), a free mailbox (about
//     20 %, more at small companies), a typo of a free mailbox such as
//     gmail.co or outlok.com (2 %), a disposable inbox (2 %), a
//     competitor's domain (0.5 %); students give a university address.
//   - Spam, 4 % of leads: a robot filling the honeypot field (with a
//     message full of links), a form sent faster than a person types, or a
//     name and company of keyboard mashing.
//   - The form's other answers: the request (demo, trial, pricing, a
//     question, the newsletter) and the need grow with intent; the
//     commitment questions (seats, timeline, budget, authority, priority)
//     are answered by a quarter of the companies of 11 people or more.
//   - Signals before the form, each with its chance and a typical age
//     (exponential): social interaction (15 %, about 40 days) and
//     newsletter signup (18 %, about 120 days) drawn WITHOUT regard to
//     intent; email reply, an earlier information request, a pricing page
//     visit (15 % + 50 % of intent, about 6 days), customer stories,
//     industry groups and inbound calls (within three days) more often and
//     more recent with intent; following similar businesses and knowing
//     our staff rarely and long ago.
//   - Time on site (minutes, log-normal around 3 + 12·u) and pages viewed
//     (about one page per 1.5 minutes, with noise).
//
// # The outcome
//
// Whether a lead converts (becomes a customer) is drawn from a logistic
// process over what the lead is and did: P(converted) = 1/(1+e^-z) with
//
//	z = -6.8                                  base
//	  + 0.9  industry is software, financial services or healthcare
//	  + 0.7  team is marketing, sales or revenue operations
//	  + 0.5  company of 51 to 5,000 people
//	  + 0.5  company of more than 5,000 people  (the model gives nothing)
//	  + 0.4  manager or more senior
//	  + 0.3  in a country the model sells to
//	  + 0.6  company email address
//	  - 0.4  free email address                 (the model takes 5 points)
//	  - 2.0  mistyped email address             (the model gives a point)
//	  + 1.4·d30  asked for a demo               (d30: 1/2 per 30 days of age)
//	  + 1.1·d30  started a trial
//	  + 0.6·d30  asked for information
//	  + 1.5·d30  called us
//	  + 0.5·d30  replied to an email
//	  + 0.8·d30  visited the pricing page
//	  + 0.3·d90  read a customer story, + 0.3·d90 in an industry group
//	  + 0    newsletter signup                  (the model gives 3 points)
//	  + 0    social interaction                 (the model gives 2 points)
//	  + 0.09 per minute on the site, up to 30   (the model ignores it)
//	  + 0    pages viewed                       (correlated with time, no effect)
//	  + 0.8 referral, + 0.6 partner, + 0.3 event,
//	    - 0.4 paid search, - 0.6 paid social    (the model ignores the source)
//	  + 0.6 deciding this quarter, + 0.5 a budget of $10,000 or more,
//	    + 0.4 signs off the decision, - 0.5 just exploring
//	  + 0.04 per month of the year              (the team gets better)
//
// Spam, disposable addresses, competitors, students and the countries the
// model cannot sell to never convert. The outcome is then a coin with that
// probability. So a backtest of the shipped model finds points that match
// (industry, team, demo requests), points that do not earn their weight
// (newsletter, social, the free-email penalty), and columns it ignores
// that matter (time on site, the source, enterprise companies).
//
// # The funnel in the database
//
// [Fill] submits each lead with POST /api/leads at its arrival, with a
// fake clock, and reads the stage the handler gave it. Sales then records
// events with POST /api/leads/{id}/events, each at an explicit time, with
// the lead's conversion probability p (above) deciding how far it goes:
// every remaining step to "won" is taken with probability p^(1/k), k the
// number of steps left, so better-fit leads, better sources and later
// months convert more at every step.
//
//   - Cold leads are nurtured: some (three times p, at most 60 %) become
//     MQLs 1 to 12 weeks later.
//   - MQLs are accepted (SAL), then qualified (SQL), then become
//     opportunities (SQL 2 to 21 days after SAL, opportunity 5 to 30 days
//     after SQL); prospects start at SQL, opportunities at the deal. A lead
//     that does not take a step is lost (with a reason), stalls, or,
//     rarely, is disqualified.
//   - The first touch comes within the stage's SLA most of the time; 15 %
//     come late (1.2 to 6 times the SLA), and 6 % never (25 % and 12 % in
//     the last three months, when volume outgrows the team; half as many
//     for leads with p above 0.2, whom sales calls first).
//   - One lost lead in eight comes back as an MQL two to six months later.
//   - Deals close 2 to 13 weeks after the opportunity, won or lost.
//
// Events later than the end are not recorded: recent leads are still in
// progress. Webhooks go to a CRM target that was down for a day about
// four months before the end: those queued in the outage fail until their
// attempts run out and stay dead-lettered.
//
// # The CSV
//
// [WriteCSV] writes one row per lead: created_at (RFC 3339), the form's
// answers under the model's field names, one column per signal holding
// when it happened (RFC 3339, empty if it did not), time_on_site_minutes,
// pages_viewed, lead_source, visits_before_form (a skewed count whose
// effect rises then falls, "NA" in a few rows), current_crm (answered far
// more often by the leads that convert) and converted (yes or no). Like a
// real export, some answers are left blank or hold a form's placeholder
// ("Select...", "Please select", "-- select --"). [Mapping] is the mapping
// file that tells `winnow backtest` so.
package demo

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Lead is one synthetic lead: what it answered on the form, what it did
// before, and how it ends.
type Lead struct {
	N       int               // its number in the seed's sequence
	At      time.Time         // when it sent the form
	Fields  map[string]string // the form's answers, by the default model's field names
	Signals map[string]time.Time
	// TimeOnSite is the minutes spent on the site before the form; the
	// model does not see it.
	TimeOnSite  float64
	PagesViewed int
	Source      string // organic, paid_search, paid_social, referral, event, partner, social, review_site
	Email       string // the kind of address: company, free, typo, disposable, competitor, academic
	Spam        string // "", honeypot, too_fast or gibberish
	Intent      float64
	// P is the probability of converting from the outcome process.
	P         float64
	Converted bool
}

// Generator draws the leads of one seed, ending at one instant.
type Generator struct {
	seed uint64
	end  time.Time // the start of the end day, UTC
	days []float64 // cumulative arrival weight of each day before end
	// shows are the days (before end) of the three trade shows.
	shows [3]int
}

// Year is how far back the leads go.
const Year = 365

// NewGenerator returns the generator of seed whose leads arrive in the
// 365 days before the day of end (UTC).
func NewGenerator(seed int64, end time.Time) *Generator {
	g := &Generator{seed: uint64(seed), end: end.UTC().Truncate(24 * time.Hour)}
	g.days = make([]float64, Year)
	total := 0.0
	for d := 1; d <= Year; d++ {
		day := g.end.AddDate(0, 0, -d)
		w := 1 + float64(Year-d)/Year // growth: twice the leads by the end
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			w *= 0.25
		}
		total += w
		g.days[d-1] = total
	}
	g.shows = [3]int{300, 170, 45}
	return g
}

// End is the start of the day after the last arrival.
func (g *Generator) End() time.Time { return g.end }

// Leads returns leads first to first+n-1, in order of arrival.
func (g *Generator) Leads(first, n int) []Lead {
	out := make([]Lead, n)
	for i := range out {
		out[i] = g.Lead(first + i)
	}
	slices.SortStableFunc(out, func(a, b Lead) int { return a.At.Compare(b.At) })
	return out
}

// rng is the random stream of lead n, with a salt for streams of other
// uses (the sales journey).
func (g *Generator) rng(n int, salt uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.seed, uint64(n)<<8|salt))
}

// choice is a value with its weight.
type choice struct {
	v string
	w float64
}

func pick(r *rand.Rand, cs []choice) string {
	total := 0.0
	for _, c := range cs {
		total += c.w
	}
	x := r.Float64() * total
	for _, c := range cs {
		if x -= c.w; x < 0 {
			return c.v
		}
	}
	return cs[len(cs)-1].v
}

func one(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

var (
	sources = []choice{{"organic", 34}, {"paid_search", 20}, {"referral", 12}, {"event", 8}, {"paid_social", 8},
		{"partner", 7}, {"social", 6}, {"review_site", 5}}
	heardFrom = map[string]string{"organic": "search", "paid_search": "search", "paid_social": "social", "social": "social",
		"referral": "referral", "event": "event", "partner": "partner", "review_site": "review_site"}
	sizes      = []choice{{"1-10", 22}, {"11-50", 22}, {"51-200", 20}, {"201-1000", 16}, {"1001-5000", 11}, {"5000+", 9}}
	industries = []choice{{"software", 24}, {"financial_services", 10}, {"healthcare", 8}, {"manufacturing", 11},
		{"retail", 12}, {"agency", 14}, {"education", 7}, {"public_sector", 5}, {"other", 9}}
	roles = []choice{{"marketing", 30}, {"sales", 18}, {"revenue_operations", 7}, {"customer_success", 6}, {"it", 10},
		{"engineering", 12}, {"finance", 5}, {"other", 12}}
	seniorities = []choice{{"student", 2}, {"individual", 35}, {"manager", 30}, {"director", 17}, {"vp", 8}, {"executive", 7}}
	countries   = []choice{{"US", 30}, {"GB", 9}, {"DE", 9}, {"IN", 6}, {"CA", 5}, {"FR", 5}, {"NL", 4}, {"AU", 4},
		{"ES", 3}, {"IT", 3}, {"BR", 3}, {"SE", 2}, {"IE", 2}, {"CH", 2}, {"PL", 2}, {"JP", 2}, {"MX", 2}, {"other", 2},
		{"AT", 1.5}, {"BE", 1.5}, {"PT", 1.5}, {"SG", 1.5}, {"ZA", 1.5}, {"DK", 1}, {"NO", 1}, {"FI", 1}, {"NZ", 1},
		{"KP", 0.1}, {"IR", 0.2}, {"SY", 0.1}, {"CU", 0.2}}
	// utcOffset is roughly where a country's office hours fall, in hours.
	utcOffset = map[string]int{"US": -6, "CA": -5, "MX": -6, "BR": -3, "GB": 0, "IE": 0, "PT": 0, "IN": 5, "SG": 8,
		"JP": 9, "AU": 10, "NZ": 12, "other": 0}

	targetIndustries = []string{"software", "financial_services", "healthcare"}
	buyingRoles      = []string{"marketing", "sales", "revenue_operations"}
	markets          = []string{"US", "CA", "GB", "IE", "DE", "AT", "CH", "FR", "NL", "BE", "SE", "DK", "NO", "FI", "ES", "IT", "AU", "NZ"}
	unsupported      = []string{"KP", "IR", "SY", "CU"}
)

// Lead returns lead n.
func (g *Generator) Lead(n int) Lead {
	r := g.rng(n, 0)
	l := Lead{N: n, Fields: map[string]string{}, Signals: map[string]time.Time{}}
	f := l.Fields
	l.Source = pick(r, sources)
	f["how_heard"] = heardFrom[l.Source]
	if r.Float64() < 0.1 {
		f["how_heard"] = "other"
	}
	l.Intent = math.Pow(r.Float64(), 1.6)
	if l.Source == "referral" || l.Source == "partner" || l.Source == "event" {
		l.Intent = min(l.Intent+0.1, 0.999)
	}
	u := l.Intent

	f["company_size"] = pick(r, sizes)
	f["industry"] = pick(r, industries)
	f["role"] = pick(r, roles)
	sen := seniorities
	if f["company_size"] == "1-10" {
		sen = []choice{{"student", 2}, {"individual", 25}, {"manager", 15}, {"director", 10}, {"vp", 3}, {"executive", 45}}
	}
	f["seniority"] = pick(r, sen)
	f["country"] = pick(r, countries)

	switch x := r.Float64(); {
	case x < 0.015:
		l.Spam = "honeypot"
	case x < 0.03:
		l.Spam = "too_fast"
	case x < 0.04:
		l.Spam = "gibberish"
	}

	first, last := one(r, firstNames), one(r, lastNames)
	f["name"] = first + " " + last
	company := one(r, companyStems) + " " + one(r, companySuffixes[f["industry"]])
	f["company"] = company
	local := strings.ToLower(ascii(first) + "." + ascii(last))
	freeShare := 0.14
	if f["company_size"] == "1-10" {
		freeShare = 0.4
	}
	switch x := r.Float64(); {
	case f["seniority"] == "student":
		l.Email = "academic"
		f["email"] = local + "@" + one(r, universities)
	case x < 0.02:
		l.Email = "disposable"
		f["email"] = strings.ToLower(ascii(first)) + strconv.Itoa(r.IntN(900)+100) + "@" + one(r, disposableDomains)
	case x < 0.04:
		l.Email = "typo"
		f["email"] = local + "@" + one(r, typoDomains)
	case x < 0.045:
		l.Email = "competitor"
		f["email"] = local + "@" + one(r, competitorDomains)
	case x < 0.045+freeShare:
		l.Email = "free"
		f["email"] = local + strconv.Itoa(r.IntN(90)+10) + "@" + one(r, freeDomains)
	default:
		l.Email = "company"
		f["email"] = local + "@" + slug(company) + "." + tld(f["country"])
	}

	// The form's answers.
	f["request"] = pick(r, []choice{{"demo", 0.03 + 0.3*u}, {"trial", 0.04 + 0.2*u}, {"pricing", 0.06 + 0.15*u},
		{"question", 0.35}, {"newsletter", 0.45 * (1 - u)}})
	f["need"] = pick(r, []choice{{"replace_tool", 0.1 + 0.3*u}, {"new_process", 0.15 + 0.2*u}, {"scale_team", 0.1 + 0.2*u},
		{"compliance", 0.08}, {"exploring", 0.9 * (1 - u)}})
	if f["company_size"] != "1-10" && r.Float64() < 0.12+0.3*u {
		if r.Float64() < 0.3+0.4*u {
			f["seats"] = strconv.Itoa(seats(r, f["company_size"]))
		}
		f["timeline"] = pick(r, []choice{{"now", 0.05 + 0.3*u}, {"this_quarter", 0.1 + 0.3*u}, {"this_year", 0.3},
			{"later", 0.25 * (1 - u)}, {"no_plans", 0.3 * (1 - u)}})
		f["budget"] = pick(r, []choice{{"none", 0.4 * (1 - u)}, {"under_10k", 0.3}, {"10k_50k", 0.1 + 0.3*u},
			{"50k_250k", 0.03 + 0.15*u}, {"over_250k", 0.01 + 0.05*u}})
		f["authority"] = pick(r, []choice{{"user", 0.3}, {"evaluate", 0.35}, {"recommend", 0.25}, {"decide", 0.1 + 0.25*u}})
		f["priority"] = pick(r, []choice{{"top", 0.05 + 0.3*u}, {"high", 0.25}, {"medium", 0.35}, {"low", 0.35 * (1 - u)}})
	}
	if r.Float64() < 0.3 {
		f["phone"] = "+1 202 555 0" + strconv.Itoa(100+r.IntN(900))
	}
	if r.Float64() < 0.2 {
		f["message"] = one(r, messages)
	}
	f["consent"] = "yes"
	f["fill_seconds"] = strconv.Itoa(int(math.Exp(r.NormFloat64()*0.5 + math.Log(70))))
	if r.Float64() < 0.03 {
		f["pasted"] = "yes"
	}

	// The visit.
	l.TimeOnSite = math.Round(min(120, math.Exp(r.NormFloat64()*0.6+math.Log(3+12*u)))*10) / 10
	l.PagesViewed = max(1, int(math.Round(l.TimeOnSite/1.5*math.Exp(r.NormFloat64()*0.35))))

	switch l.Spam {
	case "honeypot":
		f["website"] = "https://" + one(r, []string{"best-seo-deals", "cheap-backlinks", "rank-fast-now"}) + ".example"
		f["message"] = "We offer SEO services and guest post placements: https://links.example/offer https://links.example/prices"
		f["fill_seconds"] = strconv.Itoa(r.IntN(3) + 1)
		f["pasted"] = "yes"
	case "too_fast":
		f["fill_seconds"] = strconv.Itoa(r.IntN(3) + 1)
		f["pasted"] = "yes"
	case "gibberish":
		f["name"] = one(r, mashing) + " " + one(r, mashing)
		f["company"] = one(r, mashing) + " Ltd"
	}
	if l.Spam != "" {
		l.TimeOnSite, l.PagesViewed = math.Round((0.1+r.Float64()*0.4)*10)/10, 1
	}

	l.At = g.arrival(r, l)
	g.signals(r, &l)
	l.P = Probability(&l, g.month(l.At))
	l.Converted = r.Float64() < l.P
	return l
}

// seats draws how many people would use the product at a company.
func seats(r *rand.Rand, size string) int {
	top := map[string]int{"11-50": 40, "51-200": 120, "201-1000": 400, "1001-5000": 1500, "5000+": 5000}[size]
	return max(1, int(float64(top)*math.Pow(r.Float64(), 2)))
}

// arrival draws when lead l sends the form.
func (g *Generator) arrival(r *rand.Rand, l Lead) time.Time {
	var d int
	if l.Source == "event" && r.Float64() < 0.7 {
		d = max(1, g.shows[r.IntN(len(g.shows))]-r.IntN(10))
	} else {
		x := r.Float64() * g.days[len(g.days)-1]
		i, _ := slices.BinarySearch(g.days, x)
		d = min(i, Year-1) + 1
	}
	day := g.end.AddDate(0, 0, -d)
	var minute int
	if l.Spam != "" {
		minute = r.IntN(24 * 60)
	} else {
		// Office hours in the lead's region: 8:00 to 19:00, mostly mid-morning.
		local := 8*60 + int(min(max(r.NormFloat64()*150+150, 0), 11*60-1))
		off, ok := utcOffset[l.Fields["country"]]
		if !ok {
			off = 1 // continental Europe
		}
		minute = ((local-off*60)%(24*60) + 24*60) % (24 * 60)
	}
	return day.Add(time.Duration(minute)*time.Minute + time.Duration(r.IntN(60))*time.Second)
}

// month is how many whole months before the end t is, counted from the
// first month of the year: 0 for the oldest leads, 11 for the newest.
func (g *Generator) month(t time.Time) int {
	return max(0, min(11, 11-int(g.end.Sub(t).Hours()/24/30.42)))
}

// signalSpec is how often a signal happened before the form, and how long
// before.
type signalSpec struct {
	name      string
	base, per float64 // chance: base + per·intent
	days      float64 // mean age in days; shorter with intent when fresh
	fresh     bool
}

var signalSpecs = []signalSpec{
	{"social_interaction", 0.15, 0, 40, false},
	{"newsletter_signup", 0.18, 0, 120, false},
	{"email_reply", 0.04, 0.2, 20, true},
	{"info_request", 0.03, 0.15, 30, true},
	{"pricing_visit", 0.15, 0.5, 6, true},
	{"case_study_read", 0.1, 0.3, 15, true},
	{"industry_group", 0.04, 0.06, 200, false},
	{"follows_similar", 0.08, 0, 90, false},
	{"staff_connection", 0.03, 0, 300, false},
	{"inbound_call", 0.01, 0.06, 1.5, true},
}

// signals draws what the lead did before the form; the form's request is
// a signal at its arrival.
func (g *Generator) signals(r *rand.Rand, l *Lead) {
	if l.Spam != "" {
		return
	}
	u := l.Intent
	for _, s := range signalSpecs {
		if r.Float64() >= s.base+s.per*u {
			continue
		}
		mean := s.days
		if s.fresh {
			mean *= 1.2 - u
		}
		age := time.Duration(r.ExpFloat64()*mean*24*float64(time.Hour)) + time.Minute
		l.Signals[s.name] = l.At.Add(-age).Truncate(time.Second)
	}
	switch l.Fields["request"] {
	case "demo":
		l.Signals["demo_request"] = l.At
	case "trial":
		l.Signals["trial_request"] = l.At
	case "pricing":
		l.Signals["info_request"] = l.At
	case "newsletter":
		l.Signals["newsletter_signup"] = l.At
	}
}

// Probability is the outcome process of the package documentation: the
// chance that lead l, sent in month (0 the oldest of the year, 11 the
// newest), converts.
func Probability(l *Lead, month int) float64 {
	f := l.Fields
	if l.Spam != "" || l.Email == "disposable" || l.Email == "competitor" || l.Email == "academic" ||
		f["seniority"] == "student" || slices.Contains(unsupported, f["country"]) {
		return 0
	}
	z := -6.8
	add := func(cond bool, w float64) {
		if cond {
			z += w
		}
	}
	add(slices.Contains(targetIndustries, f["industry"]), 0.9)
	add(slices.Contains(buyingRoles, f["role"]), 0.7)
	// The model's size rule stops at 5,000 people; buyers do not.
	add(slices.Contains([]string{"51-200", "201-1000", "1001-5000", "5000+"}, f["company_size"]), 0.5)
	add(f["seniority"] == "manager" || f["seniority"] == "director" || f["seniority"] == "vp" || f["seniority"] == "executive", 0.4)
	add(slices.Contains(markets, f["country"]), 0.3)
	switch l.Email {
	case "company":
		z += 0.6
	case "free":
		z -= 0.4
	case "typo":
		z -= 2
	}
	fresh := func(name string, w, half float64) {
		if t, ok := l.Signals[name]; ok {
			z += w * math.Exp2(-l.At.Sub(t).Hours()/24/half)
		}
	}
	fresh("demo_request", 1.4, 30)
	fresh("trial_request", 1.1, 30)
	fresh("info_request", 0.6, 30)
	fresh("inbound_call", 1.5, 30)
	fresh("email_reply", 0.5, 30)
	fresh("pricing_visit", 0.8, 30)
	fresh("case_study_read", 0.3, 90)
	fresh("industry_group", 0.3, 90)
	z += 0.09 * min(l.TimeOnSite, 30)
	z += map[string]float64{"referral": 0.8, "partner": 0.6, "event": 0.3, "paid_search": -0.4, "paid_social": -0.6}[l.Source]
	add(f["timeline"] == "now" || f["timeline"] == "this_quarter", 0.6)
	add(f["budget"] == "10k_50k" || f["budget"] == "50k_250k" || f["budget"] == "over_250k", 0.5)
	add(f["authority"] == "decide", 0.4)
	add(f["need"] == "exploring", -0.5)
	z += 0.04 * float64(month)
	return 1 / (1 + math.Exp(-z))
}

// ascii spells a name without accents, for an email address.
func ascii(s string) string {
	return strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ñ", "n", "ö", "o", "ü", "u").Replace(s)
}

// slug makes a domain label of a company name.
func slug(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch {
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			b.WriteRune(c)
		case c == ' ' || c == '-':
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// tld is a company's top-level domain in a country.
func tld(country string) string {
	switch country {
	case "GB":
		return "co.uk"
	case "DE", "FR", "NL", "SE", "ES", "IT", "PL", "CH", "AT", "BE", "DK", "NO", "FI", "IE", "PT", "AU", "BR", "IN", "JP":
		return strings.ToLower(country)
	}
	return "com"
}

var (
	firstNames = []string{"Ana", "Jonas", "Priya", "Liam", "Mei", "Sofia", "Lukas", "Amara", "Noah", "Elena", "Kenji",
		"Fatima", "Oliver", "Chloe", "Mateo", "Ingrid", "Ravi", "Zoe", "Henrik", "Aisha", "Tomás", "Hannah", "Arjun",
		"Clara", "Samuel", "Yuki", "Leah", "Marco", "Nadia", "Ethan", "Freya", "Diego", "Maya", "Felix", "Grace", "Omar"}
	lastNames = []string{"Souza", "Berg", "Natarajan", "Murphy", "Chen", "Rossi", "Weber", "Okafor", "Smith", "Novak",
		"Tanaka", "Haddad", "Brown", "Martin", "Garcia", "Larsen", "Patel", "Dubois", "Nilsson", "Khan", "Silva",
		"Fischer", "Sharma", "Moreau", "Cohen", "Sato", "Walsh", "Romano", "Kowalski", "Taylor", "Jensen", "Lopez"}
	companyStems = []string{"Northwind", "Bluepeak", "Ironleaf", "Brightwave", "Cedar", "Harbor", "Lumen", "Quarry",
		"Silverline", "Tidewater", "Oakmont", "Redfern", "Summit", "Kestrel", "Meridian", "Pinecrest", "Halcyon",
		"Granite", "Juniper", "Vantage", "Copperfield", "Larkspur", "Foxglove", "Westbrook", "Alder", "Beacon"}
	companySuffixes = map[string][]string{
		"software":           {"Software", "Labs", "Cloud", "Systems", "Analytics"},
		"financial_services": {"Capital", "Bank", "Insurance", "Payments"},
		"healthcare":         {"Health", "Clinics", "Medical", "Care"},
		"manufacturing":      {"Industries", "Manufacturing", "Components", "Steel"},
		"retail":             {"Retail", "Stores", "Commerce", "Outfitters"},
		"agency":             {"Agency", "Partners", "Consulting", "Studio"},
		"education":          {"Academy", "Learning", "School"},
		"public_sector":      {"County Services", "Transit Authority", "Council"},
		"other":              {"Group", "Holdings", "Company", "Logistics"},
	}
	universities      = []string{"state-university.edu", "tech-institute.edu", "ox.ac.uk", "uni-example.ac.at"}
	freeDomains       = []string{"gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "gmx.de", "web.de", "icloud.com", "proton.me"}
	typoDomains       = []string{"gmail.co", "gmal.com", "gnail.com", "yahooo.com", "outlok.com"}
	disposableDomains = []string{"mailinator.com", "yopmail.com", "guerrillamail.com", "10minutemail.com", "sharklasers.com"}
	competitorDomains = []string{"pipewise.io", "leadforge.com", "funnelcraft.com"}
	mashing           = []string{"Asdfgh", "Qwerty", "Sdfghjk", "Zxcvbn", "Hjkl", "Jjjj", "Xkcdvbn"}
	messages          = []string{
		"We are moving off spreadsheets and need a clear hand-off between marketing and sales.",
		"Can you integrate with HubSpot? Our CRM is the source of truth.",
		"Our SDR team doubled this year and nobody agrees on what an MQL is.",
		"Looking for something auditable: we need to show how leads are scored.",
		"Just curious how this compares with what our CRM does out of the box.",
		"Please send a price for about 25 users.",
	}
)
