package forge

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// ghHosts is hosts.yml as gh ≥ 2.26 writes it (multi-account), with a legacy GHES entry.
const ghHosts = `github.com:
    users:
        alice:
            oauth_token: gho_from_users
    git_protocol: ssh
    user: alice
    oauth_token: gho_from_gh
ghe.corp.test:
    user: bob
    users:
        bob:
            oauth_token: gho_ghes_nested
keyring.example:
    user: carol
    git_protocol: https
`

const glabConfig = `git_protocol: ssh
hosts:
    gitlab.com:
        token: glpat-from-glab
        api_host: gitlab.com
    gitlab.corp.test:
        token: glpat-corp
    oauth.example:
        token: oauth-access
        is_oauth2: "true"
        oauth2_refresh_token: refresh
`

func TestLookupToken(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	writeFile(t, filepath.Join(home, ".config", "gh", "hosts.yml"), ghHosts)
	xdg := t.TempDir()
	writeFile(t, filepath.Join(xdg, "gh", "hosts.yml"), "github.com:\n    oauth_token: gho_xdg\n")
	writeFile(t, filepath.Join(xdg, "glab-cli", "config.yml"), glabConfig)
	ghDir := t.TempDir()
	writeFile(t, filepath.Join(ghDir, "hosts.yml"), "github.com:\n    oauth_token: gho_gh_config_dir\n")
	glabDir := t.TempDir()
	writeFile(t, filepath.Join(glabDir, "config.yml"), "hosts:\n    gitlab.com:\n        token: glpat-glab-dir\n")

	tests := []struct {
		name       string
		kind, host string
		env        map[string]string
		want       Token
	}{
		{"GH_TOKEN wins", "github", "github.com", map[string]string{"GH_TOKEN": "a", "GITHUB_TOKEN": "b", "HOME": home}, Token{Value: "a", Source: "GH_TOKEN"}},
		{"GITHUB_TOKEN next", "github", "github.com", map[string]string{"GITHUB_TOKEN": "b", "HOME": home}, Token{Value: "b", Source: "GITHUB_TOKEN"}},
		{"gh hosts.yml in HOME", "github", "github.com", map[string]string{"HOME": home}, Token{Value: "gho_from_gh", Source: "gh"}},
		{"api host maps to github.com", "github", "api.github.com", map[string]string{"HOME": home}, Token{Value: "gho_from_gh", Source: "gh"}},
		{"gh hosts.yml in XDG_CONFIG_HOME", "github", "github.com", map[string]string{"HOME": home, "XDG_CONFIG_HOME": xdg}, Token{Value: "gho_xdg", Source: "gh"}},
		{"GH_CONFIG_DIR first", "github", "github.com", map[string]string{"HOME": home, "XDG_CONFIG_HOME": xdg, "GH_CONFIG_DIR": ghDir}, Token{Value: "gho_gh_config_dir", Source: "gh"}},
		{"GHES reads the enterprise variable", "github", "ghe.corp.test", map[string]string{"GH_TOKEN": "dotcom", "GH_ENTERPRISE_TOKEN": "ent", "HOME": home}, Token{Value: "ent", Source: "GH_ENTERPRISE_TOKEN"}},
		{"GHES GITHUB_ENTERPRISE_TOKEN", "github", "ghe.corp.test", map[string]string{"GITHUB_ENTERPRISE_TOKEN": "ent2", "HOME": home}, Token{Value: "ent2", Source: "GITHUB_ENTERPRISE_TOKEN"}},
		{"GHES never gets GH_TOKEN, uses gh's nested token", "github", "GHE.corp.test", map[string]string{"GH_TOKEN": "dotcom", "HOME": home}, Token{Value: "gho_ghes_nested", Source: "gh"}},
		{"GHE.com tenant reads GH_TOKEN", "github", "octo.ghe.com", map[string]string{"GH_TOKEN": "tenant", "GH_ENTERPRISE_TOKEN": "ent"}, Token{Value: "tenant", Source: "GH_TOKEN"}},
		{"GITLAB_TOKEN wins", "gitlab", "gitlab.com", map[string]string{"GITLAB_TOKEN": "g", "CI_JOB_TOKEN": "j", "XDG_CONFIG_HOME": xdg}, Token{Value: "g", Source: "GITLAB_TOKEN"}},
		{"CI_JOB_TOKEN next", "gitlab", "gitlab.com", map[string]string{"CI_JOB_TOKEN": "j", "CI_SERVER_HOST": "gitlab.com", "XDG_CONFIG_HOME": xdg}, Token{Value: "j", Source: "CI_JOB_TOKEN", JobToken: true}},
		{"CI_JOB_TOKEN of another instance is not sent", "gitlab", "gitlab.com", map[string]string{"CI_JOB_TOKEN": "j", "CI_SERVER_HOST": "gitlab.corp.test", "XDG_CONFIG_HOME": xdg}, Token{Value: "glpat-from-glab", Source: "glab"}},
		{"CI_JOB_TOKEN with port", "gitlab", "gitlab.corp.test:8443", map[string]string{"CI_JOB_TOKEN": "j", "CI_SERVER_HOST": "gitlab.corp.test", "CI_SERVER_PORT": "8443"}, Token{Value: "j", Source: "CI_JOB_TOKEN", JobToken: true}},
		{"glab config per host", "gitlab", "gitlab.corp.test", map[string]string{"XDG_CONFIG_HOME": xdg}, Token{Value: "glpat-corp", Source: "glab"}},
		{"glab OAuth login is a bearer token", "gitlab", "oauth.example", map[string]string{"XDG_CONFIG_HOME": xdg}, Token{Value: "oauth-access", Source: "glab", OAuth: true}},
		{"GLAB_CONFIG_DIR first", "gitlab", "gitlab.com", map[string]string{"XDG_CONFIG_HOME": xdg, "GLAB_CONFIG_DIR": glabDir}, Token{Value: "glpat-glab-dir", Source: "glab"}},
	}
	for _, tt := range tests {
		got, err := LookupToken(tt.kind, tt.host, envOf(tt.env))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: got {%q %q %v}, want {%q %q %v}", tt.name, got.Value, got.Source, got.JobToken, tt.want.Value, tt.want.Source, tt.want.JobToken)
		}
	}
}

func TestLookupTokenMissing(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	writeFile(t, filepath.Join(home, ".config", "gh", "hosts.yml"), ghHosts)
	tests := []struct {
		kind, host string
		env        map[string]string
		wantHint   string
	}{
		{"github", "github.com", map[string]string{"HOME": t.TempDir()}, "set GH_TOKEN"},
		{"github", "ghe.other.test", map[string]string{"HOME": home, "GH_TOKEN": "x"}, "set GH_ENTERPRISE_TOKEN"},
		{"github", "keyring.example", map[string]string{"HOME": home}, "gh auth token --hostname keyring.example"},
		{"gitlab", "gitlab.com", map[string]string{"HOME": t.TempDir()}, "set GITLAB_TOKEN"},
		// a Gitea host never takes another forge's token
		{"gitea", "gitea.example.com", map[string]string{"HOME": home, "GH_TOKEN": "x", "GITLAB_TOKEN": "y"}, "no Gitea token for gitea.example.com: set GITEA_TOKEN"},
	}
	for _, tt := range tests {
		_, err := LookupToken(tt.kind, tt.host, envOf(tt.env))
		if !errors.Is(err, ErrAuth) {
			t.Errorf("%s %s: err = %v, want ErrAuth", tt.kind, tt.host, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantHint) {
			t.Errorf("%s %s: %q lacks hint %q", tt.kind, tt.host, err, tt.wantHint)
		}
	}
}

func TestLookupTokenBrokenConfigHidesContent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "hosts.yml"), "github.com:\n  oauth_token: gho_SECRET\n  - broken: [\n")
	_, err := LookupToken("github", "github.com", envOf(map[string]string{"GH_CONFIG_DIR": dir}))
	if err == nil || errors.Is(err, ErrAuth) {
		t.Fatalf("err = %v, want a read error", err)
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error shows file content: %v", err)
	}
}

func TestTokenRedaction(t *testing.T) {
	t.Parallel()
	tok := Token{Value: "ghp_SECRET", Source: "GH_TOKEN"}
	holder := struct{ Tok Token }{tok}
	js, err := json.Marshal(holder)
	if err != nil {
		t.Fatal(err)
	}
	outputs := []string{
		tok.String(),
		fmt.Sprint(tok),
		fmt.Sprintf("%v %+v %s %#v", tok, tok, tok, tok),
		fmt.Sprintf("%v %+v %#v", holder, holder, holder),
		fmt.Sprintf("%v", &tok),
		string(js),
	}
	for _, out := range outputs {
		if strings.Contains(out, "SECRET") {
			t.Errorf("token value printed: %s", out)
		}
		if !strings.Contains(out, "[redacted]") {
			t.Errorf("output %q does not say [redacted]", out)
		}
	}
}

func TestLookupTokenGitea(t *testing.T) {
	t.Parallel()
	env := envOf(map[string]string{"GITEA_TOKEN": " tea-1 ", "GH_TOKEN": "gh", "GITLAB_TOKEN": "gl"})
	if tok, err := LookupToken("gitea", "codeberg.org", env); err != nil || tok.Value != "tea-1" || tok.Source != "GITEA_TOKEN" {
		t.Errorf("gitea: %+v %v", tok, err)
	}
	// and GITEA_TOKEN never goes to GitHub or GitLab
	if tok, _ := LookupToken("github", "github.com", envOf(map[string]string{"GITEA_TOKEN": "tea-1", "HOME": t.TempDir()})); tok.Value != "" {
		t.Errorf("github got the Gitea token")
	}
	if tok, _ := LookupToken("gitlab", "gitlab.com", envOf(map[string]string{"GITEA_TOKEN": "tea-1", "HOME": t.TempDir()})); tok.Value != "" {
		t.Errorf("gitlab got the Gitea token")
	}
}
