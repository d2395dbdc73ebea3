package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/winnowhq/winnow/worker/lead"
)

// Recorded is what a replay of a request needs of the event it recorded:
// the event, the hash of the request's body, and the answer it got.
type Recorded struct {
	Event    lead.Event
	BodyHash string
	Response string
}

const eventColumns = `id, lead_id, kind, name, value, stage, data, actor, source, note, at, recorded_at, by_rule, rowid`

func scanEvent(sc interface{ Scan(...any) error }, extra ...any) (lead.Event, error) {
	var e lead.Event
	var data string
	var byRule int
	err := sc.Scan(append([]any{&e.ID, &e.Lead, &e.Kind, &e.Name, &e.Value, &e.Stage, &data, &e.Actor, &e.Source,
		&e.Note, &e.At, &e.Recorded, &byRule, &e.Seq}, extra...)...)
	if err != nil {
		return e, err
	}
	e.ByRule = byRule != 0
	if data != "" && (e.Kind == lead.KindSubmission || e.Kind == lead.KindAnswers) {
		json.Unmarshal([]byte(data), &e.Answers)
	}
	return e, nil
}

// Events reads every event of these leads, in no order.
func (s *Store) Events(ctx context.Context, leadIDs []string) ([]lead.Event, error) {
	var out []lead.Event
	err := chunks(leadIDs, MaxParams, func(part []string) error {
		rows, err := s.DB.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE lead_id IN `+in(len(part))+
			` ORDER BY at, recorded_at, rowid`, anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// Recorded reads the events recorded with these idempotency keys, by key.
func (s *Store) Recorded(ctx context.Context, idems []string) (map[string]Recorded, error) {
	out := map[string]Recorded{}
	err := chunks(idems, MaxParams, func(part []string) error {
		rows, err := s.DB.QueryContext(ctx, `SELECT `+eventColumns+`, idem, body_hash, response FROM events WHERE idem IN `+in(len(part)),
			anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r Recorded
			var idem string
			r.Event, err = scanEvent(rows, &idem, &r.BodyHash, &r.Response)
			if err != nil {
				return err
			}
			out[idem] = r
		}
		return rows.Err()
	})
	return out, err
}

// RecordedOne reads the event recorded with one idempotency key.
func (s *Store) RecordedOne(ctx context.Context, idem string) (Recorded, bool, error) {
	var r Recorded
	var key string
	e, err := scanEvent(s.DB.QueryRowContext(ctx, `SELECT `+eventColumns+`, idem, body_hash, response FROM events WHERE idem = ?`, idem),
		&key, &r.BodyHash, &r.Response)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	r.Event = e
	return r, err == nil, err
}

// EventWrite is an event to store with what a replay of its request needs.
type EventWrite struct {
	lead.Event
	Idem     string // "" for an event no request key names (stage entries)
	BodyHash string
	Response string
}

// InsertEvent stores an event if guard holds (see Guard); an event whose
// id or key is taken already is left as it is.
func InsertEvent(w EventWrite, guard string, args ...any) Stmt {
	var data string
	if w.Answers != nil {
		b, _ := json.Marshal(w.Answers)
		data = string(b)
	}
	var idem any
	if w.Idem != "" {
		idem = w.Idem
	}
	return Stmt{
		SQL: `INSERT INTO events (id, lead_id, kind, name, value, stage, data, actor, source, note, at, recorded_at, by_rule,
			idem, body_hash, response) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ` + guard + ` ON CONFLICT DO NOTHING`,
		Args: append([]any{w.ID, w.Lead, w.Kind, w.Name, w.Value, w.Stage, data, w.Actor, w.Source, w.Note, w.At, w.Recorded,
			boolInt(w.ByRule), idem, w.BodyHash, w.Response}, args...),
	}
}

// Score is one row of a lead's score history: its verdict after a change.
type Score struct {
	Lead    string
	At      int64  // the instant the verdict is of
	Event   string // the event that caused it; "" for the passing of time
	Stage   string
	Fit     string
	Tier    string
	Score   float64
	Changed string // JSON of a lead.Change
}

// InsertScore stores a row of the score history if guard holds.
func InsertScore(sc Score, guard string, args ...any) Stmt {
	return Stmt{`INSERT INTO scores (lead_id, at, event_id, stage, fit, tier, score, changed) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE ` + guard,
		append([]any{sc.Lead, sc.At, sc.Event, sc.Stage, sc.Fit, sc.Tier, sc.Score, sc.Changed}, args...)}
}

// DropDerived deletes what re-scoring lead id wrote from instant at (Unix
// ms) on: its stage entries and its score history, which a fact dated
// before them makes stale (they are written again from the facts). Stage
// rows an earlier release stored are facts of their own, and stay.
func DropDerived(id string, at int64, guard string, args ...any) []Stmt {
	return []Stmt{
		{`DELETE FROM events WHERE lead_id = ? AND kind = 'stage' AND source IN ('rules', 'override') AND at >= ? AND ` + guard,
			append([]any{id, at}, args...)},
		{`DELETE FROM scores WHERE lead_id = ? AND at >= ? AND ` + guard, append([]any{id, at}, args...)},
	}
}

// Timeline is a lead's history for its page: its events, with what the
// leads merged into it brought (their facts: their own stage entries and
// score histories are theirs, and stay on their pages), and its score
// history, oldest first.
type Timeline struct {
	Events []lead.Event
	Scores []Score
}

// Timeline reads the history of lead ids[0] with the leads ids[1:]
// merged into it.
func (s *Store) Timeline(ctx context.Context, ids []string) (Timeline, error) {
	var t Timeline
	events, err := s.Events(ctx, ids)
	if err != nil {
		return t, err
	}
	for _, e := range events {
		if e.Lead == ids[0] || e.Kind != lead.KindStage && e.Kind != lead.KindAssign {
			t.Events = append(t.Events, e)
		}
	}
	lead.Sort(t.Events)
	err = chunks(ids[:1], MaxParams, func(part []string) error {
		rows, err := s.DB.QueryContext(ctx, `SELECT lead_id, at, event_id, stage, fit, tier, score, changed FROM scores
			WHERE lead_id IN `+in(len(part))+` ORDER BY at, rowid`, anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sc Score
			if err := rows.Scan(&sc.Lead, &sc.At, &sc.Event, &sc.Stage, &sc.Fit, &sc.Tier, &sc.Score, &sc.Changed); err != nil {
				return err
			}
			t.Scores = append(t.Scores, sc)
		}
		return rows.Err()
	})
	return t, err
}

// Lives reads the events of leads ids and of the leads merged into them,
// each list under the id of the lead it belongs to now, in the order they
// were stored.
func (s *Store) Lives(ctx context.Context, ids []string) (map[string][]lead.Event, error) {
	target := make(map[string]string, len(ids))
	all := append([]string(nil), ids...)
	for _, id := range ids {
		target[id] = id
	}
	err := chunks(ids, MaxParams, func(part []string) error {
		rows, err := s.DB.QueryContext(ctx, `SELECT id, merged_into FROM leads WHERE merged_into IN `+in(len(part)), anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, into string
			if err := rows.Scan(&id, &into); err != nil {
				return err
			}
			target[id] = into
			all = append(all, id)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	evs, err := s.Events(ctx, all)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]lead.Event, len(ids))
	for _, e := range evs {
		out[target[e.Lead]] = append(out[target[e.Lead]], e)
	}
	return out, nil
}
