package routing_test

import (
	"strconv"
	"testing"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
)

// territoryRules are 50 territory rules over the shipped model's fields,
// as a sales organisation cuts its market: by region, then by company
// size and industry within it, with a few overlays first.
func territoryRules() []string {
	rules := []string{
		`country == "US" and industry == "software" and company_size >= "1001-5000"`,
		`country == "US" and industry == "financial_services" and company_size >= "201-1000"`,
		`country in ("US", "CA") and industry == "public_sector"`,
		`country in ("GB", "IE") and industry == "public_sector"`,
		`country in dach and industry == "manufacturing" and company_size >= "201-1000"`,
		`country in ("DE", "FR", "IT", "ES") and industry == "retail" and company_size >= "1001-5000"`,
		`country in ("JP", "SG") and company_size >= "201-1000"`,
		`country == "IN" and industry == "software"`,
		`country in ("AU", "NZ") and industry == "education"`,
		`country in ("BR", "MX") and industry == "financial_services"`,
	}
	for _, region := range []string{"dach", "nordics", "benelux", "uki", "southern_europe", "north_america", "apac", "latam"} {
		rules = append(rules,
			`country in `+region+` and company_size >= "1001-5000"`,
			`country in `+region+` and industry == "financial_services"`,
			`country in `+region+` and company_size >= "201-1000"`,
			`country in `+region+` and (industry == "healthcare" or industry == "agency")`,
			`country in `+region,
		)
	}
	return rules
}

// benchRouting builds a routing of 200 people: in four teams (100, 60,
// 30 and 10 people) with the 50 territories shared out, or in one team
// with all of them. Every territory names four people of its team; one
// person in ten is away and one in ten at capacity.
func benchRouting(b *testing.B, m *qualify.Model, oneTeam bool) (*routing.Routing, routing.Counts) {
	b.Helper()
	sizes, shares := []int{100, 60, 30, 10}, []int{30, 12, 6, 2}
	if oneTeam {
		sizes, shares = []int{200}, []int{50}
	}
	r := &routing.Routing{}
	st := routing.Counts{}
	n := 0
	for ti, size := range sizes {
		t := routing.Team{Name: "team" + strconv.Itoa(ti)}
		for range size {
			p := routing.Person{Name: "Person " + strconv.Itoa(n), Weight: 1 + n%3, Capacity: 40}
			if n%10 == 3 {
				p.Away = []routing.Period{{From: now - 86400, To: now + 86400}}
			}
			c := routing.Count{Open: n % 30, Assigned: int64(500 + n*7%91)}
			if n%10 == 7 {
				c.Open = 40
			}
			st[p.Name] = c
			t.People = append(t.People, p)
			n++
		}
		r.Teams = append(r.Teams, t)
	}
	rules := territoryRules()
	k := 0
	for ti, share := range shares {
		t := &r.Teams[ti]
		for range share {
			tr := routing.Territory{Name: "territory" + strconv.Itoa(k), Team: t.Name, When: rule(b, m, rules[k])}
			for j := range 4 {
				tr.People = append(tr.People, t.People[(k*4+j)%len(t.People)].Name)
			}
			r.Territories = append(r.Territories, tr)
			k++
		}
	}
	if k != len(rules) {
		b.Fatalf("%d territories, %d rules", k, len(rules))
	}
	if err := r.Compile(); err != nil {
		b.Fatal(err)
	}
	return r, st
}

// BenchmarkRoute measures one routing decision with 200 people and 50
// territory rules: a lead of the largest team that meets its last
// territory's rule (every rule before it read), and in one team of 200 a
// lead that meets none (all 50 rules read, all 200 people weighed).
func BenchmarkRoute(b *testing.B) {
	m := model(b)
	cases := []struct {
		name    string
		oneTeam bool
		team    string
		fields  map[string]string
		want    string // territory
	}{
		{"last-of-30-territories", false, "team0", map[string]string{"country": "GB", "company_size": "11-50", "industry": "software"}, "territory29"},
		{"first-territory", false, "team0", map[string]string{"country": "US", "company_size": "5000+", "industry": "software"}, "territory0"},
		{"no-territory-200-people", true, "team0", map[string]string{"country": "other", "company_size": "11-50", "industry": "other"}, ""},
	}
	for _, c := range cases {
		r, st := benchRouting(b, m, c.oneTeam)
		l := lead(b, m, c.fields)
		v := qualify.Evaluate(m, l, now)
		d, err := r.Route(m, c.team, l, &v, now, st)
		if err != nil || d.Territory != c.want || d.Person == "" {
			b.Fatalf("%s: %+v %v, want territory %q", c.name, d, err, c.want)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r.Route(m, c.team, l, &v, now, st)
			}
		})
	}
}
