package worker

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/worker/crm"
	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/store"
)

// hubSpotAnswer is what a HubSpot webhook request is answered.
type hubSpotAnswer struct {
	Recorded   int `json:"recorded"`   // facts stored
	Duplicates int `json:"duplicates"` // facts stored before (HubSpot retries)
	Ignored    int `json:"ignored"`    // events the model maps to nothing
	Unmatched  int `json:"unmatched"`  // events about contacts no lead was sent as
}

// postHubSpot takes HubSpot's webhooks (POST /api/hubspot), signed with
// the v3 signature of the app's client secret (Config.HubSpotSecret). An
// event reporting a change the model maps (qualify.Model.HubSpot: a
// contact's lifecycle stage, a deal's stage) becomes a signal or an
// outcome of the lead the contact was upserted as (for a deal, of its
// contacts'), recorded once however often HubSpot sends it, and the lead
// is re-scored. Events the model does not map, and contacts Winnow did
// not send, are counted and dropped.
func (h *Handler) postHubSpot(w http.ResponseWriter, r *http.Request) {
	if h.c.HubSpotSecret == "" {
		writeError(w, newError("not_found", "HubSpot's webhooks are not set up here: set WINNOW_HUBSPOT_SECRET to the app's client secret"))
		return
	}
	body, ok := h.body(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	ok, retry, err := h.attempt(ctx, "hubspot:"+h.client(r), func() bool {
		return crm.VerifyHubSpot(h.c.HubSpotSecret, r.Method, requestURLs(r), body, r.Header.Get("X-HubSpot-Request-Timestamp"),
			r.Header.Get("X-HubSpot-Signature-v3"), h.now(), 5*time.Minute)
	})
	switch {
	case err != nil:
		h.serverError(w, r, false, "counting wrong signatures", err)
		return
	case retry > 0:
		h.tooMany(w, r, false, retry, "too many wrongly signed HubSpot webhooks from your network")
		return
	case !ok:
		writeError(w, newError("unauthorized", "the request is not signed with HubSpot's v3 signature of the app's client secret, or is older than five minutes"))
		return
	}
	evs, err := crm.ParseHubSpot(body)
	if err != nil {
		writeError(w, newError("bad_request", err.Error()))
		return
	}
	m, err := h.model(ctx)
	if err != nil {
		h.serverError(w, r, false, "loading the domain lists", err)
		return
	}
	now := h.now()
	var out hubSpotAnswer
	groups := map[string][]store.EventWrite{}
	var order []string
	for _, ev := range evs {
		rule, mapped := m.HubSpotRule(ev.PropertyName, ev.PropertyValue)
		if !mapped || ev.Object() == "" {
			out.Ignored++
			continue
		}
		contacts := []string{strconv.FormatInt(ev.ObjectID, 10)}
		if ev.Object() == crm.HubSpotDeal {
			if contacts, err = h.dealContacts(ctx, ev.ObjectID); err != nil {
				// HubSpot sends the request again later.
				h.log.Warn("reading a HubSpot deal's contacts", "deal", ev.ObjectID, "err", err.Error())
				writeError(w, newError("unavailable", "the deal's contacts could not be read from HubSpot: try again later"))
				return
			}
		}
		ids, err := h.store.LeadsByHubSpot(ctx, contacts)
		if err != nil {
			h.serverError(w, r, false, "finding HubSpot's contacts", err)
			return
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if len(ids) == 0 {
			out.Unmatched++
			continue
		}
		for _, id := range ids {
			l, err := h.activeLead(ctx, id)
			if err != nil {
				h.serverError(w, r, false, "reading a lead", err)
				return
			}
			e := hubSpotFact(rule, ev, l, now)
			e.Idem = "hs:" + strconv.FormatInt(ev.EventID, 10) + ":" + l.ID
			e.ID = "h" + h.hashKey(e.Idem)
			if groups[l.ID] == nil {
				order = append(order, l.ID)
			}
			groups[l.ID] = append(groups[l.ID], e)
		}
	}
	results, err := h.recordSignals(ctx, order, groups, now)
	if err != nil {
		h.serverError(w, r, false, "storing HubSpot's changes", err)
		return
	}
	if out.Ignored+out.Unmatched > 0 {
		if _, err := h.store.Run(ctx, []store.Stmt{store.Count("hubspot ignored: not in the model's map", out.Ignored),
			store.Count("hubspot ignored: a contact Winnow did not send", out.Unmatched)}); err != nil {
			h.log.Error("counting HubSpot's dropped changes", "err", err)
		}
	}
	for _, s := range results {
		if s == "recorded" {
			out.Recorded++
		} else {
			out.Duplicates++
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// hubSpotFact is what event ev of HubSpot says of lead l by rule: a signal
// (its value the property's change), or an outcome with its reason. An
// instant after now or before the lead existed is taken as the nearest
// one it can be.
func hubSpotFact(rule qualify.CRMRule, ev crm.HubSpotEvent, l store.Lead, now time.Time) store.EventWrite {
	at := min(max(ev.OccurredAt, l.CreatedAt), now.UnixMilli())
	e := lead.Event{Lead: l.ID, Actor: "hubspot", Source: "crm", At: at, Recorded: now.UnixMilli(),
		Note: ev.Object() + " " + strconv.FormatInt(ev.ObjectID, 10) + ": " + ev.PropertyName + " = " + ev.PropertyValue}
	if rule.Signal != "" {
		e.Kind, e.Name, e.Value = lead.KindSignal, rule.Signal, ev.PropertyName+"="+ev.PropertyValue
	} else {
		e.Kind, e.Stage, e.Value = lead.KindOutcome, rule.Outcome, rule.Reason
	}
	return store.EventWrite{Event: e}
}

// dealContacts lists the contacts of a HubSpot deal, asked of HubSpot's
// API with the HubSpot target's token.
func (h *Handler) dealContacts(ctx context.Context, deal int64) ([]string, error) {
	var t crm.Target
	for _, x := range h.c.Targets {
		if x.Kind == crm.KindHubSpot {
			t = x
		}
	}
	if t.Token == "" {
		return nil, errors.New("no HubSpot target with a token to read deals with")
	}
	u, err := crm.HubSpotDealContacts(t.URL, deal)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+t.Token)
	resp, err := h.c.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New("HubSpot answered " + resp.Status)
	}
	return crm.HubSpotAssociated(answer)
}

// requestURLs are the URLs a request may have been sent to: its host and
// path, over https and over http (a proxy in front may not say which).
func requestURLs(r *http.Request) []string {
	if r.URL.IsAbs() {
		return []string{r.URL.String()}
	}
	path := r.URL.RequestURI()
	return []string{"https://" + r.Host + path, "http://" + r.Host + path}
}
