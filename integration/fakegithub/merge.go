package fakegithub

import "fmt"

// MergePR records that pull request number was merged as commit sha, as GitHub reports it:
// state "closed", merged true, merge_commit_sha set. The caller has already made the merge
// in the git remote; the fake only keeps API state.
func (s *Server) MergePR(number int, sha string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.findLocked(number)
	if p == nil {
		return fmt.Errorf("fakegithub: no pull request #%d", number)
	}
	if p.State != "open" {
		return fmt.Errorf("fakegithub: pull request #%d is %s", number, p.State)
	}
	p.State, p.Merged, p.MergeSHA = "closed", true, sha
	return nil
}

// nullable renders "" as JSON null, as GitHub does for unset strings.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
