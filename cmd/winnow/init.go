package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/winnowhq/winnow/internal/scaffold"
)

var initCmd = &command{
	name:    "init",
	summary: "write a new company's model, site and wrangler config",
	usage:   "init [--name NAME] [--domain DOMAIN] [--framework bant|champ|annum] [--stages " + presetNames("|") + "] dir",
	help:    initHelp(),
	setup: func(fs *flag.FlagSet) func(*env, []string) error {
		var o scaffold.Options
		fs.StringVar(&o.Name, "name", "", "the company's `name`, as the site and the form show it")
		fs.StringVar(&o.Domain, "domain", "", "the site's `domain`, such as example.com: its address, the worker's name and route, the contact addresses")
		fs.StringVar(&o.Framework, "framework", "", "the qualification `framework` the stage rules read: "+strings.Join(scaffold.Frameworks, ", ")+" (default bant)")
		fs.StringVar(&o.Stages, "stages", "", "the `preset` of stages: "+presetNames(", ")+" (default classic)")
		return func(e *env, args []string) error {
			if len(args) != 1 {
				fmt.Fprintln(e.stderr, "winnow init: give the one directory to write, such as acme")
				return errUsage
			}
			return initContent(e, args[0], o)
		}
	},
}

func initHelp() string {
	var presets strings.Builder
	for _, p := range scaffold.Presets {
		fmt.Fprintf(&presets, "  %-8s %s\n", p.Name, p.Summary)
	}
	return `
Init writes the content directory of a company that starts with Winnow: its
qualification model (the form's fields, scoring, the stages of a preset, the
BANT, CHAMP and ANNUM frameworks with one selected, a short glossary, and
example leads that pass), its site (home, pricing and privacy pages, and
the site's settings), and a wrangler.jsonc that deploys it to Cloudflare as
a worker and a D1 database named after the domain. 'winnow check dir' and
'winnow build dir' pass on it as it is.

The directory must be new or empty: init never overwrites a file. The
answers not given as flags are asked for when standard input is a terminal;
otherwise --name and --domain are required, and the framework and the
stages take their defaults.

Stage presets, each with the exit stages bad lead and disqualified:
` + presets.String() + `
Run init from the Winnow checkout: wrangler.jsonc finds the worker, the built
site and the migrations from there, where 'make edge CONTENT=dir' builds them.`
}

func presetNames(sep string) string {
	names := make([]string, len(scaffold.Presets))
	for i, p := range scaffold.Presets {
		names[i] = p.Name
	}
	return strings.Join(names, sep)
}

// initContent asks for what the flags left out, writes the directory and
// says what to do next.
func initContent(e *env, dir string, o scaffold.Options) error {
	// Refuse what cannot be written before asking anything.
	for _, f := range []struct {
		flag, value string
		check       func(string) error
	}{
		{"name", o.Name, func(s string) error { _, err := scaffold.CheckName(s); return err }},
		{"domain", o.Domain, func(s string) error { _, err := scaffold.CheckDomain(s); return err }},
		{"framework", o.Framework, func(s string) error { _, err := scaffold.CheckFramework(s); return err }},
		{"stages", o.Stages, func(s string) error { _, err := scaffold.CheckPreset(s); return err }},
	} {
		if f.value == "" {
			continue
		}
		if err := f.check(f.value); err != nil {
			fmt.Fprintf(e.stderr, "winnow init: --%s: %v\n", f.flag, err)
			return errUsage
		}
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty: init writes a new company's content into a new or empty directory and never overwrites a file", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if o.Name == "" || o.Domain == "" || o.Framework == "" || o.Stages == "" {
		if e.stdinIsFile {
			if o.Name == "" || o.Domain == "" {
				fmt.Fprintln(e.stderr, "winnow init: --name and --domain are needed when standard input is not a terminal")
				return errUsage
			}
		} else if err := askInit(e, &o); err != nil {
			return err
		}
	}
	if o.Framework == "" {
		o.Framework = "bant"
	}
	if o.Stages == "" {
		o.Stages = "classic"
	}
	root, checkout := checkoutFrom(dir)
	o.Root = root
	if _, err := scaffold.Write(dir, o); err != nil {
		return err
	}
	domain, _ := scaffold.CheckDomain(o.Domain)
	framework, _ := scaffold.CheckFramework(o.Framework)
	preset, _ := scaffold.CheckPreset(o.Stages)
	fmt.Fprintf(e.stdout, "wrote %s: the model (%s; stages bad lead, %s, disqualified), the site of https://%s, and wrangler.jsonc\n\n",
		dir, framework, preset.Summary, domain)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "Next, from here:")
	fmt.Fprintf(tw, "  winnow check %s\tvalidate it and run its example leads\n", dir)
	fmt.Fprintf(tw, "  winnow dev %s\tserve the site and the API while you edit\n", dir)
	fmt.Fprintf(tw, "  make edge CONTENT=%s\tbuild the site and the worker, then deploy with --config %s\n", dir, filepath.Join(dir, "wrangler.jsonc"))
	tw.Flush()
	if !checkout {
		fmt.Fprintln(e.stderr, "note: this directory is not a Winnow checkout (it has no worker/migrations), yet wrangler.jsonc "+
			"looks for the worker, the built site and the migrations here: run init from the checkout, or change those paths")
	}
	return nil
}

// checkoutFrom returns the working directory, where the Winnow checkout
// should be, as a path from dir, and whether it is one.
func checkoutFrom(dir string) (root string, checkout bool) {
	wd, err := os.Getwd()
	if err != nil {
		return "..", false
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "..", false
	}
	root, err = filepath.Rel(abs, wd)
	if err != nil {
		root = wd
	}
	info, err := os.Stat(filepath.Join(wd, "worker", "migrations"))
	return filepath.ToSlash(root), err == nil && info.IsDir()
}

// askInit asks for the answers o lacks, one line each, again after an
// answer that cannot be used.
func askInit(e *env, o *scaffold.Options) error {
	in := bufio.NewReader(e.stdin)
	ask := func(value *string, what, prompt, def string, check func(string) error) error {
		if *value != "" {
			return nil
		}
		if def != "" {
			prompt += " [" + def + "]"
		}
		for {
			fmt.Fprintf(e.stderr, "%s: ", prompt)
			line, err := in.ReadString('\n')
			answer := strings.TrimSpace(line)
			if answer == "" {
				answer = def
			}
			if answer != "" {
				cerr := check(answer)
				if cerr == nil {
					if err != nil {
						fmt.Fprintln(e.stderr) // the input ended without a line break
					}
					*value = answer
					return nil
				}
				fmt.Fprintf(e.stderr, "  %v\n", cerr)
			}
			if errors.Is(err, io.EOF) {
				fmt.Fprintln(e.stderr)
				return fmt.Errorf("no %s given", what)
			}
			if err != nil {
				return err
			}
		}
	}
	if err := ask(&o.Name, "company name", "Company name", "", func(s string) error { _, err := scaffold.CheckName(s); return err }); err != nil {
		return err
	}
	if err := ask(&o.Domain, "domain", "Domain of the site, such as example.com", "", func(s string) error { _, err := scaffold.CheckDomain(s); return err }); err != nil {
		return err
	}
	if err := ask(&o.Framework, "framework", "Framework: "+strings.Join(scaffold.Frameworks, ", "), "bant", func(s string) error { _, err := scaffold.CheckFramework(s); return err }); err != nil {
		return err
	}
	if o.Stages == "" {
		fmt.Fprintln(e.stderr, "Stage presets, each with the exit stages bad lead and disqualified:")
		for _, p := range scaffold.Presets {
			fmt.Fprintf(e.stderr, "  %-8s %s\n", p.Name, p.Summary)
		}
	}
	return ask(&o.Stages, "stage preset", "Stages: "+presetNames(", "), "classic", func(s string) error { _, err := scaffold.CheckPreset(s); return err })
}
