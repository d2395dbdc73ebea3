package worker_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/internal/dbtest"
	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/sqlitedb"
	"github.com/winnowhq/winnow/worker/store"
)

// previousRelease opens a copy of a database filled by an earlier release
// (testdata/schema-NNNN.sql.gz: `winnow demo` at the commit that had only
// the migrations up to NNNN, dumped as SQL), migrated to this release.
func previousRelease(t *testing.T, dump string) *sql.DB {
	t.Helper()
	path := loadDump(t, dump)
	db, err := sqlitedb.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("migrating %s: %v", dump, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// oldRelease opens a database filled by an earlier release as it stored
// it, not migrated.
func oldRelease(t *testing.T, dump string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", loadDump(t, dump))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// storedVerdicts is every lead's verdict as stored, by id.
func storedVerdicts(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	rows, err := db.Query(`SELECT id, stage || ' ' || fit || ' ' || tier || ' ' || score || ' ' || verdict || ' ' || version FROM leads`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, v string
		rows.Scan(&id, &v)
		out[id] = v
	}
	return out
}

// loadDump writes a dump into a new database file and returns its path.
func loadDump(t *testing.T, dump string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	dbtest.Restore(t, filepath.Join("testdata", dump), path).Close()
	return path
}

// A database of the release with migration 0001 only keeps every lead,
// event and webhook when migrated, and gains the new tables.
func TestMigrateFrom0001(t *testing.T) {
	db := previousRelease(t, "schema-0001.sql.gz")
	// Each lead's submission becomes an event of its own.
	var submissions int
	if err := db.QueryRow(`SELECT count(*) FROM leads WHERE purged_at IS NULL`).Scan(&submissions); err != nil {
		t.Fatal(err)
	}
	for table, want := range map[string]int{"leads": 80, "events": 137 + submissions, "outbox": 135} {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s: %d rows after migrating, want %d", table, n, want)
		}
	}
	var names []string
	rows, err := db.Query(`SELECT name FROM d1_migrations ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	files, _ := filepathGlob("migrations/*.sql")
	if !slices.Equal(names, files) {
		t.Errorf("migrations applied %q, want every one of %q", names, files)
	}
	secret, err := worker.StoredSecret(context.Background(), db)
	if err != nil || len(secret) != 64 {
		t.Errorf("the settings table after migrating: secret %q, %v", secret, err)
	}
	var sessions int
	if err := db.QueryRow(`SELECT count(*) FROM sessions`).Scan(&sessions); err != nil {
		t.Errorf("the sessions table after migrating: %v", err)
	}

	// This release's handler reads what the old one stored.
	content, diags := content.Load(os.DirFS("../content"), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	h, err := worker.New(worker.Config{DB: db, Model: content.Model, Secret: "s", AdminToken: "migrate-admin-token"})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	db.QueryRow(`SELECT id FROM leads WHERE purged_at IS NULL ORDER BY created_at LIMIT 1`).Scan(&id)
	for _, path := range []string{"/api/leads/" + id, "/api/export.csv", "/api/report?from=2025-12&to=2026-11"} {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer migrate-admin-token")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Errorf("GET %s over the migrated database: %d %s", path, w.Code, w.Body)
		}
		if path == "/api/export.csv" {
			if n := strings.Count(w.Body.String(), "\n") - 1; n < 80 {
				t.Errorf("the export holds %d leads, want the 80 stored", n)
			}
		}
	}
}

// Every lead and event the old release stored is there after migrating,
// as it was; folded from its events, each lead is scored by this release
// exactly as the old one scored it; and a migrated lead takes new facts.
func TestMigratedLeadsRescoredIdentically(t *testing.T) {
	old := oldRelease(t, "schema-0001.sql.gz")
	db := previousRelease(t, "schema-0001.sql.gz")
	ctx := context.Background()

	type eventRow struct {
		lead, stage, actor, source string
		at, recorded               int64
	}
	events := func(db *sql.DB, where string) map[string]eventRow {
		rows, err := db.Query(`SELECT id, lead_id, stage, actor, source, at, recorded_at FROM events ` + where)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]eventRow{}
		for rows.Next() {
			var id string
			var e eventRow
			rows.Scan(&id, &e.lead, &e.stage, &e.actor, &e.source, &e.at, &e.recorded)
			out[id] = e
		}
		return out
	}
	before, after := events(old, ""), events(db, "")
	for id, e := range before {
		if got, ok := after[id]; !ok || got != e {
			t.Errorf("event %s: %+v after migrating, was %+v", id, got, e)
		}
	}

	content, diags := content.Load(os.DirFS("../content"), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	m := content.Model
	s := store.New(db, nil)
	rows, err := old.Query(`SELECT id, created_at, stage, fit, tier, score, json_extract(verdict, '$.stage'), purged_at IS NOT NULL
		FROM leads`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, stage, fit, tier, rules string
		var created int64
		var score float64
		var purged bool
		if err := rows.Scan(&id, &created, &stage, &fit, &tier, &score, &rules, &purged); err != nil {
			t.Fatal(err)
		}
		l, err := s.Lead(ctx, id)
		if err != nil {
			t.Fatalf("lead %s after migrating: %v", id, err)
		}
		if l.Version != 0 || l.Fit != fit || l.Tier != tier || l.Score != score {
			t.Errorf("lead %s: version %d, %s %s %v after migrating; was %s %s %v", id, l.Version, l.Fit, l.Tier, l.Score, fit, tier, score)
		}
		if purged {
			continue // its answers are gone: nothing to score
		}
		evs, err := s.Events(ctx, []string{id})
		if err != nil {
			t.Fatal(err)
		}
		st := lead.Fold(m, evs)
		v, _ := lead.Score(m, &st, created/1000)
		if v.Verdict.Stage != rules || v.Fit != fit || v.Tier != tier || v.Score != score {
			t.Errorf("lead %s folded from its events scores %s %s %s %v; the old release stored %s %s %s %v",
				id, v.Verdict.Stage, v.Fit, v.Tier, v.Score, rules, fit, tier, score)
		}
		n++
	}
	if n < 70 {
		t.Fatalf("%d leads compared", n)
	}

	// A migrated lead with a sales stage holds it as an override; a new
	// fact re-scores it, and what it had stays.
	var id, stage string
	if err := db.QueryRow(`SELECT id, stage FROM leads WHERE override != '' AND purged_at IS NULL AND outcome = ''
		ORDER BY created_at LIMIT 1`).Scan(&id, &stage); err != nil {
		t.Fatalf("no migrated lead holds a sales stage: %v", err)
	}
	h, err := worker.New(worker.Config{DB: db, Model: m, Secret: "s", AdminToken: "migrate-admin-token"})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/api/leads/"+id+"/events", strings.NewReader(`{"activity":"contacted","actor":"jo"}`))
	req.Header.Set("Authorization", "Bearer migrate-admin-token")
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"stage":"`+stage+`"`) {
		t.Errorf("an activity on migrated lead %s (in %s): %d %s", id, stage, w.Code, w.Body)
	}
	l, err := s.Lead(ctx, id)
	if err != nil || l.Version != 1 || l.State.Answers["email"] == "" {
		t.Errorf("the lead after its first change: version %d, answers %v (%v)", l.Version, l.State.Answers, err)
	}
	for eid, e := range events(db, "WHERE lead_id = '"+id+"'") {
		if b, ok := before[eid]; ok && b != e {
			t.Errorf("event %s changed: %+v, was %+v", eid, e, b)
		}
	}
	for eid, e := range before {
		if e.lead == id {
			if _, ok := after[eid]; !ok {
				t.Errorf("event %s of the lead is gone", eid)
			}
		}
	}
}

func filepathGlob(pattern string) ([]string, error) {
	m, err := filepath.Glob(pattern)
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	slices.Sort(m)
	return m, err
}

// A database of the release before the report's rollups (migrations up to
// 0003) keeps every lead and event when migrated; its report is counted
// from the events on first use and is the report of the events
// themselves, and writes keep it so.
func TestMigrateFrom0003(t *testing.T) {
	old := oldRelease(t, "schema-0003.sql.gz")
	db := previousRelease(t, "schema-0003.sql.gz")
	ctx := context.Background()
	for _, table := range []string{"leads", "events", "scores", "outbox"} {
		var before, after int
		old.QueryRow(`SELECT count(*) FROM ` + table).Scan(&before)
		db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&after)
		if before == 0 || after != before {
			t.Errorf("%s: %d rows after migrating, %d before", table, after, before)
		}
	}
	content, diags := content.Load(os.DirFS("../content"), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	now := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	h, err := worker.New(worker.Config{DB: db, Model: content.Model, Secret: "s", AdminToken: "migrate-admin-token",
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := h.Report(ctx, "2025-07", "2026-06", "UTC", "", 1000)
	if err != nil {
		t.Fatalf("the report of the migrated database: %v", err)
	}
	o, _ := report.ParseOptions("2025-07", "2026-06", "UTC", now)
	b, _ := report.NewBuilder(content.Model, o)
	if err := worker.LoadReport(ctx, store.New(db, nil), b); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(b.Report())
	got, _ := json.Marshal(rep)
	if string(got) != string(want) || rep.Totals.Leads != 80 {
		t.Errorf("the report from the rollups differs from the events':\n%s\n%s", got, want)
	}
	var id string
	db.QueryRow(`SELECT id FROM leads WHERE merged_into IS NULL AND spam = 0 ORDER BY created_at LIMIT 1`).Scan(&id)
	req := httptest.NewRequest("POST", "/api/leads/"+id+"/events", strings.NewReader(`{"signal":"sales_accepted","actor":"jo"}`))
	req.Header.Set("Authorization", "Bearer migrate-admin-token")
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusCreated {
		t.Fatalf("a fact on a migrated lead: %d %s", w.Code, w.Body)
	}
	check, err := h.CheckRollups(ctx)
	if err != nil || !check.OK() || check.Leads < 70 {
		t.Errorf("the rollups after a write: %v %v", check.Describe(), err)
	}
}

// A database of the release before the overview's index (migrations up
// to 0004) keeps every row when migrated; the overview lists the same
// leads last active as a sort of every lead gives, read by the index, and
// the report's sums still equal the events.
func TestMigrateFrom0004(t *testing.T) {
	old := oldRelease(t, "schema-0004.sql.gz")
	db := previousRelease(t, "schema-0004.sql.gz")
	ctx := context.Background()
	for _, table := range []string{"leads", "events", "scores", "outbox", "rollups", "sla_clocks", "settings"} {
		var before, after int
		old.QueryRow(`SELECT count(*) FROM ` + table).Scan(&before)
		db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&after)
		if after != before || table == "leads" && before != 80 {
			t.Errorf("%s: %d rows after migrating, %d before", table, after, before)
		}
	}
	// Every lead as it was scored: the migration changes no verdict.
	if before, after := storedVerdicts(t, old), storedVerdicts(t, db); len(before) != 80 || !maps.Equal(before, after) {
		t.Errorf("the leads' verdicts changed in migrating (%d leads before, %d after)", len(before), len(after))
	}
	recent := func(db *sql.DB, q string) []string {
		rows, err := db.Query(q)
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
	// The order the overview asks for, computed without the index.
	want := recent(old, `SELECT id FROM leads WHERE merged_into IS NULL ORDER BY max(created_at, answered_at) DESC, id DESC LIMIT 20`)
	got, err := store.New(db, nil).RecentLeads(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range got {
		ids = append(ids, l.ID)
	}
	if len(want) != 20 || !slices.Equal(ids, want) {
		t.Errorf("the overview's recent leads after migrating: %v, want %v", ids, want)
	}
	var plan, detail string
	var a, b int
	db.QueryRow(`EXPLAIN QUERY PLAN SELECT id FROM leads WHERE merged_into IS NULL
		ORDER BY max(created_at, answered_at) DESC, id DESC LIMIT 20`).Scan(&a, &b, &plan, &detail)
	if !strings.Contains(detail, "leads_recent") {
		t.Errorf("the overview's query is planned as %q, want it read from the index leads_recent", detail)
	}

	content, diags := content.Load(os.DirFS("../content"), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	h, err := worker.New(worker.Config{DB: db, Model: content.Model, Secret: "s", AdminToken: "migrate-admin-token"})
	if err != nil {
		t.Fatal(err)
	}
	if done, err := h.CountRollups(ctx, time.Minute); err != nil || !done {
		t.Fatalf("counting the migrated database: %v %v", done, err)
	}
	if check, err := h.CheckRollups(ctx); err != nil || !check.OK() || check.Leads < 70 {
		t.Errorf("the rollups of the migrated database: %v %v", check.Describe(), err)
	}
}

// A database filled by the release before owners (migrations to 0005,
// as `winnow demo` leaves it) keeps every row when migrated, every
// verdict as it was, and its leads own nobody until they next enter a
// stage a team owns.
func TestMigrateFrom0005(t *testing.T) {
	old := oldRelease(t, "schema-0005.sql.gz")
	db := previousRelease(t, "schema-0005.sql.gz")
	var applied int
	if err := old.QueryRow(`SELECT count(*) FROM d1_migrations`).Scan(&applied); err != nil || applied != 5 {
		t.Fatalf("the dump holds %d migrations (%v), want 0001 to 0005", applied, err)
	}
	for _, table := range []string{"leads", "events", "scores", "outbox", "rollups", "sla_clocks", "settings"} {
		var before, after int
		old.QueryRow(`SELECT count(*) FROM ` + table).Scan(&before)
		db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&after)
		if after != before || table == "leads" && before != 80 {
			t.Errorf("%s: %d rows after migrating, %d before", table, after, before)
		}
	}
	if before, after := storedVerdicts(t, old), storedVerdicts(t, db); len(before) != 80 || !maps.Equal(before, after) {
		t.Errorf("the leads' verdicts changed in migrating (%d leads before, %d after)", len(before), len(after))
	}
	var owned int
	if err := db.QueryRow(`SELECT count(*) FROM leads WHERE owner != '' OR team != ''`).Scan(&owned); err != nil || owned != 0 {
		t.Errorf("%d migrated leads own someone (%v), want none", owned, err)
	}
	var plan, detail string
	var a, b int
	db.QueryRow(`EXPLAIN QUERY PLAN SELECT count(*) FROM events WHERE kind = 'assign' AND value IN ('x') AND at >= 0`).Scan(&a, &b, &plan, &detail)
	if !strings.Contains(detail, "events_assign") {
		t.Errorf("a person's assignments are counted as %q, want them read from the index events_assign", detail)
	}

	// A lead of the old release, written again, enters its stage and is
	// routed; the others keep their rows.
	c, diags := content.Load(os.DirFS("../content"), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	h, err := worker.New(worker.Config{DB: db, Model: c.Model, Routing: c.Routing, Secret: "s", AdminToken: "migrate-admin-token"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	body := `{"fields": {"name": "Ana Maria Souza", "email": "ana.migrated@northwind.io", "company": "Northwind Software",
		"company_size": "201-1000", "industry": "software", "role": "marketing", "seniority": "director", "country": "DE",
		"request": "question", "consent": "yes"}, "idempotency_key": "key-migrated-0005"}`
	resp, err := http.Post(srv.URL+"/api/leads", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	var owner, team string
	db.QueryRow(`SELECT owner, team FROM leads WHERE id = ?`, created.ID).Scan(&owner, &team)
	if resp.StatusCode != 201 || team != "Sales development" || owner == "" {
		t.Errorf("a lead submitted after migrating: %d, owner %q in %q", resp.StatusCode, owner, team)
	}
}

// oldSessionID is the hash under which the releases before accounts
// stored a dashboard session whose cookie holds id, for the handler of
// secret and admin token: an HMAC of the id, keyed with an HMAC of the
// token keyed with the secret. A session such a release stored must open
// the dashboard after migrating, as the admin token's.
func oldSessionID(secret, token, id string) string {
	k := hmac.New(sha256.New, []byte(secret))
	k.Write([]byte("winnow admin session\x00" + token))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write([]byte("session\x00" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// A database filled by the release before accounts (migrations to 0006,
// as `winnow demo` leaves it, with a dashboard session of the admin
// token) keeps every row when migrated, every verdict as it was; its
// session is the admin token's and still opens the dashboard, where what
// it changes is recorded as done by "admin"; the admin token still logs
// in, to the dashboard and the API; and nobody has an account yet.
func TestMigrateFrom0006(t *testing.T) {
	const secret, token = "s", "migrate-admin-token"
	old := oldRelease(t, "schema-0006.sql.gz")
	var applied int
	if err := old.QueryRow(`SELECT count(*) FROM d1_migrations`).Scan(&applied); err != nil || applied != 6 {
		t.Fatalf("the dump holds %d migrations (%v), want 0001 to 0006", applied, err)
	}
	// The old release's session: a cookie of a random id, stored by its hash.
	cookie := strings.Repeat("Ab3_", 10) + "xyz"
	path := loadDump(t, "schema-0006.sql.gz")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-time.Hour)
	if _, err := raw.Exec(`INSERT INTO sessions (id_hash, created_at, expires_at) VALUES (?, ?, ?)`,
		oldSessionID(secret, token, cookie), start.UnixMilli(), start.Add(12*time.Hour).UnixMilli()); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err := sqlitedb.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("migrating: %v", err)
	}
	t.Cleanup(func() { db.Close() })

	for _, table := range []string{"leads", "events", "scores", "outbox", "rollups", "sla_clocks", "settings"} {
		var before, after int
		old.QueryRow(`SELECT count(*) FROM ` + table).Scan(&before)
		db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&after)
		if after != before || table == "leads" && before != 80 {
			t.Errorf("%s: %d rows after migrating, %d before", table, after, before)
		}
	}
	if before, after := storedVerdicts(t, old), storedVerdicts(t, db); len(before) != 80 || !maps.Equal(before, after) {
		t.Errorf("the leads' verdicts changed in migrating (%d leads before, %d after)", len(before), len(after))
	}
	// The scheduled pass works out the rhythm of each owned lead once,
	// without raising the alerts its past would have.
	var owned, todo int
	db.QueryRow(`SELECT count(*), sum(next_check_at = 0 AND alerted_at > 0) FROM leads WHERE owner != '' AND merged_into IS NULL AND purged_at IS NULL`).Scan(&owned, &todo)
	if owned == 0 || todo != owned {
		t.Fatalf("%d of %d owned leads are left for the scheduled pass", todo, owned)
	}
	var account, method string
	var accounts, links int
	if err := db.QueryRow(`SELECT account_id, method, (SELECT count(*) FROM accounts), (SELECT count(*) FROM login_links) FROM sessions`).
		Scan(&account, &method, &accounts, &links); err != nil || account != "" || method != "token" || accounts != 0 || links != 0 {
		t.Errorf("after migrating: the session of %q by %q (%v), %d accounts, %d login links; want the token's, none, none",
			account, method, err, accounts, links)
	}

	c, diags := content.Load(os.DirFS("../content"), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	h, err := worker.New(worker.Config{DB: db, Model: c.Model, Routing: c.Routing, Secret: secret, AdminToken: token})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	// The old session opens the dashboard, as the admin token's.
	b := newAdminBrowser(t, srv.URL)
	u, _ := url.Parse(srv.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "winnow_admin", Value: cookie, Path: "/admin"}})
	overview := b.get(t, "/admin")
	wantPage(t, overview, 200, "Funnel overview", `<span class="vh">Signed in as </span>admin</a>`)
	if !loggedIn(overview) {
		t.Fatal("the session stored before migrating does not open the dashboard")
	}
	// What it does is recorded as done by "admin": a dead webhook of the
	// old release, retried, is an event of its lead's timeline.
	var hook, leadID string
	if err := db.QueryRow(`SELECT id, lead_id FROM outbox WHERE status = 'dead' LIMIT 1`).Scan(&hook, &leadID); err != nil {
		db.QueryRow(`SELECT id, lead_id FROM outbox LIMIT 1`).Scan(&hook, &leadID)
		db.Exec(`UPDATE outbox SET status = 'dead' WHERE id = ?`, hook)
	}
	retried := b.post(t, "/admin/webhooks/"+url.PathEscape(hook)+"/retry", url.Values{"csrf": {csrf(t, overview)}})
	if retried.status != 303 || !strings.Contains(retried.header.Get("Location"), "retried=") {
		t.Fatalf("retry with the old session: %d to %q", retried.status, retried.header.Get("Location"))
	}
	var actor string
	db.QueryRow(`SELECT actor FROM events WHERE lead_id = ? AND kind = 'retry'`, leadID).Scan(&actor)
	if actor != "admin" {
		t.Errorf("the retry is recorded as done by %q, want admin", actor)
	}
	wantPage(t, b.get(t, "/admin/leads/"+leadID), 200, "queued again by hand")

	// The admin token logs in, to the dashboard and to the API.
	fresh := newAdminBrowser(t, srv.URL)
	if p := fresh.login(t, token); p.status != 303 || !loggedIn(fresh.get(t, "/admin")) {
		t.Errorf("the admin token does not log in after migrating: %d", p.status)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/api/outbox", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /api/outbox with the admin token after migrating: %s", resp.Status)
	}
	if _, err := h.Rescore(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	var due, early, alerts int
	db.QueryRow(`SELECT count(due_at), sum(alert_at IS NOT NULL AND alert_at <= alerted_at) FROM leads WHERE owner != '' AND merged_into IS NULL`).Scan(&due, &early)
	db.QueryRow(`SELECT count(*) FROM alerts`).Scan(&alerts)
	if due == 0 || early != 0 || alerts != 0 {
		t.Errorf("after the scheduled pass: %d owned leads have something due, %d are to be looked at for the past, %d alerts", due, early, alerts)
	}
	var plan, detail string
	var x, y int
	db.QueryRow(`EXPLAIN QUERY PLAN SELECT id FROM leads WHERE owner = 'x' AND merged_into IS NULL AND owner != '' ORDER BY due_at`).Scan(&x, &y, &plan, &detail)
	if !strings.Contains(detail, "leads_queue") {
		t.Errorf("a person's queue is read as %q, want it read from the index leads_queue", detail)
	}
}
