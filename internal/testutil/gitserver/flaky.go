package gitserver

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// Health is how a Flaky remote answers.
type Health int32

const (
	Healthy Health = iota // serves git
	Silent                // accepts each request and never answers, as a hung remote does
	Failing               // answers 503
)

// Flaky is a smart-HTTP git remote on 127.0.0.1 whose health the test sets: it hangs, fails
// and recovers. A request hung while Silent stays hung after Set(Healthy), as one on a dead
// connection would, until its client gives up or the test ends; Restart cuts it.
type Flaky struct {
	URL    string // a repository at bareRoot/NAME.git is URL + "/NAME.git"
	health atomic.Int32
	next   http.Handler
	hung   chan struct{}
	served chan struct{}
	end    chan struct{}

	mu      sync.Mutex
	restart chan struct{} // closed by Restart
}

// ServeFlaky serves the bare repositories under bareRoot, healthy at first.
func ServeFlaky(tb testing.TB, bareRoot string) *Flaky {
	tb.Helper()
	f := &Flaky{next: NewHandler(tb, bareRoot, nil), hung: make(chan struct{}, 1), served: make(chan struct{}, 1), end: make(chan struct{}), restart: make(chan struct{})}
	srv := httptest.NewServer(f)
	tb.Cleanup(srv.Close)
	tb.Cleanup(func() { close(f.end) }) // runs first: hung handlers return, so Close can
	f.URL = srv.URL
	return f
}

// Set changes how the following requests are answered. Becoming Healthy forgets earlier
// requests: Served then says when the first one after the recovery arrives.
func (f *Flaky) Set(h Health) {
	if h == Healthy {
		select {
		case <-f.served:
		default:
		}
	}
	f.health.Store(int32(h))
}

// Restart makes the remote healthy and cuts the requests hung until then, as a server that
// restarts drops its connections.
func (f *Flaky) Restart() {
	f.mu.Lock()
	close(f.restart)
	f.restart = make(chan struct{})
	f.mu.Unlock()
	f.Set(Healthy)
}

// Served receives when a request reaches the healthy remote (at most one is buffered).
func (f *Flaky) Served() <-chan struct{} { return f.served }

// Hung receives when a request starts hanging (at most one is buffered).
func (f *Flaky) Hung() <-chan struct{} { return f.hung }

func (f *Flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch Health(f.health.Load()) {
	case Silent:
		f.mu.Lock()
		restart := f.restart
		f.mu.Unlock()
		select {
		case f.hung <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-f.end:
		case <-restart:
			panic(http.ErrAbortHandler) // the connection closes without an answer
		}
	case Failing:
		http.Error(w, "remote unavailable", http.StatusServiceUnavailable)
	default:
		select {
		case f.served <- struct{}{}:
		default:
		}
		f.next.ServeHTTP(w, r)
	}
}
