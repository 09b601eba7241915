package integration

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

var (
	soakFor      = flag.Duration("soak", 20*time.Second, "how long TestServeSoak runs (make soak: 5m)")
	soakInterval = flag.Duration("soak.interval", 2*time.Second, "--refresh of the soaked server")
	soakTimeout  = flag.Duration("soak.timeout", 8*time.Second, "--refresh-timeout of the soaked server")
)

// soakHeapBound is the most heap gito serve may hold in use at the end of the soak. The
// answer cache is bounded at 16 MiB; the rest is the snapshot and the runtime.
const soakHeapBound = 48 << 20

// TestServeSoak drives a real gito serve with mixed requests from three clients while its
// remote, served on 127.0.0.1, cycles through healthy, silent (accepts and never answers),
// healthy, failing (503), healthy. A silent outage lasts until the refresh deadline has
// ended a hung refresh (/readyz must say so); then the remote restarts. A commit lands
// during each outage; a refresh must reach the remote within two refresh intervals of the
// recovery and serve the commit, every request must be answered as the mix expects
// throughout, and the server's heap must end under soakHeapBound. -soak sets the duration
// (20 s in make test, 5 minutes in make soak); -soak.interval and -soak.timeout the
// server's --refresh and --refresh-timeout.
func TestServeSoak(t *testing.T) {
	gito, err := exec.LookPath("gito")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	interval, timeout := *soakInterval, *soakTimeout
	files := map[string]string{}
	for _, env := range []string{"dev", "staging", "prod"} {
		for _, svc := range []string{"api", "web", "worker", "billing"} {
			files["overlays/"+env+"/"+svc+"/kustomization.yaml"] = soakKustomization(svc, "v1.0.0")
		}
	}
	bare := gitserver.NewBare(t, files)
	gitserver.Commit(t, bare, "gito/prod/web", "release web", map[string]string{"overlays/prod/web/kustomization.yaml": soakKustomization("web", "v1.1.0")})
	remote := gitserver.ServeFlaky(t, filepath.Dir(bare))

	dir := t.TempDir()
	const token = "soak-token"
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addrFile := filepath.Join(dir, "addr")
	logFile, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(gito, "serve", "--repo", remote.URL+"/infra.git", "--listen", "127.0.0.1:0", "--addr-file", addrFile,
		"--token-file", filepath.Join(dir, "token"), "--refresh", interval.String(), "--refresh-timeout", timeout.String())
	cmd.Env = append(gitserver.Env(t), "XDG_CACHE_HOME="+filepath.Join(dir, "cache"), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			log, _ := os.ReadFile(logFile.Name())
			t.Logf("gito serve log (%d bytes), its last lines:\n%s", len(log), tail(string(log), 60))
		}
	}()
	s := &soakServer{t: t, client: &http.Client{Timeout: 10 * time.Second}, token: token}
	s.addr = s.waitForAddr(addrFile, exited)
	first := s.waitFor(time.Minute, "the first snapshot", func(r readiness) bool { return r.Status == "ready" })
	baseHeap := s.heap()
	t.Logf("first snapshot %s after %s; heap in use %s", first.Commit[:8], time.Since(start).Round(time.Millisecond), mib(baseHeap))

	ctx, stop := context.WithCancel(t.Context())
	var clients sync.WaitGroup
	for c := range 3 {
		clients.Add(1)
		go func() { defer clients.Done(); s.drive(ctx, c) }()
	}
	peak := baseHeap
	var latencies []time.Duration
	outages := []gitserver.Health{gitserver.Silent, gitserver.Failing}
	for n := 0; n < len(outages) || time.Since(start)+3*interval < *soakFor; n++ {
		health := outages[n%len(outages)]
		remote.Set(health)
		if health == gitserver.Silent {
			<-remote.Hung()
		}
		// Stale with the outage's error: a silent remote's once the refresh deadline ends it.
		stale := s.waitFor(timeout+time.Minute, "/readyz to report the outage", func(r readiness) bool {
			return r.Status == "stale" && r.Error != "" && (health != gitserver.Silent || strings.Contains(r.Error, "refresh stopped after"))
		})
		if stale.Reason == "" {
			t.Errorf("/readyz during the outage says no reason: %+v", stale)
		}
		head := gitserver.Commit(t, bare, "main", "release", map[string]string{
			"overlays/prod/api/kustomization.yaml": soakKustomization("api", fmt.Sprintf("v2.%d.0", n)),
		})
		remote.Restart() // a refresh hung on the silent remote fails now, not at its deadline
		recovered := time.Now()
		name := map[gitserver.Health]string{gitserver.Silent: "silent", gitserver.Failing: "failing"}[health]
		select {
		case <-remote.Served():
		case <-time.After(2 * interval):
			t.Fatalf("outage %d (%s): no refresh reached the remote within two refresh intervals (%s) of its recovery; /readyz: %+v",
				n+1, name, 2*interval, s.ready())
		}
		followed := time.Since(recovered)
		// How long the refresh itself takes depends on the machine: bounded, not timed.
		s.waitFor(time.Minute, "the commit pushed during the outage", func(r readiness) bool { return r.Commit == head && r.Status == "ready" })
		served := time.Since(recovered)
		latencies = append(latencies, served)
		t.Logf("outage %d (%s remote; /readyz said %q): a refresh reached the remote %s after the recovery, the new commit was served after %s",
			n+1, name, stale.Reason, followed.Round(time.Millisecond), served.Round(time.Millisecond))
		peak = max(peak, s.heap())
	}
	stop()
	clients.Wait()
	end := s.heap()
	peak = max(peak, end)
	t.Logf("refreshes that failed (the outages' and any past the deadline): %d", s.metric("gito_serve_refresh_failures_total"))
	sent, bad := s.sent.Load(), s.bad.Load()
	t.Logf("%s: %d outages, %d requests (%d answered other than the mix expects), heap in use: start %s, peak %s, end %s (bound %s)",
		time.Since(start).Round(time.Second), len(latencies), sent, bad, mib(baseHeap), mib(peak), mib(end), mib(soakHeapBound))
	if bad > 0 {
		t.Errorf("%d of %d requests were answered other than expected; first: %s", bad, sent, s.firstBad.Load())
	}
	if end > soakHeapBound {
		t.Errorf("heap in use at the end is %s, over the bound of %s", mib(end), mib(soakHeapBound))
	}
}

func soakKustomization(svc, tag string) string {
	return "resources:\n  - ../../../base/" + svc + "\nimages:\n  - name: registry.example.com/team/" + svc + "\n    newTag: " + tag + "\n"
}

type soakServer struct {
	t        *testing.T
	client   *http.Client
	addr     string
	token    string
	sent     atomic.Int64
	bad      atomic.Int64
	firstBad atomic.Value
}

type readiness struct {
	Status string `json:"status"`
	Commit string `json:"commit"`
	Error  string `json:"error"`
	Reason string `json:"reason"`
}

func (s *soakServer) waitForAddr(addrFile string, exited <-chan error) string {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(addrFile); err == nil && strings.HasSuffix(string(data), "\n") {
			return strings.TrimSpace(string(data))
		}
		select {
		case err := <-exited:
			s.t.Fatalf("gito serve exited before listening: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	s.t.Fatal("gito serve did not bind its port within a minute")
	return ""
}

// waitFor polls /readyz until ok holds, failing the test after limit.
func (s *soakServer) waitFor(limit time.Duration, what string, ok func(readiness) bool) readiness {
	deadline := time.Now().Add(limit)
	for {
		r := s.ready()
		if ok(r) {
			return r
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waited %s for %s; /readyz last said %+v", limit, what, r)
		}
		time.Sleep(25 * time.Millisecond) // polling a child process: it has no channel to wait on
	}
}

// ready is what /readyz says now (the zero value when it does not answer).
func (s *soakServer) ready() readiness {
	var r readiness
	if resp, err := s.client.Get("http://" + s.addr + "/readyz"); err == nil {
		_ = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
	}
	return r
}

// heap is the server's go_memstats_heap_inuse_bytes, from its /metrics.
func (s *soakServer) heap() int64 { return s.metric("go_memstats_heap_inuse_bytes") }

// metric reads one unlabelled metric from the server's /metrics.
func (s *soakServer) metric(name string) int64 {
	resp, err := s.client.Get("http://" + s.addr + "/metrics")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				s.t.Fatal(err)
			}
			return int64(f)
		}
	}
	s.t.Fatalf("/metrics has no %s", name)
	return 0
}

// drive sends the mix until ctx ends: at most 25 requests a second per client.
func (s *soakServer) drive(ctx context.Context, client int) {
	tick := time.NewTicker(40 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		path, auth, body, want := "/api/v1/getparams.execute", "Bearer "+s.token, "", http.StatusOK
		unique := fmt.Sprintf("c%d-%d", client, i)
		switch i % 20 {
		case 0, 1, 2, 3, 4, 5:
			body = `{"applicationSetName":"soak","input":{"parameters":{}}}`
		case 6, 7, 8:
			body = `{"input":{"parameters":{"env":"prod"}}}`
		case 9, 10, 11, 12: // a new filter every time: the answer cache must stay bounded
			body = `{"input":{"parameters":{"service":"` + unique + strings.Repeat("s", 200) + `"}}}`
		case 13:
			body = `{"input":{"parameters":{"branch":"gito/prod/web"}}}`
		case 14, 15: // an absurd, unique filter: cached, 20 s of these would pass the heap bound
			body, want = `{"input":{"parameters":{"service":"`+unique+strings.Repeat("x", 600<<10)+`"}}}`, http.StatusBadRequest
		case 16:
			body, want = `{"input":{"parameters":{}}} {"trailing":1}`, http.StatusBadRequest
		case 17:
			body, auth, want = `{}`, "Bearer wrong", http.StatusForbidden
		case 18:
			path, body = "/readyz", ""
		case 19:
			path, body = "/metrics", ""
		}
		method := http.MethodPost
		if body == "" {
			method = http.MethodGet
		}
		req, err := http.NewRequestWithContext(ctx, method, "http://"+s.addr+path, strings.NewReader(body))
		if err != nil {
			panic(err)
		}
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", "application/json")
		s.sent.Add(1)
		resp, err := s.client.Do(req)
		if ctx.Err() != nil {
			return
		}
		got := 0
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			got = resp.StatusCode
		}
		if got != want {
			s.bad.Add(1)
			s.firstBad.CompareAndSwap(nil, fmt.Sprintf("%s %s (mix %d): %d, want %d, %v", method, path, i%20, got, want, err))
		}
	}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}
