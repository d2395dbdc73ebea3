package main

import (
	"strings"
	"testing"
)

// The native server takes its trusted proxies from a flag, which says
// which entry it cannot read.
func TestServeTrustedProxyFlag(t *testing.T) {
	code, _, stderr := runWinnow(t, "", "serve", "--trusted-proxy", "10.0.0.0/8,10.0.0.0/33", "--out", t.TempDir(), shippedContent)
	if got, want := code, 2; got != want {
		t.Errorf("exit status %d, want %d", got, want)
	}
	if !strings.Contains(stderr, `"10.0.0.0/33"`) || !strings.Contains(stderr, "-trusted-proxy") {
		t.Errorf("stderr does not name the bad prefix:\n%s", stderr)
	}
	_, help, _ := runWinnow(t, "", "help", "serve")
	for _, want := range []string{"--trusted-proxy", "X-Forwarded-For", "WINNOW_TRUSTED_PROXIES"} {
		if !strings.Contains(help, want) {
			t.Errorf("the help lacks %q:\n%s", want, help)
		}
	}
}
