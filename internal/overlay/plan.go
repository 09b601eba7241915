package overlay

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/types"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/overlay/kustedit"
	"github.com/gito-dev/gito/internal/regularfile"
	"github.com/gito-dev/gito/internal/renderdiff"
	"github.com/gito-dev/gito/internal/repofs"
	"github.com/gito-dev/gito/internal/yamllimit"
)

// Request asks for the edit that releases Version of Service to Env.
type Request struct {
	Root    string // the infra repo's working tree
	Repo    *config.Repo
	Service string
	Env     string
	Version config.Version
	Create  bool     // create the env overlay when the service has none there
	Images  []string // image names to release; default Repo.ImagesFor(Service)
	// Dir, when set, is the overlay directory the inventory found for (Service, Env):
	// the layout is not asked.
	Dir string
	// Targets, when set, are the carriers the inventory found that a release edits instead
	// of an image (a HelmRelease chart version).
	Targets []FoundTarget
}

// FileEdit is one file the release changes. Before is nil for a new file.
type FileEdit struct {
	Path   string // repo-relative, slash-separated
	Before []byte
	After  []byte
}

// ImageRef is an image as the rendered overlay carries it.
type ImageRef struct {
	Name   string
	Tag    string
	Digest string
}

// Result is a planned edit; nothing has been written.
type Result struct {
	Overlay  Overlay
	Files    []FileEdit
	Previous []ImageRef // the configured images as the overlay rendered before the edit
	Changes  []kustedit.Change
	Notes    []string // things the user should know, e.g. a stale digest that was removed
	Diff     string   // git-style unified diff of Files (secret values masked)
	Noop     bool     // the overlay already renders the version; Files is empty
	Created  bool     // the overlay did not exist and is generated from the template
	// Rendered is the diff of the rendered manifests of every render the plan checked (the
	// overlay, a chart with its edited values), secret values redacted.
	Rendered []renderdiff.Section
}

// Plan computes the edit in memory. The overlay must render with kustomize before the edit,
// and after it every rendered container of the released images must carry the version;
// otherwise Plan refuses and the caller has nothing to write.
func Plan(ctx context.Context, req Request) (*Result, error) {
	repo := req.Repo
	if repo == nil {
		repo = &config.Repo{}
	}
	// Names first: nothing below may see a name that could leave the repo.
	if err := config.ValidateName("--service", req.Service); err != nil {
		return nil, err
	}
	if err := config.ValidateName("--env", req.Env); err != nil {
		return nil, err
	}
	if _, err := config.ParseVersion("--version", req.Version.String()); err != nil {
		return nil, err
	}
	images := req.Images
	if len(images) == 0 {
		images = repo.ImagesFor(req.Service)
	}
	for _, img := range images {
		if err := validateImageName(img); err != nil {
			return nil, err
		}
	}
	root, err := resolveRoot(req.Root)
	if err != nil {
		return nil, err
	}
	repoFS, err := repofs.Open(root, nil)
	if err != nil {
		return nil, err
	}
	defer repoFS.Close()
	p := &planner{ctx: ctx, root: root, fs: repoFS, repo: repo, req: req, images: images,
		target:     kustedit.Target{Names: images, Tag: req.Version.Tag, Digest: req.Version.Digest},
		deprecated: map[string]bool{}}
	if len(req.Targets) > 0 {
		return p.foundTargets()
	}
	ov, err := p.locate()
	var nf *NotFoundError
	if len(repo.TargetsFor(req.Service)) > 0 && (err == nil || errors.As(err, &nf) || errors.Is(err, ErrNoOverlays)) {
		return p.withTargets(ov)
	}
	if errors.As(err, &nf) && nf.Kind == "env" && nf.DirExists {
		if f, ok, herr := p.helmDefault(nf.Dir); herr != nil {
			return nil, herr
		} else if ok {
			return p.targetsOnly(Overlay{Dir: nf.Dir, Layout: nf.Layout}, []targetFile{f})
		}
	}
	if errors.As(err, &nf) && nf.Kind == "env" {
		if req.Create {
			return p.create(nf)
		}
		nf.CanCreate = true // Plan is what --create drives: say so
	}
	if err != nil {
		return nil, err
	}
	// The overlay directory itself may be a symlink: refuse before reading anything there.
	if err := repoFS.Check(ov.Dir); err != nil {
		return nil, err
	}
	return p.edit(ov)
}

// locate is the inventory's directory when the request names one, else the layout's.
func (p *planner) locate() (*Overlay, error) {
	if p.req.Dir == "" {
		return Locate(p.root, p.repo, p.req.Service, p.req.Env)
	}
	dir := path.Clean(p.req.Dir)
	if !fs.ValidPath(dir) {
		return nil, fmt.Errorf("overlay directory %q is not inside the repo", p.req.Dir)
	}
	t := DiskTree(p.root)
	file, err := findKustomization(t, dir)
	if err != nil {
		return nil, err
	}
	if file == "" {
		return nil, &NotFoundError{Kind: "env", Name: p.req.Env, Service: p.req.Service, Layout: dir, Dir: dir, DirExists: t.isDir(dir)}
	}
	return &Overlay{Dir: dir, KustomizationFile: path.Join(dir, file), Layout: dir}, nil
}

func validateImageName(img string) error {
	name, tag, digest := splitImage(img)
	if img == "" || strings.ContainsAny(img, " \t\r\n") || tag != "" || digest != "" || name == "" {
		return fmt.Errorf("image %q is not an image name without tag or digest (check services.*.images in %s)", img, config.FileName)
	}
	return nil
}

func resolveRoot(root string) (string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("repo root %s: %w", root, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("repo root %s: %w", root, err)
	}
	return real, nil
}

type planner struct {
	ctx    context.Context
	root   string     // absolute, symlinks resolved
	fs     *repofs.FS // the repository on disk, every read and check confined to it
	repo   *config.Repo
	req    Request
	images []string
	target kustedit.Target
	// deprecated are the deprecated kustomize fields the renders met, for one note.
	deprecated map[string]bool
	// lastManifests is what the latest render produced; renders pairs them before and after.
	lastManifests []byte
	renders       []renderPair
}

// render builds the overlay at the repo-relative dir with edits served in place of the disk.
func (p *planner) render(dir string, edits []FileEdit) ([]renderedImage, error) {
	if err := p.ctx.Err(); err != nil {
		return nil, err
	}
	var fsys *repofs.FS
	fsys, err := repofs.Open(p.root, func(rel string, data []byte) ([]byte, error) {
		return fixDeprecatedFile(fsys, p.deprecated, rel, data), nil
	})
	if err != nil {
		return nil, err
	}
	defer fsys.Close()
	for _, e := range edits {
		fsys.Put(e.Path, e.After)
	}
	imgs, manifests, err := renderManifests(fsys, filepath.Join(p.root, filepath.FromSlash(dir)))
	p.lastManifests = manifests
	if refused := fsys.Refused(); err != nil && len(refused) > 0 {
		return nil, refused[0] // what kustomize would make of it names internal paths
	}
	return imgs, err
}

func (p *planner) edit(ov *Overlay) (*Result, error) {
	kfile := ov.KustomizationFile
	orig, err := p.readRegular(kfile)
	if err != nil {
		return nil, err
	}
	if err := checkYAML(kfile, orig); err != nil {
		return nil, err
	}
	if err := checkEntries(kfile, orig, p.existsInRepo); err != nil {
		return nil, err
	}
	before, err := p.render(ov.Dir, nil)
	beforeManifests := p.lastManifests
	if p.ctx.Err() != nil {
		return nil, p.ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("%s does not render before the edit, refusing: %s", ov.Dir, kustomizeError(p.root, err))
	}
	entries, err := kustedit.KustomizationImages(orig)
	if err != nil {
		return nil, fmt.Errorf("read images of %s: %w", kfile, err)
	}
	if !p.configuredImages() {
		found, err := p.discoverImages(ov.Dir, before, entries)
		if err != nil {
			return nil, err
		}
		p.useImages(found)
	}
	using := usingImages(before, renderedNames(p.images, entries))
	if len(using) == 0 {
		return nil, p.errNoImage(ov.Dir, before)
	}
	res := &Result{Overlay: *ov, Previous: previous(using)}
	if p.allAtTarget(using) {
		res.Noop = true
		p.noteDeprecated(res)
		return res, nil
	}

	kust := orig
	covered := map[string]bool{}
	after, changes, err := kustedit.SetKustomizationImages(orig, p.target)
	switch {
	case err == nil:
		kust = after
		res.Changes = append(res.Changes, changes...)
		for _, e := range entries {
			for _, n := range p.images {
				if e.Name == n || e.NewName == n {
					covered[n] = true
				}
			}
		}
	case !errors.Is(err, kustedit.ErrNoMatch):
		return nil, fmt.Errorf("edit %s: %w", kfile, err)
	}

	var patchEdits []FileEdit
	if uncovered := p.uncovered(covered); len(uncovered) > 0 {
		patchEdits, err = p.editPatches(ov, orig, uncovered, covered, res)
		if err != nil {
			return nil, err
		}
	}
	for _, n := range p.uncovered(covered) {
		if len(usingImages(before, []string{n})) == 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("image %s is not used by %s; left alone", n, ov.Dir))
			continue
		}
		after, change, err := kustedit.AppendKustomizationImage(kust, n, p.target)
		if err != nil {
			return nil, fmt.Errorf("add image %s to %s: %w", n, kfile, err)
		}
		kust = after
		res.Changes = append(res.Changes, change)
	}
	if string(kust) != string(orig) {
		res.Files = append(res.Files, FileEdit{Path: kfile, Before: orig, After: kust})
	}
	res.Files = append(res.Files, patchEdits...)
	if len(res.Files) == 0 {
		return nil, fmt.Errorf("%s: found no images entry, patch or container to edit for %s although %s renders %s",
			kfile, strings.Join(p.images, ", "), ov.Dir, strings.Join(refsOf(using), ", "))
	}

	afterEntries, err := kustedit.KustomizationImages(kust)
	if err != nil {
		return nil, fmt.Errorf("read images of edited %s: %w", kfile, err)
	}
	if err := p.check(ov.Dir, res.Files, renderedNames(p.images, afterEntries)); err != nil {
		return nil, err
	}
	p.addRender(ov.Dir, beforeManifests, p.lastManifests)
	p.finish(res)
	return res, nil
}

// editPatches edits the container images in the overlay's patch files for the images the
// kustomization's `images:` does not set.
func (p *planner) editPatches(ov *Overlay, kust []byte, names []string, covered map[string]bool, res *Result) ([]FileEdit, error) {
	var k types.Kustomization
	if err := k.Unmarshal(kust); err != nil {
		return nil, fmt.Errorf("parse %s: %s", ov.KustomizationFile, oneLine(err))
	}
	var edits []FileEdit
	for _, rel := range patchFiles(ov.Dir, &k) {
		src, err := p.readRegular(rel)
		if errors.Is(err, fs.ErrNotExist) {
			continue // an inline patch in patchesStrategicMerge, not a path
		}
		if err != nil {
			return nil, err
		}
		t := p.target
		t.Names = names
		after, changes, err := kustedit.SetPatchImages(src, t)
		if errors.Is(err, kustedit.ErrNoMatch) || (err == nil && len(changes) == 0) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("edit patch %s: %w", rel, err)
		}
		for _, c := range changes {
			covered[c.Image] = true
		}
		res.Changes = append(res.Changes, changes...)
		if string(after) != string(src) {
			edits = append(edits, FileEdit{Path: rel, Before: src, After: after})
		}
	}
	return edits, nil
}

// patchFiles lists the repo-relative patch files of a kustomization in dir, once each,
// leaving out paths outside the repo.
func patchFiles(dir string, k *types.Kustomization) []string {
	var paths []string
	for _, pt := range k.Patches {
		paths = append(paths, pt.Path)
	}
	for _, pt := range k.PatchesJson6902 {
		paths = append(paths, pt.Path)
	}
	for _, psm := range k.PatchesStrategicMerge {
		if s := string(psm); !strings.ContainsAny(s, "\n:") {
			paths = append(paths, s)
		}
	}
	var out []string
	for _, p := range paths {
		if p == "" || path.IsAbs(p) {
			continue
		}
		rel := path.Join(dir, p)
		if rel == ".." || strings.HasPrefix(rel, "../") || slices.Contains(out, rel) {
			continue
		}
		out = append(out, rel)
	}
	return out
}

// check renders the edited overlay and refuses unless every container of the released
// images carries the version.
func (p *planner) check(dir string, edits []FileEdit, names []string) error {
	after, err := p.render(dir, edits)
	if p.ctx.Err() != nil {
		return p.ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("%s does not render after the edit, nothing written: %s", dir, kustomizeError(p.root, err))
	}
	using := usingImages(after, names)
	if len(using) == 0 {
		return fmt.Errorf("after the edit no container of %s uses %s, nothing written", dir, strings.Join(names, ", "))
	}
	for _, img := range using {
		if img.Tag != p.target.Tag || img.Digest != p.target.Digest {
			return fmt.Errorf("after the edit %s in %s, want %s; something else pins the image, nothing written",
				describe(img), dir, config.Version{Tag: p.target.Tag, Digest: p.target.Digest})
		}
	}
	return nil
}

func (p *planner) noteDeprecated(res *Result) {
	if note := deprecatedNote(p.deprecated); note != "" && !slices.Contains(res.Notes, note) {
		res.Notes = append(res.Notes, note)
	}
}

func (p *planner) finish(res *Result) {
	p.noteDeprecated(res)
	for _, c := range res.Changes {
		if c.DigestRemoved {
			res.Notes = append(res.Notes, fmt.Sprintf("removed stale digest %s from %s (a plain tag would be ignored by kustomize)", c.OldDigest, c.Image))
		}
	}
	var diff strings.Builder
	for _, f := range res.Files {
		diff.WriteString(unifiedDiff(f.Path, f.Before, f.After))
	}
	res.Diff = diff.String()
	p.renderedDiff(res)
}

func (p *planner) allAtTarget(imgs []renderedImage) bool {
	for _, img := range imgs {
		if img.Tag != p.target.Tag || img.Digest != p.target.Digest {
			return false
		}
	}
	return true
}

func (p *planner) uncovered(covered map[string]bool) []string {
	var out []string
	for _, n := range p.images {
		if !covered[n] {
			out = append(out, n)
		}
	}
	return out
}

func (p *planner) errNoImage(dir string, rendered []renderedImage) error {
	there := "none"
	if refs := refsOf(rendered); len(refs) > 0 {
		there = strings.Join(refs, ", ")
	}
	return fmt.Errorf("no container in %s uses image %s (set services.%s.images in %s); images there: %s",
		dir, strings.Join(p.images, " or "), p.req.Service, config.FileName, there)
}

// existsInRepo reports whether a repo-relative path exists; a path that leaves the repo does
// not (the render then says why).
func (p *planner) existsInRepo(rel string) bool {
	if strings.HasPrefix(rel, "../") || rel == ".." {
		return true // outside the repo: the render refuses it with its own message
	}
	if err := p.fs.Check(rel); err != nil {
		return true
	}
	_, err := p.fs.Stat(rel)
	return err == nil
}

// readRegular reads a repo-relative file, refusing symlinks and special files so that
// writing it back cannot land outside the repo.
func (p *planner) readRegular(rel string) ([]byte, error) {
	if err := p.fs.Check(rel); err != nil {
		return nil, err
	}
	fi, err := p.fs.Lstat(rel)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, errors.Unwrap(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: not a regular file (gito does not edit through symlinks)", rel)
	}
	data, err := p.fs.ReadDisk(rel)
	if err != nil {
		if errors.Is(err, regularfile.ErrTooLarge) {
			return nil, err // already names the file
		}
		return nil, fmt.Errorf("read %s: %w", rel, errors.Unwrap(err))
	}
	if err := yamllimit.Check(rel, data); err != nil {
		return nil, err
	}
	return data, nil
}

// renderedNames are the names the configured images carry in the rendered output: an
// `images:` entry that matches one of them may rename it with newName.
func renderedNames(images []string, entries []kustedit.Entry) []string {
	out := slices.Clone(images)
	for _, e := range entries {
		if e.NewName != "" && (slices.Contains(images, e.Name) || slices.Contains(images, e.NewName)) {
			out = append(out, e.NewName)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func previous(imgs []renderedImage) []ImageRef {
	var out []ImageRef
	for _, img := range imgs {
		ref := ImageRef{Name: img.Name, Tag: img.Tag, Digest: img.Digest}
		if !slices.Contains(out, ref) {
			out = append(out, ref)
		}
	}
	return out
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
