package pipeline

import (
	"context"

	"github.com/gito-dev/gito/internal/history"
	"github.com/gito-dev/gito/internal/release"
	"github.com/gito-dev/gito/internal/workspace"
)

// LoadGroupHistory reads the history of every member of an environment group, for a
// rollback of the whole group. A member without the service's overlay (or that is no
// environment of the repo) is the error a release to the group gives, naming it.
func LoadGroupHistory(ctx context.Context, ws *workspace.Workspace, service, group string) (history.Group, error) {
	g := history.Group{Name: group, Members: ws.Config.Members(group)}
	for _, member := range g.Members {
		releases, err := LoadHistory(ctx, ws, service, member, 0)
		if err != nil {
			return history.Group{}, release.GroupMemberError(ws.Root(), ws.Config, service, group, member, err)
		}
		g.Releases = append(g.Releases, releases)
	}
	return g, nil
}
