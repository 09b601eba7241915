package history

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	kfile = "overlays/prod/api/kustomization.yaml"
	pfile = "overlays/prod/api/deployment-patch.yaml"
)

// summary is what a test compares of a Release: stable and readable in a diff.
type summary struct {
	Ref     string
	Commit  string
	Author  string
	PR      int
	Current bool
}

func summarise(rs []Release) []summary {
	out := make([]summary, len(rs))
	for i, r := range rs {
		out[i] = summary{r.Ref(), r.Commit, r.Author, r.PR, r.Current}
	}
	return out
}

// mixedHistory builds an overlay history that gito did not (only) write and returns the
// commits that start a release, by name.
func mixedHistory(t *testing.T) (*testRepo, map[string]string) {
	r := newTestRepo(t)
	sha := map[string]string{}
	sidecar := entry("envoy", "1.30", "")
	sha["initial"] = r.commit("Alice", "Add api overlay", map[string]string{
		kfile: kustomization(entry("api", "v1.0.0", ""), sidecar),
	})
	r.commit("Alice", "Unrelated service", map[string]string{"overlays/prod/web/kustomization.yaml": kustomization(entry("web", "v9", ""))})
	sha["squash"] = r.commit("Bob", "Release api v1.1.0 (#3)", map[string]string{
		kfile: kustomization(entry("api", "v1.1.0", ""), sidecar),
	})
	r.commit("Carol", "Comment the overlay", map[string]string{
		kfile: "# prod overrides\n" + kustomization(entry("api", "v1.1.0", ""), sidecar),
	})
	r.commit("Carol", "Bump envoy", map[string]string{
		kfile: "# prod overrides\n" + kustomization(entry("api", "v1.1.0", ""), entry("envoy", "1.31", "")),
	})

	// A GitHub merge commit: the PR number is on the merge, not on the branch's commit.
	r.git("checkout", "-q", "-b", "gito/prod/api")
	r.commit("Dave", "Release api v1.2.0", map[string]string{
		kfile: kustomization(entry("api", "v1.2.0", digest('a')), entry("envoy", "1.31", "")),
	})
	r.git("checkout", "-q", "main")
	r.commit("Erin", "Meanwhile on main", map[string]string{"README.md": "infra\n"})
	sha["merge"] = r.merge("GitHub", "gito/prod/api", "Merge pull request #7 from acme/gito/prod/api\n\nRelease api v1.2.0")

	sha["digest"] = r.commit("renovate[bot]", "Update api digest\n\nSee merge request infra/deploy!9", map[string]string{
		kfile: kustomization(entry("api", "v1.2.0", digest('b')), entry("envoy", "1.31", "")),
	})
	sha["renamed"] = r.commit("Frank", "Use the unprefixed tag", map[string]string{
		kfile: kustomization(entry("api", "1.2.0", digest('b')), entry("envoy", "1.31", "")),
	})
	r.commit("Frank", "Drop the image override", map[string]string{kfile: kustomization()})
	sha["handRollback"] = r.commit("Grace", "Back to 1.1.0 by hand", map[string]string{
		kfile: kustomization(entry("api", "v1.1.0", "")),
	})
	// The image moves into a patch file that sets the container image.
	sha["patch"] = r.commit("Heidi", "Set the image in a patch", map[string]string{
		kfile: kustomization() + "patches:\n  - path: deployment-patch.yaml\n",
		pfile: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: api:v1.3.0\n        - name: envoy\n          image: envoy:1.31\n",
	})
	return r, sha
}

func TestLoadMixedHistory(t *testing.T) {
	t.Parallel()
	r, sha := mixedHistory(t)
	got, err := Load(context.Background(), Request{
		Source: localSource(r.dir),
		Ref:    "main",
		Paths:  []string{kfile, pfile},
		Images: []string{"api"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []summary{
		{"v1.3.0", sha["patch"], "Heidi", 0, true},
		{"v1.1.0", sha["handRollback"], "Grace", 0, false},
		{"1.2.0@" + digest('b'), sha["renamed"], "Frank", 0, false},
		{"v1.2.0@" + digest('b'), sha["digest"], "renovate[bot]", 9, false},
		{"v1.2.0@" + digest('a'), sha["merge"], "GitHub", 7, false},
		{"v1.1.0", sha["squash"], "Bob", 3, false},
		{"v1.0.0", sha["initial"], "Alice", 0, false},
	}
	if diff := cmp.Diff(want, summarise(got)); diff != "" {
		t.Errorf("releases (-want +got):\n%s", diff)
	}
	if got[0].Subject != "Set the image in a patch" {
		t.Errorf("subject = %q", got[0].Subject)
	}
	if got[5].Date.IsZero() || !got[5].Date.After(got[6].Date) {
		t.Errorf("dates not increasing: %v then %v", got[6].Date, got[5].Date)
	}
	// Only the configured image counts; the sidecar's bump made no release.
	if n := len(got[6].Images); n != 1 || got[6].Images[0].Name != "api" {
		t.Errorf("images of the first release = %+v, want only api", got[6].Images)
	}
}

func TestLoadAllImagesWhenNoneConfigured(t *testing.T) {
	t.Parallel()
	r, _ := mixedHistory(t)
	got, err := Load(context.Background(), Request{Source: localSource(r.dir), Ref: "main", Paths: []string{kfile, pfile}})
	if err != nil {
		t.Fatal(err)
	}
	// The envoy bump is a change of "every image" and so a release of its own.
	var refs []string
	for _, r := range got {
		var imgs []string
		for _, i := range r.Images {
			imgs = append(imgs, i.String())
		}
		refs = append(refs, strings.Join(imgs, " "))
	}
	want := []string{
		"api:v1.3.0 envoy:1.31",
		"api:v1.1.0",
		"api:1.2.0@" + digest('b') + " envoy:1.31",
		"api:v1.2.0@" + digest('b') + " envoy:1.31",
		"api:v1.2.0@" + digest('a') + " envoy:1.31",
		"api:v1.1.0 envoy:1.31",
		"api:v1.1.0 envoy:1.30",
		"api:v1.0.0 envoy:1.30",
	}
	if diff := cmp.Diff(want, refs); diff != "" {
		t.Errorf("image sets (-want +got):\n%s", diff)
	}
}

func TestLoadLimit(t *testing.T) {
	t.Parallel()
	r, sha := mixedHistory(t)
	for _, tc := range []struct {
		limit int
		want  []string
	}{
		{1, []string{sha["patch"]}},
		{2, []string{sha["patch"], sha["handRollback"]}},
		{6, []string{sha["patch"], sha["handRollback"], sha["renamed"], sha["digest"], sha["merge"], sha["squash"]}},
		{50, []string{sha["patch"], sha["handRollback"], sha["renamed"], sha["digest"], sha["merge"], sha["squash"], sha["initial"]}},
	} {
		t.Run(fmt.Sprint(tc.limit), func(t *testing.T) {
			t.Parallel()
			got, err := Load(context.Background(), Request{
				Source: localSource(r.dir), Ref: "main", Paths: []string{kfile, pfile}, Images: []string{"api"}, Limit: tc.limit,
			})
			if err != nil {
				t.Fatal(err)
			}
			var commits []string
			for _, r := range got {
				commits = append(commits, r.Commit)
			}
			if diff := cmp.Diff(tc.want, commits); diff != "" {
				t.Errorf("commits (-want +got):\n%s", diff)
			}
		})
	}
}

// countingSource records how often Load went back to git.
type countingSource struct {
	Source
	logs, reads int
	limits      []int
}

func (c *countingSource) Log(ctx context.Context, ref string, paths []string, limit int) ([]Commit, error) {
	c.logs++
	c.limits = append(c.limits, limit)
	return c.Source.Log(ctx, ref, paths, limit)
}

func (c *countingSource) ReadBlobs(ctx context.Context, specs []string) (map[string][]byte, error) {
	c.reads++
	return c.Source.ReadBlobs(ctx, specs)
}

func TestLoadLimitReadsFurtherBackWhenARunIsLong(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	r.commit("Alice", "v1", map[string]string{kfile: kustomization(entry("api", "v1", ""))})
	first := r.commit("Bob", "v2", map[string]string{kfile: kustomization(entry("api", "v2", ""))})
	for i := range 10 { // comment edits that do not change the image
		r.commit("Carol", "comment", map[string]string{kfile: fmt.Sprintf("# %d\n", i) + kustomization(entry("api", "v2", ""))})
	}
	src := &countingSource{Source: localSource(r.dir)}
	got, err := Load(context.Background(), Request{Source: src, Ref: "main", Paths: []string{kfile}, Images: []string{"api"}, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Commit != first || !got[0].Current || got[0].Author != "Bob" {
		t.Fatalf("got %+v, want v2 from commit %s by Bob", summarise(got), first)
	}
	if diff := cmp.Diff([]int{4, 16}, src.limits); diff != "" {
		t.Errorf("log limits (-want +got):\n%s", diff)
	}
	if src.reads != 2 {
		t.Errorf("ReadBlobs called %d times, want 2 (one per log)", src.reads)
	}
}

func TestLoadUnlimitedUsesOneLogAndOneBlobRead(t *testing.T) {
	t.Parallel()
	r, _ := mixedHistory(t)
	src := &countingSource{Source: localSource(r.dir)}
	if _, err := Load(context.Background(), Request{Source: src, Ref: "main", Paths: []string{kfile, pfile}}); err != nil {
		t.Fatal(err)
	}
	if src.logs != 1 || src.reads != 1 {
		t.Errorf("Log called %d times and ReadBlobs %d times, want 1 and 1", src.logs, src.reads)
	}
}

func TestLoadSignatures(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	sig := func(content string) string { return "signed by gito over " + content }
	v1 := kustomization(entry("api", "v1", ""))
	v2 := kustomization(entry("api", "v2", ""))
	v3 := kustomization(entry("api", "v3", ""))
	r.commit("gito", "v1", map[string]string{kfile: v1, kfile + ".sig": sig(v1)})
	r.commit("Bob", "hand edit, stale signature", map[string]string{kfile: v2})
	r.commit("Carol", "hand edit", map[string]string{kfile: v3})
	signCommit := r.commit("Carol", "gito sign", map[string]string{kfile + ".sig": sig(v3)})

	type call struct{ sha, path string }
	var calls []call
	check := func(_ context.Context, sha, path string, file, s []byte) (bool, string) {
		calls = append(calls, call{sha, path})
		if string(s) == sig(string(file)) {
			return true, "carol@example.com"
		}
		return false, "ignored"
	}
	got, err := Load(context.Background(), Request{
		Source: localSource(r.dir), Ref: "main", Paths: []string{kfile}, Images: []string{"api"}, CheckSignature: check,
	})
	if err != nil {
		t.Fatal(err)
	}
	type signed struct {
		Ref    string
		Signed bool
		Signer string
	}
	var sums []signed
	for _, r := range got {
		sums = append(sums, signed{r.Ref(), r.Signed, r.Signer})
	}
	want := []signed{{"v3", true, "carol@example.com"}, {"v2", false, ""}, {"v1", true, "carol@example.com"}}
	if diff := cmp.Diff(want, sums); diff != "" {
		t.Errorf("signatures (-want +got):\n%s", diff)
	}
	// v3 was signed after the edit: the check must see the run's last commit.
	if len(calls) == 0 || calls[0] != (call{signCommit, kfile}) {
		t.Errorf("first check = %+v, want commit %s path %s", calls, signCommit, kfile)
	}
	if got[0].Commit == signCommit {
		t.Errorf("release v3 points at the signing commit, want the edit that introduced it")
	}
}

func TestLoadNoImagesAnywhere(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	r.commit("Alice", "empty overlay", map[string]string{kfile: kustomization()})
	got, err := Load(context.Background(), Request{Source: localSource(r.dir), Ref: "main", Paths: []string{kfile}, Images: []string{"api"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("got %+v, want no releases", summarise(got))
	}
}

func TestLoadBrokenYAMLIsSkipped(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	r.commit("Alice", "v1", map[string]string{kfile: kustomization(entry("api", "v1", ""))})
	r.commit("Bob", "oops", map[string]string{kfile: "images: [\n"})
	v2 := r.commit("Bob", "fix", map[string]string{kfile: kustomization(entry("api", "v2", ""))})
	got, err := Load(context.Background(), Request{Source: localSource(r.dir), Ref: "main", Paths: []string{kfile}, Images: []string{"api"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"v2", "v1"}, refsOf(got)); diff != "" || got[0].Commit != v2 {
		t.Errorf("refs (-want +got):\n%s", diff)
	}
}

func refsOf(rs []Release) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Ref())
	}
	return out
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	r.commit("Alice", "v1", map[string]string{kfile: kustomization(entry("api", "v1", ""))})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		req  Request
		want string
	}{
		{"no source", context.Background(), Request{Ref: "main", Paths: []string{kfile}}, "no source"},
		{"no ref", context.Background(), Request{Source: localSource(r.dir), Paths: []string{kfile}}, "no ref"},
		{"no paths", context.Background(), Request{Source: localSource(r.dir), Ref: "main"}, "no overlay file"},
		{"unknown ref", context.Background(), Request{Source: localSource(r.dir), Ref: "origin/nope", Paths: []string{kfile}}, "history of " + kfile + ": git log origin/nope: fatal: bad revision"},
		{"not a repo", context.Background(), Request{Source: localSource(t.TempDir()), Ref: "main", Paths: []string{kfile}}, "not a git repository"},
		{"cancelled", cancelled, Request{Source: localSource(r.dir), Ref: "main", Paths: []string{kfile}}, "git log main"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(tc.ctx, tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestReadBlobs(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	sha := r.commit("Alice", "files", map[string]string{"a b.yaml": "spaces\n", "empty.txt": "x", "dir/f": "in dir"})
	got, err := localSource(r.dir).ReadBlobs(context.Background(), []string{sha + ":a b.yaml", sha + ":missing", sha + ":dir", sha + ":dir/f", sha + ":empty.txt"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{sha + ":a b.yaml": []byte("spaces\n"), sha + ":dir/f": []byte("in dir"), sha + ":empty.txt": []byte("x")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("blobs (-want +got):\n%s", diff)
	}
	if _, err := (localSource(r.dir)).ReadBlobs(context.Background(), []string{"HEAD:a\nb"}); err == nil {
		t.Error("a spec with a line break was accepted")
	}
}

func TestLogFields(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	first := r.commit("Alice", "first", map[string]string{kfile: "a", pfile: "p"})
	blobA := r.git("rev-parse", first+":"+kfile)
	blobP := r.git("rev-parse", first+":"+pfile)
	when := r.date()
	second := r.commit("Bob", "Release (#5)\n\nBody line\nwith \x1f odd bytes\n\nGito-Service: api\nGito-Version: v2", map[string]string{kfile: "b"})
	blobB := r.git("rev-parse", second+":"+kfile)
	third := r.commit("Carol", "drop the patch", map[string]string{pfile: ""})
	got, err := localSource(r.dir).Log(context.Background(), "main", []string{kfile, pfile}, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Commit{
		{SHA: third, Parents: []string{second}, AuthorName: "Carol", AuthorEmail: "carol@example.com", Date: when.Add(time.Minute),
			Subject: "drop the patch", Blobs: map[string]string{pfile: ""}},
		{SHA: second, Parents: []string{first}, AuthorName: "Bob", AuthorEmail: "bob@example.com", Date: when,
			Subject: "Release (#5)", Body: "Body line\nwith \x1f odd bytes\n\nGito-Service: api\nGito-Version: v2",
			Trailers: map[string]string{"Gito-Service": "api", "Gito-Version": "v2"}, Blobs: map[string]string{kfile: blobB}},
		{SHA: first, AuthorName: "Alice", AuthorEmail: "alice@example.com", Date: epoch, Subject: "first",
			Blobs: map[string]string{kfile: blobA, pfile: blobP}},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("commits (-want +got):\n%s", diff)
	}
}

// blindSource hides the blob ids of the log, as a Source built on another git library may.
type blindSource struct{ Source }

func (b blindSource) Log(ctx context.Context, ref string, paths []string, limit int) ([]Commit, error) {
	cs, err := b.Source.Log(ctx, ref, paths, limit)
	for i := range cs {
		cs[i].Blobs = nil
	}
	return cs, err
}

func TestLoadWithoutBlobIDs(t *testing.T) {
	t.Parallel()
	r, _ := mixedHistory(t)
	for _, limit := range []int{0, 3} {
		req := Request{Source: localSource(r.dir), Ref: "main", Paths: []string{kfile, pfile}, Images: []string{"api"}, Limit: limit}
		want, err := Load(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		req.Source = blindSource{req.Source}
		got, err := Load(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" || len(got) == 0 {
			t.Errorf("limit %d: releases read by commit:path differ from those read by blob id (-id +path):\n%s", limit, diff)
		}
	}
}

func TestLoadFileDeletedAndRestored(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	r.commit("Alice", "unrelated root", map[string]string{"README.md": "x"})
	v1 := r.commit("Alice", "v1", map[string]string{kfile: kustomization(entry("api", "v1", ""))})
	r.commit("Bob", "remove the overlay", map[string]string{kfile: ""})
	r.commit("Bob", "restore the overlay", map[string]string{kfile: kustomization(entry("api", "v1", ""))})
	v2 := r.commit("Carol", "v2 (#4)", map[string]string{kfile: kustomization(entry("api", "v2", ""))})
	got, err := Load(context.Background(), Request{Source: localSource(r.dir), Ref: "main", Paths: []string{kfile}, Images: []string{"api"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []summary{{"v2", v2, "Carol", 4, true}, {"v1", v1, "Alice", 0, false}}
	if diff := cmp.Diff(want, summarise(got)); diff != "" {
		t.Errorf("releases (-want +got):\n%s", diff)
	}
}

func TestSentinelErrors(t *testing.T) {
	t.Parallel()
	if _, err := Find(nil, "v1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Find on empty history: %v, want ErrNotFound", err)
	}
}
