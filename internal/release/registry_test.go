package release

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/registry"
	"github.com/gito-dev/gito/internal/testutil/ociregistry"
)

// registryInfra is the example infra repo with its images in reg instead of
// registry.example.com, and the registry client that reads it.
func registryInfra(t *testing.T, reg *ociregistry.Server) (Input, *countingResolver) {
	t.Helper()
	root := infraCopy(t)
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(p, []byte(strings.ReplaceAll(string(data), "registry.example.com", reg.Host)), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := registry.New(registry.Options{HTTPClient: &http.Client{}, Keychain: registry.DockerConfig{}})
	if err != nil {
		t.Fatal(err)
	}
	return input(t, root), &countingResolver{Resolver: c}
}

type countingResolver struct {
	Resolver
	calls int
}

func (c *countingResolver) Digest(ctx context.Context, image, tag string) (string, error) {
	c.calls++
	return c.Resolver.Digest(ctx, image, tag)
}

func kustomization(t *testing.T, p *Plan) string {
	t.Helper()
	for _, f := range p.Files {
		if strings.HasSuffix(f.Path, "kustomization.yaml") {
			return string(f.After)
		}
	}
	t.Fatalf("plan writes no kustomization: %v", p.Paths())
	return ""
}

func TestPinDigest(t *testing.T) {
	t.Parallel()
	reg := ociregistry.Start(t, ociregistry.Options{})
	single := reg.Push(t, "team/api", "v2.3.1")
	index := reg.PushIndex(t, "team/api", "v2.4.0", 2)
	for tag, want := range map[string]string{"v2.3.1": single, "v2.4.0": index} {
		in, res := registryInfra(t, reg)
		in.Version = config.Version{Tag: tag}
		p, err := MakeRegistryPlan(context.Background(), in, RegistryPolicy{Resolver: res, Pin: true})
		if err != nil {
			t.Fatal(err)
		}
		if p.To.Digest != want {
			t.Errorf("%s: pinned %s, want the registry's %s", tag, p.To.Digest, want)
		}
		if k := kustomization(t, p); !strings.Contains(k, `digest: "`+want+`"`) || !strings.Contains(k, `newTag: "`+tag+`"`) {
			t.Errorf("%s: kustomization lacks tag and digest:\n%s", tag, k)
		}
		line := "- Registry: `" + reg.Image("team/api") + ":" + tag + "` is `" + want + "`, pinned by digest"
		if !strings.Contains(p.Body, line) || !strings.Contains(p.Body, "`v2.3.0` → `"+tag+"@"+want+"`") {
			t.Errorf("%s: body lacks tag and digest:\n%s", tag, p.Body)
		}
		if !strings.Contains(p.Commit, "Gito-Version: "+tag+"@"+want) {
			t.Errorf("%s: commit trailers lack the digest:\n%s", tag, p.Commit)
		}
	}
}

func TestPinDigestOfTheImageAlreadyReleased(t *testing.T) {
	t.Parallel()
	reg := ociregistry.Start(t, ociregistry.Options{})
	want := reg.Push(t, "team/api", "v2.3.0")
	in, res := registryInfra(t, reg)
	in.Version = config.Version{Tag: "v2.3.0"} // the overlay runs v2.3.0 unpinned
	p, err := MakeRegistryPlan(context.Background(), in, RegistryPolicy{Resolver: res, Pin: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Noop || !strings.Contains(kustomization(t, p), `digest: "`+want+`"`) {
		t.Fatalf("pinning the running tag should add its digest; noop=%t files=%v", p.Noop, p.Paths())
	}
}

func TestCheckWithoutPin(t *testing.T) {
	t.Parallel()
	reg := ociregistry.Start(t, ociregistry.Options{})
	d := reg.Push(t, "team/api", "v2.3.1")
	in, res := registryInfra(t, reg)
	p, err := MakeRegistryPlan(context.Background(), in, RegistryPolicy{Resolver: res, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.To.Digest != "" || strings.Contains(kustomization(t, p), "digest:") {
		t.Errorf("a check alone must not pin: %s", p.To)
	}
	if !strings.Contains(p.Body, "is `"+d+"`, checked") {
		t.Errorf("body lacks the checked digest:\n%s", p.Body)
	}

	in.Version = config.Version{Tag: "v2.3.0"} // already there: nothing to look up
	res.calls = 0
	if p, err := MakeRegistryPlan(context.Background(), in, RegistryPolicy{Resolver: res, Check: true}); err != nil || !p.Noop {
		t.Fatalf("noop = %v, %v", p, err)
	}
	if res.calls != 0 {
		t.Errorf("a no-op asked the registry %d times", res.calls)
	}
}

func TestMissingTagRefused(t *testing.T) {
	t.Parallel()
	reg := ociregistry.Start(t, ociregistry.Options{})
	for _, tag := range []string{"v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0", "v1.4.0", "v1.5.0"} {
		reg.Push(t, "team/api", tag)
	}
	in, res := registryInfra(t, reg)
	in.Version = config.Version{Tag: "v9.0.0"}
	for _, pol := range []RegistryPolicy{{Resolver: res, Check: true}, {Resolver: res, Pin: true}} {
		_, err := MakeRegistryPlan(context.Background(), in, pol)
		var nf *registry.TagNotFoundError
		if !errors.As(err, &nf) || !strings.Contains(err.Error(), "newest tags: v1.5.0, v1.4.0, v1.3.0, v1.2.0, v1.1.0") {
			t.Errorf("%+v: err = %v", pol, err)
		}
	}
}

func TestForbiddenTagRefusedFirst(t *testing.T) {
	t.Parallel()
	in := input(t, infraCopy(t))
	in.Version = config.Version{Tag: "latest"}
	res := &countingResolver{}
	_, err := MakeRegistryPlan(context.Background(), in, RegistryPolicy{Resolver: res, Pin: true})
	if err == nil || !strings.Contains(err.Error(), `tag "latest" is refused by policy.forbidTags in .gito.yaml`) {
		t.Fatalf("err = %v", err)
	}
	if res.calls != 0 {
		t.Error("a forbidden tag reached the registry")
	}
	// No registry settings at all: the policy still holds.
	if _, err := MakeRegistryPlan(context.Background(), in, RegistryPolicy{}); err == nil {
		t.Error("latest released without any registry settings")
	}
}

func TestGivenDigest(t *testing.T) {
	t.Parallel()
	reg := ociregistry.Start(t, ociregistry.Options{})
	d := reg.Push(t, "team/api", "v2.3.1")
	other := reg.Push(t, "team/api", "v2.3.2")
	in, res := registryInfra(t, reg)

	in.Version = config.Version{Tag: "v2.3.1", Digest: other}
	_, err := MakeRegistryPlan(context.Background(), in, RegistryPolicy{Resolver: res, Pin: true})
	want := "v2.3.1@" + other + " does not match the registry: " + reg.Image("team/api") + ":v2.3.1 is " + d + ", nothing written"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}

	in.Version = config.Version{Tag: "v2.3.1", Digest: d}
	p, err := MakeRegistryPlan(context.Background(), in, RegistryPolicy{Resolver: res, Pin: true})
	if err != nil || p.To.Digest != d {
		t.Fatalf("matching digest: %v, %v", p, err)
	}

	// A rollback to a digest from history is not second-guessed by where the tag points now.
	in.Version = config.Version{Tag: "v2.3.1", Digest: other}
	in.Rollback = true
	res.calls = 0
	if _, err := MakeRegistryPlan(context.Background(), in, RegistryPolicy{Resolver: res, Pin: true}); err != nil || res.calls != 0 {
		t.Fatalf("rollback to a digest: err %v, %d lookups", err, res.calls)
	}
}

func TestPinRefusesImagesThatDisagree(t *testing.T) {
	t.Parallel()
	in := input(t, infraCopy(t))
	_, err := oneDigest([]RegistryImage{{Image: "r/a", Tag: "v1", Digest: "sha256:aa"}, {Image: "r/b", Tag: "v1", Digest: "sha256:bb"}}, in)
	if err == nil || !strings.Contains(err.Error(), "cannot pin one digest for api: r/a:v1 is sha256:aa but r/b:v1 is sha256:bb") {
		t.Fatalf("err = %v", err)
	}
}
