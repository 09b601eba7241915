package overlay

import (
	"fmt"
	"io/fs"
	"path"
)

// FoundTarget is a version carrier the inventory found outside an images: entry, which a
// release edits the way it edits a configured target: a Flux HelmRelease's chart version in
// the env's own patch.
type FoundTarget struct {
	File   string // repo-relative
	Expr   string // a yq path selecting one scalar
	Source string // how it was found, for errors
	Image  string // what the version is of (the chart), for the PR text
}

// foundTargets releases through the carriers the inventory found.
func (p *planner) foundTargets() (*Result, error) {
	var files []targetFile
	for _, t := range p.req.Targets {
		rel := path.Clean(t.File)
		if !fs.ValidPath(rel) {
			return nil, fmt.Errorf("%s: not a path inside the repo (from %s)", t.File, t.Source)
		}
		files = append(files, targetFile{path: rel, source: t.Source, image: t.Image,
			edits: []targetEdit{{expr: t.Expr, value: "{tag}", one: true}}})
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no version carrier to edit")
	}
	dir := p.req.Dir
	if dir == "" {
		dir = path.Dir(files[0].path)
	}
	return p.targetsOnly(Overlay{Dir: dir, Layout: dir}, files)
}
