package pipeline

import (
	"reflect"
	"testing"

	"github.com/gito-dev/gito/internal/fluxwait"
	"github.com/gito-dev/gito/internal/release"
)

func helmRelease(ns, version string) []byte {
	meta := "  name: api\n"
	if ns != "" {
		meta += "  namespace: " + ns + "\n"
	}
	return []byte("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n" + meta +
		"spec:\n  chart:\n    spec:\n      chart: api\n      version: \"" + version + "\"\n---\n" +
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n")
}

// Only HelmReleases whose chart version the release changed are waited for, each in its
// env (a group release edits several), in the Kustomization's namespace when it names none.
func TestEditedHelmReleases(t *testing.T) {
	t.Parallel()
	plan := &release.Plan{Files: []release.File{
		{Path: "overlays/prod-eu/api/helmrelease.yaml", Before: helmRelease("apps", "1.3.0"), After: helmRelease("apps", "1.4.0")},
		{Path: "overlays/prod-us/api/helmrelease.yaml", Before: helmRelease("", "1.3.0"), After: helmRelease("", "1.4.0")},
		{Path: "overlays/prod-us/api/unchanged.yaml", Before: helmRelease("", "1.3.0"), After: helmRelease("", "1.3.0")},
		{Path: "overlays/prod-us/api/kustomization.yaml", Before: []byte("images: []\n"), After: []byte("images: []\n")},
		{Path: "overlays/prod-us/api/kustomization.yaml.sig", After: []byte("-----BEGIN SSH SIGNATURE-----\n")},
	}}
	all, err := editedHelmReleases(plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("found %+v", all)
	}
	got := releasesOfEnv(all, "prod-us", 2, "flux-system")
	want := []fluxwait.HelmRelease{{Ref: fluxwait.Ref{Namespace: "flux-system", Name: "api"}, ChartVersion: "1.4.0"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("prod-us: %+v", got)
	}
	if got := releasesOfEnv(all, "prod-eu", 2, "flux-system"); len(got) != 1 || got[0].Namespace != "apps" {
		t.Errorf("prod-eu: %+v", got)
	}
	if got := releasesOfEnv(all, "prod", 1, "flux-system"); len(got) != 2 {
		t.Errorf("one env takes every edited HelmRelease: %+v", got)
	}
}
