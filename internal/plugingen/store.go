package plugingen

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// Loader builds the next snapshot from the previous one (nil at first).
type Loader func(ctx context.Context, prev *Snapshot) (*Snapshot, error)

// Store holds the snapshot requests are answered from. A refresh builds the next one aside
// and swaps it in; a failed refresh keeps the last good one and is remembered as stale.
type Store struct {
	load   Loader
	log    *slog.Logger
	group  singleflight.Group
	snap   atomic.Pointer[Snapshot]
	onFail func() // counts refresh failures (metrics)

	mu      sync.Mutex
	lastErr error
}

// NewStore wraps load. log may be nil.
func NewStore(load Loader, log *slog.Logger) *Store {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{load: load, log: log}
}

// Snapshot is the current snapshot, nil until the first load succeeds.
func (s *Store) Snapshot() *Snapshot { return s.snap.Load() }

// Err is the error of the last refresh, nil when it succeeded.
func (s *Store) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}

// Refresh loads the next snapshot. Concurrent calls share one load: one fetch at a time.
func (s *Store) Refresh(ctx context.Context) error {
	_, err, _ := s.group.Do("refresh", func() (any, error) {
		start := time.Now()
		next, err := s.load(ctx, s.snap.Load())
		s.mu.Lock()
		s.lastErr = err
		s.mu.Unlock()
		if err != nil {
			if s.onFail != nil {
				s.onFail()
			}
			s.log.Warn("refresh failed; serving the last snapshot", "error", err.Error())
			return nil, err
		}
		prev := s.snap.Swap(next)
		if prev == nil || prev.Commit != next.Commit || len(prev.Pending) != len(next.Pending) {
			s.log.Info("snapshot loaded", "base", next.Base, "commit", next.Commit, "overlays", len(next.Params), "pending", len(next.Pending), "took", time.Since(start).String())
		}
		return nil, nil
	})
	return err
}

// Run refreshes every interval until ctx ends. The first load happens at once.
func (s *Store) Run(ctx context.Context, interval time.Duration) {
	_ = s.Refresh(ctx)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = s.Refresh(ctx)
		}
	}
}
