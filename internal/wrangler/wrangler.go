// Package wrangler runs a worker locally with `wrangler dev` (workerd and
// a local D1) for the edge's tests and benchmarks: on 127.0.0.1, over a
// fresh D1 migrated first, with the cron trigger runnable by hand, and
// stopped with its whole process group.
package wrangler

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options say what to run.
type Options struct {
	Root    string            // the repository: node_modules/.bin/wrangler and the config are found from it
	Config  string            // the wrangler config; "" is Root's wrangler.jsonc
	Vars    map[string]string // the Worker's vars
	Persist string            // the local state's directory; "" is a new temporary one
	Ready   string            // the path polled until it answers 200; "" is /healthz
}

// Dev is wrangler dev, running.
type Dev struct {
	URL     string
	out     *syncBuffer
	cmd     *exec.Cmd
	exited  chan struct{}
	persist string
	temp    bool
}

// Start migrates a local D1 and starts wrangler dev on a free port; it
// stops with the test, and its output is logged if the test failed.
func Start(tb testing.TB, o Options) *Dev {
	tb.Helper()
	d, err := StartDev(o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("wrangler's output:\n%s", d.Output())
		}
		d.Stop()
	})
	return d
}

// StartDev is Start outside a test: the caller stops it.
func StartDev(o Options) (*Dev, error) {
	wrangler := filepath.Join(o.Root, "node_modules", ".bin", "wrangler")
	if _, err := os.Stat(wrangler); err != nil {
		return nil, fmt.Errorf("wrangler is not installed (%v): run npm ci", err)
	}
	d := &Dev{out: &syncBuffer{}, exited: make(chan struct{}), persist: o.Persist}
	if d.persist == "" {
		dir, err := os.MkdirTemp("", "wrangler-d1-")
		if err != nil {
			return nil, err
		}
		d.persist, d.temp = dir, true
	}
	var config []string
	if o.Config != "" {
		config = []string{"--config", o.Config}
	}
	migrate := command(o.Root, wrangler, append([]string{"d1", "migrations", "apply", "DB", "--local", "--persist-to", d.persist}, config...)...)
	if out, err := migrate.CombinedOutput(); err != nil {
		d.cleanup()
		return nil, fmt.Errorf("wrangler d1 migrations apply: %v\n%s", err, out)
	}
	// A port found free may be taken before wrangler binds it (by another
	// wrangler's workerd, which binds ports of its own): start again on
	// others, up to three times.
	for attempt := 1; ; attempt++ {
		err := d.start(o, wrangler, config)
		if err == nil {
			return d, nil
		}
		if !errors.Is(err, errPortTaken) {
			return nil, err
		}
		syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL) // anything of it left
		if attempt == 3 {
			d.cleanup()
			return nil, fmt.Errorf("%w:\n%s", err, d.Output())
		}
	}
}

// errPortTaken is wrangler dev exiting because its port was taken.
var errPortTaken = errors.New("address already in use")

// start runs wrangler dev on free ports and waits for it to answer.
func (d *Dev) start(o Options, wrangler string, config []string) error {
	d.out, d.exited = &syncBuffer{}, make(chan struct{})
	port, err := freePort()
	if err != nil {
		return err
	}
	inspector, err := freePort()
	if err != nil {
		return err
	}
	args := append([]string{"dev", "--ip", "127.0.0.1", "--port", port, "--inspector-port", inspector,
		"--persist-to", d.persist, "--test-scheduled", "--show-interactive-dev-session=false", "--log-level", "info"}, config...)
	keys := make([]string, 0, len(o.Vars))
	for k := range o.Vars {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		args = append(args, "--var", k+":"+o.Vars[k])
	}
	d.URL = "http://127.0.0.1:" + port
	d.cmd = command(o.Root, wrangler, args...)
	d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	d.cmd.WaitDelay = 5 * time.Second // should a child outlive the group's kill, with our pipe
	if err := d.cmd.Start(); err != nil {
		d.cleanup()
		return err
	}
	go func() {
		d.cmd.Wait()
		close(d.exited)
	}()
	ready := o.Ready
	if ready == "" {
		ready = "/healthz"
	}
	// The first request also compiles the wasm.
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(d.URL + ready)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-d.exited:
			if strings.Contains(d.Output(), "Address already in use") {
				return fmt.Errorf("wrangler dev on port %s: %w", port, errPortTaken)
			}
			d.cleanup()
			return fmt.Errorf("wrangler dev exited before it answered:\n%s", d.Output())
		default:
		}
		if time.Now().After(deadline) {
			d.Stop()
			return fmt.Errorf("wrangler dev did not answer %s with 200 in 90 s (last: %v):\n%s", ready, statusOrErr(resp, err), d.Output())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Output is what wrangler has printed.
func (d *Dev) Output() string { return d.out.String() }

// Stop ends wrangler's process group, workerd included: TERM, then KILL
// after 5 s.
func (d *Dev) Stop() {
	if d.cmd == nil || d.cmd.Process == nil {
		return
	}
	pid := d.cmd.Process.Pid
	syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(5 * time.Second):
	}
	// workerd may outlive wrangler: make sure nothing of the group is left.
	syscall.Kill(-pid, syscall.SIGKILL)
	<-d.exited
	d.cleanup()
}

func (d *Dev) cleanup() {
	if d.temp {
		os.RemoveAll(d.persist)
	}
}

// Scheduled runs the cron trigger once, as `wrangler dev --test-scheduled`
// allows. (wrangler 4.86's /cdn-cgi/handler/scheduled fails with static
// assets: their router cannot pass the event on to the worker.)
func (d *Dev) Scheduled() error {
	resp, err := http.Get(d.URL + "/__scheduled?cron=" + strings.ReplaceAll("* * * * *", " ", "+"))
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the scheduled handler answered %s: %s", resp.Status, body)
	}
	return nil
}

// CPU returns the processor time used so far by the workerd processes of
// wrangler's group and by the rest of it (wrangler's Node.js and its
// proxies), user and system time together.
func (d *Dev) CPU() (workerd, other time.Duration, err error) {
	pgid := d.cmd.Process.Pid
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, 0, err
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ... utime stime: fields 14 and 15.
		end := bytes.LastIndexByte(stat, ')')
		if end < 0 {
			continue
		}
		comm := string(stat[bytes.IndexByte(stat, '(')+1 : end])
		f := strings.Fields(string(stat[end+2:]))
		if len(f) < 13 {
			continue
		}
		if g, _ := strconv.Atoi(f[2]); g != pgid {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		t := time.Duration(ut+st) * time.Second / clockTicks
		if strings.HasPrefix(comm, "workerd") {
			workerd += t
		} else {
			other += t
		}
	}
	return workerd, other, nil
}

// clockTicks is the kernel's USER_HZ, 100 on Linux.
const clockTicks = 100

// Run runs the repository root's wrangler with args (a D1 migration, an
// execute) and returns what it printed; an error holds it too.
func Run(root string, args ...string) (string, error) {
	out, err := command(root, filepath.Join(root, "node_modules", ".bin", "wrangler"), args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("wrangler %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// command runs wrangler in dir, without metrics.
func command(dir, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "WRANGLER_SEND_METRICS=false", "NO_COLOR=1", "CI=true")
	return cmd
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), nil
}

func statusOrErr(resp *http.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	return resp.Status
}

// syncBuffer collects a process's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
