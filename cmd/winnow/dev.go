package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	_ "embed"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/winnowhq/winnow/internal/demo"
	"github.com/winnowhq/winnow/site"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/domains"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

var devCmd = &command{
	name:    "dev",
	summary: "build the site, serve it on 127.0.0.1 and rebuild on every change",
	usage:   "dev [--addr 127.0.0.1:8080] [--drafts] [--out dir] [--static dir] [content-dir]",
	help: `
Dev builds the site like build, serves it on a loopback address, and
watches the content and static directories: every change rebuilds the site
(only changed files are written) and reloads the pages open in a browser.
A broken edit shows its problems on the page, as file:line: message, while
the last good site keeps being served.

Run from a source checkout (go.mod in the working directory), dev also
watches the templ components (--templates, default "templates"): a change
regenerates them with templ, rebuilds the program with go build and
restarts it on the same address; a compile error shows on the page like a
content problem, and the running program keeps serving.

When the database has no leads, dev fills it with a year of demo data in
the background, as 'winnow demo' does (--demo=false starts empty).`,
	setup: func(fs *flag.FlagSet) func(*env, []string) error {
		o := buildFlags(fs)
		addr := fs.String("addr", "127.0.0.1:8080", "the loopback address to serve on")
		fs.StringVar(&o.db, "db", filepath.Join("build", "winnow.db"), "the SQLite database of the API")
		fs.StringVar(&o.templates, "templates", "templates", "the templ components to watch in a source checkout")
		fs.BoolVar(&o.demo, "demo", true, "fill the database with demo data (winnow demo) when it has no leads")
		return func(e *env, args []string) error {
			if len(args) > 1 {
				fmt.Fprintln(e.stderr, "winnow dev: at most one content directory")
				return errUsage
			}
			if len(args) == 1 {
				o.content = args[0]
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return serveDev(ctx, e, o, *addr, nil)
		}
	},
}

//go:embed reload.js
var reloadJS []byte

// devServer serves the last good build and tells browsers about new ones.
type devServer struct {
	e      *env
	o      *buildOptions
	out    *site.Dir
	public string // the base URL pages are built with

	started  string // identifies this process in build ids
	api      *api   // the edge handler, over SQLite
	mu       sync.Mutex
	build    int    // the number of the last good build
	problems string // the problems of the last build, "" when it succeeded
	clients  map[chan string]bool
}

// serveDev runs the dev server until ctx ends. If ready is not nil, it
// receives the address once the server listens.
func serveDev(ctx context.Context, e *env, o *buildOptions, addr string, ready chan<- string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--addr %q: the dev server listens on loopback addresses only", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	db, err := sqlitedb.Open(ctx, o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := newAPI(ctx, db, e.stderr)
	if err != nil {
		return err
	}
	environ := os.Environ()
	if a.cfg.AdminToken == "" {
		// A token for this run, which the program that replaces this one
		// when the templates change keeps.
		var b [16]byte
		rand.Read(b[:])
		a.cfg.AdminToken = hex.EncodeToString(b[:])
		environ = append(environ, "WINNOW_ADMIN_TOKEN="+a.cfg.AdminToken)
	}
	d := &devServer{e: e, o: o, out: &site.Dir{Path: o.out}, public: "http://" + ln.Addr().String(), clients: map[chan string]bool{},
		started: strconv.FormatInt(time.Now().UnixNano(), 36), api: a}
	d.rebuild()
	jobs, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	watcher, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer watcher.Close()
	for _, dir := range []string{o.content, o.static} {
		if err := watchTree(watcher, dir); err != nil {
			return err
		}
	}
	templates := ""
	if sourceCheckout(o.templates) {
		templates, _ = filepath.Abs(o.templates)
		if err := watchTree(watcher, o.templates); err != nil {
			return err
		}
	}
	srv := &http.Server{Handler: d, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	fmt.Fprintf(e.stdout, "serving %s on %s (Ctrl-C to stop)\n", o.out, d.public)
	fmt.Fprintf(e.stdout, "admin dashboard: %s/admin (token %s)\n", d.public, a.cfg.AdminToken)
	go func() {
		// The demo's webhooks are delivered by the demo, on its own clock:
		// the delivery job starts once they are all in.
		if o.demo {
			d.seedDemo(jobs, db)
		}
		a.run(jobs, 2*time.Second, e.stderr)
	}()
	if ready != nil {
		ready <- ln.Addr().String()
	}
	changed := time.NewTimer(time.Hour)
	changed.Stop()
	program := time.NewTimer(time.Hour)
	program.Stop()
	for {
		select {
		case <-ctx.Done():
			shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			d.closeClients()
			return srv.Shutdown(shut)
		case ev := <-watcher.Events:
			if ev.Op.Has(fsnotify.Create) {
				if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
					watchTree(watcher, ev.Name)
				}
			}
			if strings.HasSuffix(ev.Name, "~") || strings.HasPrefix(filepath.Base(ev.Name), ".") {
				continue // editor backups and swap files
			}
			if abs, _ := filepath.Abs(ev.Name); templates != "" && strings.HasPrefix(abs, templates+string(filepath.Separator)) {
				if strings.HasSuffix(ev.Name, ".templ") {
					program.Reset(150 * time.Millisecond)
				}
				continue // generated code and goldens change with it
			}
			changed.Reset(80 * time.Millisecond) // let a burst of writes settle
		case err := <-watcher.Errors:
			fmt.Fprintln(e.stderr, "watching:", err)
		case <-changed.C:
			d.rebuild()
		case <-program.C:
			next, err := d.rebuildProgram(ctx, o.templates)
			if err != nil {
				d.fail(err.Error())
				continue
			}
			fmt.Fprintln(e.stdout, "templates changed: restarting")
			d.closeClients()
			srv.Close()
			ln.Close()
			// The new program listens on the same address; the pages
			// reconnect, see a new build id and reload.
			return syscall.Exec(next, os.Args, environ)
		}
	}
}

// seedDemo fills the database with demo data (winnow demo) if it has no
// leads yet.
func (d *devServer) seedDemo(ctx context.Context, db *sql.DB) {
	m := d.api.m.Load()
	var n int
	if m == nil || db.QueryRowContext(ctx, `SELECT count(*) FROM leads`).Scan(&n) != nil || n > 0 {
		return
	}
	start := time.Now()
	st, err := demo.Fill(ctx, demo.Options{DB: db, Model: m, Domains: domains.Full, Leads: 600, Seed: 1, End: start})
	if err != nil {
		if ctx.Err() == nil {
			fmt.Fprintln(d.e.stderr, "adding demo data:", err)
		}
		return
	}
	fmt.Fprintf(d.e.stdout, "demo data added to %s in %v: %d leads, %d stage events (winnow dev --demo=false starts empty)\n",
		d.o.db, time.Since(start).Round(time.Millisecond), st.New, st.Events)
}

// watchTree watches a directory and every directory below it.
func watchTree(w *fsnotify.Watcher, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return w.Add(p)
		}
		return nil
	})
}

// sourceCheckout reports whether the program runs from the source tree
// that holds the templates, so that it can rebuild itself.
func sourceCheckout(templates string) bool {
	if _, err := os.Stat("go.mod"); err != nil {
		return false
	}
	info, err := os.Stat(templates)
	return err == nil && info.IsDir()
}

// rebuildProgram regenerates the templ components and builds the program
// beside the running one, returning its path. The problems of either step
// are returned as the tools print them (file:line:col: message).
func (d *devServer) rebuildProgram(ctx context.Context, templates string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	next := self + ".next"
	steps := [][]string{
		{"go", "tool", "templ", "generate", "-path", templates},
		{"go", "build", "-o", next, "./cmd/winnow"},
	}
	for _, step := range steps {
		fmt.Fprintln(d.e.stdout, strings.Join(step, " "))
		cmd := exec.CommandContext(ctx, step[0], step[1:]...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("%s: %v\n%s", strings.Join(step, " "), err, out)
		}
	}
	if err := os.Rename(next, self); err != nil {
		return "", err
	}
	return self, nil
}

// fail shows problems in the browsers; the last good site keeps serving.
func (d *devServer) fail(problems string) {
	fmt.Fprint(d.e.stderr, problems)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.problems = problems
	d.broadcast("problems", d.problems)
}

// rebuild builds the site and tells the browsers.
func (d *devServer) rebuild() {
	var problems strings.Builder
	e := &env{stdout: d.e.stdout, stderr: &teeWriter{d.e.stderr, &problems}}
	res, err := d.o.build(e, d.out, d.public, "/_winnow/events")
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		d.problems = problems.String()
		if d.problems == "" {
			d.problems = err.Error()
		}
		d.broadcast("problems", d.problems)
		return
	}
	d.build++
	d.problems = ""
	if err := d.api.use(res.Model, worker.PageSettings{Site: res.Site, FormURL: res.FormURL}); err != nil {
		fmt.Fprintln(d.e.stderr, "the API keeps its last model:", err)
	}
	fmt.Fprintf(d.e.stdout, "built %d pages (%d written, %d removed) in %v\n", res.Pages, res.Written, res.Removed, res.Duration.Round(time.Millisecond))
	d.broadcast("build", d.buildID())
}

// buildID names the last good build of this process; d.mu is held.
func (d *devServer) buildID() string {
	return d.started + "." + strconv.Itoa(d.build)
}

// broadcast sends an event to every connected browser; d.mu is held.
func (d *devServer) broadcast(event, data string) {
	msg := "event: " + event + "\n"
	for _, line := range strings.Split(strings.TrimRight(data, "\n"), "\n") {
		msg += "data: " + line + "\n"
	}
	msg += "\n"
	for c := range d.clients {
		select {
		case c <- msg:
		default: // a slow client misses an event, not the server
		}
	}
}

func (d *devServer) closeClients() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for c := range d.clients {
		close(c)
		delete(d.clients, c)
	}
}

func (d *devServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_winnow/reload.js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(reloadJS)
		return
	case "/_winnow/events":
		d.events(w, r)
		return
	}
	if isAPI(r) {
		d.api.ServeHTTP(w, r)
		return
	}
	worker.SecurityHeaders(w.Header())
	serveSite(w, r, d.o.out, "no-store")
}

// events streams build events to a browser (Server-Sent Events).
func (d *devServer) events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	c := make(chan string, 4)
	d.mu.Lock()
	d.clients[c] = true
	hello := "retry: 250\nevent: build\ndata: " + d.buildID() + "\n\n"
	if d.problems != "" {
		hello += "event: problems\ndata: " + strings.ReplaceAll(strings.TrimRight(d.problems, "\n"), "\n", "\ndata: ") + "\n\n"
	}
	d.mu.Unlock()
	fmt.Fprint(w, hello)
	flusher.Flush()
	defer func() {
		d.mu.Lock()
		if d.clients[c] {
			delete(d.clients, c)
		}
		d.mu.Unlock()
	}()
	for {
		select {
		case <-r.Context().Done():
			return
		case msg, ok := <-c:
			if !ok {
				return
			}
			fmt.Fprint(w, msg)
			flusher.Flush()
		}
	}
}

// teeWriter writes to two writers.
type teeWriter struct {
	a, b interface{ Write([]byte) (int, error) }
}

func (t *teeWriter) Write(p []byte) (int, error) {
	t.b.Write(p)
	return t.a.Write(p)
}
