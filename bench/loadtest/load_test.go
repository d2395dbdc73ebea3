package loadtest

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

var (
	size = flag.Int("load.n", 400, "submissions of TestLoad (the full run is 10000)")
	rate = flag.Float64("load.rate", 200, "submissions per second of TestLoad")
)

// TestLoad runs the load and fault test against the native server at a
// small size: replays, concurrent duplicates, a receiver failing 20 % of
// its calls, and the server killed and restarted half way. Every
// acknowledged lead must be stored once and every webhook delivered once
// after deduplication. make bench-load runs it at full size.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "winnow")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/winnow")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	rec, err := NewReceiver(0.2)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	srv, err := StartNative(bin, "../../content", "../../static", dir, map[string]string{
		"WINNOW_WEBHOOK_URL": rec.URL, "WINNOW_WEBHOOK_SECRET": rec.Secret,
		"WINNOW_RATE_PER_IP": "-1", "WINNOW_RATE_PER_EMAIL": "-1",
		"WINNOW_WEBHOOK_RETRY": "50ms", "WINNOW_WEBHOOK_ATTEMPTS": "30",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	ctx := context.Background()
	var progress *os.File
	if testing.Verbose() {
		progress = os.Stderr
	}
	res := Run(ctx, Config{URL: srv.URL, N: *size, Rate: *rate, Replays: 0.05, Dups: 0.02, Restart: srv.Restart, Progress: progress})
	t.Logf("native, %d submissions at %.0f/s: %v; restart took %v", *size, *rate, res, res.RestartGap.Round(time.Millisecond))
	if len(res.Failed) > 0 {
		t.Errorf("%d submissions never acknowledged, e.g. %s; refusals: %v", len(res.Failed), res.Failed[0], res.Refused)
	}
	if err := WaitDelivered(ctx, srv.DB, 2*time.Minute); err != nil {
		t.Error(err)
	}
	calls, failed, _ := rec.Stats()
	_, total := rec.Delivered()
	t.Logf("webhooks: %d calls, %d failed on purpose, %d delivered (%d distinct leads)", calls, failed, total, len(res.Acked))
	if failed == 0 {
		t.Error("the receiver never failed: the fault was not exercised")
	}
	if err := Verify(ctx, srv.DB, res, rec); err != nil {
		t.Error(err)
	}
	if got := strconv.Itoa(len(res.Acked)); got != strconv.Itoa(*size) {
		t.Errorf("%s leads acknowledged, want %d", got, *size)
	}
}
