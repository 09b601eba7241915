// Package kube loads Kubernetes cluster access the way kubectl and flux do: client-go's
// kubeconfig loading rules (KUBECONFIG, else ~/.kube/config; a context override; the
// in-cluster service account when there is no kubeconfig), with the context chosen per env
// by the user config. Whatever credential the kubeconfig holds for a context (bearer token,
// client certificate, exec plugin) is handled by client-go and goes only to that context's
// cluster: redirects are refused, and nothing here prints a credential.
package kube

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/gito-dev/gito/internal/exitcode"
)

// Selection says which context an env's cluster is reached through.
type Selection struct {
	// Getenv reads KUBECONFIG and HOME.
	Getenv func(string) string
	// Flag is --kube-context: it wins over everything else.
	Flag string
	// EnvContexts is the user config's kubeContexts (env → context); never the repo's.
	EnvContexts map[string]string
	// ConfigPath names the user config in messages.
	ConfigPath string
}

// ContextFor names the context for env and where that choice came from: "" means the
// kubeconfig's current context (or in-cluster access).
func (s Selection) ContextFor(env string) (name, origin string) {
	if s.Flag != "" {
		return s.Flag, "--kube-context"
	}
	if c := s.EnvContexts[env]; c != "" {
		return c, fmt.Sprintf("kubeContexts.%s in %s", env, s.ConfigPath)
	}
	return "", "the kubeconfig's current context"
}

// Cluster is one env's cluster: clients that share one HTTP client, and a name for messages.
type Cluster struct {
	// Name is the context (or "in-cluster"), as messages name it; never a credential.
	Name      string
	Host      string
	Dynamic   dynamic.Interface
	Discovery discovery.DiscoveryInterface
}

// Open loads the rest config of env's context and builds its clients. It connects to
// nothing yet.
func (s Selection) Open(env string) (*Cluster, error) {
	ctxName, origin := s.ContextFor(env)
	cfg, err := s.restConfig(ctxName)
	if err != nil {
		if ctxName != "" {
			return nil, fmt.Errorf("kubernetes context %q (from %s): %s", ctxName, origin, oneLine(err))
		}
		return nil, fmt.Errorf("kubernetes access: %s", oneLine(err))
	}
	name := ctxName
	if name == "" {
		name = s.currentContext()
	}
	hc, err := httpClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes context %s: %w", name, err)
	}
	dyn, err := dynamic.NewForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, fmt.Errorf("kubernetes context %s: %w", name, err)
	}
	disc, err := discovery.NewDiscoveryClientForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, fmt.Errorf("kubernetes context %s: %w", name, err)
	}
	return &Cluster{Name: name, Host: cfg.Host, Dynamic: dyn, Discovery: disc}, nil
}

func (s Selection) rules() *clientcmd.ClientConfigLoadingRules {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	// The same rules, read through Getenv rather than the process environment.
	if kc := s.Getenv("KUBECONFIG"); kc != "" {
		rules.Precedence = filepath.SplitList(kc)
	} else if home := s.Getenv("HOME"); home != "" {
		rules.Precedence = []string{filepath.Join(home, ".kube", "config")}
	}
	return rules
}

func (s Selection) restConfig(ctxName string) (*rest.Config, error) {
	overrides := &clientcmd.ConfigOverrides{CurrentContext: ctxName}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(s.rules(), overrides)
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = "gito"
	// API warnings would land on stderr through client-go's default handler.
	cfg.WarningHandler = rest.NoWarnings{}
	// An unreachable cluster fails in seconds, not when the wait's timeout ends.
	cfg.Dial = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	return cfg, nil
}

func (s Selection) currentContext() string {
	raw, err := s.rules().Load()
	if err != nil || raw.CurrentContext == "" {
		return "in-cluster"
	}
	return raw.CurrentContext
}

// errRedirect refuses to follow a redirect: client-go's round trippers add the context's
// credential to every request, a redirected one included, so following one would hand the
// credential to whatever host the cluster (or something in front of it) names.
var errRedirect = errors.New("the cluster answered with a redirect, which gito does not follow with a credential")

func httpClient(cfg *rest.Config) (*http.Client, error) {
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return errRedirect }
	return hc, nil
}

func oneLine(err error) string {
	b := []rune(err.Error())
	for i, r := range b {
		if r == '\n' || r == '\r' || r == '\t' {
			b[i] = ' '
		}
	}
	return string(b)
}

// Probe asks the cluster whether it serves groupVersion ("kustomize.toolkit.fluxcd.io/v1"),
// through discovery: an unreachable cluster is one line naming its context, 401/403 an
// auth error (exit 4), and a missing API says so.
func (c *Cluster) Probe(ctx context.Context, groupVersion string) error {
	err := c.Discovery.RESTClient().Get().AbsPath("/apis/" + groupVersion).Do(ctx).Error()
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case apierrors.IsUnauthorized(err):
		return &exitcode.AuthError{Err: fmt.Errorf("kubernetes: cluster %s (%s) refused the credential of kube context %s (401)", c.Host, c.Name, c.Name),
			Hint: "check the context with kubectl --context " + c.Name + " auth whoami"}
	case apierrors.IsForbidden(err):
		return &exitcode.AuthError{Err: fmt.Errorf("kubernetes: the credential of kube context %s may not read %s (403)", c.Name, groupVersion)}
	case apierrors.IsNotFound(err):
		return fmt.Errorf("kubernetes: cluster %s (kube context %s) does not serve %s: is Flux installed there?", c.Host, c.Name, groupVersion)
	}
	return fmt.Errorf("kubernetes: cannot reach the cluster of kube context %s: %s", c.Name, oneLine(err))
}
