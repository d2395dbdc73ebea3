package worker

import (
	"cmp"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/templates"
	"github.com/winnowhq/winnow/worker/account"
	"github.com/winnowhq/winnow/worker/store"
)

// The dashboard's people (admins only): who has an account and with
// which role, adding one, changing a role, disabling an account, making
// a login link, ending sessions; and every person's own account page,
// with their sessions and password.

// peoplePage lists the accounts, with the form to add one.
func (h *Handler) peoplePage(w http.ResponseWriter, r *http.Request, p templates.AdminPage) {
	h.renderPeople(w, r, p, http.StatusOK, templates.PersonForm{})
}

// renderPeople renders the people page with the add form as posted.
func (h *Handler) renderPeople(w http.ResponseWriter, r *http.Request, p templates.AdminPage, status int, add templates.PersonForm) {
	ctx := r.Context()
	accounts, err := h.store.Accounts(ctx)
	var open map[string]int
	if err == nil {
		open, err = h.store.OpenSessions(ctx, h.now().UnixMilli())
	}
	if err != nil {
		h.dbDown(w, r, "reading the accounts", err)
		return
	}
	v := templates.AdminPeople{CSRF: p.CSRF, Access: h.access != nil, DefaultRole: h.c.AccessDefaultRole,
		TokenSessions: open[""], Add: add, Status: revokedStatus(r)}
	for _, a := range accounts {
		v.People = append(v.People, templates.Person{ID: a.ID, Email: a.Email, Name: a.Name, Role: a.Role, URL: templates.PersonURL(a.ID),
			Disabled: a.DisabledAt != 0, Password: a.Password != "", Sessions: open[a.ID]})
	}
	if r.URL.Query().Get("added") != "" {
		v.Status = "Added."
	}
	p.Title = "People"
	h.adminRender(w, r, status, p, templates.AdminPeopleView(v))
}

// revokedStatus says how many sessions the last form ended, from the
// page's query.
func revokedStatus(r *http.Request) string {
	n, err := strconv.Atoi(r.URL.Query().Get("revoked"))
	switch {
	case err != nil:
		return ""
	case n == 0:
		return "No session was open: none was ended."
	case n == 1:
		return "One session ended: its cookie opens nothing now."
	}
	return strconv.Itoa(n) + " sessions ended: their cookies open nothing now."
}

// addPerson adds an account and goes to its page, where an admin can
// make it a login link.
func (h *Handler) addPerson(w http.ResponseWriter, r *http.Request, p templates.AdminPage) {
	f := templates.PersonForm{Email: strings.TrimSpace(r.PostForm.Get("email")), Name: strings.TrimSpace(r.PostForm.Get("name")),
		Role: r.PostForm.Get("role")}
	email, ok := account.Email(f.Email)
	switch {
	case !ok:
		f.Error = "That is not an email address such as ana@example.com."
	case !account.ValidRole(f.Role):
		f.Error = "Choose a role: viewer, sales or admin."
	case len(f.Name) > 200:
		f.Error = "A name has at most 200 bytes."
	}
	if f.Error != "" {
		h.renderPeople(w, r, p, http.StatusUnprocessableEntity, f)
		return
	}
	a := store.Account{ID: account.NewID(), Email: email, Name: f.Name, Role: f.Role, CreatedAt: h.now().UnixMilli(), CreatedBy: p.Actor}
	err := h.store.AddAccount(r.Context(), a)
	if errors.Is(err, store.ErrExists) {
		f.Error = email + " has an account already."
		h.renderPeople(w, r, p, http.StatusConflict, f)
		return
	}
	if err != nil {
		h.dbDown(w, r, "adding an account", err)
		return
	}
	adminHeaders(w.Header())
	seeOther(w, templates.PersonURL(a.ID)+"?done=added")
}

// personPage shows a person's account and sessions.
func (h *Handler) personPage(w http.ResponseWriter, r *http.Request, p templates.AdminPage) {
	status := map[string]string{
		"added":    "Added. Make them a login link, below, for their first login.",
		"role":     "The role changed; the sessions of the old role ended.",
		"disabled": "Disabled: their sessions and login links ended.",
		"enabled":  "They may log in again.",
	}[r.URL.Query().Get("done")]
	if h.access != nil && r.URL.Query().Get("done") == "added" {
		status = "Added: they log in through Cloudflare Access."
	}
	h.renderPerson(w, r, p, http.StatusOK, func(v *templates.AdminPerson) {
		v.Status = cmp.Or(status, revokedStatus(r))
	})
}

// renderPerson renders the page of the person the path names, after
// edit; no such person is a 404.
func (h *Handler) renderPerson(w http.ResponseWriter, r *http.Request, p templates.AdminPage, status int, edit func(*templates.AdminPerson)) {
	ctx := r.Context()
	a, err := h.store.Account(ctx, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		h.adminMessage(w, r, http.StatusNotFound, "No such person", "No account has the id in this address.")
		return
	}
	var sessions []store.Session
	if err == nil {
		sessions, err = h.store.Sessions(ctx, a.ID, h.now().UnixMilli())
	}
	if err != nil {
		h.dbDown(w, r, "reading an account", err)
		return
	}
	s, _ := whoOf(r)
	created := stampMS(a.CreatedAt)
	v := templates.AdminPerson{Person: templates.Person{ID: a.ID, Email: a.Email, Name: a.Name, Role: a.Role, URL: templates.PersonURL(a.ID),
		Disabled: a.DisabledAt != 0, Password: a.Password != "", Sessions: len(sessions)},
		Created: stamp(created), CreatedISO: created, CreatedBy: a.CreatedBy, Self: a.ID == s.Account.ID,
		Sessions: sessionRows(sessions, s.IDHash), Access: h.access != nil, CSRF: p.CSRF}
	if a.DisabledAt != 0 {
		v.DisabledAt = stamp(stampMS(a.DisabledAt))
	}
	if edit != nil {
		edit(&v)
	}
	p.Title = cmp.Or(a.Name, a.Email)
	h.adminRender(w, r, status, p, templates.AdminPersonView(v))
}

// sessionRows lays out sessions; current is the id hash of the session
// showing them.
func sessionRows(sessions []store.Session, current string) []templates.SessionRow {
	var out []templates.SessionRow
	for _, s := range sessions {
		start, end := stampMS(s.CreatedAt), stampMS(s.ExpiresAt)
		out = append(out, templates.SessionRow{ID: s.IDHash, Method: methodText(s.Method), Started: stamp(start), StartedISO: start,
			Expires: stamp(end), ExpiresISO: end, Current: s.IDHash == current})
	}
	return out
}

// methodText says how a session logged in, for people.
func methodText(method string) string {
	switch method {
	case byToken:
		return "the admin token"
	case byPassword:
		return "a password"
	case byLink:
		return "a login link"
	case byAccess:
		return "Cloudflare Access"
	}
	return method
}

// changePerson changes a person's role, or disables or enables their
// account (the form's action); an admin cannot do either to themselves,
// so that the dashboard is never left without one by mistake.
func (h *Handler) changePerson(w http.ResponseWriter, r *http.Request, p templates.AdminPage) {
	ctx := r.Context()
	id := r.PathValue("id")
	s, _ := whoOf(r)
	refuse := func(status int, msg string) {
		h.renderPerson(w, r, p, status, func(v *templates.AdminPerson) { v.Error = msg })
	}
	if id == s.Account.ID {
		refuse(http.StatusForbidden, "You cannot change your own role or disable yourself: another admin can.")
		return
	}
	now := h.now().UnixMilli()
	var ok bool
	var err error
	done := ""
	switch action := r.PostForm.Get("action"); action {
	case "role":
		role := r.PostForm.Get("role")
		if !account.ValidRole(role) {
			refuse(http.StatusUnprocessableEntity, "Choose a role: viewer, sales or admin.")
			return
		}
		ok, err = h.store.SetRole(ctx, id, role, now)
		done = "role"
	case "disable":
		ok, err = h.store.Disable(ctx, id, now)
		done = "disabled"
	case "enable":
		ok, err = h.store.Enable(ctx, id)
		done = "enabled"
	default:
		h.adminMessage(w, r, http.StatusBadRequest, "The form was refused", "It asked for nothing this page does.")
		return
	}
	switch {
	case err != nil:
		h.dbDown(w, r, "changing an account", err)
	case !ok:
		h.adminMessage(w, r, http.StatusNotFound, "No such person", "No account has the id in this address.")
	default:
		adminHeaders(w.Header())
		seeOther(w, templates.PersonURL(id)+"?done="+done)
	}
}

// makeLink makes a login link for a person and shows it, once.
func (h *Handler) makeLink(w http.ResponseWriter, r *http.Request, p templates.AdminPage) {
	if !h.linksOn(w, r) {
		return
	}
	ctx := r.Context()
	a, err := h.store.Account(ctx, r.PathValue("id"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.adminMessage(w, r, http.StatusNotFound, "No such person", "No account has the id in this address.")
		return
	case err != nil:
		h.dbDown(w, r, "reading an account", err)
		return
	case a.DisabledAt != 0:
		h.renderPerson(w, r, p, http.StatusConflict, func(v *templates.AdminPerson) {
			v.Error = "A disabled account logs in with no link: let it log in again first."
		})
		return
	}
	tok, now := account.NewToken(), h.now()
	expires := now.Add(account.LinkTTL)
	if err := h.store.NewLoginLink(ctx, account.TokenHash(tok), a.ID, p.Actor, now.UnixMilli(), expires.UnixMilli()); err != nil {
		h.dbDown(w, r, "making a login link", err)
		return
	}
	end := expires.UTC().Format(time.RFC3339)
	h.renderPerson(w, r, p, http.StatusOK, func(v *templates.AdminPerson) {
		v.Link = &templates.LoginLink{URL: h.siteURL(r) + "/admin/link/" + tok, Expires: stamp(end), ExpiresISO: end}
	})
}

// siteURL is the origin people reach the site at: Config.Origin, else
// the request's own.
func (h *Handler) siteURL(r *http.Request) string {
	if h.c.Origin != "" {
		return h.c.Origin
	}
	scheme := "http"
	if secureRequest(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// revokeSessions ends one session (the form's session: the hash it is
// stored by) or all of an account's (all: its id, or "token" for the
// admin token's), and goes back to the page the form was on. Admins may
// end anyone's sessions; others only their own.
func (h *Handler) revokeSessions(w http.ResponseWriter, r *http.Request, p templates.AdminPage) {
	ctx := r.Context()
	s, _ := whoOf(r)
	admin := s.role() == templates.RoleAdmin
	back, _, _ := strings.Cut(safeNext(r.PostForm.Get("back")), "?")
	now := h.now().UnixMilli()
	var n int64
	var ended bool // this session ended too
	switch hash, all := r.PostForm.Get("session"), r.PostForm.Get("all"); {
	case hash != "":
		of := s.Account.ID // only one's own
		if admin {
			of = "-"
		}
		ok, err := h.store.RevokeSession(ctx, hash, of, now)
		if err != nil {
			h.dbDown(w, r, "ending a session", err)
			return
		}
		if ok {
			n = 1
		}
		ended = ok && hash == s.IDHash
	case all != "":
		if all == "token" {
			all = ""
		}
		if !admin && all != s.Account.ID {
			h.adminMessage(w, r, http.StatusForbidden, "Not with your role", "Only admins may end other people's sessions.")
			return
		}
		var err error
		if n, err = h.store.RevokeSessions(ctx, all, now); err != nil {
			h.dbDown(w, r, "ending sessions", err)
			return
		}
		ended = all == s.Account.ID
	default:
		h.adminMessage(w, r, http.StatusBadRequest, "The form was refused", "It named no session to end.")
		return
	}
	if ended {
		setSession(w, r, "")
	}
	adminHeaders(w.Header())
	seeOther(w, back+"?revoked="+strconv.FormatInt(n, 10))
}

// accountPage shows the signed-in person their account and sessions, and
// the form to set their password.
func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request, p templates.AdminPage) {
	status := map[string]string{"set": "Your password is set; your other sessions have ended."}[r.URL.Query().Get("password")]
	h.renderAccount(w, r, p, http.StatusOK, cmp.Or(status, revokedStatus(r)), "")
}

// renderAccount renders the account page with a status or an error.
func (h *Handler) renderAccount(w http.ResponseWriter, r *http.Request, p templates.AdminPage, status int, msg, fault string) {
	s, _ := whoOf(r)
	sessions, err := h.store.Sessions(r.Context(), s.Account.ID, h.now().UnixMilli())
	if err != nil {
		h.dbDown(w, r, "reading the sessions", err)
		return
	}
	v := templates.AdminAccount{Email: s.Account.Email, Name: s.Account.Name, Role: s.role(), Method: methodText(s.Method),
		Sessions: sessionRows(sessions, s.IDHash), Status: msg, Error: fault, Password: s.Account.Password != "",
		SetPassword: h.access == nil && !s.token(), CSRF: p.CSRF}
	if h.access == nil && s.Account.Password == "" && !s.token() && msg == "" && fault == "" {
		v.Status = "You have no password yet: set one below, and you need no login link next time."
	}
	p.Title = "Your account"
	h.adminRender(w, r, status, p, templates.AdminAccountView(v))
}

// setPassword sets the signed-in person's password, given their current
// one if they have one (a wrong one counts as a failed login), and ends
// their other sessions.
func (h *Handler) setPassword(w http.ResponseWriter, r *http.Request, p templates.AdminPage) {
	ctx := r.Context()
	s, _ := whoOf(r)
	if h.access != nil || s.token() {
		h.adminMessage(w, r, http.StatusForbidden, "No password here",
			"Only a person's account has a password, and not behind Cloudflare Access.")
		return
	}
	if s.Account.Password != "" {
		ok, retry, err := h.attempt(ctx, h.loginKey(r), func() bool {
			return account.CheckPassword(s.Account.Password, r.PostForm.Get("current"))
		})
		switch {
		case err != nil:
			h.dbDown(w, r, "counting failed logins", err)
			return
		case retry > 0:
			retryAfter(w, retry)
			h.renderAccount(w, r, p, http.StatusTooManyRequests, "", "Too many failed logins from your network: try again later.")
			return
		case !ok:
			h.renderAccount(w, r, p, http.StatusForbidden, "", "That is not your current password: nothing was changed.")
			return
		}
	}
	hash, err := account.HashPassword(r.PostForm.Get("password"))
	if err != nil {
		h.renderAccount(w, r, p, http.StatusUnprocessableEntity, "", "Not set: "+err.Error()+".")
		return
	}
	if _, err := h.store.SetPassword(ctx, s.Account.ID, hash, s.IDHash, h.now().UnixMilli()); err != nil {
		h.dbDown(w, r, "setting a password", err)
		return
	}
	adminHeaders(w.Header())
	seeOther(w, "/admin/account?password=set")
}
