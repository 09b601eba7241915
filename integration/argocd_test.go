package integration

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/testscript"
	"gopkg.in/yaml.v3"
)

// pollFor bounds every wait on a condition.
const pollFor = 60 * time.Second

// yamleq A B: the multi-document YAML files hold the same documents in the same order,
// compared parsed (so formatting does not count), document by document.
func cmdYAMLEq(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: yamleq A B")
	}
	a, b := yamlDocs(ts, args[0]), yamlDocs(ts, args[1])
	diff := ""
	if len(a) != len(b) {
		diff = fmt.Sprintf("%s has %d documents, %s has %d", args[0], len(a), args[1], len(b))
	} else {
		for i := range a {
			if d := cmp.Diff(a[i], b[i]); d != "" {
				diff = fmt.Sprintf("document %d differs (-%s +%s):\n%s", i+1, args[0], args[1], d)
				break
			}
		}
	}
	switch {
	case neg && diff == "":
		ts.Fatalf("%s and %s are equal", args[0], args[1])
	case !neg && diff != "":
		ts.Fatalf("%s", diff)
	case len(a) == 0 && !neg:
		ts.Fatalf("%s holds no documents", args[0])
	}
}

func yamlDocs(ts *testscript.TestScript, name string) []any {
	data, err := os.ReadFile(ts.MkAbs(name))
	ts.Check(err)
	var docs []any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			ts.Fatalf("%s: %v", name, err)
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
}

// serve-start ARGS...: run `gito serve --listen 127.0.0.1:0 ARGS...` in the background with
// its log in $WORK/serve.log, wait until it has bound its port, and export ADDR.
func cmdServeStart(ts *testscript.TestScript, neg bool, args []string) {
	st := state(ts)
	if st.serve != nil {
		ts.Fatalf("serve-start: a server is already running")
	}
	gito, err := exec.LookPath("gito")
	ts.Check(err)
	addrFile := ts.MkAbs(".serve-addr")
	_ = os.Remove(addrFile)
	logFile, err := os.Create(ts.MkAbs("serve.log"))
	ts.Check(err)
	cmd := exec.Command(gito, append([]string{"serve", "--listen", "127.0.0.1:0", "--addr-file", addrFile}, args...)...)
	cmd.Dir = ts.MkAbs(".")
	cmd.Env = serveEnv(ts)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	ts.Check(cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait(); logFile.Close() }()
	st.serve, st.serveDone = cmd, done
	ts.Defer(func() {
		if st.serve == cmd { // not waited for by the script
			_ = cmd.Process.Kill()
			<-done
			st.serve = nil
		}
	})
	deadline := time.Now().Add(pollFor)
	for {
		if data, err := os.ReadFile(addrFile); err == nil && strings.HasSuffix(string(data), "\n") {
			ts.Setenv("ADDR", strings.TrimSpace(string(data)))
			return
		}
		select {
		case err := <-done:
			log, _ := os.ReadFile(ts.MkAbs("serve.log"))
			ts.Fatalf("gito serve exited before listening: %v\n%s", err, log)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			ts.Fatalf("gito serve did not write its address within %s", pollFor)
		}
	}
}

// serveEnv is the environment the script gives its commands.
func serveEnv(ts *testscript.TestScript) []string {
	env := os.Environ()
	for _, k := range []string{"PATH", "HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM", "SSH_AUTH_SOCK", "CI", "NO_COLOR", "GITO_ALLOWED_SIGNERS"} {
		env = append(env, k+"="+ts.Getenv(k))
	}
	return env
}

// serve-ready [STATUS]: poll /readyz until its status is STATUS (default ready).
func cmdServeReady(ts *testscript.TestScript, neg bool, args []string) {
	want := "ready"
	if len(args) == 1 {
		want = args[0]
	}
	url := "http://" + ts.Getenv("ADDR") + "/readyz"
	deadline := time.Now().Add(pollFor)
	last := ""
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			var body struct{ Status string }
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			last = body.Status
			if body.Status == want {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("/readyz status stayed %q, want %q", last, want)
}

// serve-signal TERM|INT: signal the server without waiting for it.
func cmdServeSignal(ts *testscript.TestScript, neg bool, args []string) {
	st := state(ts)
	if st.serve == nil || len(args) != 1 {
		ts.Fatalf("usage: serve-signal TERM|INT (after serve-start)")
	}
	sig := map[string]os.Signal{"TERM": syscall.SIGTERM, "INT": os.Interrupt}[args[0]]
	if sig == nil {
		ts.Fatalf("serve-signal: unknown signal %s", args[0])
	}
	ts.Check(st.serve.Process.Signal(sig))
}

// serve-wait: wait for the server to exit; it must exit 0 (! serve-wait: non-zero).
func cmdServeWait(ts *testscript.TestScript, neg bool, args []string) {
	st := state(ts)
	if st.serve == nil {
		ts.Fatalf("serve-wait: no server")
	}
	var err error
	select {
	case err = <-st.serveDone:
	case <-time.After(pollFor):
		ts.Fatalf("gito serve did not exit within %s", pollFor)
	}
	st.serve = nil
	if neg && err == nil {
		ts.Fatalf("gito serve exited 0")
	}
	if !neg && err != nil {
		log, _ := os.ReadFile(ts.MkAbs("serve.log"))
		ts.Fatalf("gito serve: %v\n%s", err, log)
	}
}

// slowpost begin TOKEN | finish: a request that is in flight across a signal. begin sends
// the headers of a POST with "Expect: 100-continue" and waits for "100 Continue", which the
// server sends only once the handler is reading the body; finish sends the body and expects
// the full 200 answer with parameters.
func cmdSlowPost(ts *testscript.TestScript, neg bool, args []string) {
	st := state(ts)
	body := `{"applicationSetName":"slow","input":{"parameters":{"env":"prod"}}}`
	switch {
	case len(args) == 2 && args[0] == "begin":
		conn, err := net.DialTimeout("tcp", ts.Getenv("ADDR"), 5*time.Second)
		ts.Check(err)
		ts.Check(conn.SetDeadline(time.Now().Add(pollFor)))
		fmt.Fprintf(conn, "POST /api/v1/getparams.execute HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
			ts.Getenv("ADDR"), args[1], len(body))
		r := bufio.NewReader(conn)
		line, err := r.ReadString('\n')
		ts.Check(err)
		if !strings.HasPrefix(line, "HTTP/1.1 100") {
			ts.Fatalf("slowpost: want 100 Continue, got %q", line)
		}
		if _, err := r.ReadString('\n'); err != nil { // the blank line after the interim status
			ts.Fatalf("slowpost: %v", err)
		}
		st.slow, st.slowReader = conn, r
	case len(args) == 1 && args[0] == "finish":
		if st.slow == nil {
			ts.Fatalf("slowpost finish before begin")
		}
		defer st.slow.Close()
		_, err := io.WriteString(st.slow, body)
		ts.Check(err)
		resp, err := http.ReadResponse(st.slowReader, nil)
		ts.Check(err)
		data, err := io.ReadAll(resp.Body)
		ts.Check(err)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(data), `"parameters":[{`) {
			ts.Fatalf("slowpost: %s %s", resp.Status, data)
		}
		st.slow, st.slowReader = nil, nil
	default:
		ts.Fatalf("usage: slowpost begin TOKEN | slowpost finish")
	}
}
