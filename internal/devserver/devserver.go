// Package devserver is the server of winnow dev: it builds the site,
// serves it on a loopback address with the worker beside it (package
// sitehttp), and watches the content and static files: every change
// rebuilds what it affects and reloads the pages open in a browser, whose
// page shows the problems of a broken build while the last good site
// keeps being served, and after a good build what its Check found: the
// example leads that fail. Run from a source checkout, it also watches the templ
// components: a change regenerates them, rebuilds the program and
// restarts it on the same address.
//
// What it serves beside the site (the worker over a database, its jobs)
// is the caller's: Options carry it as a handler and functions.
package devserver

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/winnowhq/winnow/internal/sitehttp"
	"github.com/winnowhq/winnow/site"
	"github.com/winnowhq/winnow/site/cachepolicy"
)

// Options configure the dev server.
type Options struct {
	// Out is the directory the site is built into and served from.
	Out string
	// Watch are the directories whose changes rebuild the site: the
	// content and the static files.
	Watch []string
	// Templates is the directory of the templ components. Run from a
	// source checkout (go.mod in the working directory, Templates a
	// directory in it), the server watches it, and a change regenerates
	// the components, builds the program (./cmd/winnow) beside the
	// running one and restarts it. "" watches no templates.
	Templates string
	// Build builds the site into out with the base URL and the URL of the
	// reload event stream given, printing its problems to stderr. changed
	// are the files and directories that changed since the last build, as
	// the watcher names them (a path in one of Watch); nil when that is
	// not known, as for the first build, or after the watcher lost events.
	Build func(out site.Output, stderr io.Writer, baseURL, reload string, changed []string) (site.Result, error)
	// Worker serves the worker's paths (sitehttp.IsWorker) beside the
	// site.
	Worker http.Handler
	// Built, if not nil, is given every good build: the worker takes its
	// model and pages. An error is printed; the worker keeps the last
	// model it took.
	Built func(site.Result) error
	// Check, if not nil, is given every good build and returns what is
	// wrong with it though it was built: the example leads that do not
	// get the verdict they expect. The pages show it, and so does
	// Stderr; "" when all is well.
	Check func(site.Result) string
	// AdminToken, if not "", is printed with the admin dashboard's
	// address.
	AdminToken string
	// Mail, if not nil, is served under MailPath: where the alerts' emails
	// go when they are not to be sent (a notify.Mailbox), to read them.
	Mail http.Handler
	// Background, if not nil, runs in its own goroutine once the server
	// serves, until the server stops: the worker's jobs.
	Background func(ctx context.Context)
	// Environ is the environment of the program that replaces this one
	// when the templates change.
	Environ []string
	// Stdout and Stderr receive what the server says: its address and
	// builds, and problems.
	Stdout, Stderr io.Writer
	// Ready, if not nil, receives the server's address once it serves.
	Ready chan<- string
}

// Listen listens on addr, which must be a loopback address: the dev
// server serves nothing to the network.
func Listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--addr %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("--addr %q: the dev server listens on loopback addresses only", addr)
	}
	return net.Listen("tcp", addr)
}

//go:embed reload.js
var reloadJS []byte

// The dev server's own paths, which no site file may take.
const (
	reloadPath = "/_winnow/reload.js"
	eventsPath = "/_winnow/events"
	// MailPath is where Options.Mail is served: the emails that were not
	// sent, at MailPath, and Resend's POST /emails at MailPath+"emails".
	MailPath = "/_winnow/mail/"
)

// server serves the last good build and tells browsers about new ones.
type server struct {
	o      Options
	out    *site.Dir
	public string // the base URL pages are built with
	site   http.Handler

	started  string // identifies this process in build ids
	mu       sync.Mutex
	build    int    // the number of the last good build
	problems string // the problems of the last build, "" when it succeeded
	warnings string // what Check found in the last good build
	clients  map[chan string]bool
}

// Run builds the site and serves it on ln, rebuilding it on every change,
// until ctx ends. When the templates change and the program rebuilt
// itself, Run replaces the process with the new program (which listens
// on the same address) and does not return.
func Run(ctx context.Context, ln net.Listener, o Options) error {
	d := &server{o: o, out: &site.Dir{Path: o.Out}, public: "http://" + ln.Addr().String(), clients: map[chan string]bool{},
		started: strconv.FormatInt(time.Now().UnixNano(), 36)}
	d.site = sitehttp.Handler{Root: o.Out, Pages: cachepolicy.NoStore, Worker: o.Worker}
	d.rebuild(nil)
	jobs, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	watcher, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer watcher.Close()
	for _, dir := range o.Watch {
		if err := watchTree(watcher, dir); err != nil {
			return err
		}
	}
	templates := ""
	if o.Templates != "" && sourceCheckout(o.Templates) {
		templates, _ = filepath.Abs(o.Templates)
		if err := watchTree(watcher, o.Templates); err != nil {
			return err
		}
	}
	srv := &http.Server{Handler: d, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	fmt.Fprintf(o.Stdout, "serving %s on %s (Ctrl-C to stop)\n", o.Out, d.public)
	if o.AdminToken != "" {
		fmt.Fprintf(o.Stdout, "admin dashboard: %s/admin (token %s)\n", d.public, o.AdminToken)
	}
	if o.Mail != nil {
		fmt.Fprintf(o.Stdout, "alerts' emails, not sent: %s%s\n", d.public, MailPath)
	}
	if o.Background != nil {
		go o.Background(jobs)
	}
	if o.Ready != nil {
		o.Ready <- ln.Addr().String()
	}
	changed := time.NewTimer(time.Hour)
	changed.Stop()
	// The files changed since the last build; lost says the watcher
	// dropped events, so that what changed is not known.
	paths, lost := map[string]bool{}, false
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
			paths[ev.Name] = true
			changed.Reset(settle)
		case err := <-watcher.Errors:
			fmt.Fprintln(o.Stderr, "watching:", err)
			lost = true
			changed.Reset(settle)
		case <-changed.C:
			var list []string
			if !lost {
				list = make([]string, 0, len(paths))
				for p := range paths {
					list = append(list, p)
				}
			}
			paths, lost = map[string]bool{}, false
			d.rebuild(list)
		case <-program.C:
			next, err := d.rebuildProgram(ctx, o.Templates)
			if err != nil {
				d.fail(err.Error())
				continue
			}
			fmt.Fprintln(o.Stdout, "templates changed: restarting")
			d.closeClients()
			srv.Close()
			ln.Close()
			// The new program listens on the same address; the pages
			// reconnect, see a new build id and reload.
			return syscall.Exec(next, os.Args, o.Environ)
		}
	}
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
func (d *server) rebuildProgram(ctx context.Context, templates string) (string, error) {
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
		fmt.Fprintln(d.o.Stdout, strings.Join(step, " "))
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
func (d *server) fail(problems string) {
	fmt.Fprint(d.o.Stderr, problems)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.problems = problems
	d.broadcast("problems", d.problems)
}

// settle is how long the server waits after a change for more: an
// editor's save is a burst of events (truncate, write, rename, chmod)
// within a few milliseconds, and a build only reads what changed.
const settle = 20 * time.Millisecond

// rebuild builds the site and tells the browsers. changed are the paths
// that changed since the last build, nil if not known.
func (d *server) rebuild(changed []string) {
	var problems strings.Builder
	res, err := d.o.Build(d.out, io.MultiWriter(&problems, d.o.Stderr), d.public, eventsPath, changed)
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
	if d.o.Built != nil {
		if err := d.o.Built(res); err != nil {
			fmt.Fprintln(d.o.Stderr, "the API keeps its last model:", err)
		}
	}
	fmt.Fprintf(d.o.Stdout, "built %d pages (%d rendered, %d written, %d removed) in %v\n", res.Pages, res.Rendered, res.Written, res.Removed, res.Duration.Round(time.Millisecond))
	d.warnings = ""
	if d.o.Check != nil {
		d.warnings = d.o.Check(res)
		fmt.Fprint(d.o.Stderr, d.warnings)
	}
	d.broadcast("build", d.buildID())
	if d.warnings != "" {
		d.broadcast("warnings", d.warnings)
	}
}

// buildID names the last good build of this process; d.mu is held.
func (d *server) buildID() string {
	return d.started + "." + strconv.Itoa(d.build)
}

// broadcast sends an event to every connected browser; d.mu is held.
func (d *server) broadcast(event, data string) {
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

func (d *server) closeClients() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for c := range d.clients {
		close(c)
		delete(d.clients, c)
	}
}

func (d *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case reloadPath:
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", cachepolicy.NoStore)
		w.Write(reloadJS)
		return
	case eventsPath:
		d.events(w, r)
		return
	}
	if d.o.Mail != nil && strings.HasPrefix(r.URL.Path, MailPath) {
		d.o.Mail.ServeHTTP(w, r)
		return
	}
	d.site.ServeHTTP(w, r)
}

// events streams build events to a browser (Server-Sent Events).
func (d *server) events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", cachepolicy.NoStore)
	c := make(chan string, 4)
	d.mu.Lock()
	d.clients[c] = true
	hello := "retry: 250\nevent: build\ndata: " + d.buildID() + "\n\n"
	switch {
	case d.problems != "":
		hello += "event: problems\ndata: " + strings.ReplaceAll(strings.TrimRight(d.problems, "\n"), "\n", "\ndata: ") + "\n\n"
	case d.warnings != "":
		hello += "event: warnings\ndata: " + strings.ReplaceAll(strings.TrimRight(d.warnings, "\n"), "\n", "\ndata: ") + "\n\n"
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
