package signing

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/testutil"
)

func TestVerifyStatuses(t *testing.T) {
	t.Parallel()
	keyDir := t.TempDir()
	alice := genKey(t, keyDir, "ed25519", "alice@example.com")
	mallory := genKey(t, keyDir, "ed25519", "mallory@example.com")
	aliceKey := publicKeyLine(t, alice)
	signer := fileSigner(t, alice)
	const rel = "overlays/prod/api/kustomization.yaml"
	const other = "overlays/dev/api/kustomization.yaml"
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

	tests := []struct {
		name    string
		allowed string
		// prepare mutates a freshly signed repo (rel and other both signed by alice).
		prepare func(t *testing.T, root string)
		want    Status
		message string // substring
		// sshKeygen, when set, also asks OpenSSH (at the real current time) and expects it to agree.
		sshKeygen bool
	}{
		{name: "ok", allowed: "alice@example.com " + aliceKey, want: StatusOK, sshKeygen: true},
		{
			name: "unsigned", allowed: "alice@example.com " + aliceKey, want: StatusUnsigned, message: "no signature file " + rel + ".sig",
			prepare: func(t *testing.T, root string) { remove(t, root, rel+".sig") },
		},
		{
			name: "one byte of the file changed", allowed: "alice@example.com " + aliceKey, want: StatusTampered,
			message: "does not match the file's content", sshKeygen: true,
			prepare: func(t *testing.T, root string) { flipByte(t, root, rel, strings.Index(kustomization, "v1.2.3")+5) },
		},
		{
			name: "one byte of the signature changed", allowed: "alice@example.com " + aliceKey, want: StatusTampered,
			message: "does not match the file's content", sshKeygen: true,
			prepare: func(t *testing.T, root string) {
				sig := readFile(t, root, rel+".sig")
				lines := strings.Split(sig, "\n")
				last := len(lines) - 4 // last full line of base64 before the final partial line
				b := []byte(lines[last])
				b[20] = map[bool]byte{true: 'B', false: 'A'}[b[20] == 'A']
				lines[last] = string(b)
				testutil.WriteFile(t, root, rel+".sig", strings.Join(lines, "\n"))
			},
		},
		{
			name: "signature moved to another path", allowed: "alice@example.com " + aliceKey, want: StatusTampered,
			message: "signature was made for gito:" + other + ", not gito:" + rel, sshKeygen: true,
			prepare: func(t *testing.T, root string) {
				testutil.WriteFile(t, root, rel+".sig", readFile(t, root, other+".sig"))
			},
		},
		{
			name: "expired key", allowed: `alice@example.com valid-before="20260101Z" ` + aliceKey, want: StatusExpired,
			message: "allowed_signers:1: key of alice@example.com expired at 2026-01-01T00:00:00Z",
		},
		{
			name: "key not yet valid", allowed: `alice@example.com valid-after="202701011200Z" ` + aliceKey, want: StatusExpired,
			message: "allowed_signers:1: key of alice@example.com is not valid until 2027-01-01T12:00:00Z",
		},
		{
			name: "valid window contains now", allowed: `alice@example.com valid-after="20260101Z",valid-before="20261231235959Z" ` + aliceKey, want: StatusOK,
		},
		{
			name: "unknown key", allowed: "mallory@example.com " + publicKeyLine(t, mallory), want: StatusUnknownKey,
			message: "key " + fingerprint(t, alice) + " is not in allowed_signers", sshKeygen: true,
		},
		{
			name: "namespace not allowed", allowed: `alice@example.com namespaces="gito:overlays/dev/*" ` + aliceKey, want: StatusNotAllowed,
			message: `allowed_signers:1 allows alice@example.com only for namespaces "gito:overlays/dev/*", not gito:` + rel, sshKeygen: true,
		},
		{
			name: "second line for the same key allows it", allowed: `alice@example.com namespaces="gito:overlays/dev/*" ` + aliceKey + "\nalice@example.com namespaces=\"gito:overlays/prod/*\" " + aliceKey, want: StatusOK, sshKeygen: true,
		},
		{
			name: "truncated armor", allowed: "alice@example.com " + aliceKey, want: StatusMalformed, message: "truncated", sshKeygen: true,
			prepare: func(t *testing.T, root string) {
				sig := readFile(t, root, rel+".sig")
				testutil.WriteFile(t, root, rel+".sig", sig[:len(sig)/2])
			},
		},
		{
			name: "empty signature file", allowed: "alice@example.com " + aliceKey, want: StatusMalformed, message: "signature file is empty", sshKeygen: true,
			prepare: func(t *testing.T, root string) { testutil.WriteFile(t, root, rel+".sig", "") },
		},
		{
			name: "not armor at all", allowed: "alice@example.com " + aliceKey, want: StatusMalformed, message: "missing", sshKeygen: true,
			prepare: func(t *testing.T, root string) { testutil.WriteFile(t, root, rel+".sig", "gpg says hi\n") },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			for _, p := range []string{rel, other} {
				testutil.WriteFile(t, root, p, kustomization)
				if _, err := SignFile(root, p, signer); err != nil {
					t.Fatal(err)
				}
			}
			testutil.WriteFile(t, root, "allowed_signers", tc.allowed+"\n")
			if tc.prepare != nil {
				tc.prepare(t, root)
			}
			res := Verify(context.Background(), VerifyRequest{Root: root, Path: rel, AllowedSigners: mustParseAllowed(t, tc.allowed), Now: now})
			if res.Status != tc.want {
				t.Fatalf("status %s (%s), want %s", res.Status, res.Message, tc.want)
			}
			if !strings.Contains(res.Message, tc.message) {
				t.Errorf("message %q does not contain %q", res.Message, tc.message)
			}
			if res.Path != rel {
				t.Errorf("path %q", res.Path)
			}
			if tc.want == StatusOK && (res.Principal != "alice@example.com" || res.Fingerprint != fingerprint(t, alice) || res.Message != "") {
				t.Errorf("ok result %+v", res)
			}
			if tc.sshKeygen {
				out, err := sshKeygenVerify(root, filepath.Join(root, "allowed_signers"), "alice@example.com", rel)
				if (err == nil) != (tc.want == StatusOK) {
					t.Errorf("ssh-keygen accepted=%v, gito says %s\n%s", err == nil, res.Status, out)
				}
			}
		})
	}
}

func TestVerifyRefusesPathsOutsideTheRepo(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	outside := t.TempDir()
	testutil.WriteFile(t, outside, "kustomization.yaml", kustomization)
	if err := os.Symlink(filepath.Join(outside, "kustomization.yaml"), filepath.Join(root, "kustomization.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"../x/kustomization.yaml", "/etc/passwd", "a/../../b", "kustomization.yaml", ""} {
		res := Verify(context.Background(), VerifyRequest{Root: root, Path: p, Now: time.Now()})
		if res.Status != StatusMalformed {
			t.Errorf("%q: status %s, want malformed", p, res.Status)
		}
	}
	if _, err := SignFile(root, "../kustomization.yaml", nil); err == nil {
		t.Error("SignFile accepted a path outside the repo")
	}
}

func TestVerifyBytesWithoutAllowedSigners(t *testing.T) {
	t.Parallel()
	key := genKey(t, t.TempDir(), "ed25519", "alice@example.com")
	sig, err := SignBytes("kustomization.yaml", []byte(kustomization), fileSigner(t, key))
	if err != nil {
		t.Fatal(err)
	}
	res := VerifyBytes("kustomization.yaml", []byte(kustomization), sig, nil, time.Now())
	if res.Status != StatusUnknownKey {
		t.Errorf("status %s, want unknown-key", res.Status)
	}
}

func remove(t *testing.T, root, rel string) {
	t.Helper()
	if err := os.Remove(filepath.Join(root, rel)); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, root, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func flipByte(t *testing.T, root, rel string, i int) {
	t.Helper()
	b := []byte(readFile(t, root, rel))
	b[i] ^= 0x01
	testutil.WriteFile(t, root, rel, string(b))
}
