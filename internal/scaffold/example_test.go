package scaffold_test

import (
	"fmt"
	"slices"
	"strings"

	"github.com/winnowhq/winnow/internal/scaffold"
)

// Render gives the files of a new company's content directory; Write
// writes them into a new or empty directory.
func ExampleRender() {
	files, err := scaffold.Render(scaffold.Options{Name: "Acme", Domain: "acme.com", Framework: "champ", Stages: "simple"})
	if err != nil {
		fmt.Println(err)
		return
	}
	var names []string
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	fmt.Println(strings.Join(names, "\n"))
	// Output:
	// examples/leads.yaml
	// fields.yaml
	// frameworks/annum.md
	// frameworks/bant.md
	// frameworks/champ.md
	// glossary/fit-grade.md
	// glossary/ideal-customer-profile.md
	// glossary/score-decay.md
	// glossary/service-level-agreement.md
	// model.yaml
	// pages/index.md
	// pages/pricing.md
	// pages/privacy.md
	// scoring.yaml
	// site.yaml
	// stages/bad-lead.md
	// stages/disqualified.md
	// stages/lead.md
	// stages/mql.md
	// stages/opportunity.md
	// stages/sql.md
	// wrangler.jsonc
}
