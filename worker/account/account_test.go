package account_test

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/worker/account"
)

// A password's hash names PBKDF2-SHA256, its 600,000 iterations and its
// salt; it verifies the password and nothing else, and two hashes of one
// password differ (each has its own salt).
func TestPassword(t *testing.T) {
	const pw = "correct horse battery staple"
	h, err := account.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(h, "$")
	if len(parts) != 5 || parts[1] != "pbkdf2-sha256" || parts[2] != "i=600000" {
		t.Fatalf("hash %q does not name its algorithm and iterations", h)
	}
	// It is PBKDF2-HMAC-SHA256 of the password and the salt it names, as
	// another implementation computes it.
	salt, _ := base64.RawStdEncoding.DecodeString(parts[3])
	key, _ := pbkdf2.Key(sha256.New, pw, salt, 600_000, 32)
	if got, want := parts[4], base64.RawStdEncoding.EncodeToString(key); got != want || len(salt) != 16 {
		t.Errorf("key %s, want %s (salt of %d bytes)", got, want, len(salt))
	}
	if !account.CheckPassword(h, pw) {
		t.Error("the password does not verify")
	}
	for _, wrong := range []string{"", "correct horse battery stapl", "Correct horse battery staple", pw + " "} {
		if account.CheckPassword(h, wrong) {
			t.Errorf("%q verifies", wrong)
		}
	}
	if h2, _ := account.HashPassword(pw); h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	// A hash of fewer iterations, as an older release might have made,
	// still verifies: the parameters are read from the hash.
	old := "$pbkdf2-sha256$i=1000$" + parts[3] + "$"
	k, _ := pbkdf2.Key(sha256.New, pw, salt, 1000, 32)
	if !account.CheckPassword(old+base64.RawStdEncoding.EncodeToString(k), pw) {
		t.Error("a hash of 1000 iterations does not verify")
	}
	for _, bad := range []string{"", "x", "$pbkdf2-sha256$i=0$" + parts[3] + "$" + parts[4], "$bcrypt$i=600000$" + parts[3] + "$" + parts[4],
		"$pbkdf2-sha256$i=99999999$" + parts[3] + "$" + parts[4], "$pbkdf2-sha256$i=600000$" + parts[3] + "$" + parts[4][:10]} {
		if account.CheckPassword(bad, pw) {
			t.Errorf("hash %q verifies", bad)
		}
	}
	if _, err := account.HashPassword("short"); err == nil {
		t.Error("a password of 5 characters was hashed")
	}
	if _, err := account.HashPassword(strings.Repeat("x", 300)); err == nil {
		t.Error("a password of 300 bytes was hashed")
	}
}

// Roles order what they allow; emails fold to one account.
func TestRolesAndEmails(t *testing.T) {
	for _, c := range []struct {
		role, need string
		want       bool
	}{
		{"admin", "admin", true}, {"admin", "viewer", true}, {"sales", "sales", true}, {"sales", "admin", false},
		{"viewer", "viewer", true}, {"viewer", "sales", false}, {"", "viewer", false}, {"root", "viewer", false},
	} {
		if got := account.Allows(c.role, c.need); got != c.want {
			t.Errorf("Allows(%q, %q) = %v", c.role, c.need, got)
		}
	}
	for in, want := range map[string]string{"Ana@Acme.Example": "ana@acme.example", " jo@sales.example ": "jo@sales.example"} {
		if got, ok := account.Email(in); !ok || got != want {
			t.Errorf("Email(%q) = %q, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"", "ana", "ana@", "@acme.example", "ana@acme"} {
		if _, ok := account.Email(bad); ok {
			t.Errorf("Email(%q) is taken", bad)
		}
	}
	tok := account.NewToken()
	if len(tok) != account.TokenLen || tok == account.NewToken() || len(account.TokenHash(tok)) != 64 {
		t.Errorf("token %q, hash %q", tok, account.TokenHash(tok))
	}
}
