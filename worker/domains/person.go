package domains

import "strings"

// Person returns the address that names the person behind an email
// address: case-folded, and with the parts a mail provider ignores taken
// out, where that provider documents them: the dots of a Gmail address,
// the tag after '+' of the providers that deliver name+tag to name, the
// keyword after '-' of Yahoo's disposable addresses. Other domains keep
// their local part as it is: what a company's server ignores is not
// known. It returns "" for a string that is not an address.
func Person(email string) string {
	local, domain, ok := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return ""
	}
	p, known := providers[domain]
	if !known {
		return local + "@" + domain
	}
	if p.tag != 0 {
		if i := strings.IndexByte(local, p.tag); i > 0 {
			local = local[:i]
		}
	}
	if p.dots {
		local = strings.ReplaceAll(local, ".", "")
	}
	if p.domain != "" {
		domain = p.domain
	}
	return local + "@" + domain
}

// provider is what a mail provider ignores in its addresses.
type provider struct {
	tag    byte   // the character that starts a tag the provider drops, or 0
	dots   bool   // dots in the local part are ignored
	domain string // the provider's main domain, if this one is an alias of it
}

// providers are the mail providers whose addressing rules are documented:
// Gmail (dots and +tags; googlemail.com is the same mailbox), Microsoft's
// Outlook.com, Hotmail and Live (+tags), Apple's iCloud (+tags), Proton
// (+tags), Fastmail (+tags), Zoho (+tags), Yahoo (-keywords of disposable
// addresses), GMX and mail.com (+tags).
var providers = map[string]provider{
	"gmail.com":      {tag: '+', dots: true},
	"googlemail.com": {tag: '+', dots: true, domain: "gmail.com"},
	"outlook.com":    {tag: '+'},
	"hotmail.com":    {tag: '+'},
	"hotmail.co.uk":  {tag: '+'},
	"hotmail.fr":     {tag: '+'},
	"hotmail.de":     {tag: '+'},
	"hotmail.it":     {tag: '+'},
	"hotmail.es":     {tag: '+'},
	"live.com":       {tag: '+'},
	"live.co.uk":     {tag: '+'},
	"live.fr":        {tag: '+'},
	"live.de":        {tag: '+'},
	"msn.com":        {tag: '+'},
	"outlook.fr":     {tag: '+'},
	"outlook.de":     {tag: '+'},
	"icloud.com":     {tag: '+'},
	"me.com":         {tag: '+'},
	"mac.com":        {tag: '+'},
	"proton.me":      {tag: '+'},
	"protonmail.com": {tag: '+'},
	"pm.me":          {tag: '+'},
	"fastmail.com":   {tag: '+'},
	"fastmail.fm":    {tag: '+'},
	"zoho.com":       {tag: '+'},
	"zohomail.com":   {tag: '+'},
	"yahoo.com":      {tag: '-'},
	"yahoo.co.uk":    {tag: '-'},
	"yahoo.fr":       {tag: '-'},
	"yahoo.de":       {tag: '-'},
	"ymail.com":      {tag: '-'},
	"gmx.com":        {tag: '+'},
	"gmx.de":         {tag: '+'},
	"gmx.net":        {tag: '+'},
	"mail.com":       {tag: '+'},
}
