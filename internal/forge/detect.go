package forge

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gito-dev/gito/internal/config"
)

// Forge kinds a Target can name.
const (
	KindGitHub = "github"
	KindGitLab = "gitlab"
	KindGitea  = "gitea" // Gitea and Forgejo
	KindNone   = "none"
)

// Target says which forge project an infra repo's pull requests go to.
type Target struct {
	Kind    string // KindGitHub, KindGitLab, KindGitea or KindNone
	Host    string // "github.com", "ghe.example.com", "gitlab.example.com:8443"; token lookup key
	Project string // "owner/repo" on GitHub and Gitea, "group/sub/project" on GitLab
	APIURL  string // "https://api.github.com/", "https://ghe.example.com/api/v3/", "https://gitlab.com/api/v4", "https://gitea.example.com/api/v1"
	WebURL  string // "https://github.com/owner/repo"
	// RemoteHost is the host of the remote URL ("" for a local remote): the one host a forge
	// token may go to without the user declaring another (see CheckAPIHost).
	RemoteHost string
	// RemoteScheme is the remote URL's scheme: "https", "http", "ssh" ("" for a local remote).
	// An http remote makes plain http to its own host and port the user's choice.
	RemoteScheme string
}

// Detect works out the forge from the remote URL, letting .gito.yaml's forge keys override
// each part; hosts (user config and GH_HOST/GITLAB_HOST/GITEA_HOST) say which forge a
// self-hosted host runs. A local or file:// remote has no forge unless forge.type says
// otherwise, in which case forge.project is required and forge.apiURL (or the kind's host
// variable) names the host.
func Detect(remoteURL string, cfg config.Forge, hosts Hosts) (Target, error) {
	if cfg.Type == KindNone {
		return Target{Kind: KindNone}, nil
	}
	remote, err := parseRemote(remoteURL)
	if err != nil {
		return Target{}, err
	}
	var api *url.URL
	if cfg.APIURL != "" {
		api, err = url.Parse(strings.TrimSpace(cfg.APIURL))
		if err != nil || (api.Scheme != "https" && api.Scheme != "http") || api.Host == "" {
			return Target{}, fmt.Errorf("forge.apiURL %q in %s is not an http(s) URL", redactURL(cfg.APIURL), config.FileName)
		}
		api.User = nil
	}

	t := Target{Kind: cfg.Type, Host: remote.host, Project: remote.project, RemoteHost: remote.host, RemoteScheme: remote.scheme}
	webScheme := remote.webScheme
	if api != nil && (t.Host == "" || cfg.Type != "") {
		// The API URL is the surest statement of where the forge lives, e.g. a GHES whose
		// SSH host differs from its web host, or a local remote in tests.
		t.Host = webHostOf(api.Host)
		webScheme = api.Scheme
	}
	webRoot := ""
	if t.Kind == "" && t.Host != "" {
		t.Kind = hosts.Kind(t.Host)
	}
	if api != nil && (t.Kind == KindGitLab || t.Kind == KindGitea) {
		// GitLab or Gitea under a relative URL root (https://host/gitlab/api/v4) serves repos at
		// https://host/gitlab/group/project.git: the root is not part of the project path.
		root := strings.Trim(strings.TrimSuffix(strings.TrimRight(api.Path, "/"), apiSuffix(t.Kind)), "/")
		if root != "" {
			if rest, ok := strings.CutPrefix(t.Project, root+"/"); ok {
				t.Project = rest
			}
			webRoot = "/" + root
		}
	}
	if cfg.Project != "" {
		t.Project = strings.Trim(cfg.Project, "/")
	}
	if t.Host == "" {
		if t.Kind == "" {
			return Target{Kind: KindNone}, nil
		}
		switch {
		case hosts.Default(t.Kind) != "":
			t.Host = hosts.Default(t.Kind)
		case t.Kind == KindGitHub:
			t.Host = "github.com"
		case t.Kind == KindGitLab:
			t.Host = "gitlab.com"
		default:
			return Target{}, fmt.Errorf("forge.type %s needs the server: set forge.apiURL in %s or %s", t.Kind, config.FileName, HostVars[KindGitea])
		}
	}
	if t.Kind == "" {
		t.Kind, err = kindOf(t.Host)
		if err != nil {
			return Target{}, err
		}
	}
	if err := validateProject(t.Kind, t.Project); err != nil {
		return Target{}, err
	}
	if webScheme == "" {
		webScheme = "https"
	}
	t.WebURL = webScheme + "://" + t.Host + webRoot + "/" + t.Project
	if api != nil {
		t.APIURL = api.String()
	} else {
		t.APIURL = defaultAPIURL(t.Kind, webScheme, t.Host)
	}
	return t, nil
}

type remoteParts struct {
	host      string // empty for a local remote
	project   string
	webScheme string // "http" when the remote was plain http, else ""
	scheme    string // "https", "http" or "ssh"; "" for a local remote
}

func parseRemote(raw string) (remoteParts, error) {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return remoteParts{}, nil
	case isLocalPath(raw):
		return remoteParts{}, nil
	}
	var host, p, scheme string
	remoteScheme := "ssh"
	if i := strings.Index(raw, "://"); i >= 0 {
		u, err := url.Parse(raw)
		if err != nil {
			return remoteParts{}, fmt.Errorf("parse remote URL %q: not a URL", redactURL(raw))
		}
		switch u.Scheme {
		case "file":
			return remoteParts{}, nil
		case "https", "http":
			host = u.Host // a web port belongs to the web and API URLs
			remoteScheme = u.Scheme
			if u.Scheme == "http" {
				scheme = "http"
			}
		case "ssh", "git", "git+ssh", "ssh+git":
			host = u.Hostname() // an SSH port says nothing about the web host
		default:
			return remoteParts{}, fmt.Errorf("remote URL %q: unsupported scheme %q", redactURL(raw), u.Scheme)
		}
		p = u.Path
	} else {
		// scp-like: [user@]host:path
		hostPart, pathPart, _ := strings.Cut(raw, ":")
		if _, h, ok := strings.Cut(hostPart, "@"); ok {
			hostPart = h
		}
		host, p = hostPart, pathPart
	}
	host = strings.ToLower(host)
	if host == "" {
		return remoteParts{}, fmt.Errorf("remote URL %q has no host", redactURL(raw))
	}
	return remoteParts{host: canonicalHost(host), project: cleanProject(p), webScheme: scheme, scheme: remoteScheme}, nil
}

// isLocalPath follows git's rule: a colon before any slash makes it scp-like, so "./a:b",
// "/srv/x.git", "C:\repo" and "..\repo" are paths.
func isLocalPath(raw string) bool {
	if strings.Contains(raw, "://") {
		return false
	}
	if len(raw) >= 2 && raw[1] == ':' && isLetter(raw[0]) {
		return true // Windows drive
	}
	colon := strings.Index(raw, ":")
	slash := strings.IndexAny(raw, `/\`)
	return colon < 0 || (slash >= 0 && slash < colon)
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// canonicalHost maps the SSH-over-443 aliases to the forge they front.
func canonicalHost(h string) string {
	switch h {
	case "ssh.github.com":
		return "github.com"
	case "altssh.gitlab.com":
		return "gitlab.com"
	}
	return h
}

// webHostOf turns an API host into the host users browse: api.github.com is github.com and
// api.TENANT.ghe.com is TENANT.ghe.com; other hosts serve web and API alike.
func webHostOf(apiHost string) string {
	h := strings.ToLower(apiHost)
	if h == "api.github.com" || (strings.HasPrefix(h, "api.") && strings.HasSuffix(h, ".ghe.com")) {
		return strings.TrimPrefix(h, "api.")
	}
	return h
}

func cleanProject(p string) string {
	p = strings.Trim(p, "/")
	p = strings.TrimSuffix(p, ".git")
	return strings.Trim(p, "/")
}

func kindOf(host string) (string, error) {
	name := host
	if i := strings.LastIndex(name, ":"); i >= 0 && !strings.HasSuffix(name, "]") {
		name = name[:i]
	}
	switch {
	case name == "github.com" || strings.HasSuffix(name, ".ghe.com"):
		return KindGitHub, nil
	case name == "gitlab.com":
		return KindGitLab, nil
	case strings.Contains(name, "gitlab"):
		return KindGitLab, nil
	case strings.Contains(name, "github"):
		return KindGitHub, nil
	case name == "codeberg.org" || strings.Contains(name, "gitea") || strings.Contains(name, "forgejo"):
		return KindGitea, nil
	}
	return "", fmt.Errorf("cannot tell which forge %s is: set forge.type (github, gitlab or gitea) in %s, or name the host in GH_HOST, GITLAB_HOST or GITEA_HOST", host, config.FileName)
}

func validateProject(kind, project string) error {
	if kind != KindGitHub && kind != KindGitLab && kind != KindGitea {
		return fmt.Errorf("forge.type %q in %s is not one of github, gitlab, gitea, none", kind, config.FileName)
	}
	if project == "" {
		return fmt.Errorf("no %s project: set forge.project in %s", kind, config.FileName)
	}
	if kind == KindGitLab && isNumericID(project) {
		return nil // GitLab also addresses a project by its numeric ID
	}
	parts := strings.Split(project, "/")
	for _, s := range parts {
		if s == "" || s == "." || s == ".." || strings.ContainsAny(s, " \t\n?#%") {
			return fmt.Errorf("%s project %q is not a valid path", kind, project)
		}
	}
	switch {
	case (kind == KindGitHub || kind == KindGitea) && len(parts) != 2:
		return fmt.Errorf("%s project %q must be owner/repo: set forge.project in %s", kind, project, config.FileName)
	case kind == KindGitLab && len(parts) < 2:
		return fmt.Errorf("gitlab project %q must be group/project: set forge.project in %s", project, config.FileName)
	}
	return nil
}

func isNumericID(s string) bool {
	if s == "" || s[0] == '0' {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// apiSuffix is the path a kind's REST API lives under, below the server's root.
func apiSuffix(kind string) string {
	if kind == KindGitea {
		return "/api/v1"
	}
	return "/api/v4"
}

func defaultAPIURL(kind, scheme, host string) string {
	if kind == KindGitLab || kind == KindGitea {
		return scheme + "://" + host + apiSuffix(kind)
	}
	switch {
	case host == "github.com":
		return "https://api.github.com/"
	case strings.HasSuffix(host, ".ghe.com"):
		return "https://api." + host + "/"
	}
	return scheme + "://" + host + "/api/v3/"
}

// redactURL drops any user:password@ from a URL so a token in a remote never reaches an error.
func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		u.User = nil
		return u.String()
	}
	if i := strings.Index(raw, "://"); i >= 0 {
		rest := raw[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 && !strings.Contains(rest[:at], "/") {
			return raw[:i+3] + rest[at+1:]
		}
	}
	return raw
}
