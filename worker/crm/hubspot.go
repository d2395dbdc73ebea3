package crm

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// HubSpot's side: its webhooks tell Winnow when a contact's property (its
// lifecycle stage) or a deal's (its stage) changed; the model says what
// each value means (qualify.Model.HubSpot).

// HubSpotEvent is one event of a HubSpot webhook request.
type HubSpotEvent struct {
	EventID          int64  `json:"eventId"`
	SubscriptionType string `json:"subscriptionType"` // contact.propertyChange, deal.propertyChange, object.propertyChange
	ObjectTypeID     string `json:"objectTypeId"`     // 0-1 contacts, 0-3 deals (object.* subscriptions)
	ObjectID         int64  `json:"objectId"`
	PropertyName     string `json:"propertyName"`
	PropertyValue    string `json:"propertyValue"`
	OccurredAt       int64  `json:"occurredAt"` // Unix ms
}

// Object kinds of HubSpot events.
const (
	HubSpotContact = "contact"
	HubSpotDeal    = "deal"
)

// Object says what kind of object the event is about: HubSpotContact,
// HubSpotDeal, or "" for others and for events that are not a property's
// change.
func (e *HubSpotEvent) Object() string {
	switch {
	case e.SubscriptionType == "contact.propertyChange",
		e.SubscriptionType == "object.propertyChange" && e.ObjectTypeID == "0-1":
		return HubSpotContact
	case e.SubscriptionType == "deal.propertyChange",
		e.SubscriptionType == "object.propertyChange" && e.ObjectTypeID == "0-3":
		return HubSpotDeal
	}
	return ""
}

// MaxHubSpotEvents is the most events one HubSpot webhook request
// carries.
const MaxHubSpotEvents = 100

// ParseHubSpot reads the body of a HubSpot webhook request: a JSON array
// of events.
func ParseHubSpot(body []byte) ([]HubSpotEvent, error) {
	var evs []HubSpotEvent
	if err := json.Unmarshal(body, &evs); err != nil {
		return nil, errors.New("the body is not a JSON array of HubSpot events: " + err.Error())
	}
	if len(evs) > MaxHubSpotEvents {
		return nil, errors.New("a request carries at most " + strconv.Itoa(MaxHubSpotEvents) + " events")
	}
	for i, e := range evs {
		if e.EventID == 0 || e.ObjectID == 0 {
			return nil, errors.New("event " + strconv.Itoa(i) + " lacks its eventId or objectId")
		}
	}
	return evs, nil
}

// VerifyHubSpot checks a request signed with HubSpot's v3 signature: the
// base64 HMAC-SHA256, keyed with the app's client secret, of the method,
// the request's full URL, the body and the timestamp header (Unix ms),
// which must be within tolerance of now. A proxy may hide the scheme the
// request came in with, so uris lists the URLs it may have had.
func VerifyHubSpot(secret, method string, uris []string, body []byte, timestamp, signature string, now time.Time,
	tolerance time.Duration) bool {
	ms, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || secret == "" || signature == "" {
		return false
	}
	if d := now.Sub(time.UnixMilli(ms)); d > tolerance || d < -tolerance {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return false
	}
	for _, uri := range uris {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(method + hubSpotURI(uri)))
		m.Write(body)
		m.Write([]byte(timestamp))
		if hmac.Equal(got, m.Sum(nil)) {
			return true
		}
	}
	return false
}

// SignHubSpot is HubSpot's v3 signature of a request, for tests and
// stand-ins.
func SignHubSpot(secret, method, uri string, body []byte, timestamp string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(method + hubSpotURI(uri)))
	m.Write(body)
	m.Write([]byte(timestamp))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// hubSpotURI is the URL as HubSpot signs it: with the characters it
// documents as decoded (%3A :, %2F /, %3F ?, %40 @, %21 !, %24 $, %27 ',
// %28 (, %29 ), %2A *, %2C ,, %3B ;) decoded.
func hubSpotURI(uri string) string {
	return hubSpotDecoder.Replace(uri)
}

var hubSpotDecoder = strings.NewReplacer("%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$",
	"%27", "'", "%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";")

// HubSpotUpserted reads the contact id from the answer to a batch upsert
// of one contact ("" if it holds none).
func HubSpotUpserted(answer []byte) string {
	var a struct {
		Results []struct {
			ID string `json:"id"`
		} `json:"results"`
	}
	if json.Unmarshal(answer, &a) != nil || len(a.Results) != 1 {
		return ""
	}
	return a.Results[0].ID
}

// HubSpotDealContacts is the URL that lists the contacts of deal id, on
// the API whose contacts upsert endpoint is upsert.
func HubSpotDealContacts(upsert string, deal int64) (string, error) {
	u, err := url.Parse(upsert)
	if err != nil {
		return "", err
	}
	return u.Scheme + "://" + u.Host + "/crm/v4/objects/deals/" + strconv.FormatInt(deal, 10) + "/associations/contacts", nil
}

// HubSpotAssociated reads the contact ids from the answer to
// HubSpotDealContacts' URL.
func HubSpotAssociated(answer []byte) ([]string, error) {
	var a struct {
		Results []struct {
			ToObjectID json.Number `json:"toObjectId"`
		} `json:"results"`
	}
	if err := json.Unmarshal(answer, &a); err != nil {
		return nil, errors.New("the deal's contacts are not HubSpot's JSON: " + err.Error())
	}
	var ids []string
	for _, r := range a.Results {
		ids = append(ids, r.ToObjectID.String())
	}
	return ids, nil
}
