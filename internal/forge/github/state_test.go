package github_test

import (
	"testing"

	"github.com/gito-dev/gito/integration/fakegithub"
	"github.com/gito-dev/gito/internal/forge"
)

func TestGetPRReportsMergedAndClosed(t *testing.T) {
	t.Parallel()
	s := newSetup(t, fakegithub.Options{})
	open := s.fake.AddPR(fakegithub.PR{Title: "a", Head: "gito/prod/api", Base: "main"})
	merged := s.fake.AddPR(fakegithub.PR{Title: "b", Head: "gito/dev/api", Base: "main"})
	closed := s.fake.AddPR(fakegithub.PR{Title: "c", Head: "gito/staging/api", Base: "main"})
	if err := s.fake.MergePR(merged.Number, "abc123"); err != nil {
		t.Fatal(err)
	}
	s.fake.ClosePR(closed.Number)
	for _, c := range []struct {
		n            int
		state, merge string
	}{{open.Number, forge.StateOpen, ""}, {merged.Number, forge.StateMerged, "abc123"}, {closed.Number, forge.StateClosed, ""}} {
		pr, err := s.forge.GetPR(t.Context(), c.n)
		if err != nil {
			t.Fatalf("GetPR(%d): %v", c.n, err)
		}
		if pr.State != c.state || pr.MergeCommit != c.merge {
			t.Errorf("GetPR(%d) = state %q merge %q, want %q %q", c.n, pr.State, pr.MergeCommit, c.state, c.merge)
		}
	}
	if _, err := s.forge.GetPR(t.Context(), 99); err == nil {
		t.Error("GetPR(99) succeeded")
	}
}

// One list call, not one request per branch; forks, closed PRs and other prefixes left out.
func TestListOpenPRs(t *testing.T) {
	t.Parallel()
	s := newSetup(t, fakegithub.Options{})
	for _, h := range []string{"gito/prod/api", "feature/x", "gito/dev/api", "gito/prod/web", "gito/staging/api"} {
		s.fake.AddPR(fakegithub.PR{Title: h, Head: h, Base: "main"})
	}
	s.fake.AddPR(fakegithub.PR{Title: "fork", Head: "gito/prod/db", HeadOwner: "mallory", Base: "main"})
	s.fake.ClosePR(3)
	prs, err := s.forge.ListOpenPRs(t.Context(), "gito/")
	if err != nil {
		t.Fatal(err)
	}
	var heads []string
	for _, p := range prs {
		heads = append(heads, p.Head)
	}
	if len(heads) != 3 || heads[0] != "gito/staging/api" || heads[1] != "gito/prod/web" || heads[2] != "gito/prod/api" {
		t.Errorf("heads = %q", heads)
	}
	lists := 0
	for _, r := range s.fake.Requests() {
		if r.Method == "GET" && r.Path == "/repos/acme/infra/pulls" {
			lists++
		}
	}
	if lists != 1 {
		t.Errorf("list requests = %d, want one list of 100 per page", lists)
	}
}
