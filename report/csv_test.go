package report_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/report"
)

func TestEventsCell(t *testing.T) {
	events := []report.Event{
		late("SAL", "jo lee; 100% 'sure'", "2026-01-21 08:00", "2026-01-25 08:00"),
		{Stage: "bad lead", Actor: "winnow", Source: "", At: at("2026-01-20 08:00").Add(1500 * time.Millisecond),
			RecordedAt: at("2026-01-20 08:00").Add(1500 * time.Millisecond)},
		ev("contacted", "ana\tb\nc", "2026-01-22 08:00"),
	}
	cell := report.EncodeEvents(events)
	// Sorted by at; spaces, ';', '%', quotes and control characters escaped.
	want := "bad%20lead winnow  2026-01-20T08:00:01.500Z 2026-01-20T08:00:01.500Z;" +
		"SAL jo%20lee%3B%20100%25%20%27sure%27 api 2026-01-21T08:00:00.000Z 2026-01-25T08:00:00.000Z;" +
		"contacted ana%09b%0Ac api 2026-01-22T08:00:00.000Z 2026-01-22T08:00:00.000Z"
	if cell != want {
		t.Errorf("cell\n%s\nwant\n%s", cell, want)
	}
	got, err := report.DecodeEvents(cell)
	if err != nil {
		t.Fatal(err)
	}
	// Decoded in the cell's order, which Seq keeps.
	sorted := []report.Event{events[1], events[0], events[2]}
	for i := range sorted {
		sorted[i].Seq = int64(i + 1)
	}
	if !reflect.DeepEqual(got, sorted) {
		t.Errorf("decoded\n%+v\nwant\n%+v", got, sorted)
	}
	// An override keeps its mark; events of one instant keep their order.
	same := at("2026-01-20 08:00")
	two := []report.Event{
		{Stage: "SAL", Actor: "jo", Source: report.OverrideSource, At: same, RecordedAt: same, Override: true, Seq: 7},
		{Stage: "contacted", Actor: "jo", Source: "api", At: same, RecordedAt: same, Seq: 9},
	}
	got, err = report.DecodeEvents(report.EncodeEvents(two))
	if err != nil || len(got) != 2 || !got[0].Override || got[1].Override || got[0].Stage != "SAL" || got[0].Seq >= got[1].Seq {
		t.Errorf("an override and an act of one instant decoded as %+v (%v)", got, err)
	}
	if got, err := report.DecodeEvents(""); err != nil || got != nil {
		t.Errorf("an empty cell: %v %v", got, err)
	}
	for _, tc := range []struct{ cell, msg string }{
		{"MQL winnow form 2026-01-20T08:00:00Z", "event 1: "},
		{"MQL winnow form 2026-01-20T08:00:00Z 2026-01-20T08:00:00Z;SAL jo api yesterday 2026-01-20T08:00:00Z", "event 2: at \"yesterday\""},
		{"MQL jo%2 api 2026-01-20T08:00:00Z 2026-01-20T08:00:00Z", "event 1: a '%'"},
		{"MQL jo%zz api 2026-01-20T08:00:00Z 2026-01-20T08:00:00Z", "event 1: %zz"},
	} {
		if _, err := report.DecodeEvents(tc.cell); err == nil || !strings.HasPrefix(err.Error(), tc.msg) {
			t.Errorf("DecodeEvents(%q): %v, want an error starting %q", tc.cell, err, tc.msg)
		}
	}
}

func TestCells(t *testing.T) {
	for _, s := range []string{"=SUM(A1)", "+1", "-3", "@x", "\tx", "\rx", "'", "'=x", "''", "plain", "", "a=b"} {
		e := report.EscapeCell(s)
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(e[0])) {
			t.Errorf("EscapeCell(%q) = %q starts like a formula", s, e)
		}
		if got := report.UnescapeCell(e); got != s {
			t.Errorf("UnescapeCell(EscapeCell(%q)) = %q", s, got)
		}
	}
}

func TestReadCSV(t *testing.T) {
	file := "id,created_at,source,spam,stage,fit,tier,score,model,name,stage_now,outcome,events\n" +
		"L1,2026-01-05T09:00:00Z,form,false,MQL,A,hot,14.5,v1,'=cmd,SQL,won," +
		"MQL winnow form 2026-01-05T09:00:00.000Z 2026-01-05T09:00:00.000Z;won jo api 2026-02-10T09:00:00.000Z 2026-02-10T09:00:00.000Z\n" +
		"L2,2026-01-06T09:00:00Z,'-api,true,bad lead,D,cold,-3,v1,x,bad lead,,bad%20lead winnow form 2026-01-06T09:00:00.000Z 2026-01-06T09:00:00.000Z\n"
	leads, err := report.ReadCSV(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	want := []report.Lead{
		{ID: "L1", CreatedAt: at("2026-01-05 09:00"), Source: "form", Fit: "A", Tier: "hot", Score: 14.5, Events: []report.Event{
			{Stage: "MQL", Actor: "winnow", Source: "form", At: at("2026-01-05 09:00"), RecordedAt: at("2026-01-05 09:00"), Seq: 1},
			{Stage: "won", Actor: "jo", Source: "api", At: at("2026-02-10 09:00"), RecordedAt: at("2026-02-10 09:00"), Seq: 2}}},
		{ID: "L2", CreatedAt: at("2026-01-06 09:00"), Source: "-api", Spam: true, Fit: "D", Tier: "cold", Score: -3, Events: []report.Event{
			{Stage: "bad lead", Actor: "winnow", Source: "form", At: at("2026-01-06 09:00"), RecordedAt: at("2026-01-06 09:00"), Seq: 1}}},
	}
	if !reflect.DeepEqual(leads, want) {
		t.Errorf("read\n%+v\nwant\n%+v", leads, want)
	}
	for _, tc := range []struct{ file, msg string }{
		{"", "line 1: the file is empty"},
		{"id,created_at,source\n", "line 1: no column events"},
		{"id,created_at,events\nL1,yesterday,\n", "line 2, column created_at: "},
		{"id,created_at,events\nL1,2026-01-05T09:00:00Z,\nL2,2026-01-05T09:00:00Z,MQL\n", "line 3, column events: event 1: "},
		{"id,created_at,events,spam\nL1,2026-01-05T09:00:00Z,,maybe\n", "line 2, column spam: "},
		{"id,created_at,events\n,2026-01-05T09:00:00Z,\n", "line 2, column id: "},
	} {
		if _, err := report.ReadCSV(strings.NewReader(tc.file)); err == nil || !strings.HasPrefix(err.Error(), tc.msg) {
			t.Errorf("ReadCSV(%q): %v, want an error starting %q", tc.file, err, tc.msg)
		}
	}
}
