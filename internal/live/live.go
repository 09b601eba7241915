// Package live asks the deployer what runs now for each (service, env) — Argo CD's synced
// revision and health, or Flux's applied revision and Ready — and whether that is what the
// base branch says, for `gito status --live`.
package live

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gito-dev/gito/internal/argocd"
	"github.com/gito-dev/gito/internal/fluxwait"
)

// State is what the deployer reports for one (service, env).
type State struct {
	Deployer string // argocd or flux
	Object   string // the Application, or the Kustomization namespace/name
	Revision string // as the deployer reports it
	Commit   string // the commit Revision names ("" when it names none)
	Status   string // Argo CD: "Synced/Healthy"; Flux: "Ready" or "Ready=False (Reason)"
	// Matches says whether the deployer runs what the base branch says: the same commit, or
	// one whose file carrying the version is the same. Nil when it cannot be told.
	Matches *bool
}

// Reader reads one (service, env) from its deployer. Endpoint names the server or cluster
// of env, so one unreachable deployer is one warning, not one per row.
type Reader interface {
	Read(ctx context.Context, service, env string) (*State, error)
	Endpoint(env string) string
}

// ErrMissing is wrapped when the deployer has no object for a (service, env): not a
// failure of the deployer, only an empty cell.
var ErrMissing = errors.New("not found")

// Row is what Annotate needs of a status row.
type Row struct {
	Service, Env string
	Path         string // the file carrying the version on the base branch
}

// Compare reads "commit:path" specs; the workspace's ReadBlobs.
type Compare func(ctx context.Context, specs []string) (map[string][]byte, error)

// Annotate reads every row's live state. A deployer that fails (unreachable, refused) is
// one warning and no live cells for its rows; the git columns never depend on it.
func Annotate(ctx context.Context, rows []Row, r Reader, base string, read Compare) ([]*State, []string) {
	out := make([]*State, len(rows))
	failed := map[string]bool{}
	var warnings []string
	for i, row := range rows {
		ep := r.Endpoint(row.Env)
		if failed[ep] {
			continue
		}
		st, err := r.Read(ctx, row.Service, row.Env)
		if errors.Is(err, ErrMissing) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return out, warnings
			}
			failed[ep] = true
			warnings = append(warnings, fmt.Sprintf("warning: live state from %s not shown: %v", ep, err))
			continue
		}
		st.Matches = matches(ctx, st.Commit, base, row.Path, read)
		out[i] = st
	}
	return out, warnings
}

func matches(ctx context.Context, commit, base, path string, read Compare) *bool {
	yes, no := true, false
	switch {
	case commit == "":
		return nil
	case strings.HasPrefix(base, commit) || strings.HasPrefix(commit, base):
		return &yes
	case path == "" || read == nil:
		return nil
	}
	blobs, err := read(ctx, []string{commit + ":" + path, base + ":" + path})
	if err != nil {
		return nil
	}
	if bytes.Equal(blobs[commit+":"+path], blobs[base+":"+path]) {
		return &yes
	}
	return &no
}

// ArgoCD reads Applications, each env through its own server's client.
type ArgoCD struct {
	// Client returns env's client (argocdServers, else ARGOCD_SERVER or the user config).
	Client func(env string) (*argocd.Client, error)
	// AppName fills the argocd.app pattern.
	AppName func(service, env string) string
}

// Endpoint names env's server.
func (a *ArgoCD) Endpoint(env string) string {
	c, err := a.Client(env)
	if err != nil {
		return "Argo CD"
	}
	return "Argo CD " + c.Host()
}

// Read reads the Application of (service, env).
func (a *ArgoCD) Read(ctx context.Context, service, env string) (*State, error) {
	c, err := a.Client(env)
	if err != nil {
		return nil, err
	}
	name := a.AppName(service, env)
	app, err := c.Application(ctx, name)
	var nf *argocd.NotFoundError
	if errors.As(err, &nf) {
		return nil, fmt.Errorf("%w: %w", ErrMissing, err)
	}
	if err != nil {
		return nil, err
	}
	st := &State{Deployer: "argocd", Object: name, Status: orUnknown(app.SyncStatus) + "/" + orUnknown(app.Health)}
	if len(app.Revisions) > 0 {
		st.Revision = app.Revisions[0]
		st.Commit = fluxwait.RevisionCommit(app.Revisions[0])
	}
	return st, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "Unknown"
	}
	return s
}
