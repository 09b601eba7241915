package forge

import (
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/config"
)

func TestDetect(t *testing.T) {
	t.Parallel()
	gh := func(host, project, api string) Target {
		return Target{Kind: KindGitHub, Host: host, Project: project, APIURL: api, WebURL: "https://" + host + "/" + project}
	}
	gl := func(host, project string) Target {
		return Target{Kind: KindGitLab, Host: host, Project: project, APIURL: "https://" + host + "/api/v4", WebURL: "https://" + host + "/" + project}
	}
	none := Target{Kind: KindNone}
	tests := []struct {
		remote string
		cfg    config.Forge
		want   Target
	}{
		// github.com in every spelling git accepts
		{"https://github.com/acme/infra.git", config.Forge{}, gh("github.com", "acme/infra", "https://api.github.com/")},
		{"https://github.com/acme/infra", config.Forge{}, gh("github.com", "acme/infra", "https://api.github.com/")},
		{"https://github.com/acme/infra/", config.Forge{}, gh("github.com", "acme/infra", "https://api.github.com/")},
		{"https://x-access-token:ghs_secret@github.com/acme/infra.git", config.Forge{}, gh("github.com", "acme/infra", "https://api.github.com/")},
		{"git@github.com:acme/infra.git", config.Forge{}, gh("github.com", "acme/infra", "https://api.github.com/")},
		// GitLab under a relative URL root, and a numeric project ID
		{"https://example.com/gitlab/group/sub/infra.git", config.Forge{Type: "gitlab", APIURL: "https://example.com/gitlab/api/v4"},
			Target{Kind: KindGitLab, Host: "example.com", Project: "group/sub/infra", APIURL: "https://example.com/gitlab/api/v4", WebURL: "https://example.com/gitlab/group/sub/infra"}},
		{"git@gitlab.com:group/infra.git", config.Forge{Project: "1234"},
			Target{Kind: KindGitLab, Host: "gitlab.com", Project: "1234", APIURL: "https://gitlab.com/api/v4", WebURL: "https://gitlab.com/1234"}},
		{"github.com:acme/infra", config.Forge{}, gh("github.com", "acme/infra", "https://api.github.com/")},
		{"ssh://git@github.com/acme/infra.git", config.Forge{}, gh("github.com", "acme/infra", "https://api.github.com/")},
		{"ssh://git@ssh.github.com:443/acme/infra.git", config.Forge{}, gh("github.com", "acme/infra", "https://api.github.com/")},
		{"git+ssh://git@GitHub.com/acme/infra.git", config.Forge{}, gh("github.com", "acme/infra", "https://api.github.com/")},
		// GHE.com tenant and Enterprise Server
		{"https://octo.ghe.com/acme/infra.git", config.Forge{}, gh("octo.ghe.com", "acme/infra", "https://api.octo.ghe.com/")},
		{"git@github.example.com:acme/infra.git", config.Forge{}, gh("github.example.com", "acme/infra", "https://github.example.com/api/v3/")},
		{"https://ghe.corp.test/acme/infra.git", config.Forge{Type: "github"}, gh("ghe.corp.test", "acme/infra", "https://ghe.corp.test/api/v3/")},
		{"git@ghe-ssh.corp.test:acme/infra.git", config.Forge{Type: "github", APIURL: "https://ghe.corp.test/api/v3/"}, gh("ghe.corp.test", "acme/infra", "https://ghe.corp.test/api/v3/")},
		// GitLab, nested groups, ports
		{"https://gitlab.com/acme/platform/infra.git", config.Forge{}, gl("gitlab.com", "acme/platform/infra")},
		{"git@gitlab.com:acme/infra.git", config.Forge{}, gl("gitlab.com", "acme/infra")},
		{"ssh://git@altssh.gitlab.com:443/acme/infra.git", config.Forge{}, gl("gitlab.com", "acme/infra")},
		{"ssh://git@gitlab.example.com:2222/a/b/c/infra.git", config.Forge{}, gl("gitlab.example.com", "a/b/c/infra")},
		{"https://gitlab.example.com:8443/acme/infra.git", config.Forge{}, gl("gitlab.example.com:8443", "acme/infra")},
		{"http://gitlab.local/acme/infra.git", config.Forge{}, Target{Kind: KindGitLab, Host: "gitlab.local", Project: "acme/infra", APIURL: "http://gitlab.local/api/v4", WebURL: "http://gitlab.local/acme/infra"}},
		{"git@code.corp.test:acme/infra.git", config.Forge{Type: "gitlab", APIURL: "https://code.corp.test/api/v4"}, Target{Kind: KindGitLab, Host: "code.corp.test", Project: "acme/infra", APIURL: "https://code.corp.test/api/v4", WebURL: "https://code.corp.test/acme/infra"}},
		// overrides
		{"https://github.com/acme/infra-mirror.git", config.Forge{Project: "acme/infra"}, gh("github.com", "acme/infra", "https://api.github.com/")},
		{"https://github.com/acme/infra.git", config.Forge{Type: "none"}, none},
		// local remotes
		{"/srv/git/infra.git", config.Forge{}, none},
		{"../infra.git", config.Forge{}, none},
		{"./dir:with:colons/infra.git", config.Forge{}, none},
		{"file:///srv/git/infra.git", config.Forge{}, none},
		{"C:\\repos\\infra", config.Forge{}, none},
		{"", config.Forge{}, none},
		// a local remote with the forge spelled out, as tests against a fake forge do
		{"/tmp/remote.git", config.Forge{Type: "github", APIURL: "http://127.0.0.1:4321/", Project: "acme/infra"},
			Target{Kind: KindGitHub, Host: "127.0.0.1:4321", Project: "acme/infra", APIURL: "http://127.0.0.1:4321/", WebURL: "http://127.0.0.1:4321/acme/infra"}},
		{"/tmp/remote.git", config.Forge{Type: "github", APIURL: "https://api.github.com/", Project: "acme/infra"}, gh("github.com", "acme/infra", "https://api.github.com/")},
		{"/tmp/remote.git", config.Forge{Type: "gitlab", Project: "acme/infra"}, gl("gitlab.com", "acme/infra")},
	}
	for _, tt := range tests {
		got, err := Detect(tt.remote, tt.cfg, Hosts{})
		if err != nil {
			t.Errorf("Detect(%q, %+v): %v", tt.remote, tt.cfg, err)
			continue
		}
		got.RemoteHost, got.RemoteScheme = "", "" // the remote's own origin; TestCheckAPIHost covers what it allows
		if got != tt.want {
			t.Errorf("Detect(%q, %+v)\n got %+v\nwant %+v", tt.remote, tt.cfg, got, tt.want)
		}
	}
}

func TestDetectErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		remote  string
		cfg     config.Forge
		wantErr string
	}{
		{"git@code.corp.test:acme/infra.git", config.Forge{}, "set forge.type (github, gitlab or gitea) in .gito.yaml, or name the host in GH_HOST, GITLAB_HOST or GITEA_HOST"},
		{"https://github.com/acme/infra/sub.git", config.Forge{}, `github project "acme/infra/sub" must be owner/repo`},
		{"https://github.com/acme.git", config.Forge{}, "must be owner/repo"},
		{"https://gitlab.com/infra.git", config.Forge{}, "must be group/project"},
		{"/tmp/remote.git", config.Forge{Type: "github"}, "set forge.project in .gito.yaml"},
		{"https://github.com/acme/infra.git", config.Forge{APIURL: "ftp://x"}, "forge.apiURL"},
		{"svn://example.com/acme/infra", config.Forge{}, `unsupported scheme "svn"`},
		{"https://github.com/acme/../infra", config.Forge{}, "not a valid path"},
		{"https://github.com/acme/infra.git", config.Forge{Type: "bitbucket"}, "not one of github, gitlab, gitea, none"},
		{"https://gitea.example.com/org/sub/infra.git", config.Forge{}, `gitea project "org/sub/infra" must be owner/repo`},
		{"/tmp/remote.git", config.Forge{Type: "gitea", Project: "acme/infra"}, "forge.type gitea needs the server: set forge.apiURL in .gito.yaml or GITEA_HOST"},
	}
	for _, tt := range tests {
		_, err := Detect(tt.remote, tt.cfg, Hosts{})
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Detect(%q, %+v) error = %v, want it to contain %q", tt.remote, tt.cfg, err, tt.wantErr)
		}
	}
}

func TestDetectErrorsHideCredentials(t *testing.T) {
	t.Parallel()
	_, err := Detect("https://oauth2:glpat-SECRET@code.corp.test/acme/infra.git", config.Forge{}, Hosts{})
	if err == nil {
		t.Fatal("want an error for an unknown host")
	}
	_, err2 := Detect("svn://user:SECRET@code.corp.test/acme/infra", config.Forge{}, Hosts{})
	for _, e := range []error{err, err2} {
		if e == nil || strings.Contains(e.Error(), "SECRET") {
			t.Errorf("error leaks the credential: %v", e)
		}
	}
}

func TestDetectGitea(t *testing.T) {
	t.Parallel()
	gt := func(scheme, host, root, project string) Target {
		return Target{Kind: KindGitea, Host: host, Project: project, APIURL: scheme + "://" + host + root + "/api/v1", WebURL: scheme + "://" + host + root + "/" + project}
	}
	tests := []struct {
		remote string
		cfg    config.Forge
		want   Target
	}{
		{"https://codeberg.org/acme/infra.git", config.Forge{}, gt("https", "codeberg.org", "", "acme/infra")},
		{"git@gitea.example.com:acme/infra.git", config.Forge{}, gt("https", "gitea.example.com", "", "acme/infra")},
		{"https://forgejo.corp.test:3000/acme/infra.git", config.Forge{}, gt("https", "forgejo.corp.test:3000", "", "acme/infra")},
		{"http://127.0.0.1:3000/acme/infra.git", config.Forge{Type: "gitea"}, gt("http", "127.0.0.1:3000", "", "acme/infra")},
		// under a sub-path, the root is not part of the project
		{"https://example.com/git/acme/infra.git", config.Forge{Type: "gitea", APIURL: "https://example.com/git/api/v1"}, gt("https", "example.com", "/git", "acme/infra")},
		{"/tmp/remote.git", config.Forge{Type: "gitea", APIURL: "http://127.0.0.1:3000/api/v1", Project: "acme/infra"},
			Target{Kind: KindGitea, Host: "127.0.0.1:3000", Project: "acme/infra", APIURL: "http://127.0.0.1:3000/api/v1", WebURL: "http://127.0.0.1:3000/acme/infra"}},
	}
	for _, tt := range tests {
		got, err := Detect(tt.remote, tt.cfg, Hosts{})
		if err != nil {
			t.Errorf("Detect(%q, %+v): %v", tt.remote, tt.cfg, err)
			continue
		}
		got.RemoteHost, got.RemoteScheme = "", "" // the remote's own origin; TestCheckAPIHost covers what it allows
		if got != tt.want {
			t.Errorf("Detect(%q, %+v)\n got %+v\nwant %+v", tt.remote, tt.cfg, got, tt.want)
		}
	}
}

// GH_HOST, GITLAB_HOST and GITEA_HOST say what a host runs, as the user config's hosts: does;
// hosts: wins over a variable for the same host.
func TestDetectHostVariables(t *testing.T) {
	t.Parallel()
	env := map[string]string{"GH_HOST": "code.corp.test", "GITLAB_HOST": "https://lab.corp.test/", "GITEA_HOST": "tea.corp.test:3000"}
	hosts := KnownHosts(map[string]string{"Mixed.corp.test": "gitea", "lab.corp.test": "gitlab"}, func(k string) string { return env[k] })
	tests := []struct {
		remote string
		cfg    config.Forge
		kind   string
		host   string
		api    string
	}{
		{"git@code.corp.test:acme/infra.git", config.Forge{}, KindGitHub, "code.corp.test", "https://code.corp.test/api/v3/"},
		{"https://lab.corp.test/g/sub/infra.git", config.Forge{}, KindGitLab, "lab.corp.test", "https://lab.corp.test/api/v4"},
		{"https://tea.corp.test:3000/acme/infra.git", config.Forge{}, KindGitea, "tea.corp.test:3000", "https://tea.corp.test:3000/api/v1"},
		{"https://mixed.corp.test/acme/infra.git", config.Forge{}, KindGitea, "mixed.corp.test", "https://mixed.corp.test/api/v1"},
		// a local remote takes the kind's host variable as its server
		{"/tmp/remote.git", config.Forge{Type: "gitea", Project: "acme/infra"}, KindGitea, "tea.corp.test:3000", "https://tea.corp.test:3000/api/v1"},
		{"/tmp/remote.git", config.Forge{Type: "github", Project: "acme/infra"}, KindGitHub, "code.corp.test", "https://code.corp.test/api/v3/"},
		// .gito.yaml's forge.type still wins over a host variable
		{"git@code.corp.test:acme/infra.git", config.Forge{Type: "gitea"}, KindGitea, "code.corp.test", "https://code.corp.test/api/v1"},
	}
	for _, tt := range tests {
		got, err := Detect(tt.remote, tt.cfg, hosts)
		if err != nil {
			t.Errorf("Detect(%q): %v", tt.remote, err)
			continue
		}
		if got.Kind != tt.kind || got.Host != tt.host || got.APIURL != tt.api {
			t.Errorf("Detect(%q) = %s %s %s, want %s %s %s", tt.remote, got.Kind, got.Host, got.APIURL, tt.kind, tt.host, tt.api)
		}
	}
	if k := hosts.Kind("unknown.corp.test"); k != "" {
		t.Errorf("an undeclared host has kind %q", k)
	}
}
