package main

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

// winnow people adds the first admin of a new installation to a database
// that does not exist yet, with a password from standard input, and
// makes a login link; the server over that database takes both, the
// link once; a disabled account logs in no more.
func TestPeople(t *testing.T) {
	db := filepath.Join(t.TempDir(), "new", "winnow.db")
	code, out, errs := runWinnow(t, "a long enough password\n", "people", "add", "--db", db, "--role", "admin", "--name", "Ana Souza",
		"--password-stdin", "Ana@Example.com")
	if code != 0 || !strings.Contains(out, "added ana@example.com as admin") {
		t.Fatalf("people add = %d\n%s%s", code, out, errs)
	}
	code, out, errs = runWinnow(t, "", "people", "add", "--db", db, "bo@example.com")
	if code != 0 || !strings.Contains(out, "added bo@example.com as viewer") || !strings.Contains(out, "winnow people link bo@example.com") {
		t.Fatalf("people add without a password = %d\n%s%s", code, out, errs)
	}
	for _, c := range []struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"", []string{"people", "add", "--db", db, "ANA@example.com"}, 1, "ana@example.com has an account already"},
		{"", []string{"people", "add", "--db", db, "--role", "root", "cy@example.com"}, 1, `--role "root" is not viewer, sales or admin`},
		{"short\n", []string{"people", "add", "--db", db, "--password-stdin", "cy@example.com"}, 1, "at least 12 characters"},
		{"", []string{"people", "add", "--db", db, "not-an-email"}, 1, "not an email address"},
		{"", []string{"people", "link", "--db", db, "nobody@example.com"}, 1, "nobody@example.com has no account"},
		{"", []string{"people", "promote", "--db", db, "bo@example.com"}, 2, `no command "promote"`},
		{"", []string{"people", "list", "--db", db, "extra"}, 2, "no arguments"},
		{"", []string{"people"}, 2, "add, list, disable, enable or link?"},
	} {
		code, out, errs := runWinnow(t, c.stdin, c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("winnow %s = %d, want %d and %q:\n%s%s", strings.Join(c.args, " "), code, c.code, c.want, out, errs)
		}
	}
	code, out, _ = runWinnow(t, "", "people", "list", "--db", db)
	if code != 0 || !strings.Contains(out, "ana@example.com  admin   active  yes       Ana Souza") ||
		!strings.Contains(out, "bo@example.com   viewer  active  no") {
		t.Errorf("people list = %d:\n%s", code, out)
	}
	code, out, errs = runWinnow(t, "", "people", "link", "--db", db, "--origin", "https://winnow.example/", "bo@example.com")
	link := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(link, "https://winnow.example/admin/link/") || !strings.Contains(errs, "logs bo@example.com in once") {
		t.Fatalf("people link = %d\n%s%s", code, out, errs)
	}

	// The server over the database, with no admin token: the accounts
	// turn the dashboard on.
	sdb, err := sqlitedb.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	c, diags := content.Load(os.DirFS(shippedContent), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	h, err := worker.New(worker.Config{DB: sdb, Model: c.Model, Secret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	post := func(path string, form url.Values) *http.Response {
		jar, _ := cookiejar.New(nil)
		cl := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := cl.PostForm(srv.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := post("/admin/login", url.Values{"email": {"ana@example.com"}, "password": {"a long enough password"}}); r.StatusCode != 303 {
		t.Errorf("the password winnow people set: %s", r.Status)
	}
	tok := link[strings.LastIndex(link, "/")+1:]
	if r := post("/admin/link", url.Values{"token": {tok}}); r.StatusCode != 303 {
		t.Errorf("the link winnow people made: %s", r.Status)
	}
	if r := post("/admin/link", url.Values{"token": {tok}}); r.StatusCode != 404 {
		t.Errorf("the link used twice: %s", r.Status)
	}
	if code, out, errs := runWinnow(t, "", "people", "disable", "--db", db, "ana@example.com"); code != 0 || !strings.Contains(out, "disabled ana@example.com") {
		t.Fatalf("people disable = %d\n%s%s", code, out, errs)
	}
	if r := post("/admin/login", url.Values{"email": {"ana@example.com"}, "password": {"a long enough password"}}); r.StatusCode != 401 {
		t.Errorf("a disabled account's password: %s", r.Status)
	}
	if code, out, _ := runWinnow(t, "", "people", "list", "--db", db); !strings.Contains(out, "ana@example.com  admin   disabled") {
		t.Errorf("people list after disable = %d:\n%s", code, out)
	}
	if code, _, _ := runWinnow(t, "", "people", "enable", "--db", db, "ana@example.com"); code != 0 {
		t.Errorf("people enable = %d", code)
	}
	if r := post("/admin/login", url.Values{"email": {"ana@example.com"}, "password": {"a long enough password"}}); r.StatusCode != 303 {
		t.Errorf("an enabled account's password: %s", r.Status)
	}
}
