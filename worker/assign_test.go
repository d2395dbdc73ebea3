package worker_test

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/worker"
)

var (
	routingOnce    sync.Once
	contentRouting *routing.Routing
)

// shippedRouting is content/routing.yaml, compiled.
func shippedRouting(t *testing.T) *routing.Routing {
	t.Helper()
	routingOnce.Do(func() {
		c, diags := content.Load(os.DirFS("../content"), "content")
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		contentRouting = c.Routing
	})
	if contentRouting == nil {
		t.Fatal("the content has no routing")
	}
	return contentRouting
}

// owned is a lead as GET /api/leads/{id} gives its owner and timeline.
type owned struct {
	Stage  string `json:"stage"`
	Owner  string `json:"owner"`
	Team   string `json:"team"`
	Events []struct {
		Kind  string `json:"kind"`
		Name  string `json:"name"`
		Value string `json:"value"`
		Note  string `json:"note"`
		Actor string `json:"actor"`
	} `json:"events"`
}

func (f *fixture) owned(t *testing.T, id string) owned {
	t.Helper()
	status, body := f.get(t, "/api/leads/"+id)
	if status != 200 {
		t.Fatalf("GET lead %s: %d %s", id, status, body)
	}
	var o owned
	if err := json.Unmarshal(body, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// assignments are the lead's assign events.
func (o owned) assignments() []string {
	var out []string
	for _, e := range o.Events {
		if e.Kind == "assign" {
			out = append(out, e.Name+"/"+e.Value)
		}
	}
	return out
}

// A lead that reaches MQL in DACH goes to the next person of the dach
// territory of Sales development, recorded as an event with the reason;
// successive leads alternate by the people's weights (Anna Schmidt 2,
// Lukas Weber 1), and a fact that does not move the stage reassigns
// nothing.
func TestAssignOnEnteringStage(t *testing.T) {
	f := newFixture(t, nil, func(c *worker.Config) { c.Routing = shippedRouting(t) })
	var owners []string
	var first string
	for i := range 4 {
		fields := ana()
		fields["email"] = "ana" + strconv.Itoa(i) + "@northwind.io"
		id := f.submit(t, "key-assign-"+strconv.Itoa(i), fields)["id"].(string)
		o := f.owned(t, id)
		if o.Stage != "MQL" || o.Team != "Sales development" {
			t.Fatalf("lead %d: stage %q team %q, want MQL in Sales development", i, o.Stage, o.Team)
		}
		owners = append(owners, o.Owner)
		if i == 0 {
			first = id
			as := o.assignments()
			if len(as) != 1 || as[0] != "Sales development/Anna Schmidt" {
				t.Fatalf("assignments %v", as)
			}
			for _, e := range o.Events {
				if e.Kind == "assign" && (e.Actor != "winnow" || !strings.HasPrefix(e.Note, "territory dach, Anna Schmidt next in the round robin")) {
					t.Errorf("assign event by %q, reason %q", e.Actor, e.Note)
				}
			}
		}
	}
	if got, want := strings.Join(owners, ", "), "Anna Schmidt, Anna Schmidt, Lukas Weber, Anna Schmidt"; got != want {
		t.Errorf("owners %s, want %s", got, want)
	}

	// Sales acts: the stage stays, so does the owner.
	f.postEvent(t, first, map[string]string{"activity": "contacted", "actor": "jo"})
	if o := f.owned(t, first); o.Owner != "Anna Schmidt" || len(o.assignments()) != 1 {
		t.Errorf("after an activity: owner %q, assignments %v", o.Owner, o.assignments())
	}
	// The lead's page shows the owner and the assignment with its reason.
	b := newAdminBrowser(t, f.srv.URL)
	b.login(t, "tok")
	wantPage(t, b.get(t, "/admin/leads/"+first), 200, "<dt>Owner</dt>", "Anna Schmidt", "Assigned to Anna Schmidt (Sales development)",
		"Reason: territory dach, Anna Schmidt next in the round robin (weight 2)")
}

// When nobody of the team can take the lead, the lead is kept, owned by
// nobody, and its timeline says why.
func TestAssignNobodyAvailable(t *testing.T) {
	away := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	r := &routing.Routing{Teams: []routing.Team{{Name: "Sales development", People: []routing.Person{
		{Name: "Bo Berg", Away: []routing.Period{{From: away, To: routing.Never}}},
	}}}}
	if err := r.Compile(); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, nil, func(c *worker.Config) { c.Routing = r })
	id := f.submit(t, "key-assign-nobody", ana())["id"].(string)
	o := f.owned(t, id)
	if o.Stage != "MQL" || o.Team != "Sales development" || o.Owner != "" {
		t.Fatalf("stage %q team %q owner %q, want MQL in Sales development, no owner", o.Stage, o.Team, o.Owner)
	}
	var reason string
	for _, e := range o.Events {
		if e.Kind == "assign" {
			reason = e.Note
		}
	}
	if got := o.assignments(); len(got) != 1 || got[0] != "Sales development/" {
		t.Errorf("assignments %v, want one to nobody", got)
	}
	if want := "nobody at work: Bo Berg away, no return set"; !strings.Contains(reason, want) {
		t.Errorf("reason %q, want it to say %q", reason, want)
	}
	// Without a routing, nothing is assigned.
	g := newFixture(t, nil, nil)
	id = g.submit(t, "key-assign-none", ana())["id"].(string)
	if o := g.owned(t, id); o.Owner != "" || o.Team != "" || len(o.assignments()) != 0 {
		t.Errorf("without routing: owner %q team %q assignments %v", o.Owner, o.Team, o.assignments())
	}
}

// An owned lead's next attempt is due in its team's business time: an
// MQL that enters on Monday at 10:00 in Paris is due within 24 working
// hours of Sales development (08:30–18:00), on Wednesday at 15:00, and its
// owner is to be warned at three quarters of that; once acted on, the
// follow-up is due 2 working days (of 24 hours) after the action.
func TestRhythmDue(t *testing.T) {
	f := newFixture(t, nil, func(c *worker.Config) { c.Routing = shippedRouting(t) })
	paris, _ := time.LoadLocation("Europe/Paris")
	at := func(id string) (due, alert string) {
		var d, a int64
		if err := f.db.QueryRow(`SELECT coalesce(due_at, 0), coalesce(alert_at, 0) FROM leads WHERE id = ?`, id).Scan(&d, &a); err != nil {
			t.Fatal(err)
		}
		show := func(ms int64) string {
			if ms == 0 {
				return "none"
			}
			return time.UnixMilli(ms).In(paris).Format("Mon 15:04")
		}
		return show(d), show(a)
	}
	id := f.submit(t, "key-rhythm", ana())["id"].(string)
	if due, alert := at(id); due != "Wed 15:00" || alert != "Wed 09:00" {
		t.Errorf("entered Monday 10:00: due %s, warned %s; want Wed 15:00, Wed 09:00", due, alert)
	}
	f.clock.t = f.clock.t.Add(time.Hour) // Monday 11:00
	f.postEvent(t, id, map[string]string{"activity": "contacted", "actor": "jo"})
	if due, alert := at(id); due != "Mon 11:30" || alert != "Fri 09:00" {
		t.Errorf("acted on Monday 11:00: due %s, warned %s; want Mon 11:30 (a week on), Fri 09:00", due, alert)
	}
	// Closed, nothing is due.
	f.postEvent(t, id, map[string]string{"outcome": "lost", "reason": "no_decision", "actor": "jo"})
	if due, alert := at(id); due != "none" || alert != "none" {
		t.Errorf("lost: due %s, warned %s", due, alert)
	}
}
