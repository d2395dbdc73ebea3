package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/store"
)

// Life is a submission to import and the facts recorded about its lead
// after it: what a visitor posted to POST /api/leads at an instant, and
// what sales then posted to POST /api/leads/{id}/events, each at its own.
type Life struct {
	// Key is the submission's idempotency key (8 to 128 letters, digits,
	// '-', '_', ':' or '.'); "" for a form post, which the API keys by its
	// answers.
	Key string
	// Source is how it was submitted: "api" (the widget's JSON body, where
	// an empty answer is no answer) or "form" (the plain HTML form).
	Source string
	At     time.Time         // when it was submitted
	Fields map[string]string // its answers, by the model's field names
	// Facts are what was recorded about the lead after the submission, in
	// any order: they are applied in order of instant.
	Facts []Fact
}

// Fact is a fact about a lead as POST /api/leads/{id}/events takes it,
// from the admin token.
type Fact struct {
	At   time.Time       // when it was recorded: the API's clock (the body's "at", if any, is when it happened)
	Key  string          // its Idempotency-Key; "" for none
	Body json.RawMessage // the request's body: actor, at, note, and one fact
}

// importBatch is how many lives Import stores in one transaction.
const importBatch = 2000

// Import stores lives as the API would have, had each submission and
// each fact been posted at its instant, one after another in the order
// given: the same validation (a life the API would refuse is an error),
// the same lead for one person (a life of a known person is an event of
// their lead), the same events, stage entries, score history and lead
// rows, all made by the same plan the API runs. It is not the HTTP path
// but a separate API for demo and benchmark data: it skips the rate
// limits (none is counted or checked), reads no visitor's page views or
// attribution cookies, and queues no webhooks (the Handler must have no
// Targets). Each lead is kept in memory from event to event, so that
// nothing is read but the leads of the persons the lives name; a life
// that would make re-scoring read what the lead's history holds (a fact,
// or a returning person's submission, dated before what its lead holds
// already; a lead stored by an earlier release) is refused: post it to
// the API.
//
// The lives are stored 2,000 to a transaction, in order, each
// transaction's worked out while the one before is stored. An error
// names the life (its index in lives and its key) and the fact; nothing
// of that transaction's lives is stored, nor of those after it, and the
// lives of the transactions before it are.
func (h *Handler) Import(ctx context.Context, lives []Life) error {
	if len(h.c.Targets) > 0 {
		return errors.New("worker: an import queues no webhooks: make the Handler that imports without Targets")
	}
	m, err := h.model(ctx)
	if err != nil {
		return err
	}
	im := importer{h: h, m: m, idems: map[string]int{}}
	var storing chan error // the transaction being stored, if any
	stored := func() error {
		if storing == nil {
			return nil
		}
		err := <-storing
		storing = nil
		return err
	}
	for from := 0; from < len(lives); from += importBatch {
		b, err := im.prepare(ctx, lives, from, min(from+importBatch, len(lives)))
		if err := stored(); err != nil {
			return err
		}
		if err != nil {
			return err
		}
		storing = make(chan error, 1)
		go func() { storing <- im.store(ctx, lives, b) }()
	}
	return stored()
}

// importer imports the lives of one Import.
type importer struct {
	h *Handler
	m *qualify.Model
	// idems are the idempotency keys of the lives and facts imported so
	// far, with the life of each: one key is one event.
	idems map[string]int
	// persons are the leads of the persons of the transaction being
	// worked out, as it leaves them; stored, those of the one before it,
	// which may not be stored yet.
	persons, storing map[string]*store.Lead
}

// batch is a transaction worked out: its statements, and where the
// write of each lead is among them.
type batch struct {
	stmts  []store.Stmt
	writes []leadWrite
}

// leadWrite is where a lead's write is among a transaction's statements.
type leadWrite struct {
	stmt, life int
}

// submitted is a life's submission, checked as the API checks it.
type submitted struct {
	input  qualify.Input
	key    string
	hash   string
	spam   bool
	person string // "" for none, and for a robot's lead
}

// prepare works out the transaction of lives[from:to], while the one
// before it may still be stored: the leads it writes are read from it,
// as it leaves them, and the others from the database.
func (im *importer) prepare(ctx context.Context, lives []Life, from, to int) (*batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	subs := make([]submitted, to-from)
	var keys, unknown []string
	im.storing, im.persons = im.persons, map[string]*store.Lead{}
	for i := from; i < to; i++ {
		s, err := im.submission(&lives[i])
		if err != nil {
			return nil, lifeError(i, &lives[i], -1, err)
		}
		if first, ok := im.idems[s.key]; ok {
			return nil, lifeError(i, &lives[i], -1, fmt.Errorf("the key is life %d's already: a key is one submission", first))
		}
		im.idems[s.key] = i
		keys = append(keys, s.key)
		if _, ok := im.persons[s.person]; s.person != "" && !ok {
			im.persons[s.person] = im.storing[s.person]
			if im.persons[s.person] == nil {
				unknown = append(unknown, s.person)
			}
		}
		subs[i-from] = s
	}
	stored, err := im.h.store.Recorded(ctx, keys)
	if err != nil {
		return nil, err
	}
	for i := from; i < to; i++ {
		if _, ok := stored[subs[i-from].key]; ok {
			return nil, lifeError(i, &lives[i], -1, errors.New("its key is stored already: an import adds lives, it does not replay them"))
		}
	}
	known, err := im.h.store.Leads(ctx, nil, unknown)
	if err != nil {
		return nil, err
	}
	for i := range known {
		im.persons[known[i].Person] = &known[i]
	}
	b := &batch{}
	for i := from; i < to; i++ {
		if err := im.life(ctx, b, i, &lives[i], &subs[i-from]); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// store stores a transaction worked out.
func (im *importer) store(ctx context.Context, lives []Life, b *batch) error {
	changed, err := im.h.store.Run(ctx, b.stmts)
	if err != nil {
		return err
	}
	for _, w := range b.writes {
		if changed[w.stmt] != 1 {
			return lifeError(w.life, &lives[w.life], -1, errors.New("its lead changed while it was imported (by another writer): "+
				"it and the lives after it in its transaction are stored in part; import none of them again, post what they lack to the API"))
		}
	}
	return nil
}

// submission checks a life's submission as POST /api/leads does.
func (im *importer) submission(l *Life) (submitted, error) {
	h, m := im.h, im.m
	var s submitted
	switch {
	case l.Source != "api" && l.Source != "form":
		return s, errors.New(`its source is "api" (the widget's JSON) or "form" (the HTML form), not ` + strconv.Quote(l.Source))
	case l.At.IsZero():
		return s, errors.New("it has no instant: set At")
	}
	s.input = qualify.Input{}
	var unknown []string
	for k, v := range l.Fields {
		switch {
		case !utf8.ValidString(k) || len(k) > 64:
			return s, errors.New("field names are at most 64 bytes of UTF-8")
		case len(v) > 8<<10:
			return s, errors.New(k + ": at most 8 KiB")
		case m.FieldIndex(k) < 0:
			unknown = append(unknown, strconv.Quote(k))
		case v != "" || l.Source == "form":
			s.input[k] = v
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return s, errors.New("the model asks no question " + strings.Join(unknown, ", "))
	}
	s.hash = h.bodyHash(s.input)
	s.key = l.Key
	if s.key == "" && l.Source == "form" {
		s.key = "form:" + s.hash[:40]
	}
	if !validKey(s.key) {
		return s, errors.New("its key is 8 to 128 letters, digits, '-', '_', ':' or '.'")
	}
	if _, errs := m.Lead(s.input, l.At.Unix()); len(errs) > 0 {
		return s, errorText(&Error{Message: "some answers need a correction", Errors: fieldErrors(errs)})
	}
	s.spam = h.spam(s.input)
	if !s.spam {
		// A robot's submission is a lead of its own, never a person's.
		s.person = h.person(s.input["email"])
	}
	return s, nil
}

// life plans life i, its submission and then its facts in order of
// instant, each as the API plans it.
func (im *importer) life(ctx context.Context, b *batch, i int, l *Life, s *submitted) error {
	h, m := im.h, im.m
	at := l.At.UnixMilli()
	ev := store.EventWrite{Event: lead.Event{ID: newID(), Kind: lead.KindSubmission, Answers: s.input, Actor: "visitor",
		Source: l.Source, At: at, Recorded: at}, Idem: s.key, BodyHash: s.hash}
	c := change{events: []store.EventWrite{ev}, answerKey: s.key}
	c.answer = func(row *store.LeadWrite, v *lead.Verdict) string {
		return h.leadAnswer(m, row.ID, v, s.spam, -1, s.input, l.At)
	}
	if known := im.persons[s.person]; s.person != "" && known != nil {
		c.lead = *known
		if err := fresh(known, at); err != nil {
			return lifeError(i, l, -1, err)
		}
	} else {
		c.created = true
		c.lead = store.Lead{ID: newID(), IdemKey: s.key, BodyHash: s.hash, CreatedAt: at, Person: s.person, PersonSet: true,
			Source: l.Source, Spam: s.spam}
	}
	kept, err := im.step(ctx, b, i, c, l.At)
	if err != nil {
		return err
	}
	order := make([]int, len(l.Facts))
	for j := range order {
		order[j] = j
	}
	slices.SortStableFunc(order, func(a, b int) int { return l.Facts[a].At.Compare(l.Facts[b].At) })
	for _, j := range order {
		c, err := im.fact(&kept, &l.Facts[j])
		if err != nil {
			return lifeError(i, l, j, err)
		}
		if kept, err = im.step(ctx, b, i, c, l.Facts[j].At); err != nil {
			return err
		}
	}
	if s.person != "" {
		im.persons[s.person] = &kept
	}
	return nil
}

// fact checks a fact about lead l as POST /api/leads/{id}/events does,
// and makes it a change of the lead.
func (im *importer) fact(l *store.Lead, f *Fact) (change, error) {
	h, m := im.h, im.m
	switch {
	case f.At.IsZero():
		return change{}, errors.New("it has no instant: set At")
	case int64(len(f.Body)) > h.c.Limits.MaxBody:
		return change{}, fmt.Errorf("its body is larger than %d bytes", h.c.Limits.MaxBody)
	}
	var in factJSON
	dec := json.NewDecoder(bytes.NewReader(f.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return change{}, errorText(jsonError(err))
	}
	e, errs := h.fact(m, &in, *l, f.At)
	if len(errs) > 0 {
		return change{}, errorText(newError("invalid", "the event needs a correction", errs...))
	}
	if refusal := overrideRefusal(m, *l, e); refusal != nil {
		return change{}, errorText(refusal)
	}
	e.Source = "api"
	ev := store.EventWrite{Event: e, BodyHash: h.bodyHashOf(f.Body)}
	if f.Key != "" {
		if !validKey(f.Key) {
			return change{}, errors.New("its key is 8 to 128 letters, digits, '-', '_', ':' or '.'")
		}
		ev.Idem = "ev:" + l.ID + ":" + f.Key
		ev.ID = "e" + h.hashKey(ev.Idem)
		if first, ok := im.idems[ev.Idem]; ok {
			return change{}, fmt.Errorf("its key is that of a fact of life %d about the same lead: a key is one event", first)
		}
	}
	if err := fresh(l, e.At); err != nil {
		return change{}, err
	}
	c := change{lead: *l, events: []store.EventWrite{ev}, answerKey: ev.Idem}
	c.answer = func(row *store.LeadWrite, v *lead.Verdict) string { return factReply(&ev, row, v) }
	return c, nil
}

// fresh says why an event of instant at (Unix ms) cannot be applied to
// lead l as kept: plan would fold the lead's state from its stored
// events, some of which may not be stored yet.
func fresh(l *store.Lead, at int64) error {
	switch from := max(l.ScoredAt, l.CreatedAt); {
	case l.Version == 0:
		return errors.New("its lead was stored by an earlier release, whose state is folded from its events: " +
			"an import does not read them; post it to the API")
	case at < from:
		return errors.New("it is dated " + stampMS(at) + ", before what its lead holds (" + stampMS(from) + "): " +
			"a back-dated event re-scores the lead's history from its stored events, which an import does not read; post it to the API")
	}
	return nil
}

// step plans change c of life i at instant now and adds its statements
// to transaction b's; it returns the lead as the write leaves it.
func (im *importer) step(ctx context.Context, b *batch, i int, c change, now time.Time) (store.Lead, error) {
	c.bulk = true
	for _, e := range c.events {
		if e.Idem != "" {
			im.idems[e.Idem] = i
		}
	}
	p, err := im.h.plan(ctx, &c, now)
	if err != nil {
		return store.Lead{}, err
	}
	b.writes = append(b.writes, leadWrite{stmt: len(b.stmts) + p.leadAt, life: i})
	b.stmts = append(b.stmts, p.stmts...)
	l := p.row.Lead
	l.Version++ // a new lead's is 1, and an update adds one
	l.LastEvent = p.row.Token
	return l, nil
}

// lifeError names life i (and its fact j, if j >= 0) in err.
func lifeError(i int, l *Life, j int, err error) error {
	where := "life " + strconv.Itoa(i)
	if l.Key != "" {
		where += " (" + l.Key + ")"
	}
	if j >= 0 {
		where += ", fact " + strconv.Itoa(j)
		if k := l.Facts[j].Key; k != "" {
			where += " (" + k + ")"
		}
	}
	return fmt.Errorf("worker: import: %s: %w", where, err)
}

// errorText is an API error as one line: its message and the problem
// with each field.
func errorText(e *Error) error {
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Errors {
		b.WriteString("; " + f.Field + ": " + f.Message)
	}
	return errors.New(b.String())
}
