package repofs

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/types"
)

// IsKustomization reports whether rel is named as kustomize names a kustomization file.
func IsKustomization(rel string) bool {
	return slices.Contains(konfig.RecognizedKustomizationFileNames(), path.Base(rel))
}

// RemoteReference returns the first entry of a kustomization that kustomize would fetch
// from the network (HTTP GET or git clone) instead of reading from the repository, or ""
// when there is none (or the kustomization does not parse: kustomize then reports that).
// kustomize offers no option to turn remote loading off, so this check runs on the bytes
// of every kustomization before kustomize sees them.
func RemoteReference(data []byte) string {
	var k types.Kustomization
	if k.Unmarshal(data) != nil {
		return ""
	}
	var refs []string
	for _, list := range [][]string{k.Resources, k.Bases, k.Components, k.Crds, k.Configurations, k.Generators, k.Transformers, k.Validators} {
		refs = append(refs, list...)
	}
	for _, p := range k.PatchesStrategicMerge {
		refs = append(refs, string(p))
	}
	for _, p := range append(slices.Clone(k.Patches), k.PatchesJson6902...) {
		refs = append(refs, p.Path)
	}
	for _, r := range k.Replacements {
		refs = append(refs, r.Path)
	}
	refs = append(refs, k.OpenAPI["path"])
	var sources []types.KvPairSources
	for _, g := range k.ConfigMapGenerator {
		sources = append(sources, g.KvPairSources)
	}
	for _, g := range k.SecretGenerator {
		sources = append(sources, g.KvPairSources)
	}
	for _, s := range sources {
		for _, f := range append(slices.Clone(s.FileSources), append(s.EnvSources, s.EnvSource)...) {
			refs = append(refs, f)
			if _, p, ok := strings.Cut(f, "="); ok {
				refs = append(refs, p) // key=path
			}
		}
	}
	for _, h := range k.HelmCharts {
		refs = append(refs, h.Repo)
	}
	for _, r := range refs {
		if IsRemote(r) {
			return strings.TrimSpace(r)
		}
	}
	return ""
}

var (
	schemeRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)
	scpRe    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*@[^/]+:`)
)

// IsRemote reports a reference kustomize would treat as remote: any URL with a scheme
// (http, https, ssh, file, git), git's forced `git::` prefix, an scp-style `user@host:path`,
// or github.com's bare `github.com/org/repo` form. Inline patches (several lines) are not.
func IsRemote(ref string) bool {
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.ContainsAny(ref, "\n") {
		return false
	}
	lower := strings.ToLower(ref)
	if strings.HasPrefix(lower, "git::") {
		return true
	}
	return schemeRe.MatchString(ref) || scpRe.MatchString(ref) ||
		strings.HasPrefix(lower, "github.com/") || strings.HasPrefix(lower, "github.com:")
}
