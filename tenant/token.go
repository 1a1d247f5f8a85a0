package tenant

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/google/uuid"
)

// NewToken returns a 256-bit random token (base64url) and its SHA-256 hex
// hash. Only the hash is stored (sessions, invites, resets: U5).
func NewToken() (raw, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // the OS RNG never fails on supported systems
	}
	raw = base64.RawURLEncoding.EncodeToString(b)
	return raw, HashToken(raw)
}

// HashToken is the stored form of a raw token.
func HashToken(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// apiKeyPrefix marks Nexo API keys so scanners and people recognise them.
const apiKeyPrefix = "nexo_"

// NewAPIKey returns a key that embeds its tenant: "nexo_" + base64url(tenant
// id ‖ 32 random bytes). The tenant part lets authentication look the key up
// inside its own tenant only; the secret part is what is hashed and stored.
func NewAPIKey(tenantID uuid.UUID) (raw, prefix, hash string) {
	b := make([]byte, 16+32)
	copy(b, tenantID[:])
	if _, err := rand.Read(b[16:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	raw = apiKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	return raw, raw[:12], hashSecret(b[16:])
}

// ParseAPIKey splits a raw key into its tenant and the hash to look up.
func ParseAPIKey(raw string) (tenantID uuid.UUID, hash string, ok bool) {
	rest, found := strings.CutPrefix(raw, apiKeyPrefix)
	if !found || len(rest) != 64 {
		return uuid.Nil, "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(b) != 48 {
		return uuid.Nil, "", false
	}
	copy(tenantID[:], b[:16])
	if tenantID == uuid.Nil {
		return uuid.Nil, "", false
	}
	return tenantID, hashSecret(b[16:]), true
}

func hashSecret(secret []byte) string {
	sum := sha256.Sum256(secret)
	return hex.EncodeToString(sum[:])
}
