package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/winnowhq/winnow/internal/sitehttp"
	"github.com/winnowhq/winnow/site"
	"github.com/winnowhq/winnow/site/cachepolicy"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

var serveCmd = &command{
	name:    "serve",
	summary: "build the site and serve it with the API over SQLite, as the edge does",
	usage:   "serve [--addr 127.0.0.1:8080] [--out build/public] [--db build/winnow.db] [--deliver-every 2s] [--trusted-proxy CIDR,...] [content-dir]",
	help: `
Serve runs the edge natively: it builds the site like build, serves it with
the edge's security headers and immutable caching of the fingerprinted
assets, takes leads on /api/ with the model of the content directory
(default "content"), stores them in an SQLite database, delivers the
webhooks every --deliver-every and purges expired personal data hourly.

Secrets, origin, limits and webhook targets come from the environment:
WINNOW_ADMIN_TOKEN, WINNOW_SECRET, WINNOW_CALLBACK_SECRET, WINNOW_ORIGIN,
WINNOW_WEBHOOK_URL and WINNOW_WEBHOOK_SECRET, WINNOW_HUBSPOT_URL and
WINNOW_HUBSPOT_TOKEN, WINNOW_RATE_PER_IP, WINNOW_RATE_PER_EMAIL,
WINNOW_RATE_WINDOW, WINNOW_WEBHOOK_ATTEMPTS, WINNOW_WEBHOOK_RETRY, and
WINNOW_MODEL_CHECK_MAX (the leads the dashboard's model check reads,
20000 by default; 0 turns it off).

The dashboard (/admin) is for the people winnow people adds to the
database (or an admin adds on its People page), each with a role, who log
in with a password or a login link; the admin token logs in too, as the
break-glass admin.

Rate limits and failed logins count per client address (an IPv6 client by
its /64). Behind a reverse proxy such as nginx, every request comes from
the proxy: name it with --trusted-proxy (or WINNOW_TRUSTED_PROXIES), a
comma-separated list of CIDR prefixes or addresses, e.g. 127.0.0.1,::1.
A request from a trusted proxy is counted against the rightmost address
of its X-Forwarded-For header that is not itself a trusted proxy; from
anywhere else, X-Forwarded-For is ignored. The proxy must append the
address it received the request from (nginx:
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for).

On SIGINT or SIGTERM it stops taking connections, lets the requests under
way finish, and exits.`,
	setup: func(fs *flag.FlagSet) func(*env, []string) error {
		o := buildFlags(fs)
		addr := fs.String("addr", "127.0.0.1:8080", "the address to serve on")
		dbPath := fs.String("db", filepath.Join("build", "winnow.db"), "the SQLite database")
		every := fs.Duration("deliver-every", 2*time.Second, "how often due webhooks are delivered")
		var proxies []netip.Prefix
		fs.Func("trusted-proxy", "the reverse proxies in front, as CIDR prefixes or addresses, comma-separated: "+
			"X-Forwarded-For is read from them only (default: WINNOW_TRUSTED_PROXIES)", func(s string) error {
			p, err := worker.ParseTrustedProxies(s)
			proxies = append(proxies, p...)
			return err
		})
		return func(e *env, args []string) error {
			if len(args) > 1 {
				fmt.Fprintln(e.stderr, "winnow serve: at most one content directory")
				return errUsage
			}
			if len(args) == 1 {
				o.content = args[0]
			}
			res, err := o.build(e, &site.Dir{Path: o.out}, "", "")
			if err != nil {
				return err
			}
			public := &o.out
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			db, err := sqlitedb.Open(ctx, *dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			a, err := newAPI(ctx, db, e.stderr)
			if err != nil {
				return err
			}
			if proxies != nil {
				a.cfg.TrustedProxies = proxies
			}
			a.content = o.content
			if err := a.use(res.Model, res.Routing, worker.PageSettings{Site: res.Site, FormURL: res.FormURL, Forms: res.Forms, Verdict: res.Verdict}); err != nil {
				return err
			}
			// Nothing keeps what the build made (res holds the model and
			// the layout's parts), but its garbage stays resident: a
			// quiet server allocates too little to start a collection
			// before the runtime forces one, two minutes on, and even
			// then the runtime keeps part of it (a site of 10,000 pages
			// kept 150 MB resident, then 70 MB). Return it now.
			debug.FreeOSMemory()
			ln, err := net.Listen("tcp", *addr)
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: &server{api: a, public: *public}, ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
			go a.run(ctx, *every, e.stderr)
			fmt.Fprintf(e.stdout, "serving %s and the API (model %s) on http://%s\n", *public, res.Model.Version, ln.Addr())
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return srv.Shutdown(shut)
		}
	},
}

// server serves the site in public and the API beside it, as the edge
// does (package sitehttp).
type server struct {
	api    *api
	public string
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sitehttp.Handler{Root: s.public, Pages: cachepolicy.Revalidate, Worker: s.api}.ServeHTTP(w, r)
}
