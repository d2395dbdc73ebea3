//go:build edge

package edge_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/blackbox"
	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/internal/dbtest"
	"github.com/winnowhq/winnow/internal/demo"
	"github.com/winnowhq/winnow/internal/wrangler"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

// A D1 database filled by the previous release (worker/testdata/
// schema-0004.sql.gz: `winnow demo` at the commit whose migrations end
// with 0004) migrates forward in D1 with `wrangler d1 migrations apply`,
// as migrateD1 checks.
func TestMigrateD1From0004(t *testing.T) {
	migrateD1(t, "schema-0004.sql.gz", "0005_recent.sql", nil, nil,
		"0001_init.sql", "0002_secret_sessions.sql", "0003_lifecycle.sql", "0004_rollups.sql")
}

// The database of the release before owners (worker/testdata/
// schema-0005.sql.gz) migrates to 0006 in D1, as migrateD1 checks; its
// leads are served owned by nobody, and a new lead that enters a stage a
// team owns is assigned by the edge's embedded routing.
func TestMigrateD1From0005(t *testing.T) {
	unowned := func(t *testing.T, id string, l leadView) {
		if l.Owner != "" || l.Team != "" {
			t.Errorf("lead %s of the previous release owns %q of %q after migrating, want nobody", id, l.Owner, l.Team)
		}
	}
	d := migrateD1(t, "schema-0005.sql.gz", "0006_owner.sql", nil, unowned,
		"0001_init.sql", "0002_secret_sessions.sql", "0003_lifecycle.sql", "0004_rollups.sql", "0005_recent.sql")

	// A new MQL in Germany: Sales development, territory dach.
	body, _ := json.Marshal(map[string]any{"idempotency_key": "migrate-0005", "fields": map[string]string{
		"name": "Ana Souza", "email": "ana.migrate0005@northwind.io", "company": "Northwind Software",
		"company_size": "201-1000", "industry": "software", "role": "marketing", "seniority": "director",
		"country": "DE", "request": "question", "consent": "yes"}})
	resp, err := http.Post(d.URL+"/api/leads", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || created.ID == "" {
		t.Fatalf("POST /api/leads after migrating: %s\n%s", resp.Status, d.Output())
	}
	l := edgeLead(t, d.URL, created.ID)
	if l.Stage != "MQL" || l.Team != "Sales development" || (l.Owner != "Anna Schmidt" && l.Owner != "Lukas Weber") {
		t.Errorf("a new lead after migrating: %s, owner %q of %q; want an MQL of Sales development owned in territory dach", l.Stage, l.Owner, l.Team)
	}
}

// The database of the release before accounts (worker/testdata/
// schema-0006.sql.gz), with a dashboard session of the admin token,
// migrates in D1 to this release's schema (0007 and 0008 applied), as
// migrateD1 checks; the session is the admin
// token's and still opens the dashboard; the admin token logs in; nobody
// has an account.
func TestMigrateD1From0006(t *testing.T) {
	cookie := strings.Repeat("Ab3_", 10) + "xyz"
	session := func(t *testing.T, old *sql.DB) {
		start := time.Now().Add(-time.Hour)
		if _, err := old.Exec(`INSERT INTO sessions (id_hash, created_at, expires_at) VALUES (?, ?, ?)`,
			oldSessionID(blackbox.HashSecret, blackbox.AdminToken, cookie), start.UnixMilli(), start.Add(12*time.Hour).UnixMilli()); err != nil {
			t.Fatal(err)
		}
	}
	d := migrateD1(t, "schema-0006.sql.gz", "0007_accounts.sql", session, nil,
		"0001_init.sql", "0002_secret_sessions.sql", "0003_lifecycle.sql", "0004_rollups.sql", "0005_recent.sql", "0006_owner.sql")

	page := func(c *http.Client, req *http.Request) string {
		t.Helper()
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.Status + "\n" + string(b)
	}
	req, _ := http.NewRequest("GET", d.URL+"/admin", nil)
	req.AddCookie(&http.Cookie{Name: "winnow_admin", Value: cookie})
	if p := page(http.DefaultClient, req); !strings.Contains(p, `<span class="vh">Signed in as </span>admin</a>`) {
		t.Errorf("the session stored before migrating does not open the dashboard in D1:\n%.1500s", p)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	login, _ := http.NewRequest("POST", d.URL+"/admin/login", strings.NewReader(url.Values{"token": {blackbox.AdminToken}}.Encode()))
	login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if p := page(c, login); !strings.Contains(p, "Funnel overview") || !strings.Contains(p, `action="/admin/logout"`) {
		t.Errorf("the admin token does not log in after migrating in D1:\n%.1500s", p)
	}
	people, _ := http.NewRequest("GET", d.URL+"/admin/people", nil)
	if p := page(c, people); !strings.Contains(p, "Nobody has an account yet.") || !strings.Contains(p, "It has 2 open sessions.") {
		t.Errorf("the people page after migrating in D1:\n%.3000s", p)
	}
}

// oldSessionID is the hash under which the releases before accounts
// stored a dashboard session whose cookie holds id (see worker's
// TestMigrateFrom0006).
func oldSessionID(secret, token, id string) string {
	k := hmac.New(sha256.New, []byte(secret))
	k.Write([]byte("winnow admin session\x00" + token))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write([]byte("session\x00" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// migrateD1 makes a local D1 with the migrations (previous) and rows of
// the release that filled dump (after prepare, if any, adds to them),
// applies this release's migrations as a deployment does (the first of
// them named first) and checks that every
// lead, event, score row and webhook is kept; that each lead is served as
// it was stored (and as served checks it); that after the scheduled work
// re-scores the due ones at an instant, each stands exactly as the same
// database migrated and re-scored natively at that instant, assignments
// included; and that the report is counted anew. It returns the worker,
// running.
func migrateD1(t *testing.T, dump, first string, prepare func(*testing.T, *sql.DB), served func(*testing.T, string, leadView),
	previous ...string) *wrangler.Dev {
	t.Helper()
	root := repoRoot(t)
	for _, f := range []string{"build/edge/worker.mjs", "build/edge/app.wasm"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Fatalf("%s is missing: run make edge (%v)", f, err)
		}
	}
	ctx := context.Background()
	dir := t.TempDir()
	counts := `SELECT (SELECT count(*) FROM leads) AS leads, (SELECT count(*) FROM events) AS events,
		(SELECT count(*) FROM scores) AS scores, (SELECT count(*) FROM outbox) AS outbox`
	oldPath := filepath.Join(dir, "old.db")
	old, persist, want := previousD1(t, root, dir, dump, oldPath, counts, prepare, previous...)

	// This release's migrations, as a deployment applies them.
	out := d1(t, root, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist)
	if !strings.Contains(out, first) || strings.Contains(out, previous[len(previous)-1]) {
		t.Fatalf("wrangler did not apply this release's migrations from %s on:\n%s", first, out)
	}
	if got := d1Counts(t, root, persist, counts); got != want {
		t.Fatalf("after migrating in D1: leads, events, scores, webhooks %v; were %v", got, want)
	}

	// The same database migrated natively, re-scored at an instant.
	at := time.Now().Add(time.Hour).Truncate(time.Second)
	c, diags := content.Load(os.DirFS(filepath.Join(root, "content")), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	b, err := os.ReadFile(oldPath)
	if err != nil {
		t.Fatal(err)
	}
	nativePath := filepath.Join(dir, "native.db")
	os.WriteFile(nativePath, b, 0o644)
	native, err := sqlitedb.Open(ctx, nativePath) // migrates it, as winnow serve does
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { native.Close() })
	h, err := worker.New(worker.Config{DB: native, Model: c.Model, Routing: c.Routing, Secret: blackbox.HashSecret, AdminToken: blackbox.AdminToken,
		Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}

	// Served as stored, before any re-scoring.
	d := wrangler.Start(t, wrangler.Options{Root: root, Persist: persist,
		Vars: map[string]string{"WINNOW_ADMIN_TOKEN": blackbox.AdminToken, "WINNOW_SECRET": blackbox.HashSecret}})
	ids := leadIDs(t, old)
	for _, id := range ids {
		var stored verdictView
		var stage string
		var events, scores int
		old.QueryRow(`SELECT stage, json_extract(verdict, '$.stage'), fit, tier, score,
			(SELECT count(*) FROM events e WHERE e.lead_id = leads.id), (SELECT count(*) FROM scores s WHERE s.lead_id = leads.id)
			FROM leads WHERE id = ?`, id).Scan(&stage, &stored.Stage, &stored.Fit, &stored.Tier, &stored.Score, &events, &scores)
		l := edgeLead(t, d.URL, id)
		if l.Stage != stage || l.Verdict != stored || len(l.Events) < events || len(l.Scores) != scores {
			t.Errorf("lead %s in D1 after migrating: %s %+v, %d events, %d score rows; stored %s %+v, %d, %d", id, l.Stage, l.Verdict,
				len(l.Events), len(l.Scores), stage, stored, events, scores)
		}
		if served != nil {
			served(t, id, l)
		}
	}
	d.Stop()

	// Re-scored at the instant by the scheduled work, as natively.
	if r, err := h.Rescore(ctx, at); err != nil || r.Changed == 0 {
		t.Fatalf("natively, nothing was re-scored at %s (%+v, %v): the comparison would show nothing", at, r, err)
	}
	d = wrangler.Start(t, wrangler.Options{Root: root, Persist: persist, Vars: map[string]string{
		"WINNOW_ADMIN_TOKEN": blackbox.AdminToken, "WINNOW_SECRET": blackbox.HashSecret,
		"WINNOW_CLOCK_OFFSET": time.Until(at).Round(time.Second).String()}})
	if err := d.Scheduled(); err != nil {
		t.Fatalf("%v\n%s", err, d.Output())
	}
	for _, id := range ids {
		e, n := edgeLead(t, d.URL, id), nativeLead(t, h, id)
		if e.Stage != n.Stage || e.last().Fit != n.last().Fit || e.last().Tier != n.last().Tier ||
			math.Abs(e.last().Score-n.last().Score) > 0.05 || len(e.Events) != len(n.Events) || len(e.Scores) != len(n.Scores) ||
			e.Team != n.Team || (e.Owner == "") != (n.Owner == "") {
			t.Errorf("lead %s re-scored in D1: %s %+v, %d events, %d score rows, owner %q of %q; natively %s %+v, %d, %d, %q of %q",
				id, e.Stage, e.last(), len(e.Events), len(e.Scores), e.Owner, e.Team, n.Stage, n.last(), len(n.Events), len(n.Scores), n.Owner, n.Team)
		}
	}
	// The report is counted anew from the events, and answers.
	var rep struct {
		Totals struct{ Leads int }
	}
	for try := 0; ; try++ {
		resp := adminGet(t, d.URL+"/api/report?tz=UTC")
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			json.Unmarshal(body, &rep)
			break
		}
		if resp.StatusCode != http.StatusServiceUnavailable || try == 20 {
			t.Fatalf("GET /api/report after migrating: %s %s", resp.Status, body)
		}
		d.Scheduled()
	}
	if rep.Totals.Leads != want[0] {
		t.Errorf("the report after migrating counts %d leads, want %d", rep.Totals.Leads, want[0])
	}
	return d
}

// previousD1 makes a local D1 (its state in dir) with the previous
// release's migrations (names, of worker/migrations) holding the rows of
// the database it filled (worker/testdata/dump, restored at oldPath, then
// given to prepare if not nil), and
// returns that database, the D1's state directory and the counts q reads
// of both, which must agree on 80 leads.
func previousD1(t *testing.T, root, dir, dump, oldPath, q string, prepare func(*testing.T, *sql.DB), names ...string) (*sql.DB, string, [4]int) {
	t.Helper()
	old := dbtest.Restore(t, filepath.Join(root, "worker/testdata", dump), oldPath)
	if prepare != nil {
		prepare(t, old)
	}
	rowsSQL := filepath.Join(dir, "rows.sql")
	f, err := os.Create(rowsSQL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.WriteD1(context.Background(), old, f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	previous := filepath.Join(dir, "migrations")
	os.MkdirAll(previous, 0o755)
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(root, "worker/migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(previous, name), b, 0o644)
	}
	persist := filepath.Join(dir, "state")
	oldConfig := configWith(t, root, previous)
	d1(t, root, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist, "--config", oldConfig)
	d1(t, root, "d1", "execute", "DB", "--local", "--persist-to", persist, "--config", oldConfig, "--file", rowsSQL)
	want := queryCounts(t, old, q)
	if got := d1Counts(t, root, persist, q); got != want || want[0] != 80 {
		t.Fatalf("the previous release's rows in D1: %v, want %v", got, want)
	}
	return old, persist, want
}

// configWith writes wrangler.jsonc with absolute paths and its D1
// migrations taken from dir.
func configWith(t *testing.T, root, dir string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(root, "wrangler.jsonc"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	for p, to := range map[string]string{"build/edge/worker.mjs": "", "build/public": "", "worker/migrations": dir,
		"node_modules/wrangler/config-schema.json": ""} {
		if to == "" {
			to = filepath.Join(root, p)
		}
		text = strings.Replace(text, `"`+p+`"`, strconv.Quote(to), 1)
	}
	path := filepath.Join(t.TempDir(), "wrangler.jsonc")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// d1 runs wrangler with args in the repository and returns its output.
func d1(t *testing.T, root string, args ...string) string {
	t.Helper()
	out, err := wrangler.Run(root, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// queryCounts reads one row of four counts.
func queryCounts(t *testing.T, db *sql.DB, q string) [4]int {
	t.Helper()
	var n [4]int
	if err := db.QueryRow(q).Scan(&n[0], &n[1], &n[2], &n[3]); err != nil {
		t.Fatal(err)
	}
	return n
}

// d1Counts reads one row of four counts from the local D1.
func d1Counts(t *testing.T, root, persist, q string) [4]int {
	t.Helper()
	out := d1(t, root, "d1", "execute", "DB", "--local", "--persist-to", persist, "--json", "--command", q)
	var res []struct {
		Results []struct{ Leads, Events, Scores, Outbox int }
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "["):]), &res); err != nil || len(res) != 1 || len(res[0].Results) != 1 {
		t.Fatalf("wrangler d1 execute --json: %v\n%s", err, out)
	}
	r := res[0].Results[0]
	return [4]int{r.Leads, r.Events, r.Scores, r.Outbox}
}

func leadIDs(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT id FROM leads ORDER BY created_at`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		out = append(out, id)
	}
	return out
}

// leadView is what GET /api/leads/{id} says of a lead that is compared.
type leadView struct {
	Stage   string
	Owner   string
	Team    string
	Events  []json.RawMessage
	Scores  []json.RawMessage
	Verdict verdictView
}

// verdictView is what a lead's verdict says that is compared.
type verdictView struct {
	Stage, Fit, Tier string
	Score            float64
}

func (l leadView) last() verdictView { return l.Verdict }

func adminGet(t *testing.T, url string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+blackbox.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func edgeLead(t *testing.T, base, id string) leadView {
	t.Helper()
	resp := adminGet(t, base+"/api/leads/"+id)
	defer resp.Body.Close()
	var l leadView
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/leads/%s: %s (%v)", id, resp.Status, err)
	}
	return l
}

func nativeLead(t *testing.T, h http.Handler, id string) leadView {
	t.Helper()
	req := httptest.NewRequest("GET", "/api/leads/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+blackbox.AdminToken)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var l leadView
	if err := json.NewDecoder(bytes.NewReader(w.Body.Bytes())).Decode(&l); err != nil || w.Code != http.StatusOK {
		t.Fatalf("natively, GET /api/leads/%s: %d (%v)", id, w.Code, err)
	}
	return l
}
