// Package render builds a kustomization the way `kustomize build` does, in process, while
// checking every file the build reads: the overlay and each base, component, patch and
// generator input it pulls in, found by the build itself rather than guessed from YAML.
// It backs `gito generate` (verify each file's signature before krusty parses it) and
// `gito sign --render` (list the files to sign).
package render

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/gito-dev/gito/internal/overlay"
	"github.com/gito-dev/gito/internal/repofs"
	"github.com/gito-dev/gito/internal/signing"
)

// Request says what to render and how strictly.
type Request struct {
	// Root is the repository root (absolute, symlinks resolved): signature namespaces are
	// paths relative to it, and nothing outside it is read.
	Root string
	// Dir is the kustomization directory, absolute.
	Dir string
	// AllowedSigners are the keys trusted to sign; nil trusts none.
	AllowedSigners *signing.AllowedSigners
	// AllowUnsigned serves files without a .sig (adoption); tampered or foreign signatures
	// still fail. Each unsigned file is reported through Warn.
	AllowUnsigned bool
	// Now is the verification time for key validity windows; zero means time.Now.
	Now time.Time
	// Warn receives one line per unsigned file served under AllowUnsigned; nil discards.
	Warn func(string)
}

// Result is a verified render.
type Result struct {
	YAML  []byte           // the manifests, exactly as `kustomize build` prints them
	Files []signing.Result // one per file read, in read order
}

// StatusOutside is the verdict on a file outside the repository (a remote base, a symlink
// that leads out): it has no repo-relative path to bind a signature to.
const StatusOutside signing.Status = "outside-repository"

// Refused is the error of a render that read a file that did not verify. Nothing was
// rendered; Failures name each file and its reason.
type Refused struct {
	Failures []signing.Result
}

func (e *Refused) Error() string {
	if len(e.Failures) == 1 {
		f := e.Failures[0]
		return fmt.Sprintf("%s %s: refusing to render", f.Path, f.Status)
	}
	return fmt.Sprintf("%d files failed signature verification: refusing to render", len(e.Failures))
}

// Verified renders req.Dir, verifying each file against its .sig the moment krusty reads it:
// a file that fails is never handed to krusty, and the whole render fails with *Refused.
func Verified(ctx context.Context, req Request) (*Result, error) {
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	var results []signing.Result
	var failures []signing.Result
	var fsys *repofs.FS
	check := func(rel string, data []byte) ([]byte, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res := verifyOne(fsys, req.AllowedSigners, rel, data, now)
		results = append(results, res)
		if res.OK() {
			return data, nil
		}
		if res.Status == signing.StatusUnsigned && req.AllowUnsigned {
			if req.Warn != nil {
				req.Warn(fmt.Sprintf("warning: %s is unsigned; rendered because of --allow-unsigned (sign it with gito sign --render)", rel))
			}
			return data, nil
		}
		failures = append(failures, res)
		return nil, &Refused{Failures: []signing.Result{res}}
	}
	fsys, err := repofs.Open(req.Root, check)
	if err != nil {
		return nil, err
	}
	defer fsys.Close()
	out, err := build(fsys, req.Dir)
	for _, refusal := range fsys.Refused() {
		var outside *repofs.OutsideError
		switch {
		case errors.As(refusal, &outside) && outside.Remote != "":
			failures = append(failures, signing.Result{Path: outside.Path, Status: StatusOutside,
				Message: "a remote resource named by " + outside.Remote + ", outside the repository: only files in it can be signed and verified (nothing was fetched)"})
		case errors.As(refusal, &outside):
			failures = append(failures, signing.Result{Path: outside.Path, Status: StatusOutside, Message: refusal.Error() + ": only files in it can be signed and verified"})
		case len(failures) == 0:
			return nil, refusal // a special, oversized or alias-bomb file: one line naming it
		}
	}
	if len(failures) > 0 {
		return nil, &Refused{Failures: failures}
	}
	if err != nil {
		return nil, err
	}
	return &Result{YAML: out, Files: results}, nil
}

// verifyOne checks data, the bytes at rel, against rel.sig with the one verifier gito has.
func verifyOne(fsys *repofs.FS, allowed *signing.AllowedSigners, rel string, data []byte, now time.Time) signing.Result {
	sig, err := fsys.ReadDisk(signing.SigPath(rel))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return signing.Result{Path: rel, Status: signing.StatusUnsigned, Message: "no signature file " + signing.SigPath(rel)}
	case err != nil:
		return signing.Result{Path: rel, Status: signing.StatusMalformed, Message: err.Error()}
	}
	return signing.VerifyBytes(rel, data, sig, allowed, now)
}

// Reads renders dir without verifying anything and returns the repo-relative files the
// render read, in read order: what `gito sign --render` signs.
func Reads(ctx context.Context, root, dir string) ([]string, error) {
	fsys, err := repofs.Open(root, func(_ string, data []byte) ([]byte, error) { return data, ctx.Err() })
	if err != nil {
		return nil, err
	}
	defer fsys.Close()
	_, err = build(fsys, dir)
	for _, refusal := range fsys.Refused() {
		if errors.Is(refusal, repofs.ErrOutside) {
			return nil, fmt.Errorf("%w, outside the repository: only files in it can be signed", refusal)
		}
		return nil, refusal
	}
	if err != nil {
		return nil, err
	}
	return fsys.Read(), nil
}

// build renders dir through fsys and returns the manifests.
func build(fsys *repofs.FS, dir string) ([]byte, error) {
	m, err := overlay.Kustomize(fsys, dir)
	if err != nil {
		return nil, renderError(fsys.Dir(), err)
	}
	// Counted before printing: printing is what would take the memory.
	if err := overlay.CheckRenderSize(relDir(fsys, dir), m.Size(), 0); err != nil {
		return nil, err
	}
	out, err := m.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("print manifests: %w", err)
	}
	if err := overlay.CheckRenderSize(relDir(fsys, dir), 0, len(out)); err != nil {
		return nil, err
	}
	return out, nil
}

func relDir(fsys *repofs.FS, dir string) string {
	if rel, err := fsys.Rel(dir); err == nil {
		return rel
	}
	return dir
}

// renderError keeps kustomize's words, with repo-relative paths and on one line.
func renderError(root string, err error) error {
	var refused *Refused
	if errors.As(err, &refused) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := strings.ReplaceAll(err.Error(), root+string(filepath.Separator), "")
	msg = strings.ReplaceAll(msg, root, ".")
	return fmt.Errorf("kustomize build: %s", strings.Join(strings.Fields(msg), " "))
}
