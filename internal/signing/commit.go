package signing

import (
	"bytes"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// commitNamespace is the SSHSIG namespace git signs commits in.
const commitNamespace = "git"

// splitCommitSignature separates a raw commit object into what git signed (the object
// without its gpgsig header) and the armored signature; ok is false for an unsigned commit.
func splitCommitSignature(raw []byte) (payload, armored []byte, ok bool) {
	header, _, found := bytes.Cut(raw, []byte("\n\n"))
	if !found {
		header = raw
	}
	lines := bytes.SplitAfter(raw[:len(header)+1], []byte("\n"))
	var sig, kept bytes.Buffer
	in := false
	for _, l := range lines {
		switch {
		case bytes.HasPrefix(l, []byte("gpgsig ")) || bytes.HasPrefix(l, []byte("gpgsig-sha256 ")):
			in, ok = true, true
			sig.Write(l[bytes.IndexByte(l, ' ')+1:])
		case in && bytes.HasPrefix(l, []byte(" ")):
			sig.Write(l[1:])
		default:
			in = false
			kept.Write(l)
		}
	}
	if !ok {
		return nil, nil, false
	}
	kept.Write(raw[len(header)+1:])
	return kept.Bytes(), sig.Bytes(), true
}

// VerifyCommit checks a raw commit object's SSH signature (namespace git) and that the
// allowed signers trust its key, for git commits or for gito's files: a key trusted to sign
// gito's files is trusted to sign the commits that carry them. path names the commit in
// the result.
func VerifyCommit(path string, raw []byte, allowed *AllowedSigners, now time.Time) Result {
	res := Result{Path: path}
	payload, armored, ok := splitCommitSignature(raw)
	if !ok {
		return res.fail(StatusUnsigned, "the commit is not signed")
	}
	sig, err := unarmor(armored)
	if err != nil {
		return res.fail(StatusMalformed, "commit signature: %v (only SSH signatures are checked)", err)
	}
	key := sig.PublicKey
	if cert, ok := key.(*ssh.Certificate); ok {
		key = cert.Key
	}
	res.Fingerprint = ssh.FingerprintSHA256(key)
	if sig.Namespace != commitNamespace {
		return res.fail(StatusTampered, "commit signature was made for %s, not %s", sig.Namespace, commitNamespace)
	}
	if err := sshsig.Verify(bytes.NewReader(payload), sig, sig.PublicKey, sig.HashAlgorithm, commitNamespace); err != nil {
		return res.fail(StatusTampered, "commit signature does not match the commit")
	}
	if allowed == nil {
		return res.fail(StatusUnknownKey, "key %s: no allowed signers to check it against", res.Fingerprint)
	}
	principal, status, msg := allowed.authorize(sig.PublicKey, commitNamespace, now)
	if status != StatusOK {
		principal, status, msg = allowed.authorize(sig.PublicKey, Namespace(".gito/commit"), now)
	}
	res.Principal = principal
	if status != StatusOK {
		return res.fail(status, "%s", msg)
	}
	res.Status = StatusOK
	return res
}
