package worker_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/winnowhq/winnow/worker/crm"
)

// Every webhook a json target gets over a lead's life is valid by the
// schema the README documents (docs/webhook.schema.json), and the schema
// refuses what it should.
func TestWebhookSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	f, err := os.Open("../docs/webhook.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("webhook.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("webhook.schema.json")
	if err != nil {
		t.Fatal(err)
	}

	recv := newRecorder(t)
	fx := newFixture(t, []crm.Target{{Name: "crm", Kind: crm.KindJSON, URL: recv.srv.URL, Secret: "x"}}, nil)
	id := fx.submit(t, "key-schema-1", ana())["id"].(string)
	fx.clock.Advance(6 * time.Hour)
	if _, err := fx.h.Rescore(context.Background(), fx.clock.Now()); err != nil { // decays to a cold lead
		t.Fatal(err)
	}
	fx.postEvent(t, id, map[string]string{"signal": "sales_accepted", "actor": "jo"})
	fx.postEvent(t, id, map[string]string{"outcome": "lost", "reason": "no_budget", "actor": "jo"})
	fx.postEvent(t, id, map[string]string{"outcome": "open", "actor": "jo"})
	fx.postEvent(t, id, map[string]string{"outcome": "won", "actor": "jo"})
	if _, err := fx.h.Deliver(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := recv.topics(), "lead.created lead.changed:MQL>cold lead lead.changed:cold lead>SAL lead.outcome lead.outcome lead.outcome"; got != want {
		t.Errorf("topics %q, want %q", got, want)
	}
	recv.mu.Lock()
	got := recv.got
	recv.mu.Unlock()
	for i, body := range got {
		if err := schema.Validate(body); err != nil {
			js, _ := json.Marshal(body)
			t.Errorf("webhook %d is not valid by the schema: %v\n%s", i, err, js)
		}
	}

	// What the schema refuses: no lead, an unknown topic, a created lead
	// without its answers, an outcome event without its outcome.
	for name, change := range map[string]func(m map[string]any){
		"no lead":       func(m map[string]any) { delete(m, "lead") },
		"unknown topic": func(m map[string]any) { m["topic"] = "lead.deleted" },
		"no answers":    func(m map[string]any) { delete(m["lead"].(map[string]any), "fields") },
		"extra member":  func(m map[string]any) { m["score"] = 3 },
	} {
		var m map[string]any
		js, _ := json.Marshal(got[0])
		json.Unmarshal(js, &m)
		change(m)
		back, _ := json.Marshal(m)
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(string(back)))
		if schema.Validate(v) == nil {
			t.Errorf("%s: the schema takes %s", name, back)
		}
	}
}
