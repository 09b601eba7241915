package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/fluxwait"
	"github.com/gito-dev/gito/internal/kube"
	"github.com/gito-dev/gito/internal/release"
	"github.com/gito-dev/gito/internal/wait"
)

// fluxEnv is one env's Flux Kustomization and the cluster it lives in.
type fluxEnv struct {
	env     string
	cluster *kube.Cluster
	target  fluxwait.Target
}

// prepareFlux opens each env's cluster (its kube context from --kube-context or the user
// config's kubeContexts) and reads its Kustomization once, so an unreachable cluster, a
// refused credential or a missing Kustomization refuses while nothing is pushed.
func (w *Waiter) prepareFlux(ctx context.Context, req Request, user *config.User, service string, envs []string) error {
	flux := w.ws.Config.Flux
	sel := kube.Selection{Getenv: req.Getenv, Flag: w.opts.KubeContext, EnvContexts: user.KubeContexts, ConfigPath: config.UserConfigPath(req.Getenv)}
	for _, env := range envs {
		cluster, err := sel.Open(env)
		if err != nil {
			return fmt.Errorf("--wait: %w", err)
		}
		if err := cluster.Probe(ctx, fluxwait.KustomizationGVR.GroupVersion().String()); err != nil {
			return fmt.Errorf("--wait: %w", err)
		}
		fe := fluxEnv{env: env, cluster: cluster, target: fluxwait.Target{
			Kustomization: fluxwait.Ref{Namespace: flux.KustomizationNamespace(), Name: flux.KustomizationName(service, env)},
			Origin:        fmt.Sprintf("flux.kustomization %q in %s", flux.Kustomization, config.FileName),
		}}
		if err := fluxwait.Check(ctx, fluxwait.Options{Target: fe.target, Client: cluster.Dynamic, Cluster: cluster.Name}); err != nil {
			return fmt.Errorf("--wait: %w", err)
		}
		w.flux = append(w.flux, fe)
	}
	return nil
}

// waitFlux follows the PR until merged, then each env's Kustomization (and the HelmReleases
// the release edited in it) within the one --timeout.
func (w *Waiter) waitFlux(ctx context.Context, res *Result, opts wait.Options, deadline time.Time, finish func(*wait.Result, error) error) error {
	merging := opts
	merging.Until, merging.Timeout = wait.UntilMerged, time.Until(deadline)
	r, err := wait.Run(ctx, merging)
	if err := finish(r, err); err != nil || w.opts.Until == wait.UntilMerged {
		return err
	}
	releases, err := editedHelmReleases(res.Plan)
	if err != nil {
		return err
	}
	// A fresh check per revision: each may fetch once, since Flux can report a commit that
	// landed after the cache's last fetch (fluxwait asks once per revision).
	holds := func(ctx context.Context, merge, rev string) (bool, error) {
		return w.holds(res.Plan)(ctx, merge, rev)
	}
	for _, fe := range w.flux {
		target := fe.target
		target.HelmReleases = releasesOfEnv(releases, fe.env, len(w.flux), target.Kustomization.Namespace)
		fr, err := fluxwait.Run(ctx, fluxwait.Options{
			Until: w.opts.Until, MergeCommit: r.MergeCommit, Target: target,
			Client: fe.cluster.Dynamic, Cluster: fe.cluster.Name, Holds: holds,
			Timeout: time.Until(deadline), Limit: w.opts.Timeout, Interval: w.interval, Report: w.opts.Report,
		})
		if err := finish(fr, err); err != nil {
			return err
		}
	}
	return nil
}

// editedHelmRelease is a Flux HelmRelease whose chart version the release changed.
type editedHelmRelease struct {
	file      string
	namespace string // "" when the manifest names none
	name      string
	version   string
}

// editedHelmReleases finds, in the files the release wrote, every Flux HelmRelease whose
// spec.chart.spec.version it changed.
func editedHelmReleases(p *release.Plan) ([]editedHelmRelease, error) {
	if p == nil {
		return nil, nil
	}
	var out []editedHelmRelease
	for _, f := range p.Files {
		if !strings.HasSuffix(f.Path, ".yaml") && !strings.HasSuffix(f.Path, ".yml") {
			continue
		}
		after, err := helmReleases(f.After)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		before, _ := helmReleases(f.Before)
		for key, hr := range after {
			if before[key].version == hr.version {
				continue
			}
			hr.file = f.Path
			out = append(out, hr)
		}
	}
	return out, nil
}

func helmReleases(data []byte) (map[string]editedHelmRelease, error) {
	out := map[string]editedHelmRelease{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc struct {
			APIVersion string `yaml:"apiVersion"`
			Kind       string `yaml:"kind"`
			Metadata   struct {
				Name      string `yaml:"name"`
				Namespace string `yaml:"namespace"`
			} `yaml:"metadata"`
			Spec struct {
				Chart struct {
					Spec struct {
						Version string `yaml:"version"`
					} `yaml:"spec"`
				} `yaml:"chart"`
			} `yaml:"spec"`
		}
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if doc.Kind != "HelmRelease" || !strings.HasPrefix(doc.APIVersion, "helm.toolkit.fluxcd.io/") || doc.Metadata.Name == "" {
			continue
		}
		key := doc.Metadata.Namespace + "/" + doc.Metadata.Name
		out[key] = editedHelmRelease{namespace: doc.Metadata.Namespace, name: doc.Metadata.Name, version: doc.Spec.Chart.Spec.Version}
	}
}

// releasesOfEnv picks the HelmReleases of one env: all of them when the release has one env,
// else those in a file under a directory named after the env. (The repo inventory will know
// each carrier's env exactly.) A HelmRelease without a namespace is in the Kustomization's.
func releasesOfEnv(all []editedHelmRelease, env string, envs int, defaultNamespace string) []fluxwait.HelmRelease {
	var out []fluxwait.HelmRelease
	for _, hr := range all {
		if envs > 1 && !inEnvDir(hr.file, env) {
			continue
		}
		ns := hr.namespace
		if ns == "" {
			ns = defaultNamespace
		}
		out = append(out, fluxwait.HelmRelease{Ref: fluxwait.Ref{Namespace: ns, Name: hr.name}, ChartVersion: hr.version})
	}
	return out
}

func inEnvDir(file, env string) bool {
	for _, dir := range strings.Split(path.Dir(file), "/") {
		if dir == env {
			return true
		}
	}
	return false
}
