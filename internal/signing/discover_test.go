package signing

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/gito-dev/gito/internal/testutil"
)

// startAgent runs a real ssh-agent on a fresh socket. `ssh-agent -s` binds the socket before
// it forks and exits, so the socket is ready when Run returns: no polling needed.
func startAgent(t *testing.T) string {
	t.Helper()
	testutil.RequireTools(t, "ssh-agent", "ssh-add")
	dir, err := os.MkdirTemp("", "gito-agent") // short: unix socket paths are limited to ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "agent.sock")
	out := run(t, dir, nil, "ssh-agent", "-s", "-a", sock)
	m := regexp.MustCompile(`SSH_AGENT_PID=(\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no SSH_AGENT_PID in %q", out)
	}
	pid, _ := strconv.Atoi(m[1])
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGTERM) })
	return sock
}

// sshAdd loads a key into the agent; passphrase is answered through SSH_ASKPASS.
func sshAdd(t *testing.T, sock, key, passphrase string) {
	t.Helper()
	env := []string{"SSH_AUTH_SOCK=" + sock}
	if passphrase != "" {
		askpass := filepath.Join(t.TempDir(), "askpass")
		if err := os.WriteFile(askpass, []byte("#!/bin/sh\necho '"+passphrase+"'\n"), 0o700); err != nil {
			t.Fatal(err)
		}
		env = append(env, "SSH_ASKPASS="+askpass, "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0")
	}
	run(t, "", env, "ssh-add", key)
}

func signAndCheckWithSSHKeygen(t *testing.T, s Signer, key, principal string) {
	t.Helper()
	root := t.TempDir()
	rel := "overlays/prod/api/kustomization.yaml"
	testutil.WriteFile(t, root, rel, kustomization)
	testutil.WriteFile(t, root, "allowed_signers", principal+" "+publicKeyLine(t, key)+"\n")
	if _, err := SignFile(root, rel, s); err != nil {
		t.Fatal(err)
	}
	if out, err := sshKeygenVerify(root, filepath.Join(root, "allowed_signers"), principal, rel); err != nil {
		t.Fatalf("ssh-keygen refused: %v\n%s", err, out)
	}
	if got, want := s.Fingerprint(), fingerprint(t, key); got != want {
		t.Errorf("Fingerprint() = %s, want %s", got, want)
	}
}

func TestAgentFirstKeySignsForSSHKeygen(t *testing.T) {
	t.Parallel()
	for _, kt := range []string{"ed25519", "rsa", "ecdsa"} {
		t.Run(kt, func(t *testing.T) {
			t.Parallel()
			sock := startAgent(t)
			key := genKey(t, t.TempDir(), kt, "agent-"+kt+"@example.com")
			sshAdd(t, sock, key, "")
			s, err := LoadSigner(context.Background(), KeySource{Getenv: envMap(map[string]string{"SSH_AUTH_SOCK": sock})})
			if err != nil {
				t.Fatal(err)
			}
			if s.Principal() != "agent-"+kt+"@example.com" {
				t.Errorf("Principal() = %q", s.Principal())
			}
			signAndCheckWithSSHKeygen(t, s, key, "ci@example.com")
		})
	}
}

func TestEncryptedKeyNeedsAgent(t *testing.T) {
	t.Parallel()
	sock := startAgent(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "id_encrypted")
	run(t, dir, nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "s3cret", "-C", "enc@example.com", "-f", key)
	getenv := envMap(map[string]string{"SSH_AUTH_SOCK": sock})

	_, err := LoadSigner(context.Background(), KeySource{KeyPath: key, Getenv: getenv})
	if err == nil || !strings.Contains(err.Error(), "ssh-add "+key) || !strings.Contains(err.Error(), "--signing-key") {
		t.Fatalf("encrypted key without agent: %v", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Fatal("error leaks the passphrase")
	}

	sshAdd(t, sock, key, "s3cret")
	s, err := LoadSigner(context.Background(), KeySource{KeyPath: key, Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	signAndCheckWithSSHKeygen(t, s, key, "enc@example.com")
}

func TestGitConfigKeyLiteralPicksMatchingAgentKey(t *testing.T) {
	t.Parallel()
	testutil.RequireTools(t, "git")
	sock := startAgent(t)
	keys := t.TempDir()
	other := genKey(t, keys, "ed25519", "other@example.com")
	wanted := genKey(t, keys, "ecdsa", "wanted@example.com")
	sshAdd(t, sock, other, "")
	sshAdd(t, sock, wanted, "")

	repo := t.TempDir()
	run(t, repo, nil, "git", "init", "-q")
	run(t, repo, nil, "git", "config", "gpg.format", "ssh")
	run(t, repo, nil, "git", "config", "user.signingkey", "key::"+publicKeyLine(t, wanted))
	s, err := LoadSigner(context.Background(), KeySource{
		Getenv:    envMap(map[string]string{"SSH_AUTH_SOCK": sock}),
		GitConfig: GitConfigReader(repo),
	})
	if err != nil {
		t.Fatal(err)
	}
	signAndCheckWithSSHKeygen(t, s, wanted, "wanted@example.com")

	// A literal the agent does not hold is an error that says what to do.
	stranger := genKey(t, keys, "ed25519", "stranger@example.com")
	run(t, repo, nil, "git", "config", "user.signingkey", "key::"+publicKeyLine(t, stranger))
	_, err = LoadSigner(context.Background(), KeySource{Getenv: envMap(map[string]string{"SSH_AUTH_SOCK": sock}), GitConfig: GitConfigReader(repo)})
	if err == nil || !strings.Contains(err.Error(), "user.signingkey") || !strings.Contains(err.Error(), "ssh-add") {
		t.Errorf("unknown literal: %v", err)
	}

	// gpg.format openpgp: git's signing key is not an SSH key; fall through to the agent.
	run(t, repo, nil, "git", "config", "gpg.format", "openpgp")
	s, err = LoadSigner(context.Background(), KeySource{Getenv: envMap(map[string]string{"SSH_AUTH_SOCK": sock}), GitConfig: GitConfigReader(repo)})
	if err != nil {
		t.Fatal(err)
	}
	if s.Fingerprint() != fingerprint(t, other) {
		t.Errorf("without gpg.format=ssh want the agent's first key %s, got %s", fingerprint(t, other), s.Fingerprint())
	}
}

func TestLoadSignerPrecedence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	flagKey := genKey(t, dir, "ed25519", "flag@example.com")
	envKey := genKey(t, dir, "ed25519", "env@example.com")
	gitKey := genKey(t, dir, "ed25519", "")
	gitConfig := func(_ context.Context, key string) (string, error) {
		return map[string]string{"gpg.format": "ssh", "user.signingkey": "~/" + filepath.Base(gitKey) + ".pub", "user.email": "git-user@example.com"}[key], nil
	}
	ctx := context.Background()
	tests := []struct {
		name string
		src  KeySource
		want string
		who  string
	}{
		{"flag beats env", KeySource{KeyPath: flagKey, Getenv: envMap(map[string]string{"GITO_SIGNING_KEY": envKey}), GitConfig: gitConfig}, flagKey, "flag@example.com"},
		{"env beats git", KeySource{Getenv: envMap(map[string]string{"GITO_SIGNING_KEY": envKey}), GitConfig: gitConfig}, envKey, "env@example.com"},
		// The .pub path git usually holds, with no agent: gito falls back to the private key
		// next to it; the key has no comment, so the principal is git's user.email.
		{"git user.signingkey path", KeySource{Getenv: envMap(map[string]string{"HOME": dir}), GitConfig: gitConfig}, gitKey, "git-user@example.com"},
	}
	for _, tc := range tests {
		s, err := LoadSigner(ctx, tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if s.Fingerprint() != fingerprint(t, tc.want) || s.Principal() != tc.who {
			t.Errorf("%s: got %s %q, want %s %q", tc.name, s.Fingerprint(), s.Principal(), fingerprint(t, tc.want), tc.who)
		}
	}
}

func TestLoadSignerErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, err := LoadSigner(ctx, KeySource{Getenv: noEnv})
	if !errors.Is(err, ErrNoSigningKey) || !strings.Contains(err.Error(), "--signing-key") || !strings.Contains(err.Error(), "GITO_SIGNING_KEY") {
		t.Errorf("no key anywhere: %v", err)
	}
	_, err = LoadSigner(ctx, KeySource{Getenv: envMap(map[string]string{"GITO_SIGNING_KEY": "/nonexistent/key"})})
	if err == nil || !strings.Contains(err.Error(), "GITO_SIGNING_KEY") || !strings.Contains(err.Error(), "/nonexistent/key") {
		t.Errorf("missing env key: %v", err)
	}
	_, err = LoadSigner(ctx, KeySource{Getenv: envMap(map[string]string{"SSH_AUTH_SOCK": "/nonexistent/sock"})})
	if !errors.Is(err, ErrNoSigningKey) {
		t.Errorf("dead agent: %v", err)
	}
	sock := startAgent(t)
	_, err = LoadSigner(ctx, KeySource{Getenv: envMap(map[string]string{"SSH_AUTH_SOCK": sock})})
	if !errors.Is(err, ErrNoSigningKey) {
		t.Errorf("empty agent: %v", err)
	}
	pubOnly := filepath.Join(t.TempDir(), "lonely.pub")
	if err := os.WriteFile(pubOnly, []byte(edKey+" lonely\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadSigner(ctx, KeySource{KeyPath: pubOnly, Getenv: envMap(map[string]string{"SSH_AUTH_SOCK": sock})})
	if err == nil || !strings.Contains(err.Error(), "ssh-add") {
		t.Errorf("public key without private half: %v", err)
	}
}
