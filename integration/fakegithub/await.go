package fakegithub

import (
	"context"
	"fmt"
	"path"
)

// AwaitRequests blocks until the fake has received n requests whose method is method and
// whose path matches pattern (path.Match syntax), or ctx ends. Tests use it to act after the
// client has reached a point (say, polling a PR) without sleeping.
func (s *Server) AwaitRequests(ctx context.Context, method, pattern string, n int) error {
	for {
		s.mu.Lock()
		got := 0
		for _, r := range s.requests {
			if ok, _ := path.Match(pattern, r.Path); ok && r.Method == method {
				got++
			}
		}
		if got >= n {
			s.mu.Unlock()
			return nil
		}
		if s.notify == nil {
			s.notify = make(chan struct{})
		}
		ch := s.notify
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return fmt.Errorf("fakegithub: %d of %d %s %s requests: %w", got, n, method, pattern, ctx.Err())
		case <-ch:
		}
	}
}

func (s *Server) notifyLocked() {
	if s.notify != nil {
		close(s.notify)
		s.notify = nil
	}
}
