package registry

import (
	"fmt"
	"strings"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-containerregistry/pkg/authn"
)

// EnvAuthVar is docker's variable for registry credentials given as config.json text
// ({"auths": {"HOST": {"auth": "base64(user:password)"}}}), which CI systems set instead of
// writing a file. gito reads it from the injected environment: it is a credential, so the
// process drops it before starting any child, and docker's library, which would read it with
// os.Getenv, no longer sees it.
const EnvAuthVar = configfile.DockerEnvConfigKey

// envConfig parses EnvAuth; nil when it is unset. Only its auths count, as in docker: a
// credsStore or credHelpers there is ignored.
func (k DockerConfig) envConfig() (*configfile.ConfigFile, error) {
	if strings.TrimSpace(k.EnvAuth) == "" {
		return nil, nil
	}
	cf, err := config.LoadFromReader(strings.NewReader(k.EnvAuth))
	if err != nil {
		// Not err itself: a JSON error quotes the text, and the text holds passwords.
		return nil, fmt.Errorf("$%s is not docker config JSON ({\"auths\": {\"HOST\": {\"auth\": \"base64 of user:password\"}}})", EnvAuthVar)
	}
	cf.CredentialsStore, cf.CredentialHelpers = "", nil
	cf.Filename = "$" + EnvAuthVar
	return cf, nil
}

// configFor is the config target's credentials come from: $DOCKER_AUTH_CONFIG when it has an
// entry for target (it wins over the files, as in docker), else the docker config file or
// podman's auth file; nil when there is none.
func (k DockerConfig) configFor(target authn.Resource) (*configfile.ConfigFile, error) {
	env, err := k.envConfig()
	if err != nil {
		return nil, err
	}
	if env != nil {
		if cfg, _, err := lookup(env, target); err == nil && cfg != (types.AuthConfig{}) {
			return env, nil
		}
	}
	return k.load()
}
