// Package account is what Winnow knows of the people who use its
// dashboard, apart from storage: their roles, how their email addresses
// are compared, how their passwords are hashed and checked, and the
// single-use tokens of their login links. The worker and the winnow
// command (winnow people) share it.
package account

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/winnowhq/winnow/qualify"
)

// Roles: what a person may do in the dashboard.
const (
	Admin  = "admin"  // everything, people included
	Sales  = "sales"  // works leads and their webhooks
	Viewer = "viewer" // reads
)

// Roles are the roles, from the most to the least allowed.
var Roles = []string{Admin, Sales, Viewer}

// ValidRole reports whether role is one of Roles.
func ValidRole(role string) bool { return slices.Contains(Roles, role) }

// Allows reports whether a person of role may do what needs role need:
// an admin may do everything a sales person may, who may do everything
// a viewer may.
func Allows(role, need string) bool {
	i, j := slices.Index(Roles, role), slices.Index(Roles, need)
	return i >= 0 && j >= 0 && i <= j
}

// Email checks an email address and returns it case-folded, the form
// accounts are stored and looked up by: two spellings of one address
// are one account.
func Email(s string) (string, bool) {
	e, ok := qualify.NormalizeEmail(strings.TrimSpace(s))
	if !ok {
		return "", false
	}
	return strings.ToLower(e), true
}

// Passwords are hashed with PBKDF2-HMAC-SHA256 (RFC 8018) at OWASP's
// recommended 600,000 iterations, a random salt of 16 bytes and a key of
// 32, written as one string that names the algorithm and its parameters,
// so that hashes made with other ones keep working when they change:
//
//	$pbkdf2-sha256$i=600000$<salt>$<key>   (unpadded base64)
//
// Natively one check takes about 0.1 s of CPU; in the edge worker's
// WebAssembly about 1 s (see the README's note on passwords at the edge).
const (
	Iterations = 600_000
	saltLen    = 16
	keyLen     = 32
	scheme     = "pbkdf2-sha256"
)

// Password limits: NIST SP 800-63B asks for at least 8 characters and
// accepting at least 64; the upper bound keeps a check's cost bounded.
const (
	MinPassword = 12
	MaxPassword = 256
)

// CheckNew says what is wrong with a new password, or returns nil.
func CheckNew(password string) error {
	switch n := utf8.RuneCountInString(password); {
	case n < MinPassword:
		return errors.New("a password needs at least " + strconv.Itoa(MinPassword) + " characters")
	case len(password) > MaxPassword:
		return errors.New("a password has at most " + strconv.Itoa(MaxPassword) + " bytes")
	}
	return nil
}

// HashPassword hashes a password with a new salt.
func HashPassword(password string) (string, error) {
	if err := CheckNew(password); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	rand.Read(salt)
	key, err := pbkdf2.Key(sha256.New, password, salt, Iterations, keyLen)
	if err != nil {
		return "", err
	}
	return "$" + scheme + "$i=" + strconv.Itoa(Iterations) + "$" + b64(salt) + "$" + b64(key), nil
}

// CheckPassword reports whether password is the one hash was made of, in
// time that does not depend on where they differ. An empty or malformed
// hash matches nothing, after as much work as a real one (so that a
// login for an address without a password takes as long as one with).
func CheckPassword(hash, password string) bool {
	iter, salt, want, ok := parseHash(hash)
	if !ok {
		iter, salt, want = Iterations, make([]byte, saltLen), nil
	}
	if len(password) > MaxPassword {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, keyLen)
	return ok && err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// parseHash reads a hash that HashPassword wrote.
func parseHash(hash string) (iter int, salt, key []byte, ok bool) {
	parts := strings.Split(hash, "$")
	if len(parts) != 5 || parts[0] != "" || parts[1] != scheme || !strings.HasPrefix(parts[2], "i=") {
		return 0, nil, nil, false
	}
	iter, err := strconv.Atoi(parts[2][2:])
	if err != nil || iter < 1 || iter > 10*Iterations {
		return 0, nil, nil, false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[3])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[4])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) != keyLen {
		return 0, nil, nil, false
	}
	return iter, salt, key, true
}

func b64(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }

// NewToken returns a random token of 256 bits in unpadded base64url: the
// secret of a login link.
func NewToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// LinkTTL is how long a login link may be used.
const LinkTTL = 24 * time.Hour

// NewID returns a random id, an account's or a lead's: 128 bits in
// Crockford's base32, 26 characters.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	return idEncoding.EncodeToString(b[:])
}

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// TokenLen is the length of a token NewToken makes.
const TokenLen = 43

// TokenHash is what the database keeps of a token: its SHA-256, in hex.
// A token has 256 random bits, so its hash needs no key and no slow KDF,
// and the server and winnow people agree on it without sharing a secret.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
