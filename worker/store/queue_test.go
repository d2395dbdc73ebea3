package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/worker/sqlitedb"
	"github.com/winnowhq/winnow/worker/store"
)

// A page of a person's queue is read from the index leads_queue, due
// first, without walking the table or sorting all the person's leads due
// (leads due at one instant are sorted among themselves, by tier); its
// counts read the person's leads from the index too. A team's queue
// reads the index for each of its people.
func TestQueuePlan(t *testing.T) {
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "queue.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	plan := func(q string, args []any) string {
		rows, err := db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var steps []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			steps = append(steps, detail)
		}
		return strings.Join(steps, "; ")
	}
	// Routing counts each person's open leads from the index, not by
	// reading every lead.
	counts := plan(store.OwnerCountsSQL(2, 2), []any{"Anna Schmidt", "Lukas Weber", "MQL", "SAL", "Anna Schmidt", "Lukas Weber", 0})
	if !strings.Contains(counts, "USING INDEX leads_owner") || !strings.Contains(counts, "events_assign") {
		t.Errorf("a team's counts are read as %q, want them from leads_owner and events_assign", counts)
	}
	open, tiers := []string{"cold lead", "MQL"}, []string{"hot", "warm", "cool"}
	anna := store.QueueOwner{Person: "Anna Schmidt"}
	team := store.QueueOwner{Team: "Sales development", People: []string{"Anna Schmidt", "Lukas Weber"}}

	q, args := store.QueueSQL(anna, open, tiers, true, 100, 50)
	due := plan(q, args)
	if !strings.Contains(due, "SEARCH leads USING INDEX leads_queue (owner=? AND due_at>?)") ||
		strings.Contains(due, "SCAN leads") || strings.Contains(due, "USE TEMP B-TREE FOR ORDER BY") {
		t.Errorf("a page of the leads due is read as %q, want a search of leads_queue in its order", due)
	}
	q, args = store.QueueSQL(anna, open, tiers, false, 0, 50)
	if waiting := plan(q, args); !strings.Contains(waiting, "SEARCH leads USING INDEX leads_queue (owner=? AND due_at=?)") ||
		strings.Contains(waiting, "SCAN leads") {
		t.Errorf("a page of the leads with nothing due is read as %q, want a search of leads_queue", waiting)
	}
	q, args = store.QueueCountsSQL(anna, open, 0)
	if counts := plan(q, args); strings.Count(counts, "SEARCH leads USING INDEX leads_queue") != 2 || strings.Contains(counts, "SCAN leads") {
		t.Errorf("the counts are read as %q, want the person's leads counted from leads_queue", counts)
	}
	q, args = store.QueueSQL(team, open, tiers, true, 0, 50)
	if p := plan(q, args); !strings.Contains(p, "USING INDEX leads_queue (owner=? AND due_at>?)") || strings.Contains(p, "SCAN leads") {
		t.Errorf("a team's queue is read as %q, want a search of leads_queue", p)
	}
}
