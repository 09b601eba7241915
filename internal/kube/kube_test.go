package kube_test

import (
	"path/filepath"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/gito-dev/gito/integration/fakekube"
	"github.com/gito-dev/gito/internal/kube"
)

func selection(kubeconfig string, flag string, envs map[string]string) kube.Selection {
	return kube.Selection{
		Getenv:      func(k string) string { return map[string]string{"KUBECONFIG": kubeconfig}[k] },
		Flag:        flag,
		EnvContexts: envs,
		ConfigPath:  "config.yaml",
	}
}

// discover asks the env's cluster for the Kustomization API, as the Flux waiter does first.
func discover(t *testing.T, sel kube.Selection, env string) (*kube.Cluster, error) {
	t.Helper()
	c, err := sel.Open(env)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Discovery.ServerResourcesForGroupVersion("kustomize.toolkit.fluxcd.io/v1")
	return c, err
}

// Every way a kubeconfig authenticates works, a wrong credential is refused, and each
// env's credential reaches only the cluster its context names.
func TestCredentialsGoOnlyToTheirCluster(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	prod, staging, other := fakekube.New(t), fakekube.New(t), fakekube.New(t)
	prod.AcceptToken("prod-token-secret")
	cert, key := staging.IssueClientCert(t, "staging-user")
	strangerCert, strangerKey := other.IssueClientCert(t, "staging-user")
	plugin, err := fakekube.WriteExecPlugin(dir, "auth-plugin", "exec-token-secret")
	if err != nil {
		t.Fatal(err)
	}
	other.AcceptToken("exec-token-secret")
	kc := filepath.Join(dir, "kubeconfig")
	err = fakekube.WriteKubeconfig(kc, "prod-eu-1",
		fakekube.Context{Name: "prod-eu-1", Server: prod, Token: "prod-token-secret"},
		fakekube.Context{Name: "staging", Server: staging, CertPEM: cert, KeyPEM: key},
		fakekube.Context{Name: "dev", Server: other, ExecCommand: plugin},
		fakekube.Context{Name: "bad-token", Server: prod, Token: "not-the-token"},
		fakekube.Context{Name: "bad-cert", Server: staging, CertPEM: strangerCert, KeyPEM: strangerKey},
	)
	if err != nil {
		t.Fatal(err)
	}
	sel := selection(kc, "", map[string]string{"prod": "prod-eu-1", "staging": "staging", "dev": "dev", "bt": "bad-token", "bc": "bad-cert"})
	for _, env := range []string{"prod", "staging", "dev"} {
		c, err := discover(t, sel, env)
		if err != nil {
			t.Errorf("%s: %v", env, err)
		}
		if c.Name != sel.EnvContexts[env] {
			t.Errorf("%s: cluster named %q", env, c.Name)
		}
	}
	if _, err := discover(t, sel, "bt"); !apierrors.IsUnauthorized(err) {
		t.Errorf("wrong token: err = %v, want 401", err)
	}
	if _, err := discover(t, sel, "bc"); err == nil {
		t.Errorf("a certificate of another CA was accepted")
	}
	for _, leak := range []struct {
		s      *fakekube.Server
		secret string
	}{{staging, "prod-token-secret"}, {other, "prod-token-secret"}, {prod, "exec-token-secret"}, {staging, "exec-token-secret"}, {prod, "staging-user"}, {other, "staging-user"}} {
		if leak.s.SawCredential(leak.secret) {
			t.Errorf("%s reached %s", leak.secret, leak.s.URL)
		}
	}
	if !prod.SawCredential("prod-token-secret") || !other.SawCredential("exec-token-secret") || !staging.SawCredential("staging-user") {
		t.Errorf("a credential did not reach its own cluster")
	}
}

// --kube-context wins over the per-env map; an env without an entry uses the current context.
func TestContextChoice(t *testing.T) {
	t.Parallel()
	sel := selection("", "", map[string]string{"prod": "prod-eu-1"})
	if name, origin := sel.ContextFor("prod"); name != "prod-eu-1" || !strings.Contains(origin, "kubeContexts.prod in config.yaml") {
		t.Errorf("prod: %q from %q", name, origin)
	}
	if name, _ := sel.ContextFor("staging"); name != "" {
		t.Errorf("staging: %q, want the current context", name)
	}
	sel.Flag = "ops"
	if name, origin := sel.ContextFor("prod"); name != "ops" || origin != "--kube-context" {
		t.Errorf("flag: %q from %q", name, origin)
	}
}

// A context the kubeconfig lacks is one line naming where the name came from.
func TestUnknownContext(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := fakekube.New(t)
	kc := filepath.Join(dir, "kubeconfig")
	if err := fakekube.WriteKubeconfig(kc, "a", fakekube.Context{Name: "a", Server: s, Token: "x"}); err != nil {
		t.Fatal(err)
	}
	_, err := selection(kc, "", map[string]string{"prod": "nope"}).Open("prod")
	if err == nil || !strings.Contains(err.Error(), `"nope" (from kubeContexts.prod in config.yaml)`) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v", err)
	}
}

// A cluster that redirects does not get its credential carried to the redirect's host.
func TestRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := fakekube.New(t), fakekube.New(t)
	a.AcceptToken("a-token-secret")
	a.Redirect(b.URL)
	kc := filepath.Join(dir, "kubeconfig")
	if err := fakekube.WriteKubeconfig(kc, "a", fakekube.Context{Name: "a", Server: a, Token: "a-token-secret"}); err != nil {
		t.Fatal(err)
	}
	c, err := selection(kc, "", nil).Open("prod")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "a" {
		t.Errorf("current context named %q", c.Name)
	}
	if _, err := c.Discovery.ServerResourcesForGroupVersion("kustomize.toolkit.fluxcd.io/v1"); err == nil {
		t.Errorf("a redirect was followed")
	}
	if b.SawCredential("a-token-secret") {
		t.Errorf("the token followed the redirect")
	}
}
