package signing

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// Signer makes SSHSIG signatures.
type Signer interface {
	// Sign returns the armored signature (the `ssh-keygen -Y sign` format, sha512) of data.
	Sign(data []byte, namespace string) ([]byte, error)
	PublicKey() ssh.PublicKey
	// Fingerprint is "SHA256:…" of the key (of the certified key for a certificate).
	Fingerprint() string
	// Principal is a best-effort name for the signer: the key comment or git's user.email.
	Principal() string
	// GitSigningKey is what git's user.signingkey (with gpg.format=ssh) must say to sign a
	// commit with this same key: a key file's path, or "key::<public key>" for an agent key.
	GitSigningKey() string
}

// NewSigner wraps an ssh.Signer (a key, a certificate signer, an agent key) as a Signer.
func NewSigner(s ssh.Signer, principal string) Signer {
	return &sshSigner{signer: s, principal: principal}
}

type sshSigner struct {
	signer    ssh.Signer
	principal string
	gitKey    string // "" until the loader says where the key lives
}

func (s *sshSigner) Sign(data []byte, namespace string) ([]byte, error) {
	sig, err := sshsig.Sign(bytes.NewReader(data), s.signer, sshsig.HashSHA512, namespace)
	if err != nil {
		return nil, err
	}
	return armor(sig), nil
}

func (s *sshSigner) PublicKey() ssh.PublicKey { return s.signer.PublicKey() }

func (s *sshSigner) Fingerprint() string {
	key := s.signer.PublicKey()
	if cert, ok := key.(*ssh.Certificate); ok {
		key = cert.Key
	}
	return ssh.FingerprintSHA256(key)
}

func (s *sshSigner) Principal() string { return s.principal }

func (s *sshSigner) GitSigningKey() string {
	if s.gitKey != "" {
		return s.gitKey
	}
	return "key::" + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.PublicKey())))
}

// agentSigner signs with one key held by the ssh-agent at sock. It dials per signature, so
// nothing needs closing and a long-lived Signer survives an agent restart.
type agentSigner struct {
	sock string
	key  ssh.PublicKey
}

func (a *agentSigner) PublicKey() ssh.PublicKey { return a.key }

func (a *agentSigner) Sign(rand io.Reader, data []byte) (*ssh.Signature, error) {
	return a.SignWithAlgorithm(rand, data, "")
}

// SignWithAlgorithm lets sshsig ask for rsa-sha2-512, which OpenSSH requires for RSA.
func (a *agentSigner) SignWithAlgorithm(_ io.Reader, data []byte, algorithm string) (*ssh.Signature, error) {
	var flags agent.SignatureFlags
	switch algorithm {
	case ssh.KeyAlgoRSASHA256:
		flags = agent.SignatureFlagRsaSha256
	case ssh.KeyAlgoRSASHA512:
		flags = agent.SignatureFlagRsaSha512
	}
	conn, err := net.DialTimeout("unix", a.sock, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("connect to ssh-agent: %w", err)
	}
	defer conn.Close()
	sig, err := agent.NewClient(conn).SignWithFlags(a.key, data, flags)
	if err != nil {
		return nil, fmt.Errorf("ssh-agent: %w", err)
	}
	return sig, nil
}
