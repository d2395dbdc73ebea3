//go:build edge

package edge_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/blackbox"
	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/internal/wrangler"
	"github.com/winnowhq/winnow/routing"
)

// TestAlertWarn warns the owner of a lead in workerd, once: an MQL is
// submitted, the worker is started again over the same local D1 with its
// clock moved past the instant its owner is to be warned (75% of the
// stage's first attempt, in Sales development's working hours), and the
// cron trigger's scheduled work, three events at once and one more after
// another restart, raises the warning and delivers it to the alerts
// webhook once.
func TestAlertWarn(t *testing.T) {
	root := repoRoot(t)
	c, diags := content.Load(os.DirFS(filepath.Join(root, "content")), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	rec, hs, alerts := blackbox.NewReceiver(t), blackbox.NewHubSpot(t), blackbox.NewReceiver(t)
	env := blackbox.Env(rec, hs)
	env["WINNOW_ALERT_WEBHOOK_URL"] = alerts.URL
	env["WINNOW_ALERT_WEBHOOK_SECRET"] = blackbox.WebhookSecret
	persist := t.TempDir()
	d := wrangler.Start(t, wrangler.Options{Root: root, Vars: env, Persist: persist})
	s := blackbox.Server{URL: d.URL, Direct: d.URL, AdminToken: blackbox.AdminToken, Receiver: rec, HubSpot: hs}
	id, entered := blackbox.AlertLead(t, s)
	d.Stop()

	// When the owner is to be warned, and an instant after it, in working
	// hours, for the cron event to come at.
	r := c.Routing
	sla := c.Model.Stages[c.Model.StageIndex("MQL")].SLA
	cal := r.StageCalendar(sla)
	step := routing.Next(sla, cal, entered.Unix(), nil)
	warn := step.At(cal, r.WarnShare())
	at := warn + 60
	for !cal.Working(at) || !cal.Working(at+300) {
		at = cal.NextWorking(at+300) + 60
	}
	if at >= step.Due {
		t.Fatalf("no working instant between the warning (%v) and the due time (%v)", time.Unix(warn, 0), time.Unix(step.Due, 0))
	}
	offset := time.Until(time.Unix(at, 0)).Round(time.Second)
	env["WINNOW_CLOCK_OFFSET"] = offset.String()
	rec.ClockOffset(offset)
	alerts.ClockOffset(offset)
	for restart := range 2 {
		d = wrangler.Start(t, wrangler.Options{Root: root, Vars: env, Persist: persist})
		runs := 3 - 2*restart // three cron events at once, then one after a restart
		errs := make(chan error, runs)
		for range runs {
			go func() { errs <- d.Scheduled() }()
		}
		for range runs {
			if err := <-errs; err != nil {
				t.Fatalf("%v\nwrangler's output:\n%s", err, d.Output())
			}
		}
		d.Stop()
	}
	got := blackbox.Alerts(alerts, "warn", id)
	if len(got) != 1 {
		t.Fatalf("warnings %v, want one (entered %v, warned at %v, the clock moved to %v)", got, entered, time.Unix(warn, 0), time.Unix(at, 0))
	}
	for key, n := range got {
		if n != 1 {
			t.Errorf("warning %s delivered %d times", key, n)
		}
	}
	if n := alerts.BadSignatures(); n > 0 {
		t.Errorf("%d alerts whose signature did not verify", n)
	}
}
