// Package worker is Winnow's edge: one net/http Handler that validates and
// re-scores every submitted lead with the model it holds, stores it with
// its stage events and an outbox of webhooks in one transaction, records
// what sales does next, and delivers the webhooks. The same handler runs
// on Cloudflare Workers over D1 (cmd/edge) and natively over SQLite
// (winnow dev); only the commands choose drivers and read the environment.
package worker

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"errors"
	"net/http"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/templates"
	"github.com/winnowhq/winnow/worker/access"
	"github.com/winnowhq/winnow/worker/crm"
	"github.com/winnowhq/winnow/worker/notify"
	"github.com/winnowhq/winnow/worker/store"
)

// Config is everything a Handler needs.
type Config struct {
	DB    *sql.DB
	Batch store.Batch // nil: store.TxBatch(DB)
	Now   func() time.Time
	// ClockOffset moves the handler's clock and the instant of the
	// scheduled work by a fixed time (WINNOW_CLOCK_OFFSET): for tests of a
	// deployed worker, whose clock a test cannot set otherwise. Zero in
	// production.
	ClockOffset time.Duration
	Model       *qualify.Model
	// Routing says who owns a lead (content/routing.yaml), compiled; nil:
	// leads are not assigned. A lead that enters a stage whose SLA owner
	// names one of its teams goes to the person its Route gives.
	Routing *routing.Routing
	// Domains classifies email domains for the model's free_email and
	// disposable_email; nil: the core's short table. The commands give the
	// full lists (worker/domains): the server's verdict is the one stored.
	// If it is also a Loader, it is loaded before the model scores a lead.
	Domains qualify.DomainClassifier
	// Zones reads a time zone of the IANA database by name; nil: the
	// machine's (time.LoadLocation). The edge reads the site's copy.
	Zones func(ctx context.Context, name string) (*time.Location, error)

	// Origin is the site's own origin, e.g. "https://winnow.example":
	// the only one allowed to call the API from a browser. "" allows
	// same-origin requests only.
	Origin string
	// Page renders the server's pages (the next step after a plain form
	// post, field errors) in the site's layout.
	Page PageSettings

	// AdminToken guards the admin routes of the API; "" disables them.
	// It also logs in to the dashboard as the break-glass admin, beside
	// the people who have an account.
	AdminToken string
	// AccessTeam and AccessAUD put the dashboard behind Cloudflare
	// Access: the team ("acme" for acme.cloudflareaccess.com) and the
	// audience tag of its Access application. Every request to /admin
	// must then carry the token Access signs, and the email it names is
	// the account; nobody logs in with a password or a login link.
	AccessTeam, AccessAUD string
	// AccessCertsURL fetches the team's keys from elsewhere than the
	// team's certs endpoint: for tests only, a loopback address.
	AccessCertsURL string
	// AccessDefaultRole is the role of the account made for someone
	// Access lets in without one: RoleViewer or RoleSales; "" (the
	// default) refuses them until an admin adds them. Access policies
	// often let in a whole company, and a viewer reads every lead.
	AccessDefaultRole string
	// CallbackSecret lets a CRM record stage events without the admin
	// token: it signs its callbacks like Winnow signs its webhooks.
	CallbackSecret string
	// IPHeader names the request header that holds the client's address
	// when a proxy sets it ("CF-Connecting-IP" at the edge); "" uses the
	// connection's address.
	IPHeader string
	// TrustedProxies are the networks of the proxies in front of a
	// native server, such as nginx: when a request comes from one, the
	// client's address is the rightmost one of X-Forwarded-For that is
	// not itself a trusted proxy. Without them, or from anywhere else,
	// X-Forwarded-For is ignored. IPHeader goes first.
	TrustedProxies []netip.Prefix
	// Secret keys the hashes of IP addresses and emails used for rate
	// limits; it must not be empty in production.
	Secret string

	// Dispatch, if set, is told the outbox rows a request has just
	// committed, to deliver them at once: at the edge it puts them on a
	// Cloudflare queue, natively it wakes the delivery loop. The next
	// Deliver sends any it loses.
	Dispatch func(ctx context.Context, ids []string)
	// Instance, if set, tells GET /healthz, asked with the admin token,
	// since when the program serving it has run and how many events it
	// has served.
	Instance func() Instance

	// HubSpotSecret is the client secret of the HubSpot app whose
	// webhooks (signature v3) send contact and deal changes back in.
	HubSpotSecret string
	// Integrations are the tokens other systems post signals with
	// (POST /api/signals), by the name the signals are recorded under.
	Integrations map[string]string

	// ModelCheck computes the dashboard's model check (/admin/model): a
	// modelcheck.Checker, natively and at the edge; nil turns the check
	// off, and the page then says how to run it with winnow backtest --db.
	ModelCheck ModelChecker

	Targets []crm.Target // webhook targets
	Client  Doer         // sends webhooks; nil: natively an *http.Client with a 10 s timeout
	Limits  Limits
	Log     Logger // nil: discard; never given PII or secrets

	// Channels are where the owners of leads are told what needs them
	// (notify.Channel: a Slack-compatible incoming webhook, a signed JSON
	// webhook, email through Resend), through the outbox like the
	// webhooks; what they are told, and when, is the routing's
	// (routing.Alerts). Without channels no alert is raised; escalations
	// happen all the same.
	Channels []notify.Channel
	// Env reads the environment (at the edge, the Worker's vars), for the
	// URL of a team's own Slack webhook, by the variable the routing names
	// (routing.Team.Slack): FromEnv sets it. nil: teams share the channels.
	Env func(name string) string
}

// Logger is what the handler logs with: natively a *slog.Logger; at the
// edge a console logger (log/slog would cost the worker 50 KB gzipped).
// Arguments after the message are key and value pairs.
type Logger interface {
	Info(msg string, args ...any)
	Warn(msg string, args ...any)
	Error(msg string, args ...any)
}

// discard is the Logger that logs nothing.
type discard struct{}

func (discard) Info(string, ...any)  {}
func (discard) Warn(string, ...any)  {}
func (discard) Error(string, ...any) {}

// Loader is a DomainClassifier whose data loads on first use: at the
// edge, the lists are one of the site's files, read once per instance.
type Loader interface {
	Load(ctx context.Context) error
}

// Doer sends an HTTP request: an *http.Client natively; at the edge, the
// Workers runtime's fetch(), since an *http.Client there links net/http's
// whole transport (dialer, TLS, HTTP/2): a third of the worker's size.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Limits bound what one client can do.
type Limits struct {
	MaxBody       int64         // request body bytes; default 64 KiB
	PerIP         int           // submissions per IP per Window; default 20
	PerEmail      int           // submissions per email per Window; default 5
	Window        time.Duration // default 10 minutes
	MaxAttempts   int           // webhook deliveries before a row is dead; default 8
	RetryBase     time.Duration // the first wait before a webhook is retried; default 30 s
	DeliverBatch  int           // webhooks claimed at once by a delivery run; default 64
	Concurrency   int           // webhooks sent at once per target; default 16
	DeliverBudget time.Duration // how long one delivery, re-scoring or alert run goes on; default 20 s
	RescoreBatch  int           // leads a re-scoring run reads at once; default 200
	AlertBatch    int           // leads a pass of alerts reads at once; default 100
	SendTimeout   time.Duration // how long one webhook or alert may take to be answered; default 15 s
	LoginFailures int           // failed admin logins per IP per Window; default 10
}

func (l *Limits) defaults() {
	if l.MaxBody == 0 {
		l.MaxBody = 64 << 10
	}
	if l.PerIP == 0 {
		l.PerIP = 20
	}
	if l.PerEmail == 0 {
		l.PerEmail = 5
	}
	if l.Window == 0 {
		l.Window = 10 * time.Minute
	}
	if l.MaxAttempts == 0 {
		l.MaxAttempts = 8
	}
	if l.RetryBase == 0 {
		l.RetryBase = 30 * time.Second
	}
	if l.DeliverBatch == 0 {
		l.DeliverBatch = 64
	}
	if l.Concurrency == 0 {
		l.Concurrency = 16
	}
	if l.RescoreBatch == 0 {
		l.RescoreBatch = 200
	}
	if l.AlertBatch == 0 {
		l.AlertBatch = 100
	}
	if l.SendTimeout == 0 {
		l.SendTimeout = 15 * time.Second
	}
	if l.DeliverBudget == 0 {
		l.DeliverBudget = 20 * time.Second
	}
	if l.LoginFailures == 0 {
		l.LoginFailures = 10
	}
}

// Instance is what the program serving a request tells of itself.
type Instance struct {
	Started time.Time // when it started
	Events  int       // the events it has served, this one included
}

// ZoneinfoPath is where the site publishes Go's time zone database for
// the edge (worker.Config.Zones reads it there).
const ZoneinfoPath = "/edge/zoneinfo.zip"

// Handler serves the API. Build it with New.
type Handler struct {
	c       Config
	mux     *http.ServeMux
	log     Logger
	store   *store.Store
	access  *access.Verifier // nil unless the dashboard is behind Cloudflare Access
	rollups rollupCache
	// modelCheck is the dashboard's last model check.
	modelCheck modelCheck
	// channels are the alerts' channels: Config.Channels and the teams'
	// own Slack webhooks.
	channels []notify.Channel
}

// New checks a configuration and returns its Handler.
func New(c Config) (*Handler, error) {
	if c.DB == nil {
		return nil, errors.New("worker: no database")
	}
	if c.Model == nil {
		return nil, errors.New("worker: no model")
	}
	if c.Batch == nil {
		c.Batch = store.TxBatch(c.DB)
	}
	if c.Domains != nil {
		m := *c.Model
		m.Domains = c.Domains
		c.Model = &m
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Client == nil {
		c.Client = defaultClient()
	}
	for _, t := range c.Targets {
		if err := t.Check(); err != nil {
			return nil, err
		}
	}
	chans, err := channels(&c)
	if err != nil {
		return nil, err
	}
	if c.Client == nil && len(c.Targets)+len(chans) > 0 {
		return nil, errors.New("worker: webhook targets or alert channels but no HTTP client")
	}
	c.Limits.defaults()
	h := &Handler{c: c, mux: http.NewServeMux(), log: c.Log, store: store.New(c.DB, c.Batch), channels: chans}
	if err := h.useAccess(); err != nil {
		return nil, err
	}
	if h.log == nil {
		h.log = discard{}
	}
	h.mux.HandleFunc("GET /healthz", h.healthz)
	h.mux.HandleFunc("POST /api/leads", h.postLead)
	h.mux.HandleFunc("OPTIONS /api/leads", h.preflight)
	h.mux.HandleFunc("GET /api/leads/{id}", h.admin(h.getLead))
	h.mux.HandleFunc("POST /api/leads/{id}/events", h.postEvent)
	h.mux.HandleFunc("POST /api/leads/{id}/merge", h.admin(h.postMerge))
	h.mux.HandleFunc("POST /api/leads/{id}/unmerge", h.admin(h.postUnmerge))
	h.mux.HandleFunc("POST /api/signals", h.postSignals)
	h.mux.HandleFunc("POST /api/hubspot", h.postHubSpot)
	h.mux.HandleFunc("POST /api/beacon", h.postBeacon)
	h.mux.HandleFunc("GET /api/profile", h.getProfile)
	h.mux.HandleFunc("GET /api/report", h.admin(h.report))
	h.mux.HandleFunc("GET /api/queue", h.admin(h.apiQueue))
	h.mux.HandleFunc("GET /api/export.csv", h.admin(h.exportCSV))
	h.mux.HandleFunc("GET /api/outbox", h.admin(h.outbox))
	h.mux.HandleFunc("POST /api/outbox/{id}/retry", h.admin(h.retry))
	h.routeDashboard()
	h.routeDocs()
	h.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, newError("not_found", "no such API route: "+r.Method+" "+r.URL.Path))
	})
	return h, nil
}

// ServeHTTP sets the security headers every response carries and routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	SecurityHeaders(w.Header())
	if origin := r.Header.Get("Origin"); origin != "" && h.c.Origin != "" && origin == h.c.Origin {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Add("Vary", "Origin")
	}
	h.mux.ServeHTTP(w, r)
}

// SecurityHeaders sets the headers every page the worker serves carries:
// a strict content security policy (the site's own scripts, styles and
// WebAssembly only, no framing), HSTS, no MIME sniffing, and a referrer
// policy that keeps paths on the site.
func SecurityHeaders(hd http.Header) {
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "+
		"img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")
	hd.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	hd.Set("X-Frame-Options", "DENY")
}

// preflight answers CORS preflight requests from the site's own origin.
func (h *Handler) preflight(w http.ResponseWriter, r *http.Request) {
	if h.c.Origin == "" || r.Header.Get("Origin") != h.c.Origin {
		writeError(w, newError("origin", "cross-origin requests are allowed from the site's own origin only"))
		return
	}
	w.Header().Set("Access-Control-Allow-Methods", "POST")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Idempotency-Key")
	w.Header().Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// crossOrigin reports a browser request from another site: the API
// refuses state changes from origins other than the site's own.
func (h *Handler) crossOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" && h.c.Origin == "" {
		return false
	}
	if h.c.Origin != "" {
		return origin != h.c.Origin
	}
	return !strings.EqualFold(strings.TrimPrefix(strings.TrimPrefix(origin, "https://"), "http://"), r.Host)
}

func (h *Handler) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := h.store.Ping(ctx); err != nil {
		h.log.Error("health check", "err", err)
		writeError(w, newError("database", "the database does not answer"))
		return
	}
	out := map[string]any{"ok": true, "model": h.c.Model.Version}
	if h.authorized(r) {
		if h.c.Instance != nil {
			i := h.c.Instance()
			out["instance"] = map[string]any{"started": i.Started.UTC().Format(time.RFC3339Nano), "events": i.Events}
		}
		// The program's memory: the heap in use now, and all it holds
		// from the system (at the edge, the module's memory, which only
		// grows: its peak).
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		out["memory"] = map[string]uint64{"heap_inuse": ms.HeapInuse, "sys": ms.Sys}
		// What was dropped rather than refused.
		dropped, err := h.store.Counters(ctx)
		if err != nil {
			h.serverError(w, r, false, "reading the counters", err)
			return
		}
		out["dropped"] = dropped
	}
	writeJSON(w, http.StatusOK, out)
}

// Unavailable answers 503 with the API's error body, for a worker that
// cannot serve.
func Unavailable(w http.ResponseWriter, msg string) {
	SecurityHeaders(w.Header())
	writeError(w, newError("unavailable", msg))
}

// admin guards a route with the admin bearer token (see bearer). A path
// holding NUL is no route: it is answered 404 before anything else.
func (h *Handler) admin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if nulPath(r) {
			writeError(w, newError("not_found", "no API route has NUL in its path"))
			return
		}
		ok, retry, err := h.bearer(r)
		switch {
		case err != nil:
			h.serverError(w, r, false, "counting wrong admin tokens", err)
		case retry > 0:
			h.tooMany(w, r, false, retry, "too many wrong admin tokens from your network")
		case !ok:
			w.Header().Set("WWW-Authenticate", `Bearer realm="winnow"`)
			writeError(w, newError("unauthorized", "this route needs the admin token as Authorization: Bearer <token>"))
		default:
			next(w, r)
		}
	}
}

// authorized reports whether the request carries the admin token as its
// bearer token and may try it (see bearer).
func (h *Handler) authorized(r *http.Request) bool {
	ok, _, err := h.bearer(r)
	if err != nil {
		h.log.Error("counting wrong admin tokens", "err", err)
	}
	return ok
}

// bearer checks the admin token a request carries as its bearer token.
// A request without one tries nothing. A wrong one counts against the
// client's address, with the dashboard's failed logins (loginKey): past
// Limits.LoginFailures in a window, every token, right or wrong, is
// refused until the window ends, in retry.
func (h *Handler) bearer(r *http.Request) (ok bool, retry time.Duration, err error) {
	token, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if h.c.AdminToken == "" || !found {
		return false, 0, nil
	}
	return h.attempt(r.Context(), h.loginKey(r), func() bool { return h.isAdminToken(token) })
}

// isAdminToken compares a token with the admin token in constant time
// (hashes of equal length, so the length leaks nothing).
func (h *Handler) isAdminToken(got string) bool {
	if h.c.AdminToken == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(h.c.AdminToken))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

func (h *Handler) now() time.Time { return h.c.Now().Add(h.c.ClockOffset) }

// useAccess checks the configuration of Cloudflare Access, if any, and
// makes the verifier of its tokens.
func (h *Handler) useAccess() error {
	c := h.c
	if c.AccessTeam == "" && c.AccessAUD == "" && c.AccessCertsURL == "" && c.AccessDefaultRole == "" {
		return nil
	}
	if c.AccessTeam == "" || c.AccessAUD == "" {
		return errors.New("worker: Cloudflare Access needs both the team (WINNOW_ACCESS_TEAM) and the application's audience tag (WINNOW_ACCESS_AUD)")
	}
	switch c.AccessDefaultRole {
	case "", templates.RoleViewer, templates.RoleSales:
	default:
		return errors.New("worker: WINNOW_ACCESS_DEFAULT_ROLE " + strconv.Quote(c.AccessDefaultRole) +
			" is not viewer or sales (or empty: refused until an admin adds them)")
	}
	if c.Client == nil {
		return errors.New("worker: Cloudflare Access but no HTTP client to fetch its keys with")
	}
	v, err := access.New(access.Config{Team: c.AccessTeam, AUD: c.AccessAUD, CertsURL: c.AccessCertsURL, Client: c.Client, Now: h.now})
	if err != nil {
		return errors.New("worker: " + err.Error())
	}
	h.access = v
	return nil
}

// model returns the model to score with, once what its domain classifier
// needs is loaded.
func (h *Handler) model(ctx context.Context) (*qualify.Model, error) {
	if l, ok := h.c.Model.Domains.(Loader); ok {
		if err := l.Load(ctx); err != nil {
			return nil, err
		}
	}
	return h.c.Model, nil
}

// zones is the time zone reader of the request's reports.
func (h *Handler) zones(ctx context.Context) func(string) (*time.Location, error) {
	if h.c.Zones == nil {
		return time.LoadLocation
	}
	return func(name string) (*time.Location, error) { return h.c.Zones(ctx, name) }
}
