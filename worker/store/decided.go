package store

import (
	"context"
	"database/sql"

	"github.com/winnowhq/winnow/worker/lead"
)

// Decided is a lead whose outcome is known, as it was when it came in:
// what the model reads of it at its first submission.
type Decided struct {
	ID        string
	CreatedAt int64  // Unix ms: the instant of its first submission
	Outcome   string // lead.Won or lead.Lost
	// Events are its submissions, answers, signals and page views up to
	// CreatedAt (page views of its visitor before it told who it is, the
	// first submission), in the order they happened.
	Events []lead.Event
}

// DecidedCursor is where a walk of the decided leads has got to: the
// last lead read. The zero value starts with the lead that came in last.
type DecidedCursor struct {
	CreatedAt int64
	ID        string
}

// decidedKinds are the events that make what the model reads of a lead.
const decidedKinds = `('` + lead.KindSubmission + `', '` + lead.KindAnswers + `', '` + lead.KindSignal + `', '` + lead.KindView + `')`

// DecidedLeads reads up to limit leads whose outcome is won or lost (the
// lead's latest outcome, which a reopening or a new submission clears),
// that are not merged into another and whose personal data is not
// purged, from the one that came in last backwards, after cursor; and
// the cursor of the next page (the same cursor when there are none).
// Each lead comes with its events up to its creation, and no later ones:
// the lead as it was scored at signup. One query reads a page: the leads
// by created_at's index, their events by the (lead_id, at) index.
func (s *Store) DecidedLeads(ctx context.Context, after DecidedCursor, limit int) ([]Decided, DecidedCursor, error) {
	where, args := ``, []any{}
	if after.ID != "" {
		where, args = ` AND (created_at < ? OR created_at = ? AND id < ?)`, []any{after.CreatedAt, after.CreatedAt, after.ID}
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT l.id, l.created_at, l.outcome, e.kind, e.name, e.value, e.data, e.at
		FROM (SELECT id, created_at, outcome FROM leads WHERE outcome IN ('`+lead.Won+`', '`+lead.Lost+`')
			AND merged_into IS NULL AND purged_at IS NULL`+where+` ORDER BY created_at DESC, id DESC LIMIT ?) l
		LEFT JOIN events e ON e.lead_id = l.id AND e.at <= l.created_at AND e.kind IN `+decidedKinds+`
		ORDER BY l.created_at DESC, l.id DESC, e.at, e.recorded_at, e.rowid`, append(args, limit)...)
	if err != nil {
		return nil, after, err
	}
	defer rows.Close()
	var out []Decided
	for rows.Next() {
		var d Decided
		var kind, name, value, data sql.NullString
		var at sql.NullInt64
		if err := rows.Scan(&d.ID, &d.CreatedAt, &d.Outcome, &kind, &name, &value, &data, &at); err != nil {
			return nil, after, err
		}
		if n := len(out); n == 0 || out[n-1].ID != d.ID {
			out = append(out, d)
		}
		if !kind.Valid {
			continue // no events: a lead of an earlier release whose submission was purged
		}
		e := lead.Event{Lead: d.ID, Kind: kind.String, Name: name.String, Value: value.String, At: at.Int64}
		if data.String != "" && (e.Kind == lead.KindSubmission || e.Kind == lead.KindAnswers) {
			e.Answers = parseAnswers(data.String)
		}
		last := &out[len(out)-1]
		last.Events = append(last.Events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, after, err
	}
	if n := len(out); n > 0 {
		after = DecidedCursor{CreatedAt: out[n-1].CreatedAt, ID: out[n-1].ID}
	}
	return out, after, nil
}

// OutcomeStamp says whether outcomes have been recorded since it was
// last asked: the number of outcome events (won, lost, reopened) and the
// latest instant of one (Unix ms), both read from an index.
func (s *Store) OutcomeStamp(ctx context.Context) (count, last int64, err error) {
	err = s.DB.QueryRowContext(ctx, `SELECT count(*), coalesce(max(at), 0) FROM events WHERE kind = ?`, lead.KindOutcome).Scan(&count, &last)
	return count, last, err
}
