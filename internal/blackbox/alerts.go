package blackbox

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// AlertLead submits a lead that enters the MQL stage, whose SLA names
// Sales development (territory dach of content/routing.yaml), and stays
// an MQL for weeks (the newsletter keeps its score above the threshold).
// It returns the lead's id and the instant it entered its stage.
func AlertLead(t *testing.T, s Server) (string, time.Time) {
	t.Helper()
	c := &client{t: t, s: s, run: fmt.Sprintf("alert-%x", time.Now().UnixNano())}
	fields := c.lead()
	fields["request"] = "newsletter"
	r := c.submit(t, fields, "k-"+c.unique())
	wantStatus(t, r, 201)
	id := r.json(t)["id"].(string)
	lead := c.getLead(t, id)
	if lead["stage"] != "MQL" || lead["team"] != "Sales development" || lead["owner"] == "" {
		t.Fatalf("the lead: %v of %v, owned by %v; want an MQL of Sales development", lead["stage"], lead["team"], lead["owner"])
	}
	for _, e := range lead["events"].([]any) {
		m := e.(map[string]any)
		if m["kind"] == "stage" && m["stage"] == "MQL" {
			at, err := time.Parse(time.RFC3339, m["at"].(string))
			if err != nil {
				t.Fatal(err)
			}
			return id, at
		}
	}
	t.Fatalf("the lead has no stage entry: %s", timeline(lead))
	return "", time.Time{}
}

// Alerts returns how many times rec was delivered each alert of kind
// (warn, breach …) about lead id, by the alert's id.
func Alerts(rec *Receiver, kind, id string) map[string]int {
	out := map[string]int{}
	for ev, n := range rec.Events() {
		b := rec.Body(ev)
		l, _ := b["lead"].(map[string]any)
		if b["topic"] == "alert."+kind && l["id"] == id && strings.HasPrefix(ev, kind+"|"+id+"|") {
			out[b["id"].(string)] += n
		}
	}
	return out
}
