package reporttext_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/report/reporttext"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testModel is a small model of its own (report's tests have the same):
// bad lead (exit), cold (TOFU), MQL and SAL (MOFU), SQL and opportunity
// (BOFU), disqualified (exit).
func testModel() *qualify.Model {
	const h = 3600
	return &qualify.Model{Version: "test", Grades: []qualify.Grade{{Name: "A"}, {Name: "B"}, {Name: "C"}, {Name: "D"}},
		Stages: []qualify.Stage{
			{Name: "bad lead", Exit: true, SLA: qualify.SLA{Owner: "Ops", Within: 72 * h}},
			{Name: "cold", Funnel: qualify.TOFU},
			{Name: "MQL", Funnel: qualify.MOFU, SLA: qualify.SLA{Owner: "SDR", Within: 24 * h}},
			{Name: "SAL", Funnel: qualify.MOFU, SLA: qualify.SLA{Owner: "SDR", Within: 48 * h}},
			{Name: "SQL", Funnel: qualify.BOFU},
			{Name: "opportunity", Funnel: qualify.BOFU, SLA: qualify.SLA{Owner: "AE", Within: 2 * h}},
			{Name: "disqualified", Exit: true},
		}}
}

// build reports on testdata/leads.csv, an export of eight leads over
// January to April 2026 (report's fixture, one lead with no source and
// one whose source is a spreadsheet formula, with their owners, an
// acceptance and a rejection), from month from to April,
// at 10 April noon UTC, with months cut in loc.
func build(t *testing.T, from time.Month, loc *time.Location) *report.Report {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "leads.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	leads, err := report.ReadCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Build(testModel(), report.Options{From: report.Month{Year: 2026, Month: from}, To: report.Month{Year: 2026, Month: 4},
		Location: loc, Now: time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC)}, leads)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// golden compares got with the file testdata/name, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s, line %d:\n got %q\nwant %q\n(go test -update rewrites it)", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: %d lines, want %d (go test -update rewrites it)", path, len(gl), len(wl))
	}
}

// The report as tables, in New York's time: every section, a source
// segment with no source, breaches, medians of days, hours and minutes,
// and the figures per owner and per team.
func TestWrite(t *testing.T) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := reporttext.Write(&b, build(t, 1, loc)); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.txt", b.Bytes())
	for _, want := range []string{"\n(none)  ", "\nL7    MQL          SDR    2026-04-01 06:00  9d 2h   8d 2h\n",
		"\nann    2      3         1h 1m         71h 15m    50% 2/4      1         1 (duplicate 1)  0% 0/2       0% 0/2\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the tables lack %q:\n%s", want, b.String())
		}
	}
}

// April's report as one flat table, a figure a row; the segment that
// would be a spreadsheet formula is escaped again.
func TestWriteFlatCSV(t *testing.T) {
	var b bytes.Buffer
	if err := reporttext.WriteFlatCSV(&b, build(t, 4, time.UTC)); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.csv", b.Bytes())
	for _, want := range []string{"\nsource,'=HYPERLINK(1),2026-04,,,created,1\n", "\nbreach,L7,2026-04,MQL,,over_seconds,698400\n",
		"\nowner,ann,,duplicate,,rejected_for,1\n", "\nteam,SDR,,,,accepted,1\n", "\nsla,SDR,,MQL,,rhythm_kept,2\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the table lacks %q:\n%.1500s", want, b.String())
		}
	}
}
