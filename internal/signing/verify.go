package signing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/gito-dev/gito/internal/regularfile"
)

// Status is the outcome of verifying one file.
type Status string

const (
	StatusOK         Status = "ok"
	StatusUnsigned   Status = "unsigned"    // no <file>.sig
	StatusTampered   Status = "tampered"    // signature does not cover these bytes at this path
	StatusUnknownKey Status = "unknown-key" // valid signature by a key not in allowed signers
	StatusNotAllowed Status = "not-allowed" // key known, but its namespaces/principals exclude this path
	StatusExpired    Status = "expired"     // key or certificate outside its validity window
	StatusMalformed  Status = "malformed"   // .sig unreadable: empty, truncated, bad armor
)

// Result is the verdict for one file. Field names are part of `gito verify --json`.
type Result struct {
	Path        string `json:"path"`
	Status      Status `json:"status"`
	Principal   string `json:"principal"`
	Fingerprint string `json:"fingerprint"`
	Message     string `json:"message"`
}

// OK reports whether the file verified.
func (r Result) OK() bool { return r.Status == StatusOK }

// VerifyRequest names one file to verify.
type VerifyRequest struct {
	// Root is the repository root; Path is relative to it, with slashes.
	Root           string
	Path           string
	AllowedSigners *AllowedSigners
	// Now is the verification time for validity windows (OpenSSH's verify-time).
	Now time.Time
}

// Verify checks Root/Path against Root/Path.sig. Files are read through os.Root, so a
// symlink cannot make gito read outside the repository.
func Verify(ctx context.Context, req VerifyRequest) Result {
	res := Result{Path: req.Path}
	if err := ctx.Err(); err != nil {
		return res.fail(StatusMalformed, "not verified: %v", err)
	}
	if err := checkRelPath(req.Path); err != nil {
		return res.fail(StatusMalformed, "%v", err)
	}
	root, err := os.OpenRoot(req.Root)
	if err != nil {
		return res.fail(StatusMalformed, "open repository root: %v", err)
	}
	defer root.Close()
	data, err := regularfile.ReadIn(root, req.Path)
	if err != nil {
		return res.fail(StatusMalformed, "read file: %v", err)
	}
	sig, err := regularfile.ReadIn(root, SigPath(req.Path))
	if errors.Is(err, fs.ErrNotExist) {
		return res.fail(StatusUnsigned, "no signature file %s", SigPath(req.Path))
	}
	if err != nil {
		return res.fail(StatusMalformed, "read %s: %v", SigPath(req.Path), err)
	}
	return VerifyBytes(req.Path, data, sig, req.AllowedSigners, req.Now)
}

// VerifyBytes checks an armored signature over data as the file at relPath; for callers that
// already hold the bytes (a release before it writes, a hook reading objects from git).
func VerifyBytes(relPath string, data, armored []byte, allowed *AllowedSigners, now time.Time) Result {
	res := Result{Path: relPath}
	if err := checkRelPath(relPath); err != nil {
		return res.fail(StatusMalformed, "%v", err)
	}
	sig, err := unarmor(armored)
	if err != nil {
		return res.fail(StatusMalformed, "%s: %v", SigPath(relPath), err)
	}
	signingKey := sig.PublicKey
	if cert, ok := signingKey.(*ssh.Certificate); ok {
		signingKey = cert.Key
	}
	res.Fingerprint = ssh.FingerprintSHA256(signingKey)

	want := Namespace(relPath)
	if sig.Namespace != want {
		return res.fail(StatusTampered, "signature was made for %s, not %s (moved or copied from another path)", sig.Namespace, want)
	}
	if err := sshsig.Verify(bytes.NewReader(data), sig, sig.PublicKey, sig.HashAlgorithm, want); err != nil {
		return res.fail(StatusTampered, "signature does not match the file's content (edited after signing? re-sign with gito sign)")
	}
	if allowed == nil {
		return res.fail(StatusUnknownKey, "key %s: no allowed signers to check it against", res.Fingerprint)
	}
	principal, status, msg := allowed.authorize(sig.PublicKey, want, now)
	res.Principal = principal
	if status != StatusOK {
		return res.fail(status, "%s", msg)
	}
	res.Status = StatusOK
	return res
}

func (r Result) fail(s Status, format string, args ...any) Result {
	r.Status = s
	r.Message = fmt.Sprintf(format, args...)
	return r
}

// authorize finds an allowed-signers line that accepts key for namespace at now, the way
// `ssh-keygen -Y verify` does. When none does, the most specific reason wins: a window
// problem on a line whose namespaces fit beats a namespace refusal, which beats an unknown key.
func (a *AllowedSigners) authorize(key ssh.PublicKey, namespace string, now time.Time) (principal string, status Status, msg string) {
	now = now.Truncate(time.Second) // OpenSSH compares whole seconds
	status, msg = StatusUnknownKey, fmt.Sprintf("key %s is not in %s", fingerprintOf(key), a.Name)
	worse := func(s Status, p, m string) {
		if specificity(s) >= specificity(status) {
			principal, status, msg = p, s, m
		}
	}
	keyBlob := key.Marshal()
	for i := range a.Entries {
		e := &a.Entries[i]
		p, s, m := e.admit(key, keyBlob, now, a.Name)
		if s == "" {
			continue // line is about another key
		}
		where := fmt.Sprintf("%s:%d", a.Name, e.Line)
		if s != StatusOK {
			worse(s, p, m)
			continue
		}
		if e.Namespaces != "" && !matchPatternList(namespace, e.Namespaces) {
			worse(StatusNotAllowed, p, fmt.Sprintf("%s allows %s only for namespaces %q, not %s", where, p, e.Namespaces, namespace))
			continue
		}
		if !e.ValidAfter.IsZero() && now.Before(e.ValidAfter) {
			worse(StatusExpired, p, fmt.Sprintf("%s: key of %s is not valid until %s", where, p, e.ValidAfter.Format(time.RFC3339)))
			continue
		}
		if !e.ValidBefore.IsZero() && now.After(e.ValidBefore) {
			worse(StatusExpired, p, fmt.Sprintf("%s: key of %s expired at %s", where, p, e.ValidBefore.Format(time.RFC3339)))
			continue
		}
		return p, StatusOK, ""
	}
	return principal, status, msg
}

// specificity orders refusals: the more a line otherwise fitted, the more its reason says.
func specificity(s Status) int {
	switch s {
	case StatusNotAllowed:
		return 1
	case StatusTampered:
		return 2
	case StatusExpired:
		return 3
	}
	return 0
}

// admit decides whether this line speaks for key: "" when it is about another key, else the
// principal(s) it grants and StatusOK or the reason a certificate is refused.
func (e *AllowedSigner) admit(key ssh.PublicKey, keyBlob []byte, now time.Time, file string) (string, Status, string) {
	if !e.CertAuthority {
		if bytes.Equal(keyBlob, e.keyBlob()) {
			return e.Principals, StatusOK, ""
		}
		return "", "", ""
	}
	cert, ok := key.(*ssh.Certificate)
	if !ok || !bytes.Equal(cert.SignatureKey.Marshal(), e.keyBlob()) {
		return "", "", ""
	}
	where := fmt.Sprintf("%s:%d", file, e.Line)
	if cert.CertType != ssh.UserCert {
		return "", StatusNotAllowed, where + ": certificate is not a user certificate"
	}
	var granted []string
	for _, p := range cert.ValidPrincipals {
		if matchPatternList(p, e.Principals) {
			granted = append(granted, p)
		}
	}
	if len(granted) == 0 {
		return "", StatusNotAllowed, fmt.Sprintf("%s: certificate principals %q do not match %q", where, cert.ValidPrincipals, e.Principals)
	}
	checker := ssh.CertChecker{
		Clock: func() time.Time { return now },
		// sshsig ignores login restrictions; OpenSSH does not refuse them either.
		SupportedCriticalOptions: []string{"force-command", "verify-required"},
	}
	if err := checker.CheckCert(granted[0], cert); err != nil {
		msg := strings.TrimPrefix(err.Error(), "ssh: ")
		switch {
		case strings.Contains(msg, "not yet valid"), strings.Contains(msg, "expired"):
			return strings.Join(granted, ","), StatusExpired, fmt.Sprintf("%s: %s (certificate %q)", where, msg, cert.KeyId)
		case strings.Contains(msg, "signature"):
			return strings.Join(granted, ","), StatusTampered, fmt.Sprintf("%s: certificate %q: %s", where, cert.KeyId, msg)
		default:
			return strings.Join(granted, ","), StatusNotAllowed, fmt.Sprintf("%s: certificate %q: %s", where, cert.KeyId, msg)
		}
	}
	return strings.Join(granted, ","), StatusOK, ""
}

func fingerprintOf(key ssh.PublicKey) string {
	if cert, ok := key.(*ssh.Certificate); ok {
		return "certificate of " + ssh.FingerprintSHA256(cert.Key)
	}
	return ssh.FingerprintSHA256(key)
}
