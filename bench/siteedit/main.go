// Command siteedit measures how soon an edited page is served by a
// development server: winnow dev against hugo server, on a corpus that
// bench/sitegen wrote.
//
//	go run ./bench/siteedit -corpus /tmp/corpus -winnow /tmp/winnow -hugo $(go env GOPATH)/bin/hugo
//
// It starts both servers (winnow dev with an empty database and no demo
// data; hugo server --minify, which renders to memory), waits for their
// first builds, then edits one page of each in turn, -edits times: it
// appends a sentence with a new word to the page's Markdown and asks the
// page's URL until the answer holds the word, every millisecond. It
// prints each wait, from just before the write to the answer, and their
// medians. Each edit takes another page, and waits for the servers to
// settle before the next one.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// sections are bench/sitegen's: page i is in sections[i%4].
var sections = []string{"blog", "solutions", "customers", "guides"}

func main() {
	corpus := flag.String("corpus", "", "the corpus bench/sitegen wrote (its winnow and hugo directories)")
	winnow := flag.String("winnow", "", "the winnow program")
	hugo := flag.String("hugo", "", "the hugo program; none: winnow only")
	edits := flag.Int("edits", 15, "edits of each server")
	pause := flag.Duration("pause", 500*time.Millisecond, "the wait after each edit, for the server to settle")
	verbose := flag.Bool("v", false, "print what the servers said")
	tmp := flag.String("work", "", "the directory for the site winnow dev writes and its database (default: the system's temporary directory)")
	flag.Parse()
	if *corpus == "" || *winnow == "" {
		log.Fatal("siteedit: -corpus and -winnow are required")
	}
	n, err := pages(filepath.Join(*corpus, "winnow", "content", "pages"))
	if err != nil {
		log.Fatal(err)
	}
	work, err := os.MkdirTemp(*tmp, "siteedit-")
	if err != nil {
		log.Fatal(err)
	}
	// Servers started are stopped before the program ends, as it may.
	var stops []func()
	stopAll := func() {
		for _, stop := range stops {
			stop()
		}
		os.RemoveAll(work)
	}
	defer stopAll()
	fatal := func(format string, args ...any) {
		stopAll()
		log.Fatalf(format, args...)
	}

	type server struct {
		name  string
		base  string
		file  func(i int) string // the Markdown of page i
		waits []time.Duration
	}
	var servers []*server
	w := filepath.Join(*corpus, "winnow")
	addr, err := freeAddr()
	if err != nil {
		fatal("%v", err)
	}
	// Run from work: not a source checkout, so winnow dev watches no
	// templates.
	stop, err := start(work, filepath.Join(work, "winnow.log"), *winnow, "dev", "--addr", addr, "--demo=false",
		"--db", filepath.Join(work, "winnow.db"), "--out", filepath.Join(work, "public"),
		"--static", filepath.Join(w, "static"), filepath.Join(w, "content"))
	if err != nil {
		fatal("%v", err)
	}
	stops = append(stops, stop)
	servers = append(servers, &server{name: "winnow dev", base: "http://" + addr, file: func(i int) string {
		return filepath.Join(w, "content", "pages", sections[i%len(sections)], fmt.Sprintf("page-%05d.md", i))
	}})
	if *hugo != "" {
		h := filepath.Join(*corpus, "hugo")
		addr, err := freeAddr()
		if err != nil {
			fatal("%v", err)
		}
		_, port, _ := net.SplitHostPort(addr)
		stop, err := start(work, filepath.Join(work, "hugo.log"), *hugo, "server", "--minify", "--bind", "127.0.0.1", "--port", port,
			"--baseURL", "http://"+addr+"/", "-s", h)
		if err != nil {
			fatal("%v", err)
		}
		stops = append(stops, stop)
		servers = append(servers, &server{name: "hugo server", base: "http://" + addr, file: func(i int) string {
			return filepath.Join(h, "content", sections[i%len(sections)], fmt.Sprintf("page-%05d.md", i))
		}})
	}
	for _, s := range servers {
		t := time.Now()
		if err := waitUp(s.base+"/", 10*time.Minute); err != nil {
			fatal("%s: %v", s.name, err)
		}
		fmt.Printf("%s: serving after %v\n", s.name, time.Since(t).Round(time.Millisecond))
	}
	time.Sleep(2 * time.Second) // let the first build's garbage go
	for e := range *edits {
		i := (n/3 + e*997) % n // a page in the middle of a section's list, another each time
		for _, s := range servers {
			url := s.base + "/" + sections[i%len(sections)] + "/" + fmt.Sprintf("page-%05d", i) + "/"
			word := "edited" + strconv.Itoa(e) + "x" + strconv.FormatInt(time.Now().UnixNano()%1e6, 36)
			d, err := editAndWait(s.file(i), url, word, time.Minute)
			if err != nil {
				fatal("%s: %v", s.name, err)
			}
			s.waits = append(s.waits, d)
			fmt.Printf("%s edit %d: %v\n", s.name, e+1, d.Round(100*time.Microsecond))
			time.Sleep(*pause)
		}
	}
	if *verbose {
		for _, name := range []string{"winnow.log", "hugo.log"} {
			if data, err := os.ReadFile(filepath.Join(work, name)); err == nil {
				fmt.Printf("--- %s\n%s", name, data)
			}
		}
	}
	for _, s := range servers {
		sorted := slices.Clone(s.waits)
		slices.Sort(sorted)
		fmt.Printf("%-12s median %v  min %v  max %v  (%d edits)\n", s.name,
			sorted[len(sorted)/2].Round(100*time.Microsecond), sorted[0].Round(100*time.Microsecond),
			sorted[len(sorted)-1].Round(100*time.Microsecond), len(sorted))
	}
}

// pages counts the pages of a corpus.
func pages(dir string) (int, error) {
	n := 0
	for _, s := range sections {
		m, err := filepath.Glob(filepath.Join(dir, s, "page-*.md"))
		if err != nil {
			return 0, err
		}
		n += len(m)
	}
	if n == 0 {
		return 0, errors.New("no pages in " + dir)
	}
	return n, nil
}

// freeAddr returns a loopback address no one listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// start runs a server in dir with its output in logName, and returns a
// function that stops it.
func start(dir, logName, prog string, args ...string) (stop func(), err error) {
	logf, err := os.Create(logName)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, logf, logf
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, err
	}
	return func() {
		cancel()
		cmd.Wait()
		logf.Close()
	}, nil
}

// waitUp asks url until it answers 200.
func waitUp(url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if res, err := http.Get(url); err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("not serving " + url + " after " + limit.String())
}

// editAndWait appends a sentence with word to the Markdown file name and
// asks url until the answer holds word, returning the time from just
// before the write.
func editAndWait(name, url, word string, limit time.Duration) (time.Duration, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return 0, err
	}
	data = append(data, "\nThis page was "+word+" by the benchmark.\n"...)
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	start := time.Now()
	if err := os.WriteFile(name, data, 0o644); err != nil {
		return 0, err
	}
	for time.Since(start) < limit {
		res, err := client.Get(url)
		if err == nil {
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if bytes.Contains(body, []byte(word)) {
				return time.Since(start), nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return 0, errors.New(url + " does not show the edit after " + limit.String())
}
