package pipeline

import (
	"bytes"
	"context"
	"strings"

	"github.com/gito-dev/gito/internal/release"
	"github.com/gito-dev/gito/internal/workspace"
)

// branchHoldsPlan reports whether the release branch already is this release: one commit on
// top of the current base whose edited files hold exactly the planned bytes. Re-running a
// release is then a no-op instead of a new commit, a force-push and a PR update. Signature
// files are not compared (some key types sign with fresh randomness); only that they exist.
// branchSHA is "" when the branch does not exist.
func branchHoldsPlan(ctx context.Context, ws *workspace.Workspace, branchSHA string, p *release.Plan) (bool, error) {
	if branchSHA == "" {
		return false, nil
	}
	parent, err := ws.Repo.Parent(ctx, branchSHA)
	if err != nil || parent != ws.BaseSHA {
		return false, nil // the base moved on (or the branch is odd): replay the release
	}
	specs := make([]string, 0, len(p.Files))
	for _, f := range p.Files {
		specs = append(specs, branchSHA+":"+f.Path)
	}
	blobs, err := ws.Repo.ReadBlobs(ctx, specs)
	if err != nil {
		return false, err
	}
	for _, f := range p.Files {
		got, ok := blobs[branchSHA+":"+f.Path]
		if !ok {
			return false, nil
		}
		if !strings.HasSuffix(f.Path, release.SignatureSuffix) && !bytes.Equal(got, f.After) {
			return false, nil
		}
	}
	return true, nil
}
