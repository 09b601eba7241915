package registry_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/registry"
	"github.com/gito-dev/gito/internal/testutil/ociregistry"
)

// $DOCKER_AUTH_CONFIG, as CI systems set it: its entry wins over the files, an entry for
// another registry falls through to them, and a malformed value is named without its text.
func TestDockerAuthConfig(t *testing.T) {
	t.Parallel()
	const secret = "s3cret-registry-password"
	reg := ociregistry.Start(t, ociregistry.Options{User: "ci", Password: secret})
	want := reg.Push(t, "team/api", "v1")
	other := ociregistry.Start(t, ociregistry.Options{})

	env := func(vars map[string]string) registry.DockerConfig {
		return registry.DockerConfigFromEnv(func(k string) string { return vars[k] })
	}
	t.Run("wins over the docker config", func(t *testing.T) {
		t.Parallel()
		wrongFile := writeDockerConfig(t, reg.DockerConfig("ci", "wrong-password-123"))
		c, _ := newClient(t, env(map[string]string{"DOCKER_CONFIG": wrongFile, registry.EnvAuthVar: reg.DockerConfig("ci", secret)}), nil)
		if got, err := c.Digest(context.Background(), reg.Image("team/api"), "v1"); err != nil || got != want {
			t.Fatalf("Digest = %s, %v; want %s", got, err, want)
		}
	})
	t.Run("another registry's entry falls through to the file", func(t *testing.T) {
		t.Parallel()
		file := writeDockerConfig(t, reg.DockerConfig("ci", secret))
		c, _ := newClient(t, env(map[string]string{"DOCKER_CONFIG": file, registry.EnvAuthVar: other.DockerConfig("ci", "for-the-other-one")}), nil)
		if got, err := c.Digest(context.Background(), reg.Image("team/api"), "v1"); err != nil || got != want {
			t.Fatalf("Digest = %s, %v; want %s", got, err, want)
		}
	})
	t.Run("refused names the variable, not the password", func(t *testing.T) {
		t.Parallel()
		const wrong = "wrong-password-456"
		c, _ := newClient(t, env(map[string]string{"HOME": t.TempDir(), registry.EnvAuthVar: reg.DockerConfig("ci", wrong)}), nil)
		_, err := c.Digest(context.Background(), reg.Image("team/api"), "v1")
		if !errors.Is(err, registry.ErrUnauthorized) || !strings.Contains(err.Error(), "in $DOCKER_AUTH_CONFIG (user ci)") {
			t.Fatalf("err = %v, want ErrUnauthorized naming $DOCKER_AUTH_CONFIG and the user", err)
		}
		if strings.Contains(err.Error(), wrong) {
			t.Errorf("message %q carries the password", err)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		t.Parallel()
		const text = `{"auths": {"x": {"auth": "not-base64-` + secret + `"`
		c, _ := newClient(t, env(map[string]string{"HOME": t.TempDir(), registry.EnvAuthVar: text}), nil)
		_, err := c.Digest(context.Background(), reg.Image("team/api"), "v1")
		if err == nil || !strings.Contains(err.Error(), "$DOCKER_AUTH_CONFIG is not docker config JSON") {
			t.Fatalf("err = %v, want the variable named", err)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("message %q quotes the variable's text", err)
		}
	})
}
