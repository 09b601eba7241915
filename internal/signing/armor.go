package signing

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/hiddeco/sshsig"
)

const (
	armorBegin = "-----BEGIN SSH SIGNATURE-----"
	armorEnd   = "-----END SSH SIGNATURE-----"
	// armorWidth is the line width ssh-keygen uses, so gito's .sig files are byte-identical
	// to ssh-keygen's for deterministic key types (ed25519).
	armorWidth = 70
)

// armor encodes a signature exactly as `ssh-keygen -Y sign` writes it.
func armor(sig *sshsig.Signature) []byte {
	body := base64.StdEncoding.EncodeToString(sig.Marshal())
	var b bytes.Buffer
	b.WriteString(armorBegin + "\n")
	for len(body) > armorWidth {
		b.WriteString(body[:armorWidth] + "\n")
		body = body[armorWidth:]
	}
	b.WriteString(body + "\n")
	b.WriteString(armorEnd + "\n")
	return b.Bytes()
}

// errEmptySignature distinguishes an empty .sig (a failed or interrupted write) from garbage.
var errEmptySignature = errors.New("signature file is empty")

// unarmor decodes an armored SSH signature. Like OpenSSH it needs the BEGIN line first and an
// END line; what follows END is ignored.
func unarmor(data []byte) (*sshsig.Signature, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errEmptySignature
	}
	rest, ok := bytes.CutPrefix(trimmed, []byte(armorBegin))
	if !ok {
		return nil, fmt.Errorf("missing %q line", armorBegin)
	}
	body, _, ok := bytes.Cut(rest, []byte(armorEnd))
	if !ok {
		return nil, fmt.Errorf("missing %q line (truncated?)", armorEnd)
	}
	raw, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(body), nil)))
	if err != nil {
		return nil, fmt.Errorf("bad base64: %w", err)
	}
	sig, err := sshsig.ParseSignature(raw)
	if err != nil {
		return nil, fmt.Errorf("bad signature blob: %w", err)
	}
	return sig, nil
}
