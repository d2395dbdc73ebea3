package worker

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/store"
)

// beaconJSON is what the site's beacon script sends of a page view: the
// visitor's first-party id, the page's path, and the signal the page
// records, if any.
type beaconJSON struct {
	V string `json:"v"`
	P string `json:"p"`
	S string `json:"s"`
}

// Limits of the beacon: a page view body is a few dozen bytes, and a
// visitor views a few pages a minute.
const (
	maxBeacon        = 1 << 10
	beaconsPerWindow = 120 // per visitor and per address, each window
)

// postBeacon records a page view of the site's own pages: on the lead the
// visitor became, re-scored if the page records a signal; or, for a
// visitor nobody knows yet, as a visit kept until they submit a form. It
// always answers 204: what it cannot take (a malformed body, an unknown
// signal, a visitor or an address past its limit) is dropped and counted.
func (h *Handler) postBeacon(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if h.crossOrigin(r) {
		writeError(w, newError("origin", "page views are taken from the site's own pages only"))
		return
	}
	ctx := r.Context()
	now := h.now()
	drop := func(why string) {
		if _, err := h.store.Run(ctx, []store.Stmt{store.Count("beacon dropped: "+why, 1)}); err != nil {
			h.log.Error("counting a dropped page view", "err", err)
		}
		h.log.Info("page view dropped", "why", why)
		w.WriteHeader(http.StatusNoContent)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBeacon)
	var b beaconJSON
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		drop("malformed")
		return
	}
	m := h.c.Model
	switch {
	case !visitorID(b.V):
		drop("visitor id")
		return
	case !strings.HasPrefix(b.P, "/") || len(b.P) > 300 || !utf8.ValidString(b.P):
		drop("path")
		return
	case b.S != "" && m.SignalIndex(b.S) < 0:
		drop("unknown signal")
		return
	}
	bucket, _ := h.window(now)
	for _, key := range []string{"beacon:" + b.V, "beacon-ip:" + h.client(r)} {
		n, err := h.store.CountNow(ctx, h.hashKey(key), bucket)
		if err != nil {
			h.serverError(w, r, false, "counting page views", err)
			return
		}
		if n > beaconsPerWindow {
			drop("flood")
			return
		}
	}
	l, err := h.store.LeadByVisitor(ctx, b.V)
	if errors.Is(err, store.ErrNotFound) {
		if _, err := h.store.Run(ctx, []store.Stmt{store.InsertVisit(b.V, b.P, b.S, now.UnixMilli())}); err != nil {
			h.serverError(w, r, false, "storing a visit", err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err != nil {
		h.serverError(w, r, false, "finding a visitor's lead", err)
		return
	}
	if _, err := h.model(ctx); err != nil {
		h.serverError(w, r, false, "loading the domain lists", err)
		return
	}
	ev := store.EventWrite{Event: lead.Event{ID: newID(), Kind: lead.KindView, Name: b.P, Value: b.S, Actor: "visitor",
		Source: "beacon", At: now.UnixMilli(), Recorded: now.UnixMilli()}}
	read := func() (change, error) {
		l, err := h.activeLead(ctx, l.ID)
		return change{lead: l, events: []store.EventWrite{ev}}, err
	}
	if _, _, err := h.apply(ctx, read, now, nil); err != nil {
		h.serverError(w, r, false, "storing a page view", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
