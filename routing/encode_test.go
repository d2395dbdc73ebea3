package routing_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
)

// TestEncodeDecode rebuilds the shipped routing as the edge does, against
// the model decoded from its canonical text, and routes every example
// lead whose stage a team owns as the content's routing does: at the
// example's instant, while someone is away, and with counts that make
// people full.
func TestEncodeDecode(t *testing.T) {
	c, diags := content.Load(os.DirFS("../content"), "content")
	if err := diags.Err(); err != nil {
		t.Fatal(err)
	}
	data, err := routing.Encode(c.Routing)
	if err != nil {
		t.Fatal(err)
	}
	m, err := qualify.Decode(qualify.Encode(c.Model))
	if err != nil {
		t.Fatal(err)
	}
	var zones []string
	r, err := routing.Decode(data, m, func(name string) (*time.Location, error) {
		zones = append(zones, name)
		return time.LoadLocation(name)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(zones) == 0 {
		t.Error("no time zone loaded: the shipped routing works in Europe/Paris")
	}
	again, err := routing.Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(data) {
		t.Errorf("encoded again:\n%s\nfirst:\n%s", again, data)
	}
	if got, want := r.Teams[0].Calendar.Zone.String(), c.Routing.Teams[0].Calendar.Zone.String(); got != want {
		t.Errorf("zone %s, want %s", got, want)
	}
	if r.Alerts != c.Routing.Alerts || r.Warn != c.Routing.Warn || !r.Alerts.Digest || r.Team("Account executive").Slack != "WINNOW_ALERT_SLACK_AE" {
		t.Errorf("alerts %+v warned at %v, want %+v at %v", r.Alerts, r.Warn, c.Routing.Alerts, c.Routing.Warn)
	}
	if rr := r.RejectReason("not_ready"); r.AcceptSignal != "sales_accepted" || rr == nil || rr.To != "cold lead" || rr.Label == "" ||
		len(r.Activities) != len(c.Routing.Activities) || r.Activity("call") == nil {
		t.Errorf("what owners record: accept %q, not_ready %+v, activities %+v", r.AcceptSignal, rr, r.Activities)
	}

	counts := routing.Counts{"Lukas Weber": {Open: 60}, "Daniel Kim": {Open: 3, Assigned: 9}}
	christmas := time.Date(2026, 12, 28, 10, 0, 0, 0, time.UTC).Unix() // Anna Schmidt is away
	routed, inTerritory := 0, 0
	for i := range c.Examples {
		ex := &c.Examples[i]
		if ex.Framework != "" {
			continue
		}
		v1 := qualify.Evaluate(c.Model, &ex.Lead, ex.At)
		v2 := qualify.Evaluate(m, &ex.Lead, ex.At)
		if v1.StageIndex < 0 || v1.Stage != v2.Stage {
			if v1.Stage != v2.Stage {
				t.Errorf("%s: stage %q decoded, %q shipped", ex.Name, v2.Stage, v1.Stage)
			}
			continue
		}
		team := c.Model.Stages[v1.StageIndex].SLA.Owner
		if c.Routing.Team(team) == nil {
			continue
		}
		routed++
		for _, at := range []struct {
			now int64
			st  routing.Counts
		}{{ex.At, routing.Counts{}}, {christmas, routing.Counts{}}, {ex.At, counts}} {
			want, err1 := c.Routing.Route(c.Model, team, &ex.Lead, &v1, at.now, at.st)
			got, err2 := r.Route(m, team, &ex.Lead, &v2, at.now, at.st)
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: %v, %v", ex.Name, err1, err2)
			}
			if got.Team != want.Team || got.Territory != want.Territory || got.Person != want.Person || got.Reason() != want.Reason() {
				t.Errorf("%s at %d: decoded routes to %s/%s/%s (%s), shipped to %s/%s/%s (%s)", ex.Name, at.now,
					got.Team, got.Territory, got.Person, got.Reason(), want.Team, want.Territory, want.Person, want.Reason())
			}
			if want.Territory != "" {
				inTerritory++
			}
		}
	}
	if routed == 0 || inTerritory == 0 {
		t.Errorf("%d example leads routed, %d decisions in a territory: the test routes nothing", routed, inTerritory)
	}
}

func TestDecodeNull(t *testing.T) {
	data, err := routing.Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := routing.Decode(data, model(t), nil)
	if r != nil || err != nil {
		t.Errorf("Decode(%s) = %v, %v; want nil, nil", data, r, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	m := model(t)
	zone := func(name string) (*time.Location, error) { return time.LoadLocation(name) }
	for _, c := range []struct{ data, want string }{
		{`{"teams":[{"name":"a","people":[{"name":"x"}]}],"territories":[{"name":"t","team":"a","when":"no_such_field == 1"}]}`, "territory t: when no_such_field == 1"},
		{`{"teams":[{"name":"a","zone":"Mars/Olympus","people":[{"name":"x"}]}]}`, "team a: time zone Mars/Olympus"},
		{`{"teams":[{"name":"a","holidays":["2026-02-30"],"people":[{"name":"x"}]}]}`, "holiday 2026-02-30"},
		{`{"teams":[{"name":"a","people":[{"name":"x"}]}],"territories":[{"name":"t","team":"b"}]}`, "b"},
		{`{"teams":[{"name":"a","people":[{"name":"x"}]}],"accept_signal":"no_such_signal"}`, "accept_signal: the model has no signal no_such_signal"},
		{`{"teams":[{"name":"a","people":[{"name":"x"}]}],"reject_reasons":[{"name":"r","to":"no such stage"}]}`, "reject reason r: the model has no stage no such stage"},
		{`[`, "routing: "},
	} {
		_, err := routing.Decode([]byte(c.data), m, zone)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Decode(%s): %v, want an error with %q", c.data, err, c.want)
		}
	}
}
