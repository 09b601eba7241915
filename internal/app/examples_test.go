package app_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/app"
	"github.com/gito-dev/gito/internal/testutil"
	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

// TestHelpExamplesRun runs every example line of every command's help, in bash, against the
// example infra repo: what --help shows a user must work as shown. Examples run in the order
// the commands are listed, each in a checkout of the repo, with GITO_REPO naming its bare
// remote and a signing key in place. The one interactive example (the rollback picker) is
// driven in a real terminal by integration/testdata/script/forge/rollback_picker.txtar.
func TestHelpExamplesRun(t *testing.T) {
	// The Argo CD plugin example renders with kustomize, as Argo CD's repo server does.
	testutil.RequireTools(t, "ssh-keygen", "kustomize")
	bin := buildGito(t)
	work := t.TempDir()
	home := filepath.Join(work, "home")
	env := append(gitserver.Env(t),
		"HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"CI=true", "NO_COLOR=1", "TAG=v2.5.0", "SSH_AUTH_SOCK=",
	)
	key := filepath.Join(home, ".ssh", "id_ed25519")
	if err := os.MkdirAll(filepath.Dir(key), 0o700); err != nil {
		t.Fatal(err)
	}
	gitserver.Git(t, env, "", "", "version") // fail early if git is broken
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "dev@example.com", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	bare, checkout := exampleRepo(t, env, work, string(pub))
	env = append(env, "GITO_REPO="+bare, "GITO_SIGNING_KEY="+key, "GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com")

	root := app.NewRootCmd(app.NewFactory(noEnv))
	ran := 0
	for _, c := range root.Commands() {
		if c.Hidden || c.Example == "" {
			continue
		}
		for _, line := range exampleLines(c) {
			// The picker is driven in a terminal by a script; a server that runs until SIGTERM,
			// and what is run against it, by integration/testdata/script/local/serve.txtar.
			if strings.Contains(line, "# pick in a terminal UI") || strings.Contains(line, "# runs until SIGTERM") || strings.Contains(line, "# runs against the server") {
				continue
			}
			ran++
			t.Run(c.Name()+": "+line, func(t *testing.T) {
				cmd := exec.Command("bash", "--norc", "--noprofile", "-o", "pipefail", "-c", line)
				cmd.Dir = checkout
				cmd.Env = env
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Errorf("example failed: %v\n%s", err, out)
				}
			})
		}
	}
	if ran < 15 {
		t.Errorf("ran %d examples, want every command's (at least 15)", ran)
	}
}

// exampleLines turns a command's Example into shell lines: comments dropped, continued
// lines joined.
func exampleLines(c *cobra.Command) []string {
	var lines []string
	var cur strings.Builder
	for _, raw := range strings.Split(c.Example, "\n") {
		l := strings.TrimSpace(raw)
		if cur.Len() == 0 && (l == "" || strings.HasPrefix(l, "#")) {
			continue
		}
		if cont, ok := strings.CutSuffix(l, "\\"); ok {
			cur.WriteString(cont + " ")
			continue
		}
		cur.WriteString(l)
		lines = append(lines, cur.String())
		cur.Reset()
	}
	return lines
}

// exampleRepo is the example infra repo with an allowed signer and two merged releases of
// api in prod, as a bare remote and a checkout of it.
func exampleRepo(t *testing.T, env []string, work, pub string) (bare, checkout string) {
	fixture, err := filepath.Abs(filepath.Join(repoRoot, "integration", "testdata", "infra"))
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(work, "src")
	if err := os.CopyFS(src, os.DirFS(fixture)); err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(pub)
	signers := "dev@example.com namespaces=\"gito:*\" " + fields[0] + " " + fields[1] + "\n"
	if err := os.MkdirAll(filepath.Join(src, ".gito"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, ".gito", "allowed_signers"), []byte(signers), 0o644); err != nil {
		t.Fatal(err)
	}
	git := func(dir string, args ...string) { gitserver.Git(t, env, dir, "", args...) }
	git(src, "init", "-q", "-b", "main")
	git(src, "add", "-A")
	git(src, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "infra")
	kust := filepath.Join(src, "overlays", "prod", "api", "kustomization.yaml")
	for _, v := range []string{"v2.3.1", "v2.4.0"} {
		data, err := os.ReadFile(kust)
		if err != nil {
			t.Fatal(err)
		}
		i := strings.Index(string(data), "newTag: \"")
		end := strings.Index(string(data)[i+9:], "\"")
		data = []byte(string(data)[:i+9] + v + string(data)[i+9+end:])
		if err := os.WriteFile(kust, data, 0o644); err != nil {
			t.Fatal(err)
		}
		git(src, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-am", "Release api "+v+" to prod (#1"+v[1:2]+")")
	}
	bare = filepath.Join(work, "infra.git")
	gitserver.InitBare(t, bare)
	git(src, "push", "-q", bare, "main")
	checkout = filepath.Join(work, "checkout")
	git("", "clone", "-q", bare, checkout)
	return bare, checkout
}
