package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/gito-dev/gito/internal/testutil"
	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

// Benchmarks of the Argo CD side (make bench-argocd). Each one measures its floor in the
// same run and reports the ratio:
//
//	go test -run '^$' -bench 'ArgoCD' -benchtime 1x ./integration

// buildBenchGito compiles the real binary: both sides of a comparison are processes.
func buildBenchGito(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "gito")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/gito-dev/gito/cmd/gito")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build gito: %v\n%s", err, out)
	}
	return bin
}

// BenchmarkArgoCDGenerate times `gito generate` (verify every file the render reads, render
// in process) on one overlay of a 10,000-overlay repo against `kubectl kustomize` on the same
// overlay, interleaved, as processes the way Argo CD's repo-server runs them. Target: ≤ 2×.
func BenchmarkArgoCDGenerate(b *testing.B) {
	kubectl := testutil.RequireTool(b, "kubectl", "apt-get install kubectl")
	testutil.RequireTool(b, "ssh-keygen", "apt-get install openssh-client")
	gito := buildBenchGito(b)
	env := gitserver.Env(b)
	start := time.Now()
	bare := gitserver.GenerateLargeRepo(b, filepath.Join(b.TempDir(), "large.git"), 10000, 1)
	work := filepath.Join(b.TempDir(), "work")
	gitserver.Git(b, env, "", "", "clone", "-q", bare, work)
	b.Logf("10,000-overlay repo generated and checked out in %s", time.Since(start).Round(time.Millisecond))

	key := filepath.Join(b.TempDir(), "key")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ci@example.com", "-f", key).CombinedOutput(); err != nil {
		b.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(string(pub))
	testutil.WriteFile(b, work, ".gito/allowed_signers", "ci@example.com "+f[0]+" "+f[1]+"\n")
	envName, service := gitserver.LargeRepoOverlay(5678)
	dir := filepath.Join(work, "overlays", envName, service)
	run := func(name string, args ...string) []byte {
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = append(env, "GITO_SIGNING_KEY="+key, "SSH_AUTH_SOCK=")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
		}
		return out
	}
	run(gito, "sign", "--render", ".")
	got, want := run(gito, "generate"), run(kubectl, "kustomize", ".")
	if !reflect.DeepEqual(yamlDocsOf(b, got), yamlDocsOf(b, want)) {
		b.Fatalf("gito generate differs from kubectl kustomize:\n%s\n---\n%s", got, want)
	}

	const runs = 30
	var gitoTotal, kubectlTotal time.Duration
	b.ResetTimer()
	for range b.N {
		for range runs {
			t0 := time.Now()
			run(kubectl, "kustomize", ".")
			t1 := time.Now()
			run(gito, "generate")
			gitoTotal += time.Since(t1)
			kubectlTotal += t1.Sub(t0)
		}
	}
	n := float64(b.N * runs)
	b.ReportMetric(float64(gitoTotal.Microseconds())/1000/n, "gito-ms/run")
	b.ReportMetric(float64(kubectlTotal.Microseconds())/1000/n, "kubectl-ms/run")
	b.ReportMetric(float64(gitoTotal)/float64(kubectlTotal), "x-kubectl")
}

func yamlDocsOf(b *testing.B, data []byte) []any {
	var docs []any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var d any
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			return docs
		} else if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, d)
	}
}

// BenchmarkArgoCDServeLoad drives a real `gito serve` over a 2,000-service (6,000-overlay)
// repo with 50 concurrent clients and 5,000 requests, while a commit lands on main every
// second and the server refreshes every second (so refreshes rebuild the snapshot). It
// reports errors (must be 0), p50/p99 latency, and the server's peak RSS, next to the
// latency floor of /healthz on the same server. Targets: p99 ≤ 50 ms, RSS ≤ 150 MB.
func BenchmarkArgoCDServeLoad(b *testing.B) {
	gito := buildBenchGito(b)
	env := gitserver.Env(b)
	start := time.Now()
	bare := gitserver.GenerateLargeRepo(b, filepath.Join(b.TempDir(), "large.git"), 6000, 1)
	b.Logf("2,000-service repo generated in %s", time.Since(start).Round(time.Millisecond))
	dir := b.TempDir()
	token := "bench-token"
	testutil.WriteFile(b, dir, "token", token+"\n")
	addrFile := filepath.Join(dir, "addr")
	cmd := exec.Command(gito, "serve", "--repo", bare, "--listen", "127.0.0.1:0", "--addr-file", addrFile, "--token-file", filepath.Join(dir, "token"), "--refresh", "1s")
	cmd.Env = append(env, "XDG_CACHE_HOME="+filepath.Join(dir, "cache"))
	log := &syncWriter{w: &bytes.Buffer{}}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	addr := waitServeReady(b, addrFile)
	b.Logf("first snapshot (clone + read 6,000 overlays) after %s", time.Since(start).Round(time.Millisecond))

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	commits := make(chan int, 1)
	go func() { // a release lands every second
		n := 0
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				commits <- n
				return
			case <-t.C:
				n++
				envName, svc := gitserver.LargeRepoOverlay(n * 7 % 6000)
				p := "overlays/" + envName + "/" + svc + "/kustomization.yaml"
				content := fmt.Sprintf("resources:\n  - ../../../base/%s\nimages:\n  - name: %s%s\n    newTag: v9.%d.0\n", svc, gitserver.LargeRepoRegistry, svc, n)
				gitserver.Commit(b, bare, "main", "release", map[string]string{p: content})
			}
		}
	}()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second}
	const clients, requests = 50, 5000
	floor := drive(client, clients, requests/5, func(int) (*http.Request, error) {
		return http.NewRequest(http.MethodGet, "http://"+addr+"/healthz", nil)
	})
	res := drive(client, clients, requests, func(i int) (*http.Request, error) {
		var filter string
		switch i % 10 {
		case 0:
			filter = `{}` // every overlay: 6,000 parameter maps
		case 1, 2, 3, 4:
			filter = `{"env":"prod"}`
		default:
			_, svc := gitserver.LargeRepoOverlay(i % 6000)
			filter = `{"service":"` + svc + `"}`
		}
		req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/getparams.execute",
			strings.NewReader(`{"applicationSetName":"bench","input":{"parameters":`+filter+`}}`))
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	})
	stop()
	landed := <-commits
	rss := peakRSS(b, cmd.Process.Pid)
	refreshed := strings.Count(log.String(), `"msg":"snapshot loaded"`)
	if res.errors > 0 {
		b.Errorf("%d of %d requests failed; first: %s", res.errors, requests, res.firstErr)
	}
	b.ReportMetric(float64(res.errors), "errors")
	b.ReportMetric(ms(res.p50), "p50-ms")
	b.ReportMetric(ms(res.p99), "p99-ms")
	b.ReportMetric(ms(floor.p50), "healthz-p50-ms")
	b.ReportMetric(ms(floor.p99), "healthz-p99-ms")
	b.ReportMetric(float64(res.p99)/float64(floor.p99), "p99-x-healthz")
	b.ReportMetric(float64(requests)/res.elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
	b.ReportMetric(float64(landed), "commits")
	b.ReportMetric(float64(refreshed), "snapshots")
}

type loadResult struct {
	errors    int
	firstErr  string
	p50, p99  time.Duration
	elapsed   time.Duration
	latencies []time.Duration
}

// drive sends total requests from n concurrent clients and collects latencies.
func drive(client *http.Client, n, total int, newReq func(i int) (*http.Request, error)) loadResult {
	var mu sync.Mutex
	var res loadResult
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				req, err := newReq(i)
				t0 := time.Now()
				var status int
				if err == nil {
					var resp *http.Response
					if resp, err = client.Do(req); err == nil {
						_, err = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						status = resp.StatusCode
					}
				}
				d := time.Since(t0)
				mu.Lock()
				res.latencies = append(res.latencies, d)
				if err != nil || status != http.StatusOK {
					res.errors++
					if res.firstErr == "" {
						res.firstErr = fmt.Sprintf("status %d, %v", status, err)
					}
				}
				mu.Unlock()
			}
		}()
	}
	for i := range total {
		next <- i
	}
	close(next)
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.latencies)
	res.p50 = res.latencies[len(res.latencies)*50/100]
	res.p99 = res.latencies[len(res.latencies)*99/100]
	return res
}

func waitServeReady(b *testing.B, addrFile string) string {
	b.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		data, err := os.ReadFile(addrFile)
		if err == nil && strings.HasSuffix(string(data), "\n") {
			addr := strings.TrimSpace(string(data))
			if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return addr
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatal("gito serve not ready within 5 minutes")
	return ""
}

// peakRSS reads the process's high-water resident set size (Linux).
func peakRSS(b *testing.B, pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Logf("peak RSS unknown: %v", err)
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// syncWriter lets the server's log be read while it is still being written.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}
