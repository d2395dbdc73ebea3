package worker

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
)

// Target kinds.
const (
	// KindJSON posts every event as Winnow's own JSON, signed with the
	// target's secret.
	KindJSON = "json"
	// KindHubSpot submits each new lead to a HubSpot form through the
	// Forms API (v3 submit, https://api.hsforms.com/submissions/v3/
	// integration/submit/{portalId}/{formGuid}), mapping model fields to
	// contact properties and the stage to the lifecycle stage.
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

func (t Target) check() error {
	if t.Name == "" || strings.ContainsAny(t.Name, " .") {
		return errors.New("webhook target " + t.Name + ": a name of letters, digits, '-' and '_' is needed")
	}
	u, err := url.Parse(t.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("webhook target " + t.Name + ": the URL must be an absolute http(s) URL")
	}
	switch t.Kind {
	case KindJSON, KindHubSpot:
	default:
		return errors.New("webhook target " + t.Name + ": kind must be json or hubspot, not " + t.Kind)
	}
	return nil
}

// jsonPayload is the body a json target receives.
type jsonPayload struct {
	ID    string    `json:"id"`
	Topic string    `json:"topic"`
	At    string    `json:"at"`
	Actor string    `json:"actor"`
	Lead  leadEvent `json:"lead"`
}

type leadEvent struct {
	ID     string            `json:"id"`
	Stage  string            `json:"stage"`
	Funnel string            `json:"funnel,omitempty"`
	Fit    string            `json:"fit,omitempty"`
	Tier   string            `json:"tier,omitempty"`
	Score  *float64          `json:"score,omitempty"`
	Next   *NextJSON         `json:"next,omitempty"`
	Model  string            `json:"model,omitempty"`
	Source string            `json:"source"`
	Note   string            `json:"note,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
}

// HubSpotFields maps the default model's fields to HubSpot's contact
// properties. "name" is split into firstname and lastname.
var HubSpotFields = map[string]string{
	"name": "name", "email": "email", "phone": "phone", "company": "company",
	"country": "country", "message": "message", "role": "", "seniority": "",
}

// hubSpotLifecycle maps stages to HubSpot's lifecycle stages.
var hubSpotLifecycle = map[string]string{
	"MQL": "marketingqualifiedlead", "SAL": "marketingqualifiedlead", "SQL": "salesqualifiedlead",
	"prospect": "salesqualifiedlead", "opportunity": "opportunity",
}

type hubSpotField struct {
	ObjectTypeID string `json:"objectTypeId"`
	Name         string `json:"name"`
	Value        string `json:"value"`
}

type hubSpotSubmission struct {
	SubmittedAt string         `json:"submittedAt"`
	Fields      []hubSpotField `json:"fields"`
	Context     map[string]any `json:"context,omitempty"`
}

// payload is the body t receives for ev; ok is false when t does not take
// ev's topic.
func (t Target) payload(ev Event) (body []byte, ok bool, err error) {
	switch t.Kind {
	case KindHubSpot:
		if ev.Topic != TopicQualified {
			return nil, false, nil
		}
		fields := t.Fields
		if fields == nil {
			fields = HubSpotFields
		}
		sub := hubSpotSubmission{SubmittedAt: itoa64(ev.At.UnixMilli())}
		add := func(name, value string) {
			if name != "" && value != "" {
				sub.Fields = append(sub.Fields, hubSpotField{"0-1", name, value})
			}
		}
		for _, k := range sortedKeys(ev.Fields) {
			prop, mapped := fields[k]
			if !mapped {
				continue
			}
			if prop == "name" {
				first, last := splitName(ev.Fields[k])
				add("firstname", first)
				add("lastname", last)
				continue
			}
			add(prop, ev.Fields[k])
		}
		stage := hubSpotLifecycle[ev.Stage]
		if stage == "" {
			stage = "lead"
		}
		add("lifecyclestage", stage)
		body, err = json.Marshal(sub)
		return body, err == nil, err
	default:
		p := jsonPayload{ID: ev.ID, Topic: ev.Topic, At: ev.At.UTC().Format("2006-01-02T15:04:05.000Z07:00"), Actor: ev.Actor,
			Lead: leadEvent{ID: ev.LeadID, Stage: ev.Stage, Funnel: ev.Funnel, Fit: ev.Fit, Tier: ev.Tier, Model: ev.Model,
				Source: ev.Source, Note: ev.Note, Fields: ev.Fields}}
		if ev.Topic == TopicQualified {
			score, next := ev.Score, ev.Next
			p.Lead.Score, p.Lead.Next = &score, &next
		}
		body, err = json.Marshal(p)
		return body, err == nil, err
	}
}

// splitName splits a full name at its last space: "Ada King Lovelace" is
// "Ada King" and "Lovelace"; a single word is a first name.
func splitName(s string) (first, last string) {
	s = strings.TrimSpace(s)
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		return s, ""
	}
	return strings.TrimSpace(s[:i]), s[i+1:]
}
