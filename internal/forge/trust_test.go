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
		{"/srv/infra.git", "http://127.0.0.1:8080/api/v3/", []string{"127.0.0.1:8080"}, true},
		{"https://github.com/acme/infra.git", "https://api.github.com.evil.io/", nil, false},
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
