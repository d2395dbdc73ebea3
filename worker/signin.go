package worker

import (
	"context"
	"errors"
	"net/http"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/templates"
	"github.com/winnowhq/winnow/worker/access"
	"github.com/winnowhq/winnow/worker/account"
	"github.com/winnowhq/winnow/worker/store"
)

// Who may use the dashboard, and how they log in:
//
//   - natively, and at the edge without Cloudflare Access, a person logs
//     in with their email and password, or with a login link an admin
//     made for them (/admin/link/{token}: once, within account.LinkTTL);
//   - behind Cloudflare Access (Config.AccessTeam), every request to
//     /admin must carry the token Access signed, and the email it names
//     is the account: the first page a person opens starts their session.
//     Nobody has a password then;
//   - the admin token logs in as the break-glass admin, either way: its
//     sessions are admins' and what they change is recorded as done by
//     tokenActor. Behind Access, only someone Access let in may use it.
//
// Wrong tokens, passwords and login links count against the client's
// address together (loginKey): past Limits.LoginFailures in a window,
// every attempt is refused until the window ends.

// adminPage is a dashboard page of an open session, whoOf(r).
type adminPage func(w http.ResponseWriter, r *http.Request, p templates.AdminPage)

// dashboard guards a page: without an open session it shows the login
// form, which brings the user back to the page; a session whose role is
// below need is refused.
func (h *Handler) dashboard(need string, next adminPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.dashboardOn(w, r) {
			return
		}
		if nulPath(r) {
			h.noPage(w, r)
			return
		}
		s, ok := h.signIn(w, r, false)
		if !ok {
			return
		}
		r = withWho(r, s)
		if !h.allowed(w, r, s, need) {
			return
		}
		next(w, r, h.frame(r, &s))
	}
}

// dashboardPost guards a form post: it must come from the site itself,
// within an open session, with the session's CSRF token, from a session
// whose role is need or above.
func (h *Handler) dashboardPost(need string, next adminPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.dashboardOn(w, r) {
			return
		}
		if nulPath(r) {
			h.noPage(w, r)
			return
		}
		if !h.readAdminForm(w, r) {
			return
		}
		s, ok := h.signIn(w, r, true)
		if !ok {
			return
		}
		r = withWho(r, s)
		if !h.validCSRF(s.id, r.PostForm.Get("csrf")) {
			h.adminMessage(w, r, http.StatusForbidden, "The form was refused",
				"It came without this session's security token, so nothing was changed: reload the dashboard and try again.")
			return
		}
		if !h.allowed(w, r, s, need) {
			return
		}
		next(w, r, h.frame(r, &s))
	}
}

// dashboardOn reports whether anyone can log in to the dashboard: with
// the admin token, through Cloudflare Access, or with an account. It
// answers the request itself when nobody can, or the database fails.
func (h *Handler) dashboardOn(w http.ResponseWriter, r *http.Request) bool {
	if h.c.AdminToken != "" || h.access != nil {
		return true
	}
	on, err := h.store.HasAccounts(r.Context())
	switch {
	case err != nil:
		h.dbDown(w, r, "looking for accounts", err)
	case !on:
		h.adminOff(w, r)
	}
	return on && err == nil
}

// allowed reports whether the session's role may do what needs role
// need; it answers 403 itself when not.
func (h *Handler) allowed(w http.ResponseWriter, r *http.Request, s signedIn, need string) bool {
	if account.Allows(s.role(), need) {
		return true
	}
	msg := "Only admins may see this page: ask one if you need to."
	if r.Method == http.MethodPost {
		msg = "You are signed in as " + s.role() + ", which may not do this, so nothing was changed: ask an admin if you need to."
		if s.role() == templates.RoleViewer {
			msg = "You are signed in as a viewer, who reads and changes nothing: nothing was changed. Ask an admin for another role if you need one."
		}
	}
	h.adminMessage(w, r, http.StatusForbidden, "Not with your role", msg)
	return false
}

// signIn finds the open session of a dashboard request. Behind Access,
// the request must carry Access's token, and a session must be of the
// account it names (or of the admin token); a page the person opens
// without one starts it. Without a session, a page shows the login form
// and a form post is refused. It answers the request itself and returns
// false when it cannot go on.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request, post bool) (signedIn, bool) {
	var person *store.Account
	var vouched string // the email Access vouched for
	if h.access != nil {
		var ok bool
		if person, vouched, ok = h.accessPerson(w, r); !ok {
			return signedIn{}, false
		}
	}
	s, ok, err := h.session(r)
	if err != nil {
		h.dbDown(w, r, "reading a session", err)
		return signedIn{}, false
	}
	if ok && h.access != nil && !s.token() && (person == nil || s.Account.ID != person.ID) {
		ok = false // a session of someone other than the person Access let in
	}
	switch {
	case ok:
		return s, true
	case person != nil && !post:
		s, err := h.newSession(r.Context(), *person, byAccess, h.now())
		if err != nil {
			h.dbDown(w, r, "starting a session", err)
			return signedIn{}, false
		}
		setSession(w, r, s.id)
		return s, true
	case post:
		h.adminMessage(w, r, http.StatusForbidden, "Your session has ended",
			"Nothing was changed: log in again, then repeat what you did.")
	default:
		h.loginPage(w, r, http.StatusOK, h.loginForm(r.URL.RequestURI(), vouched))
	}
	return signedIn{}, false
}

// accessPerson checks the Access token of a request and returns the
// account of the email it names: nil when there is none and Access's
// people get none by default (AccessDefaultRole ""), a new one of that
// role when they do. It answers the request itself and returns false
// when the token is refused, the account is disabled, or the team's keys
// or the database fail.
func (h *Handler) accessPerson(w http.ResponseWriter, r *http.Request) (*store.Account, string, bool) {
	ctx := r.Context()
	id, err := h.access.Verify(ctx, access.Token(r))
	if err != nil {
		if access.Refused(err) {
			h.log.Warn("an Access token was refused", "reason", err.Error())
			h.adminMessage(w, r, http.StatusForbidden, "Sign in through Cloudflare Access",
				"This dashboard is behind Cloudflare Access, and this request came without a valid Access sign-in ("+err.Error()+
					"). Open the dashboard at the address Access protects, and sign in there.")
		} else {
			h.log.Error("checking an Access token", "err", err)
			h.adminMessage(w, r, http.StatusServiceUnavailable, "Try again in a minute",
				"The keys of the Cloudflare Access team cannot be fetched, so nobody can be let in just now.")
		}
		return nil, "", false
	}
	email, ok := account.Email(id.Email)
	if !ok {
		h.adminMessage(w, r, http.StatusForbidden, "Not an email this dashboard takes",
			"Cloudflare Access let you in as "+id.Email+", which is not an email address an account can have.")
		return nil, "", false
	}
	a, err := h.store.AccountByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		if h.c.AccessDefaultRole == "" {
			return nil, email, true
		}
		a = store.Account{ID: account.NewID(), Email: email, Role: h.c.AccessDefaultRole, CreatedAt: h.now().UnixMilli(), CreatedBy: "access"}
		if err = h.store.AddAccount(ctx, a); errors.Is(err, store.ErrExists) {
			a, err = h.store.AccountByEmail(ctx, email) // another request added it first
		}
	}
	if err != nil {
		h.dbDown(w, r, "reading an account", err)
		return nil, "", false
	}
	if a.DisabledAt != 0 {
		h.adminMessage(w, r, http.StatusForbidden, "Your account is disabled",
			"An admin disabled the account of "+email+": ask one to let you log in again.")
		return nil, "", false
	}
	return &a, email, true
}

// loginForm is the login form that goes on to page next; vouched is the
// email Access let in without an account.
func (h *Handler) loginForm(next, vouched string) templates.AdminLogin {
	l := templates.AdminLogin{Next: next, Token: h.c.AdminToken != "", Passwords: h.access == nil}
	if vouched != "" {
		l.Notice = "Cloudflare Access let you in as " + vouched + ", who has no account here: an admin can add you under People."
		if l.Token {
			l.Notice += " Until then, the admin token logs in as the break-glass admin."
		}
	}
	return l
}

// login checks the admin token, or an email and password, posted by the
// login form; it starts a session and goes to the page the user asked
// for. Failed attempts count against the client's address (loginKey).
// Behind Access, only the admin token logs in here, for someone Access
// let in without an account.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if !h.dashboardOn(w, r) || !h.readAdminForm(w, r) {
		return
	}
	ctx := r.Context()
	next := safeNext(r.PostForm.Get("next"))
	var vouched string
	if h.access != nil {
		person, email, ok := h.accessPerson(w, r)
		if !ok {
			return
		}
		if person != nil { // Access vouches for an account: its page starts a session
			adminHeaders(w.Header())
			seeOther(w, next)
			return
		}
		vouched = email
	}
	form := h.loginForm(next, vouched)
	if r.PostForm.Has("token") {
		form.Failed = "token"
		ok, retry, err := h.attempt(ctx, h.loginKey(r), func() bool { return h.isAdminToken(r.PostForm.Get("token")) })
		switch {
		case err != nil:
			h.dbDown(w, r, "counting failed logins", err)
		case retry > 0:
			form.Error = "Too many wrong tokens from your network: try again in " + qualify.FormatDuration(retryAfter(w, retry)) + "."
			h.loginPage(w, r, http.StatusTooManyRequests, form)
		case !ok:
			h.log.Warn("admin login refused")
			form.Error = "That is not the admin token."
			h.loginPage(w, r, http.StatusUnauthorized, form)
		default:
			h.startSession(w, r, store.Account{}, byToken, next)
		}
		return
	}
	form.Failed, form.Email = "password", r.PostForm.Get("email")
	if !form.Passwords {
		form.Error = "This dashboard takes no password: it is behind Cloudflare Access."
		h.loginPage(w, r, http.StatusBadRequest, form)
		return
	}
	var a store.Account
	email, valid := account.Email(form.Email)
	if valid {
		var err error
		a, err = h.store.AccountByEmail(ctx, email)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			h.dbDown(w, r, "reading an account", err)
			return
		}
	}
	ok, retry, err := h.attempt(ctx, h.loginKey(r), func() bool {
		hash := a.Password // "" for no account: checked all the same, so that it takes as long
		if a.DisabledAt != 0 {
			hash = ""
		}
		return account.CheckPassword(hash, r.PostForm.Get("password"))
	})
	switch {
	case err != nil:
		h.dbDown(w, r, "counting failed logins", err)
	case retry > 0:
		form.Error = "Too many failed logins from your network: try again in " + qualify.FormatDuration(retryAfter(w, retry)) + "."
		h.loginPage(w, r, http.StatusTooManyRequests, form)
	case !ok:
		h.log.Warn("a login with a password was refused")
		form.Error = "That email and password are not those of an account that may log in."
		h.loginPage(w, r, http.StatusUnauthorized, form)
	default:
		h.startSession(w, r, a, byPassword, next)
	}
}

// startSession starts a session of account ("" the admin token's) that
// logged in by method, sets its cookie and goes to page next.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, a store.Account, method, next string) {
	s, err := h.newSession(r.Context(), a, method, h.now())
	if err != nil {
		h.dbDown(w, r, "starting a session", err)
		return
	}
	setSession(w, r, s.id)
	adminHeaders(w.Header())
	seeOther(w, next)
}

// logout revokes the session, so that its cookie opens nothing even if
// kept or copied, and removes the cookie from this browser. Behind
// Access it goes on to Access's own logout, which ends the Access
// session too: else the next page would start a new one.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request, _ templates.AdminPage) {
	s, _ := whoOf(r)
	if err := h.endSession(r.Context(), s.id); err != nil {
		h.log.Error("ending a session", "err", err)
		h.adminMessage(w, r, http.StatusServiceUnavailable, "Try again in a minute",
			"The database does not answer: you are still logged in.")
		return
	}
	setSession(w, r, "")
	adminHeaders(w.Header())
	if h.access != nil {
		seeOther(w, accessLogout)
		return
	}
	seeOther(w, "/admin")
}

// accessLogout is where Cloudflare Access ends its session on the
// application's domain.
const accessLogout = "/cdn-cgi/access/logout"

// linkPage is what a login link opens: who it logs in, and a button
// that does (a mail client that fetches the link to preview it must not
// use it up). A link that cannot be used counts as a failed login.
func (h *Handler) linkPage(w http.ResponseWriter, r *http.Request) {
	if !h.dashboardOn(w, r) || !h.linksOn(w, r) {
		return
	}
	tok := r.PathValue("token")
	a, ok := h.tryLink(w, r, tok, h.store.LoginLink)
	if !ok {
		return
	}
	p := h.frame(r, nil)
	p.Title = "Log in with a link"
	if a == nil {
		h.adminRender(w, r, http.StatusNotFound, p, templates.LinkLoginView(templates.LinkLogin{}))
		return
	}
	h.adminRender(w, r, http.StatusOK, p, templates.LinkLoginView(templates.LinkLogin{Token: tok, Email: a.Email, Name: a.Name}))
}

// linkLogin uses a login link up and starts a session of its account:
// to the account's page, to set a password, if it has none.
func (h *Handler) linkLogin(w http.ResponseWriter, r *http.Request) {
	if !h.dashboardOn(w, r) || !h.readAdminForm(w, r) || !h.linksOn(w, r) {
		return
	}
	a, ok := h.tryLink(w, r, r.PostForm.Get("token"), h.store.UseLoginLink)
	if !ok {
		return
	}
	if a == nil {
		p := h.frame(r, nil)
		p.Title = "Log in with a link"
		h.adminRender(w, r, http.StatusNotFound, p, templates.LinkLoginView(templates.LinkLogin{}))
		return
	}
	next := "/admin"
	if a.Password == "" {
		next = "/admin/account"
	}
	h.startSession(w, r, *a, byLink, next)
}

// linksOn reports whether login links log in: not behind Access. It
// answers the request itself when not.
func (h *Handler) linksOn(w http.ResponseWriter, r *http.Request) bool {
	if h.access == nil {
		return true
	}
	h.adminMessage(w, r, http.StatusNotFound, "Login links are off",
		"This dashboard is behind Cloudflare Access: open it and sign in through Access.")
	return false
}

// tryLink looks a login link's token up with find (which may use it
// up), counting one that finds nothing as a failed login. It returns the
// link's account, nil for none; it answers the request itself and
// returns false when the attempts are used up or the database fails.
func (h *Handler) tryLink(w http.ResponseWriter, r *http.Request, tok string,
	find func(ctx context.Context, tokenHash string, now int64) (store.Account, error)) (*store.Account, bool) {
	var a store.Account
	var findErr error
	ok, retry, err := h.attempt(r.Context(), h.loginKey(r), func() bool {
		if len(tok) != account.TokenLen {
			return false
		}
		a, findErr = find(r.Context(), account.TokenHash(tok), h.now().UnixMilli())
		return findErr == nil
	})
	switch {
	case err == nil && findErr != nil && !errors.Is(findErr, store.ErrNotFound):
		err = findErr
		fallthrough
	case err != nil:
		h.dbDown(w, r, "reading a login link", err)
	case retry > 0:
		h.adminMessage(w, r, http.StatusTooManyRequests, "Too many failed logins",
			"Too many failed logins from your network: try again in "+qualify.FormatDuration(retryAfter(w, retry))+".")
	case !ok:
		h.log.Warn("a login link was refused")
		return nil, true
	default:
		return &a, true
	}
	return nil, false
}

// loginKey is the key the failed logins of the request's client count
// against: wrong admin tokens (the login form's and the bearer API's,
// which guess the same token), passwords and login links.
func (h *Handler) loginKey(r *http.Request) string { return "admin-token:" + h.client(r) }
