package signing

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/testutil"
)

// genKey creates an unencrypted key pair with ssh-keygen and returns the private key path.
func genKey(t *testing.T, dir, keyType, comment string) string {
	t.Helper()
	testutil.RequireTools(t, "ssh-keygen")
	path := filepath.Join(dir, "id_"+keyType+"_"+strings.NewReplacer("@", "_", ".", "_").Replace(comment))
	args := []string{"-q", "-t", keyType, "-N", "", "-C", comment, "-f", path}
	if keyType == "rsa" {
		args = append(args, "-b", "2048")
	}
	run(t, dir, nil, "ssh-keygen", args...)
	return path
}

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	out, err := runErr(dir, env, nil, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func runErr(dir string, env []string, stdin []byte, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func publicKeyLine(t *testing.T, keyPath string) string {
	t.Helper()
	data, err := os.ReadFile(keyPath + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(data))
	return f[0] + " " + f[1]
}

func fingerprint(t *testing.T, keyPath string) string {
	t.Helper()
	f := strings.Fields(run(t, "", nil, "ssh-keygen", "-l", "-E", "sha256", "-f", keyPath+".pub"))
	return f[1]
}

func fileSigner(t *testing.T, keyPath string) Signer {
	t.Helper()
	s, err := LoadSigner(context.Background(), KeySource{KeyPath: keyPath, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func noEnv(string) string { return "" }

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// sshKeygenVerify runs the stock OpenSSH verification the design promises works.
func sshKeygenVerify(root, allowedSigners, principal, rel string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		return "", err
	}
	return runErr(root, nil, data, "ssh-keygen", "-Y", "verify", "-f", allowedSigners, "-I", principal,
		"-n", Namespace(rel), "-s", filepath.Join(root, rel+".sig"))
}

func mustParseAllowed(t *testing.T, content string) *AllowedSigners {
	t.Helper()
	as, err := ParseAllowedSigners("allowed_signers", []byte(content), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

const kustomization = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\nimages:\n  - name: api\n    newTag: v1.2.3 # pinned\n"
