package plugingen

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/gito-dev/gito/internal/gitrepo"
	"github.com/gito-dev/gito/internal/signing"
	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

func kustomization(image, tag, digest string) string {
	s := "resources:\n  - ../../../base/app\nimages:\n  - name: " + image + "\n    newTag: " + tag + "\n"
	if digest != "" {
		s += "    digest: " + digest + "\n"
	}
	return s
}

func testSigner(t *testing.T) signing.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return signing.NewSigner(s, "ci@example.com")
}

func signed(t *testing.T, s signing.Signer, files map[string]string, paths ...string) map[string]string {
	t.Helper()
	for _, p := range paths {
		sig, err := signing.SignBytes(p, []byte(files[p]), s)
		if err != nil {
			t.Fatal(err)
		}
		files[p+".sig"] = string(sig)
	}
	return files
}

func openSource(t *testing.T, bare string) *Source {
	t.Helper()
	env := gitserver.Env(t)
	cache := t.TempDir()
	return &Source{Open: func(ctx context.Context) (*gitrepo.Repo, error) {
		return gitrepo.Open(ctx, gitrepo.OpenOptions{CacheRoot: cache, Remote: bare, Git: &gitrepo.Git{Env: env}})
	}}
}

func TestLoadReadsOverlaysBranchesAndSignatures(t *testing.T) {
	t.Parallel()
	s := testSigner(t)
	pub := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.PublicKey())))
	digest := "sha256:" + strings.Repeat("ab", 32)
	files := signed(t, s, map[string]string{
		".gito.yaml":                            "services:\n  api:\n    images: [registry.example.com/team/api]\n",
		".gito/allowed_signers":                 "ci@example.com " + pub + "\n",
		"overlays/prod/api/kustomization.yaml":  kustomization("registry.example.com/team/api", "v2.3.0", digest),
		"overlays/dev/api/kustomization.yaml":   kustomization("registry.example.com/team/api", "v2.4.0", ""),
		"overlays/prod/web/kustomization.yaml":  kustomization("ghcr.io/acme/web", "v1.0.0", ""),
		"overlays/prod/mono/kustomization.yaml": kustomization("ghcr.io/acme/other", "v9", ""),
		"base/app/kustomization.yaml":           "resources: []\n",
	}, "overlays/prod/api/kustomization.yaml", "overlays/prod/web/kustomization.yaml")
	bare := gitserver.NewBare(t, files)
	head := gitserver.Head(t, bare, "main")
	// A release branch with a pending version, signed; and one whose signature is stale.
	pending := kustomization("registry.example.com/team/api", "v2.5.0", "")
	branchFiles := signed(t, s, map[string]string{"overlays/prod/api/kustomization.yaml": pending}, "overlays/prod/api/kustomization.yaml")
	branchHead := gitserver.Commit(t, bare, "gito/prod/api", "release", branchFiles)
	gitserver.Commit(t, bare, "gito/dev/api", "hand edit", map[string]string{"overlays/dev/api/kustomization.yaml": kustomization("registry.example.com/team/api", "v3", "")})

	src := openSource(t, bare)
	snap, err := src.Load(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Base != "main" || snap.Commit != head {
		t.Errorf("base %s %s, want main %s", snap.Base, snap.Commit, head)
	}
	want := []Param{
		{Service: "api", Env: "dev", Version: "v2.4.0", Image: "registry.example.com/team/api", Path: "overlays/dev/api", Commit: head},
		{Service: "api", Env: "prod", Version: "v2.3.0", Digest: digest, Image: "registry.example.com/team/api", Path: "overlays/prod/api", Commit: head, Signed: true},
		{Service: "mono", Env: "prod", Version: "v9", Image: "ghcr.io/acme/other", Path: "overlays/prod/mono", Commit: head},
		{Service: "web", Env: "prod", Version: "v1.0.0", Image: "ghcr.io/acme/web", Path: "overlays/prod/web", Commit: head, Signed: true},
	}
	if len(snap.Params) != len(want) {
		t.Fatalf("params = %+v", snap.Params)
	}
	for i := range want {
		if snap.Params[i] != want[i] {
			t.Errorf("param %d = %+v\nwant     %+v", i, snap.Params[i], want[i])
		}
	}
	if p := snap.Pending["gito/prod/api"]; p.Version != "v2.5.0" || p.Commit != branchHead || !p.Signed {
		t.Errorf("pending gito/prod/api = %+v", p)
	}
	if p := snap.Pending["gito/dev/api"]; p.Version != "v3" || p.Signed {
		t.Errorf("pending gito/dev/api = %+v", p)
	}

	// Nothing changed: the next load reuses the snapshot; a push is picked up.
	again, err := src.Load(t.Context(), snap)
	if err != nil {
		t.Fatal(err)
	}
	if &again.Params[0] != &snap.Params[0] {
		t.Error("an unchanged remote rebuilt the snapshot")
	}
	files2 := map[string]string{"overlays/dev/api/kustomization.yaml": kustomization("registry.example.com/team/api", "v2.4.1", "")}
	head2 := gitserver.Commit(t, bare, "main", "release dev", files2)
	next, err := src.Load(t.Context(), again)
	if err != nil {
		t.Fatal(err)
	}
	if next.Commit != head2 || next.Filter("api", "dev", "")[0].Version != "v2.4.1" {
		t.Errorf("after a push: %s %+v", next.Commit, next.Filter("api", "dev", ""))
	}
	// An overlay the push did not touch keeps what was read, at the new commit.
	if p := next.Filter("api", "prod", "")[0]; p.Commit != head2 || !p.Signed || p.Digest != digest {
		t.Errorf("untouched overlay after a push: %+v", p)
	}
	if p := next.Pending["gito/prod/api"]; p.Version != "v2.5.0" || p.Commit != branchHead {
		t.Errorf("pending after a push to main: %+v", p)
	}

	// The remote disappears: the load fails, the caller keeps the last snapshot.
	if err := os.RemoveAll(bare); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Load(t.Context(), next); err == nil {
		t.Error("load from a removed remote succeeded")
	}
}

func TestPinnedAllowedSignersOverrideTheRepository(t *testing.T) {
	t.Parallel()
	s, mallory := testSigner(t), testSigner(t)
	malloryPub := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(mallory.PublicKey())))
	// The repository trusts mallory; the pinned file trusts s only.
	files := signed(t, mallory, map[string]string{
		".gito/allowed_signers":                "ci@example.com " + malloryPub + "\n",
		"overlays/prod/api/kustomization.yaml": kustomization("r/api", "v1", ""),
	}, "overlays/prod/api/kustomization.yaml")
	src := openSource(t, gitserver.NewBare(t, files))
	snap, err := src.Load(t.Context(), nil)
	if err != nil || !snap.Params[0].Signed {
		t.Fatalf("repository's signers: %v %+v", err, snap)
	}
	pinnedLine := "ci@example.com " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.PublicKey()))) + "\n"
	pinned, err := signing.ParseAllowedSigners(filepath.Join("etc", "allowed"), []byte(pinnedLine), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	src2 := openSource(t, gitserver.NewBare(t, files))
	src2.AllowedSigners = pinned
	snap, err = src2.Load(t.Context(), nil)
	if err != nil || snap.Params[0].Signed {
		t.Fatalf("pinned signers: %v %+v", err, snap.Params)
	}
}

func TestRefreshIsSingleFlight(t *testing.T) {
	t.Parallel()
	var calls, running, overlapped atomic.Int32
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	store := NewStore(func(ctx context.Context, prev *Snapshot) (*Snapshot, error) {
		calls.Add(1)
		if running.Add(1) > 1 {
			overlapped.Add(1)
		}
		defer running.Add(-1)
		select {
		case entered <- struct{}{}:
		default:
		}
		<-release
		return &Snapshot{Commit: "x"}, nil
	}, nil)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = store.Refresh(t.Context()) }()
	<-entered // the first load is running
	const waiters = 5
	started := make(chan struct{}, waiters)
	for range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started <- struct{}{}
			_ = store.Refresh(t.Context())
		}()
	}
	for range waiters {
		<-started
	}
	close(release)
	wg.Wait()
	// Waiters that arrived during the first load shared it; ones scheduled after it ended ran
	// their own, one at a time. Never more loads than callers, and never two at once.
	if n := calls.Load(); n < 1 || n > waiters+1 {
		t.Errorf("%d loads", n)
	}
	if overlapped.Load() != 0 {
		t.Error("two loads ran at once")
	}
	if store.Snapshot() == nil || store.Err() != nil {
		t.Errorf("snapshot %v err %v", store.Snapshot(), store.Err())
	}
}
