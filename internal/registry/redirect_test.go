package registry_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/httpauth"
	"github.com/gito-dev/gito/internal/registry"
	"github.com/gito-dev/gito/internal/testutil/credwire"
	"github.com/gito-dev/gito/internal/testutil/ociregistry"
)

// TestCredentialsNeverFollowARedirect runs go-containerregistry against a real registry
// (basic auth) at https://reg.example:PORT, redirecting one request (the first ping, the
// manifest, or the later tag list) to another host, to http, or to another port, with each
// redirect status: the registry's credentials never reach the other origin, and the lookup
// fails in one line saying where it was sent.
func TestCredentialsNeverFollowARedirect(t *testing.T) {
	t.Parallel()
	const user, password = "ci", "registry-s3cret-password"
	// Requests: 1 ping, 2 HEAD the manifest, 3 ping, 4 list the tags.
	for _, c := range credwire.Cases(2, 4) {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			reg := ociregistry.Start(t, ociregistry.Options{User: user, Password: password})
			reg.Push(t, "team/api", "9.2.0")
			port := reg.Host[strings.LastIndex(reg.Host, ":")+1:]
			host := "reg.example:" + port
			wire := credwire.New("https://"+host, "http://"+reg.Host, c, password, credwire.BasicSecret(user, password))
			kc := registry.DockerConfig{EnvAuth: `{"auths":{"` + host + `":{"auth":"` + credwire.BasicSecret(user, password) + `"}}}`}
			cl, _ := newClient(t, kc, wire)
			_, err := cl.Digest(t.Context(), host+"/team/api", "9.2.0")
			if err == nil {
				_, err = cl.Tags(t.Context(), host+"/team/api")
			}
			wire.Check(t)
			var re *httpauth.RedirectError
			switch {
			case c.Target == credwire.SchemeDown:
				// The ping is refused like any other; later, ggcr puts the registry's own scheme
				// back on a request to its host and port, so the redirect stays on https and
				// its 404 is the answer. Either way nothing goes over http.
				if err == nil || wire.Foreign() != 0 {
					t.Fatalf("err = %v, %d requests over http; want an error and none", err, wire.Foreign())
				}
			case !errors.As(err, &re) || !strings.Contains(err.Error(), "redirected to") || strings.Contains(err.Error(), "\n"):
				t.Fatalf("err = %v, want one line saying the registry redirected", err)
			}
			if strings.Contains(err.Error(), password) || strings.Contains(err.Error(), credwire.BasicSecret(user, password)) {
				t.Errorf("the error shows the credential: %v", err)
			}
		})
	}
}

// TestManifestRedirectIsNotAMissingTag (L2): a registry that sends manifest requests to
// another origin (which answers 404) while it lists the tag itself must not read as "tag
// 9.2.0 is not in the registry; newest tags: 9.2.0".
func TestManifestRedirectIsNotAMissingTag(t *testing.T) {
	t.Parallel()
	reg := ociregistry.Start(t, ociregistry.Options{})
	reg.Push(t, "team/api", "9.2.0")
	reg.Push(t, "team/api", "1.0.0")
	elsewhere := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(elsewhere.Close)
	upstream := httptest.NewUnstartedServer(nil)
	upstream.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/manifests/") {
			http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
			return
		}
		r.URL.Scheme, r.URL.Host = "http", reg.Host
		resp, err := http.DefaultTransport.RoundTrip(r.Clone(r.Context()))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = copyBody(w, resp)
	})
	upstream.Start()
	t.Cleanup(upstream.Close)
	image := strings.TrimPrefix(upstream.URL, "http://") + "/team/api"
	_, err := anonymous(t).Digest(t.Context(), image, "9.2.0")
	var nf *registry.TagNotFoundError
	if err == nil || errors.As(err, &nf) || strings.Contains(err.Error(), "is not in the registry") {
		t.Fatalf("err = %v, want the redirect named, not a missing tag", err)
	}
	if !strings.Contains(err.Error(), "redirected to "+elsewhere.URL) || strings.Contains(err.Error(), "\n") {
		t.Errorf("err = %q, want one line naming the redirect to %s", err, elsewhere.URL)
	}
}

func copyBody(w http.ResponseWriter, resp *http.Response) (int64, error) {
	return io.Copy(w, resp.Body)
}
