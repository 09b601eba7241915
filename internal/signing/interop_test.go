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

var keyTypes = []string{"ed25519", "rsa", "ecdsa"}

func TestGitoSignsSSHKeygenVerifies(t *testing.T) {
	t.Parallel()
	for _, kt := range keyTypes {
		t.Run(kt, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			key := genKey(t, t.TempDir(), kt, "alice@example.com")
			rel := "overlays/prod/api/kustomization.yaml"
			testutil.WriteFile(t, root, rel, kustomization)
			testutil.WriteFile(t, root, "allowed_signers", "alice@example.com "+publicKeyLine(t, key)+"\n")

			s := fileSigner(t, key)
			sigPath, err := SignFile(root, rel, s)
			if err != nil {
				t.Fatal(err)
			}
			if sigPath != rel+".sig" {
				t.Errorf("sigPath = %q, want %q", sigPath, rel+".sig")
			}
			if out, err := sshKeygenVerify(root, filepath.Join(root, "allowed_signers"), "alice@example.com", rel); err != nil {
				t.Fatalf("ssh-keygen -Y verify refused gito's signature: %v\n%s", err, out)
			}
			if got, want := s.Fingerprint(), fingerprint(t, key); got != want {
				t.Errorf("Fingerprint() = %s, ssh-keygen says %s", got, want)
			}
			if s.Principal() != "alice@example.com" {
				t.Errorf("Principal() = %q, want the key comment", s.Principal())
			}
			sig, _ := os.ReadFile(filepath.Join(root, sigPath))
			if !strings.HasPrefix(string(sig), "-----BEGIN SSH SIGNATURE-----\n") || !strings.HasSuffix(string(sig), "-----END SSH SIGNATURE-----\n") {
				t.Errorf("signature is not ssh-keygen armor:\n%s", sig)
			}
		})
	}
}

func TestSSHKeygenSignsGitoVerifies(t *testing.T) {
	t.Parallel()
	for _, kt := range keyTypes {
		t.Run(kt, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			key := genKey(t, t.TempDir(), kt, "bob@example.com")
			rel := "apps/api/overlays/prod/kustomization.yaml"
			testutil.WriteFile(t, root, rel, kustomization)
			run(t, root, nil, "ssh-keygen", "-Y", "sign", "-f", key, "-n", Namespace(rel), filepath.FromSlash(rel))

			as := mustParseAllowed(t, "bob@example.com,carol@example.com "+publicKeyLine(t, key)+"\n")
			res := Verify(context.Background(), VerifyRequest{Root: root, Path: rel, AllowedSigners: as, Now: time.Now()})
			if res.Status != StatusOK {
				t.Fatalf("status %s: %s", res.Status, res.Message)
			}
			if res.Principal != "bob@example.com,carol@example.com" || res.Fingerprint != fingerprint(t, key) {
				t.Errorf("principal %q fingerprint %q", res.Principal, res.Fingerprint)
			}
		})
	}
}

// Ed25519 signatures are deterministic, so gito's .sig must equal ssh-keygen's byte for byte.
func TestEd25519SignatureIsByteIdenticalToSSHKeygen(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	key := genKey(t, t.TempDir(), "ed25519", "alice@example.com")
	rel := "overlays/prod/api/kustomization.yaml"
	testutil.WriteFile(t, root, rel, kustomization)
	run(t, root, nil, "ssh-keygen", "-Y", "sign", "-f", key, "-n", Namespace(rel), filepath.FromSlash(rel))
	want, err := os.ReadFile(filepath.Join(root, rel+".sig"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := SignBytes(rel, []byte(kustomization), fileSigner(t, key))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("gito:\n%s\nssh-keygen:\n%s", got, want)
	}
}

func TestNamespaceRestrictionAgreesWithSSHKeygen(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	key := genKey(t, t.TempDir(), "ed25519", "deployer@ci")
	allowed := `deployer@ci namespaces="gito:overlays/prod/*" ` + publicKeyLine(t, key) + "\n"
	testutil.WriteFile(t, root, ".gito/allowed_signers", allowed)
	as := mustParseAllowed(t, allowed)
	s := fileSigner(t, key)

	for _, tc := range []struct {
		rel    string
		wantOK bool
	}{
		{"overlays/prod/api/kustomization.yaml", true},
		{"overlays/dev/api/kustomization.yaml", false},
		{"overlays/production/api/kustomization.yaml", false},
	} {
		testutil.WriteFile(t, root, tc.rel, kustomization)
		if _, err := SignFile(root, tc.rel, s); err != nil {
			t.Fatal(err)
		}
		out, err := sshKeygenVerify(root, filepath.Join(root, ".gito/allowed_signers"), "deployer@ci", tc.rel)
		if (err == nil) != tc.wantOK {
			t.Errorf("%s: ssh-keygen accepted=%v, want %v\n%s", tc.rel, err == nil, tc.wantOK, out)
		}
		res := Verify(context.Background(), VerifyRequest{Root: root, Path: tc.rel, AllowedSigners: as, Now: time.Now()})
		wantStatus := StatusOK
		if !tc.wantOK {
			wantStatus = StatusNotAllowed
		}
		if res.Status != wantStatus {
			t.Errorf("%s: gito status %s (%s), want %s", tc.rel, res.Status, res.Message, wantStatus)
		}
		if !tc.wantOK && !strings.Contains(res.Message, `"gito:overlays/prod/*"`) {
			t.Errorf("%s: message %q does not name the allowed namespaces", tc.rel, res.Message)
		}
	}
}

func TestCertificateAuthority(t *testing.T) {
	t.Parallel()
	dir, root := t.TempDir(), t.TempDir()
	ca := genKey(t, dir, "ed25519", "ca")
	user := genKey(t, dir, "ecdsa", "alice")
	rel := "overlays/prod/api/kustomization.yaml"
	testutil.WriteFile(t, root, rel, kustomization)
	allowed := `*@example.com cert-authority,namespaces="gito:overlays/*" ` + publicKeyLine(t, ca) + "\n"
	testutil.WriteFile(t, root, "allowed_signers", allowed)
	as := mustParseAllowed(t, allowed)

	for _, tc := range []struct {
		name     string
		validity string
		want     Status
	}{
		{"valid", "-1d:+1d", StatusOK},
		{"expired", "20200101:20200102", StatusExpired},
		{"not yet valid", "+52w:+53w", StatusExpired},
	} {
		run(t, dir, nil, "ssh-keygen", "-q", "-s", ca, "-I", "alice-cert", "-n", "alice@example.com,other@corp", "-V", tc.validity, user+".pub")
		s := fileSigner(t, user+"-cert.pub")
		if _, err := SignFile(root, rel, s); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		res := Verify(context.Background(), VerifyRequest{Root: root, Path: rel, AllowedSigners: as, Now: time.Now()})
		if res.Status != tc.want {
			t.Errorf("%s: status %s (%s), want %s", tc.name, res.Status, res.Message, tc.want)
		}
		out, err := sshKeygenVerify(root, filepath.Join(root, "allowed_signers"), "alice@example.com", rel)
		if (err == nil) != (tc.want == StatusOK) {
			t.Errorf("%s: ssh-keygen accepted=%v\n%s", tc.name, err == nil, out)
		}
		if tc.want == StatusOK && (res.Principal != "alice@example.com" || res.Fingerprint != fingerprint(t, user)) {
			t.Errorf("%s: principal %q fingerprint %q", tc.name, res.Principal, res.Fingerprint)
		}
	}

	// A certificate from ssh-keygen -Y sign verifies too.
	run(t, dir, nil, "ssh-keygen", "-q", "-s", ca, "-I", "alice-cert", "-n", "alice@example.com", "-V", "-1d:+1d", user+".pub")
	// ssh-keygen -Y sign silently keeps an existing .sig when stdin cannot answer its prompt.
	if err := os.Remove(filepath.Join(root, rel+".sig")); err != nil {
		t.Fatal(err)
	}
	run(t, root, nil, "ssh-keygen", "-Y", "sign", "-f", user+"-cert.pub", "-n", Namespace(rel), filepath.FromSlash(rel))
	if res := Verify(context.Background(), VerifyRequest{Root: root, Path: rel, AllowedSigners: as, Now: time.Now()}); res.Status != StatusOK {
		t.Errorf("ssh-keygen certificate signature: %s (%s)", res.Status, res.Message)
	}
	// The plain key is not trusted on its own.
	if _, err := SignFile(root, rel, fileSigner(t, user)); err != nil {
		t.Fatal(err)
	}
	if res := Verify(context.Background(), VerifyRequest{Root: root, Path: rel, AllowedSigners: as, Now: time.Now()}); res.Status != StatusUnknownKey {
		t.Errorf("bare key under a CA line: %s (%s), want unknown-key", res.Status, res.Message)
	}
}
