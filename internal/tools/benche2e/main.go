// Command benche2e is the side-by-side benchmark of the speed issue (make bench-e2e): on a
// synthetic infra repo (2,000 services × 5 envs, 50,000 commits, cached between runs) it times
// gito against the floors git itself sets, in one run, and exits non-zero when a target is
// missed. It is not a test: make test does not run it.
//
//	go run ./internal/tools/benche2e -gito bin/gito [-reps 5] [-small]
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

func main() {
	if err := benchMain(); err != nil {
		fmt.Fprintln(os.Stderr, "bench-e2e:", err)
		os.Exit(1)
	}
}

type bench struct {
	gito    string
	remote  string
	work    string
	env     []string
	reps    int
	version string
	repo    synthetic
	rss     map[string]int64 // command -> the gito process's peak RSS (kB), largest seen
	treeRSS map[string]int64
}

func benchMain() error {
	gito := flag.String("gito", "bin/gito", "the gito binary to measure")
	reps := flag.Int("reps", 5, "runs per case")
	small := flag.Bool("small", false, "a small repo (200 services, 5,000 commits) for CI")
	cache := flag.String("cache", "", "where the synthetic repo is kept (default: the user cache dir)")
	flag.Parse()

	abs, err := filepath.Abs(*gito)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err != nil {
		return fmt.Errorf("gito binary: %w (run make build)", err)
	}
	repo := synthetic{services: 2000, envs: 5, commits: 50000, historyReleases: 1003}
	if *small {
		repo = synthetic{services: 200, envs: 5, commits: 5000, historyReleases: 103}
	}
	if *cache == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return err
		}
		*cache = filepath.Join(dir, "gito-bench")
	}
	if err := os.MkdirAll(*cache, 0o755); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "gito-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	b := &bench{gito: abs, work: work, reps: *reps, repo: repo, rss: map[string]int64{}, treeRSS: map[string]int64{},
		version: fmt.Sprintf("v9.%d", time.Now().Unix())}
	if b.env, err = isolatedEnv(work); err != nil {
		return err
	}
	start := time.Now()
	if b.remote, err = repo.ensure(*cache, b.env); err != nil {
		return fmt.Errorf("synthetic repo: %w", err)
	}
	fmt.Fprintf(os.Stderr, "synthetic repo %s ready after %s\n", b.remote, secs(time.Since(start)))
	return b.report()
}

// isolatedEnv keeps the user's git and gito configuration out of the measurement.
func isolatedEnv(work string) ([]string, error) {
	home := filepath.Join(work, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, err
	}
	gitconfig := filepath.Join(work, "gitconfig")
	cfg := "[user]\n\tname = Bench\n\temail = bench@example.com\n[init]\n\tdefaultBranch = main\n"
	if err := os.WriteFile(gitconfig, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	path := os.Getenv("PATH")
	if gobin, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		path = filepath.Join(strings.TrimSpace(string(gobin)), "bin") + ":" + path
	}
	return []string{
		"PATH=" + path, "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(work, "config"),
		"GIT_CONFIG_GLOBAL=" + gitconfig, "GIT_CONFIG_NOSYSTEM=1", "CI=true", "NO_COLOR=1",
		"LANG=C", "TMPDIR=" + os.TempDir(),
	}, nil
}

// service names the i-th service, wrapping around in a small repo.
func (b *bench) service(i int) string { return serviceName(i % b.repo.services) }

func (b *bench) withCache(cache string) []string {
	return append(append([]string(nil), b.env...), "XDG_CACHE_HOME="+cache)
}

// release runs one gito release of svc to prod and checks that it pushed.
func (b *bench) release(cache, svc, tag string) (sample, error) {
	s, err := timed(b.withCache(cache), b.work, b.gito, "release", "--repo", b.remote, "-s", svc, "-e", "prod", "--version", tag, "--json")
	b.noteRSS("release", s)
	if err != nil {
		return s, err
	}
	var out struct{ Action string }
	if err := json.Unmarshal(s.stdout, &out); err != nil || out.Action != "pushed" {
		return s, fmt.Errorf("release %s: action %q, want pushed: %s", svc, out.Action, s.stdout)
	}
	return s, nil
}

func (b *bench) noteRSS(cmd string, s sample) {
	b.rss[cmd] = max(b.rss[cmd], s.ownRSSKB)
	b.treeRSS[cmd] = max(b.treeRSS[cmd], s.treeRSSKB)
}

// dropBranches deletes what a case pushed, so every case sees the same remote.
func (b *bench) dropBranches() error {
	out, err := exec.Command("git", "-C", b.remote, "for-each-ref", "--format=%(refname)", "refs/heads/gito", "refs/heads/floor", "refs/heads/naive").Output()
	if err != nil {
		return err
	}
	var stdin strings.Builder
	for _, ref := range strings.Fields(string(out)) {
		fmt.Fprintf(&stdin, "delete %s\n", ref)
	}
	c := exec.Command("git", "-C", b.remote, "update-ref", "--stdin")
	c.Stdin = strings.NewReader(stdin.String())
	return c.Run()
}

func (b *bench) dir(name string) string {
	d := filepath.Join(b.work, name)
	_ = os.RemoveAll(d)
	return d
}

// naive is the script a team writes today: full clone, kustomize edit set image, commit, push.
func (b *bench) naive(i int) (time.Duration, error) {
	clone := b.dir(fmt.Sprintf("naive-%d", i))
	svc := b.service(400 + i)
	start := time.Now()
	steps := [][]string{
		{"git", "clone", "--quiet", b.remote, clone},
		{"sh", "-c", fmt.Sprintf("cd %s/overlays/prod/%s && kustomize edit set image registry.example.com/team/%s=registry.example.com/team/%s:%s-n%d", clone, svc, svc, svc, b.version, i)},
		{"git", "-C", clone, "commit", "--quiet", "-am", "release " + svc},
		{"git", "-C", clone, "push", "--quiet", "origin", "HEAD:refs/heads/naive/" + svc},
	}
	for _, s := range steps {
		if _, err := timed(b.env, b.work, s[0], s[1:]...); err != nil {
			return 0, err
		}
	}
	d := time.Since(start)
	_ = os.RemoveAll(clone)
	return d, nil
}

// pushOneCommit is the floors' push: one new commit on top of the base, to its own branch.
func (b *bench) pushOneCommit(clone, branch string) error {
	c := exec.Command("git", "-C", clone, "commit-tree", "HEAD^{tree}", "-p", "HEAD", "-m", "floor")
	c.Env = b.env
	sha, err := c.Output()
	if err != nil {
		return fmt.Errorf("commit-tree: %w", err)
	}
	_, err = timed(b.env, b.work, "git", "-C", clone, "push", "--quiet", "origin", strings.TrimSpace(string(sha))+":refs/heads/floor/"+branch)
	return err
}

func (b *bench) coldFloor(i int) (time.Duration, string, error) {
	clone := b.dir(fmt.Sprintf("floor-%d", i))
	start := time.Now()
	if _, err := timed(b.env, b.work, "git", "clone", "--quiet", "--filter=blob:none", "--depth=1", "--no-checkout", b.remote, clone); err != nil {
		return 0, "", err
	}
	if err := b.pushOneCommit(clone, fmt.Sprintf("cold-%d", i)); err != nil {
		return 0, "", err
	}
	return time.Since(start), clone, nil
}

func (b *bench) warmFloor(clone string, i int) (time.Duration, error) {
	start := time.Now()
	if _, err := timed(b.env, b.work, "git", "-C", clone, "fetch", "--quiet", "origin"); err != nil {
		return 0, err
	}
	if err := b.pushOneCommit(clone, fmt.Sprintf("warm-%d", i)); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// parallel runs n releases of distinct services at once into one cache.
func (b *bench) parallel(cache string, n, round int) (time.Duration, error) {
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = b.release(cache, b.service(1000+i), fmt.Sprintf("%s-p%d", b.version, round))
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return wall, err
	}
	out, err := exec.Command("git", "-C", b.remote, "for-each-ref", "--format=%(refname)", "refs/heads/gito/prod").Output()
	if err != nil {
		return wall, err
	}
	got := 0
	for _, ref := range strings.Fields(string(out)) {
		for i := range n {
			if ref == "refs/heads/gito/prod/"+b.service(1000+i) {
				got++
			}
		}
	}
	if got != n {
		return wall, fmt.Errorf("%d of %d release branches pushed", got, n)
	}
	return wall, nil
}

// cacheRepo is the bare repository gito keeps in a cache directory.
func cacheRepo(cache string) (string, error) {
	dirs, err := filepath.Glob(filepath.Join(cache, "gito", "repos", "*"))
	if err != nil {
		return "", err
	}
	for _, d := range dirs {
		if fi, err := os.Stat(filepath.Join(d, "HEAD")); err == nil && !fi.IsDir() {
			return d, nil
		}
	}
	return "", fmt.Errorf("no gito cache under %s", cache)
}

func isShallow(repo string) bool {
	_, err := os.Stat(filepath.Join(repo, "shallow"))
	return err == nil
}
