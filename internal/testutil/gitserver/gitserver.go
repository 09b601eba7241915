// Package gitserver gives tests real git remotes: bare repositories on disk, commits pushed
// into them, a smart-HTTP server with token auth, and a generator of large infra repos.
package gitserver

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Delete, as a file's content in Commit, removes the file.
const Delete = "\x00gitserver:delete"

// Identity used for the commits this package makes.
const (
	AuthorName  = "Test Author"
	AuthorEmail = "test@example.com"
)

// Env is an environment for git in tests: the process's, minus every GIT_* variable, with
// HOME and XDG_CONFIG_HOME in a fresh directory and the system config off, so the machine's
// git configuration never reaches a test.
func Env(tb testing.TB) []string {
	tb.Helper()
	home := tb.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "GIT_") || name == "HOME" || name == "XDG_CONFIG_HOME" || name == "EMAIL" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "GIT_CONFIG_NOSYSTEM=1")
}

// Git runs git with env in dir, feeding stdin, and fails the test on error. It returns stdout
// without the trailing newline.
func Git(tb testing.TB, env []string, dir, stdin string, args ...string) string {
	tb.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSuffix(stdout.String(), "\n")
}

// NewBare creates <tempdir>/infra.git, a bare repository whose main branch holds one commit
// with files (path -> content). It serves partial clones and accepts pushes over HTTP.
func NewBare(tb testing.TB, files map[string]string) string {
	tb.Helper()
	bare := filepath.Join(tb.TempDir(), "infra.git")
	InitBare(tb, bare)
	Commit(tb, bare, "main", "initial", files)
	return bare
}

// InitBare creates an empty bare repository at path with main as HEAD, configured as a
// partial-clone server.
func InitBare(tb testing.TB, path string) {
	tb.Helper()
	env := Env(tb)
	Git(tb, env, "", "", "init", "--quiet", "--bare", "--initial-branch=main", path)
	for _, kv := range [][2]string{
		{"uploadpack.allowFilter", "true"},
		{"uploadpack.allowAnySHA1InWant", "true"},
		{"http.receivepack", "true"},
	} {
		Git(tb, env, path, "", "config", kv[0], kv[1])
	}
}

// Commit writes files (path -> content, or Delete) on top of branch in the bare repository
// and returns the new commit. The branch is created when missing.
func Commit(tb testing.TB, bare, branch, message string, files map[string]string) string {
	tb.Helper()
	env := append(Env(tb),
		"GIT_INDEX_FILE="+filepath.Join(tb.TempDir(), "index"),
		"GIT_AUTHOR_NAME="+AuthorName, "GIT_AUTHOR_EMAIL="+AuthorEmail,
		"GIT_COMMITTER_NAME="+AuthorName, "GIT_COMMITTER_EMAIL="+AuthorEmail)
	ref := "refs/heads/" + branch
	parent := ""
	if out, err := gitQuiet(env, bare, "rev-parse", "--verify", "--quiet", ref); err == nil {
		parent = out
		Git(tb, env, bare, "", "read-tree", parent)
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var index strings.Builder
	for _, p := range paths {
		if files[p] == Delete {
			index.WriteString("0 0000000000000000000000000000000000000000\t" + p + "\n")
			continue
		}
		oid := Git(tb, env, bare, files[p], "hash-object", "-w", "--stdin")
		index.WriteString("100644 " + oid + "\t" + p + "\n")
	}
	Git(tb, env, bare, index.String(), "update-index", "--index-info")
	tree := Git(tb, env, bare, "", "write-tree")
	args := []string{"commit-tree", tree}
	if parent != "" {
		args = append(args, "-p", parent)
	}
	sha := Git(tb, env, bare, message, args...)
	Git(tb, env, bare, "", "update-ref", ref, sha)
	return sha
}

// Head returns the commit branch points to in repo, or "" when it does not exist.
func Head(tb testing.TB, repo, branch string) string {
	tb.Helper()
	out, err := gitQuiet(Env(tb), repo, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch)
	if err != nil {
		return ""
	}
	return out
}

func gitQuiet(env []string, dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}
