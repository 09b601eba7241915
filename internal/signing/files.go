package signing

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/gito-dev/gito/internal/regularfile"
)

// Namespace is the SSHSIG namespace binding a signature to a repo-relative path.
func Namespace(relPath string) string { return "gito:" + relPath }

// SigPath is where the signature of relPath lives.
func SigPath(relPath string) string { return relPath + ".sig" }

// checkRelPath refuses paths that are not clean, relative, slash-separated and inside the repo:
// the namespace must name exactly one file.
func checkRelPath(p string) error {
	switch {
	case p == "" || p == ".":
		return errors.New("empty path")
	case strings.HasPrefix(p, "/") || strings.Contains(p, `\`):
		return fmt.Errorf("path %q must be repo-relative with forward slashes", p)
	case path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../"):
		return fmt.Errorf("path %q must be clean and inside the repository", p)
	}
	return nil
}

// SignBytes signs data as the content of the file at relPath and returns the armored
// signature to store at SigPath(relPath).
func SignBytes(relPath string, data []byte, s Signer) ([]byte, error) {
	if err := checkRelPath(relPath); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	sig, err := s.Sign(data, Namespace(relPath))
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", relPath, err)
	}
	return sig, nil
}

// SignFile signs root/relPath and writes root/relPath.sig. It returns the signature's
// repo-relative path, ready for `git add`.
func SignFile(root, relPath string, s Signer) (sigPath string, err error) {
	if err := checkRelPath(relPath); err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return "", fmt.Errorf("sign %s: %w", relPath, err)
	}
	defer r.Close()
	data, err := regularfile.ReadIn(r, relPath)
	if err != nil {
		return "", fmt.Errorf("sign %s: %w", relPath, err)
	}
	sig, err := SignBytes(relPath, data, s)
	if err != nil {
		return "", err
	}
	sigPath = SigPath(relPath)
	if err := r.WriteFile(sigPath, sig, 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", sigPath, err)
	}
	return sigPath, nil
}
