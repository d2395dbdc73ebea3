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

// markdown reads the Markdown files of a directory of the root, sorted by
// name, and calls fn with each file's front matter and body.
func (l *loader) markdown(dir string, required bool, fn func(f *file, front ast.Node, body string, bodyLine int)) {
	entries, err := fs.ReadDir(l.fsys, dir)
	if err != nil {
		if required {
			l.diags.Add(qualify.Pos{File: l.filePath(dir)}, "cannot read the directory: "+errText(err))
		}
		return
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		name := path.Join(dir, e.Name())
		f := &file{name: l.filePath(name), diags: &l.diags}
		src, err := fs.ReadFile(l.fsys, name)
		if err != nil {
			l.diags.Add(qualify.Pos{File: f.name}, "cannot read the file: "+errText(err))
			continue
		}
		front, body, bodyLine, ok := splitFrontMatter(string(src))
		if !ok {
			l.diags.Add(qualify.Pos{File: f.name, Line: 1, Col: 1}, "missing front matter: the file must start with a line --- and a YAML block closed by ---")
			l.broken = true
			continue
		}
		f.shift = 1
		before := len(l.diags)
		node := f.parse([]byte(front))
		if node == nil && len(l.diags) > before {
			l.broken = true // the YAML error is reported; what follows from it is not
			continue
		}
		f.lines = strings.Split(string(src), "\n")[1:]
		fn(f, node, body, bodyLine)
	}
}

// splitFrontMatter splits a Markdown file into its YAML front matter and
// its body, and returns the line the body starts on.
func splitFrontMatter(src string) (front, body string, bodyLine int, ok bool) {
	src = strings.TrimPrefix(src, "\ufeff")
	if !strings.HasPrefix(src, "---\n") && !strings.HasPrefix(src, "---\r\n") {
		return "", "", 0, false
	}
	rest := src[strings.IndexByte(src, '\n')+1:]
	line := 2
	for off := 0; off <= len(rest); {
		end := strings.IndexByte(rest[off:], '\n')
		var l string
		if end < 0 {
			l = rest[off:]
		} else {
			l = rest[off : off+end]
		}
		if strings.TrimRight(l, "\r") == "---" {
			front = rest[:off]
			if end < 0 {
				return front, "", line + 1, true
			}
			return front, rest[off+end+1:], line + 1, true
		}
		if end < 0 {
			break
		}
		off += end + 1
		line++
	}
	return "", "", 0, false
}

// docFields are the front-matter keys every document has.
func docFields(f *file, d *Doc) map[string]func(ast.Node) {
	return map[string]func(ast.Node){
		"title":       func(n ast.Node) { d.Title = f.str(n, "title") },
		"description": func(n ast.Node) { d.Description = f.str(n, "description") },
		"aliases":     func(n ast.Node) { d.Aliases = f.strs(n, "aliases") },
	}
}

// stageDef is a stage as read, before the order is known.
type stageDef struct {
	f      *file
	after  string
	afterN ast.Node
	pos    qualify.Pos
	stage  qualify.Stage
	ruleN  ast.Node
	ownerN ast.Node // the SLA's owner, checked against the routing's teams
}

func (l *loader) readStages() {
	l.markdown(StagesDir, true, func(f *file, front ast.Node, body string, bodyLine int) {
		d := Doc{Kind: DocStage, Body: body, BodyLine: bodyLine, Pos: qualify.Pos{File: f.name, Line: 1, Col: 1}}
		sd := stageDef{f: f, pos: d.Pos}
		s := &sd.stage
		var nameN, funnelN, crmN ast.Node
		h := docFields(f, &d)
		h["name"] = func(n ast.Node) { s.Name, nameN = f.str(n, "stage name"), n }
		h["crm_stage"] = func(n ast.Node) { crmN = n }
		h["after"] = func(n ast.Node) {
			if !f.isNull(n) {
				sd.after, sd.afterN = f.str(n, "after"), n
			}
		}
		h["exit"] = func(n ast.Node) { s.Exit = f.bool(n, "exit") }
		h["funnel"] = func(n ast.Node) { funnelN = n }
		h["rule"] = func(n ast.Node) { sd.ruleN = n }
		h["sla"] = func(n ast.Node) {
			f.fields(n, "sla", map[string]func(ast.Node){
				"owner":    func(n ast.Node) { s.SLA.Owner, sd.ownerN = f.str(n, "sla owner"), n },
				"within":   func(n ast.Node) { s.SLA.Within = f.duration(n, "sla within") },
				"every":    func(n ast.Node) { s.SLA.Every = f.duration(n, "sla every") },
				"attempts": func(n ast.Node) { s.SLA.Attempts, _ = f.int(n, "sla attempts") },
			})
		}
		h["next"] = func(n ast.Node) {
			var kindN ast.Node
			f.fields(n, "next", map[string]func(ast.Node){
				"kind":    func(n ast.Node) { kindN = n },
				"label":   func(n ast.Node) { s.Next.Label = f.str(n, "next label") },
				"message": func(n ast.Node) { s.Next.Message = f.str(n, "next message") },
				"url":     func(n ast.Node) { s.Next.URL = f.str(n, "next url") },
			})
			if kindN != nil {
				k, ok := qualify.ParseNextKind(f.str(kindN, "next kind"))
				if !ok {
					f.err(kindN, "next: unknown kind "+f.describeValue(kindN)+"; kinds are book, contact, nurture, fix, none")
				}
				s.Next.Kind = k
			}
			if s.Next.Kind == qualify.Book && !strings.HasPrefix(s.Next.URL, "https://") && !strings.HasPrefix(s.Next.URL, "/") {
				f.err(n, "next: a booking step needs a url starting with https:// or /")
			}
		}
		f.fields(front, "stage", h)
		if nameN == nil {
			f.errPos(d.Pos, "stage: name is missing")
			return
		}
		d.Name, s.Pos = s.Name, f.pos(nameN)
		if d.Title == "" {
			d.Title = d.Name
		}
		s.Title = d.Title
		if funnelN != nil {
			fu, ok := qualify.ParseFunnel(f.str(funnelN, "funnel"))
			if !ok {
				f.err(funnelN, "stage "+s.Name+": unknown funnel position "+f.describeValue(funnelN)+"; positions are TOFU, MOFU, BOFU")
			}
			s.Funnel = fu
			if s.Exit {
				f.err(funnelN, "stage "+s.Name+": an exit stage leaves the funnel and has no funnel position")
			}
		} else if !s.Exit {
			f.errPos(s.Pos, "stage "+s.Name+": funnel position is missing (TOFU, MOFU or BOFU)")
		}
		if sd.ruleN != nil {
			s.Rule = l.rule(f, sd.ruleN, qualify.InStage, "stage "+s.Name+": rule")
		}
		if crmN != nil {
			s.CRMStage = crmStage(f, crmN, s.Name)
		}
		if s.SLA.Attempts < 0 {
			f.errPos(s.Pos, "stage "+s.Name+": sla attempts cannot be negative")
		}
		for _, prev := range l.stages {
			if prev.stage.Name == s.Name {
				f.err(nameN, "duplicate stage "+strconv.Quote(s.Name)+": first defined at "+prev.stage.Pos.String())
				return
			}
		}
		l.stages = append(l.stages, sd)
		l.c.Docs = append(l.c.Docs, d)
	})
	if len(l.stages) == 0 {
		l.diags.Add(qualify.Pos{File: l.filePath(StagesDir)}, "no stages defined")
	}
}

// orderStages lays the stages out in the order their `after` keys make,
// which must be one line from a first stage, and checks that each stage can
// be reached by a lead.
func (l *loader) orderStages() {
	defs := l.stages
	if len(defs) == 0 {
		return
	}
	byName := map[string]int{}
	for i, d := range defs {
		byName[d.stage.Name] = i
	}
	next := map[int][]int{} // predecessor -> successors
	var roots []int
	bad := false
	for i, d := range defs {
		if d.afterN == nil {
			roots = append(roots, i)
			continue
		}
		j, ok := byName[d.after]
		if !ok {
			names := make([]string, 0, len(defs))
			for _, d := range defs {
				names = append(names, d.stage.Name)
			}
			d.f.err(d.afterN, "stage "+d.stage.Name+": after names unknown stage "+strconv.Quote(d.after)+qualify.DidYouMean(d.after, names))
			bad = true
			continue
		}
		if j == i {
			d.f.err(d.afterN, "stage "+d.stage.Name+" cannot follow itself")
			bad = true
			continue
		}
		next[j] = append(next[j], i)
	}
	for j, succ := range next {
		if len(succ) > 1 {
			names := make([]string, len(succ))
			for k, i := range succ {
				names[k] = strconv.Quote(defs[i].stage.Name)
			}
			all := "all"
			if len(succ) == 2 {
				all = "both"
			}
			for _, i := range succ {
				defs[i].f.err(defs[i].afterN, "stage order overlaps: "+strings.Join(names, " and ")+" "+all+" follow "+strconv.Quote(defs[j].stage.Name)+"; the stages must form one line")
			}
			bad = true
		}
	}
	switch {
	case len(roots) == 0:
		l.reportCycle(defs, byName, 0)
		return
	case len(roots) > 1:
		names := make([]string, len(roots))
		for k, i := range roots {
			names[k] = strconv.Quote(defs[i].stage.Name)
		}
		for _, i := range roots[1:] {
			defs[i].f.errPos(defs[i].stage.Pos, "stage "+defs[i].stage.Name+" has no after, but only the first stage may omit it (stages without after: "+strings.Join(names, ", ")+")")
		}
		bad = true
	}
	// Walk the line from the first stage.
	var order []int
	seen := map[int]bool{}
	for i := roots[0]; ; {
		order = append(order, i)
		seen[i] = true
		succ := next[i]
		if len(succ) == 0 || seen[succ[0]] {
			break
		}
		i = succ[0]
	}
	for i, d := range defs {
		if seen[i] || slices.Contains(roots, i) {
			continue
		}
		if l.inCycle(defs, byName, i) {
			l.reportCycle(defs, byName, i)
			bad = true
			continue
		}
		if d.afterN != nil {
			if _, ok := byName[d.after]; ok && !bad {
				d.f.err(d.afterN, "stage "+d.stage.Name+" is unreachable: it follows "+strconv.Quote(d.after)+", which is not in the stage order")
			}
		}
		bad = true
	}
	if bad {
		return
	}
	m := l.m
	m.Stages = m.Stages[:0]
	for _, i := range order {
		m.Stages = append(m.Stages, defs[i].stage)
	}
	def := m.DefaultStage()
	if def < 0 {
		l.diags.Add(defs[order[0]].stage.Pos, "every stage is an exit stage: the funnel needs at least one stage")
		return
	}
	for _, i := range order {
		d := defs[i]
		s := m.Stages[m.StageIndex(d.stage.Name)]
		switch {
		case s.Name == m.Stages[def].Name && s.Rule != nil:
			d.f.err(d.ruleN, "stage "+s.Name+" is the first funnel stage, where a lead stands when no other rule holds: it takes no rule")
		case s.Name != m.Stages[def].Name && s.Rule == nil && d.ruleN == nil:
			d.f.errPos(s.Pos, "stage "+s.Name+": rule is missing (only the first funnel stage, "+m.Stages[def].Name+", has none)")
		}
	}
	l.checkReachable()
}

func (l *loader) inCycle(defs []stageDef, byName map[string]int, start int) bool {
	seen := map[int]bool{}
	for i := start; ; {
		if seen[i] {
			return i == start
		}
		seen[i] = true
		j, ok := byName[defs[i].after]
		if !ok || defs[i].afterN == nil {
			return false
		}
		i = j
	}
}

// reportCycle reports the cycle of `after` links through stage start (or
// the first cycle found from it).
func (l *loader) reportCycle(defs []stageDef, byName map[string]int, start int) {
	var path []int
	pos := map[int]int{}
	i := start
	for {
		if k, ok := pos[i]; ok {
			path = path[k:]
			break
		}
		pos[i] = len(path)
		path = append(path, i)
		j, ok := byName[defs[i].after]
		if !ok || defs[i].afterN == nil {
			return
		}
		i = j
	}
	// Report once, at the stage of the cycle that comes first.
	first := path[0]
	for _, i := range path {
		if defs[i].stage.Pos.Less(defs[first].stage.Pos) {
			first = i
		}
	}
	names := make([]string, 0, len(path)+1)
	k := slices.Index(path, first)
	for n := 0; n <= len(path); n++ {
		names = append(names, defs[path[(k+n)%len(path)]].stage.Name)
	}
	slices.Reverse(names)
	d := defs[first]
	d.f.err(d.afterN, "stage order has a cycle: "+strings.Join(names, " → "))
}

// checkReachable reports stages no lead can reach: a rule that never holds,
// or a stage checked after one whose rule always holds.
func (l *loader) checkReachable() {
	m := l.m
	var always *qualify.Stage
	for _, i := range m.CheckOrder() {
		s := &m.Stages[i]
		if s.Rule == nil {
			continue
		}
		if always != nil {
			l.diags.Add(s.Rule.Pos, "stage "+s.Name+" is unreachable: stage "+always.Name+", checked before it, always holds")
			continue
		}
		if m.Never(s.Rule.Expr) {
			l.diags.Add(s.Rule.Pos, "stage "+s.Name+" is unreachable: its rule can never hold")
		}
		if m.Always(s.Rule.Expr) {
			always = s
		}
	}
	if always != nil && !m.Stages[m.DefaultStage()].Exit {
		d := m.Stages[m.DefaultStage()]
		l.diags.Add(d.Pos, "stage "+d.Name+" is unreachable: stage "+always.Name+", checked before it, always holds")
	}
}

func (l *loader) readFrameworks() {
	l.markdown(FrameworkDir, false, func(f *file, front ast.Node, body string, bodyLine int) {
		d := Doc{Kind: DocFramework, Body: body, BodyLine: bodyLine, Pos: qualify.Pos{File: f.name, Line: 1, Col: 1}}
		fw := qualify.Framework{Pos: d.Pos}
		var nameN ast.Node
		h := docFields(f, &d)
		h["name"] = func(n ast.Node) { fw.Name, nameN = f.str(n, "framework name"), n }
		h["criteria"] = func(n ast.Node) {
			seen := map[string]bool{}
			for _, item := range f.seq(n, "criteria") {
				c := qualify.Criterion{Pos: f.pos(item)}
				var ruleN ast.Node
				f.fields(item, "criterion", map[string]func(ast.Node){
					"name":  func(n ast.Node) { c.Name = f.str(n, "criterion name") },
					"label": func(n ast.Node) { c.Label = f.str(n, "label") },
					"rule":  func(n ast.Node) { ruleN = n },
				})
				switch {
				case !qualify.IsName(c.Name):
					f.err(item, "criterion name "+strconv.Quote(c.Name)+" must start with a letter and hold only letters, digits and _")
					continue
				case seen[c.Name]:
					f.err(item, "criterion "+c.Name+" is listed twice")
					continue
				case ruleN == nil:
					f.err(item, "criterion "+c.Name+": rule is missing")
					continue
				}
				seen[c.Name] = true
				c.When = l.rule(f, ruleN, qualify.InCriterion, "criterion "+c.Name+": rule")
				if c.When == nil {
					continue
				}
				fw.Criteria = append(fw.Criteria, c)
			}
			if len(fw.Criteria) > 64 {
				f.err(n, "a framework has at most 64 criteria")
				fw.Criteria = fw.Criteria[:64]
			}
		}
		f.fields(front, "framework", h)
		if nameN == nil {
			f.errPos(d.Pos, "framework: name is missing")
			return
		}
		if !l.claim(f, nameN, fw.Name, "framework") {
			return
		}
		fw.Pos = f.pos(nameN)
		if d.Title == "" {
			d.Title = fw.Name
		}
		fw.Title = d.Title
		if len(fw.Criteria) == 0 {
			f.err(nameN, "framework "+fw.Name+" has no criteria")
		}
		d.Name = fw.Name
		l.m.Frameworks = append(l.m.Frameworks, fw)
		l.c.Docs = append(l.c.Docs, d)
	})
}

func (l *loader) readTerms() {
	seen := map[string]qualify.Pos{}
	for _, d := range l.c.Docs {
		seen[strings.ToLower(d.Name)] = d.Pos
	}
	l.markdown(GlossaryDir, false, func(f *file, front ast.Node, body string, bodyLine int) {
		d := Doc{Kind: DocTerm, Body: body, BodyLine: bodyLine, Pos: qualify.Pos{File: f.name, Line: 1, Col: 1}}
		var termN ast.Node
		h := docFields(f, &d)
		h["term"] = func(n ast.Node) { d.Name, termN = f.str(n, "term"), n }
		f.fields(front, "term", h)
		if termN == nil || d.Name == "" {
			f.errPos(d.Pos, "term: the term is missing")
			return
		}
		if first, ok := seen[strings.ToLower(d.Name)]; ok {
			f.err(termN, "term "+strconv.Quote(d.Name)+" is already defined at "+first.String())
			return
		}
		seen[strings.ToLower(d.Name)] = f.pos(termN)
		if d.Title == "" {
			d.Title = d.Name
		}
		l.c.Docs = append(l.c.Docs, d)
	})
}
