package registry

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// DockerConfig is authn.DefaultKeychain's lookup (docker's config.json with its auths,
// credsStore and credHelpers, else podman's auth.json) with the directories taken from an
// injected environment instead of the process's, so tests run in parallel. Unlike
// DefaultKeychain it follows docker itself: $DOCKER_CONFIG wins over ~/.docker.
type DockerConfig struct {
	// Dir holds config.json; "" means no docker config.
	Dir string
	// AuthFile is podman's auth.json, read when Dir has no config.json.
	AuthFile string
	// EnvAuth is the text of $DOCKER_AUTH_CONFIG; its entries win over the files'.
	EnvAuth string
}

// DockerConfigFromEnv locates the config the way docker and crane do.
func DockerConfigFromEnv(getenv func(string) string) DockerConfig {
	k := DockerConfig{EnvAuth: getenv(EnvAuthVar)}
	switch {
	case getenv("DOCKER_CONFIG") != "":
		k.Dir = getenv("DOCKER_CONFIG")
	case getenv("HOME") != "":
		k.Dir = filepath.Join(getenv("HOME"), ".docker")
	}
	switch {
	case getenv("REGISTRY_AUTH_FILE") != "":
		k.AuthFile = getenv("REGISTRY_AUTH_FILE")
	case getenv("XDG_RUNTIME_DIR") != "":
		k.AuthFile = filepath.Join(getenv("XDG_RUNTIME_DIR"), "containers", "auth.json")
	case getenv("XDG_CONFIG_HOME") != "":
		k.AuthFile = filepath.Join(getenv("XDG_CONFIG_HOME"), "containers", "auth.json")
	}
	return k
}

// Resolve implements authn.Keychain.
func (k DockerConfig) Resolve(target authn.Resource) (authn.Authenticator, error) {
	cf, err := k.configFor(target)
	if err != nil || cf == nil {
		return authn.Anonymous, err
	}
	cfg, _, err := lookup(cf, target)
	if err != nil {
		return nil, fmt.Errorf("credentials for %s from %s: %w", target.RegistryStr(), cf.Filename, err)
	}
	if cfg == (types.AuthConfig{}) {
		return authn.Anonymous, nil
	}
	return authn.FromConfig(authn.AuthConfig{
		Username: cfg.Username, Password: cfg.Password, Auth: cfg.Auth,
		IdentityToken: cfg.IdentityToken, RegistryToken: cfg.RegistryToken,
	}), nil
}

// Describe says where credentials for repo come from, for an error message: a file and its
// entry, or a credential helper, or "no credentials". It never includes a secret.
func (k DockerConfig) Describe(repo name.Repository) string {
	cf, err := k.configFor(repo)
	if err != nil {
		return "no credentials (" + err.Error() + ")"
	}
	if cf == nil {
		return fmt.Sprintf("no credentials (no docker config in %s)", k.Dir)
	}
	cfg, key, err := lookup(cf, repo)
	if err != nil || cfg == (types.AuthConfig{}) {
		return fmt.Sprintf("no credentials (%s has none for %s)", cf.Filename, repo.RegistryStr())
	}
	if helper := helperFor(cf, key); helper != "" {
		return fmt.Sprintf("credentials for %s from docker-credential-%s (configured in %s)", key, helper, cf.Filename)
	}
	user := ""
	if cfg.Username != "" {
		user = " (user " + cfg.Username + ")"
	}
	return fmt.Sprintf("the credentials for %s in %s%s", key, cf.Filename, user)
}

// load reads config.json, else podman's auth.json; nil when neither exists.
func (k DockerConfig) load() (*configfile.ConfigFile, error) {
	if k.Dir != "" {
		if _, err := os.Stat(filepath.Join(k.Dir, config.ConfigFileName)); err == nil {
			cf, err := config.Load(k.Dir)
			if err != nil {
				return nil, fmt.Errorf("docker config: %w", err)
			}
			return cf, nil
		}
	}
	if k.AuthFile == "" {
		return nil, nil
	}
	f, err := os.Open(k.AuthFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("registry auth file: %w", err)
	}
	defer f.Close()
	cf, err := config.LoadFromReader(f)
	if err != nil {
		return nil, fmt.Errorf("registry auth file %s: %w", k.AuthFile, err)
	}
	cf.Filename = k.AuthFile
	return cf, nil
}

// lookup tries the repository, then its registry, as docker and DefaultKeychain do.
func lookup(cf *configfile.ConfigFile, target authn.Resource) (types.AuthConfig, string, error) {
	for _, key := range []string{target.String(), target.RegistryStr()} {
		if key == name.DefaultRegistry {
			key = authn.DefaultAuthKey
		}
		cfg, err := cf.GetAuthConfig(key)
		if err != nil {
			return types.AuthConfig{}, key, err
		}
		cfg.ServerAddress = "" // set by GetAuthConfig; clear it for the emptiness test
		if cfg != (types.AuthConfig{}) {
			return cfg, key, nil
		}
	}
	return types.AuthConfig{}, target.RegistryStr(), nil
}

func helperFor(cf *configfile.ConfigFile, key string) string {
	if h, ok := cf.CredentialHelpers[key]; ok {
		return h
	}
	return cf.CredentialsStore
}

// describer is a keychain that can say where its credentials come from.
type describer interface {
	Describe(repo name.Repository) string
}

func describe(k any, repo name.Repository) string {
	if d, ok := k.(describer); ok {
		return d.Describe(repo)
	}
	return "the configured credentials"
}
