package live

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gito-dev/gito/internal/fluxwait"
	"github.com/gito-dev/gito/internal/kube"
)

// Flux reads Kustomizations, each env on its own cluster.
type Flux struct {
	// Cluster opens env's cluster (its kube context), once per env.
	Cluster func(env string) (*kube.Cluster, error)
	// Kustomization names the Kustomization of (service, env).
	Kustomization func(service, env string) fluxwait.Ref
}

// Endpoint names env's cluster by its context.
func (f *Flux) Endpoint(env string) string {
	c, err := f.Cluster(env)
	if err != nil {
		return "the Kubernetes cluster of " + env
	}
	return "cluster " + c.Name
}

// Read reads the Kustomization of (service, env).
func (f *Flux) Read(ctx context.Context, service, env string) (*State, error) {
	c, err := f.Cluster(env)
	if err != nil {
		return nil, err
	}
	ref := f.Kustomization(service, env)
	obj, err := c.Dynamic.Resource(fluxwait.KustomizationGVR).Namespace(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil, fmt.Errorf("%w: Kustomization %s", ErrMissing, ref)
	case err != nil:
		return nil, fmt.Errorf("read Kustomization %s: %s", ref, oneLine(err.Error()))
	}
	st := fluxwait.ReadState(obj)
	out := &State{Deployer: "flux", Object: ref.String(), Revision: st.LastAppliedRevision, Commit: fluxwait.RevisionCommit(st.LastAppliedRevision)}
	switch {
	case st.IsStalled():
		out.Status = "Stalled"
	case st.IsReady():
		out.Status = "Ready"
	case st.Ready != nil && st.Ready.Reason != "":
		out.Status = "Ready=" + st.ReadyStatus() + " (" + st.Ready.Reason + ")"
	default:
		out.Status = "Ready=" + st.ReadyStatus()
	}
	return out, nil
}

func oneLine(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	return string(b)
}
