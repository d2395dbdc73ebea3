package worker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/store"
)

// handled numbers the events handle records.
var handled atomic.Int64

// handle records, as the sales queue does, that actor accepted lead id
// (reason "") or rejected it for reason, at the clock's instant, and has
// the report's sums counted anew from the events: the event is written
// as it is stored, not by a write of the lead that keeps the sums.
func (f *fixture) handle(t *testing.T, id, actor, reason string) {
	t.Helper()
	kind := lead.KindAccept
	if reason != "" {
		kind = lead.KindReject
	}
	now := f.clock.Now().UnixMilli()
	st := store.InsertEvent(store.EventWrite{Event: lead.Event{ID: fmt.Sprintf("handled-%d", handled.Add(1)), Lead: id, Kind: kind,
		Value: reason, Actor: actor, Source: "queue", At: now, Recorded: now}}, "1 = 1")
	if _, err := f.db.Exec(st.SQL, st.Args...); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Exec(`UPDATE leads SET report_events = NULL WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.h.RebuildRollups(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// The report's rollups kept on write equal the leads' events counted
// again, after random lives: new and returning people, routed to their
// owners, signals (some dated before what the lead's history holds),
// activities, acceptances and rejections, outcomes and reopenings,
// overrides, merges and unmerges, and the passing of time (the SLA's
// rhythms in the teams' business hours); and the report read from them is
// the report of the export, owners and rhythms included.
func TestRollupsEqualEvents(t *testing.T) {
	handles, reasoned := 0, 0 // acceptances and rejections in the reports; rejections with their reasons
	for seed := range uint64(12) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			f := newFixture(t, nil, func(c *worker.Config) { c.Routing = shippedRouting(t) })
			ctx := context.Background()
			r := rand.New(rand.NewPCG(seed, 99))
			// Half the runs count the rollups first (every write then keeps
			// them); the others write first and count midway.
			countAt := 0
			if seed%2 == 1 {
				countAt = 30
			}
			var ids []string
			emails := []string{"ana@northwind.io", "Ana+x@northwind.io", "bo@gmail.com", "b.o@googlemail.com", "cy@acme.io",
				"dee@globex.com", "eve@initech.com", "fay@umbrella.io"}
			industries := []string{"software", "retail", "healthcare", "other"}
			requests := []string{"question", "demo", "newsletter", "pricing"}
			signals := []string{"sales_accepted", "email_reply", "pricing_visit", "discovery_call", "meeting_booked", "positive_reply"}
			stages := []string{"SAL", "SQL", "opportunity", "cold lead", "disqualified"}
			origins := []string{"", "utm_source=newsletter&utm_campaign=spring", "utm_source=ads&utm_campaign=q2", "referrer=https%3A%2F%2Fnews.example%2Fa"}
			people := []string{"Anna Schmidt", "Lukas Weber", "Chloé Dubois", "jo"}
			reasons := []string{"not_my_territory", "duplicate", "no reason; given"}
			pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
			at := func() string { // now, or back-dated by up to a day
				back := time.Duration(0)
				if r.IntN(4) == 0 {
					back = time.Duration(r.IntN(24*60)) * time.Minute
				}
				return f.clock.Now().Add(-back).UTC().Format(time.RFC3339)
			}
			for op := range 120 {
				if op == countAt {
					if done, err := f.h.CountRollups(ctx, time.Minute); err != nil || !done {
						t.Fatalf("counting: %v %v", done, err)
					}
				}
				switch k := r.IntN(11); {
				case k < 3 || len(ids) == 0:
					fields := ana()
					fields["email"], fields["industry"], fields["request"] = pick(emails), pick(industries), pick(requests)
					body, _ := json.Marshal(map[string]any{"fields": fields, "idempotency_key": fmt.Sprintf("key-roll-%d-%d", seed, op)})
					w := f.call(t, "POST", "/api/leads", "192.0.2.1:1", map[string]string{"Content-Type": "application/json",
						"Cookie": "winnow_a=" + pick(origins)}, string(body))
					if w.Code == 201 || w.Code == 200 {
						var a struct{ ID string }
						json.Unmarshal(w.Body.Bytes(), &a)
						ids = append(ids, a.ID)
					}
				case k < 5:
					f.sendEvent(t, pick(ids), map[string]string{"signal": pick(signals), "actor": "jo", "at": at()})
				case k == 5:
					f.sendEvent(t, pick(ids), map[string]string{"activity": "contacted", "actor": "jo", "at": at()})
				case k == 6:
					ev := map[string]string{"outcome": pick([]string{"won", "lost", "open"}), "actor": "jo", "reason": "no_budget"}
					if ev["outcome"] != "lost" {
						delete(ev, "reason")
					}
					f.sendEvent(t, pick(ids), ev)
				case k == 7:
					f.sendEvent(t, pick(ids), map[string]string{"stage": pick(stages), "actor": "jo", "reason": "sales knows", "at": at()})
				case k == 10 && op > countAt:
					reason := ""
					if r.IntN(2) == 0 {
						reason = pick(reasons)
					}
					f.handle(t, pick(ids), pick(people), reason)
				case k == 8 && len(ids) > 1:
					a, b := pick(ids), pick(ids)
					path := "/api/leads/" + a + "/merge"
					if r.IntN(3) == 0 {
						path = "/api/leads/" + a + "/unmerge"
					}
					body, _ := json.Marshal(map[string]string{"lead": b, "actor": "jo", "reason": "same person?"})
					f.request(t, "POST", path, body)
				default:
					f.clock.Advance(time.Duration(1+r.IntN(72)) * time.Hour)
					if r.IntN(2) == 0 {
						if _, err := f.h.Rescore(ctx, f.clock.Now()); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			if done, err := f.h.CountRollups(ctx, time.Minute); err != nil || !done {
				t.Fatalf("counting: %v %v", done, err)
			}
			check, err := f.h.CheckRollups(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !check.OK() || check.Leads == 0 {
				t.Fatalf("%d leads: the rollups differ from the events by %v; clocks missing %v, extra %v",
					check.Leads, check.Cells, check.Missing, check.Extra)
			}

			// The API's report, from the rollups, is the export's.
			q := url.Values{"from": {"2026-02"}, "to": {"2026-06"}, "tz": {"Europe/Paris"}}
			status, body := f.get(t, "/api/report?"+q.Encode())
			if status != 200 {
				t.Fatalf("report: %d %s", status, body)
			}
			_, export := f.get(t, "/api/export.csv")
			leads, err := report.ReadCSV(bytes.NewReader(export))
			if err != nil {
				t.Fatal(err)
			}
			loc, _ := time.LoadLocation("Europe/Paris")
			fromFile, err := report.Build(defaultModel(t), report.Options{From: report.Month{Year: 2026, Month: 2},
				To: report.Month{Year: 2026, Month: 6}, Location: loc, Now: f.clock.Now(), Routing: shippedRouting(t)}, leads)
			if err != nil {
				t.Fatal(err)
			}
			js, _ := json.Marshal(fromFile)
			var api report.Report
			json.Unmarshal(body, &api)
			api.BreachesNext = ""
			back, _ := json.Marshal(api)
			if string(js) != string(back) {
				t.Errorf("the report from the rollups differs from the export's:\n%s\n%s", back, js)
			}
			rhythms := 0
			for _, o := range api.Owners {
				rhythms += o.Rhythm.Kept + o.Rhythm.Broken + o.Rhythm.Running
				handles += o.Accepted + o.Rejected
				for _, rc := range o.Reasons {
					if slices.Contains(reasons, rc.Reason) {
						reasoned += rc.Count
					}
				}
			}
			if len(api.Owners) == 0 || len(api.Teams) == 0 || rhythms == 0 {
				t.Errorf("the leads' owners and their rhythms are not counted: %+v", api.Owners)
			}
		})
	}
	if handles == 0 || reasoned == 0 {
		t.Errorf("the reports count %d leads accepted or rejected, %d rejected with a reason given", handles, reasoned)
	}
}

// What a lead's row keeps of its events for the report is checked
// against the events: a row that disagrees is named, never served as
// right.
func TestCheckFindsStaleReportEvents(t *testing.T) {
	f := newFixture(t, nil, nil)
	ctx := context.Background()
	if _, err := f.h.CountRollups(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	a := f.submit(t, "key-stale-1", ana())
	id := a["id"].(string)
	f.sendEvent(t, id, map[string]string{"signal": "sales_accepted", "actor": "jo"})
	if check, err := f.h.CheckRollups(ctx); err != nil || !check.OK() {
		t.Fatalf("before: %v %v", check.Describe(), err)
	}
	if _, err := f.db.Exec(`UPDATE leads SET report_events = '' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	check, err := f.h.CheckRollups(ctx)
	if err != nil || check.OK() || len(check.Stale) != 1 || check.Stale[0] != id {
		t.Fatalf("a lead whose row keeps other report events: %v %v", check.Describe(), err)
	}
}
