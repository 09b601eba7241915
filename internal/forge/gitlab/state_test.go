package gitlab

import (
	"slices"
	"testing"

	"github.com/gito-dev/gito/integration/fakegitlab"
	"github.com/gito-dev/gito/internal/forge"
)

func TestGetPRAndListOpenPRs(t *testing.T) {
	t.Parallel()
	srv := fakegitlab.New(t, fakegitlab.Options{MaxPerPage: 2})
	for _, h := range []string{"gito/prod/api", "feature/x", "gito/dev/api", "gito/prod/web"} {
		srv.AddMR(fakegitlab.MR{SourceBranch: h, TargetBranch: "main", Title: h})
	}
	srv.AddMR(fakegitlab.MR{SourceProjectID: 900, SourceBranch: "gito/prod/db", TargetBranch: "main", Title: "fork"})
	if err := srv.MergeMR(3, "feedbeef"); err != nil {
		t.Fatal(err)
	}
	if err := srv.CloseMR(4); err != nil {
		t.Fatal(err)
	}
	f, _ := newForge(t, srv, nil)

	for _, c := range []struct {
		n            int
		state, merge string
	}{{1, forge.StateOpen, ""}, {3, forge.StateMerged, "feedbeef"}, {4, forge.StateClosed, ""}} {
		pr, err := f.GetPR(t.Context(), c.n)
		if err != nil {
			t.Fatalf("GetPR(%d): %v", c.n, err)
		}
		if pr.State != c.state || pr.MergeCommit != c.merge {
			t.Errorf("GetPR(%d) = %q %q, want %q %q", c.n, pr.State, pr.MergeCommit, c.state, c.merge)
		}
	}
	prs, err := f.ListOpenPRs(t.Context(), "gito/")
	if err != nil {
		t.Fatal(err)
	}
	var heads []string
	for _, p := range prs {
		heads = append(heads, p.Head)
	}
	if !slices.Equal(heads, []string{"gito/prod/api"}) {
		t.Errorf("heads = %q", heads)
	}
}
