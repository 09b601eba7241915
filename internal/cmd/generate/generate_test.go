package generate

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/testutil"
)

func TestNewCmdGenerate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    GenerateOptions
		wantErr string
	}{
		{name: "current directory", want: GenerateOptions{}},
		{name: "dir", args: []string{"overlays/prod/api"}, want: GenerateOptions{Dir: "overlays/prod/api"}},
		{name: "flags", args: []string{"--allow-unsigned", "--allowed-signers", "/etc/s", "--discover"}, want: GenerateOptions{AllowUnsigned: true, AllowedSigners: "/etc/s", Discover: true}},
		{name: "from the sidecar's env", env: map[string]string{"GITO_ALLOWED_SIGNERS": "/etc/gito/allowed_signers", "GITO_ALLOW_UNSIGNED": "1"}, want: GenerateOptions{AllowedSigners: "/etc/gito/allowed_signers", AllowUnsigned: true}},
		{name: "an application parameter cannot allow unsigned files", env: map[string]string{"ARGOCD_ENV_GITO_ALLOW_UNSIGNED": "1"}, want: GenerateOptions{}},
		{name: "two dirs", args: []string{"a", "b"}, wantErr: "accepts at most 1 arg"},
		{name: "empty dir", args: []string{" "}, wantErr: "empty DIR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ios, _, _, _ := iostreams.Test()
			var got *GenerateOptions
			f := &cmdutil.Factory{IOStreams: ios, Getenv: func(k string) string { return tc.env[k] }}
			cmd := NewCmdGenerate(f, func(o *GenerateOptions) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Dir != tc.want.Dir || got.AllowUnsigned != tc.want.AllowUnsigned || got.AllowedSigners != tc.want.AllowedSigners || got.Discover != tc.want.Discover {
				t.Errorf("options %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestGenerateRunRefusesMissingPinnedSigners(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteFile(t, root, ".gito.yaml", "")
	testutil.WriteFile(t, root, "app/kustomization.yaml", "resources: []\n")
	ios, stdout, _, _ := iostreams.Test()
	err := generateRun(t.Context(), &GenerateOptions{IO: ios, Getenv: func(string) string { return "" }, WorkDir: root, Dir: "app", AllowedSigners: "missing"})
	var verifyErr *exitcode.VerifyError
	if !errors.As(err, &verifyErr) || !strings.Contains(err.Error(), "GITO_ALLOWED_SIGNERS") || stdout.Len() != 0 {
		t.Fatalf("err = %v, stdout %q", err, stdout)
	}
}

func TestMissingImages(t *testing.T) {
	t.Parallel()
	rendered := []byte("spec:\n  containers:\n  - image: r/api@sha256:aa\n    name: api\n  initContainers:\n    - name: init\n      image: r/init:v1\n")
	if got := missingImages(rendered, " r/api@sha256:aa , r/init:v1,"); len(got) != 0 {
		t.Errorf("missing %q", got)
	}
	if got := missingImages(rendered, "r/api:v2,r/api@sha256:a"); strings.Join(got, ",") != "r/api:v2,r/api@sha256:a" {
		t.Errorf("missing %q", got)
	}
}
