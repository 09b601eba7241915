package integration

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// listener is a plain-http server on 127.0.0.1 that answers 404 to everything and counts what
// it hears: the server a hostile .gito.yaml points gito at.
type listener struct {
	mu       sync.Mutex
	requests int
	withCred int
}

func (l *listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.requests++
	for _, h := range []string{"Authorization", "Private-Token", "Job-Token"} {
		if r.Header.Get(h) != "" {
			l.withCred++
			break
		}
	}
	l.mu.Unlock()
	http.NotFound(w, r)
}

// listen NAME: start a listener and export NAME_URL (http://127.0.0.1:PORT) and NAME_HOST.
func cmdListen(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: listen NAME")
	}
	st := state(ts)
	l := &listener{}
	srv := httptest.NewServer(l)
	st.t.Cleanup(srv.Close)
	if st.listeners == nil {
		st.listeners = map[string]*listener{}
	}
	st.listeners[args[0]] = l
	ts.Setenv(strings.ToUpper(args[0])+"_URL", srv.URL)
	ts.Setenv(strings.ToUpper(args[0])+"_HOST", strings.TrimPrefix(srv.URL, "http://"))
}

// heard NAME: print "N requests, M with a credential" for the listener NAME.
func cmdHeard(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: heard NAME")
	}
	l := state(ts).listeners[args[0]]
	if l == nil {
		ts.Fatalf("heard: no listener %q: run listen first", args[0])
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(ts.Stdout(), "%d requests, %d with a credential\n", l.requests, l.withCred)
}

// forge-moved OP STATUS URL TIMES: the next TIMES requests of OP (list, create, update,
// labels) answer STATUS with Location URL, as a hostile or misconfigured forge would.
func cmdForgeMoved(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: forge-moved OP STATUS URL TIMES")
	}
	status, err1 := strconv.Atoi(args[1])
	times, err2 := strconv.Atoi(args[3])
	if err1 != nil || err2 != nil {
		ts.Fatalf("forge-moved: STATUS and TIMES are numbers")
	}
	h := map[string]string{"Location": args[2]}
	switch f := mustForge(ts).(type) {
	case *githubFake:
		o := githubOps[args[0]]
		f.s.FailNext(o[0], o[1], status, h, times)
	case *githubAppFake:
		o := githubOps[args[0]]
		f.s.FailNext(o[0], o[1], status, h, times)
	case *gitlabFake:
		o := gitlabOps[args[0]]
		f.s.FailNext(o[0], o[1], status, h, times)
	default:
		ts.Fatalf("forge-moved: not supported by %T", f)
	}
}
