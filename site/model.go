package site

import (
	"slices"
	"strconv"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/templates"
)

// modelJobs schedules the pages generated from the model: SLA, scoring,
// the forms and the fortune teller.
func (b *builder) modelJobs() qualify.Diags {
	var diags qualify.Diags
	src := b.opts.ContentDir + "/stages"
	diags = append(diags, b.add(job{path: "sla/index.html", source: src, render: func(w *worker) (page, error) {
		head := templates.Head{Title: "Service levels", Path: "/sla/", Type: "website",
			Description: "Who acts on a lead in each stage, within what time, how often they follow up and when they stop."}
		out, err := w.renderPage(head, b.crumbs("/sla/", "Service levels"), templates.SLATable(b.slaPage()))
		return page{html: out}, err
	}})...)
	diags = append(diags, b.add(job{path: "scoring/index.html", source: b.opts.ContentDir + "/scoring.yaml", render: func(w *worker) (page, error) {
		head := templates.Head{Title: "Scoring", Path: "/scoring/", Type: "website",
			Description: "Every point rule, the fit grades, the tiers and how points decay."}
		out, err := w.renderPage(head, b.crumbs("/scoring/", "Scoring"), templates.ScoringView(b.scoringPage()))
		return page{html: out}, err
	}})...)
	diags = append(diags, b.formJobs()...)
	diags = append(diags, b.add(b.fortuneJob())...)
	return diags
}

// duration says a number of seconds in words: "24 hours", "2 days".
func duration(sec int64) string {
	plural := func(n int64, unit string) string {
		s := strconv.FormatInt(n, 10) + " " + unit
		if n != 1 {
			s += "s"
		}
		return s
	}
	switch {
	case sec == 0:
		return ""
	case sec%(7*qualify.SecondsPerDay) == 0:
		return plural(sec/(7*qualify.SecondsPerDay), "week")
	case sec%qualify.SecondsPerDay == 0 && sec > qualify.SecondsPerDay:
		return plural(sec/qualify.SecondsPerDay, "day")
	case sec%3600 == 0:
		return plural(sec/3600, "hour")
	case sec%60 == 0:
		return plural(sec/60, "minute")
	}
	return plural(sec, "second")
}

func (b *builder) stageLink(i int) *templates.Link {
	m := b.content.Model
	if i < 0 || i >= len(m.Stages) {
		return nil
	}
	s := &m.Stages[i]
	url := "/glossary/" + Slug(s.Name) + "/"
	return &templates.Link{Title: s.Name, URL: url}
}

func slaView(s qualify.SLA) templates.SLAView {
	v := templates.SLAView{Owner: s.Owner, Within: duration(s.Within), Every: duration(s.Every)}
	if s.Attempts > 0 {
		v.Attempts = strconv.Itoa(s.Attempts)
	}
	return v
}

// stageCard is what the glossary shows of a stage, from the model.
func (b *builder) stageCard(name string) templates.StageCard {
	m := b.content.Model
	i := m.StageIndex(name)
	s := &m.Stages[i]
	card := templates.StageCard{
		Name: s.Name, Exit: s.Exit, Default: i == m.DefaultStage(),
		SLA:  slaView(s.SLA),
		Next: templates.NextView{Kind: s.Next.Kind.String(), Label: s.Next.Label, Message: s.Next.Message, URL: s.Next.URL},
	}
	if !s.Exit {
		// The funnel line: the stages a lead moves along, without the
		// exits, which take it out of the funnel from anywhere.
		var line []int
		for j := range m.Stages {
			if !m.Stages[j].Exit {
				line = append(line, j)
			}
		}
		k := slices.Index(line, i)
		if k > 0 {
			card.Previous = b.stageLink(line[k-1])
		}
		if k+1 < len(line) {
			card.Following = b.stageLink(line[k+1])
		}
	}
	card.Funnel, card.FunnelURL = b.funnel(s.Funnel)
	for n, j := range m.CheckOrder() {
		if j == i {
			card.CheckOrder = n + 1
		}
	}
	if s.Rule != nil {
		card.Rule = s.Rule.String()
		if b.settings.InternalLabels {
			card.RuleSource = qualify.Pos{File: s.Rule.Pos.File, Line: s.Rule.Pos.Line}.String()
		}
		reads := readsOf(s.Rule.Expr)
		for _, p := range m.Points {
			if reads["score"] || reads["fit"] && p.Kind == qualify.Fit {
				card.Points = append(card.Points, b.pointRow(&p))
			}
		}
	}
	for _, r := range b.examples {
		if r.Verdict.Stage != s.Name {
			continue
		}
		card.Examples = append(card.Examples, templates.ExampleRow{
			Name: r.Example.Name, Note: r.Example.Note, Stage: r.Verdict.Stage, Fit: r.Verdict.Fit,
			Score: qualify.FormatNumber(r.Verdict.Score), Tier: r.Verdict.Tier,
		})
	}
	return card
}

// readsOf returns which of score and fit a rule reads.
func readsOf(e *qualify.Expr) map[string]bool {
	out := map[string]bool{}
	qualify.Walk(e, func(x *qualify.Expr) {
		if x.Op != qualify.OpName {
			return
		}
		switch x.Name {
		case qualify.NameScore:
			out["score"] = true
		case qualify.NameFit, qualify.NameFitPoints:
			out["fit"] = true
		}
	})
	return out
}

func (b *builder) pointRow(p *qualify.PointRule) templates.PointRow {
	m := b.content.Model
	row := templates.PointRow{Name: p.Name, Label: p.Label, Kind: p.Kind.String(), Points: qualify.FormatPoints(float64(p.Points))}
	switch {
	case p.When != nil:
		row.Rule = p.When.String()
	case p.Signal >= 0:
		row.Rule = "known(" + m.Signals[p.Signal].Name + ")"
	}
	if p.Signal >= 0 {
		if p.When != nil {
			row.Rule = "known(" + m.Signals[p.Signal].Name + ") and " + row.Rule
		}
		if h := m.Signals[p.Signal].HalfLife; h > 0 {
			row.Decay = "halves every " + duration(h)
		}
	}
	return row
}

func (b *builder) frameworkCard(name string) templates.FrameworkCard {
	m := b.content.Model
	i := m.FrameworkIndex(name)
	f := &m.Frameworks[i]
	card := templates.FrameworkCard{Name: f.Name, Title: f.Title, Selected: i == m.Framework}
	for _, c := range f.Criteria {
		card.Criteria = append(card.Criteria, templates.CriterionRow{Name: c.Name, Label: c.Label, Rule: c.When.String()})
	}
	return card
}

func (b *builder) slaPage() templates.SLAPage {
	m := b.content.Model
	p := templates.SLAPage{Title: "Service levels",
		Intro: "<p>What marketing and sales promise each other: who acts on a lead in each stage, how soon, how often they follow up, and when they stop. The report measures every stage against these figures.</p>"}
	for i := range m.Stages {
		s := &m.Stages[i]
		v := slaView(s.SLA)
		row := templates.SLARow{Stage: *b.stageLink(i), Owner: v.Owner, Within: v.Within, Every: v.Every, Attempts: v.Attempts, Next: s.Next.Label}
		row.Funnel, _ = b.funnel(s.Funnel)
		if s.Exit {
			row.Funnel = "exit"
		}
		p.Rows = append(p.Rows, row)
	}
	return p
}

var pointKinds = []struct {
	kind        qualify.PointKind
	title, desc string
}{
	{qualify.Fit, "Fit", "Who the lead is: one point per matching detail, two for industry and team. Fit points make the fit grade."},
	{qualify.EngagementPoints, "Engagement", "What the lead did with us, from 2 to 5 points as intent rises. These points decay."},
	{qualify.BehaviourPoints, "Behaviour", "What the lead did on its own: 1 or 2 points. These points decay."},
	{qualify.Negative, "Negative", "Spam-like input and leads we cannot sell to."},
}

func (b *builder) scoringPage() templates.ScoringPage {
	m := b.content.Model
	p := templates.ScoringPage{Title: "Scoring",
		Intro: "<p>How a lead's score and fit grade are made: every point rule, the grades and tiers they lead to, and how fast points from each signal fade.</p>"}
	for _, k := range pointKinds {
		g := templates.PointGroup{Kind: k.kind.String(), Title: k.title, Description: k.desc}
		for i := range m.Points {
			if m.Points[i].Kind == k.kind {
				g.Rows = append(g.Rows, b.pointRow(&m.Points[i]))
			}
		}
		if len(g.Rows) > 0 {
			p.Groups = append(p.Groups, g)
		}
	}
	for _, g := range m.Grades {
		p.Grades = append(p.Grades, templates.GradeRow{Name: g.Name, Label: g.Label, Min: strconv.Itoa(g.Min)})
	}
	for i, t := range m.Tiers {
		row := templates.TierRow{Name: t.Name, Label: t.Label}
		if i < len(m.Tiers)-1 {
			row.Min = qualify.FormatNumber(t.Min)
		}
		p.Tiers = append(p.Tiers, row)
	}
	for _, c := range m.Consts {
		p.Thresholds = append(p.Thresholds, templates.ThresholdRow{Name: c.Name, Value: qualify.FormatNumber(c.Value)})
	}
	for _, s := range m.Signals {
		row := templates.DecayRow{Signal: s.Name, Label: s.Label, Kind: s.Kind.String(), HalfLife: "no decay"}
		if s.HalfLife > 0 {
			row.HalfLife = duration(s.HalfLife)
		}
		p.Decay = append(p.Decay, row)
	}
	return p
}
