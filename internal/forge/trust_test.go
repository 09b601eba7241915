package forge

import (
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/config"
)

func TestCheckAPIHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		remote, apiURL string
		declared       []string
		ok             bool
	}{
		{"https://github.com/acme/infra.git", "", nil, true},
		{"git@github.com:acme/infra.git", "https://api.github.com/", nil, true},
		{"https://acme.ghe.com/acme/infra.git", "https://api.acme.ghe.com/", nil, true},
		{"https://ghe.acme.io/acme/infra.git", "https://ghe.acme.io/api/v3/", nil, true},
		{"https://gitlab.acme.io/g/infra.git", "https://gitlab.acme.io:443/api/v4", nil, true},
		{"https://github.com/acme/infra.git", "http://127.0.0.2:8080/api/v3/", nil, false},
		{"/srv/infra.git", "http://127.0.0.1:8080/api/v3/", nil, false},
		{"https://github.com/acme/infra.git", "https://api.github.com.evil.io/", nil, false},
		// H4: the scheme and the port count, not only the host name.
		{"https://ghe.acme.io/acme/infra.git", "http://ghe.acme.io/api/v3/", nil, false},
		{"https://ghe.acme.io/acme/infra.git", "http://ghe.acme.io/api/v3/", []string{"ghe.acme.io"}, false},
		{"https://ghe.acme.io/acme/infra.git", "https://ghe.acme.io:8443/api/v3/", []string{"ghe.acme.io"}, false},
		{"https://ghe.acme.io/acme/infra.git", "http://ghe.acme.io:443/api/v3/", []string{"ghe.acme.io"}, false},
		{"git@ghe.acme.io:acme/infra.git", "http://ghe.acme.io/api/v3/", nil, false},
		{"https://github.com/acme/infra.git", "http://api.github.com/", nil, false},
		{"/srv/infra.git", "http://127.0.0.1:8080/api/v3/", []string{"127.0.0.1:8080"}, false},
		{"/srv/infra.git", "http://127.0.0.1:8080/api/v3/", []string{"http://127.0.0.1:8080"}, true},
		{"/srv/infra.git", "http://127.0.0.1:8081/api/v3/", []string{"http://127.0.0.1:8080"}, false},
		{"https://ghe.acme.io/acme/infra.git", "http://ghe.acme.io/api/v3/", []string{"http://ghe.acme.io"}, true},
		{"https://ghe.acme.io/acme/infra.git", "https://ghe.acme.io:8443/api/v3/", []string{"ghe.acme.io:8443"}, true},
		{"http://git.acme.io:3000/acme/infra.git", "http://git.acme.io:3000/api/v3/", nil, true},
		{"http://git.acme.io:3000/acme/infra.git", "http://git.acme.io/api/v3/", nil, false},
	}
	for _, tt := range tests {
		target, err := Detect(tt.remote, config.Forge{Type: "github", APIURL: tt.apiURL, Project: "acme/infra"}, Hosts{})
		if err != nil {
			t.Fatalf("Detect(%q, %q): %v", tt.remote, tt.apiURL, err)
		}
		err = CheckAPIHost(target, tt.declared, "/home/u/.config/gito/config.yaml")
		if (err == nil) != tt.ok {
			t.Errorf("CheckAPIHost(remote %q, api %q, declared %v) = %v, want ok %t", tt.remote, tt.apiURL, tt.declared, err, tt.ok)
		}
		if err != nil && (!strings.Contains(err.Error(), "forge.apiURL in .gito.yaml") || strings.Contains(err.Error(), "\n")) {
			t.Errorf("error is not one line naming forge.apiURL: %q", err)
		}
	}
}

// The refusal names the declaration that would allow the origin: with its scheme for http,
// with its port when not 443.
func TestCheckAPIHostNamesTheDeclaration(t *testing.T) {
	t.Parallel()
	for api, want := range map[string]string{
		"http://ghe.acme.io/api/v3/":       `refusing to send the github token to http://ghe.acme.io: forge.apiURL in .gito.yaml names an origin (scheme, host and port) other than the remote's (https://ghe.acme.io); if you trust it, add "http://ghe.acme.io: github" under hosts: in /u/config.yaml`,
		"https://ghe.acme.io:8443/api/v3/": `add "ghe.acme.io:8443: github" under hosts:`,
		"http://[::1]:8080/api/v3/":        `add "http://[::1]:8080: github" under hosts:`,
	} {
		target, err := Detect("https://ghe.acme.io/acme/infra.git", config.Forge{Type: "github", APIURL: api}, Hosts{})
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckAPIHost(target, []string{"ghe.acme.io"}, "/u/config.yaml"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("api %s: err = %v, want it to contain %q", api, err, want)
		}
	}
}
