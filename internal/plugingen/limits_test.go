package plugingen

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"
)

// A client that sends a new filter with every request must not grow the heap: the answers
// of one snapshot are cached up to a number of entries and of bytes.
func TestAnswerCacheIsBounded(t *testing.T) {
	t.Parallel()
	snap := *testSnapshot
	snap.encoded, snap.encoding = newAnswerCache(), &singleflight.Group{}
	pad := strings.Repeat("x", 200)
	for i := range 3 * maxCachedAnswers {
		if _, err := snap.Answer(fmt.Sprintf("svc-%d-%s", i, pad), "", ""); err != nil {
			t.Fatal(err)
		}
	}
	full, err := snap.Answer("", "", "")
	if err != nil {
		t.Fatal(err)
	}
	n, size := cacheSize(&snap)
	if n > maxCachedAnswers || size > maxCachedBytes {
		t.Errorf("cache holds %d answers, %d bytes; bounds are %d answers, %d bytes", n, size, maxCachedAnswers, maxCachedBytes)
	}
	// The most recent answer is still cached, and still right.
	if again, _ := snap.Answer("", "", ""); &again[0] != &full[0] {
		t.Error("the most recently used answer was not kept")
	}
}

// Filters are names; a parameter far larger than any name is refused, naming it, before it
// reaches the cache.
func TestOversizedParametersAreRefused(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, fixed(testSnapshot))
	if err := ts.store.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	var many []string
	for i := range 10 {
		many = append(many, fmt.Sprintf(`"p%d":"%s"`, i, strings.Repeat("v", 10<<10)))
	}
	tests := []struct {
		name, params, want string
	}{
		{"900 KB service", `{"service":"` + strings.Repeat("a", 900<<10) + `"}`, `input parameter "service"`},
		{"long env", `{"env":"` + strings.Repeat("e", maxFilterParam+1) + `"}`, `input parameter "env"`},
		{"long branch", `{"branch":"gito/prod/` + strings.Repeat("b", maxFilterParam) + `"}`, `input parameter "branch"`},
		{"large other parameter", `{"values":["` + strings.Repeat("z", maxParam) + `"]}`, `input parameter "values"`},
		{"large parameters in total", `{` + strings.Join(many, ",") + `}`, "input parameters"},
	}
	for _, tc := range tests {
		code, _, out := ts.params(t, `{"applicationSetName":"x","input":{"parameters":`+tc.params+`}}`)
		msg, _ := out["error"].(string)
		if code != http.StatusBadRequest || !strings.Contains(msg, tc.want) || len(msg) > 200 {
			t.Errorf("%s: %d %.300q, want 400 naming %s in one short line", tc.name, code, msg, tc.want)
		}
	}
	// Names of ordinary length still pass.
	if code, params, out := ts.params(t, `{"input":{"parameters":{"service":"api","env":"prod","branch":null,"note":"`+strings.Repeat("n", 1000)+`"}}}`); code != 200 || len(params) != 1 {
		t.Errorf("ordinary filter: %d %v", code, out)
	}
}

// Trailing data after the JSON object is not a request Argo CD sends: refused.
func TestTrailingDataIsRefused(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, fixed(testSnapshot))
	if err := ts.store.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	good := `{"input":{"parameters":{"env":"prod"}}}`
	for _, body := range []string{good + `{"input":{}}`, good + "garbage", good + `[1]`, good + " 3"} {
		code, _, out := ts.params(t, body)
		if msg, _ := out["error"].(string); code != 400 || !strings.Contains(msg, "trailing data after the JSON object") {
			t.Errorf("%q: %d %v, want 400 trailing data", body, code, out)
		}
	}
	if code, _, out := ts.params(t, good+"\n\t \n"); code != 200 {
		t.Errorf("trailing whitespace: %d %v", code, out)
	}
}

// A body that arrives too slowly gets its own answer, which names no socket address.
func TestSlowBodyTimesOut(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, fixed(testSnapshot))
	if err := ts.store.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	tok, err := OpenTokenFile(ts.file)
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Store: ts.store, Token: tok}
	srv := httptest.NewUnstartedServer(h.New(prometheus.NewRegistry()))
	srv.Config = NewServer(srv.Config.Handler, slog.New(slog.DiscardHandler))
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// Headers and half the body; the rest never comes.
	body := `{"input":{"parameters":{"env":"prod"}}}`
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		Path, ts.token, len(body), body[:10])
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(data), "request body") {
		t.Errorf("slow body: %d %s, want 408 about the request body", resp.StatusCode, data)
	}
	for _, leak := range []string{"127.0.0.1", "tcp", "i/o timeout"} {
		if strings.Contains(string(data), leak) {
			t.Errorf("the answer leaks %q: %s", leak, data)
		}
	}
}

func cacheSize(s *Snapshot) (n, size int) { return s.encoded.size() }
