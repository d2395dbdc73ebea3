package content

import (
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/winnowhq/winnow/qualify"
)

// FormsDir holds the site's forms, one YAML file each; optional.
const FormsDir = "forms"

// Form is a form of content/forms as the site shows it: its page, its
// words and its steps. What it asks and records, which the widget and
// the edge read too, is the model's form of the same name
// (qualify.Model.Forms).
type Form struct {
	Name        string // the file's name without .yaml, e.g. "demo"
	Title       string // the page's heading
	Description string // for the page's meta description; "" takes the intro
	Intro       string // Markdown shown above the form, or ""
	Submit      string // the send button's label
	Path        string // its page, e.g. "/demo/"
	// Aliases are older paths of its page, which send visitors on to it.
	Aliases []string
	// Steps are the pages of a multi-step form, in order; a one-page
	// form has one step without a title.
	Steps []Step
	Extra []string // the extra questions, in order
	Again []string // the questions asked again of a lead who answered them
	Pos   qualify.Pos

	// Aside is Markdown shown beside the form on a wide screen and after
	// it on a narrow one, such as what the visitor will get; or "".
	Aside string
	// IntroAt and AsideAt are where their Markdown starts in the file;
	// each of its lines starts at that column.
	IntroAt, AsideAt qualify.Pos
}

// Step is one page of a multi-step form.
type Step struct {
	Title  string
	Fields []string
}

// MultiStep reports whether the form asks its questions over several
// steps.
func (f *Form) MultiStep() bool { return len(f.Steps) > 1 }

// postedNames are the names a form posts besides its fields: no field may
// take them.
var postedNames = []string{"form", "model", "idempotency_key"}

// readForms reads content/forms: each file is a form, named by its file
// name, that asks some of the model's fields, in one step or several,
// records a signal of the model, and says what the visitor is told after
// sending it. A content directory without forms has none.
func (l *loader) readForms() {
	entries, err := fs.ReadDir(l.fsys, FormsDir)
	if err != nil {
		return // no forms: the site's one form asks every field
	}
	paths := map[string]qualify.Pos{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		body, f := l.yaml(path.Join(FormsDir, e.Name()), true)
		if f == nil {
			continue
		}
		name := strings.TrimSuffix(e.Name(), ".yaml")
		if !qualify.IsName(name) {
			f.errPos(qualify.Pos{File: f.name, Line: 1, Col: 1}, "form "+strconv.Quote(name)+
				": a form is named by its file, which must start with a letter and hold only letters, digits and _")
			continue
		}
		sf, mf, ok := l.form(f, body, name)
		for _, p := range append([]string{sf.Path}, sf.Aliases...) {
			if first, dup := paths[p]; dup && p != "" {
				f.errPos(sf.Pos, "form "+name+": the path "+p+" is already taken by the form at "+first.String())
				ok = false
			}
			paths[p] = sf.Pos
		}
		if ok {
			l.c.Forms = append(l.c.Forms, sf)
			l.m.Forms = append(l.m.Forms, mf)
		}
	}
}

// form reads one form file: the site's view of it and the model's.
func (l *loader) form(f *file, body ast.Node, name string) (Form, qualify.Form, bool) {
	m := l.m
	start := len(*f.diags)
	what := "form " + name
	sf := Form{Name: name, Path: "/" + strings.ReplaceAll(name, "_", "-") + "/", Submit: "Send", Pos: qualify.Pos{File: f.name, Line: 1, Col: 1}}
	mf := qualify.Form{Name: name, Signal: -1, Pos: sf.Pos}
	var titleN, signalN, fieldsN, stepsN, extraN, againN, pathN ast.Node
	f.fields(body, what, map[string]func(ast.Node){
		"title":       func(n ast.Node) { sf.Title, titleN = strings.TrimSpace(f.str(n, "title")), n },
		"description": func(n ast.Node) { sf.Description = strings.TrimSpace(f.str(n, "description")) },
		"intro":       func(n ast.Node) { sf.Intro, sf.IntroAt = f.str(n, "intro"), f.textPos(n, 0) },
		"aside":       func(n ast.Node) { sf.Aside, sf.AsideAt = f.str(n, "aside"), f.textPos(n, 0) },
		"submit":      func(n ast.Node) { sf.Submit = strings.TrimSpace(f.str(n, "submit")) },
		"path":        func(n ast.Node) { sf.Path, pathN = f.str(n, "path"), n },
		"aliases": func(n ast.Node) {
			for _, item := range f.seq(n, what+": aliases") {
				if a := f.str(item, "alias"); l.formPath(f, item, what+": alias", a) {
					sf.Aliases = append(sf.Aliases, a)
				}
			}
		},
		"signal": func(n ast.Node) { signalN = n },
		"fields": func(n ast.Node) { fieldsN = n },
		"steps":  func(n ast.Node) { stepsN = n },
		"extra":  func(n ast.Node) { extraN = n },
		"again":  func(n ast.Node) { againN = n },
		"thanks": func(n ast.Node) {
			t := &mf.Thanks
			f.fields(n, what+": thanks", map[string]func(ast.Node){
				"title":   func(n ast.Node) { t.Title = strings.TrimSpace(f.str(n, "thanks title")) },
				"message": func(n ast.Node) { t.Message = strings.TrimSpace(f.str(n, "thanks message")) },
				"label":   func(n ast.Node) { t.Label = strings.TrimSpace(f.str(n, "thanks label")) },
				"url": func(n ast.Node) {
					t.URL = strings.TrimSpace(f.str(n, "thanks url"))
					if !strings.HasPrefix(t.URL, "https://") && !strings.HasPrefix(t.URL, "/") {
						f.err(n, what+": thanks url must be a path of the site (/guide/) or an https:// address, not "+f.describeValue(n))
					}
				},
			})
			if t.URL != "" && t.Label == "" {
				f.err(n, what+": thanks has a url but no label to show it with")
			}
		},
	})
	if titleN == nil || sf.Title == "" {
		f.errPos(sf.Pos, what+": title is missing")
	}
	if pathN != nil {
		l.formPath(f, pathN, what+": path", sf.Path)
	}
	switch {
	case signalN == nil:
		f.errPos(sf.Pos, what+": signal is missing: name the signal of "+l.filePath(ScoringFile)+" a submission records, such as "+
			orDefault(m.FormSignal, "form_submission"))
	default:
		sig := strings.TrimSpace(f.str(signalN, "signal"))
		j := m.SignalIndex(sig)
		switch {
		case j < 0:
			f.err(signalN, what+": unknown signal "+strconv.Quote(sig)+qualify.DidYouMean(sig, signalNames(m)))
		case m.Signals[j].Reason:
			f.err(signalN, what+": signal "+sig+" carries a close reason, which a form cannot give")
		default:
			mf.Signal = j
		}
	}
	asked := map[string]qualify.Pos{}
	// field checks one question of the form and returns its field's index.
	field := func(n ast.Node, list string) int {
		name := strings.TrimSpace(f.str(n, list+" item"))
		i := m.FieldIndex(name)
		p := f.pos(n)
		switch {
		case i < 0:
			f.err(n, what+": unknown field "+strconv.Quote(name)+qualify.DidYouMean(name, fieldNames(m)))
		case m.Fields[i].Attribute:
			f.err(n, what+": field "+name+" is recorded from the visit, never asked")
		case m.Fields[i].Hidden:
			f.err(n, what+": field "+name+" is filled in by the page: every form carries it, leave it out")
		default:
			if first, dup := asked[name]; dup {
				f.err(n, what+": field "+name+" is asked twice (first at line "+strconv.Itoa(first.Line)+")")
				return -1
			}
			asked[name] = p
			return i
		}
		return -1
	}
	switch {
	case fieldsN != nil && stepsN != nil:
		f.err(stepsN, what+": give either fields (one page) or steps, not both")
	case fieldsN != nil:
		step := Step{}
		items := f.seq(fieldsN, what+": fields")
		for _, n := range items {
			if i := field(n, "fields"); i >= 0 {
				step.Fields = append(step.Fields, m.Fields[i].Name)
				mf.Fields = append(mf.Fields, i)
			}
		}
		if len(items) == 0 && f.emptyList(fieldsN) {
			f.err(fieldsN, what+": fields is empty: list the questions the form asks")
		}
		sf.Steps = []Step{step}
	case stepsN != nil:
		items := f.seq(stepsN, what+": steps")
		for k, item := range items {
			step := Step{}
			var listN ast.Node
			f.fields(item, what+": step", map[string]func(ast.Node){
				"title":  func(n ast.Node) { step.Title = strings.TrimSpace(f.str(n, "step title")) },
				"fields": func(n ast.Node) { listN = n },
			})
			sw := what + ": step " + strconv.Itoa(k+1)
			if step.Title == "" {
				f.err(item, sw+": title is missing: the progress names each step")
			}
			list := f.seq(listN, sw+": fields")
			if len(list) == 0 && f.emptyList(listN) {
				f.err(item, sw+": the step is empty: list the fields it asks under fields")
			}
			for _, n := range list {
				if i := field(n, "fields"); i >= 0 {
					step.Fields = append(step.Fields, m.Fields[i].Name)
					mf.Fields = append(mf.Fields, i)
				}
			}
			sf.Steps = append(sf.Steps, step)
		}
		if len(items) == 0 {
			f.err(stepsN, what+": steps is empty: list the steps, each with its title and fields")
		}
	default:
		f.errPos(sf.Pos, what+": the form asks nothing: list its questions under fields, or under steps for several pages")
	}
	for _, n := range f.seq(extraN, what+": extra") {
		if i := field(n, "extra"); i >= 0 {
			sf.Extra = append(sf.Extra, m.Fields[i].Name)
			mf.Extra = append(mf.Extra, i)
		}
	}
	for _, n := range f.seq(againN, what+": again") {
		name := strings.TrimSpace(f.str(n, "again item"))
		i := m.FieldIndex(name)
		switch {
		case i < 0 || !slices.Contains(mf.Fields, i):
			f.err(n, what+": again names "+strconv.Quote(name)+", which is not one of the form's questions")
		case slices.Contains(mf.Again, i):
			f.err(n, what+": again names "+name+" twice")
		default:
			sf.Again = append(sf.Again, name)
			mf.Again = append(mf.Again, i)
		}
	}
	return sf, mf, len(*f.diags) == start
}

// formPath checks a form's path or alias: a site path of one directory
// or more, such as /demo/.
func (l *loader) formPath(f *file, n ast.Node, what, p string) bool {
	if !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/") || p == "/" || strings.ContainsAny(p, "?#\\ \t") || strings.Contains(p, "//") || strings.Contains(p, "/../") {
		f.err(n, what+" must be a path of the site such as /demo/, not "+f.describeValue(n))
		return false
	}
	return true
}

// emptyList reports whether n is missing, empty or a list without items
// (anything else is reported as not a list).
func (f *file) emptyList(n ast.Node) bool {
	if f.isNull(n) {
		return true
	}
	s, ok := f.unwrap(n).(*ast.SequenceNode)
	return ok && len(s.Values) == 0
}

func fieldNames(m *qualify.Model) []string {
	return nameList(m.Fields, func(f *qualify.Field) string { return f.Name })
}

func orDefault(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
