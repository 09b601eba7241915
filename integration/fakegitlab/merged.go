package fakegitlab

import "fmt"

// MergeMR records that merge request iid of the first project was merged as commit sha:
// state "merged", merge_commit_sha set. The caller has already merged in the git remote.
func (s *Server) MergeMR(iid int, sha string) error {
	return s.setState(iid, "merged", sha)
}

// CloseMR closes merge request iid of the first project without merging it.
func (s *Server) CloseMR(iid int) error { return s.setState(iid, "closed", "") }

func (s *Server) setState(iid int, state, sha string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.mrs {
		if m.ProjectID == s.opts.Projects[0].ID && m.IID == iid {
			if m.State != "opened" {
				return fmt.Errorf("fakegitlab: merge request !%d is %s", iid, m.State)
			}
			m.State, m.MergeSHA = state, sha
			return nil
		}
	}
	return fmt.Errorf("fakegitlab: no merge request !%d", iid)
}

// nullable renders "" as JSON null, as GitLab does for unset strings.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
