package render

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/gito-dev/gito/internal/signing"
	"github.com/gito-dev/gito/internal/testutil"
)

// repo is an overlay with a base, a component, a strategic-merge patch and a configMap
// generator file: every kind of file a render reads.
var repo = map[string]string{
	"overlays/prod/api/kustomization.yaml": `resources:
  - ../../../base/api
components:
  - ../../../components/labels
patches:
  - path: replicas.yaml
configMapGenerator:
  - name: api-config
    files:
      - settings.properties
images:
  - name: registry.example.com/api
    newTag: v2
`,
	"overlays/prod/api/replicas.yaml":       "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 3\n",
	"overlays/prod/api/settings.properties": "mode=prod\n",
	"overlays/prod/api/unused.yaml":         "not: read\n",
	"base/api/kustomization.yaml":           "resources:\n  - deployment.yaml\n",
	"base/api/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api:v1
`,
	"components/labels/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels:\n  - pairs:\n      team: core\n",
}

var readOrder = []string{
	"overlays/prod/api/kustomization.yaml",
	"base/api/kustomization.yaml",
	"base/api/deployment.yaml",
	"overlays/prod/api/settings.properties",
	"components/labels/kustomization.yaml",
	"overlays/prod/api/replicas.yaml",
}

type fixture struct {
	root    string
	signer  signing.Signer
	allowed *signing.AllowedSigners
}

func newSigner(t *testing.T, principal string) signing.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return signing.NewSigner(s, principal)
}

func allowedFor(t *testing.T, principal string, s signing.Signer) *signing.AllowedSigners {
	t.Helper()
	line := principal + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.PublicKey()))) + "\n"
	as, err := signing.ParseAllowedSigners("allowed_signers", []byte(line), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// newFixture writes the repo and signs every file the render reads.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	testutil.WriteTree(t, root, repo)
	s := newSigner(t, "alice@example.com")
	for _, rel := range readOrder {
		if _, err := signing.SignFile(root, rel, s); err != nil {
			t.Fatal(err)
		}
	}
	return &fixture{root: root, signer: s, allowed: allowedFor(t, "alice@example.com", s)}
}

func (f *fixture) request() Request {
	return Request{Root: f.root, Dir: filepath.Join(f.root, "overlays/prod/api"), AllowedSigners: f.allowed}
}

func TestReadsListsEveryFileTheRenderReads(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteTree(t, root, repo)
	root, _ = filepath.EvalSymlinks(root)
	got, err := Reads(t.Context(), root, filepath.Join(root, "overlays/prod/api"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, readOrder) {
		t.Errorf("Reads = %q\nwant  %q", got, readOrder)
	}
}

func TestVerifiedRendersWhenEverythingIsSigned(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	res, err := Verified(t.Context(), f.request())
	if err != nil {
		t.Fatal(err)
	}
	out := string(res.YAML)
	for _, want := range []string{"replicas: 3", "image: registry.example.com/api:v2", "team: core", "mode=prod", "kind: ConfigMap"} {
		if !strings.Contains(out, want) {
			t.Errorf("render lacks %q:\n%s", want, out)
		}
	}
	if len(res.Files) != len(readOrder) {
		t.Fatalf("verified %d files, want %d: %+v", len(res.Files), len(readOrder), res.Files)
	}
	for _, r := range res.Files {
		if !r.OK() || r.Principal != "alice@example.com" {
			t.Errorf("%s: %s %s", r.Path, r.Status, r.Message)
		}
	}
}

func TestVerifiedRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		spoil  func(t *testing.T, f *fixture)
		path   string
		status signing.Status
	}{
		{"tampered base", func(t *testing.T, f *fixture) {
			testutil.WriteFile(t, f.root, "base/api/deployment.yaml", repo["base/api/deployment.yaml"]+"  replicas: 99\n")
		}, "base/api/deployment.yaml", signing.StatusTampered},
		{"unsigned patch", func(t *testing.T, f *fixture) {
			if err := os.Remove(filepath.Join(f.root, "overlays/prod/api/replicas.yaml.sig")); err != nil {
				t.Fatal(err)
			}
		}, "overlays/prod/api/replicas.yaml", signing.StatusUnsigned},
		{"component signed by an unknown key", func(t *testing.T, f *fixture) {
			if _, err := signing.SignFile(f.root, "components/labels/kustomization.yaml", newSigner(t, "mallory")); err != nil {
				t.Fatal(err)
			}
		}, "components/labels/kustomization.yaml", signing.StatusUnknownKey},
		{"signature moved from another file", func(t *testing.T, f *fixture) {
			sig, err := os.ReadFile(filepath.Join(f.root, "base/api/kustomization.yaml.sig"))
			if err != nil {
				t.Fatal(err)
			}
			testutil.WriteFile(t, f.root, "overlays/prod/api/settings.properties", repo["base/api/kustomization.yaml"])
			testutil.WriteFile(t, f.root, "overlays/prod/api/settings.properties.sig", string(sig))
		}, "overlays/prod/api/settings.properties", signing.StatusTampered},
		{"empty signature", func(t *testing.T, f *fixture) {
			testutil.WriteFile(t, f.root, "overlays/prod/api/kustomization.yaml.sig", "")
		}, "overlays/prod/api/kustomization.yaml", signing.StatusMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			tc.spoil(t, f)
			res, err := Verified(t.Context(), f.request())
			var refused *Refused
			if !errors.As(err, &refused) || res != nil {
				t.Fatalf("Verified = %v, %v; want *Refused and no result", res, err)
			}
			if len(refused.Failures) != 1 || refused.Failures[0].Path != tc.path || refused.Failures[0].Status != tc.status {
				t.Errorf("failures = %+v, want %s %s", refused.Failures, tc.path, tc.status)
			}
			if !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %q does not name %s", err, tc.path)
			}
		})
	}
}

func TestAllowUnsignedWarnsForEachUnsignedFileOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, rel := range []string{"base/api/deployment.yaml", "overlays/prod/api/replicas.yaml"} {
		if err := os.Remove(filepath.Join(f.root, rel+".sig")); err != nil {
			t.Fatal(err)
		}
	}
	var warnings []string
	req := f.request()
	req.AllowUnsigned = true
	req.Warn = func(s string) { warnings = append(warnings, s) }
	res, err := Verified(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res.YAML), "replicas: 3") {
		t.Errorf("unsigned patch not rendered:\n%s", res.YAML)
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], "base/api/deployment.yaml is unsigned") || !strings.Contains(warnings[1], "overlays/prod/api/replicas.yaml is unsigned") {
		t.Errorf("warnings = %q", warnings)
	}

	// A tampered file still fails under --allow-unsigned.
	testutil.WriteFile(t, f.root, "base/api/kustomization.yaml", "resources: [deployment.yaml]\n")
	if _, err := Verified(t.Context(), req); err == nil {
		t.Error("tampered file rendered with AllowUnsigned")
	}
}

func TestNoAllowedSignersTrustsNobody(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	req := f.request()
	req.AllowedSigners = nil
	var refused *Refused
	if _, err := Verified(t.Context(), req); !errors.As(err, &refused) || refused.Failures[0].Status != signing.StatusUnknownKey {
		t.Fatalf("err = %v, want unknown-key", err)
	}
}

func TestReadOutsideTheRepositoryIsRefused(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	testutil.WriteFile(t, outside, "shared/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
	testutil.WriteFile(t, outside, "shared/kustomization.yaml", "resources: [cm.yaml]\n")
	root, _ := filepath.EvalSymlinks(t.TempDir())
	// A symlinked directory leads out of the repository; kustomize resolves it.
	if err := os.Symlink(filepath.Join(outside, "shared"), filepath.Join(root, "shared")); err != nil {
		t.Fatal(err)
	}
	testutil.WriteFile(t, root, "app/kustomization.yaml", "resources:\n  - ../shared\n")
	s := newSigner(t, "alice")
	if _, err := signing.SignFile(root, "app/kustomization.yaml", s); err != nil {
		t.Fatal(err)
	}
	_, err := Verified(t.Context(), Request{Root: root, Dir: filepath.Join(root, "app"), AllowedSigners: allowedFor(t, "alice", s), AllowUnsigned: true})
	var refused *Refused
	if !errors.As(err, &refused) || refused.Failures[0].Status != StatusOutside || refused.Failures[0].Path != "shared" || strings.Contains(err.Error(), outside) {
		t.Fatalf("err = %v, want a refusal to read outside the repository", err)
	}
	if _, err := Reads(t.Context(), root, filepath.Join(root, "app")); err == nil || !strings.Contains(err.Error(), "outside the repository") {
		t.Fatalf("Reads err = %v", err)
	}
}

func TestRenderErrorIsOneRepoRelativeLine(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	testutil.WriteFile(t, f.root, "base/api/kustomization.yaml", "resources:\n  - missing.yaml\n")
	if _, err := signing.SignFile(f.root, "base/api/kustomization.yaml", f.signer); err != nil {
		t.Fatal(err)
	}
	_, err := Verified(t.Context(), f.request())
	if err == nil || strings.Contains(err.Error(), f.root) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("err = %v", err)
	}
}
