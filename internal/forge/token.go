package forge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Token is a forge credential and where it came from. It prints as "[redacted]" through fmt,
// %#v and JSON, so logging a Token or a struct holding one never shows the value.
type Token struct {
	Value    string
	Source   string // "GH_TOKEN", "GITHUB_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "gh", "GITLAB_TOKEN", "CI_JOB_TOKEN", "glab", "GITEA_TOKEN", "GitHub App"
	JobToken bool   // a GitLab CI job token: sent as JOB-TOKEN, not as a bearer token
	OAuth    bool   // an OAuth access token (glab's OAuth login): sent as a bearer token
	// Refresh, when set, yields the current value of a token that expires (a GitHub App
	// installation token); Value is then empty and clients ask Refresh for every request.
	Refresh TokenSource
}

// TokenSource yields a valid token, renewing it when it expires.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

const redacted = "[redacted]"

func (Token) String() string   { return redacted }
func (Token) GoString() string { return redacted }

// MarshalJSON keeps the value out of --json output and debug dumps.
func (t Token) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Source string `json:"source"`
		Value  string `json:"value"`
	}{t.Source, redacted})
}

// LookupToken finds the credential for a forge host without ever storing one: environment
// first, then what gh or glab already keep in their config files. getenv also supplies HOME and
// the XDG/GH/GLAB config dirs, so tests need no process environment. (It cannot be called
// Token: that is the type.) A missing token is an error wrapping ErrAuth that names the env var.
func LookupToken(kind, host string, getenv func(string) string) (Token, error) {
	host = strings.ToLower(host)
	switch kind {
	case KindGitHub:
		return githubToken(host, getenv)
	case KindGitLab:
		return gitlabToken(host, getenv)
	case KindGitea:
		return giteaToken(host, getenv)
	}
	return Token{}, fmt.Errorf("no token lookup for forge type %q", kind)
}

// isGitHubDotCom matches gh's rule: github.com and GHE.com tenants read GH_TOKEN; any other
// host is an Enterprise Server, which reads GH_ENTERPRISE_TOKEN so a github.com token is never
// sent to a different server.
func isGitHubDotCom(host string) bool {
	return host == "" || host == "github.com" || host == "api.github.com" || strings.HasSuffix(host, ".ghe.com")
}

func githubToken(host string, getenv func(string) string) (Token, error) {
	vars := []string{"GH_TOKEN", "GITHUB_TOKEN"}
	if !isGitHubDotCom(host) {
		vars = []string{"GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"}
	}
	for _, v := range vars {
		if tok := strings.TrimSpace(getenv(v)); tok != "" {
			return Token{Value: tok, Source: v}, nil
		}
	}
	if host == "" || host == "api.github.com" {
		host = "github.com"
	}
	path := ghHostsPath(getenv)
	tok, err := ghStoredToken(path, host)
	if err != nil {
		return Token{}, err
	}
	if tok != "" {
		return Token{Value: tok, Source: "gh"}, nil
	}
	return Token{}, fmt.Errorf("%w: no GitHub token for %s: set %s (for example %s=$(gh auth token --hostname %s)) or run gh auth login",
		ErrAuth, host, vars[0], vars[0], host)
}

func ghHostsPath(getenv func(string) string) string {
	if dir := getenv("GH_CONFIG_DIR"); dir != "" {
		return filepath.Join(dir, "hosts.yml")
	}
	return filepath.Join(configHome(getenv), "gh", "hosts.yml")
}

func configHome(getenv func(string) string) string {
	if dir := getenv("XDG_CONFIG_HOME"); dir != "" {
		return dir
	}
	return filepath.Join(getenv("HOME"), ".config")
}

// ghStoredToken reads oauth_token for host from gh's hosts.yml. gh ≥ 2.40 keeps tokens in the
// system keyring instead and leaves none here; those users set GH_TOKEN from `gh auth token`.
func ghStoredToken(path, host string) (string, error) {
	var hosts map[string]struct {
		OAuthToken string `yaml:"oauth_token"`
		User       string `yaml:"user"`
		Users      map[string]struct {
			OAuthToken string `yaml:"oauth_token"`
		} `yaml:"users"`
	}
	if err := readYAML(path, &hosts); err != nil {
		return "", err
	}
	for name, h := range hosts {
		if !strings.EqualFold(name, host) {
			continue
		}
		if h.OAuthToken != "" {
			return h.OAuthToken, nil
		}
		if u, ok := h.Users[h.User]; ok {
			return u.OAuthToken, nil
		}
	}
	return "", nil
}

func gitlabToken(host string, getenv func(string) string) (Token, error) {
	if tok := strings.TrimSpace(getenv("GITLAB_TOKEN")); tok != "" {
		return Token{Value: tok, Source: "GITLAB_TOKEN"}, nil
	}
	// A job token belongs to the instance running the job; never send it elsewhere.
	if tok := strings.TrimSpace(getenv("CI_JOB_TOKEN")); tok != "" {
		ciHost := strings.ToLower(getenv("CI_SERVER_HOST"))
		if ciPort := getenv("CI_SERVER_PORT"); ciPort != "" && ciPort != "443" && ciPort != "80" {
			ciHost += ":" + ciPort
		}
		if ciHost == "" || ciHost == host {
			return Token{Value: tok, Source: "CI_JOB_TOKEN", JobToken: true}, nil
		}
	}
	path := glabConfigPath(getenv)
	stored, err := glabStoredToken(path, host)
	if err != nil {
		return Token{}, err
	}
	if stored.Token != "" {
		return Token{Value: stored.Token, Source: "glab", OAuth: stored.IsOAuth2 == "true"}, nil
	}
	return Token{}, fmt.Errorf("%w: no GitLab token for %s: set GITLAB_TOKEN or run glab auth login --hostname %s", ErrAuth, host, host)
}

func glabConfigPath(getenv func(string) string) string {
	if dir := getenv("GLAB_CONFIG_DIR"); dir != "" {
		return filepath.Join(dir, "config.yml")
	}
	return filepath.Join(configHome(getenv), "glab-cli", "config.yml")
}

// glabHost is one host entry of glab's config; an OAuth login (glab auth login with the web
// flow) stores is_oauth2: "true" next to the access token.
type glabHost struct {
	Token    string `yaml:"token"`
	IsOAuth2 string `yaml:"is_oauth2"`
}

func glabStoredToken(path, host string) (glabHost, error) {
	var cfg struct {
		Hosts map[string]glabHost `yaml:"hosts"`
	}
	if err := readYAML(path, &cfg); err != nil {
		return glabHost{}, err
	}
	for name, h := range cfg.Hosts {
		if strings.EqualFold(name, host) {
			return h, nil
		}
	}
	return glabHost{}, nil
}

// readYAML treats a missing file as empty; a broken one is reported without its content,
// which may hold tokens.
func readYAML(path string, v any) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		return fmt.Errorf("read %s: not valid YAML", path)
	}
	return nil
}

// giteaToken reads GITEA_TOKEN. Gitea has no CLI login store gito reads; the token belongs to
// whichever Gitea host the remote or GITEA_HOST names, and the lookup is keyed by kind, so a
// GitHub or GitLab token never reaches a Gitea server and GITEA_TOKEN never leaves one.
func giteaToken(host string, getenv func(string) string) (Token, error) {
	if tok := strings.TrimSpace(getenv("GITEA_TOKEN")); tok != "" {
		return Token{Value: tok, Source: "GITEA_TOKEN"}, nil
	}
	return Token{}, fmt.Errorf("%w: no Gitea token for %s: set GITEA_TOKEN to an access token with the write:repository and read:user scopes", ErrAuth, host)
}
