package fakegithub

import (
	"context"
	"fmt"
	"path"
	"strings"
)

// AwaitRequests blocks until the fake has received n requests whose method is method and
// whose path matches pattern (path.Match syntax), or ctx ends. Tests use it to act after the
// client has reached a point (say, polling a PR) without sleeping.
func (s *Server) AwaitRequests(ctx context.Context, method, pattern string, n int) error {
	for {
		s.mu.Lock()
		got := 0
		for _, r := range s.requests {
			// Patterns are API paths: the Enterprise prefix (/api/v3) is not part of them.
			p := strings.TrimPrefix(r.Path, s.opts.PathPrefix)
			if ok, _ := path.Match(pattern, p); ok && r.Method == method {
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
