package qualify_test

import (
	"fmt"
	"os"

	"github.com/winnowhq/winnow/qualify"
)

func ExampleParse() {
	e, err := qualify.Parse(`fit>="B" and(score>=mql or count(seats, budget > "none")>=2)`)
	if err != nil {
		panic(err)
	}
	fmt.Println(qualify.Print(e))
	_, err = qualify.Parse(`seats = 3`)
	fmt.Println(err)
	// Output:
	// fit >= "B" and (score >= mql or count(seats, budget > "none") >= 2)
	// offset 6: unexpected "=": compare with ==
}

func ExampleEvaluate() {
	text, err := os.ReadFile("testdata/model.txt")
	if err != nil {
		panic(err)
	}
	m, err := qualify.Decode(string(text))
	if err != nil {
		panic(err)
	}
	const now = 1772409600 // 2026-03-02, in Unix seconds
	lead, errs := m.Lead(qualify.Input{"email": "ana@northwind.io", "industry": "software", "request": "news", "consent": "yes"}, now)
	if len(errs) > 0 {
		panic(errs)
	}
	lead.Signals[m.SignalIndex("pricing")] = now - 2*qualify.SecondsPerDay
	v := qualify.Evaluate(m, &lead, now)
	fmt.Println(v.Stage, v.Fit, v.Score, v.Tier)
	for _, r := range v.Reasons {
		fmt.Println(r.Format(m))
	}
	// Output:
	// mql B 10.64 warm
	// +2 industry
	// +4 form
	// +3 newsletter
	// +1.64 pricing (2 points, halved every 7d, 2d ago)
	// stage mql
}

func ExampleModel_Lead() {
	text, _ := os.ReadFile("testdata/model.txt")
	m, _ := qualify.Decode(string(text))
	_, errs := m.Lead(qualify.Input{"email": "ana@", "seats": "lots"}, 0)
	for _, e := range errs {
		fmt.Printf("%s (%s): %s\n", e.Field, e.Code, e.Message)
	}
	// Output:
	// email (email): Enter an email address like name@company.com
	// seats (number): Seats must be a number, like 25
	// consent (required): Tick this box to continue
}
