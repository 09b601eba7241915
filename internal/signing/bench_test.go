package signing

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func ed25519Signer(tb testing.TB) Signer {
	tb.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		tb.Fatal(err)
	}
	return NewSigner(s, "bench@example.com")
}

// BenchmarkVerifyBytes is the per-file cost of `gito verify` once files are read.
func BenchmarkVerifyBytes(b *testing.B) {
	s := ed25519Signer(b)
	rel := "overlays/prod/api/kustomization.yaml"
	sig, err := SignBytes(rel, []byte(kustomization), s)
	if err != nil {
		b.Fatal(err)
	}
	var lines []string
	for i := 0; i < 200; i++ { // a large team's allowed_signers; the match is last
		lines = append(lines, "other"+strings.Repeat("x", i%7)+"@example.com "+edKey2)
	}
	lines = append(lines, "bench@example.com "+strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.PublicKey()))))
	as, err := ParseAllowedSigners("allowed_signers", []byte(strings.Join(lines, "\n")), time.UTC)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if res := VerifyBytes(rel, []byte(kustomization), sig, as, now); !res.OK() {
			b.Fatal(res.Message)
		}
	}
}

func BenchmarkSignBytes(b *testing.B) {
	s := ed25519Signer(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SignBytes("overlays/prod/api/kustomization.yaml", []byte(kustomization), s); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseAllowedSigners: any input either parses or fails with a file:line error; never panics.
func FuzzParseAllowedSigners(f *testing.F) {
	for _, seed := range []string{
		"alice@example.com " + edKey,
		`a namespaces="gito:*",valid-after="20240101Z",cert-authority ` + edKey,
		`"unterminated ` + edKey,
		"a b",
		"#c\n\n  x,y,!z " + edKey2 + " comment",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, content string) {
		as, err := ParseAllowedSigners("f", []byte(content), time.UTC)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f:") {
				t.Errorf("error without file:line: %v", err)
			}
			return
		}
		for _, e := range as.Entries {
			if e.Key == nil || e.Principals == "" || e.Line < 1 {
				t.Errorf("incomplete entry %+v", e)
			}
		}
	})
}

// FuzzUnarmor: a damaged .sig is malformed or tampered, never a panic or an ok.
func FuzzUnarmor(f *testing.F) {
	s := ed25519Signer(f)
	sig, err := SignBytes("k.yaml", []byte("x"), s)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sig)
	f.Add([]byte(armorBegin + "\n" + armorEnd))
	f.Fuzz(func(t *testing.T, armored []byte) {
		res := VerifyBytes("k.yaml", []byte("y"), armored, nil, time.Now())
		if res.OK() {
			t.Errorf("damaged signature verified: %q", armored)
		}
	})
}
