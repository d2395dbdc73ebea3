package site

import "github.com/winnowhq/winnow/templates"

// fortuneJob renders the fortune teller's page.
func (b *builder) fortuneJob() job {
	return job{path: outPath(FortuneURL), source: b.opts.ContentDir + "/scoring.yaml", render: func(w *worker) (page, error) {
		f := b.fortunePage()
		head := templates.Head{Title: f.Title, Path: FortuneURL, Type: "website",
			Description: "Describe a lead and see the stage, fit and score the model gives it, every point with its rule, and what would move it on."}
		out, err := w.renderPage(head, b.crumbs(FortuneURL, f.Title), templates.FortuneView(f))
		return page{html: out}, err
	}}
}

// FortuneURL is the fortune teller's page.
const FortuneURL = "/fortune-teller/"

// fortunePage is the fortune teller: every field of the model to answer
// (none required, the page's own as plain inputs too), every signal with
// how long ago it happened, the frameworks, and every point and stage
// rule, which the page's script marks as they hold.
func (b *builder) fortunePage() templates.Fortune {
	m := b.content.Model
	f := templates.Fortune{Title: "The fortune teller", ModelURL: b.assets["model"],
		Intro: "<p>Describe a lead: who they are, what they did and when. The model that scores the site's forms says at once which stage they are in, their fit grade and score, every point with the rule that gives it, and what would move them on. It all runs in your browser; nothing is sent.</p>"}
	if b.assets["winnow.wasm"] != "" {
		f.WasmURL, f.WasmExecURL, f.Script = b.assets["winnow.wasm"], b.assets["wasm_exec.js"], b.assets["js/fortune.js"]
	}
	index := map[string]int{}
	for i := range m.Fields {
		fd := &m.Fields[i]
		ff := b.formField(fd)
		ff.Required, ff.Hint, ff.Ask, ff.Honeypot = false, false, "", false
		sec := fd.Section
		if fd.Hidden {
			ff.Input, sec = inputTypes[fd.Type], "~recorded"
		}
		f.Sections = b.addToSection(f.Sections, index, sec, ff)
	}
	if j, ok := index["~recorded"]; ok {
		f.Sections[j].Title = "Recorded by the page or from the visit"
	}
	for _, s := range m.Signals {
		f.Signals = append(f.Signals, templates.FortuneSignal{Name: s.Name, Label: or(s.Label, s.Name)})
	}
	if m.Framework >= 0 {
		fw := m.Frameworks[m.Framework]
		f.Frameworks = append(f.Frameworks, templates.FormOption{Value: fw.Name, Label: fw.Name + " (the model's)"})
	}
	for i, fw := range m.Frameworks {
		if i != m.Framework {
			f.Frameworks = append(f.Frameworks, templates.FormOption{Value: fw.Name, Label: fw.Name})
		}
	}
	for i := range m.Points {
		f.Points = append(f.Points, b.pointRow(&m.Points[i]))
	}
	for _, i := range m.CheckOrder() {
		s := &m.Stages[i]
		f.Stages = append(f.Stages, templates.FortuneStage{Index: i, Name: s.Name, URL: b.stageLink(i).URL, Rule: s.Rule.String()})
	}
	return f
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
