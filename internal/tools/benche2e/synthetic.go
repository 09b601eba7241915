package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// The synthetic infra repo of the speed issue: services × envs overlays over one base per
// service, a .gito.yaml naming every image, and a long history of tag bumps in which one
// overlay (the history subject) gets historyReleases releases.
type synthetic struct {
	services, envs, commits, historyReleases int
}

var envNames = []string{"dev", "test", "staging", "prod", "dr"}

func serviceName(i int) string { return fmt.Sprintf("svc%04d", i) }

func (s synthetic) key() string {
	return fmt.Sprintf("synthetic-v1-%ds-%de-%dc-%dh", s.services, s.envs, s.commits, s.historyReleases)
}

// historySubject is the overlay whose releases history reads.
func (s synthetic) historySubject() (service, env string) { return serviceName(0), "prod" }

func overlayPath(service, env string) string {
	return "overlays/" + env + "/" + service + "/kustomization.yaml"
}

func overlayBody(service string, tag int) string {
	return fmt.Sprintf("resources:\n  - ../../../base/%s\nimages:\n  - name: registry.example.com/team/%s\n    newTag: v1.%d.0\n", service, service, tag)
}

// ensure builds the bare remote under dir unless an earlier run left it there; the build
// goes through git fast-import, so 50,000 commits take seconds, not minutes.
func (s synthetic) ensure(dir string, env []string) (string, error) {
	bare := filepath.Join(dir, s.key()+".git")
	if _, err := os.Stat(filepath.Join(bare, "gito-bench-complete")); err == nil {
		return bare, nil
	}
	tmp := bare + ".tmp"
	_ = os.RemoveAll(tmp)
	if err := run(env, "", "git", "init", "--quiet", "--bare", tmp); err != nil {
		return "", err
	}
	imp := exec.Command("git", "fast-import", "--quiet", "--done")
	imp.Dir, imp.Env, imp.Stderr = tmp, env, os.Stderr
	in, err := imp.StdinPipe()
	if err != nil {
		return "", err
	}
	if err := imp.Start(); err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(in, 1<<20)
	s.stream(w)
	if err := w.Flush(); err != nil {
		return "", err
	}
	in.Close()
	if err := imp.Wait(); err != nil {
		return "", fmt.Errorf("fast-import: %w", err)
	}
	for _, kv := range [][2]string{{"uploadpack.allowFilter", "true"}, {"uploadpack.allowAnySHA1InWant", "true"}} {
		if err := run(env, tmp, "git", "config", kv[0], kv[1]); err != nil {
			return "", err
		}
	}
	if err := run(env, tmp, "git", "symbolic-ref", "HEAD", "refs/heads/main"); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, "gito-bench-complete"), nil, 0o644); err != nil {
		return "", err
	}
	_ = os.RemoveAll(bare)
	return bare, os.Rename(tmp, bare)
}

// stream writes the fast-import stream: the first commit holds the whole tree, every later one
// bumps one overlay's tag.
func (s synthetic) stream(w io.Writer) {
	when := int64(1700000000)
	commit := func(msg string) {
		when += 60
		fmt.Fprintf(w, "commit refs/heads/main\ncommitter Bench <bench@example.com> %d +0000\ndata %d\n%s\n", when, len(msg), msg)
	}
	file := func(path, body string) { fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", path, len(body), body) }

	commit("infra: initial tree")
	cfg := "layout: \"overlays/{env}/{service}\"\nforge:\n  type: none\nservices:\n"
	for i := 0; i < s.services; i++ {
		cfg += fmt.Sprintf("  %s:\n    images: [registry.example.com/team/%s]\n", serviceName(i), serviceName(i))
	}
	file(".gito.yaml", cfg)
	for i := 0; i < s.services; i++ {
		svc := serviceName(i)
		file("base/"+svc+"/kustomization.yaml", "resources:\n  - deployment.yaml\n")
		file("base/"+svc+"/deployment.yaml", fmt.Sprintf(
			"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\nspec:\n  selector:\n    matchLabels:\n      app: %s\n  template:\n    metadata:\n      labels:\n        app: %s\n    spec:\n      containers:\n        - name: %s\n          image: registry.example.com/team/%s:v1.0.0\n",
			svc, svc, svc, svc, svc))
		for e := 0; e < s.envs; e++ {
			file(overlayPath(svc, envNames[e]), overlayBody(svc, 0))
		}
	}
	subject, subjectEnv := s.historySubject()
	// Spread the subject's releases evenly through the other commits.
	every := (s.commits - 1) / max(s.historyReleases-1, 1)
	released := 1
	for c := 1; c < s.commits; c++ {
		svc, env := serviceName(c%s.services), envNames[(c/s.services)%s.envs]
		if c%every == 0 && released < s.historyReleases {
			svc, env = subject, subjectEnv
			released++
		} else if svc == subject && env == subjectEnv {
			env = envNames[(c/s.services+1)%s.envs]
		}
		commit(fmt.Sprintf("release %s to %s", svc, env))
		file(overlayPath(svc, env), overlayBody(svc, c))
	}
	fmt.Fprintln(w, "done")
}

func run(env []string, dir, name string, args ...string) error {
	c := exec.Command(name, args...)
	c.Dir, c.Env = dir, env
	if out, err := c.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %v: %w\n%s", name, args, err, out)
	}
	return nil
}
