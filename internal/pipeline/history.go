package pipeline

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/gito-dev/gito/internal/history"
	"github.com/gito-dev/gito/internal/overlay"
	"github.com/gito-dev/gito/internal/signing"
	"github.com/gito-dev/gito/internal/workspace"
)

// LoadHistory lists the releases of one overlay on the workspace's base branch, newest
// first, with each one's signature checked against today's allowed signers.
func LoadHistory(ctx context.Context, ws *workspace.Workspace, service, env string, limit int) ([]history.Release, error) {
	req, err := historyFiles(ctx, ws, service, env)
	if err != nil {
		return nil, err
	}
	check, err := signatureChecker(ws)
	if err != nil {
		return nil, err
	}
	req.Source, req.Ref, req.Limit, req.CheckSignature = ws.HistorySource(), ws.BaseSHA, limit, check
	return history.Load(ctx, req)
}

// overlayFiles are the kustomization file first, then the overlay's other YAML files (a patch
// may be where the image is set); signatures are read beside them by history.
func overlayFiles(root string, ov *overlay.Overlay) ([]string, error) {
	files := []string{ov.KustomizationFile}
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(ov.Dir)))
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := e.Name()
		p := path.Join(ov.Dir, name)
		if e.IsDir() || p == ov.KustomizationFile || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
			continue
		}
		files = append(files, p)
	}
	return files, nil
}

// signatureChecker verifies historical files against the base branch's allowed signers; a
// repo without that file reports every release as unsigned.
func signatureChecker(ws *workspace.Workspace) (history.SignatureChecker, error) {
	rel := ws.Config.AllowedSignersPath()
	allowed, err := signing.LoadAllowedSigners(ws.Abs(rel), rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := time.Now()
	return func(_ context.Context, _ string, p string, file, sig []byte) (bool, string) {
		r := signing.VerifyBytes(p, file, sig, allowed, now)
		return r.OK(), r.Principal
	}, nil
}
