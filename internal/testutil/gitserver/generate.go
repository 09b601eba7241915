package gitserver

import (
	"bufio"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// Large repository layout, shared with the tests that use GenerateLargeRepo.
const (
	LargeRepoLayout   = "overlays/{env}/{service}"
	LargeRepoRegistry = "registry.example.com/"
)

var largeRepoEnvs = []string{"dev", "staging", "prod"}

// LargeRepoOverlay names overlay i of a generated repo: env cycles dev, staging, prod and the
// service is svc-NNNN (i/3), at overlays/<env>/<service> with its base at base/<service>.
func LargeRepoOverlay(i int) (env, service string) {
	return largeRepoEnvs[i%len(largeRepoEnvs)], fmt.Sprintf("svc-%04d", i/len(largeRepoEnvs))
}

// LargeRepoVersion is the tag commit k (1-based, after the initial one) releases.
func LargeRepoVersion(k int) string { return fmt.Sprintf("v1.%d.0", k) }

// GenerateLargeRepo creates a bare repository at dir with `git fast-import`: one initial
// commit holding .gito.yaml, `overlays` overlays and their bases, then commits-1 releases,
// release k setting overlay (k-1) % overlays to LargeRepoVersion(k) with Gito-* trailers.
// All on main; the repository serves partial clones.
func GenerateLargeRepo(tb testing.TB, dir string, overlays, commits int) string {
	tb.Helper()
	if overlays < 1 || commits < 1 {
		tb.Fatalf("GenerateLargeRepo: need at least one overlay and one commit")
	}
	InitBare(tb, dir)
	cmd := exec.Command("git", "fast-import", "--quiet", "--done")
	cmd.Dir = dir
	cmd.Env = Env(tb)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(stdin, 1<<20)
	const epoch = 1700000000
	ident := fmt.Sprintf("%s <%s>", AuthorName, AuthorEmail)
	writeCommit := func(k int, message string, files map[string]string, order []string) {
		fmt.Fprintf(w, "commit refs/heads/main\nauthor %s %d +0000\ncommitter %s %d +0000\n", ident, epoch+k*60, ident, epoch+k*60)
		fmt.Fprintf(w, "data %d\n%s\n", len(message), message)
		for _, p := range order {
			fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", p, len(files[p]), files[p])
		}
	}
	versions := make([]string, overlays)
	gitoYAML := "layout: \"" + LargeRepoLayout + "\"\nservices:\n"
	files := map[string]string{}
	order := []string{".gito.yaml"}
	for i := 0; i < overlays; i++ {
		env, svc := LargeRepoOverlay(i)
		if env == largeRepoEnvs[0] {
			gitoYAML += fmt.Sprintf("  %s:\n    images: [%s%s]\n", svc, LargeRepoRegistry, svc)
			files["base/"+svc+"/kustomization.yaml"] = "resources:\n  - deployment.yaml\n"
			files["base/"+svc+"/deployment.yaml"] = baseDeployment(svc)
			order = append(order, "base/"+svc+"/kustomization.yaml", "base/"+svc+"/deployment.yaml")
		}
		versions[i] = LargeRepoVersion(0)
		p := largeOverlayFile(i)
		files[p] = overlayKustomization(svc, versions[i])
		order = append(order, p)
	}
	files[".gito.yaml"] = gitoYAML
	writeCommit(0, "initial layout\n", files, order)
	for k := 1; k < commits; k++ {
		i := (k - 1) % overlays
		env, svc := LargeRepoOverlay(i)
		previous := versions[i]
		versions[i] = LargeRepoVersion(k)
		msg := fmt.Sprintf("release %s to %s: %s\n\nGito-Service: %s\nGito-Env: %s\nGito-Version: %s\nGito-Previous: %s\n",
			svc, env, versions[i], svc, env, versions[i], previous)
		p := largeOverlayFile(i)
		writeCommit(k, msg, map[string]string{p: overlayKustomization(svc, versions[i])}, []string{p})
	}
	fmt.Fprintf(w, "done\n")
	if err := w.Flush(); err != nil {
		tb.Fatalf("fast-import: %v: %s", err, stderr.String())
	}
	_ = stdin.Close()
	if err := cmd.Wait(); err != nil {
		tb.Fatalf("fast-import: %v: %s", err, stderr.String())
	}
	return dir
}

func largeOverlayFile(i int) string {
	env, svc := LargeRepoOverlay(i)
	return "overlays/" + env + "/" + svc + "/kustomization.yaml"
}

func overlayKustomization(svc, version string) string {
	return fmt.Sprintf(`apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../../base/%s
images:
  - name: %s%s
    newTag: %s
`, svc, LargeRepoRegistry, svc, version)
}

func baseDeployment(svc string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
spec:
  selector:
    matchLabels:
      app: %[1]s
  template:
    metadata:
      labels:
        app: %[1]s
    spec:
      containers:
        - name: %[1]s
          image: %[2]s%[1]s:latest
`, svc, LargeRepoRegistry)
}
