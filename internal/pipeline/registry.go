package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/registry"
	"github.com/gito-dev/gito/internal/release"
	"github.com/gito-dev/gito/internal/workspace"
)

// planRelease makes the plan behind the registry policy of .gito.yaml and --pin-digest:
// forbidden tags, the registry check and the pinned digest are all settled before anything is
// written.
func planRelease(ctx context.Context, req Request, ws *workspace.Workspace, in release.Input) (*release.Plan, error) {
	pol := release.RegistryPolicy{
		Check: ws.Config.Registry.Check,
		Pin:   req.Flags.PinDigest || ws.Config.PinDigest(req.Flags.Env),
	}
	if pol.Check || pol.Pin {
		c, err := registryClient(req)
		if err != nil {
			return nil, err
		}
		pol.Resolver = c
		if pol.Pin {
			progressFunc(req.IO)("Resolving %s in the registry", in.Version.Tag)
		} else {
			progressFunc(req.IO)("Looking %s up in the registry", in.Version.Tag)
		}
	}
	plan, err := release.MakeRegistryPlan(ctx, in, pol)
	var unauthorized *registry.UnauthorizedError
	if errors.As(err, &unauthorized) {
		return nil, &cmdutil.AuthError{Err: err, Hint: fmt.Sprintf(
			"log in to the registry (docker login %s); gito reads $DOCKER_CONFIG/config.json, else ~/.docker/config.json, and their credential helpers", unauthorized.Registry)}
	}
	return plan, err
}

// registryClient talks to registries through the Factory's HTTP client, with credentials
// from the docker config that the injected environment names.
func registryClient(req Request) (*registry.Client, error) {
	hc, err := req.HTTPClient()
	if err != nil {
		return nil, err
	}
	return registry.New(registry.Options{HTTPClient: hc, Keychain: registry.DockerConfigFromEnv(req.Getenv)})
}
