package templates

import "net/url"

// The dashboard's people: who may use it, with which role, how each
// logs in, and their sessions. Admins manage them at /admin/people;
// everyone sees their own account at /admin/account.

// Person is a row of the people page.
type Person struct {
	ID       string
	Email    string
	Name     string
	Role     string // RoleAdmin, RoleSales or RoleViewer
	URL      string // the person's page
	Disabled bool
	Password bool // the person has a password
	Sessions int  // open sessions
}

// AdminPeople is the people page.
type AdminPeople struct {
	Status string // what the last action did, or ""
	People []Person
	// TokenSessions counts the open sessions of the admin token.
	TokenSessions int
	// Access says the dashboard is behind Cloudflare Access: people log
	// in through it, with the email it vouches for, and have no password
	// or login link.
	Access bool
	// DefaultRole is the role of someone Access lets in without an
	// account ("": refused).
	DefaultRole string
	CSRF        string
	Add         PersonForm // the form to add a person, as last posted
}

// PersonForm is the form that adds a person.
type PersonForm struct {
	Email, Name, Role string
	Error             string // why it was refused, or ""
}

// SessionRow is an open session of a person or of the admin token.
type SessionRow struct {
	ID         string // the hash the session is stored by: what its revoke form posts
	Method     string // how it logged in, for people: "password", "login link" …
	Started    string
	StartedISO string
	Expires    string
	ExpiresISO string
	Current    bool // the session of the request that shows it
}

// LoginLink is a login link just made, shown once.
type LoginLink struct {
	URL        string
	Expires    string
	ExpiresISO string
}

// AdminPerson is a person's page, for admins.
type AdminPerson struct {
	Person
	Created    string
	CreatedISO string
	CreatedBy  string
	DisabledAt string
	// Self says the admin looking is this person: they cannot disable
	// themselves or change their own role.
	Self     bool
	Sessions []SessionRow
	Status   string // what the last action did, or ""
	Error    string // why the last action was refused, or ""
	Link     *LoginLink
	Access   bool // behind Cloudflare Access: no login links
	CSRF     string
}

// AdminAccount is the page of the person signed in: who they are, their
// sessions, and their password.
type AdminAccount struct {
	Email  string // "" for the admin token's session
	Name   string
	Role   string
	Method string // how this session logged in, for people
	// Sessions are the open sessions of the account (of the admin token
	// for its session).
	Sessions []SessionRow
	Status   string
	Error    string
	// Password says the account has one; SetPassword that this session
	// may set it (an account's, not behind Cloudflare Access).
	Password, SetPassword bool
	CSRF                  string
}

// LinkLogin is the page a login link opens: a button that logs in, so
// that a mail client fetching the link to preview it does not use it up.
type LinkLogin struct {
	Token string // "" when the link cannot be used
	Email string
	Name  string
}

// PersonURL is a person's page.
func PersonURL(id string) string { return "/admin/people/" + url.PathEscape(id) }

// roleText says what a role may do.
func roleText(role string) string {
	switch role {
	case RoleAdmin:
		return "admin: everything, people included"
	case RoleSales:
		return "sales: works leads and retries their webhooks"
	case RoleViewer:
		return "viewer: reads"
	}
	return role
}

// Roles are the roles in the order a form offers them.
var Roles = []string{RoleViewer, RoleSales, RoleAdmin}
