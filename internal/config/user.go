package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// User is $XDG_CONFIG_HOME/gito/config.yaml. Tokens are never stored here.
type User struct {
	Repo       string `yaml:"repo"`
	SigningKey string `yaml:"signingKey"`
	// Hosts names the forge type of self-hosted servers ("git.example.com: gitlab"), so gito
	// knows which token to hand git for an https remote before it can read .gito.yaml.
	Hosts map[string]string `yaml:"hosts"`
	// ArgoCD names the Argo CD server the user trusts with ARGOCD_AUTH_TOKEN.
	ArgoCD UserArgoCD `yaml:"argocd"`
	// KubeContexts names the kube context of each env's cluster (env → context): the
	// only place, with --kube-context, that sends a kubeconfig credential to a cluster.
	KubeContexts map[string]string `yaml:"kubeContexts"`
	// ArgoCDServers names the Argo CD server of each env (env → host or URL), for envs
	// whose Application lives on another Argo CD than argocd.server.
	ArgoCDServers map[string]string `yaml:"argocdServers"`
}

// UserConfigPath returns where the user config lives, honouring XDG_CONFIG_HOME.
func UserConfigPath(getenv func(string) string) string {
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		dir = filepath.Join(getenv("HOME"), ".config")
	}
	return filepath.Join(dir, "gito", "config.yaml")
}

// CacheDir returns gito's cache root, honouring XDG_CACHE_HOME.
func CacheDir(getenv func(string) string) string {
	dir := getenv("XDG_CACHE_HOME")
	if dir == "" {
		dir = filepath.Join(getenv("HOME"), ".cache")
	}
	return filepath.Join(dir, "gito")
}

// LoadUser reads the user config; a missing file yields the zero value.
func LoadUser(getenv func(string) string) (*User, error) {
	path := UserConfigPath(getenv)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &User{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var u User
	if err := yaml.Unmarshal(data, &u); err != nil {
		return nil, fmt.Errorf("%s: %s", path, oneLine(err))
	}
	return &u, nil
}
