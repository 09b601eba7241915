package status

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/gito-dev/gito/internal/argocd"
	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/fluxwait"
	"github.com/gito-dev/gito/internal/kube"
	"github.com/gito-dev/gito/internal/live"
	"github.com/gito-dev/gito/internal/status"
	"github.com/gito-dev/gito/internal/workspace"
)

// liveStates asks the deployer about every row (--live): Flux when .gito.yaml has flux:,
// else Argo CD. Warnings (an unreachable deployer) go to stderr; the rows print anyway.
func liveStates(ctx context.Context, ws *workspace.Workspace, opts *StatusOptions, rows []status.Row) ([]*live.State, error) {
	user, err := config.LoadUser(opts.Getenv)
	if err != nil {
		return nil, err
	}
	userPath := config.UserConfigPath(opts.Getenv)
	var reader live.Reader
	if flux := ws.Config.Flux; flux.Enabled() {
		sel := kube.Selection{Getenv: opts.Getenv, Flag: opts.KubeContext, EnvContexts: user.KubeContexts, ConfigPath: userPath}
		reader = &live.Flux{
			Cluster: perEnv(sel.Open),
			Kustomization: func(service, env string) fluxwait.Ref {
				return fluxwait.Ref{Namespace: flux.KustomizationNamespace(), Name: flux.KustomizationName(service, env)}
			},
		}
	} else {
		reader = &live.ArgoCD{
			Client: perEnv(func(env string) (*argocd.Client, error) {
				server, err := argocd.ServerForEnv(env, ws.Config.ArgoCD, user, opts.Getenv, userPath)
				if err != nil {
					return nil, err
				}
				var hc *http.Client
				if opts.HTTPClient != nil {
					if hc, err = opts.HTTPClient(); err != nil {
						return nil, err
					}
				}
				return argocd.New(server, opts.Getenv("ARGOCD_AUTH_TOKEN"), hc)
			}),
			AppName: ws.Config.ArgoCD.AppName,
		}
	}
	in := make([]live.Row, len(rows))
	for i, r := range rows {
		in[i] = live.Row{Service: r.Service, Env: r.Env, Path: r.Path}
	}
	states, warnings := live.Annotate(ctx, in, reader, ws.BaseSHA, ws.Repo.ReadBlobs)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	for _, w := range warnings {
		fmt.Fprintln(opts.IO.ErrOut, w)
	}
	return states, nil
}

// perEnv builds each env's client once.
func perEnv[T any](open func(env string) (T, error)) func(env string) (T, error) {
	type result struct {
		v   T
		err error
	}
	var mu sync.Mutex
	cache := map[string]result{}
	return func(env string) (T, error) {
		mu.Lock()
		defer mu.Unlock()
		r, ok := cache[env]
		if !ok {
			r.v, r.err = open(env)
			cache[env] = r
		}
		return r.v, r.err
	}
}

// jsonLive is a row's "live" object with --live.
type jsonLive struct {
	Deployer    string `json:"deployer"`
	Object      string `json:"object"`
	Revision    string `json:"revision"`
	Commit      string `json:"commit"`
	Status      string `json:"status"`
	MatchesBase *bool  `json:"matchesBase"`
}

func toJSONLive(st *live.State) *jsonLive {
	if st == nil {
		return nil
	}
	return &jsonLive{Deployer: st.Deployer, Object: st.Object, Revision: st.Revision, Commit: st.Commit, Status: st.Status, MatchesBase: st.Matches}
}

// liveCells are the LIVE and STATUS cells of a row: the commit the deployer runs (marked !
// when it is not what the base branch says) and its state.
func liveCells(st *live.State) (rev, state string) {
	if st == nil {
		return "-", "-"
	}
	rev = st.Commit
	if len(rev) > 8 {
		rev = rev[:8]
	}
	if rev == "" {
		rev = "-"
	}
	if st.Matches != nil && !*st.Matches {
		rev += " !"
	}
	return rev, st.Status
}

func liveDiffers(st *live.State) bool { return st != nil && st.Matches != nil && !*st.Matches }
