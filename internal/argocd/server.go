// Package argocd reads Argo CD Applications over Argo CD's REST API: just enough for --wait to
// see which revision an Application has synced and whether it is healthy.
package argocd

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/gito-dev/gito/internal/config"
)

// Server is where the Argo CD API lives and how to reach it.
type Server struct {
	URL      *url.URL // scheme and host (and a path prefix when Argo CD runs under one)
	Insecure bool     // skip TLS verification, like `argocd --insecure`
	Source   string   // what named it: "ARGOCD_SERVER" or the user config path
}

// ErrNoServer means nothing names an Argo CD server.
var ErrNoServer = errors.New("no Argo CD server")

// ResolveServer picks the server from ARGOCD_SERVER, then the user config; the repo's
// argocd.server is accepted only when one of those names the same server, because a repo's
// content alone must never send ARGOCD_AUTH_TOKEN to a new host. ARGOCD_OPTS may carry
// --plaintext and --insecure as for the argocd CLI.
func ResolveServer(repo config.ArgoCD, user config.UserArgoCD, getenv func(string) string, userPath string) (*Server, error) {
	plaintext, insecure := user.PlainText, user.Insecure
	for _, opt := range strings.Fields(getenv("ARGOCD_OPTS")) {
		switch opt {
		case "--plaintext":
			plaintext = true
		case "--insecure":
			insecure = true
		}
	}
	trusted, source := getenv("ARGOCD_SERVER"), "ARGOCD_SERVER"
	if trusted == "" {
		trusted, source = user.Server, userPath
	}
	if trusted == "" {
		if repo.Server != "" {
			return nil, fmt.Errorf("%s argocd.server %q is named only by the repo, and a repo's content never sends ARGOCD_AUTH_TOKEN to a new host: set ARGOCD_SERVER=%s or argocd.server in %s to allow it",
				config.FileName, repo.Server, repo.Server, userPath)
		}
		return nil, fmt.Errorf("%w: set ARGOCD_SERVER (or argocd.server in %s) to the Argo CD API server", ErrNoServer, userPath)
	}
	u, err := parseServer(trusted, plaintext)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	// When the repo names another server, the user's choice still wins: the repo cannot
	// redirect the token.
	return &Server{URL: u, Insecure: insecure, Source: source}, nil
}

// parseServer reads host[:port] (https, or http with plaintext) or a URL, whose scheme is
// kept (http:// is plaintext).
func parseServer(s string, plaintext bool) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		scheme := "https"
		if plaintext {
			scheme = "http"
		}
		s = scheme + "://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("Argo CD server %q is not host[:port] or an http(s) URL", s)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}
