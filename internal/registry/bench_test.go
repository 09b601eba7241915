package registry_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/registry"
	"github.com/gito-dev/gito/internal/testutil/ociregistry"
)

// BenchmarkDigest is one tag lookup on loopback (the ping for the auth challenge, then HEAD),
// against a floor of one plain GET of /v2/ to the same server in the same run.
//
//	go test -run '^$' -bench Digest ./internal/registry
func BenchmarkDigest(b *testing.B) {
	reg := ociregistry.Start(b, ociregistry.Options{})
	reg.Push(b, "team/api", "v1")
	hc := &http.Client{}
	c, err := registry.New(registry.Options{HTTPClient: hc, Keychain: registry.DockerConfig{}})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("head", func(b *testing.B) { benchDigest(b, hc, c, reg) })
}

func benchDigest(b *testing.B, hc *http.Client, c *registry.Client, reg *ociregistry.Server) {
	ctx := context.Background()
	var floor, lookup time.Duration
	for b.Loop() {
		start := time.Now()
		resp, err := hc.Get("http://" + reg.Host + "/v2/")
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		floor += time.Since(start)
		start = time.Now()
		if _, err := c.Digest(ctx, reg.Image("team/api"), "v1"); err != nil {
			b.Fatal(err)
		}
		lookup += time.Since(start)
	}
	b.ReportMetric(float64(lookup.Microseconds())/float64(b.N), "lookup-µs")
	b.ReportMetric(float64(lookup)/float64(floor), "lookup/GET")
}
