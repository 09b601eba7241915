// Package history lists the releases of one overlay: every change of a service's image
// reference on the base branch, read from git without a checkout. It works on history that
// gito did not write (hand edits, other bots) because it compares file contents, not trailers.
package history

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Release is one distinct image reference the overlay held on the base branch.
type Release struct {
	Version string     `json:"version"` // tag of the service's first image; "" when pinned by digest only
	Digest  string     `json:"digest"`
	Images  []ImageRef `json:"-"` // every image of the service at Commit
	Commit  string     `json:"commit"`
	Date    time.Time  `json:"date"`
	Author  string     `json:"author"`
	PR      int        `json:"pr"`
	Signed  bool       `json:"signed"`
	Signer  string     `json:"-"`
	Current bool       `json:"current"`
	Subject string     `json:"-"`
}

// Ref renders the version as the user writes it: tag[@digest].
func (r Release) Ref() string {
	switch {
	case r.Digest == "":
		return r.Version
	case r.Version == "":
		return "@" + r.Digest
	}
	return r.Version + "@" + r.Digest
}

// SignatureChecker reports whether sig is a valid signature of file at path, and by whom.
type SignatureChecker func(ctx context.Context, commitSHA, path string, file, sig []byte) (signed bool, signer string)

// Request says which overlay files to read and how.
type Request struct {
	Source Source
	Ref    string   // base branch as a ref, e.g. "origin/main"
	Paths  []string // repo-relative: the kustomization file first, then a patch file if any
	// Images are the service's configured image names; empty means every image in Paths.
	Images []string
	Limit  int // most releases returned; 0 means all
	// ReadImages defaults to ReadImages (yaml.v3, read-only).
	ReadImages ImageReader
	// Readers override ReadImages for some paths: target files, read through the same yq
	// expression a release writes them with (see TargetReader).
	Readers map[string]ImageReader
	// Service, when Images is empty, keeps the images whose repository's last path segment
	// is the service (ghcr.io/acme/api for api), as a release discovers them; when none is,
	// every image counts.
	Service string
	// CheckSignature, when set, is asked about each returned release's files and their .sig.
	CheckSignature SignatureChecker
}

// Sentinel errors of Find and Previous, for callers that map them to usage errors.
var (
	ErrNotFound  = errors.New("release not found")
	ErrAmbiguous = errors.New("ambiguous version")
)

// Load lists the releases of the overlay on req.Ref, newest first. Consecutive commits with
// the same image references collapse into the oldest of them, the one that introduced them;
// commits whose files name none of the images (deleted, emptied, unparsable) are skipped.
// The newest release is Current when the ref's files still hold it.
func Load(ctx context.Context, req Request) ([]Release, error) {
	if req.Source == nil {
		return nil, errors.New("history: no source")
	}
	if req.Ref == "" {
		return nil, errors.New("history: no ref")
	}
	if len(req.Paths) == 0 {
		return nil, errors.New("history: no overlay file")
	}
	read := req.ReadImages
	if read == nil {
		read = ReadImages
	}
	logPaths := req.Paths
	if req.CheckSignature != nil {
		logPaths = append(append([]string(nil), req.Paths...), sigPaths(req.Paths)...)
	}

	// The releases asked for, plus the one before them, usually lie within the newest
	// 2*Limit+2 commits; when they do not, read a longer stretch of history.
	n := 0
	if req.Limit > 0 {
		n = 2*req.Limit + 2
	}
	objects := map[string]string{} // "commit:path" -> the object name to read it by
	blobs := map[string][]byte{}   // object name -> content
	states := map[string]state{}
	// files returns the content of path at commit.
	files := func(commit, path string) ([]byte, bool) {
		name, ok := objects[commit+":"+path]
		if !ok {
			return nil, false
		}
		b, ok := blobs[name]
		return b, ok
	}
	for {
		commits, err := req.Source.Log(ctx, req.Ref, logPaths, n)
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", strings.Join(req.Paths, ", "), err)
		}
		specs, fresh := blobSpecs(commits, logPaths, states, objects)
		if len(specs) > 0 {
			got, err := req.Source.ReadBlobs(ctx, specs)
			if err != nil {
				return nil, fmt.Errorf("history of %s: %w", strings.Join(req.Paths, ", "), err)
			}
			maps.Copy(blobs, got)
		}
		for i, st := range statesAt(fresh, req, read, files) {
			states[fresh[i]] = st
		}

		runs := group(commits, states)
		if n == 0 || len(commits) < n || len(runs) > req.Limit {
			if req.Limit > 0 && len(runs) > req.Limit {
				runs = runs[:req.Limit]
			}
			return releases(ctx, runs, req, files), nil
		}
		n *= 4
	}
}

// blobSpecs names the objects to read for the commits not read yet, and records in objects
// how to find each commit's files. A file is read by blob id when the log gave one, either
// at this commit or at an older listed commit (no commit in between changed it); otherwise
// by commit:path.
func blobSpecs(commits []Commit, paths []string, states map[string]state, objects map[string]string) (specs, fresh []string) {
	known := map[string]string{} // path -> blob id at the commit being walked; "" absent
	wanted := map[string]bool{}
	for i := len(commits) - 1; i >= 0; i-- { // oldest first, so that ids carry forward
		c := commits[i]
		_, done := states[c.SHA]
		if !done {
			states[c.SHA] = state{}
			fresh = append(fresh, c.SHA)
		}
		for _, p := range paths {
			id, changed := c.Blobs[p]
			if !changed {
				id, changed = known[p]
			}
			if !changed && c.Blobs != nil && len(c.Parents) == 0 {
				id, changed = "", true // a root commit lists every file it has
			}
			if c.Blobs == nil || !changed {
				id = c.SHA + ":" + p
				delete(known, p)
			} else {
				known[p] = id
			}
			if done || id == "" {
				continue
			}
			objects[c.SHA+":"+p] = id
			if !wanted[id] {
				wanted[id] = true
				specs = append(specs, id)
			}
		}
	}
	return specs, fresh
}

// state is what the overlay files said about the service's images at one commit.
type state struct {
	refs  []ImageRef
	files []string // the paths the refs came from
	key   string
}

// run is a stretch of consecutive commits with the same state.
type run struct {
	state
	newest, oldest Commit
	current        bool
}

func group(commits []Commit, states map[string]state) []run {
	var runs []run
	for i, c := range commits {
		st := states[c.SHA]
		if len(st.refs) == 0 {
			continue
		}
		if len(runs) > 0 && runs[len(runs)-1].key == st.key {
			runs[len(runs)-1].oldest = c
			continue
		}
		runs = append(runs, run{state: st, newest: c, oldest: c, current: i == 0})
	}
	return runs
}

// statesAt parses the files of each commit, on every CPU: YAML parsing is most of Load's
// own time.
func statesAt(shas []string, req Request, read ImageReader, files func(commit, path string) ([]byte, bool)) []state {
	out := make([]state, len(shas))
	workers := min(runtime.GOMAXPROCS(0), len(shas))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(shas); i = int(next.Add(1)) - 1 {
				out[i] = stateAt(shas[i], req, read, files)
			}
		})
	}
	wg.Wait()
	return out
}

func stateAt(sha string, req Request, read ImageReader, files func(commit, path string) ([]byte, bool)) state {
	type found struct {
		ref  ImageRef
		file string
	}
	var all []found
	for _, p := range req.Paths {
		b, ok := files(sha, p)
		if !ok {
			continue
		}
		readFile := read
		if r, ok := req.Readers[p]; ok {
			readFile = r
		}
		refs, err := readFile(b)
		if err != nil {
			continue // a broken file at one commit must not hide the rest of the history
		}
		for _, r := range refs {
			all = append(all, found{r, p})
		}
	}

	var st state
	seen := map[string]bool{}
	add := func(f found) {
		// The first file wins: a kustomization entry overrides a patch's container image.
		if seen[f.ref.Name] {
			return
		}
		seen[f.ref.Name] = true
		st.refs = append(st.refs, f.ref)
		if !slices.Contains(st.files, f.file) {
			st.files = append(st.files, f.file)
		}
	}
	if len(req.Images) == 0 && req.Service != "" {
		for _, f := range all {
			if path.Base(f.ref.Repository()) == req.Service || path.Base(f.ref.Name) == req.Service {
				add(f)
			}
		}
	}
	if len(req.Images) == 0 && len(st.refs) == 0 {
		for _, f := range all {
			add(f)
		}
	}
	for _, img := range req.Images {
		for _, f := range all {
			if f.ref.Name == img || f.ref.NewName == img {
				add(f)
			}
		}
	}
	var key strings.Builder
	for _, r := range st.refs {
		key.WriteString(r.Name + "=" + r.String() + "\n")
	}
	st.key = key.String()
	return st
}

func releases(ctx context.Context, runs []run, req Request, files func(commit, path string) ([]byte, bool)) []Release {
	out := make([]Release, 0, len(runs))
	for _, r := range runs {
		rel := Release{
			Version: r.refs[0].Tag,
			Digest:  r.refs[0].Digest,
			Images:  r.refs,
			Commit:  r.oldest.SHA,
			Date:    r.oldest.Date,
			Author:  r.oldest.AuthorName,
			PR:      PRNumber(r.oldest.Subject, r.oldest.Body),
			Current: r.current,
			Subject: r.oldest.Subject,
		}
		if req.CheckSignature != nil {
			rel.Signed, rel.Signer = checkFiles(ctx, req.CheckSignature, r.newest.SHA, r.files, files)
		}
		out = append(out, rel)
	}
	return out
}

// checkFiles checks the files as they were at the end of the run, so that a later
// `gito sign` of a hand edit counts.
func checkFiles(ctx context.Context, check SignatureChecker, sha string, paths []string, files func(commit, path string) ([]byte, bool)) (bool, string) {
	var signers []string
	for _, p := range paths {
		sig, ok := files(sha, p+".sig")
		if !ok {
			return false, ""
		}
		file, _ := files(sha, p)
		signed, signer := check(ctx, sha, p, file, sig)
		if !signed {
			return false, ""
		}
		if signer != "" && !slices.Contains(signers, signer) {
			signers = append(signers, signer)
		}
	}
	return true, strings.Join(signers, ", ")
}

func sigPaths(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p + ".sig"
	}
	return out
}

var (
	githubMergeRe  = regexp.MustCompile(`^Merge pull request #(\d+) from `)
	githubSquashRe = regexp.MustCompile(`\(#(\d+)\)\s*$`)
	gitlabMergeRe  = regexp.MustCompile(`(?m)^See merge request \S+!(\d+)\s*$`)
)

// PRNumber finds the pull or merge request number in a merge or squash commit message:
// GitHub "Merge pull request #12 from …" and "Title (#12)", GitLab "See merge request g/p!12".
// It returns 0 when there is none.
func PRNumber(subject, body string) int {
	for _, m := range [][]string{
		githubMergeRe.FindStringSubmatch(subject),
		githubSquashRe.FindStringSubmatch(subject),
		gitlabMergeRe.FindStringSubmatch(body),
	} {
		if m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil {
				return n
			}
		}
	}
	return 0
}
