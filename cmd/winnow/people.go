package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/winnowhq/winnow/worker/account"
	"github.com/winnowhq/winnow/worker/sqlitedb"
	"github.com/winnowhq/winnow/worker/store"
)

var peopleCmd = &command{
	name:    "people",
	summary: "manage who may use the dashboard, with which role: add, list, disable, enable, link",
	usage: "people add [--db FILE] [--role viewer|sales|admin] [--name NAME] [--password-stdin] EMAIL\n" +
		"       people list [--db FILE]\n" +
		"       people disable|enable [--db FILE] EMAIL\n" +
		"       people link [--db FILE] [--origin URL] EMAIL",
	help: `
People manages the accounts of the dashboard (/admin) in the SQLite
database of winnow serve and winnow dev (--db, default build/winnow.db,
made if it does not exist yet), so that the first admin of a new
installation can be added before the server starts. An account has an
email (compared case-folded), an optional name and a role: admin
(everything, people included), sales (works leads and retries their
webhooks) or viewer (reads). The dashboard's People page does the same
for admins.

add adds an account (--role, default viewer). With --password-stdin it
reads the account's password from the first line of standard input (12
characters or more), hashed with PBKDF2-SHA256 at 600,000 iterations;
else the person logs in first with a login link and sets one.

list prints every account: email, role, status, whether it has a
password, and its name.

disable stops an account from logging in and ends its sessions and
unused login links at once; enable lets it log in again.

link makes a login link for an account and prints it: it logs the person
in once, within 24 hours. The link starts with --origin, else
WINNOW_ORIGIN, else http://127.0.0.1:8080 (winnow serve's address).

At the edge, the worker's D1 database has no command line: add the first
admin from the dashboard with the admin token, or put the dashboard
behind Cloudflare Access (README, "People and roles").`,
	setup: func(fs *flag.FlagSet) func(*env, []string) error {
		dbPath := fs.String("db", filepath.Join("build", "winnow.db"), "the SQLite database")
		role := fs.String("role", account.Viewer, "the role of a new account: viewer, sales or admin")
		name := fs.String("name", "", "the name of a new account")
		pwStdin := fs.Bool("password-stdin", false, "read the new account's password from standard input")
		origin := fs.String("origin", "", "where the site is reached, for login links (default WINNOW_ORIGIN, else http://127.0.0.1:8080)")
		return func(e *env, args []string) error {
			if len(args) == 0 {
				fmt.Fprintln(e.stderr, "winnow people: add, list, disable, enable or link?")
				return errUsage
			}
			verb, args := args[0], args[1:]
			wantEmail := verb != "list"
			if wantEmail && len(args) != 1 || !wantEmail && len(args) != 0 {
				fmt.Fprintf(e.stderr, "winnow people %s: %s\n", verb, map[bool]string{true: "one email", false: "no arguments"}[wantEmail])
				return errUsage
			}
			var email string
			if wantEmail {
				var ok bool
				if email, ok = account.Email(args[0]); !ok {
					return fmt.Errorf("%q is not an email address such as ana@example.com", args[0])
				}
			}
			ctx := context.Background()
			switch verb {
			case "add", "list", "disable", "enable", "link":
			default:
				fmt.Fprintf(e.stderr, "winnow people: no command %q: add, list, disable, enable or link\n", verb)
				return errUsage
			}
			db, err := sqlitedb.Open(ctx, *dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			p := people{s: store.New(db, nil), e: e}
			switch verb {
			case "add":
				return p.add(ctx, email, *name, *role, *pwStdin)
			case "list":
				return p.list(ctx)
			case "disable", "enable":
				return p.able(ctx, email, verb == "enable")
			}
			o := *origin
			if o == "" {
				o = os.Getenv("WINNOW_ORIGIN")
			}
			if o == "" {
				o = "http://127.0.0.1:8080"
			}
			return p.link(ctx, email, strings.TrimSuffix(o, "/"))
		}
	},
}

// people runs winnow people's commands over one database.
type people struct {
	s *store.Store
	e *env
}

// createdBy is who the accounts winnow people adds are added by.
const createdBy = "winnow people"

func (p people) add(ctx context.Context, email, name, role string, pwStdin bool) error {
	if !account.ValidRole(role) {
		return fmt.Errorf("--role %q is not viewer, sales or admin", role)
	}
	a := store.Account{ID: account.NewID(), Email: email, Name: strings.TrimSpace(name), Role: role,
		CreatedAt: time.Now().UnixMilli(), CreatedBy: createdBy}
	if pwStdin {
		line, err := bufio.NewReader(p.e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("--password-stdin: no password on standard input")
		}
		if a.Password, err = account.HashPassword(strings.TrimRight(line, "\r\n")); err != nil {
			return errors.New("--password-stdin: " + err.Error())
		}
	}
	if err := p.s.AddAccount(ctx, a); errors.Is(err, store.ErrExists) {
		return fmt.Errorf("%s has an account already", email)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(p.e.stdout, "added %s as %s\n", email, role)
	if a.Password == "" {
		fmt.Fprintf(p.e.stdout, "no password: winnow people link %s makes a login link, with which they can set one\n", email)
	}
	return nil
}

func (p people) list(ctx context.Context) error {
	accounts, err := p.s.Accounts(ctx)
	if err != nil {
		return err
	}
	if len(accounts) == 0 {
		fmt.Fprintln(p.e.stdout, "nobody has an account: winnow people add --role admin EMAIL adds the first admin")
		return nil
	}
	w := tabwriter.NewWriter(p.e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "EMAIL\tROLE\tSTATUS\tPASSWORD\tNAME")
	for _, a := range accounts {
		status, pw := "active", "no"
		if a.DisabledAt != 0 {
			status = "disabled " + time.UnixMilli(a.DisabledAt).UTC().Format(time.DateOnly)
		}
		if a.Password != "" {
			pw = "yes"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", a.Email, a.Role, status, pw, a.Name)
	}
	return w.Flush()
}

// account reads the account of email.
func (p people) account(ctx context.Context, email string) (store.Account, error) {
	a, err := p.s.AccountByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return a, fmt.Errorf("%s has no account: winnow people add %s adds one", email, email)
	}
	return a, err
}

func (p people) able(ctx context.Context, email string, enable bool) error {
	a, err := p.account(ctx, email)
	if err != nil {
		return err
	}
	if enable {
		_, err = p.s.Enable(ctx, a.ID)
		if err == nil {
			fmt.Fprintf(p.e.stdout, "%s may log in again\n", email)
		}
		return err
	}
	if _, err = p.s.Disable(ctx, a.ID, time.Now().UnixMilli()); err == nil {
		fmt.Fprintf(p.e.stdout, "disabled %s: their sessions and login links have ended\n", email)
	}
	return err
}

func (p people) link(ctx context.Context, email, origin string) error {
	a, err := p.account(ctx, email)
	if err != nil {
		return err
	}
	if a.DisabledAt != 0 {
		return fmt.Errorf("%s is disabled: winnow people enable %s first", email, email)
	}
	tok, now := account.NewToken(), time.Now()
	expires := now.Add(account.LinkTTL)
	if err := p.s.NewLoginLink(ctx, account.TokenHash(tok), a.ID, createdBy, now.UnixMilli(), expires.UnixMilli()); err != nil {
		return err
	}
	fmt.Fprintf(p.e.stdout, "%s/admin/link/%s\n", origin, tok)
	fmt.Fprintf(p.e.stderr, "the link logs %s in once, until %s\n", email, expires.UTC().Format("2006-01-02 15:04 UTC"))
	return nil
}
