// Command edgeperf measures the edge worker in `wrangler dev` (workerd and
// a local D1) beside two others in the same run: a worker answering from
// JavaScript alone (the floor), and the worker as an earlier commit built
// it (a new Go program per event, before the runtime of cmd/edge kept one
// per isolate).
//
//	make edge && go run ./bench/edgeperf [-n 200] [-rounds 3] [-baseline 4add261] [-limits]
//
// For each worker and round, after -warmup requests of each kind: n
// sequential GET /healthz and n sequential POST /api/leads (each a new
// lead), their p50 and p99, and the processor time workerd and the rest
// of wrangler (Node.js, its proxies) spent per request; the medians of the
// rounds are printed. Deployed Workers have no
// wrangler proxy: compare the workers with each other, not with absolute
// figures. The baseline is built in a temporary git worktree with its own
// `make edge`; -baseline "" skips it.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/winnowhq/winnow/internal/wrangler"
)

var warmup *int

func main() {
	n := flag.Int("n", 200, "sequential requests of each kind")
	rounds := flag.Int("rounds", 3, "rounds; medians are printed")
	baseline := flag.String("baseline", "4add261", "the commit to compare with (a new Go program per event); \"\" for none")
	warmup = flag.Int("warmup", 300, "requests of each kind before the measure")
	limits := flag.Bool("limits", false, "keep the default rate limits (two more queries per POST); off, POST is one D1 batch")
	flag.Parse()
	root, err := os.Getwd()
	if err != nil {
		fail(err)
	}
	if _, err := os.Stat(filepath.Join(root, "build", "edge", "app.wasm")); err != nil {
		fail(fmt.Errorf("%v: run make edge first", err))
	}
	vars := map[string]string{"WINNOW_SECRET": "bench-secret", "WINNOW_RATE_PER_IP": "-1", "WINNOW_RATE_PER_EMAIL": "-1"}
	if *limits {
		vars = map[string]string{"WINNOW_SECRET": "bench-secret", "WINNOW_RATE_PER_IP": "100000"}
	}
	workers := []worker{
		{name: "JavaScript only", opts: wrangler.Options{Root: root, Config: "bench/edgeperf/jsonly/wrangler.jsonc"}, healthOnly: true},
		{name: "this build", opts: wrangler.Options{Root: root, Vars: vars}},
	}
	if *baseline != "" {
		dir, err := buildBaseline(root, *baseline)
		if err != nil {
			fail(err)
		}
		defer removeWorktree(root, dir)
		workers = append(workers, worker{name: "commit " + *baseline, opts: wrangler.Options{Root: dir, Vars: vars}})
	}
	results := make([][]result, len(workers))
	for r := range *rounds {
		for i, w := range workers {
			res, err := w.measure(*n, r)
			if err != nil {
				fail(fmt.Errorf("%s: %w", w.name, err))
			}
			results[i] = append(results[i], res)
			fmt.Fprintf(os.Stderr, "round %d, %s: %s\n", r+1, w.name, res)
		}
	}
	fmt.Printf("%d sequential requests each, medians of %d rounds (wrangler dev, local D1)\n", *n, *rounds)
	fmt.Printf("%-18s %22s %16s %22s %16s %16s\n", "worker", "GET /healthz p50/p99", "workerd CPU/GET", "POST /api/leads p50/p99", "workerd CPU/POST", "other CPU/POST")
	for i, w := range workers {
		m := median(results[i])
		fmt.Printf("%-18s %22s %16s %22s %16s %16s\n", w.name, pair(m.health), ms(m.workerdPerGet), pair(m.post), ms(m.workerdPerPost), ms(m.otherPerPost))
	}
}

type worker struct {
	name       string
	opts       wrangler.Options
	healthOnly bool
}

type result struct {
	health, post                 [2]time.Duration // p50, p99
	workerdPerGet                time.Duration
	workerdPerPost, otherPerPost time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("healthz %s (workerd CPU %s), POST %s, workerd CPU %s and other %s per POST",
		pair(r.health), ms(r.workerdPerGet), pair(r.post), ms(r.workerdPerPost), ms(r.otherPerPost))
}

// measure starts the worker over a fresh D1 and times n requests of each
// kind.
func (w worker) measure(n, round int) (result, error) {
	var res result
	d, err := wrangler.StartDev(w.opts)
	if err != nil {
		return res, err
	}
	defer d.Stop()
	// Warm up as a deployed isolate is: V8 compiles a large module's hot
	// functions again, optimised, over its first few hundred events, on
	// threads whose time the measure would count.
	for range *warmup {
		get(d.URL + "/healthz")
	}
	if !w.healthOnly {
		for i := range *warmup {
			if err := post(d.URL, fmt.Sprintf("warm.%d.%d", round, i)); err != nil {
				return res, err
			}
		}
	}
	times := make([]time.Duration, 0, n)
	g0, _, err := d.CPU()
	if err != nil {
		return res, err
	}
	for range n {
		began := time.Now()
		if err := get(d.URL + "/healthz"); err != nil {
			return res, err
		}
		times = append(times, time.Since(began))
	}
	w0, o0, err := d.CPU()
	if err != nil {
		return res, err
	}
	res.health, res.workerdPerGet = percentiles(times), (w0-g0)/time.Duration(n)
	if w.healthOnly {
		return res, nil
	}
	times = times[:0]
	run := time.Now().UnixNano()
	for i := range n {
		began := time.Now()
		if err := post(d.URL, fmt.Sprintf("%d.%d.%d", run, round, i)); err != nil {
			return res, err
		}
		times = append(times, time.Since(began))
	}
	w1, o1, err := d.CPU()
	if err != nil {
		return res, err
	}
	res.post = percentiles(times)
	res.workerdPerPost, res.otherPerPost = (w1-w0)/time.Duration(n), (o1-o0)/time.Duration(n)
	return res, nil
}

// post submits a new lead.
func post(url, tag string) error {
	body, _ := json.Marshal(map[string]any{
		"fields": map[string]string{"name": "Ada Lovelace", "email": "ada." + tag + "@northwind.io",
			"company": "Analytical Engines", "consent": "yes", "industry": "software", "role": "marketing",
			"company_size": "201-1000", "seniority": "director", "country": "DE", "request": "demo"},
		"idempotency_key": "bench-" + tag,
	})
	resp, err := http.Post(url+"/api/leads", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST /api/leads: %s: %s", resp.Status, out)
	}
	return nil
}

func get(url string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// buildBaseline checks the commit out in a temporary worktree and builds
// its worker there with its own make edge.
func buildBaseline(root, commit string) (string, error) {
	dir, err := os.MkdirTemp("", "winnow-baseline-")
	if err != nil {
		return "", err
	}
	os.Remove(dir)
	steps := [][]string{
		{"git", "worktree", "add", "--detach", dir, commit},
		{"ln", "-s", filepath.Join(root, "node_modules"), filepath.Join(dir, "node_modules")},
		{"make", "-C", dir, "edge"},
	}
	for _, s := range steps {
		cmd := exec.Command(s[0], s[1:]...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			removeWorktree(root, dir)
			return "", fmt.Errorf("%v: %v\n%s", s, err, out)
		}
	}
	return dir, nil
}

func removeWorktree(root, dir string) {
	cmd := exec.Command("git", "worktree", "remove", "--force", dir)
	cmd.Dir = root
	cmd.Run()
}

func percentiles(d []time.Duration) [2]time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return [2]time.Duration{s[len(s)/2], s[len(s)*99/100]}
}

// median takes each figure's median over the rounds.
func median(rs []result) result {
	pick := func(f func(result) time.Duration) time.Duration {
		v := make([]time.Duration, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return result{
		health:         [2]time.Duration{pick(func(r result) time.Duration { return r.health[0] }), pick(func(r result) time.Duration { return r.health[1] })},
		workerdPerGet:  pick(func(r result) time.Duration { return r.workerdPerGet }),
		post:           [2]time.Duration{pick(func(r result) time.Duration { return r.post[0] }), pick(func(r result) time.Duration { return r.post[1] })},
		workerdPerPost: pick(func(r result) time.Duration { return r.workerdPerPost }),
		otherPerPost:   pick(func(r result) time.Duration { return r.otherPerPost }),
	}
}

func pair(p [2]time.Duration) string {
	if p[0] == 0 {
		return "–"
	}
	return ms(p[0]) + " / " + ms(p[1])
}

func ms(d time.Duration) string {
	if d == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "edgeperf:", err)
	os.Exit(1)
}
