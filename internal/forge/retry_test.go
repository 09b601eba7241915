package forge

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// scripted answers RoundTrip from a list of responses and records what each attempt sent.
type scripted struct {
	mu        sync.Mutex
	responses []*http.Response
	bodies    []string
	closed    int
}

func (s *scripted) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var body string
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		body = string(b)
		_ = req.Body.Close()
	}
	s.bodies = append(s.bodies, body)
	if len(s.responses) == 0 {
		return nil, errors.New("scripted: no response left")
	}
	resp := s.responses[0]
	s.responses = s.responses[1:]
	resp.Request = req
	resp.Body = &trackedBody{Reader: strings.NewReader(http.StatusText(resp.StatusCode)), onClose: func() {
		s.mu.Lock()
		s.closed++
		s.mu.Unlock()
	}}
	return resp, nil
}

type trackedBody struct {
	io.Reader
	onClose func()
}

func (b *trackedBody) Close() error { b.onClose(); return nil }

func respond(status int, headers ...string) *http.Response {
	h := http.Header{}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Set(headers[i], headers[i+1])
	}
	return &http.Response{StatusCode: status, Header: h}
}

type sleepRecorder struct {
	mu     sync.Mutex
	waits  []time.Duration
	result error
}

func (r *sleepRecorder) sleep(_ context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits = append(r.waits, d)
	return r.result
}

var fixedNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func TestRetryTransport(t *testing.T) {
	t.Parallel()
	resetIn := func(d time.Duration) string { return fmtUnix(fixedNow.Add(d)) }
	tests := []struct {
		name       string
		maxWait    time.Duration
		attempts   int
		responses  []*http.Response
		wantStatus int
		wantWaits  []time.Duration
	}{
		{"502 then success", 0, 0, []*http.Response{respond(502), respond(201)}, 201, []time.Duration{time.Second}},
		{"500 503 504 then success", 0, 0, []*http.Response{respond(500), respond(503), respond(504), respond(200)}, 200, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		{"gives up after max attempts", 0, 3, []*http.Response{respond(503), respond(503), respond(503)}, 503, []time.Duration{time.Second, 2 * time.Second}},
		{"backoff capped at MaxWait", 3 * time.Second, 5, []*http.Response{respond(502), respond(502), respond(502), respond(502), respond(200)}, 200, []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second}},
		{"429 Retry-After seconds", 0, 0, []*http.Response{respond(429, "Retry-After", "7"), respond(200)}, 200, []time.Duration{7 * time.Second}},
		{"429 Retry-After HTTP date", 0, 0, []*http.Response{respond(429, "Retry-After", fixedNow.Add(20*time.Second).Format(http.TimeFormat)), respond(200)}, 200, []time.Duration{20 * time.Second}},
		{"Retry-After date in the past waits nothing", 0, 0, []*http.Response{respond(503, "Retry-After", fixedNow.Add(-time.Minute).Format(http.TimeFormat)), respond(200)}, 200, []time.Duration{0}},
		{"403 secondary limit with Retry-After", 0, 0, []*http.Response{respond(403, "Retry-After", "3"), respond(200)}, 200, []time.Duration{3 * time.Second}},
		{"403 remaining 0 waits for x-ratelimit-reset", 0, 0, []*http.Response{respond(403, "X-Ratelimit-Remaining", "0", "X-Ratelimit-Reset", resetIn(12*time.Second)), respond(200)}, 200, []time.Duration{12 * time.Second}},
		{"429 GitLab RateLimit-Reset", 0, 0, []*http.Response{respond(429, "RateLimit-Reset", resetIn(5*time.Second)), respond(200)}, 200, []time.Duration{5 * time.Second}},
		{"502 ignores the hourly x-ratelimit-reset", 0, 0, []*http.Response{respond(502, "X-Ratelimit-Remaining", "4000", "X-Ratelimit-Reset", resetIn(time.Hour)), respond(200)}, 200, []time.Duration{time.Second}},
		{"Retry-After longer than MaxWait is returned as is", 0, 0, []*http.Response{respond(429, "Retry-After", "120")}, 429, nil},
		{"reset beyond MaxWait is returned as is", 10 * time.Second, 0, []*http.Response{respond(403, "X-Ratelimit-Remaining", "0", "X-Ratelimit-Reset", resetIn(time.Hour))}, 403, nil},
		{"plain 403 is not retried", 0, 0, []*http.Response{respond(403)}, 403, nil},
		{"404 is not retried", 0, 0, []*http.Response{respond(404)}, 404, nil},
		{"422 is not retried", 0, 0, []*http.Response{respond(422)}, 422, nil},
		{"401 is not retried", 0, 0, []*http.Response{respond(401)}, 401, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := &scripted{responses: tt.responses}
			rec := &sleepRecorder{}
			rt := NewRetryTransport(base, RetryOptions{MaxAttempts: tt.attempts, MaxWait: tt.maxWait, Sleep: rec.sleep, Now: func() time.Time { return fixedNow }})
			// A body without GetBody: the transport must buffer it itself.
			req, err := http.NewRequest(http.MethodPost, "https://api.example.test/repos/a/b/pulls", io.NopCloser(strings.NewReader(`{"title":"x"}`)))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatalf("RoundTrip: %v", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if !slices.Equal(rec.waits, tt.wantWaits) {
				t.Errorf("waits = %v, want %v", rec.waits, tt.wantWaits)
			}
			if len(base.responses) != 0 {
				t.Errorf("%d scripted responses unused", len(base.responses))
			}
			for i, b := range base.bodies {
				if b != `{"title":"x"}` {
					t.Errorf("attempt %d sent body %q, want the original", i+1, b)
				}
			}
			if base.closed != len(base.bodies)-1 {
				t.Errorf("closed %d discarded responses, want %d", base.closed, len(base.bodies)-1)
			}
			if body, _ := io.ReadAll(resp.Body); len(body) == 0 {
				t.Error("returned response has lost its body")
			}
		})
	}
}

func fmtUnix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// TestRetryTransportReplaysPOSTOverHTTP sends a real POST through net/http twice: the
// server must see the whole body on the retry, which fails if the body is not replayed.
func TestRetryTransportReplaysPOSTOverHTTP(t *testing.T) {
	t.Parallel()
	var (
		mu     sync.Mutex
		bodies []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		n := len(bodies)
		mu.Unlock()
		if n == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(srv.Close)

	rec := &sleepRecorder{}
	client := &http.Client{Transport: NewRetryTransport(srv.Client().Transport, RetryOptions{Sleep: rec.sleep})}
	payload := bytes.Repeat([]byte("gito"), 10000) // larger than any single read
	for _, withGetBody := range []bool{true, false} {
		mu.Lock()
		bodies = nil
		mu.Unlock()
		var body io.Reader = bytes.NewReader(payload)
		if !withGetBody {
			body = io.MultiReader(bytes.NewReader(payload)) // hides the type: no GetBody
		}
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/pulls", body)
		if err != nil {
			t.Fatal(err)
		}
		if (req.GetBody != nil) != withGetBody {
			t.Fatalf("GetBody set = %v, want %v", req.GetBody != nil, withGetBody)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("GetBody=%v: status %d, want 201", withGetBody, resp.StatusCode)
		}
		mu.Lock()
		if len(bodies) != 2 || bodies[0] != string(payload) || bodies[1] != string(payload) {
			t.Errorf("GetBody=%v: server saw %d bodies, lengths %v", withGetBody, len(bodies), lengths(bodies))
		}
		mu.Unlock()
	}
}

func lengths(ss []string) []int {
	out := make([]int, len(ss))
	for i, s := range ss {
		out[i] = len(s)
	}
	return out
}

func TestRetryTransportContext(t *testing.T) {
	t.Parallel()
	t.Run("cancelled during the wait", func(t *testing.T) {
		t.Parallel()
		base := &scripted{responses: []*http.Response{respond(503), respond(200)}}
		rec := &sleepRecorder{result: context.Canceled}
		rt := NewRetryTransport(base, RetryOptions{Sleep: rec.sleep})
		req, _ := http.NewRequest(http.MethodGet, "https://api.example.test/", nil)
		resp, err := rt.RoundTrip(req)
		if !errors.Is(err, context.Canceled) || resp != nil {
			t.Fatalf("RoundTrip = %v, %v; want nil, context.Canceled", resp, err)
		}
		if len(base.bodies) != 1 {
			t.Errorf("%d attempts, want 1", len(base.bodies))
		}
		if base.closed != 1 {
			t.Error("the discarded 503 was not closed")
		}
	})
	t.Run("cancelled before the first attempt", func(t *testing.T) {
		t.Parallel()
		base := &scripted{responses: []*http.Response{respond(200)}}
		rt := NewRetryTransport(base, RetryOptions{})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.example.test/", nil)
		if _, err := rt.RoundTrip(req); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if len(base.bodies) != 0 {
			t.Errorf("%d attempts after cancel, want 0", len(base.bodies))
		}
	})
	t.Run("default sleep returns when the context ends", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		// An hour-long wait that returns at once proves the timer is context-aware.
		if err := sleepContext(ctx, time.Hour); !errors.Is(err, context.Canceled) {
			t.Fatalf("sleepContext = %v, want context.Canceled", err)
		}
		if err := sleepContext(t.Context(), 0); err != nil {
			t.Fatalf("zero wait: %v", err)
		}
	})
	t.Run("transport errors are returned, not retried", func(t *testing.T) {
		t.Parallel()
		base := &scripted{} // no responses: every attempt errors
		rec := &sleepRecorder{}
		rt := NewRetryTransport(base, RetryOptions{Sleep: rec.sleep})
		req, _ := http.NewRequest(http.MethodGet, "https://api.example.test/", nil)
		if _, err := rt.RoundTrip(req); err == nil {
			t.Fatal("want the transport error")
		}
		if len(base.bodies) != 1 || len(rec.waits) != 0 {
			t.Errorf("attempts %d, waits %v; want 1 attempt and no wait", len(base.bodies), rec.waits)
		}
	})
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"0", 0, true},
		{"17", 17 * time.Second, true},
		{" 5 ", 5 * time.Second, true},
		{fixedNow.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"", 0, false},
		{"-3", 0, false},
		{"soon", 0, false},
		{"99999999999999999", secondsDuration(99999999999999999), true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, fixedNow)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

// Item 5: each attempt has its own deadline, which covers reading the body but not the waits
// between attempts; a server that never answers is reported as such.
func TestRetryAttemptTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hang" {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		w.Write([]byte("body read after RoundTrip returned"))
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	client := &http.Client{Transport: NewRetryTransport(srv.Client().Transport, RetryOptions{AttemptTimeout: 100 * time.Millisecond})}

	_, err := client.Get(srv.URL + "/hang")
	if err == nil || !strings.Contains(err.Error(), "no answer within 100ms") {
		t.Fatalf("hung server: err = %v", err)
	}
	resp, err := client.Get(srv.URL + "/ok")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(body) != "body read after RoundTrip returned" {
		t.Errorf("body = %q, %v", body, err)
	}
}

// L1: a connection that closes unanswered is said to be that, at once, and never a timeout
// the attempt did not wait for; the attempt's own deadline is.
func TestDroppedConnectionIsNotATimeout(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: NewRetryTransport(srv.Client().Transport, RetryOptions{AttemptTimeout: time.Minute})}
	_, err := client.Post(srv.URL+"/pulls", "application/json", strings.NewReader("{}"))
	ne := AsNetError(err)
	if ne == nil || ne.Error() != "the connection closed without an answer" || strings.Contains(err.Error(), "no answer within") {
		t.Errorf("err = %v (NetError %v), want the connection closed without an answer", err, ne)
	}

	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	client = &http.Client{Transport: NewRetryTransport(slow.Client().Transport, RetryOptions{AttemptTimeout: 50 * time.Millisecond})}
	_, err = client.Get(slow.URL)
	if ne := AsNetError(err); ne == nil || ne.Error() != "no answer within 50ms" {
		t.Errorf("err = %v, want no answer within 50ms", err)
	}
}
