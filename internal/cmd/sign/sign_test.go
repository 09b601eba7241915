package sign

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/signing"
	"github.com/gito-dev/gito/internal/testutil"
)

func TestNewCmdSign(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    SignOptions
		wantErr string
	}{
		{name: "paths", args: []string{"a/kustomization.yaml", "b"}, want: SignOptions{Paths: []string{"a/kustomization.yaml", "b"}}},
		{name: "key and json", args: []string{"--signing-key", "/k/id", "--json", "a"}, want: SignOptions{Paths: []string{"a"}, SigningKey: "/k/id", JSON: true}},
		{name: "no paths", args: nil, wantErr: "name at least one kustomization file"},
		{name: "a signature file", args: []string{"a/kustomization.yaml.sig"}, wantErr: "is a signature"},
		{name: "render", args: []string{"--render", "overlays/prod/api"}, want: SignOptions{Render: "overlays/prod/api"}},
		{name: "render and paths", args: []string{"--render", "d", "a"}, wantErr: "cannot be combined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ios, _, _, _ := iostreams.Test()
			var got *SignOptions
			cmd := NewCmdSign(&cmdutil.Factory{IOStreams: ios, Getenv: func(string) string { return "" }}, func(o *SignOptions) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tc.wantErr != "" {
				var flagErr *exitcode.FlagError
				if !errors.As(err, &flagErr) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want FlagError %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got.Paths, "|") != strings.Join(tc.want.Paths, "|") || got.SigningKey != tc.want.SigningKey || got.JSON != tc.want.JSON || got.Render != tc.want.Render {
				t.Errorf("options %+v, want %+v", got, tc.want)
			}
		})
	}
}

type fixture struct {
	root, key, pubLine, fingerprint, home string
}

func newFixture(t *testing.T, allowedOptions string) *fixture {
	t.Helper()
	testutil.RequireTools(t, "git", "ssh-keygen")
	fx := &fixture{root: t.TempDir(), key: filepath.Join(t.TempDir(), "id_ecdsa"), home: t.TempDir()}
	run(t, fx.root, nil, "git", "init", "-q")
	run(t, "", nil, "ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-C", "alice@example.com", "-f", fx.key)
	pub, err := os.ReadFile(fx.key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(pub))
	fx.pubLine = f[0] + " " + f[1]
	fx.fingerprint = strings.Fields(run(t, "", nil, "ssh-keygen", "-lf", fx.key+".pub"))[1]
	testutil.WriteFile(t, fx.root, ".gito/allowed_signers", "alice@example.com "+allowedOptions+fx.pubLine+"\n")
	testutil.WriteFile(t, fx.root, "overlays/prod/api/kustomization.yaml", "images:\n  - name: api\n    newTag: v1\n")
	testutil.WriteFile(t, fx.root, "overlays/dev/api/kustomization.yml", "images:\n  - name: api\n    newTag: v2\n")
	return fx
}

func (fx *fixture) getenv(extra map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := extra[k]; ok {
			return v
		}
		return map[string]string{"HOME": fx.home, "XDG_CONFIG_HOME": filepath.Join(fx.home, ".config")}[k]
	}
}

func execSign(t *testing.T, workDir string, getenv func(string) string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Getenv: getenv, Now: time.Now}
	cmd := NewCmdSign(f, func(o *SignOptions) error {
		o.WorkDir = workDir
		o.GitConfig = func(context.Context, string) (string, error) { return "", nil } // hermetic: ignore the machine's git config
		return signRun(t.Context(), o)
	})
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	err = cmd.ExecuteContext(t.Context())
	return out.String(), errOut.String(), err
}

func TestSignRun(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, "")
	_, stderr, err := execSign(t, filepath.Join(fx.root, "overlays"), fx.getenv(nil),
		"--signing-key", fx.key, "prod/api/kustomization.yaml", "dev/api")
	if err != nil {
		t.Fatal(err)
	}
	want := "signed overlays/prod/api/kustomization.yaml (" + fx.fingerprint + " alice@example.com)\n" +
		"signed overlays/dev/api/kustomization.yml (" + fx.fingerprint + " alice@example.com)\n"
	if stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
	}
	for _, rel := range []string{"overlays/prod/api/kustomization.yaml", "overlays/dev/api/kustomization.yml"} {
		data, err := os.ReadFile(filepath.Join(fx.root, rel))
		if err != nil {
			t.Fatal(err)
		}
		out, err := runErr(fx.root, data, "ssh-keygen", "-Y", "verify", "-f", ".gito/allowed_signers", "-I", "alice@example.com",
			"-n", "gito:"+rel, "-s", rel+".sig")
		if err != nil {
			t.Errorf("ssh-keygen refused %s: %v\n%s", rel, err, out)
		}
	}
}

func TestSignKeyFromEnvAndUserConfig(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, "")
	rel := "overlays/prod/api/kustomization.yaml"

	// GITO_SIGNING_KEY, with --json on stdout.
	stdout, _, err := execSign(t, fx.root, fx.getenv(map[string]string{"GITO_SIGNING_KEY": fx.key}), "--json", rel)
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]string
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	want := map[string]string{"path": rel, "signature": rel + ".sig", "fingerprint": fx.fingerprint, "principal": "alice@example.com"}
	if len(got) != 1 || len(got[0]) != len(want) {
		t.Fatalf("json %s", stdout)
	}
	for k, v := range want {
		if got[0][k] != v {
			t.Errorf("%s = %q, want %q", k, got[0][k], v)
		}
	}

	// signingKey in the user config.
	testutil.WriteFile(t, fx.home, ".config/gito/config.yaml", "signingKey: "+fx.key+"\n")
	if err := os.Remove(filepath.Join(fx.root, rel+".sig")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := execSign(t, fx.root, fx.getenv(nil), rel); err != nil {
		t.Fatal(err)
	}
	res := signing.Verify(t.Context(), signing.VerifyRequest{Root: fx.root, Path: rel, AllowedSigners: loadAllowed(t, fx), Now: time.Now()})
	if !res.OK() {
		t.Errorf("verify after signing with the user-config key: %s %s", res.Status, res.Message)
	}
}

func TestSignWarnsWhenVerifyWouldRefuse(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, `namespaces="gito:overlays/prod/*" `)
	_, stderr, err := execSign(t, fx.root, fx.getenv(nil), "--signing-key", fx.key, "overlays/dev/api")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "warning: gito verify will reject overlays/dev/api/kustomization.yml: not-allowed: .gito/allowed_signers:1 allows alice@example.com only for namespaces") {
		t.Errorf("stderr %q lacks the warning", stderr)
	}
}

func TestSignErrors(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, "")
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    string
		flagErr bool
	}{
		{name: "missing file", args: []string{"--signing-key", fx.key, "overlays/nope/kustomization.yaml"}, want: "sign overlays/nope/kustomization.yaml: stat"},
		{name: "directory without kustomization", args: []string{"--signing-key", fx.key, "overlays"}, want: "overlays is a directory without a kustomization file", flagErr: true},
		{name: "no key anywhere", args: []string{"overlays/prod/api"}, want: "--signing-key"},
		{name: "bad key path", args: []string{"--signing-key", "/nonexistent/id", "overlays/prod/api"}, want: "signing key from --signing-key: open /nonexistent/id"},
	}
	for _, tc := range tests {
		// No ssh-agent and a repo without user.signingkey: only the named key can sign.
		_, _, err := execSign(t, fx.root, fx.getenv(tc.env), tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
			continue
		}
		var flagErr *exitcode.FlagError
		if errors.As(err, &flagErr) != tc.flagErr {
			t.Errorf("%s: FlagError = %v, want %v", tc.name, !tc.flagErr, tc.flagErr)
		}
	}
}

func loadAllowed(t *testing.T, fx *fixture) *signing.AllowedSigners {
	t.Helper()
	as, err := signing.LoadAllowedSigners(filepath.Join(fx.root, ".gito/allowed_signers"), ".gito/allowed_signers")
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func run(t *testing.T, dir string, stdin []byte, name string, args ...string) string {
	t.Helper()
	out, err := runErr(dir, stdin, name, args...)
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return out
}

func runErr(dir string, stdin []byte, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
