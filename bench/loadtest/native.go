package loadtest

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/winnowhq/winnow/worker/crm"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

// Receiver is a webhook target on 127.0.0.1 that fails a share of its
// calls, checks signatures and counts deliveries per event id.
type Receiver struct {
	URL    string
	Secret string
	Delay  time.Duration // how long each call takes; set before the first
	fail   float64
	srv    *http.Server

	mu       sync.Mutex
	inflight int // calls being answered
	peak     int // the most calls answered at once
	calls    int
	failed   int
	bad      int
	events   map[string]int    // event id -> successful deliveries
	leads    map[string]string // event id -> lead id
}

// NewReceiver starts a receiver failing the given share of calls.
func NewReceiver(fail float64) (*Receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Receiver{URL: "http://" + ln.Addr().String() + "/hook", Secret: "load-secret", fail: fail,
		events: map[string]int{}, leads: map[string]string{}}
	r.srv = &http.Server{Handler: r}
	go r.srv.Serve(ln)
	return r, nil
}

// Close stops the receiver.
func (r *Receiver) Close() { r.srv.Close() }

func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	if r.Delay > 0 {
		r.mu.Lock()
		r.inflight++
		r.peak = max(r.peak, r.inflight)
		r.mu.Unlock()
		time.Sleep(r.Delay)
		defer func() {
			r.mu.Lock()
			r.inflight--
			r.mu.Unlock()
		}()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if rand.Float64() < r.fail {
		r.failed++
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	want := "v1=" + crm.Sign(r.Secret, req.Header.Get("Winnow-Timestamp"), body)
	if !hmac.Equal([]byte(want), []byte(req.Header.Get("Winnow-Signature"))) {
		r.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	id := req.Header.Get("Winnow-Event-Id")
	r.events[id]++
	var p struct{ Lead struct{ ID string } }
	if err := json.Unmarshal(body, &p); err == nil {
		r.leads[id] = p.Lead.ID
	}
	w.WriteHeader(http.StatusNoContent)
}

// Delivered returns, per lead id, the number of distinct events delivered,
// and the total of deliveries (duplicates included).
func (r *Receiver) Delivered() (perLead map[string]int, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	perLead = map[string]int{}
	for ev, n := range r.events {
		perLead[r.leads[ev]]++
		total += n
	}
	return perLead, total
}

// Peak returns the most calls the receiver answered at once (with a Delay).
func (r *Receiver) Peak() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.peak
}

// Stats returns calls, failed calls (on purpose) and bad signatures.
func (r *Receiver) Stats() (calls, failed, bad int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls, r.failed, r.bad
}

// Native is `winnow serve` running as a process.
type Native struct {
	URL    string
	DB     string
	bin    string
	args   []string
	env    []string
	cmd    *exec.Cmd
	exited chan struct{}
	log    *os.File
}

// StartNative builds nothing: it runs bin (a winnow binary) serve over
// content, with its database and site under dir.
func StartNative(bin, content, static, dir string, env map[string]string) (*Native, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	n := &Native{URL: "http://127.0.0.1:" + strconv.Itoa(port), DB: filepath.Join(dir, "winnow.db"), bin: bin}
	n.args = []string{"serve", "--addr", "127.0.0.1:" + strconv.Itoa(port), "--db", n.DB,
		"--out", filepath.Join(dir, "public"), "--static", static, "--deliver-every", "50ms", content}
	n.env = os.Environ()
	for k, v := range env {
		n.env = append(n.env, k+"="+v)
	}
	if n.log, err = os.Create(filepath.Join(dir, "server.log")); err != nil {
		return nil, err
	}
	return n, n.start()
}

func (n *Native) start() error {
	n.cmd = exec.Command(n.bin, n.args...)
	n.cmd.Env, n.cmd.Stdout, n.cmd.Stderr = n.env, n.log, n.log
	if err := n.cmd.Start(); err != nil {
		return err
	}
	n.exited = make(chan struct{})
	go func() { n.cmd.Wait(); close(n.exited) }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-n.exited:
			log, _ := os.ReadFile(n.log.Name())
			return fmt.Errorf("the server exited:\n%s", log)
		default:
		}
		resp, err := http.Get(n.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	n.cmd.Process.Kill()
	<-n.exited
	log, _ := os.ReadFile(n.log.Name())
	return fmt.Errorf("the server did not come up within 60 s:\n%s", log)
}

// Restart kills the server without warning (SIGKILL: no graceful
// shutdown, requests under way are cut) and starts it again on the same
// database and port.
func (n *Native) Restart() error {
	n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.exited
	return n.start()
}

// Stop stops the server gracefully.
func (n *Native) Stop() {
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(10 * time.Second):
		n.cmd.Process.Kill()
		<-n.exited
	}
	n.log.Close()
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Verify checks the database and the receiver against what was
// acknowledged: every acknowledged lead stored once under its key and id,
// nothing stored that was not acknowledged, and every stored lead's
// webhook delivered (exactly once after deduplication by event id).
func Verify(ctx context.Context, dbPath string, res *Result, rec *Receiver) error {
	db, err := sqlitedb.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	stored := map[string]string{}
	rows, err := db.QueryContext(ctx, `SELECT idem_key, id FROM leads`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k, id string
		if err := rows.Scan(&k, &id); err != nil {
			return err
		}
		if _, dup := stored[k]; dup {
			return fmt.Errorf("key %s stored twice", k)
		}
		stored[k] = id
	}
	rows.Close()
	var errs []error
	if res.Conflicts > 0 {
		errs = append(errs, fmt.Errorf("%d answers gave a key another lead id", res.Conflicts))
	}
	for k, id := range res.Acked {
		if got, ok := stored[k]; !ok {
			errs = append(errs, fmt.Errorf("acknowledged lead %s (key %s) is not stored", id, k))
		} else if got != id {
			errs = append(errs, fmt.Errorf("key %s acknowledged as %s, stored as %s", k, id, got))
		}
	}
	for k := range stored {
		if _, ok := res.Acked[k]; !ok {
			// Stored but the answer was lost (the server was killed after
			// the commit): allowed, the client retried and got it, unless
			// it gave up.
			if !slices.Contains(res.Failed, k) {
				errs = append(errs, fmt.Errorf("key %s stored but never acknowledged", k))
			}
		}
	}
	for _, kind := range []string{"submission", "stage"} {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE kind = ?`, kind).Scan(&n); err != nil {
			return err
		}
		if n != len(stored) {
			errs = append(errs, fmt.Errorf("%d %s events for %d leads, want one each", n, kind, len(stored)))
		}
	}
	var pending int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE status != 'delivered'`).Scan(&pending); err != nil {
		return err
	}
	if pending > 0 {
		errs = append(errs, fmt.Errorf("%d webhooks not delivered", pending))
	}
	perLead, _ := rec.Delivered()
	for _, id := range stored {
		if perLead[id] != 1 {
			errs = append(errs, fmt.Errorf("lead %s: %d distinct webhook events delivered, want 1", id, perLead[id]))
		}
	}
	if _, _, bad := rec.Stats(); bad > 0 {
		errs = append(errs, fmt.Errorf("%d webhooks with a bad signature", bad))
	}
	if len(errs) > 10 {
		errs = append(errs[:10], fmt.Errorf("and %d more", len(errs)-10))
	}
	return errors.Join(errs...)
}

// WaitDelivered waits until the outbox holds nothing undelivered.
func WaitDelivered(ctx context.Context, dbPath string, timeout time.Duration) error {
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(timeout)
	for {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE status != 'delivered'`).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d webhooks still undelivered after %v", n, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
