package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"sync/atomic"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/site"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/domains"
)

var buildCmd = &command{
	name:    "build",
	summary: "build the site into build/public",
	usage:   "build [--drafts] [--out dir] [--base-url URL] [--static dir] [--workers N] [content-dir]",
	help: `
Build turns the content directory (default "content") and the static files
(default "static") into a complete site: the Markdown pages, the glossary
with one page per term and the exact rule of every stage, the SLA, scoring
and signup form pages generated from the model, sitemap.xml, feed.xml,
robots.txt, glossary.json and a 404 page, every file minified and the
stylesheet and model fingerprinted.

Every internal link and anchor is checked. On any problem, build lists them
all as file:line: message, exits 1, and leaves the last good site in place.
Only files that changed are written.`,
	setup: func(fs *flag.FlagSet) func(*env, []string) error {
		o := buildFlags(fs)
		edge := fs.String("edge", "", "also write what the edge worker embeds (model.txt, site.json, source.json) into this `dir`, and publish the data it reads from the site")
		zoneinfo := fs.String("zoneinfo", "", "with --edge: Go's time zone database, `zoneinfo.zip` (default: $GOROOT/lib/time/zoneinfo.zip)")
		profile := fs.String("cpuprofile", "", "write a CPU profile of the build to this `file` (go tool pprof)")
		return func(e *env, args []string) error {
			if len(args) > 1 {
				fmt.Fprintln(e.stderr, "winnow build: at most one content directory")
				return errUsage
			}
			if len(args) == 1 {
				o.content = args[0]
			}
			if os.Getenv("GOGC") == "" {
				defer tightGC(smallHeap)()
			}
			if *profile != "" {
				f, err := os.Create(*profile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			out := &site.Dir{Path: o.out}
			if *edge != "" {
				files, err := edgeFiles(*zoneinfo)
				if err != nil {
					return err
				}
				o.files = files
			}
			res, err := o.build(e, out, "", "")
			if err != nil {
				return err
			}
			if *edge != "" {
				if err := writeEdge(*edge, res, o.content); err != nil {
					return err
				}
			}
			fmt.Fprintf(e.stdout, "built %d pages, %d files (%d written, %d removed) in %v: %s\n",
				res.Pages, res.Files, res.Written, res.Removed, res.Duration.Round(1e6), o.out)
			return nil
		}
	},
}

// smallHeap is the live heap under which a build collects at GOGC=50
// (tightGC): a site of about 3,000 pages.
const smallHeap = 24 << 20

// tightGC has the collector run when the heap has grown by half, not
// doubled (GOGC=50), until the live heap reaches small, then at the
// default, until restore is called. A small site's build lives in little
// more than the program's own memory: the heap it leaves to grow is most
// of its peak, and its collections are short. A large site keeps its
// pages' text and links: collecting twice as often would cost a tenth
// more CPU for memory it hardly needs. (At 1,000 pages: 4 MB less at its
// peak, 29 MB, for 0.05 CPU-seconds.)
func tightGC(small uint64) (restore func()) {
	prev := debug.SetGCPercent(50)
	var done atomic.Bool
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	// A finalizer runs after a collection that finds its object
	// unreachable: each one makes the object of the next.
	type sentinel struct{ _ *int }
	var arm func()
	arm = func() {
		runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
			if done.Load() {
				return
			}
			metrics.Read(live)
			if live[0].Value.Kind() == metrics.KindUint64 && live[0].Value.Uint64() > small {
				debug.SetGCPercent(prev)
				return
			}
			arm()
		})
	}
	arm()
	return func() {
		done.Store(true)
		debug.SetGCPercent(prev)
	}
}

// buildOptions are the flags build and dev share.
type buildOptions struct {
	content, static, out, baseURL string
	assets                        string
	templates, db                 string            // dev only
	files                         map[string][]byte // published as they are (the edge's data)
	drafts                        bool
	workers                       int
	demo                          bool // dev only: fill an empty database with demo data
}

func buildFlags(fs *flag.FlagSet) *buildOptions {
	o := &buildOptions{content: "content"}
	fs.StringVar(&o.static, "static", "static", "the directory of static files")
	fs.StringVar(&o.assets, "assets", filepath.Join("build", "widget"), "built files published like static ones (the widget); when missing, the widget built into a release binary, if any")
	fs.StringVar(&o.out, "out", filepath.Join("build", "public"), "the directory the site is written to")
	fs.StringVar(&o.baseURL, "base-url", "", "the site's absolute URL, overriding site.yaml's base_url")
	fs.BoolVar(&o.drafts, "drafts", false, "include pages marked draft")
	fs.IntVar(&o.workers, "workers", 0, "pages rendered at once (default: one per CPU)")
	return o
}

// build runs one build and prints its problems.
func (o *buildOptions) build(e *env, out site.Output, baseURL, reload string) (site.Result, error) {
	return o.rebuild(e, nil, site.Changes{}, out, baseURL, reload)
}

// rebuild runs one build with r, which reads again and renders again only
// what ch affects, or, when r is nil, a full build; it prints the
// build's problems.
func (o *buildOptions) rebuild(e *env, r *site.Rebuilder, ch site.Changes, out site.Output, baseURL, reload string) (site.Result, error) {
	for _, dir := range []string{o.content, o.static} {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			return site.Result{}, fmt.Errorf("%s is not a directory", dir)
		}
	}
	if baseURL == "" {
		baseURL = o.baseURL
	}
	assets, assetsDir := widgetAssets(o.assets)
	opts := site.Options{
		Assets: assets, AssetsDir: assetsDir,
		Content: site.DirFS(o.content), ContentDir: filepath.ToSlash(filepath.Clean(o.content)),
		Static: site.DirFS(o.static), StaticDir: filepath.ToSlash(filepath.Clean(o.static)),
		Out: out, Drafts: o.drafts, Workers: o.workers, BaseURL: baseURL, LiveReload: reload,
		Headers: securityHeaders(), Files: o.files,
	}
	var res site.Result
	var diags qualify.Diags
	if r != nil {
		res, diags = r.Build(context.Background(), opts, ch)
	} else {
		res, diags = site.Build(context.Background(), opts)
	}
	if len(diags) > 0 {
		for _, d := range diags {
			fmt.Fprintln(e.stderr, d)
		}
		fmt.Fprintf(e.stderr, "%d problem%s: the site was not built\n", len(diags), plural(len(diags)))
		return res, errQuiet
	}
	return res, nil
}

// changes tells a Rebuilder which of the content and static files the
// paths a watcher reported are; nil paths, or a path in neither
// directory, make it read everything again.
func (o *buildOptions) changes(paths []string) site.Changes {
	if paths == nil {
		return site.Changes{All: true}
	}
	var ch site.Changes
	in := func(dir, p string) (string, bool) {
		dir, _ = filepath.Abs(dir)
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", false
		}
		return filepath.ToSlash(rel), true
	}
	for _, p := range paths {
		p, _ = filepath.Abs(p)
		if rel, ok := in(o.content, p); ok {
			ch.Content = append(ch.Content, rel)
		} else if rel, ok := in(o.static, p); ok {
			ch.Static = append(ch.Static, rel)
		} else {
			ch.All = true
		}
	}
	return ch
}

// writeEdge writes what the edge worker embeds: the model's canonical text,
// the routing (routing.Encode; null without one), the pages' site-wide
// parts, and the scoring and fields files of the content directory with
// their paths (contentFiles), from which the dashboard's model check
// writes its patch as `winnow serve` does.
func writeEdge(dir string, res site.Result, content string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	pages, err := json.Marshal(worker.PageSettings{Site: res.Site, FormURL: res.FormURL, Forms: res.Forms, Verdict: res.Verdict})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "site.json"), pages, 0o644); err != nil {
		return err
	}
	files, err := contentFiles(content)
	if err != nil {
		return err
	}
	source, err := json.Marshal(files)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "source.json"), source, 0o644); err != nil {
		return err
	}
	// The routing, or null when the content has none: the edge embeds
	// the file either way.
	r, err := routing.Encode(res.Routing)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "routing.json"), r, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "model.txt"), []byte(qualify.Encode(res.Model)), 0o644)
}

// edgeFiles are the data the edge's worker reads from the site: the
// domain lists and Go's time zone database.
func edgeFiles(zoneinfo string) (map[string][]byte, error) {
	if zoneinfo == "" {
		root := os.Getenv("GOROOT")
		if root == "" {
			out, _ := exec.Command("go", "env", "GOROOT").Output()
			root = strings.TrimSpace(string(out))
		}
		if root == "" {
			return nil, errors.New("--edge needs Go's time zone database: name it with --zoneinfo $(go env GOROOT)/lib/time/zoneinfo.zip")
		}
		zoneinfo = filepath.Join(root, "lib", "time", "zoneinfo.zip")
	}
	zones, err := os.ReadFile(zoneinfo)
	if err != nil {
		return nil, fmt.Errorf("the edge's time zone database: %w (name it with --zoneinfo)", err)
	}
	return map[string][]byte{
		strings.TrimPrefix(domains.AssetPath, "/"):   []byte(domains.Data()),
		strings.TrimPrefix(worker.ZoneinfoPath, "/"): zones,
	}, nil
}

// securityHeaders are the headers of every page: the worker's own.
func securityHeaders() http.Header {
	h := http.Header{}
	worker.SecurityHeaders(h)
	return h
}
