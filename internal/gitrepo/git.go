// Package gitrepo drives the git CLI for gito: a cached blobless clone of the infra repo,
// snapshots of the files a run reads, plumbing commits, lease-guarded pushes, and the log and blob reads history needs.
// Tokens reach git only through a child's environment, never through a URL, an argument or a
// config file.
package gitrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/gito-dev/gito/internal/config"
)

// Invocation describes one git child process, handed to Git.Hook before it starts.
type Invocation struct {
	Dir  string
	Args []string
	// Env holds only the variables gito adds to the inherited environment. It can hold a
	// token (GITO_GIT_TOKEN): never log it.
	Env []string
}

// Git runs the git CLI. The zero value inherits the process environment.
type Git struct {
	// Env is the environment git inherits; nil means os.Environ().
	Env []string
	// Hook, when set, sees every invocation just before it starts (tests record them).
	Hook func(Invocation)
	// ProcessGroup runs each git in a process group of its own and, when its context ends,
	// stops the whole group: a transport helper (git-remote-https, ssh) blocked on a silent
	// remote must not outlive its git. For servers only: a background group cannot read the
	// terminal, so an ssh passphrase prompt would stop.
	ProcessGroup bool
}

// cmd is one git call.
type cmd struct {
	dir      string
	args     []string
	env      []string // added to the base environment
	stdin    io.Reader
	stdout   io.Writer // nil: returned by run
	progress io.Writer // receives stderr as it arrives
}

// killGrace is how long git gets after SIGTERM to remove its lock files before SIGKILL.
const killGrace = 5 * time.Second

// run executes git and returns its stdout (when c.stdout is nil). A failure is an *Error
// carrying the first meaningful stderr line, or the context's error when it was cancelled.
func (g *Git) run(ctx context.Context, c cmd) ([]byte, error) {
	if g.Hook != nil {
		g.Hook(Invocation{Dir: c.dir, Args: append([]string(nil), c.args...), Env: append([]string(nil), c.env...)})
	}
	x := exec.CommandContext(ctx, "git", c.args...)
	x.Dir = c.dir
	x.Env = g.environ(c.env)
	x.Stdin = c.stdin
	g.stopOnCancel(x)
	var stdout bytes.Buffer
	if c.stdout != nil {
		x.Stdout = c.stdout
	} else {
		x.Stdout = &stdout
	}
	stderr := &tailBuffer{max: 256 << 10}
	if c.progress != nil {
		x.Stderr = io.MultiWriter(stderr, c.progress)
	} else {
		x.Stderr = stderr
	}
	if err := x.Run(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			if g.ProcessGroup && x.Process != nil { // nil: the context ended before the start
				killGroup(x.Process) // what SIGTERM and WaitDelay's kill of git left
			}
			return nil, fmt.Errorf("git %s: %w", subcommand(c.args), ctxErr)
		}
		return stdout.Bytes(), newError(c.args, stderr.String(), err, secrets(c.env))
	}
	return stdout.Bytes(), nil
}

// start starts a long-lived git that reads requests on stdin and answers on stdout (cat-file
// --batch). Its stderr is dropped: a failure shows as a broken answer stream, and the caller
// stops the process by closing stdin, then waits.
func (g *Git) start(ctx context.Context, c cmd) (*exec.Cmd, io.WriteCloser, io.ReadCloser, error) {
	if g.Hook != nil {
		g.Hook(Invocation{Dir: c.dir, Args: append([]string(nil), c.args...), Env: append([]string(nil), c.env...)})
	}
	x := exec.CommandContext(ctx, "git", c.args...)
	x.Dir = c.dir
	x.Env = g.environ(c.env)
	g.stopOnCancel(x)
	in, err := x.StdinPipe()
	if err != nil {
		return nil, nil, nil, err
	}
	out, err := x.StdoutPipe()
	if err != nil {
		return nil, nil, nil, err
	}
	if err := x.Start(); err != nil {
		return nil, nil, nil, fmt.Errorf("git %s: %w", subcommand(c.args), err)
	}
	return x, in, out, nil
}

// stopOnCancel sets how x stops when its context ends. SIGTERM lets git run its cleanup (lock
// files, temporary packs, helper children); WaitDelay then kills it and stops waiting for
// grandchildren holding our pipes.
func (g *Git) stopOnCancel(x *exec.Cmd) {
	if g.ProcessGroup {
		inOwnGroup(x)
		x.Cancel = func() error { return terminateGroup(x.Process) }
	} else {
		x.Cancel = func() error { return terminate(x.Process) }
	}
	x.WaitDelay = killGrace
}

// output runs git in dir and returns stdout.
func (g *Git) output(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	return g.run(ctx, cmd{dir: dir, args: args, env: env})
}

// environ builds the child's environment: the user's, minus variables that would point git at
// another repository (gito may run inside a git hook) and the credential variables gito reads
// (a token reaches git only through the call's own scoped helper), plus non-interactive,
// C-locale settings and the call's own additions. Config files stay honoured.
func (g *Git) environ(extra []string) []string {
	base := g.Env
	if base == nil {
		base = os.Environ()
	}
	env := make([]string, 0, len(base)+len(extra)+2)
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if repoScopedEnv[name] || config.IsCredentialVar(name) || name == "GIT_TERMINAL_PROMPT" || name == "LC_ALL" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	return withCacheConfig(append(env, extra...))
}

// repoScopedEnv are variables a git hook or a parent git sets for its own repository.
var repoScopedEnv = map[string]bool{
	"GIT_DIR": true, "GIT_WORK_TREE": true, "GIT_INDEX_FILE": true, "GIT_OBJECT_DIRECTORY": true,
	"GIT_ALTERNATE_OBJECT_DIRECTORIES": true, "GIT_COMMON_DIR": true, "GIT_NAMESPACE": true,
	"GIT_PREFIX": true, "GIT_QUARANTINE_PATH": true, "GIT_CEILING_DIRECTORIES": true,
	"GIT_DISCOVERY_ACROSS_FILESYSTEM": true, "GIT_INTERNAL_SUPER_PREFIX": true,
}

// envValue returns the value of name in env (the last one wins, as for exec).
func envValue(env []string, name string) (string, bool) {
	val, ok := "", false
	for _, kv := range env {
		if k, v, found := strings.Cut(kv, "="); found && k == name {
			val, ok = v, true
		}
	}
	return val, ok
}

// secrets lists values that must never show in an error.
func secrets(env []string) []string {
	if tok, ok := envValue(env, tokenEnv); ok && tok != "" {
		return []string{tok}
	}
	return nil
}

// subcommand names the git command for errors: the first argument that is not a global option.
func subcommand(args []string) string {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-c" || a == "-C":
			i++
		case strings.HasPrefix(a, "-"):
		default:
			return a
		}
	}
	return "git"
}

// tailBuffer keeps the last max bytes written; git's conclusion comes last.
type tailBuffer struct {
	buf []byte
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string { return string(b.buf) }

// exitCode returns git's exit status, or -1 when it did not exit normally.
func exitCode(err error) int {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ExitCode()
	}
	return -1
}
