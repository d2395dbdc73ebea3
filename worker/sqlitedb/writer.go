package sqlitedb

import (
	"context"
	"database/sql/driver"
	"strings"
	"sync"

	"modernc.org/sqlite"
)

// SQLite lets one connection write at a time. Left to itself, a writer
// that finds the database locked sleeps and retries on SQLite's schedule
// (1, 2, 5 … then 100 ms at a time), so under concurrent submissions some
// wait far longer than the write they wait for. Here the connections of
// one database take turns in Go instead: a write transaction, or a
// statement that writes outside one, holds the database's writer slot
// until it ends, and the next writer is woken the moment it does.
// Readers never wait: in WAL mode they read beside the writer.

// connector opens connections that share one writer slot.
type connector struct {
	dsn    string
	drv    *sqlite.Driver
	writer chan struct{} // holds a token while a connection writes
	closed chan struct{} // closed with the database
	once   sync.Once
}

func newConnector(dsn string) *connector {
	return &connector{dsn: dsn, drv: &sqlite.Driver{}, writer: make(chan struct{}, 1), closed: make(chan struct{})}
}

// Close is called by the database's Close: it stops the checkpoints.
func (c *connector) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

func (c *connector) Connect(context.Context) (driver.Conn, error) {
	dc, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: dc, c: c}, nil
}

func (c *connector) Driver() driver.Driver { return c.drv }

// lock takes the writer slot, or gives up when ctx ends.
func (c *connector) lock(ctx context.Context) error {
	select {
	case c.writer <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *connector) unlock() { <-c.writer }

// writes reports whether a statement may write: anything but a SELECT, a
// read-only PRAGMA or an EXPLAIN. A statement is judged by its first word.
func writes(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	for strings.HasPrefix(q, "--") {
		_, q, _ = strings.Cut(q, "\n")
		q = strings.TrimLeft(q, " \t\r\n(")
	}
	word, _, _ := strings.Cut(q, " ")
	switch strings.ToUpper(strings.TrimRight(word, "\t\r\n(")) {
	case "SELECT", "EXPLAIN", "VALUES":
		return false
	case "PRAGMA":
		return strings.Contains(q, "=")
	}
	return true
}

// conn is one connection of the database; the driver's own, holding the
// writer slot around what writes, and keeping its statements prepared:
// SQLite parses a statement's text again each time it is run otherwise.
type conn struct {
	driver.Conn
	c     *connector
	tx    bool // in a transaction: the slot is held already
	stmts map[string]*cached
}

// cached is a prepared statement kept by its text.
type cached struct {
	driver.Stmt
	busy bool // its rows are open
}

// maxStmts bounds the statements a connection keeps prepared: Winnow's
// handler runs a few dozen distinct ones.
const maxStmts = 128

// prepared returns the connection's prepared statement for query and
// whether it is kept (false: the caller closes it when done, because the
// kept one is busy).
func (dc *conn) prepared(ctx context.Context, query string) (*cached, bool, error) {
	if st, ok := dc.stmts[query]; ok && !st.busy {
		return st, true, nil
	}
	ds, err := dc.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, false, err
	}
	st := &cached{Stmt: ds}
	if _, ok := dc.stmts[query]; ok {
		return st, false, nil
	}
	if len(dc.stmts) >= maxStmts {
		for q, old := range dc.stmts {
			if !old.busy {
				old.Close()
				delete(dc.stmts, q)
			}
		}
	}
	if dc.stmts == nil {
		dc.stmts = map[string]*cached{}
	}
	dc.stmts[query] = st
	return st, true, nil
}

func (dc *conn) Close() error {
	for _, st := range dc.stmts {
		st.Close()
	}
	dc.stmts = nil
	return dc.Conn.Close()
}

var (
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
)

func (dc *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := dc.c.lock(ctx); err != nil {
		return nil, err
	}
	tx, err := dc.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		dc.c.unlock()
		return nil, err
	}
	dc.tx = true
	return &txn{Tx: tx, dc: dc}, nil
}

// txn releases the writer slot when it ends.
type txn struct {
	driver.Tx
	dc *conn
}

func (t *txn) Commit() error   { defer t.end(); return t.Tx.Commit() }
func (t *txn) Rollback() error { defer t.end(); return t.Tx.Rollback() }

func (t *txn) end() {
	if t.dc.tx {
		t.dc.tx = false
		t.dc.c.unlock()
	}
}

// around runs a statement that may write with the writer slot held,
// unless its transaction holds it.
func (dc *conn) around(ctx context.Context, query string) (release func(), err error) {
	if dc.tx || !writes(query) {
		return func() {}, nil
	}
	if err := dc.c.lock(ctx); err != nil {
		return nil, err
	}
	return dc.c.unlock, nil
}

func (dc *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	release, err := dc.around(ctx, query)
	if err != nil {
		return nil, err
	}
	defer release()
	st, kept, err := dc.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if !kept {
		defer st.Close()
	}
	return st.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (dc *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	release, err := dc.around(ctx, query)
	if err != nil {
		return nil, err
	}
	st, kept, err := dc.prepared(ctx, query)
	if err != nil {
		release()
		return nil, err
	}
	rows, err := st.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		if !kept {
			st.Close()
		}
		release()
		return nil, err
	}
	st.busy = true
	return &rowsReleasing{Rows: rows, release: func() {
		st.busy = false
		if !kept {
			st.Close()
		}
		release()
	}}, nil
}

func (dc *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := dc.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &stmt{Stmt: st, dc: dc, query: query}, nil
}

func (dc *conn) Ping(ctx context.Context) error { return dc.Conn.(driver.Pinger).Ping(ctx) }
func (dc *conn) ResetSession(ctx context.Context) error {
	return dc.Conn.(driver.SessionResetter).ResetSession(ctx)
}
func (dc *conn) IsValid() bool { return dc.Conn.(driver.Validator).IsValid() }

// rowsReleasing releases the writer slot when the rows of a statement
// that writes (… RETURNING) are closed: the statement runs until then.
type rowsReleasing struct {
	driver.Rows
	release func()
}

func (r *rowsReleasing) Close() error {
	release := r.release
	r.release = func() {}
	defer release()
	return r.Rows.Close()
}

// stmt is a prepared statement of a conn.
type stmt struct {
	driver.Stmt
	dc    *conn
	query string
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	release, err := s.dc.around(ctx, s.query)
	if err != nil {
		return nil, err
	}
	defer release()
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	release, err := s.dc.around(ctx, s.query)
	if err != nil {
		return nil, err
	}
	rows, err := s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		release()
		return nil, err
	}
	return &rowsReleasing{Rows: rows, release: release}, nil
}
