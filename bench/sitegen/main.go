// Command sitegen writes a marketing-site corpus for the site-build
// benchmark: the same pages as a Winnow content directory and as a Hugo
// site with comparable templates, so that both generators build equal work.
//
//	go run ./bench/sitegen -pages 10000 -out /tmp/corpus
//
// writes /tmp/corpus/winnow/{content,static} and /tmp/corpus/hugo.
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

var sections = []string{"blog", "solutions", "customers", "guides"}

// terms are glossary entries of the shipped content that pages link to.
var terms = []struct{ name, slug string }{
	{"MQL", "mql"}, {"SAL", "sal"}, {"SQL", "sql"}, {"opportunity", "opportunity"},
	{"prospect", "prospect"}, {"cold lead", "cold-lead"}, {"ICP", "icp"}, {"BANT", "bant"},
	{"lead scoring", "lead-scoring"}, {"score decay", "score-decay"}, {"TOFU", "tofu"}, {"SLA", "sla"},
}

func main() {
	n := flag.Int("pages", 1000, "pages to write")
	out := flag.String("out", "", "the directory to write the corpus to")
	repo := flag.String("repo", ".", "the repository, for its content model and static files")
	flag.Parse()
	if *out == "" {
		log.Fatal("sitegen: -out is required")
	}
	w := filepath.Join(*out, "winnow")
	h := filepath.Join(*out, "hugo")
	for _, d := range []string{w, h} {
		if err := os.RemoveAll(d); err != nil {
			log.Fatal(err)
		}
	}
	// Winnow: the shipped model and static files, without its pages.
	must(copyTree(filepath.Join(*repo, "content"), filepath.Join(w, "content"), func(rel string) bool {
		return !strings.HasPrefix(rel, "pages")
	}))
	must(copyTree(filepath.Join(*repo, "static"), filepath.Join(w, "static"), nil))
	must(writeHugoSkeleton(h))
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sec := range sections {
		title := strings.ToUpper(sec[:1]) + sec[1:]
		intro := "---\ntitle: " + title + "\ndescription: All " + sec + ".\n---\nThe " + sec + " of our site.\n"
		must(write(filepath.Join(w, "content", "pages", sec, "_index.md"), intro))
		must(write(filepath.Join(h, "content", sec, "_index.md"), intro))
	}
	for i := range *n {
		sec := sections[i%len(sections)]
		name := fmt.Sprintf("page-%05d", i)
		front, body := page(rng, i)
		must(write(filepath.Join(w, "content", "pages", sec, name+".md"), front+body))
		must(write(filepath.Join(h, "content", sec, name+".md"), front+body))
	}
	// The home page, and the pages the stages' next steps link to.
	for name, text := range map[string]string{
		"index.md":                     "---\ntitle: Home\n---\nWelcome to the corpus.\n",
		"guides/lead-qualification.md": "---\ntitle: Lead qualification\n---\nA guide.\n",
		"resources.md":                 "---\ntitle: Resources\n---\nFree for everyone.\n",
	} {
		must(write(filepath.Join(w, "content", "pages", name), text))
		hname := name
		if name == "index.md" {
			hname = "_index.md"
		}
		must(write(filepath.Join(h, "content", hname), text))
	}
	// Hugo gets the glossary as pages, so both sites have them.
	for _, t := range terms {
		must(write(filepath.Join(h, "content", "glossary", t.slug+".md"), "---\ntitle: "+t.name+"\n---\nThe definition of "+t.name+".\n"))
	}
	fmt.Printf("sitegen: %d pages in %s and %s\n", *n, w, h)
}

// page returns the front matter and a ~1.6 KB body of page i: headings,
// lists, a table, code, a quote and links, a third of them to glossary
// terms.
func page(rng *rand.Rand, i int) (front, body string) {
	t := terms[i%len(terms)]
	other := terms[(i*7+3)%len(terms)]
	front = fmt.Sprintf("---\ntitle: Notes on %s, part %d\ndescription: How teams use %s in practice, part %d.\ndate: 2026-%02d-%02dT00:00:00Z\n---\n",
		t.name, i, t.name, i, 1+i%12, 1+i%28)
	var b strings.Builder
	fmt.Fprintf(&b, "Every team defines a %s a little differently. This page explains how ours works, with numbers.\n\n", t.name)
	fmt.Fprintf(&b, "## Why it matters\n\nA shared definition stops the argument between marketing and sales. See [%s](/glossary/%s/) and [%s](/glossary/%s/).\n\n", t.name, t.slug, other.name, other.slug)
	b.WriteString("- Agree on the fit grade first.\n- Score what the lead did, and let it decay.\n- Write the hand-off into the SLA.\n\n")
	b.WriteString("## The numbers\n\n| Stage | Conversion | Median days |\n|---|--:|--:|\n")
	for j := range 4 {
		fmt.Fprintf(&b, "| %s | %d%% | %d |\n", terms[(i+j)%len(terms)].name, 10+rng.IntN(60), 1+rng.IntN(30))
	}
	b.WriteString("\n## A rule\n\n```text\nfit >= \"B\" and score >= mql\n```\n\n")
	fmt.Fprintf(&b, "> Two concrete answers make an [opportunity](/glossary/opportunity/).\n\n")
	sec := sections[(i+1)%len(sections)]
	fmt.Fprintf(&b, "### In practice\n\n1. Read the [%s section](/%s/).\n2. Compare with [the first page](/blog/page-00000/).\n3. Review the [service levels](/sla/).\n\n", sec, sec)
	b.WriteString("Teams that tune their thresholds every month convert more of their pipeline, because each change is measured against last month's cohort rather than guessed.\n")
	return front, b.String()
}

func writeHugoSkeleton(dir string) error {
	files := map[string]string{
		"hugo.toml": `baseURL = "https://winnow.example/"
title = "Winnow"
languageCode = "en"
disableKinds = ["taxonomy", "term", "RSS"]
# Pages dated after today are pages too: Winnow builds them all.
buildFuture = true
[minify]
  minifyOutput = true
[[menus.main]]
  name = "Blog"
  url = "/blog/"
  weight = 1
[[menus.main]]
  name = "Solutions"
  url = "/solutions/"
  weight = 2
[[menus.main]]
  name = "Customers"
  url = "/customers/"
  weight = 3
[[menus.main]]
  name = "Guides"
  url = "/guides/"
  weight = 4
[[menus.main]]
  name = "Glossary"
  url = "/glossary/"
  weight = 5
[markup.goldmark.renderer]
  unsafe = false
[markup.highlight]
  codeFences = false
`,
		"layouts/_default/baseof.html": `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{ .Title }} · {{ site.Title }}</title><meta name="description" content="{{ .Description }}"><link rel="canonical" href="{{ .Permalink }}">
<meta property="og:title" content="{{ .Title }}"><meta property="og:url" content="{{ .Permalink }}"><link rel="stylesheet" href="/assets/site.css"></head>
<body><a class="skip" href="#main">Skip to content</a><header><a href="/">{{ site.Title }}</a><nav aria-label="Main"><ul>{{ range site.Menus.main }}<li><a href="{{ .URL }}">{{ .Name }}</a></li>{{ end }}</ul></nav></header>
<nav aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li>{{ with .Parent }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}<li aria-current="page">{{ .Title }}</li></ol></nav>
<main id="main">{{ block "main" . }}{{ end }}</main><footer><a href="/glossary/">Glossary</a> <a href="/sla/">Service levels</a></footer></body></html>`,
		"layouts/_default/single.html": `{{ define "main" }}<article><h1>{{ .Title }}</h1>{{ with .Date }}<time datetime="{{ .Format "2006-01-02" }}">{{ .Format "2 January 2006" }}</time>{{ end }}{{ if ge (len .TableOfContents) 80 }}<nav aria-label="On this page">{{ .TableOfContents }}</nav>{{ end }}<div class="prose">{{ .Content }}</div></article>{{ end }}`,
		"layouts/_default/list.html":   `{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}<ul>{{ range .Pages }}<li><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Description }}</p></li>{{ end }}</ul>{{ end }}`,
		"static/assets/site.css":       "body{font-family:system-ui;max-width:70ch;margin:auto}",
	}
	for name, text := range files {
		if err := write(filepath.Join(dir, name), text); err != nil {
			return err
		}
	}
	return nil
}

func write(name, text string) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, []byte(text), 0o644)
}

// copyTree copies the files of src below dst; keep, if set, chooses them
// by their path relative to src.
func copyTree(src, dst string, keep func(rel string) bool) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if keep != nil && rel != "." && !keep(filepath.ToSlash(rel)) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return write(filepath.Join(dst, rel), string(data))
	})
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
