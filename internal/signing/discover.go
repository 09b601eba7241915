package signing

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/gito-dev/gito/internal/gitrepo"
)

// KeySource says where LoadSigner may look for a key.
type KeySource struct {
	// KeyPath is --signing-key; when empty GITO_SIGNING_KEY is read through Getenv.
	KeyPath string
	// Getenv reads GITO_SIGNING_KEY, SSH_AUTH_SOCK and HOME (for "~/").
	Getenv func(string) string
	// GitConfig reads one git config value ("" when unset): user.signingkey, gpg.format,
	// user.email. Nil skips git.
	GitConfig func(ctx context.Context, key string) (string, error)
}

// ErrNoSigningKey means no source offered a key.
var ErrNoSigningKey = errors.New("no signing key: pass --signing-key or set GITO_SIGNING_KEY, set git's user.signingkey with gpg.format=ssh, or add a key to ssh-agent")

// LoadSigner finds the signing key: --signing-key / GITO_SIGNING_KEY, else git's
// user.signingkey when gpg.format is ssh, else the first key of the ssh-agent. gito never
// prompts for a passphrase: an encrypted key must be loaded into ssh-agent.
func LoadSigner(ctx context.Context, src KeySource) (Signer, error) {
	getenv := src.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	gitConfig := func(key string) string {
		if src.GitConfig == nil {
			return ""
		}
		v, err := src.GitConfig(ctx, key)
		if err != nil {
			return ""
		}
		return strings.TrimSpace(v)
	}
	l := keyLoader{sock: getenv("SSH_AUTH_SOCK"), home: getenv("HOME"), email: func() string { return gitConfig("user.email") }}

	if path, from := src.KeyPath, "--signing-key"; path != "" || getenv("GITO_SIGNING_KEY") != "" {
		if path == "" {
			path, from = getenv("GITO_SIGNING_KEY"), "GITO_SIGNING_KEY"
		}
		s, err := l.fromFile(path)
		if err != nil {
			return nil, fmt.Errorf("signing key from %s: %w", from, err)
		}
		return s, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if strings.EqualFold(gitConfig("gpg.format"), "ssh") {
		if key := gitConfig("user.signingkey"); key != "" {
			s, err := l.fromGitSigningKey(key)
			if err != nil {
				return nil, fmt.Errorf("signing key from git config user.signingkey: %w", err)
			}
			return s, nil
		}
	}
	if l.sock == "" {
		return nil, ErrNoSigningKey
	}
	keys, err := l.agentKeys()
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrNoSigningKey, err)
	}
	if len(keys) == 0 {
		return nil, ErrNoSigningKey
	}
	return l.agentSigner(keys[0]), nil
}

type keyLoader struct {
	sock  string
	home  string
	email func() string
}

// fromGitSigningKey follows git: "key::<public key>" (or a bare public key, the older
// spelling) names a key held by the agent; anything else is a path.
func (l keyLoader) fromGitSigningKey(v string) (Signer, error) {
	literal, isLiteral := strings.CutPrefix(v, "key::")
	if !isLiteral && (strings.HasPrefix(v, "ssh-") || strings.HasPrefix(v, "ecdsa-") || strings.HasPrefix(v, "sk-")) {
		literal, isLiteral = v, true
	}
	if !isLiteral {
		return l.fromFile(v)
	}
	pub, comment, _, _, err := ssh.ParseAuthorizedKey([]byte(literal))
	if err != nil {
		return nil, fmt.Errorf("parse key literal: %w", err)
	}
	s, err := l.fromAgent(pub, comment)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, fmt.Errorf("ssh-agent holds no private key for %s %s: ssh-add it", pub.Type(), ssh.FingerprintSHA256(pub))
	}
	return s, nil
}

// fromFile loads a private key, a public key whose private half is in the agent (as git's
// user.signingkey often is), or "<key>-cert.pub" to sign with a certificate.
func (l keyLoader) fromFile(path string) (Signer, error) {
	if rest, ok := strings.CutPrefix(path, "~/"); ok && l.home != "" {
		path = filepath.Join(l.home, rest)
	}
	if keyPath, ok := strings.CutSuffix(path, "-cert.pub"); ok {
		return l.fromCertificate(path, keyPath)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if pub, comment, _, _, err := ssh.ParseAuthorizedKey(data); err == nil {
		s, agentErr := l.fromAgent(pub, comment)
		if s != nil {
			return s, nil
		}
		if priv, ok := strings.CutSuffix(path, ".pub"); ok {
			if s, err := l.fromFile(priv); err == nil {
				return s, nil
			}
		}
		if agentErr != nil {
			return nil, fmt.Errorf("%s is a public key and its private key is not usable: %w", path, agentErr)
		}
		return nil, fmt.Errorf("%s is a public key and ssh-agent holds no matching private key: ssh-add it", path)
	}
	raw, err := ssh.ParseRawPrivateKey(data)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		pub := missing.PublicKey
		comment := ""
		if p, c, err := readPublicKey(path + ".pub"); err == nil {
			pub, comment = p, c
		}
		if pub == nil {
			return nil, fmt.Errorf("%s is encrypted and %s.pub is missing: add the key to ssh-agent", path, path)
		}
		s, err := l.fromAgent(pub, comment)
		if err != nil {
			return nil, err
		}
		if s == nil {
			return nil, fmt.Errorf("%s is encrypted and gito does not ask for passphrases: run `ssh-add %s` first", path, path)
		}
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	signer, err := ssh.NewSignerFromKey(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	_, comment, _ := readPublicKey(path + ".pub")
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &sshSigner{signer: signer, principal: l.principal(comment), gitKey: abs}, nil
}

func (l keyLoader) fromCertificate(certPath, keyPath string) (Signer, error) {
	pub, _, err := readPublicKey(certPath)
	if err != nil {
		return nil, err
	}
	cert, ok := pub.(*ssh.Certificate)
	if !ok {
		return nil, fmt.Errorf("%s is not an SSH certificate", certPath)
	}
	inner, err := l.fromFile(keyPath)
	if err != nil {
		return nil, err
	}
	base, ok := inner.(*sshSigner)
	if !ok {
		return nil, fmt.Errorf("%s: unexpected signer", keyPath)
	}
	certSigner, err := ssh.NewCertSigner(cert, base.signer)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", certPath, err)
	}
	principal := base.principal
	if len(cert.ValidPrincipals) > 0 {
		principal = cert.ValidPrincipals[0]
	}
	abs, err := filepath.Abs(certPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", certPath, err)
	}
	return &sshSigner{signer: certSigner, principal: principal, gitKey: abs}, nil
}

// fromAgent returns the agent's key equal to pub, or nil, nil when the agent lacks it.
func (l keyLoader) fromAgent(pub ssh.PublicKey, comment string) (Signer, error) {
	if l.sock == "" {
		return nil, nil
	}
	keys, err := l.agentKeys()
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if sameKey(k, pub) {
			if comment == "" {
				comment = k.Comment
			}
			k.Comment = comment
			return l.agentSigner(k), nil
		}
	}
	return nil, nil
}

func (l keyLoader) agentKeys() ([]*agent.Key, error) {
	conn, err := net.DialTimeout("unix", l.sock, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("connect to ssh-agent at SSH_AUTH_SOCK: %w", err)
	}
	defer conn.Close()
	keys, err := agent.NewClient(conn).List()
	if err != nil {
		return nil, fmt.Errorf("list ssh-agent keys: %w", err)
	}
	return keys, nil
}

func (l keyLoader) agentSigner(k *agent.Key) Signer {
	pub, err := ssh.ParsePublicKey(k.Marshal())
	if err != nil {
		pub = k
	}
	return NewSigner(&agentSigner{sock: l.sock, key: pub}, l.principal(k.Comment))
}

func (l keyLoader) principal(comment string) string {
	if comment != "" {
		return comment
	}
	return l.email()
}

func readPublicKey(path string) (ssh.PublicKey, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	pub, comment, _, _, err := ssh.ParseAuthorizedKey(data)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return pub, comment, nil
}

// GitConfigReader returns a KeySource.GitConfig that reads git config as git in dir sees it,
// so a repository's local config counts. An unset key is "", not an error.
func GitConfigReader(dir string) func(ctx context.Context, key string) (string, error) {
	return func(ctx context.Context, key string) (string, error) {
		return gitrepo.ConfigValue(ctx, dir, key)
	}
}
