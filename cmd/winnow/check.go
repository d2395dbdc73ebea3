package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/site"
)

var checkCmd = &command{
	name:    "check",
	summary: "validate the content and run every example lead",
	usage:   "check [--verbose] [dir]",
	help: `
Check reads the content directory (default "content"), with the site's
settings and pages when it has them, reports every problem in it as
file:line:col: message (the Markdown included: a component or attribute
that does not exist, a model value such as {{threshold.mql}} the model
lacks), then evaluates every example lead in
examples/ and compares its verdict with the stage, fit, tier and score it
expects, and, where the content has a routing.yaml, with the team and owner
it expects (it says what the routing holds: teams, territories, and what
owners record as they work the queue). A failing example prints what it expected beside what it got and the
points behind the verdict.

Check exits with status 1 if there is any problem or any failing example, so
it can guard a merge or a deploy.`,
	setup: func(fs *flag.FlagSet) func(*env, []string) error {
		verbose := fs.Bool("verbose", false, "print the verdict of every example, not only the failures")
		fs.BoolVar(verbose, "v", false, "short for --verbose")
		return func(e *env, args []string) error {
			if len(args) > 1 {
				fmt.Fprintln(e.stderr, "winnow check: at most one directory")
				return errUsage
			}
			dir := "content"
			if len(args) == 1 {
				dir = args[0]
			}
			return check(e, dir, *verbose)
		}
	},
}

// loadDir loads the content directory dir, printing its problems.
func loadDir(e *env, dir string) (*content.Content, error) { return loadContent(e, dir, false) }

// loadContent loads the content directory dir, printing its problems;
// withSite, also the site's settings and pages where dir has them (a
// model alone has neither), the pages' signals checked against the model.
func loadContent(e *env, dir string, withSite bool) (*content.Content, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot read content directory: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	fsys, root := os.DirFS(dir), filepath.ToSlash(filepath.Clean(dir))
	c, diags := content.Load(fsys, root)
	if withSite {
		var pages []content.Page
		if _, err := fs.Stat(fsys, content.PagesDir); err == nil {
			var ds qualify.Diags
			pages, ds = content.Pages(fsys, root, true)
			if len(diags) == 0 {
				ds = append(ds, content.CheckPages(c.Model, pages)...)
			}
			diags = append(diags, ds...)
		}
		var settings content.Site
		if _, err := fs.Stat(fsys, content.SiteFile); err == nil {
			var ds qualify.Diags
			settings, ds = content.SiteSettings(fsys, root)
			diags = append(diags, ds...)
		}
		if len(diags) == 0 {
			// The Markdown as the site renders it: its components, and
			// the model values it names.
			diags = site.CheckMarkdown(c, settings, pages, root)
		}
		diags.Sort()
	}
	if len(diags) > 0 {
		for _, d := range diags {
			fmt.Fprintln(e.stderr, d)
		}
		fmt.Fprintf(e.stderr, "%d problem%s in %s\n", len(diags), plural(len(diags)), dir)
		return nil, errQuiet
	}
	return c, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func check(e *env, dir string, verbose bool) error {
	c, err := loadContent(e, dir, true)
	if err != nil {
		return err
	}
	m := c.Model
	fmt.Fprintf(e.stdout, "%s: model %s (%s), %d fields, %d point rules, %d stages, framework %s\n",
		dir, m.Version, m.Name, len(m.Fields), len(m.Points), len(m.Stages), frameworkName(m))
	if r := c.Routing; r != nil {
		fmt.Fprintf(e.stdout, "%s: %d teams, %d territories; accepting a lead records %s; %d activities, %d reject reasons\n",
			filepath.Join(dir, content.RoutingFile), len(r.Teams), len(r.Territories), cmp.Or(r.AcceptSignal, "no signal"), len(r.Activities), len(r.RejectReasons))
	}
	results := c.Run()
	failed := 0
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, r := range results {
		v := r.Verdict
		if len(r.Diffs) == 0 {
			if verbose {
				fmt.Fprintf(tw, "ok\t%s\t%s\tfit %s\tscore %s\t%s", r.Example.Name, v.Stage, v.Fit, qualify.FormatNumber(v.Score), v.Tier)
				if r.Route.Person != "" {
					fmt.Fprintf(tw, "\towner %s", r.Route.Person)
				}
				fmt.Fprintln(tw)
			}
			continue
		}
		failed++
		tw.Flush()
		printFailure(e.stdout, c.Model, r)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "examples: %d passed, %d failed\n", len(results)-failed, failed)
	if failed > 0 {
		return errQuiet
	}
	return nil
}

// printFailure writes an example that fails: where it is written, what
// it expected beside what it got, and the points behind the verdict.
func printFailure(w io.Writer, m *qualify.Model, r content.Result) {
	v := r.Verdict
	fmt.Fprintf(w, "FAIL %s: example %q\n", r.Example.Pos, r.Example.Name)
	for _, d := range r.Diffs {
		fmt.Fprintf(w, "    %-6s want %-14s got %s\n", d.What, d.Want, d.Got)
	}
	if want := r.Example.Want; want.Team != "" || want.Owner != "" {
		if r.Route.Team == "" {
			fmt.Fprintf(w, "    route  stage %s has no SLA owner among the teams of %s\n", v.Stage, content.RoutingFile)
		} else {
			fmt.Fprintf(w, "    route  %s\n", r.Route.Reason())
		}
	}
	if r.Example.Framework != "" {
		mm := *m
		mm.Framework = m.FrameworkIndex(r.Example.Framework)
		m = &mm
	}
	explain(w, m, &r.Example.Lead, r.Example.At, "    ", true)
	fmt.Fprintln(w)
}

// exampleFailures is what the dev server shows on its pages after a
// good build whose example leads do not all pass: the failures as check
// prints them; "" when every example passes.
func exampleFailures(res site.Result) string {
	var b strings.Builder
	failed := 0
	for _, r := range res.Examples {
		if len(r.Diffs) > 0 {
			failed++
			printFailure(&b, res.Model, r)
		}
	}
	if failed == 0 {
		return ""
	}
	return fmt.Sprintf("examples: %d passed, %d failed\n\n", len(res.Examples)-failed, failed) + b.String()
}

func frameworkName(m *qualify.Model) string {
	if m.Framework < 0 {
		return "none"
	}
	return m.Frameworks[m.Framework].Name
}
