package content_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/winnowhq/winnow/internal/content"
)

// TestSiteTracking reads the tracking settings of site.yaml: on with
// implied consent by default, as written otherwise, and every wrong value
// at its position.
func TestSiteTracking(t *testing.T) {
	const head = "name: Test\nbase_url: https://test.example\n"
	read := func(yaml string) (content.Site, string) {
		t.Helper()
		s, diags := content.SiteSettings(fstest.MapFS{"site.yaml": {Data: []byte(head + yaml)}}, "content")
		var lines []string
		for _, d := range diags {
			lines = append(lines, d.String())
		}
		return s, strings.Join(lines, "\n")
	}
	for _, c := range []struct {
		yaml string
		want content.Tracking
	}{
		{"", content.Tracking{Enabled: true, Consent: "implied", Notice: content.DefaultNotice}},
		{"tracking: {enabled: false}\n", content.Tracking{Enabled: false, Consent: "implied", Notice: content.DefaultNotice}},
		{"tracking:\n  consent: required\n  notice: May we count your visit?\n", content.Tracking{Enabled: true, Consent: "required", Notice: "May we count your visit?"}},
	} {
		s, problems := read(c.yaml)
		if problems != "" {
			t.Errorf("%q: %s", c.yaml, problems)
		}
		if s.Tracking != c.want {
			t.Errorf("%q: tracking %+v, want %+v", c.yaml, s.Tracking, c.want)
		}
	}
	_, problems := read("tracking:\n  enabled: sometimes\n  consent: opt-in\n  notice: \"\"\n  cookies: 2\n")
	want := `content/site.yaml:4:12: tracking: enabled must be true or false, not "sometimes"
content/site.yaml:5:12: tracking: consent must be required (tracking waits for the visitor's consent) or implied (it starts without asking), not "opt-in"
content/site.yaml:6:11: tracking: notice is empty: leave it out for the default text
content/site.yaml:7:3: tracking: unknown key "cookies"; known keys: consent, enabled, notice`
	if problems != want {
		t.Errorf("problems:\n%s\nwant:\n%s", problems, want)
	}
}
