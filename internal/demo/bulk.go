package demo

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"hash/maphash"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/domains"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

// BulkOptions says what Bulk puts in a database.
type BulkOptions struct {
	DB    *sql.DB // migrated (worker/sqlitedb)
	Model *qualify.Model
	// Routing is the routing of the server that serves the database, in
	// whose teams' calendars Count counts the report's SLA clocks; nil:
	// wall-clock time. (An import assigns no owners.)
	Routing *routing.Routing
	Domains qualify.DomainClassifier // as the server that serves the database uses; nil: the core's table
	Leads   int
	Seed    int64
	End     time.Time // the data ends at the start of this day (UTC)
	// Secret keys the hashes stored with the leads (persons, emails,
	// idempotency keys): the server's WINNOW_SECRET; "" is the one the
	// database keeps, made and kept there if it has none, as a server
	// without WINNOW_SECRET does.
	Secret string
	// Progress, if set, is told what is done after each chunk of leads.
	Progress func(BulkStats)
}

// BulkStats counts what Bulk did.
type BulkStats struct {
	Leads     int // leads drawn and imported
	Returning int // of which were a person's who had a lead already: an event of that lead
	Facts     int // facts imported about them
	// Skipped are leads drawn and left out: their person's lead has
	// events after their arrival, which would re-score its history.
	Skipped int
}

// bulkChunk is how many leads Bulk draws and imports at a time.
const bulkChunk = 10000

// Bulk fills a database with o.Leads demo leads in minutes where Fill
// would take hours: the leads Fill submits, in the same order, each
// with the facts of its journey (Generator.Life), imported with
// worker.Handler.Import, which stores what the API would (the same
// leads, events, stage entries and score history, all made by the same
// code) without going through HTTP, rate limits or webhooks. Leads are
// drawn and imported in chunks, so that memory stays flat but for two
// small numbers per lead (its arrival, to import the leads in its order,
// and a hash of its person).
//
// People come back: with a year of leads drawn from a few thousand names,
// about one lead in ten of a million is a person who has a lead already.
// Their submission is an event of that lead, as in the API, and their
// journey is drawn from the stage their own answers give (see Life). One
// whose lead has events after their arrival (Fill's journeys run on past
// the next leads' arrivals) is left out and counted (Skipped): the API
// would re-score that lead's history from the past, which an import
// refuses.
func Bulk(ctx context.Context, o BulkOptions) (BulkStats, error) {
	var st BulkStats
	if o.DB == nil || o.Model == nil {
		return st, errors.New("demo: Bulk needs a migrated database and a model")
	}
	secret := o.Secret
	if secret == "" {
		var err error
		if secret, err = worker.StoredSecret(ctx, o.DB); err != nil {
			return st, err
		}
	}
	h, err := worker.New(worker.Config{DB: o.DB, Model: o.Model, Domains: o.Domains, Secret: secret})
	if err != nil {
		return st, err
	}
	m := o.Model
	if o.Domains != nil {
		mm := *o.Model
		mm.Domains = o.Domains
		m = &mm
	}
	// The store finds a person's lead by the person alone, which the
	// partial index leads_person does not serve (SQLite uses a partial
	// index only for a query that states its condition): without an index
	// of its own while it imports, every chunk would read the whole table.
	if _, err := o.DB.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS bulk_leads_person ON leads (person)`); err != nil {
		return st, err
	}
	defer o.DB.ExecContext(context.WithoutCancel(ctx), `DROP INDEX IF EXISTS bulk_leads_person`)
	g := NewGenerator(o.Seed, o.End)
	order := g.arrivals(o.Leads)
	// Chunks of lives are drawn while the one before is imported.
	chunks := make(chan []worker.Life, 1)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(chunks)
		for from := 0; from < len(order); from += bulkChunk {
			select {
			case chunks <- g.lives(m, order[from:min(from+bulkChunk, len(order))]):
			case <-done:
				return
			}
		}
	}()
	// busy is, by the hash of a person, the instant of the last event
	// of their lead (Unix ms).
	busy := make(map[uint64]int64)
	seed := maphash.MakeSeed()
	for chunk := range chunks {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		lives := chunk[:0]
		for _, life := range chunk {
			if p := person(m, life.Fields); p != "" {
				key := maphash.String(seed, p)
				if t, ok := busy[key]; ok {
					if t > life.At.UnixMilli() {
						st.Skipped++
						continue
					}
					st.Returning++
				}
				last := life.At
				for _, f := range life.Facts {
					last = later(last, f.At)
				}
				busy[key] = last.UnixMilli()
			}
			lives = append(lives, life)
			st.Facts += len(life.Facts)
		}
		if err := h.Import(ctx, lives); err != nil {
			return st, err
		}
		st.Leads += len(lives)
		if o.Progress != nil {
			o.Progress(st)
		}
	}
	return st, nil
}

// person is the address that names the person who gave answers in, as the
// handler matches them to a lead; "" for none, and for a robot caught by
// the honeypot, whose lead is its own.
func person(m *qualify.Model, in map[string]string) string {
	for i := range m.Fields {
		if f := &m.Fields[i]; f.Honeypot() && strings.TrimSpace(in[f.Name]) != "" {
			return ""
		}
	}
	return domains.Person(in["email"])
}

// later is the later of two instants.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// arrival is when lead n arrives.
type arrival struct {
	at int64 // Unix seconds
	n  int
}

// arrivals lists leads 0 to n-1 in order of arrival, as Leads sorts them.
func (g *Generator) arrivals(n int) []arrival {
	out := make([]arrival, n)
	parallel(n, func(i int) { out[i] = arrival{g.Lead(i).At.Unix(), i} })
	slices.SortFunc(out, func(a, b arrival) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.n, b.n)) })
	return out
}

// lives draws the leads of arrivals, in their order, and their lives.
func (g *Generator) lives(m *qualify.Model, arrivals []arrival) []worker.Life {
	out := make([]worker.Life, len(arrivals))
	parallel(len(arrivals), func(i int) {
		l := g.Lead(arrivals[i].n)
		out[i] = g.Life(m, &l)
	})
	return out
}

// parallel calls f for 0 to n-1 on every processor.
func parallel(n int, f func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				f(i)
			}
		})
	}
	wg.Wait()
}

// BulkFile makes a new SQLite file at path holding what Bulk puts in a
// database (o.DB is ignored) with the report's sums counted (Count): a
// database to benchmark at once. The file appears whole or not at all.
func BulkFile(ctx context.Context, path string, o BulkOptions) (BulkStats, error) {
	temp := path + ".filling"
	for _, p := range []string{temp, temp + "-wal", temp + "-shm"} {
		os.Remove(p)
	}
	db, err := sqlitedb.Open(ctx, temp)
	if err != nil {
		return BulkStats{}, err
	}
	o.DB = db
	st, err := Bulk(ctx, o)
	if err == nil {
		err = Count(ctx, o)
	}
	if err == nil {
		_, err = db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(temp, path)
	}
	return st, err
}

// Count counts the report's sums of the leads of o.DB not counted yet
// (those Bulk imports), as a server's scheduled work would.
func Count(ctx context.Context, o BulkOptions) error {
	secret := o.Secret
	if secret == "" {
		var err error
		if secret, err = worker.StoredSecret(ctx, o.DB); err != nil {
			return err
		}
	}
	h, err := worker.New(worker.Config{DB: o.DB, Model: o.Model, Routing: o.Routing, Domains: o.Domains, Secret: secret})
	if err != nil {
		return err
	}
	for done := false; !done; {
		if done, err = h.CountRollups(ctx, time.Minute); err != nil {
			return err
		}
	}
	return nil
}
