package verify

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/signing"
	"github.com/gito-dev/gito/internal/testutil"
)

func TestNewCmdVerify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    VerifyOptions
		wantErr string
	}{
		{name: "no args", args: nil, want: VerifyOptions{}},
		{name: "paths and json", args: []string{"overlays/prod", "base/kustomization.yaml", "--json"}, want: VerifyOptions{Paths: []string{"overlays/prod", "base/kustomization.yaml"}, JSON: true}},
		{name: "empty path", args: []string{""}, wantErr: "empty path argument"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ios, _, _, _ := iostreams.Test()
			var got *VerifyOptions
			cmd := NewCmdVerify(&cmdutil.Factory{IOStreams: ios, Now: time.Now}, func(o *VerifyOptions) error { got = o; return nil })
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
			if strings.Join(got.Paths, "|") != strings.Join(tc.want.Paths, "|") || got.JSON != tc.want.JSON {
				t.Errorf("options %+v, want %+v", got, tc.want)
			}
		})
	}
}

// repo is a real git repository with signed overlays, the way gito leaves one.
type repo struct {
	root        string
	key         string
	fingerprint string
	signer      signing.Signer
}

const kustomization = "resources:\n  - ../../../base\nimages:\n  - name: api\n    newTag: v1.2.3\n"

func newRepo(t *testing.T, gitoYAML, allowedOptions string) *repo {
	t.Helper()
	testutil.RequireTools(t, "git", "ssh-keygen")
	r := &repo{root: t.TempDir(), key: filepath.Join(t.TempDir(), "id_ed25519")}
	run(t, r.root, "git", "init", "-q")
	run(t, "", "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice@example.com", "-f", r.key)
	pub, err := os.ReadFile(r.key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	r.fingerprint = strings.Fields(run(t, "", "ssh-keygen", "-lf", r.key+".pub"))[1]
	if gitoYAML != "" {
		r.write(t, ".gito.yaml", gitoYAML)
	}
	f := strings.Fields(string(pub))
	r.write(t, ".gito/allowed_signers", "# who may sign overlays\nalice@example.com "+allowedOptions+f[0]+" "+f[1]+"\n")
	r.signer, err = signing.LoadSigner(t.Context(), signing.KeySource{KeyPath: r.key, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"overlays/dev/api/kustomization.yaml", "overlays/prod/api/kustomization.yaml", "overlays/prod/web/kustomization.yaml"} {
		r.write(t, p, kustomization)
		r.sign(t, p)
	}
	return r
}

func (r *repo) write(t *testing.T, rel, content string) {
	t.Helper()
	testutil.WriteFile(t, r.root, rel, content)
}

func (r *repo) read(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.root, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (r *repo) sign(t *testing.T, rel string) {
	t.Helper()
	if _, err := signing.SignFile(r.root, rel, r.signer); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// execVerify runs the cobra command as gito would, from workDir.
func execVerify(t *testing.T, workDir string, now time.Time, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Now: func() time.Time { return now }}
	cmd := NewCmdVerify(f, func(o *VerifyOptions) error {
		o.WorkDir = workDir
		return verifyRun(t.Context(), o)
	})
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	err = cmd.ExecuteContext(t.Context())
	return out.String(), errOut.String(), err
}

func TestVerifyRun(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	const prodAPI = "overlays/prod/api/kustomization.yaml"
	tests := []struct {
		name     string
		gitoYAML string
		options  string // allowed_signers options for alice
		prepare  func(t *testing.T, r *repo)
		args     []string
		workDir  string // relative to the repo root
		// want is stdout with FP for alice's fingerprint.
		want       string
		wantErr    string
		wantVerify bool // error must be *exitcode.VerifyError (exit 3)
		prefixOnly bool // stdout must start with want
	}{
		{
			name: "all signed",
			want: "ok   overlays/dev/api/kustomization.yaml  alice@example.com FP\n" +
				"ok   overlays/prod/api/kustomization.yaml  alice@example.com FP\n" +
				"ok   overlays/prod/web/kustomization.yaml  alice@example.com FP\n",
		},
		{
			name:    "a directory from a subdirectory, .git and non-kustomization files skipped",
			workDir: "overlays", args: []string{"prod"},
			prepare: func(t *testing.T, r *repo) {
				r.write(t, ".git/x/kustomization.yaml", "junk")
				r.write(t, "overlays/prod/api/deployment.yaml", "kind: Deployment\n")
			},
			want: "ok   overlays/prod/api/kustomization.yaml  alice@example.com FP\n" +
				"ok   overlays/prod/web/kustomization.yaml  alice@example.com FP\n",
		},
		{
			name: "a signed patch file is verified too",
			args: []string{"overlays/prod/api"},
			prepare: func(t *testing.T, r *repo) {
				r.write(t, "overlays/prod/api/image-patch.yaml", "image: api:v1\n")
				r.sign(t, "overlays/prod/api/image-patch.yaml")
				r.write(t, "overlays/prod/api/image-patch.yaml", "image: evil:v1\n")
			},
			want: "FAIL overlays/prod/api/image-patch.yaml  tampered: signature does not match the file's content (edited after signing? re-sign with gito sign)\n" +
				"ok   overlays/prod/api/kustomization.yaml  alice@example.com FP\n",
			wantErr: "1 of 2 files failed signature verification", wantVerify: true,
		},
		{
			name: "one tampered file: every line printed, then exit 3",
			prepare: func(t *testing.T, r *repo) {
				r.write(t, prodAPI, strings.Replace(kustomization, "v1.2.3", "v6.6.6", 1))
			},
			want: "ok   overlays/dev/api/kustomization.yaml  alice@example.com FP\n" +
				"FAIL overlays/prod/api/kustomization.yaml  tampered: signature does not match the file's content (edited after signing? re-sign with gito sign)\n" +
				"ok   overlays/prod/web/kustomization.yaml  alice@example.com FP\n",
			wantErr: "1 of 3 files failed signature verification", wantVerify: true,
		},
		{
			name: "signature copied from dev to prod", args: []string{prodAPI},
			prepare: func(t *testing.T, r *repo) {
				r.write(t, prodAPI+".sig", r.read(t, "overlays/dev/api/kustomization.yaml.sig"))
			},
			want:    "FAIL overlays/prod/api/kustomization.yaml  tampered: signature was made for gito:overlays/dev/api/kustomization.yaml, not gito:overlays/prod/api/kustomization.yaml (moved or copied from another path)\n",
			wantErr: "1 of 1 files failed", wantVerify: true,
		},
		{
			name: "expired key", options: `valid-before="20260101Z" `, args: []string{prodAPI},
			want:    "FAIL overlays/prod/api/kustomization.yaml  expired: .gito/allowed_signers:2: key of alice@example.com expired at 2026-01-01T00:00:00Z\n",
			wantErr: "1 of 1 files failed", wantVerify: true,
		},
		{
			name: "key limited to prod", options: `namespaces="gito:overlays/prod/*" `, args: []string{"overlays/dev"},
			want:    "FAIL overlays/dev/api/kustomization.yaml  not-allowed: .gito/allowed_signers:2 allows alice@example.com only for namespaces \"gito:overlays/prod/*\", not gito:overlays/dev/api/kustomization.yaml\n",
			wantErr: "1 of 1 files failed", wantVerify: true,
		},
		{
			name: "truncated armor", args: []string{prodAPI},
			prepare: func(t *testing.T, r *repo) {
				r.write(t, prodAPI+".sig", r.read(t, prodAPI+".sig")[:60])
			},
			want:    "FAIL overlays/prod/api/kustomization.yaml  malformed: overlays/prod/api/kustomization.yaml.sig: missing \"-----END SSH SIGNATURE-----\" line (truncated?)\n",
			wantErr: "1 of 1 files failed", wantVerify: true,
		},
		{
			name: "empty signature", args: []string{prodAPI},
			prepare: func(t *testing.T, r *repo) { r.write(t, prodAPI+".sig", "") },
			want:    "FAIL overlays/prod/api/kustomization.yaml  malformed: overlays/prod/api/kustomization.yaml.sig: signature file is empty\n",
			wantErr: "1 of 1 files failed", wantVerify: true,
		},
		{
			name: "unsigned while signing is optional", args: []string{"overlays/prod/web"},
			prepare: func(t *testing.T, r *repo) { remove(t, r, "overlays/prod/web/kustomization.yaml.sig") },
			want:    "skip overlays/prod/web/kustomization.yaml  unsigned (signing is optional)\n",
		},
		{
			name: "unsigned while signing is required", gitoYAML: "signing:\n  required: true\n", args: []string{"overlays/prod/web"},
			prepare: func(t *testing.T, r *repo) { remove(t, r, "overlays/prod/web/kustomization.yaml.sig") },
			want:    "FAIL overlays/prod/web/kustomization.yaml  unsigned: no signature file overlays/prod/web/kustomization.yaml.sig\n",
			wantErr: "1 of 1 files failed", wantVerify: true,
		},
		{
			name: "allowed signers elsewhere", gitoYAML: "signing:\n  allowedSigners: keys/signers\n",
			prepare: func(t *testing.T, r *repo) {
				if err := os.MkdirAll(filepath.Join(r.root, "keys"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(filepath.Join(r.root, ".gito/allowed_signers"), filepath.Join(r.root, "keys/signers")); err != nil {
					t.Fatal(err)
				}
			},
			args: []string{prodAPI},
			want: "ok   overlays/prod/api/kustomization.yaml  alice@example.com FP\n",
		},
		{
			// Item 10: a repo that has not adopted signatures reports its files unsigned, exit 0.
			name: "no allowed signers and no signatures, signing optional: unsigned (exit 0)", args: []string{"overlays/prod/web"},
			prepare: func(t *testing.T, r *repo) {
				remove(t, r, ".gito/allowed_signers")
				removeSignatures(t, r)
			},
			want: "skip overlays/prod/web/kustomization.yaml  unsigned (signing is optional)\n",
		},
		{
			name: "no allowed signers but a signature: it cannot be vouched for (exit 3)", args: []string{prodAPI},
			prepare: func(t *testing.T, r *repo) { remove(t, r, ".gito/allowed_signers") },
			want:    "FAIL overlays/prod/api/kustomization.yaml  unknown-key: ",
			wantErr: "1 of 1 files failed", wantVerify: true, prefixOnly: true,
		},
		{
			name: "missing allowed signers, signing required: fail closed (exit 3)", gitoYAML: "signing:\n  required: true\n",
			prepare: func(t *testing.T, r *repo) { remove(t, r, ".gito/allowed_signers") },
			wantErr: "signing is required but allowed signers file .gito/allowed_signers does not exist", wantVerify: true,
		},
		{
			name:    "bad allowed signers line",
			prepare: func(t *testing.T, r *repo) { r.write(t, ".gito/allowed_signers", "ok ssh-ed25519 AAAA\n") },
			wantErr: ".gito/allowed_signers:1: invalid key",
		},
		{
			name: "a FIFO named as a kustomization is refused, not waited on",
			prepare: func(t *testing.T, r *repo) {
				remove(t, r, "overlays/dev/api/kustomization.yaml")
				mkfifo(t, r, "overlays/dev/api/kustomization.yaml")
			},
			args:    []string{"overlays/dev/api/kustomization.yaml"},
			want:    "FAIL overlays/dev/api/kustomization.yaml  malformed: read file: read overlays/dev/api/kustomization.yaml: not a regular file\n",
			wantErr: "1 of 1 files failed", wantVerify: true,
		},
		{
			name: "a FIFO named as a signature is refused, not waited on",
			prepare: func(t *testing.T, r *repo) {
				remove(t, r, "overlays/dev/api/kustomization.yaml.sig")
				mkfifo(t, r, "overlays/dev/api/kustomization.yaml.sig")
			},
			args:    []string{"overlays/dev/api"},
			want:    "FAIL overlays/dev/api/kustomization.yaml  malformed: read overlays/dev/api/kustomization.yaml.sig: read overlays/dev/api/kustomization.yaml.sig: not a regular file\n",
			wantErr: "1 of 1 files failed", wantVerify: true,
		},
		{
			name: "an endless allowed signers file is refused", args: []string{"--allowed-signers", "/dev/zero"},
			wantErr: "read allowed signers /dev/zero: read /dev/zero: not a regular file",
		},
		{
			name: "nothing to verify", args: []string{"base"},
			prepare: func(t *testing.T, r *repo) { r.write(t, "base/README", "x") },
			wantErr: "no kustomization files under base",
		},
		{
			name: "path outside the repository", args: []string{"prod", "../.."}, workDir: "overlays",
			wantErr: "is outside the repository",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRepo(t, tc.gitoYAML, tc.options)
			if tc.prepare != nil {
				tc.prepare(t, r)
			}
			stdout, _, err := execVerify(t, filepath.Join(r.root, tc.workDir), now, tc.args...)
			if want := strings.ReplaceAll(tc.want, "FP", r.fingerprint); stdout != want && !(tc.prefixOnly && strings.HasPrefix(stdout, want)) {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			var verifyErr *exitcode.VerifyError
			if errors.As(err, &verifyErr) != tc.wantVerify {
				t.Errorf("error %T %v: VerifyError=%v, want %v", err, err, !tc.wantVerify, tc.wantVerify)
			}
		})
	}
}

func TestVerifyJSON(t *testing.T) {
	t.Parallel()
	r := newRepo(t, "", "")
	r.write(t, "overlays/prod/web/kustomization.yaml", "tampered\n")
	stdout, _, err := execVerify(t, r.root, time.Now(), "--json", "overlays/prod")
	var verifyErr *exitcode.VerifyError
	if !errors.As(err, &verifyErr) {
		t.Fatalf("error %v, want VerifyError", err)
	}
	var got []map[string]string
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	want := []map[string]string{
		{"path": "overlays/prod/api/kustomization.yaml", "status": "ok", "principal": "alice@example.com", "fingerprint": r.fingerprint, "message": ""},
		{"path": "overlays/prod/web/kustomization.yaml", "status": "tampered", "principal": "", "fingerprint": r.fingerprint, "message": "signature does not match the file's content (edited after signing? re-sign with gito sign)"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d results: %s", len(got), stdout)
	}
	for i := range want {
		for k, v := range want[i] {
			if got[i][k] != v {
				t.Errorf("result %d %s = %q, want %q", i, k, got[i][k], v)
			}
		}
		if len(got[i]) != len(want[i]) {
			t.Errorf("result %d has fields %v; the JSON field set is pinned", i, got[i])
		}
	}
}

// A pre-receive hook verifies a `git archive` export: no .git, root found by .gito.yaml.
func TestVerifyWithoutGitFindsRootByConfig(t *testing.T) {
	t.Parallel()
	r := newRepo(t, "signing:\n  required: true\n", "")
	if err := os.RemoveAll(filepath.Join(r.root, ".git")); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := execVerify(t, filepath.Join(r.root, "overlays/prod/api"), time.Now(), ".")
	if err != nil {
		t.Fatal(err)
	}
	if want := "ok   overlays/prod/api/kustomization.yaml  alice@example.com " + r.fingerprint + "\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
}

func remove(t *testing.T, r *repo, rel string) {
	t.Helper()
	if err := os.Remove(filepath.Join(r.root, filepath.FromSlash(rel))); err != nil {
		t.Fatal(err)
	}
}

// In a hook or Argo CD the tree is untrusted: a push that adds its own key to the repo's
// allowed_signers, or switches signing off, must still fail against pinned settings.
func TestVerifyPinnedTrust(t *testing.T) {
	t.Parallel()
	r := newRepo(t, "signing:\n  required: false\n", "")
	pinned := filepath.Join(t.TempDir(), "allowed_signers")
	if err := os.WriteFile(pinned, []byte(r.read(t, ".gito/allowed_signers")), 0o644); err != nil {
		t.Fatal(err)
	}
	// The "push": mallory re-signs prod with her key and trusts it in the repo's file.
	malloryKey := filepath.Join(t.TempDir(), "id_mallory")
	run(t, "", "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "mallory", "-f", malloryKey)
	pub, _ := os.ReadFile(malloryKey + ".pub")
	r.write(t, ".gito/allowed_signers", r.read(t, ".gito/allowed_signers")+"alice@example.com "+string(pub))
	mallory, err := signing.LoadSigner(t.Context(), signing.KeySource{KeyPath: malloryKey, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := signing.SignFile(r.root, "overlays/prod/api/kustomization.yaml", mallory); err != nil {
		t.Fatal(err)
	}
	remove(t, r, "overlays/prod/web/kustomization.yaml.sig")

	if _, _, err := execVerify(t, r.root, time.Now(), "overlays/prod"); err != nil {
		t.Fatalf("with the repo's own trust the push passes (that is the point of pinning): %v", err)
	}
	stdout, _, err := execVerify(t, r.root, time.Now(), "--allowed-signers", pinned, "--required", "overlays/prod")
	var verifyErr *exitcode.VerifyError
	if !errors.As(err, &verifyErr) {
		t.Fatalf("pinned: error %v, want VerifyError", err)
	}
	for _, want := range []string{
		"FAIL overlays/prod/api/kustomization.yaml  unknown-key: key SHA256:",
		"is not in " + pinned,
		"FAIL overlays/prod/web/kustomization.yaml  unsigned: no signature file",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}

func TestNewCmdVerifyEnvDefaults(t *testing.T) {
	t.Parallel()
	ios, _, _, _ := iostreams.Test()
	env := map[string]string{"GITO_ALLOWED_SIGNERS": "/etc/gito/allowed_signers", "GITO_VERIFY_REQUIRED": "1"}
	var got *VerifyOptions
	cmd := NewCmdVerify(&cmdutil.Factory{IOStreams: ios, Getenv: func(k string) string { return env[k] }}, func(o *VerifyOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"."})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.AllowedSigners != "/etc/gito/allowed_signers" || !got.Required {
		t.Errorf("env defaults not applied: %+v", got)
	}
	cmd = NewCmdVerify(&cmdutil.Factory{IOStreams: ios, Getenv: func(k string) string { return env[k] }}, func(o *VerifyOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--allowed-signers", "mine", "--required=false"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.AllowedSigners != "mine" || got.Required {
		t.Errorf("flags must beat env: %+v", got)
	}
}

// Argo CD hands a plugin a tarball that may lack .git; --root (or .gito/) says where paths start.
func TestVerifyRootOverride(t *testing.T) {
	t.Parallel()
	r := newRepo(t, "", "")
	if err := os.RemoveAll(filepath.Join(r.root, ".git")); err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(r.root, "overlays/prod/api")
	want := "ok   overlays/prod/api/kustomization.yaml  alice@example.com " + r.fingerprint + "\n"
	// No .git and no .gito.yaml: .gito/ marks the root.
	if stdout, _, err := execVerify(t, app, time.Now(), "."); err != nil || stdout != want {
		t.Errorf("found by .gito/: %v\n%s", err, stdout)
	}
	if stdout, _, err := execVerify(t, app, time.Now(), "--root", "../../..", "."); err != nil || stdout != want {
		t.Errorf("--root: %v\n%s", err, stdout)
	}
	// A wrong root shifts every namespace: the signature no longer fits.
	stdout, _, err := execVerify(t, app, time.Now(), "--root", "..", "--allowed-signers", filepath.Join(r.root, ".gito/allowed_signers"), ".")
	var verifyErr *exitcode.VerifyError
	if !errors.As(err, &verifyErr) || !strings.Contains(stdout, "FAIL api/kustomization.yaml  tampered: signature was made for gito:overlays/prod/api/kustomization.yaml, not gito:api/kustomization.yaml") {
		t.Errorf("wrong root: %v\n%s", err, stdout)
	}
	if _, _, err := execVerify(t, app, time.Now(), "--root", "nope", "."); err == nil || !strings.Contains(err.Error(), "--root nope is not a directory") {
		t.Errorf("bad --root: %v", err)
	}
}

func removeSignatures(t *testing.T, r *repo) {
	t.Helper()
	err := filepath.WalkDir(r.root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".sig") {
			return os.Remove(p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func mkfifo(t *testing.T, r *repo, rel string) {
	t.Helper()
	if err := syscall.Mkfifo(filepath.Join(r.root, filepath.FromSlash(rel)), 0o644); err != nil {
		t.Fatal(err)
	}
}
