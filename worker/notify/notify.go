// Package notify is how the owners of leads are told what needs them: the
// alerts (a lead given to them, a lead turned hot, an attempt coming due
// or past due, the daily digest of their leads) and the channels they go
// through, each with its own body: a Slack-compatible incoming webhook
// ({"text", "blocks"}: Slack, Mattermost, Rocket.Chat), Winnow's signed
// JSON webhook, and email through Resend's HTTP API. Mailbox stands in
// for Resend where nothing is to be sent (tests, winnow dev).
//
// An alert's body is made when it is raised and kept in the outbox,
// which delivers it as it delivers the CRM's webhooks.
package notify

import (
	"encoding/json"
	"errors"
	"html"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Kinds of alert.
const (
	Assigned = "assigned" // a lead was given to the person (or to nobody: the team is told)
	Hot      = "hot"      // the person's lead reached the hot tier or stage
	Warn     = "warn"     // an attempt on the person's lead is coming due
	Breach   = "breach"   // an attempt on the person's lead is past due
	Digest   = "digest"   // the person's open leads, due first
)

// Topic is the webhook topic of an alert of kind: "alert.warn".
func Topic(kind string) string { return "alert." + kind }

// Alert is what a person is told.
type Alert struct {
	// ID is the alert's key: the same on every delivery of it, so that a
	// receiver (and Resend, by its Idempotency-Key) acts on it once.
	ID   string
	Kind string
	At   time.Time // when it was raised
	// Zone is the time zone of the person's team: times are written in it.
	Zone *time.Location
	// Person is who is told; nil when nobody could take the lead (an
	// Assigned alert then tells the team's channels).
	Person *Person
	Team   string // the person's team, or the lead's
	// Reason says why, in words: the routing's reason for an assignment,
	// what made a lead hot, the escalation of a breach.
	Reason string
	Lead   *Lead // every kind but Digest
	// Attempt is the attempt due next of the stage's rhythm (1: the first
	// action) out of Attempts (0: no limit), due at Due (zero: nothing is
	// due): for Assigned, Warn and Breach.
	Attempt, Attempts int
	Due               time.Time
	// Escalated is the team a breached lead was given to, "" for none.
	Escalated string
	// Leads are a digest's leads, due first; Open counts them all (Leads
	// may hold fewer).
	Leads []Lead
	Open  int
}

// Person is someone who owns leads (content/routing.yaml).
type Person struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
}

// Lead is a lead as an alert shows it.
type Lead struct {
	ID      string    `json:"id"`
	Name    string    `json:"name,omitempty"`
	Company string    `json:"company,omitempty"`
	Stage   string    `json:"stage"`
	Fit     string    `json:"fit,omitempty"`
	Tier    string    `json:"tier,omitempty"`
	Score   float64   `json:"score"`
	Owner   string    `json:"owner,omitempty"`
	Team    string    `json:"team,omitempty"`
	Due     time.Time `json:"-"` // when the owner's next attempt is due; zero: nothing is
	Overdue bool      `json:"overdue,omitempty"`
	// URL is the lead's page on the dashboard; "" when the server does not
	// know its own origin.
	URL string `json:"url,omitempty"`
}

// Label names the lead as a person reads it: "Ana Souza (Northwind)".
func (l *Lead) Label() string {
	switch {
	case l.Name != "" && l.Company != "":
		return l.Name + " (" + l.Company + ")"
	case l.Name != "":
		return l.Name
	case l.Company != "":
		return l.Company
	}
	return "lead " + l.ID
}

// AttemptName names an attempt of a stage's rhythm: "first action",
// "attempt 2 of 5".
func AttemptName(n, of int) string {
	switch {
	case n <= 1:
		return "first action"
	case of > 0:
		return "attempt " + strconv.Itoa(n) + " of " + strconv.Itoa(of)
	}
	return "attempt " + strconv.Itoa(n)
}

// When writes an instant as alerts do: "Wed 4 Mar 15:00 CET", in loc.
func When(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("Mon 2 Jan 15:04 MST")
}

// Title is the alert in a few words: an email's subject, a message's
// first line.
func (a *Alert) Title() string {
	var what string
	if a.Lead != nil {
		what = a.Lead.Label()
	}
	switch a.Kind {
	case Assigned:
		if a.Person == nil {
			return "Nobody could take " + what
		}
		return "New lead for " + a.Person.Name + ": " + what
	case Hot:
		return "Hot lead: " + what
	case Warn:
		return "Due soon: " + AttemptName(a.Attempt, a.Attempts) + " on " + what
	case Breach:
		return "SLA breached: " + AttemptName(a.Attempt, a.Attempts) + " on " + what
	case Digest:
		s := "Open leads of " + a.personName() + ": " + strconv.Itoa(a.Open)
		if n := a.overdue(); n > 0 {
			s += ", " + strconv.Itoa(n) + " overdue"
		}
		return s
	}
	return a.Kind
}

func (a *Alert) personName() string {
	if a.Person == nil {
		return "nobody"
	}
	return a.Person.Name
}

func (a *Alert) overdue() int {
	n := 0
	for _, l := range a.Leads {
		if l.Overdue {
			n++
		}
	}
	return n
}

// Lines is what the alert says after its title, a line each.
func (a *Alert) Lines() []string {
	var out []string
	l := a.Lead
	if a.Kind == Digest {
		for i := range a.Leads {
			out = append(out, a.digestLine(&a.Leads[i]))
		}
		if more := a.Open - len(a.Leads); more > 0 {
			out = append(out, "… and "+strconv.Itoa(more)+" more")
		}
		return out
	}
	if l == nil {
		return nil
	}
	facts := l.Stage
	if l.Fit != "" {
		facts += ", fit " + l.Fit
	}
	if l.Tier != "" {
		facts += ", tier " + l.Tier
	}
	facts += ", score " + strconv.FormatFloat(l.Score, 'f', -1, 64)
	switch a.Kind {
	case Assigned:
		if a.Person == nil {
			out = append(out, "Nobody in "+a.Team+" could take "+l.Label()+" ("+facts+").")
		} else {
			out = append(out, a.Person.Name+" ("+a.Team+") now owns "+l.Label()+" ("+facts+").")
		}
		if !a.Due.IsZero() {
			out = append(out, upper(AttemptName(a.Attempt, a.Attempts))+" due "+When(a.Due, a.Zone)+".")
		}
	case Hot:
		out = append(out, l.Label()+" "+a.Reason+" ("+facts+").")
		if l.Owner != "" {
			out = append(out, "Owner: "+l.Owner+" ("+l.Team+").")
		}
		return append(out, link(l)...)
	case Warn:
		out = append(out, "The "+AttemptName(a.Attempt, a.Attempts)+" on "+l.Label()+" ("+facts+") is due "+When(a.Due, a.Zone)+
			" in the working hours of "+a.Team+".")
	case Breach:
		out = append(out, "The "+AttemptName(a.Attempt, a.Attempts)+" on "+l.Label()+" ("+facts+") was due "+When(a.Due, a.Zone)+
			" and was not made.")
		if a.Escalated != "" && l.Owner != "" {
			out = append(out, "Escalated to "+a.Escalated+": "+l.Owner+" owns it now.")
		}
	}
	if a.Reason != "" {
		out = append(out, "Why: "+a.Reason+".")
	}
	return append(out, link(l)...)
}

func link(l *Lead) []string {
	if l.URL == "" {
		return nil
	}
	return []string{l.URL}
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// digestLine is a lead of a digest: "OVERDUE since Wed 4 Mar 15:00 CET ·
// Ana Souza (Northwind) · MQL, tier warm".
func (a *Alert) digestLine(l *Lead) string {
	due := "nothing due"
	switch {
	case l.Overdue:
		due = "OVERDUE since " + When(l.Due, a.Zone)
	case !l.Due.IsZero():
		due = "due " + When(l.Due, a.Zone)
	}
	s := due + " · " + l.Label() + " · " + l.Stage
	if l.Tier != "" {
		s += ", tier " + l.Tier
	}
	if l.URL != "" {
		s += " · " + l.URL
	}
	return s
}

// Text is the whole alert as plain text.
func (a *Alert) Text() string {
	return a.Title() + "\n\n" + strings.Join(a.Lines(), "\n") + "\n"
}

// Kinds of channel.
const (
	KindSlack   = "slack"   // a Slack-compatible incoming webhook
	KindWebhook = "webhook" // Winnow's JSON, signed like the CRM webhooks
	KindEmail   = "email"   // email to the person through Resend
)

// ResendAPI is Resend's endpoint that sends an email. Only tests and
// winnow dev send elsewhere (a Mailbox).
const ResendAPI = "https://api.resend.com/emails"

// Channel is where alerts go.
type Channel struct {
	Name string // unique among the channels and webhook targets; outbox rows name it
	Kind string // KindSlack, KindWebhook or KindEmail
	URL  string
	// Secret is the HMAC key of a webhook's Winnow-Signature header ("":
	// unsigned).
	Secret string
	// Key is Resend's API key, sent as Authorization: Bearer; From is the
	// sender of the emails, such as "Winnow <alerts@winnow.example>".
	Key, From string
	// Team is the team whose alerts a Slack channel takes; "": every
	// team's that has no channel of its own.
	Team string
}

// Check reports what is wrong with a channel's configuration.
func (c Channel) Check() error {
	if c.Name == "" || strings.ContainsAny(c.Name, " .") {
		return errors.New("alert channel " + c.Name + ": a name of letters, digits, '-' and '_' is needed")
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("alert channel " + c.Name + ": the URL must be an absolute http(s) URL")
	}
	switch c.Kind {
	case KindSlack, KindWebhook:
	case KindEmail:
		if c.Key == "" {
			return errors.New("alert channel " + c.Name + ": email needs an API key (WINNOW_EMAIL_API_KEY)")
		}
		if !strings.Contains(c.From, "@") {
			return errors.New("alert channel " + c.Name + ": email needs a sender such as Winnow <alerts@winnow.example> (WINNOW_EMAIL_FROM)")
		}
	default:
		return errors.New("alert channel " + c.Name + ": kind must be slack, webhook or email, not " + c.Kind)
	}
	return nil
}

// Takes reports whether the channel takes the alerts of team: a Slack
// channel takes its own team's, or those of every team without one of
// its own (own: the teams that have one); the others take every team's.
func (c Channel) Takes(team string, own func(team string) bool) bool {
	if c.Kind != KindSlack {
		return true
	}
	if c.Team != "" {
		return c.Team == team
	}
	return !own(team)
}

// Payload is the body the channel receives for a; ok is false when the
// channel does not take it: email without a person who has an address,
// and digests in Slack (a team's channel is not the place for one
// person's list).
func (c Channel) Payload(a *Alert) (body []byte, ok bool, err error) {
	switch c.Kind {
	case KindSlack:
		if a.Kind == Digest {
			return nil, false, nil
		}
		body, err = json.Marshal(slack(a))
	case KindEmail:
		if a.Person == nil || a.Person.Email == "" {
			return nil, false, nil
		}
		body, err = json.Marshal(Email{From: c.From, To: []string{a.Person.Email}, Subject: a.Title(), Text: a.Text(), HTML: emailHTML(a)})
	default:
		body, err = json.Marshal(webhook(a))
	}
	return body, err == nil, err
}

// WebhookBody is the JSON a webhook channel receives (docs/webhook.schema.json,
// topics alert.*).
type WebhookBody struct {
	ID          string  `json:"id"`
	Topic       string  `json:"topic"`
	At          string  `json:"at"`
	Title       string  `json:"title"`
	Text        string  `json:"text"`
	Person      *Person `json:"person,omitempty"`
	Team        string  `json:"team,omitempty"`
	Reason      string  `json:"reason,omitempty"`
	Lead        *lead   `json:"lead,omitempty"`
	Attempt     int     `json:"attempt,omitempty"`
	Attempts    int     `json:"attempts,omitempty"`
	Due         string  `json:"due,omitempty"`
	EscalatedTo string  `json:"escalated_to,omitempty"`
	Leads       []lead  `json:"leads,omitempty"`
	Open        *int    `json:"open,omitempty"`
}

// lead is a Lead as JSON, its due time written out.
type lead struct {
	Lead
	Due string `json:"due,omitempty"`
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

func webhook(a *Alert) WebhookBody {
	b := WebhookBody{ID: a.ID, Topic: Topic(a.Kind), At: stamp(a.At), Title: a.Title(), Text: strings.Join(a.Lines(), "\n"),
		Person: a.Person, Team: a.Team, Reason: a.Reason, Attempt: a.Attempt, Attempts: a.Attempts, Due: stamp(a.Due),
		EscalatedTo: a.Escalated}
	if a.Lead != nil {
		b.Lead = &lead{*a.Lead, stamp(a.Lead.Due)}
	}
	if a.Kind == Digest {
		b.Leads = make([]lead, len(a.Leads))
		for i, l := range a.Leads {
			b.Leads[i] = lead{l, stamp(l.Due)}
		}
		b.Open = &a.Open
	}
	return b
}

// SlackMessage is what a Slack-compatible incoming webhook receives: text
// for Mattermost, Rocket.Chat and notifications, blocks for Slack.
type SlackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type     string       `json:"type"`
	Text     *slackText   `json:"text,omitempty"`
	Elements []*slackText `json:"elements,omitempty"`
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// slackEscape escapes what Slack's mrkdwn reads as markup.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func slack(a *Alert) SlackMessage {
	lines := a.Lines()
	var body []string
	for _, s := range lines {
		if a.Lead != nil && s == a.Lead.URL {
			continue
		}
		body = append(body, slackEscape.Replace(s))
	}
	title := "*" + slackEscape.Replace(a.Title()) + "*"
	if a.Lead != nil && a.Lead.URL != "" {
		title += " · <" + a.Lead.URL + "|Open the lead>"
	}
	m := SlackMessage{Text: a.Title(), Blocks: []slackBlock{{Type: "section", Text: &slackText{Type: "mrkdwn", Text: title}}}}
	if len(body) > 0 {
		m.Blocks = append(m.Blocks, slackBlock{Type: "section", Text: &slackText{Type: "mrkdwn", Text: strings.Join(body, "\n")}})
	}
	m.Blocks = append(m.Blocks, slackBlock{Type: "context", Elements: []*slackText{{Type: "mrkdwn",
		Text: slackEscape.Replace("Winnow · " + Topic(a.Kind) + " · " + a.Team)}}})
	return m
}

// Email is the body of Resend's POST /emails.
type Email struct {
	From    string   `json:"from"`
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	Text    string   `json:"text"`
	HTML    string   `json:"html"`
}

func emailHTML(a *Alert) string {
	var b strings.Builder
	b.WriteString("<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5\"><h1 style=\"font-size:1.2em\">")
	b.WriteString(html.EscapeString(a.Title()))
	b.WriteString("</h1>")
	lines := a.Lines()
	if a.Kind == Digest {
		b.WriteString("<ul>")
	}
	for i, s := range lines {
		switch {
		case a.Kind == Digest && i < len(a.Leads) && a.Leads[i].URL != "":
			l := &a.Leads[i]
			b.WriteString("<li><a href=\"" + html.EscapeString(l.URL) + "\">" + html.EscapeString(strings.TrimSuffix(s, " · "+l.URL)) + "</a></li>")
		case a.Kind == Digest:
			b.WriteString("<li>" + html.EscapeString(s) + "</li>")
		case a.Lead != nil && a.Lead.URL != "" && s == a.Lead.URL:
			b.WriteString("<p><a href=\"" + html.EscapeString(s) + "\">Open the lead</a></p>")
		default:
			b.WriteString("<p>" + html.EscapeString(s) + "</p>")
		}
	}
	if a.Kind == Digest {
		b.WriteString("</ul>")
	}
	b.WriteString("</body></html>")
	return b.String()
}
