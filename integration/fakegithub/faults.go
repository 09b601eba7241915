package fakegithub

import (
	"fmt"
	"net/http"
	"path"
	"strings"
)

type fault struct {
	method  string
	pattern string
	status  int
	headers map[string]string
	times   int
}

// FailNext makes the next `times` requests matching method ("" or "*" for any) and
// pathPattern (a path.Match glob such as "/repos/*/*/pulls", matched against the path with
// and without PathPrefix) fail with status and headers, before auth or state are touched —
// as a proxy or GitHub's rate limiter would. Rules are consumed in the order they were added.
// Status 0 closes the connection without an answer, as a server dying mid-request does.
func (s *Server) FailNext(method, pathPattern string, status int, headers map[string]string, times int) {
	if _, err := path.Match(pathPattern, ""); err != nil {
		panic(fmt.Sprintf("fakegithub: FailNext pattern %q: %v", pathPattern, err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := make(map[string]string, len(headers))
	for k, v := range headers {
		h[k] = v
	}
	s.faults = append(s.faults, &fault{method: method, pattern: pathPattern, status: status, headers: h, times: times})
}

func (s *Server) takeFaultLocked(method, p string) *fault {
	for _, f := range s.faults {
		if f.times <= 0 || (f.method != "" && f.method != "*" && !strings.EqualFold(f.method, method)) {
			continue
		}
		ok, _ := path.Match(f.pattern, p)
		if !ok && s.opts.PathPrefix != "" {
			ok, _ = path.Match(f.pattern, strings.TrimPrefix(p, s.opts.PathPrefix))
		}
		if ok {
			f.times--
			return f
		}
	}
	return nil
}

func (f *fault) reply() reply {
	rep := message(f.status, http.StatusText(f.status))
	switch {
	case f.status == http.StatusTooManyRequests || f.status == http.StatusForbidden:
		rep = jsonReply(f.status, map[string]any{
			"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
		})
	case f.status >= 500:
		rep = message(f.status, "Server Error")
	}
	rep.header = http.Header{}
	for k, v := range f.headers {
		rep.header.Set(k, v)
	}
	return rep
}
