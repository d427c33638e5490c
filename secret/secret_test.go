package secret_test

import (
	"strings"
	"testing"

	"ctis/secret"
)

func TestPasswords(t *testing.T) {
	h := secret.HashPassword("correct horse battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, "correct") {
		t.Fatalf("hash %q", h)
	}
	if h == secret.HashPassword("correct horse battery") {
		t.Error("two hashes of one password are equal: no salt")
	}
	if !secret.CheckPassword(h, "correct horse battery") || secret.CheckPassword(h, "correct horse batterY") {
		t.Error("check does not tell the password from another")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=999999999,t=2,p=1$AA$AA", "$bcrypt$x", h[:len(h)-4]} {
		if secret.CheckPassword(bad, "correct horse battery") {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestTokens(t *testing.T) {
	a, b := secret.NewToken(), secret.NewToken()
	if a == b || !strings.HasPrefix(a, secret.TokenPrefix) || len(a) != len(secret.TokenPrefix)+43 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if secret.HashToken(a) == secret.HashToken(b) || len(secret.HashToken(a)) != 64 || strings.Contains(secret.HashToken(a), a) {
		t.Error("token hashes")
	}
}
