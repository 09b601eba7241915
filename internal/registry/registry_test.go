package registry_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/registry"
	"github.com/gito-dev/gito/internal/testutil/ociregistry"
)

// sleeps records the retry transport's waits and returns at once.
type sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func newClient(t *testing.T, kc authn.Keychain, rt http.RoundTripper) (*registry.Client, *sleeps) {
	t.Helper()
	sl := &sleeps{}
	c, err := registry.New(registry.Options{
		HTTPClient: &http.Client{Transport: rt, Timeout: 10 * time.Second},
		Keychain:   kc,
		Retry:      forge.RetryOptions{Sleep: sl.sleep},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, sl
}

func anonymous(t *testing.T) *registry.Client {
	c, _ := newClient(t, registry.DockerConfig{Dir: t.TempDir()}, nil)
	return c
}

func TestDigestOfImageAndIndex(t *testing.T) {
	t.Parallel()
	reg := ociregistry.Start(t, ociregistry.Options{})
	single := reg.Push(t, "team/api", "v1.0.0")
	index := reg.PushIndex(t, "team/api", "v2.0.0", 3)
	c := anonymous(t)
	for tag, want := range map[string]string{"v1.0.0": single, "v2.0.0": index} {
		got, err := c.Digest(context.Background(), reg.Image("team/api"), tag)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("Digest(%s) = %s, want %s", tag, got, want)
		}
	}
}

func TestDigestFallsBackToGetWhenHeadIsRefused(t *testing.T) {
	t.Parallel()
	reg := ociregistry.Start(t, ociregistry.Options{})
	want := reg.Push(t, "team/api", "v1")
	noHead := &methods{refuse: http.MethodHead}
	c, _ := newClient(t, registry.DockerConfig{}, noHead)
	got, err := c.Digest(context.Background(), reg.Image("team/api"), "v1")
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("digest = %s, want %s", got, want)
	}
	if noHead.refused == 0 {
		t.Error("HEAD was never tried")
	}
}

// methods answers 405 to one method on /manifests/, as some registries do for HEAD.
type methods struct {
	refuse  string
	refused int
}

func (m *methods) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == m.refuse && strings.Contains(r.URL.Path, "/manifests/") {
		m.refused++
		return &http.Response{StatusCode: http.StatusMethodNotAllowed, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestMissingTagListsFiveNewest(t *testing.T) {
	t.Parallel()
	reg := ociregistry.Start(t, ociregistry.Options{})
	for _, tag := range []string{"v1.9.0", "v1.10.0", "v1.2.0", "latest", "v1.11.0", "v1.3.0", "v1.4.0"} {
		reg.Push(t, "team/api", tag)
	}
	_, err := anonymous(t).Digest(context.Background(), reg.Image("team/api"), "v9.9.9")
	var nf *registry.TagNotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v, want TagNotFoundError", err)
	}
	want := []string{"v1.11.0", "v1.10.0", "v1.9.0", "v1.4.0", "v1.3.0"}
	if !slices.Equal(nf.Newest, want) {
		t.Errorf("newest = %v, want %v", nf.Newest, want)
	}
	msg := err.Error()
	if !strings.Contains(msg, "tag v9.9.9 of "+reg.Image("team/api")+" is not in the registry; newest tags: v1.11.0, v1.10.0, v1.9.0, v1.4.0, v1.3.0") {
		t.Errorf("message = %q", msg)
	}
}

func TestMissingRepository(t *testing.T) {
	t.Parallel()
	reg := ociregistry.Start(t, ociregistry.Options{})
	_, err := anonymous(t).Digest(context.Background(), reg.Image("team/nothing"), "v1")
	var nf *registry.TagNotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v, want TagNotFoundError", err)
	}
	if !nf.Listed || len(nf.Newest) != 0 {
		t.Errorf("newest = %v for a repository that does not exist", nf.Newest)
	}
}

func writeDockerConfig(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestCredentials(t *testing.T) {
	t.Parallel()
	const secret = "s3cret-registry-password"
	reg := ociregistry.Start(t, ociregistry.Options{User: "ci", Password: secret})
	want := reg.Push(t, "team/api", "v1")

	t.Run("good", func(t *testing.T) {
		t.Parallel()
		c, _ := newClient(t, registry.DockerConfig{Dir: writeDockerConfig(t, reg.DockerConfig("ci", secret))}, nil)
		got, err := c.Digest(context.Background(), reg.Image("team/api"), "v1")
		if err != nil || got != want {
			t.Fatalf("Digest = %s, %v; want %s", got, err, want)
		}
	})
	t.Run("wrong", func(t *testing.T) {
		t.Parallel()
		const wrong = "wrong-password-123"
		dir := writeDockerConfig(t, reg.DockerConfig("ci", wrong))
		c, _ := newClient(t, registry.DockerConfig{Dir: dir}, nil)
		_, err := c.Digest(context.Background(), reg.Image("team/api"), "v1")
		if !errors.Is(err, registry.ErrUnauthorized) {
			t.Fatalf("err = %v, want ErrUnauthorized", err)
		}
		msg := err.Error()
		for _, s := range []string{"registry " + reg.Host + " refused access to " + reg.Image("team/api"), filepath.Join(dir, "config.json"), "user ci"} {
			if !strings.Contains(msg, s) {
				t.Errorf("message %q lacks %q", msg, s)
			}
		}
		if strings.Contains(msg, wrong) || strings.Contains(msg, secret) {
			t.Errorf("message %q carries a password", msg)
		}
	})
	t.Run("none", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		c, _ := newClient(t, registry.DockerConfig{Dir: dir}, nil)
		_, err := c.Digest(context.Background(), reg.Image("team/api"), "v1")
		if !errors.Is(err, registry.ErrUnauthorized) || !strings.Contains(err.Error(), "with no credentials (no docker config in "+dir+")") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("podman auth file", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(writeDockerConfig(t, reg.DockerConfig("ci", secret)), "config.json")
		k := registry.DockerConfigFromEnv(func(k string) string {
			return map[string]string{"HOME": t.TempDir(), "REGISTRY_AUTH_FILE": file}[k]
		})
		c, _ := newClient(t, k, nil)
		if got, err := c.Digest(context.Background(), reg.Image("team/api"), "v1"); err != nil || got != want {
			t.Fatalf("Digest = %s, %v; want %s", got, err, want)
		}
	})
}

func TestDockerConfigFromEnv(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if got := registry.DockerConfigFromEnv(env(map[string]string{"HOME": "/h", "DOCKER_CONFIG": "/d"})).Dir; got != "/d" {
		t.Errorf("DOCKER_CONFIG: dir = %s", got)
	}
	if got := registry.DockerConfigFromEnv(env(map[string]string{"HOME": "/h"})).Dir; got != filepath.Join("/h", ".docker") {
		t.Errorf("HOME: dir = %s", got)
	}
	if got := registry.DockerConfigFromEnv(env(map[string]string{"XDG_RUNTIME_DIR": "/run/u"})).AuthFile; got != filepath.Join("/run/u", "containers", "auth.json") {
		t.Errorf("podman: auth file = %s", got)
	}
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	reg := ociregistry.Start(t, ociregistry.Options{})
	image := reg.Image("team/api")
	reg.Close()
	_, err := anonymous(t).Digest(context.Background(), image, "v1")
	var ue *registry.UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want UnreachableError", err)
	}
	if want := "registry " + reg.Host + " is unreachable: connect: connection refused"; err.Error() != want {
		t.Errorf("message = %q, want %q", err.Error(), want)
	}
}

func TestRetriesThroughTheForgeRules(t *testing.T) {
	t.Parallel()
	reg := ociregistry.Start(t, ociregistry.Options{})
	want := reg.Push(t, "team/api", "v1")

	reg.Fail(http.StatusServiceUnavailable, 1, "")
	reg.Fail(http.StatusTooManyRequests, 1, "7")
	c, sl := newClient(t, registry.DockerConfig{}, nil)
	got, err := c.Digest(context.Background(), reg.Image("team/api"), "v1")
	if err != nil || got != want {
		t.Fatalf("Digest = %s, %v; want %s after two retried failures", got, err, want)
	}
	if !slices.Equal(sl.waits, []time.Duration{time.Second, 7 * time.Second}) {
		t.Errorf("waits = %v, want [1s 7s] (backoff, then Retry-After)", sl.waits)
	}

	reg.Fail(http.StatusBadGateway, 20, "")
	before := reg.Requests()
	_, err = c.Digest(context.Background(), reg.Image("team/api"), "v1")
	var ue *registry.UnreachableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "it answered 502 Bad Gateway") {
		t.Fatalf("err = %v, want unreachable after the retries", err)
	}
	if n := reg.Requests() - before; n != 4 {
		t.Errorf("%d requests, want 4 (the forge rules' attempts; go-containerregistry's own retries are off)", n)
	}
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	reg := ociregistry.Start(t, ociregistry.Options{})
	reg.Push(t, "team/api", "v1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := anonymous(t).Digest(ctx, reg.Image("team/api"), "v1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestTags(t *testing.T) {
	t.Parallel()
	reg := ociregistry.Start(t, ociregistry.Options{})
	for _, tag := range []string{"v1.0.0", "v1.1.0", "latest"} {
		reg.Push(t, "team/api", tag)
	}
	got, err := anonymous(t).Tags(context.Background(), reg.Image("team/api"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"v1.1.0", "v1.0.0", "latest"}; !slices.Equal(got, want) {
		t.Errorf("tags = %v, want %v", got, want)
	}
}
