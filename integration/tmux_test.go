package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// tmux commands drive a program in a real terminal: a private tmux server per script, a
// 100x30 window, keys in, screen out. Waiting polls the screen for an expected text with a
// deadline; nothing sleeps for a fixed time.

func tmuxSocket(ts *testscript.TestScript) string {
	sum := sha256.Sum256([]byte(ts.Getenv("WORK")))
	return "gito-" + hex.EncodeToString(sum[:6])
}

func tmux(ts *testscript.TestScript, args ...string) (string, error) {
	full := append([]string{"-L", tmuxSocket(ts), "-f", ts.MkAbs(".tmux.conf")}, args...)
	cmd := exec.Command("tmux", full...)
	cmd.Env = append(os.Environ(), "TMUX=")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// tmux-start PROGRAM ARGS...: run the program in a new 100x30 tmux session with the script's
// environment (minus CI, so gito may be interactive).
func cmdTmuxStart(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: tmux-start PROGRAM [ARGS...]")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		ts.Fatalf("tmux is not installed (.ci/run installs it)")
	}
	ts.Check(os.WriteFile(ts.MkAbs(".tmux.conf"), []byte("set -g remain-on-exit on\nset -g history-limit 100\n"), 0o644))
	// The pane runs a shell line; every word is quoted, and the script's variables are
	// exported explicitly because the tmux server's environment is not the script's.
	var line strings.Builder
	for _, kv := range scriptEnv(ts) {
		line.WriteString("export " + shellQuote(kv) + "; ")
	}
	st := state(ts)
	st.tmuxSessions++
	session := fmt.Sprintf("s%d", st.tmuxSessions)
	// The pane's shell runs the program and writes its exit status to a file: tmux itself
	// sometimes reports a pane dead before it has reaped the process, with no status.
	line.WriteString("unset CI GITO_NO_PROMPT;")
	for _, a := range args {
		line.WriteString(" " + shellQuote(a))
	}
	line.WriteString("; echo $? > " + shellQuote(statusFile(ts)))
	if out, err := tmux(ts, "new-session", "-d", "-s", session, "-x", "100", "-y", "30", "-c", ts.Getenv("WORK"), line.String()); err != nil {
		ts.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	if st.tmuxSessions == 1 {
		ts.Defer(func() { _, _ = tmux(ts, "kill-server") })
	}
}

// pane names the newest session's pane.
func pane(ts *testscript.TestScript) string { return fmt.Sprintf("s%d:0.0", state(ts).tmuxSessions) }

// scriptEnv lists the variables a program in the pane needs.
func scriptEnv(ts *testscript.TestScript) []string {
	var out []string
	for _, k := range []string{"PATH", "HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL",
		"GIT_CONFIG_NOSYSTEM", "NO_COLOR", "GH_ENTERPRISE_TOKEN", "GITLAB_TOKEN", "GITEA_TOKEN", "GITEA_HOST",
		"GITO_GITHUB_APP_ID", "GITO_GITHUB_APP_KEY", "SSH_AUTH_SOCK", "WORK"} {
		out = append(out, k+"="+ts.Getenv(k))
	}
	out = append(out, "TERM=xterm-256color")
	return out
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func capturePane(ts *testscript.TestScript) string {
	out, err := tmux(ts, "capture-pane", "-p", "-t", pane(ts))
	if err != nil {
		ts.Fatalf("tmux capture-pane: %v\n%s", err, out)
	}
	return out
}

// tmux-wait REGEXP: wait until the screen matches, then print the screen to stdout.
func cmdTmuxWait(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: tmux-wait REGEXP")
	}
	re := regexp.MustCompile(args[0])
	screen := waitFor(ts, func() (string, bool) {
		s := capturePane(ts)
		return s, re.MatchString(s)
	})
	fmt.Fprint(ts.Stdout(), screen)
}

// tmux-keys KEY...: send keys (tmux names: Down, Enter, Escape, or literal text).
func cmdTmuxKeys(ts *testscript.TestScript, neg bool, args []string) {
	if out, err := tmux(ts, append([]string{"send-keys", "-t", pane(ts)}, args...)...); err != nil {
		ts.Fatalf("tmux send-keys: %v\n%s", err, out)
	}
}

// tmux-exit CODE: wait for the program to end and check its exit status; the last screen
// (the program's stdout and stderr as the terminal showed them) goes to stdout.
func cmdTmuxExit(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: tmux-exit CODE")
	}
	want, _ := strconv.Atoi(args[0])
	status := waitForOr(ts, func() string { return "screen:\n" + capturePane(ts) }, func() (string, bool) {
		data, err := os.ReadFile(statusFile(ts))
		code := strings.TrimSpace(string(data))
		return code, err == nil && code != ""
	})
	screen := capturePane(ts)
	fmt.Fprint(ts.Stdout(), screen)
	if got, _ := strconv.Atoi(status); got != want {
		ts.Fatalf("program exited with %s, want %d; screen:\n%s", status, want, screen)
	}
}

// statusFile receives the exit status of the newest session's program.
func statusFile(ts *testscript.TestScript) string {
	return ts.MkAbs(fmt.Sprintf(".tmux-status-s%d", state(ts).tmuxSessions))
}

// waitFor polls cond until it holds or 20 seconds pass.
func waitFor(ts *testscript.TestScript, cond func() (string, bool)) string {
	return waitForOr(ts, nil, cond)
}

// waitForOr is waitFor with a description of the state to print on a timeout.
func waitForOr(ts *testscript.TestScript, describe func() string, cond func() (string, bool)) string {
	deadline := time.Now().Add(20 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		s, ok := cond()
		if ok {
			return s
		}
		last = s
		time.Sleep(20 * time.Millisecond) // polling interval, not synchronisation
	}
	if describe != nil {
		last = describe()
	}
	ts.Fatalf("timed out; last state:\n%s", last)
	return ""
}
