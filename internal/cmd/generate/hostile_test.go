package generate

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/signing"
	"github.com/gito-dev/gito/internal/testutil"
)

// signedRepo writes files into a new repository whose allowed signers trust one key, and
// signs each of them.
func signedRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sshSigner, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	s := signing.NewSigner(sshSigner, "alice@example.com")
	testutil.WriteTree(t, root, files)
	testutil.WriteFile(t, root, ".gito/allowed_signers", "alice@example.com "+string(ssh.MarshalAuthorizedKey(sshSigner.PublicKey())))
	for rel := range files {
		if _, err := signing.SignFile(root, rel, s); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// generateIn runs gito generate on dir of root and returns the error, stdout and stderr.
func generateIn(t *testing.T, root, dir string, opts GenerateOptions) (error, string, string) {
	t.Helper()
	ios, _, stdout, stderr := iostreams.Test()
	opts.IO, opts.WorkDir, opts.Dir = ios, root, dir
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	err := generateRun(t.Context(), &opts)
	return err, stdout.String(), stderr.String()
}

// countingServer counts every request it gets; a test that must not connect wants 0.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if strings.HasSuffix(r.URL.Path, ".yaml") {
			fmt.Fprint(w, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fetched\ndata:\n  from: remote\n")
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// countingListener counts TCP connections (an ssh:// remote) and closes them at once.
func countingListener(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	var n atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			_ = c.Close()
		}
	}()
	return ln.Addr().String(), &n
}

// H1/M5: a remote resource or base is refused as outside the repository, exit 3, before
// any connection to the host the repository names.
func TestGenerateRefusesRemoteResourcesWithoutConnecting(t *testing.T) {
	t.Parallel()
	srv, requests := countingServer(t)
	sshAddr, conns := countingListener(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	for name, ref := range map[string]string{
		"http resource":    srv.URL + "/cm.yaml",
		"https resource":   "https://" + host + "/cm.yaml",
		"git http base":    srv.URL + "/evil/repo.git",
		"git https base":   "https://" + host + "/evil/repo.git//base?ref=main",
		"forced git base":  "git::" + srv.URL + "/evil/repo.git//base",
		"ssh base":         "ssh://git@" + sshAddr + "/evil/repo.git",
		"file clone base":  "file:///evil/repo.git",
		"upper-case HTTPS": "HTTPS://" + host + "/cm.yaml",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			root := signedRepo(t, map[string]string{"app/kustomization.yaml": "resources:\n  - " + ref + "\n"})
			err, stdout, stderr := generateIn(t, root, "app", GenerateOptions{})
			if exitcode.Code(err) != exitcode.Verify || stdout != "" {
				t.Fatalf("err = %v (exit %d), stdout %q; want exit 3 and nothing printed", err, exitcode.Code(err), stdout)
			}
			if !strings.Contains(stderr, "outside-repository") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr = %q, want one outside-repository line", stderr)
			}
		})
	}
	t.Cleanup(func() {
		if n := requests.Load(); n != 0 {
			t.Errorf("the HTTP server got %d requests, want none", n)
		}
		if n := conns.Load(); n != 0 {
			t.Errorf("the ssh listener got %d connections, want none", n)
		}
	})
}

// billionLaughs is a ~1 KB ConfigMap whose anchors expand to 10^9 strings.
func billionLaughs() string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "  a%d: &a%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// M3: a signed billion-laughs ConfigMap in a base fails at once with one line naming it.
func TestGenerateRefusesAliasBombs(t *testing.T) {
	t.Parallel()
	root := signedRepo(t, map[string]string{
		"app/kustomization.yaml":  "resources:\n  - ../base\n",
		"base/kustomization.yaml": "resources:\n  - cm.yaml\n",
		"base/cm.yaml":            billionLaughs(),
	})
	err, stdout, stderr := generateIn(t, root, "app", GenerateOptions{})
	if err == nil || exitcode.Code(err) != exitcode.Error || stdout != "" || stderr != "" {
		t.Fatalf("err = %v (exit %d), stdout %d bytes, stderr %q", err, exitcode.Code(err), len(stdout), stderr)
	}
	if msg := err.Error(); !strings.Contains(msg, "base/cm.yaml") || strings.Contains(msg, "\n") || strings.Contains(msg, root) {
		t.Errorf("err = %q, want one line naming base/cm.yaml", msg)
	}
}

// L7: a FIFO in place of a kustomization or a signature, or an allowed-signers file that
// never ends, fails with one line naming the file instead of hanging.
func TestGenerateReadsOnlyRegularFiles(t *testing.T) {
	t.Parallel()
	mkfifo := func(t *testing.T, path string) {
		t.Helper()
		if err := syscall.Mkfifo(path, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("kustomization", func(t *testing.T) {
		t.Parallel()
		root := signedRepo(t, map[string]string{"app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"})
		mkfifo(t, filepath.Join(root, "app/kustomization.yaml"))
		err, stdout, _ := generateIn(t, root, "app", GenerateOptions{})
		if err == nil || stdout != "" || !strings.Contains(err.Error(), "app/kustomization.yaml") || !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("err = %v, stdout %q", err, stdout)
		}
	})
	t.Run("signature", func(t *testing.T) {
		t.Parallel()
		root := signedRepo(t, map[string]string{"app/kustomization.yaml": "resources: []\n"})
		sig := filepath.Join(root, "app/kustomization.yaml.sig")
		if err := os.Remove(sig); err != nil {
			t.Fatal(err)
		}
		mkfifo(t, sig)
		err, stdout, stderr := generateIn(t, root, "app", GenerateOptions{})
		if exitcode.Code(err) != exitcode.Verify || stdout != "" || !strings.Contains(stderr, "app/kustomization.yaml.sig") || !strings.Contains(stderr, "not a regular file") {
			t.Fatalf("err = %v, stdout %q, stderr %q", err, stdout, stderr)
		}
	})
	t.Run("allowed signers", func(t *testing.T) {
		t.Parallel()
		root := signedRepo(t, map[string]string{"app/kustomization.yaml": "resources: []\n"})
		err, stdout, _ := generateIn(t, root, "app", GenerateOptions{AllowedSigners: "/dev/zero"})
		var verifyErr *exitcode.VerifyError
		if !errors.As(err, &verifyErr) || stdout != "" || !strings.Contains(err.Error(), "/dev/zero") || !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("err = %v, stdout %q", err, stdout)
		}
	})
}
