// Package crm is where Winnow's changes go and where a CRM's come from:
// the webhook targets (Winnow's own signed JSON, HubSpot's contact
// upsert), their payloads, the signature of a webhook, and the reading of
// HubSpot's own webhooks.
package crm

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/worker/lead"
)

// Topics of the webhooks.
const (
	TopicCreated = "lead.created" // a person became a lead
	TopicChanged = "lead.changed" // a lead's stage, fit grade or tier moved
	TopicOutcome = "lead.outcome" // a lead was won or lost
)

// Event is what happened to a lead, as the webhooks tell it.
type Event struct {
	ID      string // receivers deduplicate by it (with the target's name)
	Topic   string
	At      time.Time
	Actor   string // "winnow" for the rules' own changes, else who recorded it
	Lead    Lead
	Change  *lead.Change // what moved (TopicChanged, TopicCreated)
	Outcome *Outcome     // TopicOutcome
	Reasons []Reason     // the points behind the verdict
}

// Lead is a lead as the webhooks show it.
type Lead struct {
	ID      string            `json:"id"`
	Stage   string            `json:"stage"`
	Funnel  string            `json:"funnel,omitempty"`
	Fit     string            `json:"fit"`
	Tier    string            `json:"tier"`
	Score   float64           `json:"score"`
	ByRule  bool              `json:"by_rule"` // the stage is the rules' (else an override's)
	Next    *Next             `json:"next,omitempty"`
	Model   string            `json:"model"`
	Source  string            `json:"source"`
	Email   string            `json:"email,omitempty"`
	Fields  map[string]string `json:"fields,omitempty"`
	Outcome string            `json:"outcome,omitempty"`
	// Owner is the person who owns the lead and Team the team they own it
	// in (routing); "" until it is assigned, Owner "" when nobody could
	// take it.
	Owner string `json:"owner,omitempty"`
	Team  string `json:"team,omitempty"`
	// CRMStage is the stage's name in the CRM (qualify.Stage.CRM), for
	// targets that map stages.
	CRMStage string `json:"-"`
}

// Next is the next step the lead was offered.
type Next struct {
	Kind    string `json:"kind"`
	Label   string `json:"label"`
	Message string `json:"message,omitempty"`
	URL     string `json:"url,omitempty"`
}

// Outcome is a won or lost lead, with the reason sales gave.
type Outcome struct {
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
}

// Reason is a point rule behind a verdict.
type Reason struct {
	Rule   string  `json:"rule"`
	Label  string  `json:"label"`
	Points float64 `json:"points"`
	Pos    string  `json:"pos,omitempty"`
}

// Reasons lists the point rules that gave v its points.
func Reasons(m *qualify.Model, v *qualify.Verdict) []Reason {
	out := []Reason{}
	for _, r := range v.Reasons {
		if r.Kind != qualify.ReasonPoints {
			continue
		}
		name, pos := r.Rule(m)
		out = append(out, Reason{Rule: name, Label: m.Points[r.Index].Label, Points: r.Points, Pos: pos.String()})
	}
	return out
}

// Target kinds.
const (
	// KindJSON posts every event as Winnow's own JSON (schema:
	// docs/webhook.schema.json), signed with the target's secret.
	KindJSON = "json"
	// KindHubSpot keeps a HubSpot contact up to date through the CRM API
	// (contacts batch upsert, by email): stage, score, fit, tier and
	// reasons as properties, the stage's lifecycle stage if the model
	// maps it.
	KindHubSpot = "hubspot"
)

// Target is where webhooks go.
type Target struct {
	Name   string // unique; outbox rows name it
	Kind   string // KindJSON or KindHubSpot
	URL    string
	Secret string // HMAC key of the Winnow-Signature header; "" sends none
	Token  string // sent as Authorization: Bearer (HubSpot private app token)
	// Fields maps model fields to the receiver's names; for HubSpot the
	// default is HubSpotFields. A field mapped to "" is not sent.
	Fields map[string]string
}

// HubSpotUpsert is the CRM API's batch upsert of contacts.
const HubSpotUpsert = "https://api.hubapi.com/crm/v3/objects/contacts/batch/upsert"

// Check reports what is wrong with a target's configuration.
func (t Target) Check() error {
	if t.Name == "" || strings.ContainsAny(t.Name, " .") {
		return errors.New("webhook target " + t.Name + ": a name of letters, digits, '-' and '_' is needed")
	}
	u, err := url.Parse(t.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("webhook target " + t.Name + ": the URL must be an absolute http(s) URL")
	}
	switch t.Kind {
	case KindJSON:
	case KindHubSpot:
		if t.Token == "" {
			return errors.New("webhook target " + t.Name + ": HubSpot needs a private app token")
		}
	default:
		return errors.New("webhook target " + t.Name + ": kind must be json or hubspot, not " + t.Kind)
	}
	return nil
}

// Payload is the body t receives for ev; ok is false when t does not take
// ev's topic.
func (t Target) Payload(ev Event) (body []byte, ok bool, err error) {
	if t.Kind == KindHubSpot {
		return t.hubSpot(ev)
	}
	p := jsonPayload{ID: ev.ID, Topic: ev.Topic, At: ev.At.UTC().Format("2006-01-02T15:04:05.000Z07:00"), Actor: ev.Actor,
		Lead: ev.Lead, Change: ev.Change, Outcome: ev.Outcome, Reasons: ev.Reasons}
	if ev.Topic != TopicCreated {
		p.Lead.Fields = nil // a receiver has them from lead.created
	}
	body, err = json.Marshal(p)
	return body, err == nil, err
}

// jsonPayload is the body a json target receives (docs/webhook.schema.json).
type jsonPayload struct {
	ID      string       `json:"id"`
	Topic   string       `json:"topic"`
	At      string       `json:"at"`
	Actor   string       `json:"actor"`
	Lead    Lead         `json:"lead"`
	Change  *lead.Change `json:"change,omitempty"`
	Outcome *Outcome     `json:"outcome,omitempty"`
	Reasons []Reason     `json:"reasons"`
}

// HubSpotFields maps the default model's fields to HubSpot's contact
// properties. "name" is split into firstname and lastname.
var HubSpotFields = map[string]string{
	"name": "name", "email": "email", "phone": "phone", "company": "company",
	"country": "country", "message": "message",
}

type hubSpotInput struct {
	IDProperty string            `json:"idProperty"`
	ID         string            `json:"id"`
	Properties map[string]string `json:"properties"`
}

type hubSpotUpsert struct {
	Inputs []hubSpotInput `json:"inputs"`
}

// hubSpot is the batch upsert of the lead's contact: its answers (for a
// new lead), Winnow's verdict as winnow_* properties and, where the model
// names one, the stage's lifecycle stage. A lead without an email is not
// sent: HubSpot keys contacts by it.
func (t Target) hubSpot(ev Event) ([]byte, bool, error) {
	if ev.Lead.Email == "" {
		return nil, false, nil
	}
	props := map[string]string{
		"email": ev.Lead.Email, "winnow_lead_id": ev.Lead.ID, "winnow_stage": ev.Lead.Stage, "winnow_fit": ev.Lead.Fit,
		"winnow_tier": ev.Lead.Tier, "winnow_score": strconv.FormatFloat(ev.Lead.Score, 'f', 2, 64),
		"winnow_reasons": reasonsText(ev.Reasons),
	}
	if ev.Lead.CRMStage != "" {
		props["lifecyclestage"] = ev.Lead.CRMStage
	}
	if ev.Outcome != nil {
		props["winnow_outcome"] = ev.Outcome.Outcome
	}
	fields := t.Fields
	if fields == nil {
		fields = HubSpotFields
	}
	for k, v := range ev.Lead.Fields {
		prop, mapped := fields[k]
		switch {
		case !mapped || prop == "" || v == "":
		case prop == "name":
			props["firstname"], props["lastname"] = SplitName(v)
		default:
			props[prop] = v
		}
	}
	body, err := json.Marshal(hubSpotUpsert{Inputs: []hubSpotInput{{IDProperty: "email", ID: ev.Lead.Email, Properties: props}}})
	return body, err == nil, err
}

// reasonsText writes reasons one per line: "+4 Filled in a form (form)".
func reasonsText(rs []Reason) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(qualify.FormatPoints(r.Points) + " " + r.Label + " (" + r.Rule + ")")
	}
	return b.String()
}

// SplitName splits a full name at its last space: "Ada King Lovelace" is
// "Ada King" and "Lovelace"; a single word is a first name.
func SplitName(s string) (first, last string) {
	s = strings.TrimSpace(s)
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		return s, ""
	}
	return strings.TrimSpace(s[:i]), s[i+1:]
}

// Sign is a webhook's signature: HMAC-SHA256 keyed with the target's
// secret over the timestamp, a dot and the body, in hex. Receivers
// recompute it, compare in constant time and refuse old timestamps.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks a webhook's signature header ("v1=<hex>") and that its
// timestamp is within tolerance of now.
func Verify(secret, timestamp, header string, body []byte, now time.Time, tolerance time.Duration) bool {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return false
	}
	want := "v1=" + Sign(secret, timestamp, body)
	return hmac.Equal([]byte(header), []byte(want))
}
