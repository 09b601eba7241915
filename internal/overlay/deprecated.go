package overlay

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/gito-dev/gito/internal/repofs"
)

// fixDeprecatedFile serves kustomize a kustomization whose deprecated bases, imageTags and
// patchesStrategicMerge are moved to resources, images and patches, because kustomize
// prints its warning about them straight to the process's stderr on every render (and gito
// renders several times). Only moves that build the same output are made: bases and
// imageTags kustomize moves itself right after warning; patchesStrategicMerge runs just
// before patches, so it moves only into an empty patches. The fields are recorded so the
// release says it once.
func fixDeprecatedFile(fsys *repofs.FS, deprecated map[string]bool, p string, data []byte) []byte {
	if !slices.Contains(kustomizationNames, path.Base(p)) {
		return data
	}
	var k types.Kustomization
	if k.Unmarshal(data) != nil {
		return data // kustomize reports it in its own words
	}
	var fields []string
	if k.Bases != nil {
		fields = append(fields, "bases")
	}
	if k.ImageTags != nil {
		fields = append(fields, "imageTags")
	}
	if k.PatchesStrategicMerge != nil && len(k.Patches) == 0 {
		fields = append(fields, "patchesStrategicMerge")
		for _, psm := range k.PatchesStrategicMerge {
			s := string(psm)
			if !strings.ContainsAny(s, "\n:") && fsys.Exists(path.Join(path.Dir(p), s)) {
				k.Patches = append(k.Patches, types.Patch{Path: s})
			} else {
				k.Patches = append(k.Patches, types.Patch{Patch: s})
			}
		}
		k.PatchesStrategicMerge = nil
	}
	if len(fields) == 0 || len(*k.CheckDeprecatedFields()) > 0 && !onlyFixed(&k) {
		return data
	}
	k.FixKustomization()
	if len(*k.CheckDeprecatedFields()) > 0 {
		return data // something kustomize will still warn about: serve it as it is
	}
	fixed, err := yaml.Marshal(&k)
	if err != nil {
		return data
	}
	for _, f := range fields {
		deprecated[f] = true
	}
	return fixed
}

// onlyFixed reports that the deprecated fields left are ones FixKustomization moves.
func onlyFixed(k *types.Kustomization) bool {
	return k.CommonLabels == nil && k.PatchesJson6902 == nil && k.Vars == nil && k.PatchesStrategicMerge == nil
}

// deprecatedNote is the one note about deprecated kustomize fields of a release.
func deprecatedNote(fields map[string]bool) string {
	if len(fields) == 0 {
		return ""
	}
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	slices.Sort(names)
	return fmt.Sprintf("overlays use deprecated %s; kustomize edit fix updates them", strings.Join(names, ", "))
}
