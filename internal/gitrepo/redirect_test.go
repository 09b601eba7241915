package gitrepo

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

// heard records the requests a server saw from another origin than the remote's.
type heard struct {
	mu   sync.Mutex
	seen []string
}

func (h *heard) add(r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	cred := ""
	if r.Header.Get("Authorization") != "" {
		cred = " WITH A CREDENTIAL"
	}
	h.seen = append(h.seen, fmt.Sprintf("%s %s%s%s", r.Method, r.Host, r.URL.Path, cred))
}

func (h *heard) all() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.seen...)
}

// TestGitFollowsNoRedirectWithTheToken: the remote (https on 127.0.0.1, needing the token)
// redirects its first authenticated request (info/refs) or a later one (upload-pack) to
// another host (a name curl resolves to the same server), to plain http, or to another port,
// with each redirect status. git, given gito's token, follows none of them: no other origin
// hears a request, with or without the token, and the error says the remote redirected.
func TestGitFollowsNoRedirectWithTheToken(t *testing.T) {
	t.Parallel()
	bare := gitserver.NewBare(t, sampleFiles)
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, target := range []string{"other host", "scheme downgrade", "port change"} {
			for _, on := range []int{1, 2} {
				t.Run(fmt.Sprintf("%d/%s/request%d", status, target, on), func(t *testing.T) {
					t.Parallel()
					var foreign heard
					catcher := func(srv *httptest.Server) {
						srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { foreign.add(r); http.NotFound(w, r) })
					}
					plain := httptest.NewUnstartedServer(nil)
					catcher(plain)
					plain.Start()
					t.Cleanup(plain.Close)
					otherTLS := httptest.NewUnstartedServer(nil)
					catcher(otherTLS)
					otherTLS.StartTLS()
					t.Cleanup(otherTLS.Close)

					git := gitserver.NewHandler(t, filepath.Dir(bare), func(p string) bool { return p == testToken })
					var mu sync.Mutex
					authed := 0
					remote := httptest.NewUnstartedServer(nil)
					remote.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if r.Host != strings.TrimPrefix(remote.URL, "https://") {
							foreign.add(r)
							http.NotFound(w, r)
							return
						}
						mu.Lock()
						if r.Header.Get("Authorization") != "" {
							authed++
						}
						redirect := authed == on && r.Header.Get("Authorization") != ""
						mu.Unlock()
						if !redirect {
							git.ServeHTTP(w, r)
							return
						}
						port := remote.Listener.Addr().(interface{ String() string }).String()
						port = port[strings.LastIndex(port, ":")+1:]
						loc := map[string]string{
							"other host":       "https://other.example.com:" + port,
							"scheme downgrade": plain.URL,
							"port change":      otherTLS.URL,
						}[target] + "/elsewhere" + r.URL.RequestURI()
						http.Redirect(w, r, loc, status)
					})
					remote.StartTLS()
					t.Cleanup(remote.Close)

					g, _ := newGit(t)
					ca := filepath.Join(t.TempDir(), "ca.pem")
					writeFile(t, ca, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: remote.Certificate().Raw})))
					port := remote.URL[strings.LastIndex(remote.URL, ":")+1:]
					g.Env = append(g.Env, "GIT_SSL_CAINFO="+ca,
						// curl resolves the other host name to this machine, no DNS involved
						"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.curloptResolve", "GIT_CONFIG_VALUE_0=other.example.com:"+port+":127.0.0.1")
					_, err := Open(context.Background(), OpenOptions{CacheRoot: t.TempDir(), Remote: remote.URL + "/infra.git", Auth: Auth{Token: testToken}, Git: g})
					if got := foreign.all(); len(got) > 0 {
						t.Errorf("another origin heard %v", got)
					}
					mu.Lock()
					reached := authed >= on
					mu.Unlock()
					if !reached {
						t.Fatalf("the redirect was never served (%d authenticated requests): the row proves nothing", authed)
					}
					if err == nil {
						t.Fatal("Open followed a redirect to another origin")
					}
					if msg := err.Error(); strings.Contains(msg, testToken) || strings.Contains(msg, "\n") || !strings.Contains(msg, "redirect") {
						t.Errorf("error is not one line naming the redirect: %q", msg)
					}
				})
			}
		}
	}
}
