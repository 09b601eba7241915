package plugingen

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// Loader builds the next snapshot from the previous one (nil at first).
type Loader func(ctx context.Context, prev *Snapshot) (*Snapshot, error)

// FirstLoadTimeout bounds the first load, which clones: a large repository takes longer
// than a refresh should.
const FirstLoadTimeout = 10 * time.Minute

// Store holds the snapshot requests are answered from. A refresh builds the next one aside
// and swaps it in; a failed refresh keeps the last good one and is remembered as stale.
type Store struct {
	load   Loader
	log    *slog.Logger
	group  singleflight.Group
	snap   atomic.Pointer[Snapshot]
	onFail func()           // counts refresh failures (metrics)
	now    func() time.Time // set with the handler's clock before Run starts
	ended  func(error)      // tests: sees each refresh's outcome once it is recorded

	mu     sync.Mutex
	status RefreshStatus
}

// RefreshStatus is what /readyz says about the refresh loop.
type RefreshStatus struct {
	Err          error     // of the last refresh, nil when it succeeded
	FailingSince time.Time // the first failure since the last success
	RunningSince time.Time // start of the refresh in flight; zero when none is
}

// NewStore wraps load. log may be nil.
func NewStore(load Loader, log *slog.Logger) *Store {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{load: load, log: log, now: time.Now}
}

// Snapshot is the current snapshot, nil until the first load succeeds.
func (s *Store) Snapshot() *Snapshot { return s.snap.Load() }

// Err is the error of the last refresh, nil when it succeeded.
func (s *Store) Err() error { return s.Status().Err }

// Status reports the last refresh's outcome and the one in flight.
func (s *Store) Status() RefreshStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Refresh loads the next snapshot. Concurrent calls share one load: one fetch at a time.
func (s *Store) Refresh(ctx context.Context) error { return s.refresh(ctx, 0) }

// refresh is Refresh within timeout (0: none). The deadline ends the git processes of the
// load, so a remote that accepts the connection and stays silent fails this refresh instead
// of stopping every later one.
func (s *Store) refresh(ctx context.Context, timeout time.Duration) error {
	_, err, _ := s.group.Do("refresh", func() (any, error) {
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		start := s.now()
		s.mu.Lock()
		s.status.RunningSince = start
		s.mu.Unlock()
		next, err := s.load(ctx, s.snap.Load())
		if err != nil && ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("refresh stopped after %s: %w", timeout, err)
		}
		s.mu.Lock()
		s.status.Err, s.status.RunningSince = err, time.Time{}
		switch {
		case err == nil:
			s.status.FailingSince = time.Time{}
		case s.status.FailingSince.IsZero():
			s.status.FailingSince = start
		}
		s.mu.Unlock()
		if s.ended != nil {
			defer s.ended(err)
		}
		if err != nil {
			if s.onFail != nil {
				s.onFail()
			}
			s.log.Warn("refresh failed; serving the last snapshot", "error", err.Error())
			return nil, err
		}
		prev := s.snap.Swap(next)
		if prev == nil || prev.Commit != next.Commit || len(prev.Pending) != len(next.Pending) {
			s.log.Info("snapshot loaded", "base", next.Base, "commit", next.Commit, "overlays", len(next.Params), "pending", len(next.Pending), "took", s.now().Sub(start).String())
		}
		return nil, nil
	})
	return err
}

// Run refreshes every interval until ctx ends. The first load happens at once. Each refresh
// gets timeout; the first, which clones, at least FirstLoadTimeout. A refresh that runs past
// a tick delays the next one, never skips it.
func (s *Store) Run(ctx context.Context, interval, timeout time.Duration) {
	_ = s.refresh(ctx, max(timeout, FirstLoadTimeout))
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			limit := timeout
			if s.Snapshot() == nil {
				limit = max(timeout, FirstLoadTimeout)
			}
			_ = s.refresh(ctx, limit)
		}
	}
}
