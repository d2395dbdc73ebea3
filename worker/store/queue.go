package store

import (
	"context"
	"strconv"
	"strings"
)

// A queue is the open leads of a person (or of the people of a team) in
// the order they are to be worked: those whose owner has an attempt due,
// the one due first (the most overdue) first, then those with nothing
// due; leads due at the same instant (all that came in over a weekend),
// and those with nothing due, by tier, the best first. A page of the due
// ones is read from the index leads_queue (owner, due_at) in that order;
// the leads with nothing due are sorted as they are read.

// QueueOwner is whose queue: one person's, or a team's (the leads its
// people own in it).
type QueueOwner struct {
	Person string   // a person's own queue; "" for a team's
	Team   string   // the team, for a team's queue
	People []string // the team's people, for a team's queue
}

// QueueCounts counts the open leads of a queue.
type QueueCounts struct {
	Due     int // leads whose owner has an attempt due, overdue or not
	Overdue int // of those, the ones due by the instant counted at
	Waiting int // open leads with nothing due: the rhythm asks for no more attempts, or the stage sets none
}

// Open is how many open leads the queue holds.
func (c QueueCounts) Open() int { return c.Due + c.Waiting }

// maxQueuePeople is the most people of a team whose leads are read from
// the index by owner; a larger team's are read by the team, a walk of
// the table. The database takes at most MaxParams parameters, and the
// counts name the people twice, with the open stages.
const maxQueuePeople = 40

// owned is the condition that a lead is of queue o: not merged into
// another, owned by its person or, in its team, by one of its people.
// It spells out the condition of the index leads_queue (an owner, not
// merged), so that the database may read the leads from it.
func (o QueueOwner) owned() (string, []any) {
	const base = `owner != '' AND merged_into IS NULL AND `
	switch {
	case o.Person != "":
		return base + `owner = ?`, []any{o.Person}
	case len(o.People) > 0 && len(o.People) <= maxQueuePeople:
		return base + `owner IN ` + in(len(o.People)) + ` AND team = ?`, append(anys(o.People), o.Team)
	}
	return base + `team = ?`, []any{o.Team}
}

// waiting is the condition that an owned lead with nothing due is open:
// not won or lost, not a robot's, in one of the stages open (those that
// are not exits; a lead in an exit stage is worked while an attempt is
// due, then done).
func waiting(open []string) (string, []any) {
	if len(open) == 0 {
		open = []string{""}
	}
	return `due_at IS NULL AND outcome = '' AND spam = 0 AND stage IN ` + in(len(open)), anys(open)
}

// tierRank orders leads by tier, the best first: tiers are the model's,
// highest first; a tier the model no longer has goes last.
func tierRank(tiers []string) (string, []any) {
	if len(tiers) == 0 {
		return `0`, nil
	}
	var b strings.Builder
	b.WriteString(`CASE tier`)
	for i := range tiers {
		b.WriteString(` WHEN ? THEN ` + strconv.Itoa(i))
	}
	b.WriteString(` ELSE ` + strconv.Itoa(len(tiers)) + ` END`)
	return b.String(), anys(tiers)
}

// queuePage is the condition, order and limit of a page of queue o: of
// the leads due (due) or of those with nothing due, at most limit from
// the offset-th on.
func queuePage(o QueueOwner, open, tiers []string, due bool, offset, limit int) (string, []any) {
	where, args := o.owned()
	rank, rargs := tierRank(tiers)
	if due {
		where += ` AND due_at IS NOT NULL ORDER BY due_at, ` + rank + `, id`
	} else {
		w, wargs := waiting(open)
		where += ` AND ` + w + ` ORDER BY ` + rank + `, id`
		args = append(args, wargs...)
	}
	return where + ` LIMIT ? OFFSET ?`, append(append(args, rargs...), limit, offset)
}

// queueCountsSQL is the query of the counts of queue o at now (Unix ms).
func queueCountsSQL(o QueueOwner, open []string, now int64) (string, []any) {
	where, args := o.owned()
	w, wargs := waiting(open)
	q := `SELECT count(*), coalesce(sum(due_at <= ?), 0), 0 FROM leads WHERE ` + where + ` AND due_at IS NOT NULL
		UNION ALL SELECT 0, 0, count(*) FROM leads WHERE ` + where + ` AND ` + w
	return q, append(append(append([]any{now}, args...), args...), wargs...)
}

// QueueCounts counts the open leads of queue o at now (Unix ms): open are
// the stages a lead with nothing due is open in.
func (s *Store) QueueCounts(ctx context.Context, o QueueOwner, open []string, now int64) (QueueCounts, error) {
	q, args := queueCountsSQL(o, open, now)
	rows, err := s.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return QueueCounts{}, err
	}
	defer rows.Close()
	var c QueueCounts
	for rows.Next() {
		var due, overdue, waiting int
		if err := rows.Scan(&due, &overdue, &waiting); err != nil {
			return c, err
		}
		c.Due, c.Overdue, c.Waiting = c.Due+due, c.Overdue+overdue, c.Waiting+waiting
	}
	return c, rows.Err()
}

// Queue reads a page of queue o: at most limit leads from the offset-th
// on, in the queue's order, where due of them have an attempt due (from
// QueueCounts) and tiers are the model's, highest first. Each lead comes
// with what the report reads of it (ReportEvents, LeadsBetween's), its
// answers, owner and the instant its next attempt is due.
func (s *Store) Queue(ctx context.Context, o QueueOwner, open, tiers []string, due, offset, limit int) ([]Lead, error) {
	var out []Lead
	if offset < due {
		where, args := queuePage(o, open, tiers, true, offset, min(limit, due-offset))
		l, err := s.reportLeads(ctx, true, where, args...)
		if err != nil {
			return nil, err
		}
		out = l
	}
	if rest := limit - len(out); rest > 0 {
		where, args := queuePage(o, open, tiers, false, max(offset-due, 0), rest)
		l, err := s.reportLeads(ctx, true, where, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, l...)
	}
	return out, nil
}
