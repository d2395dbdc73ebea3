package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/winnowhq/winnow/internal/demo"
	"github.com/winnowhq/winnow/internal/devserver"
	"github.com/winnowhq/winnow/site"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/domains"
	"github.com/winnowhq/winnow/worker/notify"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

var devCmd = &command{
	name:    "dev",
	summary: "build the site, serve it on 127.0.0.1 and rebuild on every change",
	usage:   "dev [--addr 127.0.0.1:8080] [--drafts] [--out dir] [--static dir] [content-dir]",
	help: `
Dev builds the site like build, serves it on a loopback address, and
watches the content and static directories: every change rebuilds what it
affects (a page, the lists and feeds that show it, the pages that use a
glossary term that changed; every page when the model, site.yaml or the
layout's parts change) and reloads the pages open in a browser.
A broken edit shows its problems on the page, as file:line: message, while
the last good site keeps being served. Every build runs the example leads
as check does, and the pages show those that fail.

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

// serveDev runs the dev server (package devserver) with the API over
// SQLite until ctx ends. If ready is not nil, it receives the address
// once the server listens.
func serveDev(ctx context.Context, e *env, o *buildOptions, addr string, ready chan<- string) error {
	ln, err := devserver.Listen(addr)
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
	a.content = o.content
	environ := os.Environ()
	if a.cfg.AdminToken == "" {
		// A token for this run, which the program that replaces this one
		// when the templates change keeps.
		var b [16]byte
		rand.Read(b[:])
		a.cfg.AdminToken = hex.EncodeToString(b[:])
		environ = append(environ, "WINNOW_ADMIN_TOKEN="+a.cfg.AdminToken)
	}
	mail := devMail(e, a, "http://"+ln.Addr().String())
	// A change rebuilds what it affects: the Rebuilder keeps the last
	// good build.
	r := &site.Rebuilder{}
	return devserver.Run(ctx, ln, devserver.Options{
		Out:       o.out,
		Watch:     []string{o.content, o.static},
		Templates: o.templates,
		Build: func(out site.Output, stderr io.Writer, baseURL, reload string, changed []string) (site.Result, error) {
			return o.rebuild(&env{stdout: e.stdout, stderr: stderr}, r, o.changes(changed), out, baseURL, reload)
		},
		Worker: a,
		Built: func(res site.Result) error {
			return a.use(res.Model, res.Routing, worker.PageSettings{Site: res.Site, FormURL: res.FormURL, Forms: res.Forms, Verdict: res.Verdict})
		},
		Check:      exampleFailures,
		AdminToken: a.cfg.AdminToken,
		Mail:       mail,
		Background: func(ctx context.Context) {
			// The demo's webhooks are delivered by the demo, on its own
			// clock: the delivery job starts once they are all in.
			if o.demo {
				seedDemo(ctx, e, a, db, o.db)
			}
			a.run(ctx, 2*time.Second, e.stderr)
		},
		Environ: environ,
		Stdout:  e.stdout,
		Stderr:  e.stderr,
		Ready:   ready,
	})
}

// devMail is where the alerts' emails go in development when no Resend
// key is set (WINNOW_EMAIL_API_KEY): to a stand-in for Resend's API on the
// dev server itself (devserver.MailPath), which keeps them to read and
// says so on stdout, rather than to anyone. It returns the stand-in, or
// nil when mail is sent.
func devMail(e *env, a *api, origin string) http.Handler {
	if os.Getenv("WINNOW_EMAIL_API_KEY") != "" {
		return nil
	}
	var b [16]byte
	rand.Read(b[:])
	key := "re_dev_" + hex.EncodeToString(b[:])
	from := os.Getenv("WINNOW_EMAIL_FROM")
	if from == "" {
		from = "Winnow <alerts@winnow.localhost>"
	}
	a.cfg.Channels = append(a.cfg.Channels, notify.Channel{Name: "alert-email", Kind: notify.KindEmail,
		URL: origin + devserver.MailPath + "emails", Key: key, From: from})
	return &notify.Mailbox{Key: key, OnSend: func(m notify.Mail) {
		fmt.Fprintf(e.stdout, "email not sent (no WINNOW_EMAIL_API_KEY): to %s: %s (%s%s)\n",
			strings.Join(m.To, ", "), m.Subject, origin, devserver.MailPath)
	}}
}

// seedDemo fills the database at path with demo data (winnow demo) if it
// has no leads yet.
func seedDemo(ctx context.Context, e *env, a *api, db *sql.DB, path string) {
	m := a.m.Load()
	var n int
	if m == nil || db.QueryRowContext(ctx, `SELECT count(*) FROM leads`).Scan(&n) != nil || n > 0 {
		return
	}
	start := time.Now()
	st, err := demo.Fill(ctx, demo.Options{DB: db, Model: m, Routing: a.r.Load(), Domains: domains.Full, Leads: 600, Seed: 1, End: start})
	if err != nil {
		if ctx.Err() == nil {
			fmt.Fprintln(e.stderr, "adding demo data:", err)
		}
		return
	}
	fmt.Fprintf(e.stdout, "demo data added to %s in %v: %d leads, %d stage events (winnow dev --demo=false starts empty)\n",
		path, time.Since(start).Round(time.Millisecond), st.New, st.Events)
}
