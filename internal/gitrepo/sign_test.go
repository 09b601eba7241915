package gitrepo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/testutil"
	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

func TestCommitSignedWithSSHKey(t *testing.T) {
	t.Parallel()
	testutil.RequireTools(t, "ssh-keygen")
	ctx := context.Background()
	keyDir := t.TempDir()
	key := filepath.Join(keyDir, "id_ed25519")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ci", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	allowed := filepath.Join(keyDir, "allowed_signers")
	writeFile(t, allowed, `ci@example.com namespaces="git" `+string(pub))

	bare := gitserver.NewBare(t, sampleFiles)
	g, _ := newGit(t)
	r := openRepo(t, g, t.TempDir(), bare, Auth{})
	commit := func(signingKey string) string {
		t.Helper()
		w := newSnapshot(t, r, RemoteRef("main"))
		writeFile(t, filepath.Join(w.Path(), "signed.txt"), sha256Hex(signingKey))
		sha, err := w.Commit(ctx, CommitOptions{Message: "signed?", SigningKey: signingKey, AuthorEmail: "ci@example.com"})
		if err != nil {
			t.Fatalf("Commit: %v", err)
		}
		return sha
	}
	verify := func(sha string) (string, error) {
		c := exec.Command("git", "-c", "gpg.ssh.allowedSignersFile="+allowed, "verify-commit", "-v", sha)
		c.Dir = r.Dir()
		c.Env = gitserver.Env(t)
		out, err := c.CombinedOutput()
		return string(out), err
	}

	signed := commit(key)
	if out, err := verify(signed); err != nil || !strings.Contains(out, `Good "git" signature for ci@example.com`) {
		t.Errorf("verify-commit of the signed commit: %v\n%s", err, out)
	}
	if out, err := verify(commit("")); err == nil {
		t.Errorf("verify-commit accepted an unsigned commit:\n%s", out)
	}
	// The key was handed to one git process only.
	assertNotInFiles(t, r.cacheRoot, key)
	home, _ := envValue(g.Env, "HOME")
	assertNotInFiles(t, home, key)

	// Without --signing-key, the user's git config decides, as it would for git commit:
	// commit-tree, being plumbing, does not read commit.gpgsign itself.
	writeFile(t, filepath.Join(home, ".gitconfig"), "[gpg]\n\tformat = ssh\n[user]\n\tsigningkey = "+key+"\n[commit]\n\tgpgsign = yes\n")
	if out, err := verify(commit("")); err != nil || !strings.Contains(out, `Good "git" signature for ci@example.com`) {
		t.Errorf("verify-commit of a commit signed by the user's git config: %v\n%s", err, out)
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
