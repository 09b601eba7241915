package release

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/iostreams"
)

func TestNewCmdRelease(t *testing.T) {
	t.Parallel()
	digest := "sha256:" + strings.Repeat("0", 64)
	tests := []struct {
		name    string
		args    string
		env     map[string]string
		tty     bool
		wantErr string
		check   func(t *testing.T, o *ReleaseOptions)
	}{
		{
			name: "all flags",
			args: "--service api --env prod --version v2.3.1 --repo git@github.com:acme/infra.git --base trunk --dry-run --json --yes --draft --label a --label b --reviewer alice --signing-key /k --create",
			check: func(t *testing.T, o *ReleaseOptions) {
				if o.Service != "api" || o.Env != "prod" || o.Version.Tag != "v2.3.1" || o.Repo != "git@github.com:acme/infra.git" ||
					o.Base != "trunk" || !o.DryRun || !o.JSON || !o.Yes || !o.Draft || o.AutoMerge || !o.Create ||
					!slices.Equal(o.Labels, []string{"a", "b"}) || !slices.Equal(o.Reviewers, []string{"alice"}) || o.SigningKey != "/k" || o.PinDigest {
					t.Errorf("options = %+v", o)
				}
			},
		},
		{
			name: "short flags, digest, env defaults",
			args: "-s web -e dev --version v1@" + digest,
			env:  map[string]string{"GITO_REPO": "/srv/infra.git", "GITO_SIGNING_KEY": "/ci/key"},
			check: func(t *testing.T, o *ReleaseOptions) {
				if o.Service != "web" || o.Version.Digest != digest || o.Repo != "/srv/infra.git" || o.SigningKey != "/ci/key" {
					t.Errorf("options = %+v", o)
				}
			},
		},
		{
			name: "pin digest",
			args: "-s api -e prod --version v1 --pin-digest",
			check: func(t *testing.T, o *ReleaseOptions) {
				if !o.PinDigest {
					t.Errorf("PinDigest = false")
				}
			},
		},
		{
			name: "flag beats env",
			args: "-s web -e dev --version v1 --repo ./here",
			env:  map[string]string{"GITO_REPO": "/srv/infra.git"},
			check: func(t *testing.T, o *ReleaseOptions) {
				if o.Repo != "./here" {
					t.Errorf("Repo = %q", o.Repo)
				}
			},
		},
		{name: "tty still needs flags", args: "-s api --version v1", tty: true, wantErr: "--env is required"},
		{name: "missing env", args: "-s api --version v1", wantErr: "--env is required"},
		{name: "missing version", args: "-s api -e prod", wantErr: "--version is required"},
		{name: "bad service", args: "-s API -e prod --version v1", wantErr: `--service "API" is not a valid name`},
		{name: "traversal env", args: "-s api -e ../prod --version v1", wantErr: `--env "../prod" is not a valid name`},
		{name: "injection in version", args: "-s api -e prod --version 'v1 #x'", wantErr: `--version "v1 #x" is not a valid image tag`},
		{name: "bad digest", args: "-s api -e prod --version v1@sha256:xyz", wantErr: "invalid digest"},
		{name: "draft and auto-merge", args: "-s api -e prod --version v1 --draft --auto-merge", wantErr: "cannot be combined"},
		{name: "bad base", args: "-s api -e prod --version v1 --base ..", wantErr: `--base ".." is not a valid branch name`},
		{name: "reviewer path", args: "-s api -e prod --version v1 --reviewer a/b/c", wantErr: `--reviewer "a/b/c" is not a user name or org/team`},
		{name: "reviewer traversal", args: "-s api -e prod --version v1 --reviewer ../../admin", wantErr: `--reviewer "../../admin"`},
		{name: "label newline", args: "-s api -e prod --version v1 --label 'a\nb'", wantErr: "--label"},
		{name: "label comma", args: "-s api -e prod --version v1 --label a,b", wantErr: `--label "a,b" holds a comma`},
		{name: "label too long", args: "-s api -e prod --version v1 --label " + strings.Repeat("x", 5000), wantErr: "--label is 5000 characters long"},
		{name: "positional arg", args: "-s api -e prod --version v1 extra", wantErr: `unexpected argument "extra": release takes no arguments`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ios, _, _, _ := iostreams.Test()
			ios.SetTTY(tt.tty)
			f := &cmdutil.Factory{IOStreams: ios, Getenv: func(k string) string { return tt.env[k] }}
			var got *ReleaseOptions
			cmd := NewCmdRelease(f, func(o *ReleaseOptions) error { got = o; return nil })
			cmd.SetArgs(splitArgs(tt.args))
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			_, err := cmd.ExecuteC()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, got)
		})
	}
}

// splitArgs splits on spaces, keeping single-quoted words together.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, inWord := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}
