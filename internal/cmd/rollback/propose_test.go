package rollback

import (
	"testing"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/history"
	"github.com/gito-dev/gito/internal/workspace"
)

// For a group the picker's title says what the members run, as the group's plan will: one
// version when they agree, each version when they do not.
func TestProposeGroupFrom(t *testing.T) {
	t.Parallel()
	ws := &workspace.Workspace{Config: &config.Repo{}, Base: "main", Target: forge.Target{Kind: forge.KindGitHub}}
	to := history.Release{Version: "v2.4.0", Commit: "c1"}
	g := &history.Group{Name: "prod-all", Members: []string{"prod-us", "prod-eu"}, Releases: [][]history.Release{
		{{Version: "v2.5.1", Current: true}, to},
		{{Version: "v2.5.0", Current: true}, to},
	}}
	tests := []struct {
		name  string
		group *history.Group
		want  string
	}{
		{name: "members differ", group: g, want: "Roll back api in prod-all from v2.5.1, v2.5.0 to v2.4.0"},
		{name: "a plain env", group: nil, want: "Roll back api in prod-all from (not released by gito) to v2.4.0"},
	}
	for _, tt := range tests {
		if got := propose(ws, g.Common(), tt.group, "api", "prod-all", to).Title; got != tt.want {
			t.Errorf("%s: title = %q, want %q", tt.name, got, tt.want)
		}
	}
}
