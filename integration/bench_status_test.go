package integration

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/gito-dev/gito/internal/app"
	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/signing"
	"github.com/gito-dev/gito/internal/testutil"
	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

// BenchmarkWarmStatus times `gito status --json` (fetch, one tree listing with blob ids, one
// batched read of every overlay and signature by id, parsing on every CPU) on a generated repo
// of 10,000 overlays, cache warm, and reports it as a ratio of a floor measured in the same
// run: `git ls-tree -r` of the same commit in the same cache, the least any tree read costs.
// Target: ≤ 2 s warm.
//
//	go test -run '^$' -bench WarmStatus -benchtime 5x ./integration
func BenchmarkWarmStatus(b *testing.B) {
	bare := filepath.Join(b.TempDir(), "large.git")
	gitserver.GenerateLargeRepo(b, bare, 10000, 100)
	benchStatus(b, bare, 0)
}

// BenchmarkWarmStatusSigned is BenchmarkWarmStatus with every overlay signed, as a repo
// that requires signatures is: 10,000 signature checks on top.
func BenchmarkWarmStatusSigned(b *testing.B) {
	bare := filepath.Join(b.TempDir(), "large.git")
	gitserver.GenerateLargeRepo(b, bare, 10000, 100)
	signOverlays(b, bare)
	benchStatus(b, bare, 10000)
}

func benchStatus(b *testing.B, bare string, wantSigned int) {
	getenv := testutil.GitoEnv(b)
	status := func() {
		ios, _, out, errOut := iostreams.Test()
		f := app.NewFactory(getenv)
		f.IOStreams = ios
		if code := app.Run(context.Background(), f, []string{"status", "--repo", bare, "--json"}); code != 0 {
			b.Fatalf("gito status: exit %d: %s", code, errOut)
		}
		if n := strings.Count(out.String(), `"service"`); n != 10000 {
			b.Fatalf("status listed %d overlays, want 10000", n)
		}
		if n := strings.Count(out.String(), `"signed": true`); n != wantSigned {
			b.Fatalf("status found %d signed overlays, want %d", n, wantSigned)
		}
	}
	status() // cold: clones the cache
	floor := func() time.Duration {
		start := time.Now()
		cmd := exec.Command("git", "-C", bare, "ls-tree", "-r", "main")
		var sink bytes.Buffer
		cmd.Stdout = &sink
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	// readFloor is the least a status can cost that reads what the inventory reads: the
	// tree listing, then one cat-file --batch of every YAML file in it.
	readFloor := func() time.Duration {
		start := time.Now()
		out, err := exec.Command("git", "-C", bare, "ls-tree", "-r", "main").Output()
		if err != nil {
			b.Fatal(err)
		}
		var ids strings.Builder
		for _, line := range strings.Split(string(out), "\n") {
			meta, p, ok := strings.Cut(line, "\t")
			if ok && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".sig")) {
				ids.WriteString(strings.Fields(meta)[2] + "\n")
			}
		}
		cmd := exec.Command("git", "-C", bare, "cat-file", "--batch")
		cmd.Stdin = strings.NewReader(ids.String())
		var sink bytes.Buffer
		cmd.Stdout = &sink
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var floorTotal, readTotal time.Duration
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		status()
	}
	elapsed := time.Since(start)
	b.StopTimer()
	for range b.N {
		floorTotal += floor()
		readTotal += readFloor()
	}
	per := elapsed / time.Duration(b.N)
	b.ReportMetric(float64(per.Milliseconds()), "ms/status")
	b.ReportMetric(float64(elapsed)/float64(floorTotal), "x-ls-tree")
	b.ReportMetric(float64(elapsed)/float64(readTotal), "x-ls-tree+cat-file") // target ≤ 3
	if per > 2*time.Second {
		b.Logf("warning: warm status took %s, over the 2 s target", per)
	}
}

// signOverlays adds one commit to main that signs every overlay's kustomization with a fresh
// ed25519 key and allows that key in the default allowed signers file.
func signOverlays(b *testing.B, bare string) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	sshSigner, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		b.Fatal(err)
	}
	signer := signing.NewSigner(sshSigner, "bench@example.com")
	env := gitserver.Env(b)
	listing := gitserver.Git(b, env, bare, "", "ls-tree", "-r", "main", "overlays")
	var paths, oids []string
	for _, line := range strings.Split(listing, "\n") {
		meta, p, _ := strings.Cut(line, "\t") // "<mode> blob <oid>\t<path>"
		paths, oids = append(paths, p), append(oids, strings.Fields(meta)[2])
	}
	contents := gitserver.Git(b, env, bare, strings.Join(oids, "\n")+"\n", "cat-file", "--batch")
	rd := bufio.NewReader(strings.NewReader(contents + "\n"))
	var imp strings.Builder
	fmt.Fprintf(&imp, "commit refs/heads/main\ncommitter %s <%s> 1800000000 +0000\ndata 5\nsign\nfrom refs/heads/main^0\n", gitserver.AuthorName, gitserver.AuthorEmail)
	allowed := "bench@example.com " + string(ssh.MarshalAuthorizedKey(sshSigner.PublicKey()))
	fmt.Fprintf(&imp, "M 100644 inline %s\ndata %d\n%s\n", config.DefaultAllowedSigners, len(allowed), allowed)
	for _, p := range paths {
		var oid, kind string
		var size int
		if _, err := fmt.Fscanf(rd, "%s %s %d\n", &oid, &kind, &size); err != nil {
			b.Fatalf("cat-file: %v", err)
		}
		data := make([]byte, size+1) // content and the newline cat-file ends it with
		if _, err := io.ReadFull(rd, data); err != nil {
			b.Fatal(err)
		}
		sig, err := signing.SignBytes(p, data[:size], signer)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&imp, "M 100644 inline %s\ndata %d\n%s\n", signing.SigPath(p), len(sig), sig)
	}
	imp.WriteString("done\n")
	gitserver.Git(b, env, bare, imp.String(), "fast-import", "--quiet", "--done")
}
