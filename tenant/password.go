package tenant

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"nexo/internal/errs"
)

// argon2id parameters: OWASP's minimum (m = 19 MiB, t = 2, p = 1), U1.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
	maxPassword  = 256 // bytes; longer is refused, never truncated
)

// ValidatePassword enforces the password policy: at least 12 characters,
// at most 256 bytes.
func ValidatePassword(pw string) error {
	switch {
	case utf8.RuneCountInString(pw) < 12:
		return errs.Field("password", "must be at least 12 characters")
	case len(pw) > maxPassword:
		return errs.Field("password", "must be at most 256 bytes")
	}
	return nil
}

// HashPassword returns the PHC-encoded argon2id hash of pw.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword checks pw against an encoded hash in constant time.
// needsRehash reports a hash made with weaker parameters than today's.
func VerifyPassword(encoded, pw string) (ok, needsRehash bool, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, false, fmt.Errorf("password hash: unknown format")
	}
	var version int
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, false, fmt.Errorf("password hash: unsupported version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 {
		return false, false, fmt.Errorf("password hash: bad parameters")
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, false, fmt.Errorf("password hash: bad encoding")
	}
	if len(pw) > maxPassword {
		return false, false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	ok = subtle.ConstantTimeCompare(got, want) == 1
	return ok, m < argonMemory || t < argonTime, nil
}

// dummyHash is verified for unknown accounts so a login takes as long for a
// missing email as for a wrong password (no account enumeration by timing).
var dummyHash, _ = HashPassword("nexo-dummy-password-for-timing")

// DummyVerify spends the time of one verification and returns nothing.
func DummyVerify(pw string) { _, _, _ = VerifyPassword(dummyHash, pw) }
