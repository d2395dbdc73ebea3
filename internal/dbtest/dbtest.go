// Package dbtest reads a database's rows as text for tests that compare
// two databases filled two ways, and restores the databases earlier
// releases filled, for the tests of migrations.
package dbtest

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// Rows reads query q's rows as text, each row's values joined by "|",
// every lead's id replaced by "<" + its column name + ">" (its email, or
// its idempotency key): the same whichever way the lead was stored, where
// its id is not.
func Rows(t testing.TB, db *sql.DB, q, name string) []string {
	t.Helper()
	var ids []string
	names := map[string]string{}
	idRows, err := db.Query(`SELECT id, ` + name + ` FROM leads ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for idRows.Next() {
		var id, n sql.NullString
		if err := idRows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id.String)
		names[id.String] = "<" + n.String + ">"
	}
	idRows.Close()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	texts := make([]string, len(cols))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			texts[i] = fmt.Sprint(v)
		}
		line := strings.Join(texts, "|")
		for _, id := range ids {
			line = strings.ReplaceAll(line, id, names[id])
		}
		out = append(out, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
