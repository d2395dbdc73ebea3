package worker

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/winnowhq/winnow/worker/crm"
	"github.com/winnowhq/winnow/worker/notify"
	"github.com/winnowhq/winnow/worker/store"
)

// outboxStmts returns the statements that queue ev for every target that
// takes its topic, if guard holds, and the ids of the webhooks.
func (h *Handler) outboxStmts(ev crm.Event, guard string, args ...any) ([]store.Stmt, []string, error) {
	var stmts []store.Stmt
	var ids []string
	for _, t := range h.c.Targets {
		body, ok, err := t.Payload(ev)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			continue
		}
		id := ev.ID + "." + t.Name
		stmts = append(stmts, store.InsertWebhook(store.Webhook{ID: id, Lead: ev.Lead.ID, Target: t.Name, Topic: ev.Topic,
			Payload: string(body), CreatedAt: ev.At.UnixMilli(), NextAt: h.now().UnixMilli()}, guard, args...))
		ids = append(ids, id)
	}
	return stmts, ids, nil
}

// dispatch tells Config.Dispatch of outbox rows just committed.
func (h *Handler) dispatch(ctx context.Context, ids []string) {
	if h.c.Dispatch != nil && len(ids) > 0 {
		h.c.Dispatch(ctx, ids)
	}
}

// Delivery counts what a delivery run did.
type Delivery struct {
	Delivered, Failed, Dead int
}

func (d *Delivery) add(e Delivery) {
	d.Delivered += e.Delivered
	d.Failed += e.Failed
	d.Dead += e.Dead
}

// Deliver sends the webhooks that are due: it claims them in batches of
// Limits.DeliverBatch (a lease keeps a concurrent run from sending them
// too), sends each batch at most Limits.Concurrency at once per target,
// records the outcomes in one transaction, and goes on until none is due
// or Limits.DeliverBudget has passed. A failed webhook is retried later
// with exponential backoff; after Limits.MaxAttempts it is dead, listed by
// GET /api/outbox and retried only by hand. Delivery is at least once: a
// receiver deduplicates by the Winnow-Event-Id header.
func (h *Handler) Deliver(ctx context.Context) (Delivery, error) {
	var total Delivery
	began := h.now()
	for {
		now := h.now()
		list, err := h.store.Claim(ctx, now.UnixMilli(), now.Add(2*time.Minute).UnixMilli(), h.c.Limits.DeliverBatch, nil)
		if err != nil || len(list) == 0 {
			return total, err
		}
		d, err := h.sendAll(ctx, list)
		total.add(d)
		// A short batch is all that was due, unless what it delivered let
		// a lead's next webhooks go.
		if err != nil || len(list) < h.c.Limits.DeliverBatch && d.Delivered == 0 || h.now().Sub(began) >= h.c.Limits.DeliverBudget {
			return total, err
		}
	}
}

// DeliverIDs sends the webhooks of these outbox rows that are due and not
// leased by another run, as Deliver does: the queue consumer's path.
func (h *Handler) DeliverIDs(ctx context.Context, ids []string) (Delivery, error) {
	var total Delivery
	for len(ids) > 0 {
		n := min(len(ids), store.MaxParams-10)
		chunk := ids[:n]
		ids = ids[n:]
		now := h.now()
		list, err := h.store.Claim(ctx, now.UnixMilli(), now.Add(2*time.Minute).UnixMilli(), 0, chunk)
		if err != nil {
			return total, err
		}
		d, err := h.sendAll(ctx, list)
		total.add(d)
		if err != nil {
			return total, err
		}
		// A lead's later webhooks wait for its earlier ones: those sent,
		// the others of the chunk may go now.
		if d.Delivered > 0 && len(list) < len(chunk) {
			sent := map[string]bool{}
			for _, w := range list {
				sent[w.ID] = true
			}
			for _, id := range chunk {
				if !sent[id] {
					ids = append(ids, id)
				}
			}
		}
	}
	return total, nil
}

// sendAll sends claimed webhooks, at most Limits.Concurrency at once per
// target, and records every outcome in one transaction.
func (h *Handler) sendAll(ctx context.Context, list []store.Webhook) (Delivery, error) {
	var d Delivery
	errs := make([]error, len(list))
	done := make([]int64, len(list))
	contacts := make([]string, len(list)) // the HubSpot contact an upsert answered with
	slots := map[string]chan struct{}{}
	var wg sync.WaitGroup
	for i, x := range list {
		if slots[x.Target] == nil {
			slots[x.Target] = make(chan struct{}, h.c.Limits.Concurrency)
		}
		slot := slots[x.Target]
		slot <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slot; wg.Done() }()
			if d, ok := h.destination(x.Target, x.ID); !ok {
				errs[i] = errors.New("target " + strconv.Quote(x.Target) + " is no longer configured")
			} else {
				var answer []byte
				answer, errs[i] = h.send(ctx, d, x.ID, []byte(x.Payload))
				if errs[i] == nil && d.hubspot {
					contacts[i] = crm.HubSpotUpserted(answer)
				}
			}
			done[i] = h.now().UnixMilli()
		}()
	}
	wg.Wait()
	stmts := make([]store.Stmt, 0, len(list))
	for i, x := range list {
		attempts := x.Attempts + 1
		switch err := errs[i]; {
		case err == nil:
			stmts = append(stmts, store.Delivered(x.ID, attempts, done[i]))
			if contacts[i] != "" {
				// HubSpot's webhooks name the contact: it leads back here.
				stmts = append(stmts, store.SetHubSpotID(x.Lead, contacts[i]))
			}
			d.Delivered++
		case attempts >= h.c.Limits.MaxAttempts:
			stmts = append(stmts, store.Dead(x.ID, attempts, err.Error()))
			d.Dead++
			h.log.Warn("webhook dead", "id", x.ID, "target", x.Target, "attempts", attempts, "err", err.Error())
		default:
			stmts = append(stmts, store.Failed(x.ID, attempts, done[i]+backoff(h.c.Limits.RetryBase, attempts).Milliseconds(), err.Error()))
			d.Failed++
		}
	}
	if _, err := h.store.Run(ctx, stmts); err != nil {
		return Delivery{}, err
	}
	return d, nil
}

// backoff is the wait before attempt n+1: base (30 s) doubling up to 6
// hours, with ±20 % jitter so that failed targets are not hit in step.
func backoff(base time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < 6*time.Hour; i++ {
		d *= 2
	}
	d = min(d, 6*time.Hour)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// destination is where an outbox row goes, as send needs it: a webhook
// target or an alert channel.
type destination struct {
	url     string
	secret  string // signs the Winnow-Signature header; "": unsigned
	token   string // sent as Authorization: Bearer
	idem    string // sent as Idempotency-Key (Resend): the alert's key
	hubspot bool   // the answer names a HubSpot contact
}

// destination returns where the outbox row id of target name goes.
func (h *Handler) destination(name, id string) (destination, bool) {
	for _, t := range h.c.Targets {
		if t.Name == name {
			return destination{url: t.URL, secret: t.Secret, token: t.Token, hubspot: t.Kind == crm.KindHubSpot}, true
		}
	}
	for _, ch := range h.channels {
		if ch.Name == name {
			d := destination{url: ch.URL, secret: ch.Secret}
			if ch.Kind == notify.KindEmail {
				d.token, d.idem = ch.Key, strings.TrimSuffix(id, "."+ch.Name)
			}
			return d, true
		}
	}
	return destination{}, false
}

// send posts one webhook, signed when its destination has a secret, and
// returns the answer (its first 64 KiB). The destination has
// Limits.SendTimeout to answer.
func (h *Handler) send(ctx context.Context, d destination, id string, body []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, h.c.Limits.SendTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Winnow-Webhook/1")
	req.Header.Set("Winnow-Event-Id", id)
	ts := strconv.FormatInt(h.now().Unix(), 10)
	req.Header.Set("Winnow-Timestamp", ts)
	if d.secret != "" {
		req.Header.Set("Winnow-Signature", "v1="+crm.Sign(d.secret, ts, body))
	}
	if d.token != "" {
		req.Header.Set("Authorization", "Bearer "+d.token)
	}
	if d.idem != "" {
		req.Header.Set("Idempotency-Key", d.idem)
	}
	resp, err := h.c.Client.Do(req)
	if err != nil {
		// Say what failed without the URL's query or the body.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, errors.New("request failed: " + err.Error())
	}
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, errors.New("the target answered " + resp.Status)
	}
	return answer, nil
}
