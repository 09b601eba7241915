package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gito-dev/gito/internal/exitcode"
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
		Pin:   req.PinDigest || ws.Config.PinDigest(req.Env),
	}
	if pol.Check || pol.Pin {
		c, err := RegistryClient(req.HTTPClient, req.Getenv)
		if err != nil {
			return nil, err
		}
		pol.Resolver = c
		progressFunc(req.Progress)("Looking %s up in the registry", in.Version.Tag)
	}
	plan, err := release.MakeRegistryPlan(ctx, in, pol)
	var unauthorized *registry.UnauthorizedError
	if errors.As(err, &unauthorized) {
		return nil, &exitcode.AuthError{Err: err, Hint: fmt.Sprintf(
			"log in to the registry (docker login %s); gito reads $DOCKER_CONFIG/config.json, else ~/.docker/config.json, and their credential helpers", unauthorized.Registry)}
	}
	return plan, err
}

// RegistryClient talks to registries through the Factory's HTTP client, with credentials
// from the docker config that the (injected) environment names.
func RegistryClient(httpClient func() (*http.Client, error), getenv func(string) string) (*registry.Client, error) {
	if httpClient == nil {
		return nil, errors.New("no HTTP client for the registry")
	}
	hc, err := httpClient()
	if err != nil {
		return nil, err
	}
	return registry.New(registry.Options{HTTPClient: hc, Keychain: registry.DockerConfigFromEnv(getenv)})
}
