package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/winnowhq/winnow/worker/lead"
)

// Lead is a lead's row: the person's current state and verdict. Instants
// are Unix milliseconds.
type Lead struct {
	Row         int64 // its place in the table (rowid); read by LeadsBetween and Uncounted only
	ID          string
	IdemKey     string // the key of its first submission
	BodyHash    string // of its first submission
	CreatedAt   int64
	Person      string // keyed hash of the normalised email; "" without one
	PersonSet   bool   // Person is computed (leads of earlier releases wait for it)
	Visitor     string
	MergedInto  string
	Version     int64 // 0: stored by an earlier release; its state is folded from its events
	LastEvent   string
	Email       string
	EmailHash   string
	State       lead.State
	ScoredAt    int64
	NextCheckAt int64 // 0: time alone never changes the verdict
	Source      string
	Model       string // the model version of the verdict
	Stage       string // the lead's stage: the rules', or an override's
	Fit         string
	Tier        string
	Score       float64
	Verdict     string // JSON: the rules' verdict with its reasons
	ClientModel string
	Client      string // JSON: the browser's verdict at the first submission
	Spam        bool
	Response    string // the answer to its first submission
	PurgedAt    int64
	// RollupGen and RollupVersion say which generation of the report's
	// rollups counts the lead, as of which of its versions: 0 while none
	// does, -1 never (merged into another lead).
	RollupGen     int64
	RollupVersion int64
	// Origin and Campaign are what the report segments the lead by (see
	// Attribution), kept as the lead was last written.
	Origin, Campaign string
	// Owner is the person who owns the lead (routing.Decision.Person), ""
	// for none, in Team, the team of the stage it was assigned in.
	Owner, Team string
	// DueAt is when the owner's next attempt is due in the stage's rhythm
	// (Unix ms; 0: nothing due), AlertAt the next instant the scheduled
	// work looks at the lead for alerts (0: none), AlertedAt the instant
	// up to which it did.
	DueAt, AlertAt, AlertedAt int64
	// ReportEvents, read by LeadsBetween and Uncounted only, are the events
	// the report reads of the lead and of the leads merged into it (whose
	// Lead is "merged"), in order, with what the report reads of them.
	ReportEvents []lead.Event
}

// Attribution is what the report segments a lead with answers by: its
// origin (its utm_source, else the host of the site that referred it)
// and its campaign (utm_campaign).
func Attribution(answers map[string]string) (origin, campaign string) {
	return Origin(answers["utm_source"], answers["referrer"]), answers["utm_campaign"]
}

const leadColumns = `id, idem_key, body_hash, created_at, coalesce(person, ''), person IS NOT NULL, visitor,
	coalesce(merged_into, ''), version, last_event, email, email_hash, input, signals, answered_at, override, outcome,
	scored_at, coalesce(next_check_at, 0), source, model_version, stage, fit, tier, score, verdict,
	client_model_version, client_verdict, spam, response, coalesce(purged_at, 0), coalesce(rollup_gen, -1), rollup_version,
	origin, campaign, owner, team, coalesce(due_at, 0), coalesce(alert_at, 0), alerted_at`

func scanLead(sc interface{ Scan(...any) error }) (Lead, error) {
	var l Lead
	var input, signals, override string
	var spam int
	var origin, campaign sql.NullString
	err := sc.Scan(&l.ID, &l.IdemKey, &l.BodyHash, &l.CreatedAt, &l.Person, &l.PersonSet, &l.Visitor, &l.MergedInto,
		&l.Version, &l.LastEvent, &l.Email, &l.EmailHash, &input, &signals, &l.State.AnsweredAt, &override, &l.State.Outcome,
		&l.ScoredAt, &l.NextCheckAt, &l.Source, &l.Model, &l.Stage, &l.Fit, &l.Tier, &l.Score, &l.Verdict,
		&l.ClientModel, &l.Client, &spam, &l.Response, &l.PurgedAt, &l.RollupGen, &l.RollupVersion, &origin, &campaign,
		&l.Owner, &l.Team, &l.DueAt, &l.AlertAt, &l.AlertedAt)
	if err != nil {
		return l, err
	}
	l.Spam = spam != 0
	l.State.Answers, l.State.Signals = map[string]string{}, map[string]int64{}
	json.Unmarshal([]byte(input), &l.State.Answers)
	json.Unmarshal([]byte(signals), &l.State.Signals)
	l.Origin, l.Campaign = Attribution(l.State.Answers) // not kept yet: an earlier release wrote the lead
	if origin.Valid {
		l.Origin, l.Campaign = origin.String, campaign.String
	}
	if override != "" {
		var o lead.Override
		if json.Unmarshal([]byte(override), &o) == nil {
			l.State.Override = &o
		}
	}
	return l, nil
}

// Lead reads a lead by its id.
func (s *Store) Lead(ctx context.Context, id string) (Lead, error) {
	return s.oneLead(ctx, `WHERE id = ?`, id)
}

// LeadByPerson reads the lead of a person: not merged into another.
func (s *Store) LeadByPerson(ctx context.Context, person string) (Lead, error) {
	return s.oneLead(ctx, `WHERE person = ? AND merged_into IS NULL`, person)
}

// LeadByVisitor reads the lead a visitor became, not merged into another.
func (s *Store) LeadByVisitor(ctx context.Context, visitor string) (Lead, error) {
	return s.oneLead(ctx, `WHERE visitor = ? AND merged_into IS NULL ORDER BY created_at DESC LIMIT 1`, visitor)
}

func (s *Store) oneLead(ctx context.Context, where string, args ...any) (Lead, error) {
	l, err := scanLead(s.DB.QueryRowContext(ctx, `SELECT `+leadColumns+` FROM leads `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return l, ErrNotFound
	}
	return l, err
}

// Leads reads the leads with these ids, or with these persons (each
// lead not merged into another), in no order.
func (s *Store) Leads(ctx context.Context, ids, persons []string) ([]Lead, error) {
	var out []Lead
	read := func(where string, keys []string) error {
		return chunks(keys, MaxParams, func(part []string) error {
			rows, err := s.DB.QueryContext(ctx, `SELECT `+leadColumns+` FROM leads WHERE `+where+` IN `+in(len(part)), anys(part)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				l, err := scanLead(rows)
				if err != nil {
					return err
				}
				if where == "id" || l.MergedInto == "" {
					out = append(out, l)
				}
			}
			return rows.Err()
		})
	}
	if err := read("id", ids); err != nil {
		return nil, err
	}
	return out, read("person", persons)
}

// MergedInto lists the ids of the leads merged into id.
func (s *Store) MergedInto(ctx context.Context, id string) ([]string, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id FROM leads WHERE merged_into = ? ORDER BY created_at`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var x string
		if err := rows.Scan(&x); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// LeadWrite is a lead's new row, written by InsertLead or UpdateLead.
type LeadWrite struct {
	Lead
	Token string // the event of the write: statements that depend on it check it (Guard)
}

func stateJSON(st lead.State) (input, signals, override string) {
	in, _ := json.Marshal(st.Answers)
	sg, _ := json.Marshal(st.Signals)
	if st.Override != nil {
		o, _ := json.Marshal(st.Override)
		override = string(o)
	}
	return string(in), string(sg), override
}

// InsertLead writes a new lead, unless its id, its first submission's key
// or its person is taken, or guard (" AND" a condition, with its args; ""
// for none: a rate limit) fails.
func InsertLead(w LeadWrite, guard string, args ...any) Stmt {
	input, signals, override := stateJSON(w.State)
	return Stmt{
		SQL: `INSERT INTO leads (id, idem_key, body_hash, created_at, person, visitor, version, last_event, email, email_hash,
			input, signals, answered_at, override, outcome, scored_at, next_check_at, source, model_version, stage, fit, tier,
			score, verdict, client_model_version, client_verdict, spam, response, rollup_gen, rollup_version, origin, campaign,
			owner, team, due_at, alert_at, alerted_at)
			SELECT ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
			WHERE NOT EXISTS (SELECT 1 FROM events WHERE idem = ?)` + guard + ` ON CONFLICT DO NOTHING`,
		Args: append([]any{w.ID, w.IdemKey, w.BodyHash, w.CreatedAt, w.Person, w.Visitor, w.Token, w.Email, w.EmailHash,
			input, signals, w.State.AnsweredAt, override, w.State.Outcome, w.ScoredAt, nullable(w.NextCheckAt), w.Source, w.Model,
			w.Stage, w.Fit, w.Tier, w.Score, w.Verdict, w.ClientModel, w.Client, boolInt(w.Spam), w.Response,
			rollupGen(w.RollupGen), w.RollupVersion, w.Origin, w.Campaign, w.Owner, w.Team, nullable(w.DueAt), nullable(w.AlertAt), w.AlertedAt, w.IdemKey}, args...),
	}
}

// UpdateLead writes a lead's new state and verdict if its version is
// still the one it was read at (w.Version), no event holds any of the
// keys idems yet, and guard (with args; "" for none) holds; the version
// goes up by one.
func UpdateLead(w LeadWrite, idems []string, guard string, args ...any) Stmt {
	input, signals, override := stateJSON(w.State)
	q := `UPDATE leads SET version = version + 1, last_event = ?, visitor = ?, email = ?, email_hash = ?, input = ?, signals = ?,
		answered_at = ?, override = ?, outcome = ?, scored_at = ?, next_check_at = ?, model_version = ?, stage = ?, fit = ?,
		tier = ?, score = ?, verdict = ?, rollup_gen = ?, rollup_version = ?, origin = ?, campaign = ?, owner = ?, team = ?,
		due_at = ?, alert_at = ?, alerted_at = ? WHERE id = ? AND version = ?`
	vals := []any{w.Token, w.Visitor, w.Email, w.EmailHash, input, signals, w.State.AnsweredAt, override, w.State.Outcome,
		w.ScoredAt, nullable(w.NextCheckAt), w.Model, w.Stage, w.Fit, w.Tier, w.Score, w.Verdict, rollupGen(w.RollupGen),
		w.RollupVersion, w.Origin, w.Campaign, w.Owner, w.Team, nullable(w.DueAt), nullable(w.AlertAt), w.AlertedAt, w.ID, w.Version}
	if len(idems) > 0 {
		q += ` AND NOT EXISTS (SELECT 1 FROM events WHERE idem IN ` + in(len(idems)) + `)`
		vals = append(vals, anys(idems)...)
	}
	return Stmt{q + guard, append(vals, args...)}
}

// rollupGen writes a lead's rollup generation: -1 (never counted) as NULL.
func rollupGen(g int64) any {
	if g < 0 {
		return nil
	}
	return g
}

// Guard is the condition, for INSERT ... SELECT ... WHERE, that the write
// of lead whose token is token took place in this transaction.
func Guard(leadID, token string) (string, []any) {
	return `EXISTS (SELECT 1 FROM leads WHERE id = ? AND last_event = ?)`, []any{leadID, token}
}

// MergeLead marks lead id as merged into into, or, with into "", as its
// own lead again (without its person, should another lead hold it), if
// its version is still version and guard holds (see Guard).
func MergeLead(id string, version int64, into string, guard string, args ...any) Stmt {
	if into == "" {
		// Its own lead again, counted anew by the report.
		return Stmt{`UPDATE leads SET merged_into = NULL, version = version + 1, rollup_gen = 0,
			person = CASE WHEN EXISTS (SELECT 1 FROM leads o WHERE o.person = leads.person AND o.person != ''
				AND o.merged_into IS NULL AND o.id != leads.id) THEN '' ELSE person END
			WHERE id = ? AND version = ? AND ` + guard, append([]any{id, version}, args...)}
	}
	return Stmt{`UPDATE leads SET merged_into = ?, version = version + 1, next_check_at = NULL, rollup_gen = NULL, due_at = NULL, alert_at = NULL
		WHERE id = ? AND version = ? AND ` + guard,
		append([]any{into, id, version}, args...)}
}

// DueLeads lists the leads whose verdict time alone may have changed by
// at (Unix ms), the most overdue first, at most limit.
func (s *Store) DueLeads(ctx context.Context, at int64, limit int) ([]string, error) {
	return s.ids(ctx, `SELECT id FROM leads WHERE next_check_at <= ? AND merged_into IS NULL
		ORDER BY next_check_at LIMIT ?`, at, limit)
}

// MovePerson gives person, held by lead from, to lead to (which has
// none), in the transaction's two statements.
func MovePerson(from, to, person string) []Stmt {
	return []Stmt{
		{`UPDATE leads SET person = '' WHERE id = ? AND person = ?`, []any{from, person}},
		{`UPDATE leads SET person = ? WHERE id = ? AND person IS NULL`, []any{person, to}},
	}
}

// PersonTodo is a lead of an earlier release whose person is not computed.
type PersonTodo struct {
	ID, Email string
	CreatedAt int64
}

// PersonsTodo lists leads whose person is not computed yet, oldest first.
func (s *Store) PersonsTodo(ctx context.Context, limit int) ([]PersonTodo, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id, email, created_at FROM leads WHERE person IS NULL ORDER BY created_at LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PersonTodo
	for rows.Next() {
		var p PersonTodo
		if err := rows.Scan(&p.ID, &p.Email, &p.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SetPerson records a lead's person, if no other lead holds it ("" for a
// lead without an email address).
func SetPerson(id, person string) Stmt {
	return Stmt{`UPDATE leads SET person = ? WHERE id = ? AND person IS NULL
		AND NOT EXISTS (SELECT 1 FROM leads o WHERE o.person = ? AND o.person != '' AND o.merged_into IS NULL AND o.id != ?)`,
		[]any{person, id, person, id}}
}

// SetHubSpotID records the HubSpot contact lead id was upserted as.
func SetHubSpotID(id, contact string) Stmt {
	return Stmt{`UPDATE leads SET hubspot_id = ? WHERE id = ? AND hubspot_id IS NOT ?`, []any{contact, id, contact}}
}

// LeadsByHubSpot reads the ids of the leads, not merged into others,
// that were upserted as these HubSpot contacts.
func (s *Store) LeadsByHubSpot(ctx context.Context, contacts []string) ([]string, error) {
	var out []string
	err := chunks(contacts, MaxParams, func(part []string) error {
		rows, err := s.DB.QueryContext(ctx, `SELECT coalesce(merged_into, id) FROM leads WHERE hubspot_id IN `+in(len(part)), anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out = append(out, id)
		}
		return rows.Err()
	})
	return out, err
}

// OwnerCount is what the database knows of a person's leads, for the
// round robin (routing.Count).
type OwnerCount struct {
	Open     int   // the leads they own in one of stages, without an outcome
	Assigned int64 // the assignments naming them since the instant asked
}

// OwnerCountsSQL is OwnerCounts' query for people people and stages
// stages: the open leads of each from the index leads_owner (the query
// repeats the index's condition on owner, so that SQLite may use it),
// and their assignments since an instant from events_assign.
func OwnerCountsSQL(people, stages int) string {
	return `SELECT 'o', owner, count(*) FROM leads
			WHERE owner != '' AND owner IN ` + in(people) + ` AND stage IN ` + in(stages) + ` AND outcome = '' AND merged_into IS NULL GROUP BY owner
			UNION ALL SELECT 'a', value, count(*) FROM events
			WHERE kind = 'assign' AND value IN ` + in(people) + ` AND at >= ? GROUP BY value`
}

// OwnerCounts counts, for each of people, the leads they own that are
// open (in one of stages, not won or lost, not merged into another) and
// the assignments naming them at or after since (Unix ms). People without
// any are missing from the map.
func (s *Store) OwnerCounts(ctx context.Context, people, stages []string, since int64) (map[string]OwnerCount, error) {
	out := map[string]OwnerCount{}
	if len(stages) == 0 {
		stages = []string{""}
	}
	size := max(1, (MaxParams-len(stages)-1)/2)
	err := chunks(people, size, func(part []string) error {
		args := append(append(anys(part), anys(stages)...), anys(part)...)
		rows, err := s.DB.QueryContext(ctx, OwnerCountsSQL(len(part), len(stages)), append(args, since)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var what, who string
			var n int64
			if err := rows.Scan(&what, &who, &n); err != nil {
				return err
			}
			c := out[who]
			if what == "o" {
				c.Open = int(n)
			} else {
				c.Assigned = n
			}
			out[who] = c
		}
		return rows.Err()
	})
	return out, err
}
