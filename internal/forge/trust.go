package forge

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gito-dev/gito/internal/config"
)

// CheckAPIHost refuses to send a token to an API host that only the infra repo's content names.
// Whoever can edit .gito.yaml must not be able to point forge.apiURL at a server of theirs and
// collect the releaser's token. A token may go to the remote's own host, that host's known
// API host (api.github.com for github.com), or a host the user (not the repo) declares:
// the user config's hosts: map, or a host variable (declared).
func CheckAPIHost(t Target, declared []string, userConfig string) error {
	if t.Kind == KindNone || t.APIURL == "" {
		return nil
	}
	u, err := url.Parse(t.APIURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("forge API URL %q is not a URL", redactURL(t.APIURL))
	}
	api := strings.ToLower(u.Host)
	for _, h := range trustedHosts(t.RemoteHost, declared) {
		if api == h || strings.TrimSuffix(api, ":443") == h {
			return nil
		}
	}
	remote := t.RemoteHost
	if remote == "" {
		remote = "none: the remote is a local path"
	}
	return fmt.Errorf("refusing to send the %s token to %s: forge.apiURL in %s names a host other than the remote's (%s); if you trust it, add \"%s: %s\" under hosts: in %s",
		t.Kind, api, config.FileName, remote, api, t.Kind, userConfig)
}

func trustedHosts(remoteHost string, declared []string) []string {
	var out []string
	if h := strings.ToLower(remoteHost); h != "" {
		out = append(out, h)
		switch {
		case h == "github.com":
			out = append(out, "api.github.com")
		case strings.HasSuffix(h, ".ghe.com"):
			out = append(out, "api."+h)
		}
	}
	for _, h := range declared {
		out = append(out, strings.ToLower(strings.TrimSpace(h)))
	}
	return out
}
