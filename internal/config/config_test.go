package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateName(t *testing.T) {
	t.Parallel()
	good := []string{"api", "a", "web-2", "svc.v2", "a_b", "0", strings.Repeat("a", 63)}
	for _, n := range good {
		if err := ValidateName("--service", n); err != nil {
			t.Errorf("ValidateName(%q) = %v, want ok", n, err)
		}
	}
	bad := []string{"", "Api", "a/b", "../x", "..", "a..b", "a b", "x\n", "-a", "a-", ".a", "a.", strings.Repeat("a", 64), "a\\b", "a:b", "é"}
	for _, n := range bad {
		err := ValidateName("--service", n)
		if err == nil {
			t.Errorf("ValidateName(%q) = nil, want error", n)
			continue
		}
		if !strings.Contains(err.Error(), "--service") || strings.Contains(err.Error(), "\n") {
			t.Errorf("ValidateName(%q) error %q should name the flag on one line", n, err)
		}
	}
}

func TestParseVersion(t *testing.T) {
	t.Parallel()
	digest := "sha256:" + strings.Repeat("ab", 32)
	tests := []struct {
		in      string
		want    Version
		wantErr string
	}{
		{in: "v2.3.1", want: Version{Tag: "v2.3.1"}},
		{in: "7.0", want: Version{Tag: "7.0"}},
		{in: "latest", want: Version{Tag: "latest"}},
		{in: "_x", want: Version{Tag: "_x"}},
		{in: "v1@" + digest, want: Version{Tag: "v1", Digest: digest}},
		{in: "", wantErr: "not a valid image tag"},
		{in: ".v1", wantErr: "not a valid image tag"},
		{in: "-v1", wantErr: "not a valid image tag"},
		{in: "v1\nnewName: evil", wantErr: "not a valid image tag"},
		{in: "v1 # c", wantErr: "not a valid image tag"},
		{in: "v1:2", wantErr: "not a valid image tag"},
		{in: strings.Repeat("a", 129), wantErr: "not a valid image tag"},
		{in: "v1@sha256:abc", wantErr: "invalid digest"},
		{in: "v1@md5:" + strings.Repeat("a", 32), wantErr: "invalid digest"},
		{in: "v1@sha256:" + strings.Repeat("A", 64), wantErr: "invalid digest"},
	}
	for _, tt := range tests {
		got, err := ParseVersion("--version", tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "--version") {
				t.Errorf("ParseVersion(%q) error = %v, want %q naming --version", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseVersion(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if got.String() != tt.in {
			t.Errorf("Version.String() = %q, want %q", got.String(), tt.in)
		}
	}
}

func TestParseRepo(t *testing.T) {
	t.Parallel()
	full := `layout: "apps/{service}/overlays/{env}"
baseBranch: release
forge:
  type: gitlab
  apiURL: https://gl.example.com/api/v4
  project: group/sub/infra
services:
  api:
    images: [registry.example.com/team/api, registry.example.com/team/api-migrate]
environments:
  prod:
    labels: [release, prod]
    reviewers: [alice]
    draft: true
    autoMerge: true
signing:
  required: true
  allowedSigners: keys/allowed
templates: .gito/templates
`
	r, err := ParseRepo([]byte(full))
	if err != nil {
		t.Fatal(err)
	}
	if r.Layout != "apps/{service}/overlays/{env}" || r.BaseBranch != "release" || r.Forge.Type != "gitlab" ||
		r.Forge.Project != "group/sub/infra" || !r.Signing.Required || r.AllowedSignersPath() != "keys/allowed" {
		t.Errorf("ParseRepo = %+v", r)
	}
	if got := r.ImagesFor("api"); len(got) != 2 {
		t.Errorf("ImagesFor(api) = %v", got)
	}
	if got := r.ImagesFor("web"); len(got) != 1 || got[0] != "web" {
		t.Errorf("ImagesFor(web) = %v, want the service name", got)
	}
	if e := r.Env("prod"); !e.Draft || !e.AutoMerge || len(e.Reviewers) != 1 {
		t.Errorf("Env(prod) = %+v", e)
	}

	empty, err := ParseRepo(nil)
	if err != nil || empty.Layout != "" || empty.AllowedSignersPath() != DefaultAllowedSigners {
		t.Errorf("ParseRepo(empty) = %+v, %v", empty, err)
	}
}

func TestParseRepoErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ yaml, want string }{
		{"baseBrach: main\n", "field baseBrach not found"},
		{"layout: overlays/{service}\n", "key layout"},
		{"layout: ../{env}/{service}\n", "key layout"},
		{"forge:\n  type: bitbucket\n", "key forge.type"},
		{"services:\n  Api: {}\n", "key services.Api"},
		{"services:\n  api:\n    images: [\"a b\"]\n", "key services.api.images[0]"},
		{"environments:\n  ../prod: {}\n", "key environments"},
		{"templates: ../elsewhere\n", "key templates"},
		{"signing:\n  allowedSigners: /etc/keys\n", "key signing.allowedSigners"},
		{"layout: [\n", ".gito.yaml"},
		{"services: 3\n", ".gito.yaml"},
	}
	for _, tt := range tests {
		_, err := ParseRepo([]byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), FileName) || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseRepo(%q) error = %v, want one line starting with %s containing %q", tt.yaml, err, FileName, tt.want)
		}
	}
}

func TestLoadRepoAndUser(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r, err := LoadRepo(dir)
	if err != nil || r == nil {
		t.Fatalf("LoadRepo(no file) = %v, %v", r, err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("baseBranch: trunk\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, err = LoadRepo(dir); err != nil || r.BaseBranch != "trunk" {
		t.Fatalf("LoadRepo = %+v, %v", r, err)
	}

	env := map[string]string{"XDG_CONFIG_HOME": filepath.Join(dir, "cfg"), "HOME": "/nonexistent"}
	getenv := func(k string) string { return env[k] }
	u, err := LoadUser(getenv)
	if err != nil || u.Repo != "" {
		t.Fatalf("LoadUser(no file) = %+v, %v", u, err)
	}
	p := UserConfigPath(getenv)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("repo: git@github.com:acme/infra.git\nhosts:\n  git.acme.com: gitlab\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if u, err = LoadUser(getenv); err != nil || u.Repo != "git@github.com:acme/infra.git" || u.Hosts["git.acme.com"] != "gitlab" {
		t.Fatalf("LoadUser = %+v, %v", u, err)
	}
	if got := CacheDir(func(k string) string { return map[string]string{"HOME": "/h"}[k] }); got != "/h/.cache/gito" {
		t.Errorf("CacheDir = %q", got)
	}
}

func TestExpandLayout(t *testing.T) {
	t.Parallel()
	for _, l := range DefaultLayouts {
		if err := ValidateLayout(l); err != nil {
			t.Errorf("default layout %q invalid: %v", l, err)
		}
	}
	if got := ExpandLayout("apps/{service}/overlays/{env}", "api", "prod"); got != "apps/api/overlays/prod" {
		t.Errorf("ExpandLayout = %q", got)
	}
}
