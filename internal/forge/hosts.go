package forge

import (
	"net/url"
	"strings"
)

// HostVars are the variables that name a self-hosted forge's host, as gh and glab read them.
var HostVars = map[string]string{
	KindGitHub: "GH_HOST",     // GitHub Enterprise Server
	KindGitLab: "GITLAB_HOST", // self-managed GitLab
	KindGitea:  "GITEA_HOST",  // Gitea or Forgejo
}

// Hosts says which forge a self-hosted host runs: the user config's hosts: map plus the host
// variables. A repository's .gito.yaml never adds to it, so repo content alone cannot make gito
// treat a host as a forge it holds a token for.
type Hosts struct {
	kinds    map[string]string // host[:port], lower case -> kind
	defaults map[string]string // kind -> host named by its variable
	declared []string          // as written, scheme included: what CheckAPIHost trusts
}

// KnownHosts merges the user config's hosts: (host -> github|gitlab|gitea) with GH_HOST,
// GITLAB_HOST and GITEA_HOST. A variable may hold a bare host or a URL (glab accepts both).
func KnownHosts(userHosts map[string]string, getenv func(string) string) Hosts {
	h := Hosts{kinds: map[string]string{}, defaults: map[string]string{}}
	for raw, kind := range userHosts {
		if host := normalizeHost(raw); host != "" {
			h.kinds[host] = strings.ToLower(strings.TrimSpace(kind))
			h.declared = append(h.declared, strings.ToLower(strings.TrimSpace(raw)))
		}
	}
	if getenv == nil {
		return h
	}
	for _, kind := range []string{KindGitHub, KindGitLab, KindGitea} {
		raw := getenv(HostVars[kind])
		host := normalizeHost(raw)
		if host == "" {
			continue
		}
		h.declared = append(h.declared, strings.ToLower(strings.TrimSpace(raw)))
		h.defaults[kind] = host
		if _, declared := h.kinds[host]; !declared {
			h.kinds[host] = kind
		}
	}
	return h
}

// Kind is the forge declared for host ("" when none): an exact host:port entry first, then
// the bare host name.
func (h Hosts) Kind(host string) string {
	host = normalizeHost(host)
	if k, ok := h.kinds[host]; ok {
		return k
	}
	if name := hostname(host); name != host {
		return h.kinds[name]
	}
	return ""
}

// Default is the host a kind's variable names ("" when unset).
func (h Hosts) Default(kind string) string { return h.defaults[kind] }

func normalizeHost(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.Contains(s, "://") {
		if u, err := url.Parse(s); err == nil {
			return u.Host
		}
		return ""
	}
	return strings.TrimRight(s, "/")
}

// hostname drops a port ("[::1]:3000" keeps its brackets' content).
func hostname(host string) string {
	if u, err := url.Parse("//" + host); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return host
}

// Names lists every declared host as the user wrote it (http://host:port keeps its scheme),
// for the API origin check: an origin the user named in hosts: or a host variable is one they
// trust with that forge's token.
func (h Hosts) Names() []string { return append([]string(nil), h.declared...) }
