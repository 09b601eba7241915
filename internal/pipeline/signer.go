package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/release"
	"github.com/gito-dev/gito/internal/signing"
	"github.com/gito-dev/gito/internal/workspace"
)

// loadSigner finds the key that signs the edited files. No key is fine unless the user named
// one or the repo requires signatures; then it is an error before anything is written.
func loadSigner(ctx context.Context, req Request, ws *workspace.Workspace) (*fileSigner, error) {
	keyPath := req.SigningKey // --signing-key, else GITO_SIGNING_KEY (set by Validate)
	if keyPath == "" {
		keyPath = ws.User.SigningKey
	}
	s, err := signing.LoadSigner(ctx, signing.KeySource{
		KeyPath: keyPath, Getenv: req.Getenv, GitConfig: signing.GitConfigReader(ws.Root()),
	})
	switch {
	case err == nil:
		return &fileSigner{s}, nil
	case !errors.Is(err, signing.ErrNoSigningKey):
		return nil, err
	case ws.Config.Signing.Required:
		return nil, fmt.Errorf("%s requires signed files (signing.required): %w", config.FileName, err)
	default:
		return nil, nil // Run warns once it knows there is something to sign
	}
}

// fileSigner adapts a signing.Signer to release.Signer.
type fileSigner struct{ s signing.Signer }

func (f *fileSigner) SignFile(relPath string, data []byte) ([]byte, error) {
	return signing.SignBytes(relPath, data, f.s)
}

func (f *fileSigner) Identity() string {
	if p := f.s.Principal(); p != "" {
		return p + " (" + f.s.Fingerprint() + ")"
	}
	return f.s.Fingerprint()
}

// planSigner is s as the plan sees it: a nil interface, not a nil pointer, when unsigned.
func (s *fileSigner) planSigner() release.Signer {
	if s == nil {
		return nil
	}
	return s
}
