package gitrepo

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

func TestEnvironment(t *testing.T) {
	t.Parallel()
	g := &Git{Env: []string{"HOME=/h", "GIT_DIR=/elsewhere", "GIT_INDEX_FILE=/i", "LC_ALL=de_DE.UTF-8",
		"GIT_TERMINAL_PROMPT=1", "GIT_CONFIG_NOSYSTEM=1", "PATH=/usr/bin:/bin"}}
	env := g.environ([]string{"EXTRA=1"})
	for name, want := range map[string]string{
		"HOME": "/h", "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "EXTRA": "1",
	} {
		if got, _ := envValue(env, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	for _, name := range []string{"GIT_DIR", "GIT_INDEX_FILE"} {
		if v, ok := envValue(env, name); ok {
			t.Errorf("%s = %q leaks into git", name, v)
		}
	}
}

func TestFirstMeaningfulLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ stderr, want string }{
		{"Cloning into 'x'...\nfatal: repository '/nope' does not exist\n", "fatal: repository '/nope' does not exist"},
		{"git@h: Permission denied (publickey).\r\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\n",
			"git@h: Permission denied (publickey)."},
		{"remote: Counting objects: 10% (1/10)\rremote: Counting objects: 100% (10/10), done.\nerror: RPC failed; HTTP 500\n", "error: RPC failed; HTTP 500"},
		{"hint: use --force\nwarning: redirecting to https://x/\n", "warning: redirecting to https://x/"},
		{"To /srv\n ! [rejected] x -> y (stale info)\nerror: failed to push some refs to '/srv'\n", "! [rejected] x -> y (stale info)"},
		{"", ""},
	} {
		if got := firstMeaningfulLine(tc.stderr); got != tc.want {
			t.Errorf("firstMeaningfulLine(%q) = %q, want %q", tc.stderr, got, tc.want)
		}
	}
}

func TestErrorClassification(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		stderr string
		auth   bool
	}{
		{"fatal: Authentication failed for 'https://h/r.git/'\n", true},
		{"fatal: could not read Username for 'https://h': terminal prompts disabled\n", true},
		{"fatal: unable to access 'https://h/r.git/': The requested URL returned error: 403\n", true},
		{"remote: HTTP Basic: Access denied\n", true},
		{"git@h: Permission denied (publickey).\n", true},
		{"fatal: repository 'https://h/r.git/' not found\n", false},
		{"fatal: unable to access 'https://h/': Could not resolve host: h\n", false},
	} {
		err := newError([]string{"fetch", "origin"}, tc.stderr+"secret\n", errors.New("exit status 128"), []string{"secret"})
		if errors.Is(err, ErrAuth) != tc.auth {
			t.Errorf("%q: auth = %v, want %v", tc.stderr, !tc.auth, tc.auth)
		}
		if strings.Contains(err.Stderr, "secret") || strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: secret not redacted", tc.stderr)
		}
		if !strings.HasPrefix(err.Error(), "git fetch: ") {
			t.Errorf("error %q does not name the command", err)
		}
	}
}

func TestSubcommand(t *testing.T) {
	t.Parallel()
	for args, want := range map[string]string{
		"fetch --prune origin":                "fetch",
		"-c a=b -C dir commit -m x":           "commit",
		"--no-pager -c x=y log":               "log",
		"-c gpg.format=ssh -c k=v commit --x": "commit",
	} {
		if got := subcommand(strings.Fields(args)); got != want {
			t.Errorf("subcommand(%s) = %q, want %q", args, got, want)
		}
	}
}

// A running git is killed when the context ends, and the caller learns it was cancelled.
func TestCancelKillsRunningGit(t *testing.T) {
	t.Parallel()
	bare := gitserver.NewBare(t, sampleFiles)
	g, _ := newGit(t)
	// An *os.File stdin goes straight to git: only killing git can end the run.
	stdin, feed, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	defer feed.Close()
	started := make(chan struct{})
	out := &signalWriter{first: started}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := g.run(ctx, cmd{dir: bare, args: []string{"cat-file", "--batch"}, stdin: stdin, stdout: out})
		done <- err
	}()
	// cat-file answers one request and then waits for more input that never comes.
	if _, err := io.WriteString(feed, "HEAD\n"); err != nil {
		t.Fatal(err)
	}
	<-started
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "git cat-file: ") {
			t.Errorf("run = %v; want git cat-file: context canceled", err)
		}
	case <-time.After(killGrace + 10*time.Second):
		t.Fatal("git still running after cancel")
	}
}

type signalWriter struct {
	first chan struct{}
	once  bool
}

func (w *signalWriter) Write(p []byte) (int, error) {
	if !w.once {
		w.once = true
		close(w.first)
	}
	return len(p), nil
}

func TestParseRemote(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, url, scheme, host, namePrefix string
	}{
		{"https://github.com/acme/infra.git", "https://github.com/acme/infra.git", "https", "github.com", "github.com_acme_infra.git-"},
		{"http://127.0.0.1:8080/infra.git", "http://127.0.0.1:8080/infra.git", "http", "127.0.0.1:8080", "127.0.0.1_8080_infra.git-"},
		{"ssh://git@gitlab.com:2222/acme/infra.git", "ssh://git@gitlab.com:2222/acme/infra.git", "ssh", "gitlab.com:2222", "gitlab.com_2222_acme_infra.git-"},
		{"git@github.com:acme/infra.git", "git@github.com:acme/infra.git", "ssh", "github.com", "github.com_acme_infra.git-"},
		{"file:///srv/git/infra.git", "file:///srv/git/infra.git", "file", "", "local_srv_git_infra.git-"},
		{"/srv/git/infra.git/", "/srv/git/infra.git", "file", "", "local_srv_git_infra.git-"},
		{"./a:b", "", "file", "", "local_"},
	} {
		r, err := parseRemote(tc.in)
		if err != nil {
			t.Errorf("parseRemote(%q): %v", tc.in, err)
			continue
		}
		if (tc.url != "" && r.url != tc.url) || r.scheme != tc.scheme || r.host != tc.host || !strings.HasPrefix(r.name, tc.namePrefix) {
			t.Errorf("parseRemote(%q) = %+v; want url %q scheme %q host %q name %q…", tc.in, r, tc.url, tc.scheme, tc.host, tc.namePrefix)
		}
		if strings.ContainsAny(r.name, "/:@ ") {
			t.Errorf("parseRemote(%q): unsafe cache name %q", tc.in, r.name)
		}
	}
	rel, err := parseRemote("infra")
	if err != nil || !strings.HasPrefix(rel.url, "/") {
		t.Errorf("relative path not made absolute: %+v, %v", rel, err)
	}
	a, _ := parseRemote("https://h/a_b")
	b, _ := parseRemote("https://h/a:b")
	if a.name == b.name {
		t.Errorf("different remotes share cache name %q", a.name)
	}
	// S3: a lone user name over http(s) is often a token, and git would store it in the cache.
	for _, bad := range []string{"", "https://user:pw@h/r.git", "http://ghp_secret@127.0.0.1:9/acme/infra.git", "https://TOKEN@github.com/acme/infra.git", "ftp://h/r", "--upload-pack=x"} {
		if _, err := parseRemote(bad); err == nil {
			t.Errorf("parseRemote(%q) accepted", bad)
		}
	}
}
