package main

import (
	"os"
	"strings"
	"testing"
)

// TestTableUpToDate: qualify/domains_table.go is what gen writes from the
// npm lists package-lock.json pins (go generate ./qualify rewrites it).
func TestTableUpToDate(t *testing.T) {
	want, err := table("../../../node_modules")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../../qualify/domains_table.go")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Error("qualify/domains_table.go is stale: run go generate ./qualify")
	}
}

func TestFamily(t *testing.T) {
	for d, want := range map[string]bool{
		"yahoo.com": true, "yahoo.co.uk": true, "yahoo.com.br": true, "yahoo.fr": true,
		"yahoo.example": false, "yahoo.a.b.c": false, "yahoomail.com": false, "mail.yahoo.com": false, "yahoo.c0m": false,
	} {
		if got := family(d, "yahoo"); got != want {
			t.Errorf("family(%q, yahoo) = %v", d, got)
		}
	}
	if _, err := pick([]string{"a.com"}, []string{"b.com"}, "list"); err == nil || !strings.Contains(err.Error(), "b.com is not in list") {
		t.Errorf("pick of a missing name: %v", err)
	}
}
