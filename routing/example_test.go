package routing_test

import (
	"fmt"
	"os"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
)

func ExampleRouting_Route() {
	c, diags := content.Load(os.DirFS("../content"), "content")
	if err := diags.Err(); err != nil {
		panic(err)
	}
	m := c.Model
	dach, _ := m.Compile(`country in ("DE", "AT", "CH")`, qualify.InPoint)
	r := &routing.Routing{
		Teams: []routing.Team{{
			Name: "Sales development",
			People: []routing.Person{
				{Name: "Ana Souza", Weight: 2},
				{Name: "Bo Lindqvist", Capacity: 50},
			},
		}},
		Territories: []routing.Territory{
			{Name: "dach", Team: "Sales development", When: &qualify.Rule{Expr: dach}},
		},
	}
	if err := r.Compile(); err != nil {
		panic(err)
	}
	const now = 1798761600 // 2027-01-01
	lead, _ := m.Lead(qualify.Input{"email": "lena@example.de", "country": "DE"}, now)
	v := qualify.Evaluate(m, &lead, now)

	// The database says what each person has: open leads for capacity,
	// leads assigned lately for the round robin.
	st := routing.Counts{"Ana Souza": {Open: 12, Assigned: 9}, "Bo Lindqvist": {Open: 20, Assigned: 3}}
	d, _ := r.Route(m, "Sales development", &lead, &v, now, st)
	fmt.Println(d.Reason())

	r.Teams[0].People[0].Away = []routing.Period{{From: now, To: now + 3*86400}}
	st["Bo Lindqvist"] = routing.Count{Open: 50}
	d, _ = r.Route(m, "Sales development", &lead, &v, now, st)
	fmt.Printf("%q: %s\n", d.Person, d.Reason())
	// Output:
	// territory dach, Bo Lindqvist next in the round robin (weight 1)
	// "": territory dach: nobody at work: Ana Souza away until 2027-01-04, Bo Lindqvist at capacity (50 open)
}

func ExampleCalendar_Add() {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	cal := routing.Calendar{Zone: berlin, Holidays: []routing.Date{{Year: 2026, Month: 12, Day: 24}, {Year: 2026, Month: 12, Day: 25}}}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		cal.Hours[wd] = []routing.Span{{From: 9 * 60, To: 17 * 60}}
	}
	entered := time.Date(2026, 12, 23, 16, 0, 0, 0, berlin).Unix() // a Wednesday
	due := cal.Add(entered, 8*time.Hour)                           // within one business day
	fmt.Println(time.Unix(due, 0).In(berlin).Format("Mon 2 Jan 15:04"))
	fmt.Println(cal.Between(entered, due), cal.Working(due))
	// Output:
	// Mon 28 Dec 16:00
	// 8h0m0s true
}
