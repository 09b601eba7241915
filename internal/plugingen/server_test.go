package plugingen

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var testSnapshot = &Snapshot{
	Base: "main", Commit: "c0ffee",
	Params: []Param{
		{Service: "api", Env: "prod", Version: "v2", Digest: "sha256:aa", Image: "r/api", Path: "overlays/prod/api", Commit: "c0ffee", Signed: true},
		{Service: "api", Env: "staging", Version: "v3", Image: "r/api", Path: "overlays/staging/api", Commit: "c0ffee"},
		{Service: "web", Env: "prod", Version: "v1", Image: "r/web", Path: "overlays/prod/web", Commit: "c0ffee", Signed: true},
	},
	Pending: map[string]Param{
		"gito/prod/api": {Service: "api", Env: "prod", Version: "v4", Image: "r/api", Path: "overlays/prod/api", Commit: "beef", Signed: true},
	},
}

type testServer struct {
	url   string
	store *Store
	token string
	file  string
	now   time.Time
}

// newTestServer serves h over a real loopback listener; load decides what refreshes return.
func newTestServer(t *testing.T, load Loader) *testServer {
	t.Helper()
	dir := t.TempDir()
	ts := &testServer{token: "s3cret", file: filepath.Join(dir, "token"), now: time.Unix(1_800_000_000, 0)}
	if err := os.WriteFile(ts.file, []byte(ts.token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := OpenTokenFile(ts.file)
	if err != nil {
		t.Fatal(err)
	}
	ts.store = NewStore(load, nil)
	h := &Handler{Store: ts.store, Token: tok, StaleAfter: time.Minute, Now: func() time.Time { return ts.now }}
	srv := httptest.NewServer(h.New(prometheus.NewRegistry()))
	t.Cleanup(srv.Close)
	ts.url = srv.URL
	return ts
}

func fixed(s *Snapshot) Loader {
	return func(context.Context, *Snapshot) (*Snapshot, error) { return s, nil }
}

func (ts *testServer) do(t *testing.T, method, path, auth, contentType string, body io.Reader) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, ts.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); path != "/metrics" && ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	var out map[string]any
	if path != "/metrics" {
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("%s %s: body is not JSON: %q", method, path, data)
		}
	} else {
		out = map[string]any{"text": string(data)}
	}
	return resp.StatusCode, out
}

func (ts *testServer) params(t *testing.T, body string) (int, []Param, map[string]any) {
	t.Helper()
	code, out := ts.do(t, http.MethodPost, Path, "Bearer "+ts.token, "application/json", strings.NewReader(body))
	var params []Param
	if o, ok := out["output"].(map[string]any); ok {
		raw, _ := json.Marshal(o["parameters"])
		if err := json.Unmarshal(raw, &params); err != nil {
			t.Fatal(err)
		}
	}
	return code, params, out
}

func TestGetParamsFilters(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, fixed(testSnapshot))
	if err := ts.store.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		body string
		want []string // service/env/version
	}{
		{`{"applicationSetName":"x","input":{"parameters":{}}}`, []string{"api/prod/v2", "api/staging/v3", "web/prod/v1"}},
		{`{"applicationSetName":"x"}`, []string{"api/prod/v2", "api/staging/v3", "web/prod/v1"}},
		{`{"input":{"parameters":{"service":"api"}}}`, []string{"api/prod/v2", "api/staging/v3"}},
		{`{"input":{"parameters":{"env":"prod"}}}`, []string{"api/prod/v2", "web/prod/v1"}},
		{`{"input":{"parameters":{"service":"api","env":"prod","other":[1,2]}}}`, []string{"api/prod/v2"}},
		{`{"input":{"parameters":{"branch":"gito/prod/api"}}}`, []string{"api/prod/v4"}},
		{`{"input":{"parameters":{"branch":"gito/prod/api","env":"staging"}}}`, nil},
		{`{"input":{"parameters":{"branch":"gito/dev/nothing"}}}`, nil},
		{`{"input":{"parameters":{"service":"nope"}}}`, nil},
	}
	for _, tc := range tests {
		code, params, raw := ts.params(t, tc.body)
		if code != http.StatusOK {
			t.Errorf("%s: status %d %v", tc.body, code, raw)
			continue
		}
		if p, ok := raw["output"].(map[string]any)["parameters"].([]any); !ok || p == nil {
			t.Errorf("%s: parameters must be a JSON array, got %v", tc.body, raw)
		}
		var got []string
		for _, p := range params {
			got = append(got, p.Service+"/"+p.Env+"/"+p.Version)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: got %v, want %v", tc.body, got, tc.want)
		}
	}
	_, params, _ := ts.params(t, `{"input":{"parameters":{"service":"api","env":"prod"}}}`)
	want := testSnapshot.Params[0]
	if len(params) != 1 || params[0] != want {
		t.Errorf("param = %+v, want %+v", params, want)
	}
}

func TestGetParamsRefusals(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, fixed(testSnapshot))
	if err := ts.store.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	good := `{"applicationSetName":"x","input":{"parameters":{}}}`
	big := `{"applicationSetName":"` + strings.Repeat("a", 5<<20) + `"}`
	tests := []struct {
		name, method, path, auth, ctype, body string
		code                                  int
	}{
		{"no token", "POST", Path, "", "application/json", good, 403},
		{"wrong token", "POST", Path, "Bearer nope", "application/json", good, 403},
		{"token prefix", "POST", Path, "Bearer s3cre", "application/json", good, 403},
		{"token without Bearer", "POST", Path, "s3cret", "application/json", good, 403},
		{"basic auth", "POST", Path, "Basic czNjcmV0", "application/json", good, 403},
		{"malformed JSON", "POST", Path, "Bearer s3cret", "application/json", `{"input":`, 400},
		{"not an object", "POST", Path, "Bearer s3cret", "application/json", `[1]`, 400},
		{"non-string filter", "POST", Path, "Bearer s3cret", "application/json", `{"input":{"parameters":{"env":3}}}`, 400},
		{"5 MiB body", "POST", Path, "Bearer s3cret", "application/json", big, 413},
		{"trailing data past the cap", "POST", Path, "Bearer s3cret", "application/json", good + strings.Repeat(" ", 2<<20), 413},
		{"wrong type", "POST", Path, "Bearer s3cret", "text/xml", good, 415},
		{"GET", "GET", Path, "Bearer s3cret", "", "", 405},
		{"PUT", "PUT", Path, "Bearer s3cret", "application/json", good, 405},
		{"unknown path", "POST", "/api/v1/other", "Bearer s3cret", "application/json", good, 404},
	}
	for _, tc := range tests {
		var body io.Reader
		if tc.body != "" {
			body = strings.NewReader(tc.body)
		}
		code, out := ts.do(t, tc.method, tc.path, tc.auth, tc.ctype, body)
		if code != tc.code {
			t.Errorf("%s: status %d, want %d (%v)", tc.name, code, tc.code, out)
		}
		if _, ok := out["output"]; ok || out["error"] == "" || out["code"] != float64(tc.code) {
			t.Errorf("%s: body %v, want only a JSON error", tc.name, out)
		}
		if strings.Contains(out["error"].(string), ts.token) {
			t.Errorf("%s: the error echoes the token", tc.name)
		}
	}
}

func TestTokenRotation(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, fixed(testSnapshot))
	if err := ts.store.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	body := `{"input":{"parameters":{}}}`
	post := func(tok string) int {
		code, _ := ts.do(t, "POST", Path, "Bearer "+tok, "application/json", strings.NewReader(body))
		return code
	}
	if post("s3cret") != 200 {
		t.Fatal("first token refused")
	}
	// Kubernetes swaps a symlink; a plain rename is the same to os.Stat.
	tmp := ts.file + ".new"
	if err := os.WriteFile(tmp, []byte("rotated-token-longer\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, ts.file); err != nil {
		t.Fatal(err)
	}
	if got := post("s3cret"); got != 403 {
		t.Errorf("old token after rotation: %d, want 403", got)
	}
	if got := post("rotated-token-longer"); got != 200 {
		t.Errorf("new token after rotation: %d, want 200", got)
	}
	if err := os.WriteFile(ts.file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := post(""); got != 403 {
		t.Errorf("empty token file admitted an empty token: %d", got)
	}
	if err := os.Remove(ts.file); err != nil {
		t.Fatal(err)
	}
	if got := post("rotated-token-longer"); got != 403 {
		t.Errorf("removed token file still admits: %d", got)
	}
}

func TestReadinessAndStaleSnapshot(t *testing.T) {
	t.Parallel()
	fail := errors.New("fetch origin: repository gone")
	var next error
	var ts *testServer
	ts = newTestServer(t, func(ctx context.Context, prev *Snapshot) (*Snapshot, error) {
		if next != nil {
			return nil, next
		}
		s := *testSnapshot
		s.LoadedAt = ts.now
		return &s, nil
	})
	code, out := ts.do(t, "GET", "/readyz", "", "", nil)
	if code != 503 || out["status"] != "loading" {
		t.Errorf("before the first load: %d %v", code, out)
	}
	if code, _, _ := ts.params(t, `{}`); code != 503 {
		t.Errorf("getparams before the first load: %d, want 503", code)
	}
	if code, out := ts.do(t, "GET", "/healthz", "", "", nil); code != 200 || out["status"] != "ok" {
		t.Errorf("healthz: %d %v", code, out)
	}
	if err := ts.store.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if code, out := ts.do(t, "GET", "/readyz", "", "", nil); code != 200 || out["status"] != "ready" {
		t.Errorf("after a load: %d %v", code, out)
	}

	next = fail
	if err := ts.store.Refresh(t.Context()); !errors.Is(err, fail) {
		t.Fatalf("refresh err = %v", err)
	}
	code, out = ts.do(t, "GET", "/readyz", "", "", nil)
	if code != 200 || out["status"] != "stale" || !strings.Contains(out["error"].(string), "repository gone") {
		t.Errorf("after a failed refresh: %d %v", code, out)
	}
	if code, params, _ := ts.params(t, `{}`); code != 200 || len(params) != 3 {
		t.Errorf("the last snapshot is not served: %d %v", code, params)
	}
	_, metrics := ts.do(t, "GET", "/metrics", "", "", nil)
	for _, want := range []string{
		"gito_serve_refresh_failures_total 1",
		`gito_serve_requests_total{code="200",handler="getparams",method="post"}`,
		`gito_serve_requests_total{code="503",handler="readyz",method="get"} 1`,
		"gito_serve_snapshot_age_seconds",
		"gito_serve_request_duration_seconds_bucket",
	} {
		if !strings.Contains(metrics["text"].(string), want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	next = nil
	ts.now = ts.now.Add(2 * time.Minute) // past StaleAfter without a new load
	if code, out := ts.do(t, "GET", "/readyz", "", "", nil); code != 200 || out["status"] != "stale" {
		t.Errorf("an old snapshot: %d %v", code, out)
	}
}
