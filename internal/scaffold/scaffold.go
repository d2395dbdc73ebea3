// Package scaffold writes the content directory of a company that starts
// with Winnow: its qualification model (fields, scoring, stages, the three
// frameworks, a short glossary and example leads that pass), its site (a
// home page, a pricing page, a privacy page and the site's settings) and
// the wrangler.jsonc that deploys it to Cloudflare, from a few answers.
//
// The files are text templates under template/, embedded: each reads like
// the content it becomes. A stage's file is written only when the chosen
// preset has the stage.
package scaffold

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"
)

//go:embed template
var templateFS embed.FS

// Options are a new company's answers.
type Options struct {
	Name      string // the company, as the site and the form name it: "Acme"
	Domain    string // the site's host: its base URL, the Worker's name and route, the contact addresses
	Framework string // the framework stage rules read: bant, champ or annum (any case)
	Stages    string // the name of a Preset
	// Root is the Winnow checkout as a path from the directory written
	// (".." when it is a directory of the checkout's root): wrangler.jsonc
	// names the worker, the built site and the migrations from there.
	// Empty is "..".
	Root string
}

// Frameworks are the qualification frameworks a new model can select, as
// --framework names them; every model holds all three.
var Frameworks = []string{"bant", "champ", "annum"}

// Preset is a line of funnel stages a new model starts from. Every preset
// has the exit stages bad lead (checked first) and disqualified.
type Preset struct {
	Name    string
	Summary string
	Stages  []string // the funnel's stages, first to last
}

// Presets are the stage lines to start from.
var Presets = []Preset{
	{"classic", "cold lead, MQL, SAL, SQL, opportunity", []string{"cold lead", "MQL", "SAL", "SQL", "opportunity"}},
	{"simple", "lead, MQL, SQL, opportunity", []string{"lead", "MQL", "SQL", "opportunity"}},
	{"full", "cold lead, MQL, SAL, prospect, SQL, opportunity", []string{"cold lead", "MQL", "SAL", "prospect", "SQL", "opportunity"}},
}

// The exit stages of every preset: bad lead is checked before the funnel,
// disqualified after its last stage.
const (
	badLead      = "bad lead"
	disqualified = "disqualified"
)

// CheckName returns the company name trimmed, or why it cannot be one.
func CheckName(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", errors.New("the company name is empty")
	case !utf8.ValidString(s):
		return "", errors.New("the company name is not valid UTF-8")
	case utf8.RuneCountInString(s) > 80:
		return "", errors.New("the company name is longer than 80 characters")
	case strings.ContainsFunc(s, unicode.IsControl):
		return "", errors.New("the company name holds a control character or a line break")
	}
	return s, nil
}

// CheckDomain returns the domain in lower case, or why it cannot be the
// site's host: a name such as example.com or www.example.com, not a URL.
func CheckDomain(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", errors.New("the domain is empty")
	}
	if strings.Contains(s, "://") || strings.ContainsAny(s, "/:@") {
		return "", fmt.Errorf("%q is not a domain: give the host name alone, such as example.com", s)
	}
	labels := strings.Split(s, ".")
	if len(s) > 253 || len(labels) < 2 {
		return "", fmt.Errorf("%q is not a domain: give a name such as example.com", s)
	}
	for _, l := range labels {
		ok := l != "" && len(l) <= 63 && l[0] != '-' && l[len(l)-1] != '-'
		for i := 0; ok && i < len(l); i++ {
			c := l[i]
			ok = 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-'
		}
		if !ok {
			return "", fmt.Errorf("%q is not a domain: each part between dots holds letters, digits and hyphens (write an international name in its xn-- form)", s)
		}
	}
	if tld := labels[len(labels)-1]; strings.Trim(tld, "0123456789") == "" {
		return "", fmt.Errorf("%q is not a domain: give a name such as example.com, not an address", s)
	}
	return s, nil
}

// CheckFramework returns the framework as the model names it (BANT), or
// why there is none of that name.
func CheckFramework(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if !slices.Contains(Frameworks, s) {
		return "", fmt.Errorf("%q is not a framework: choose %s", s, strings.Join(Frameworks, ", "))
	}
	return strings.ToUpper(s), nil
}

// CheckPreset returns the preset of a name, or why there is none.
func CheckPreset(s string) (Preset, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, p := range Presets {
		if p.Name == s {
			return p, nil
		}
	}
	names := make([]string, len(Presets))
	for i, p := range Presets {
		names[i] = p.Name
	}
	return Preset{}, fmt.Errorf("%q is not a stage preset: choose %s", s, strings.Join(names, ", "))
}

// data is what the templates see.
type data struct {
	Name       string
	Domain     string // the site's host
	MailDomain string // the host of the contact addresses: Domain without www.
	Worker     string // the Worker's and the D1 database's name
	Framework  string // BANT, CHAMP or ANNUM
	Preset     string
	First      string   // the first funnel stage, where a lead no rule takes stays
	Line       []string // every stage in order, exits included
	Root       string
}

// Has reports whether the model has the stage.
func (d *data) Has(stage string) bool { return slices.Contains(d.Line, stage) }

// After is the stage before stage in the line.
func (d *data) After(stage string) (string, error) {
	i := slices.Index(d.Line, stage)
	if i <= 0 {
		return "", fmt.Errorf("stage %q has no stage before it in preset %s", stage, d.Preset)
	}
	return d.Line[i-1], nil
}

func newData(o Options) (*data, error) {
	name, err := CheckName(o.Name)
	if err != nil {
		return nil, fmt.Errorf("name: %w", err)
	}
	domain, err := CheckDomain(o.Domain)
	if err != nil {
		return nil, fmt.Errorf("domain: %w", err)
	}
	fw, err := CheckFramework(o.Framework)
	if err != nil {
		return nil, fmt.Errorf("framework: %w", err)
	}
	p, err := CheckPreset(o.Stages)
	if err != nil {
		return nil, fmt.Errorf("stages: %w", err)
	}
	root := strings.TrimSuffix(filepath.ToSlash(o.Root), "/")
	if root == "" {
		root = ".."
	}
	line := append(append([]string{badLead}, p.Stages...), disqualified)
	return &data{Name: name, Domain: domain, MailDomain: strings.TrimPrefix(domain, "www."),
		Worker: workerName(domain), Framework: fw, Preset: p.Name, First: p.Stages[0], Line: line, Root: root}, nil
}

// workerName is the Worker's name made of the domain: its dots become
// hyphens and a leading www goes (www.acme.com is acme-com), within the
// 63 characters a Worker's name may have.
func workerName(domain string) string {
	s := strings.ReplaceAll(strings.TrimPrefix(domain, "www."), ".", "-")
	if len(s) > 63 {
		s = s[:63]
	}
	return strings.Trim(s, "-")
}

// Render returns the files of the new content directory by their paths
// inside it (slash-separated), or what is wrong with the options.
func Render(o Options) (map[string][]byte, error) {
	d, err := newData(o)
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{"yaml": yamlString, "json": jsonString, "md": markdownText}
	files := map[string][]byte{}
	err = fs.WalkDir(templateFS, "template", func(name string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel := strings.TrimPrefix(name, "template/")
		if dir, file := path.Split(rel); dir == "stages/" && !slices.ContainsFunc(d.Line, func(s string) bool { return slug(s)+".md" == file }) {
			return nil
		}
		src, err := templateFS.ReadFile(name)
		if err != nil {
			return err
		}
		t, err := template.New(rel).Funcs(funcs).Option("missingkey=error").Parse(string(src))
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, d); err != nil {
			return err
		}
		files[rel] = b.Bytes()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return files, nil
}

// slug is a stage's file name without .md: "cold lead" is cold-lead.
func slug(stage string) string { return strings.ReplaceAll(strings.ToLower(stage), " ", "-") }

// yamlString quotes s as a YAML double-quoted scalar.
func yamlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// jsonString quotes s as a JSON string.
func jsonString(s string) (string, error) {
	b, err := json.Marshal(s)
	return string(b), err
}

// markdownText escapes the characters of s that Markdown would read as
// markup in running text.
func markdownText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>~|&#!", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Write writes the new content directory dir: it creates dir if it does
// not exist and refuses one that holds anything, so that nothing is ever
// overwritten. It returns the files written, slash-separated, sorted.
func Write(dir string, o Options) ([]string, error) {
	files, err := Render(o)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case len(entries) > 0:
		return nil, fmt.Errorf("%s is not empty: init writes a new company's content into a new or empty directory and never overwrites a file", dir)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return nil, err
		}
		_, err = f.Write(files[name])
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
	}
	return names, nil
}
