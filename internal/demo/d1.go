package demo

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// D1Stats counts what WriteD1 wrote.
type D1Stats struct {
	Rows       int
	Statements int
	Bytes      int64
}

// maxStatement is the most bytes WriteD1 puts in one statement: D1 takes
// at most 100,000.
const maxStatement = 96_000

// WriteD1 writes the rows of a Winnow database (every table's but the
// migrations' bookkeeping, d1_migrations) as SQL for `wrangler d1
// execute <binding> --file`, to load them into a D1 database the same
// migrations made: INSERT OR REPLACE statements of many rows each, every
// one under D1's limit of 100 KB a statement, the tables in the order the
// migrations made them (a lead before its events), and no BEGIN or
// COMMIT, which D1 refuses in a file.
// The settings go with the rows, the secret the hashes are keyed with
// among them if the database keeps one; a row already there is replaced,
// so that the file can be applied again.
func WriteD1(ctx context.Context, db *sql.DB, w io.Writer) (D1Stats, error) {
	var st D1Stats
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name != 'd1_migrations' ORDER BY rowid`)
	if err != nil {
		return st, err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return st, err
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	for _, t := range tables {
		if err := writeTable(ctx, db, bw, t, &st); err != nil {
			return st, fmt.Errorf("demo: writing table %s as SQL: %w", t, err)
		}
	}
	return st, bw.Flush()
}

// writeTable writes the rows of table t as INSERT statements.
func writeTable(ctx context.Context, db *sql.DB, w *bufio.Writer, t string, st *D1Stats) error {
	rows, err := db.QueryContext(ctx, `SELECT * FROM "`+t+`"`)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	head := `INSERT OR REPLACE INTO "` + t + `" ("` + strings.Join(cols, `", "`) + `") VALUES`
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var stmt, row []byte
	flush := func() error {
		if len(stmt) == 0 {
			return nil
		}
		stmt = append(stmt, ";\n"...)
		n, err := w.Write(stmt)
		st.Statements++
		st.Bytes += int64(n)
		stmt = stmt[:0]
		return err
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		row = append(row[:0], '(')
		for i, v := range vals {
			if i > 0 {
				row = append(row, ", "...)
			}
			if row, err = appendLiteral(row, v); err != nil {
				return fmt.Errorf("column %s: %w", cols[i], err)
			}
		}
		row = append(row, ')')
		if len(head)+len(row)+2 > maxStatement {
			return fmt.Errorf("a row of %d bytes: D1 takes statements of at most 100,000", len(row))
		}
		if len(stmt)+len(row)+3 > maxStatement {
			if err := flush(); err != nil {
				return err
			}
		}
		if len(stmt) == 0 {
			stmt = append(stmt, head...)
			stmt = append(stmt, ' ')
		} else {
			stmt = append(stmt, ", "...)
		}
		stmt = append(stmt, row...)
		st.Rows++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}

// appendLiteral appends v, a value SQLite gave, as an SQL literal.
func appendLiteral(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "NULL"...), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case float64:
		return strconv.AppendFloat(b, v, 'g', -1, 64), nil
	case string:
		b = append(b, '\'')
		b = append(b, strings.ReplaceAll(v, "'", "''")...)
		return append(b, '\''), nil
	case []byte:
		b = append(b, "X'"...)
		b = hex.AppendEncode(b, v)
		return append(b, '\''), nil
	}
	return b, fmt.Errorf("a value of type %T has no SQL literal here", v)
}
