// Package integrations tests the hook scripts, CI snippets and Argo CD plugin shipped in this
// directory against real git, real ssh-keygen and a real gito (this test binary, re-executed
// under the name "gito").
package integrations

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/gito-dev/gito/internal/cmd/generate"
	"github.com/gito-dev/gito/internal/cmd/sign"
	"github.com/gito-dev/gito/internal/cmd/verify"
	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/signing"
	"github.com/gito-dev/gito/internal/testutil"
)

func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "gito" {
		os.Exit(gitoMain(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// gitoMain is a cut-down gito with only sign, verify and generate, so these tests do not depend on
// commands other people are still writing. Exit codes follow internal/app.
func gitoMain(args []string) int {
	ios := iostreams.System(os.Getenv)
	f := &cmdutil.Factory{IOStreams: ios, Getenv: os.Getenv}
	root := &cobra.Command{Use: "gito", SilenceErrors: true, SilenceUsage: true}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &exitcode.FlagError{Err: err} })
	root.AddCommand(sign.NewCmdSign(f, nil), verify.NewCmdVerify(f, nil), generate.NewCmdGenerate(f, nil))
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "gito: "+err.Error())
	var verifyErr *exitcode.VerifyError
	var flagErr *exitcode.FlagError
	switch {
	case errors.As(err, &verifyErr):
		return exitcode.Verify
	case errors.As(err, &flagErr):
		return exitcode.Usage
	}
	return exitcode.Error
}

type env struct {
	t    *testing.T
	home string
	gito string // the "gito" symlink to this test binary
	vars []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	testutil.RequireTools(t, "git", "ssh-keygen", "bash")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.Symlink(self, filepath.Join(bin, "gito")); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	return &env{t: t, home: home, gito: filepath.Join(bin, "gito"), vars: []string{
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Alice", "GIT_AUTHOR_EMAIL=alice@example.com",
		"GIT_COMMITTER_NAME=Alice", "GIT_COMMITTER_EMAIL=alice@example.com",
		"SSH_AUTH_SOCK=", "GITO_SIGNING_KEY=", "GITO_ALLOWED_SIGNERS=", "GITO_VERIFY_REQUIRED=",
	}}
}

func (e *env) run(dir string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), e.vars...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (e *env) must(dir string, name string, args ...string) string {
	e.t.Helper()
	out, err := e.run(dir, name, args...)
	if err != nil {
		e.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func (e *env) key(name string) (path, pubLine string) {
	e.t.Helper()
	path = filepath.Join(e.home, "id_"+name)
	e.must("", "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name+"@example.com", "-f", path)
	pub, err := os.ReadFile(path + ".pub")
	if err != nil {
		e.t.Fatal(err)
	}
	f := strings.Fields(string(pub))
	return path, f[0] + " " + f[1]
}

func signWith(t *testing.T, root, rel, key string) {
	t.Helper()
	s, err := signing.LoadSigner(t.Context(), signing.KeySource{KeyPath: key, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := signing.SignFile(root, rel, s); err != nil {
		t.Fatal(err)
	}
}

func installHook(t *testing.T, hooksDir, name string) {
	t.Helper()
	script, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(hooksDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hooksDir, name), script, 0o755); err != nil {
		t.Fatal(err)
	}
}

const (
	prodAPI = "overlays/prod/api/kustomization.yaml"
	base    = "resources:\n  - configmap.yaml\n"
	cm      = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api\ndata:\n  version: v1\n"
)

// newInfraRepo makes a work repo with a signed overlay, allowed signers and a first commit.
func newInfraRepo(e *env, aliceKey, alicePub string) string {
	t := e.t
	work := t.TempDir()
	e.must(work, "git", "init", "-q", "-b", "main")
	testutil.WriteFile(t, work, ".gito.yaml", "signing:\n  required: true\n")
	testutil.WriteFile(t, work, ".gito/allowed_signers", "alice@example.com "+alicePub+"\n")
	testutil.WriteFile(t, work, "overlays/prod/api/configmap.yaml", cm)
	testutil.WriteFile(t, work, prodAPI, base)
	signWith(t, work, prodAPI, aliceKey)
	e.must(work, "git", "add", "-A")
	e.must(work, "git", "commit", "-q", "-m", "initial")
	return work
}

func TestPreReceive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aliceKey, alicePub := e.key("alice")
	malloryKey, malloryPub := e.key("mallory")
	bare := filepath.Join(t.TempDir(), "infra.git")
	e.must("", "git", "init", "-q", "--bare", "-b", "main", bare)
	installHook(t, filepath.Join(bare, "hooks"), "pre-receive")

	work := newInfraRepo(e, aliceKey, alicePub)
	e.must(work, "git", "remote", "add", "origin", bare)
	e.must(work, "git", "push", "-q", "origin", "main")
	accepted := strings.TrimSpace(e.must(work, "git", "rev-parse", "HEAD"))

	tests := []struct {
		name   string
		change func(t *testing.T)
		ref    string
		reject string // substring of the push output; "" means accepted
	}{
		{
			name: "properly re-signed change",
			change: func(t *testing.T) {
				testutil.WriteFile(t, work, prodAPI, base+"namePrefix: v2-\n")
				signWith(t, work, prodAPI, aliceKey)
			},
		},
		{
			name:   "hand edit without re-signing",
			change: func(t *testing.T) { testutil.WriteFile(t, work, prodAPI, base+"namePrefix: evil-\n") },
			reject: "FAIL overlays/prod/api/kustomization.yaml  tampered",
		},
		{
			name: "same, on another branch", ref: "refs/heads/feature",
			change: func(t *testing.T) { testutil.WriteFile(t, work, prodAPI, base+"namePrefix: evil-\n") },
			reject: "FAIL overlays/prod/api/kustomization.yaml  tampered",
		},
		{
			name: "pusher trusts her own key in the same push",
			change: func(t *testing.T) {
				testutil.WriteFile(t, work, ".gito/allowed_signers", "alice@example.com "+alicePub+"\nmallory@example.com "+malloryPub+"\n")
				testutil.WriteFile(t, work, prodAPI, base+"namePrefix: evil-\n")
				signWith(t, work, prodAPI, malloryKey)
			},
			reject: "FAIL overlays/prod/api/kustomization.yaml  unknown-key",
		},
		{
			name: "pusher switches signing off and drops the signature",
			change: func(t *testing.T) {
				testutil.WriteFile(t, work, ".gito.yaml", "signing:\n  required: false\n")
				testutil.WriteFile(t, work, prodAPI, base+"namePrefix: evil-\n")
				if err := os.Remove(filepath.Join(work, prodAPI+".sig")); err != nil {
					t.Fatal(err)
				}
			},
			reject: "FAIL overlays/prod/api/kustomization.yaml  unsigned",
		},
		{
			name: "export-ignore cannot hide a tampered file",
			change: func(t *testing.T) {
				testutil.WriteFile(t, work, ".gitattributes", prodAPI+" export-ignore\n")
				testutil.WriteFile(t, work, prodAPI, base+"namePrefix: evil-\n")
			},
			reject: "FAIL overlays/prod/api/kustomization.yaml  tampered",
		},
	}
	for _, tc := range tests { // sequential: each builds on the last accepted state
		e.must(work, "git", "reset", "-q", "--hard", accepted)
		e.must(work, "git", "clean", "-qfdx")
		tc.change(t)
		e.must(work, "git", "add", "-A")
		e.must(work, "git", "commit", "-q", "-m", tc.name)
		ref := tc.ref
		if ref == "" {
			ref = "refs/heads/main"
		}
		out, err := e.run(work, "git", "push", "origin", "HEAD:"+ref)
		if tc.reject == "" {
			if err != nil {
				t.Fatalf("%s: push rejected:\n%s", tc.name, out)
			}
			accepted = strings.TrimSpace(e.must(work, "git", "rev-parse", "HEAD"))
			continue
		}
		if err == nil {
			t.Errorf("%s: push accepted, want rejection\n%s", tc.name, out)
			continue
		}
		if !strings.Contains(out, tc.reject) || !strings.Contains(out, "pre-receive hook declined") {
			t.Errorf("%s: push output lacks %q:\n%s", tc.name, tc.reject, out)
		}
	}
	if got := strings.TrimSpace(e.must(bare, "git", "rev-parse", "refs/heads/main")); got != accepted {
		t.Errorf("server main = %s, want the last accepted commit %s", got, accepted)
	}
}

func TestPreCommit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aliceKey, alicePub := e.key("alice")
	work := newInfraRepo(e, aliceKey, alicePub)
	installHook(t, filepath.Join(work, ".git", "hooks"), "pre-commit")
	commit := func(msg string) (string, error) {
		e.must(work, "git", "add", "-A")
		return e.run(work, "git", "commit", "-q", "-m", msg)
	}

	testutil.WriteFile(t, work, "README.md", "infra\n")
	if out, err := commit("unrelated file"); err != nil {
		t.Fatalf("commit without kustomization changes refused:\n%s", out)
	}

	testutil.WriteFile(t, work, prodAPI, base+"namePrefix: v2-\n")
	out, err := commit("hand edit")
	if err == nil || !strings.Contains(out, "FAIL overlays/prod/api/kustomization.yaml  tampered") || !strings.Contains(out, "gito sign FILE") {
		t.Fatalf("hand edit: err=%v\n%s", err, out)
	}

	// Re-signed in the work tree but the new .sig is not staged: the index is what counts.
	e.must(work, "git", "add", prodAPI)
	e.must(work, e.gito, "sign", "--signing-key", aliceKey, prodAPI)
	if out, err := e.run(work, "git", "commit", "-q", "-m", "sig not staged"); err == nil {
		t.Fatalf("commit with an unstaged signature accepted:\n%s", out)
	}
	if out, err := commit("re-signed"); err != nil {
		t.Fatalf("re-signed commit refused:\n%s", out)
	}
	if got := e.must(work, "git", "log", "-1", "--format=%s"); strings.TrimSpace(got) != "re-signed" {
		t.Errorf("last commit %q", got)
	}
}

func runSplit(e *env, dir, name string, args ...string) (string, string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), e.vars...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

func TestCISnippetsParse(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"github-actions.yml", "gitlab-ci.yml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if !strings.Contains(string(data), "gito verify --required") || !strings.Contains(string(data), "GITO_ALLOWED_SIGNERS") {
			t.Errorf("%s does not run a pinned, required gito verify", name)
		}
		if !strings.Contains(string(data), "gito verify --policy --base ") {
			t.Errorf("%s does not check pull requests against the guardrails (gito verify --policy)", name)
		}
	}
}
