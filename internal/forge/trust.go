package forge

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/httpauth"
)

// CheckAPIHost refuses to send a token to an API origin that only the infra repo's content
// names. Whoever can edit .gito.yaml must not be able to point forge.apiURL at a server of
// theirs, or at plain http or another port of the right one, and collect the releaser's token.
// A token may go to the remote's own origin (https on its host for an ssh remote; an http
// remote is the user's own choice of plain http), that host's known API host (api.github.com
// for github.com), or an origin the user (not the repo) declares: a key of the user config's
// hosts: map, or a host variable (declared). A declaration without a scheme means https, on
// its port or 443; plain http is declared as http://host[:port].
func CheckAPIHost(t Target, declared []string, userConfig string) error {
	if t.Kind == KindNone || t.APIURL == "" {
		return nil
	}
	api, err := httpauth.ParseOrigin(t.APIURL)
	if err != nil {
		return fmt.Errorf("forge API URL %q is not a URL", redactURL(t.APIURL))
	}
	for _, o := range trustedOrigins(t.RemoteScheme, t.RemoteHost, declared) {
		if api == o {
			return nil
		}
	}
	remote := "none: the remote is a local path"
	if t.RemoteHost != "" {
		remote = remoteOrigin(t.RemoteScheme, t.RemoteHost).String()
	}
	return fmt.Errorf("refusing to send the %s token to %s: forge.apiURL in %s names an origin (scheme, host and port) other than the remote's (%s); if you trust it, add \"%s: %s\" under hosts: in %s",
		t.Kind, api, config.FileName, remote, declaration(api), t.Kind, userConfig)
}

func trustedOrigins(remoteScheme, remoteHost string, declared []string) []httpauth.Origin {
	var out []httpauth.Origin
	if remoteHost != "" {
		r := remoteOrigin(remoteScheme, remoteHost)
		out = append(out, r)
		switch {
		case r.Host == "github.com":
			out = append(out, httpauth.Origin{Scheme: "https", Host: "api.github.com", Port: "443"})
		case strings.HasSuffix(r.Host, ".ghe.com"):
			out = append(out, httpauth.Origin{Scheme: "https", Host: "api." + r.Host, Port: "443"})
		}
	}
	for _, d := range declared {
		if o, ok := declaredOrigin(d); ok {
			out = append(out, o)
		}
	}
	return out
}

// remoteOrigin is where the remote's web and API live: its own scheme, host and port for an
// http(s) remote, https on the host for ssh (an ssh port says nothing about the web).
func remoteOrigin(scheme, host string) httpauth.Origin {
	if scheme != "http" {
		scheme = "https"
	}
	name, port := splitHostPort(host)
	if port == "" {
		port = httpauth.DefaultPort(scheme)
	}
	return httpauth.Origin{Scheme: scheme, Host: name, Port: port}
}

// declaredOrigin reads a hosts: key or a host variable: http(s)://host[:port], or
// host[:port] for https.
func declaredOrigin(d string) (httpauth.Origin, bool) {
	d = strings.ToLower(strings.TrimSpace(d))
	if d == "" {
		return httpauth.Origin{}, false
	}
	if strings.Contains(d, "://") {
		o, err := httpauth.ParseOrigin(d)
		return o, err == nil
	}
	u, err := url.Parse("https://" + strings.TrimRight(d, "/"))
	if err != nil || u.Hostname() == "" {
		return httpauth.Origin{}, false
	}
	return httpauth.OriginOf(u), true
}

// declaration is how the user declares o under hosts:.
func declaration(o httpauth.Origin) string {
	if o.Scheme == "https" {
		if o.Port == "443" {
			return o.Host
		}
		return net.JoinHostPort(o.Host, o.Port)
	}
	return o.String()
}

func splitHostPort(host string) (string, string) {
	if u, err := url.Parse("//" + host); err == nil && u.Hostname() != "" {
		return strings.ToLower(u.Hostname()), u.Port()
	}
	return strings.ToLower(host), ""
}
