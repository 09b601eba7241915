package release

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/templates"
)

// infraCopy copies the example infra repo into a temp dir.
func infraCopy(t *testing.T) string {
	t.Helper()
	src, err := filepath.Abs("../../integration/testdata/infra")
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

type fakeSigner struct{ signed []string }

func (s *fakeSigner) SignFile(rel string, data []byte) ([]byte, error) {
	s.signed = append(s.signed, rel)
	return []byte("SIG(" + rel + ")\n"), nil
}
func (s *fakeSigner) Identity() string { return "dev@example.com (SHA256:abc)" }

func input(t *testing.T, root string) Input {
	repo, err := config.LoadRepo(root)
	if err != nil {
		t.Fatal(err)
	}
	return Input{Root: root, Repo: repo, Service: "api", Env: "prod", Version: config.Version{Tag: "v2.3.1"}, Base: "main"}
}

func TestMakePlan(t *testing.T) {
	t.Parallel()
	root := infraCopy(t)
	in := input(t, root)
	signer := &fakeSigner{}
	in.Signer = signer
	in.Labels = []string{"hotfix", "prod"}
	in.Reviewers = []string{"bob"}
	p, err := MakePlan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if p.Noop || p.Branch != "gito/prod/api" || p.From != "v2.3.0" || p.To.String() != "v2.3.1" {
		t.Fatalf("plan = %+v", p)
	}
	wantPaths := []string{"overlays/prod/api/kustomization.yaml", "overlays/prod/api/kustomization.yaml.sig"}
	if !slices.Equal(p.Paths(), wantPaths) {
		t.Errorf("Paths = %v, want %v", p.Paths(), wantPaths)
	}
	if !slices.Equal(signer.signed, wantPaths[:1]) {
		t.Errorf("signed %v", signer.signed)
	}
	if string(p.Files[1].After) != "SIG(overlays/prod/api/kustomization.yaml)\n" || p.Files[1].Before != nil {
		t.Errorf("signature file = %q (before %q)", p.Files[1].After, p.Files[1].Before)
	}
	if !slices.Equal(p.Labels, []string{"release", "prod", "hotfix"}) {
		t.Errorf("Labels = %v: config first, flags added, no duplicates", p.Labels)
	}
	if !slices.Equal(p.Reviewers, []string{"alice", "acme/sre", "bob"}) {
		t.Errorf("Reviewers = %v", p.Reviewers)
	}
	if p.Title != "Release api v2.3.1 to prod" {
		t.Errorf("Title = %q", p.Title)
	}
	for _, want := range []string{"`v2.3.0` → `v2.3.1`", "| `registry.example.com/team/api` | `v2.3.0` | `v2.3.1` |",
		"+    newTag: \"v2.3.1\"   # released by gito", "Signed by: dev@example.com (SHA256:abc)",
		"gito rollback --service api --env prod --to v2.3.0"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("Body lacks %q:\n%s", want, p.Body)
		}
	}
	wantCommit := "release(prod): api v2.3.0 -> v2.3.1\n\n- registry.example.com/team/api: v2.3.0 -> v2.3.1\n\n" +
		"Gito-Service: api\nGito-Env: prod\nGito-Version: v2.3.1\nGito-Previous: v2.3.0\n"
	if p.Commit != wantCommit {
		t.Errorf("Commit =\n%q\nwant\n%q", p.Commit, wantCommit)
	}
	// Plan writes nothing.
	data, _ := os.ReadFile(filepath.Join(root, "overlays/prod/api/kustomization.yaml"))
	if !strings.Contains(string(data), `newTag: "v2.3.0"`) {
		t.Error("MakePlan modified the work tree")
	}
}

func TestMakePlanNoopAndRollback(t *testing.T) {
	t.Parallel()
	root := infraCopy(t)
	in := input(t, root)
	in.Version = config.Version{Tag: "v2.3.0"}
	p, err := MakePlan(context.Background(), in)
	if err != nil || !p.Noop || len(p.Files) != 0 {
		t.Fatalf("noop plan = %+v, %v", p, err)
	}

	in = input(t, root)
	in.Version = config.Version{Tag: "v2.2.9"}
	in.Rollback = true
	p, err = MakePlan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "Roll back api in prod from v2.3.0 to v2.2.9" || !strings.HasPrefix(p.Commit, "rollback(prod): api v2.3.0 -> v2.2.9") {
		t.Errorf("rollback texts: %q / %q", p.Title, p.Commit)
	}
}

func TestMakePlanRefusesDraftAutoMergeFromConfig(t *testing.T) {
	t.Parallel()
	root := infraCopy(t)
	in := input(t, root)
	in.Repo.Environments["prod"] = config.Environment{Draft: true}
	in.AutoMerge = true
	_, err := MakePlan(context.Background(), in)
	if err == nil || !strings.Contains(err.Error(), "environments.prod") {
		t.Fatalf("err = %v", err)
	}
}

func TestMakePlanTemplateErrorNamesFile(t *testing.T) {
	t.Parallel()
	root := infraCopy(t)
	dir := filepath.Join(root, ".gito", "templates")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, templates.PRTitle), []byte("{{.Nope}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := input(t, root)
	in.Templates = templates.Set{OverrideDir: dir, OverrideName: ".gito/templates"}
	_, err := MakePlan(context.Background(), in)
	// S10: the file is named as it is in the repo, not where this run checked it out.
	if err == nil || !strings.Contains(err.Error(), "template .gito/templates/"+templates.PRTitle+":") || strings.Contains(err.Error(), root) {
		t.Fatalf("err = %v, want the repo-relative template path", err)
	}
	if err := os.WriteFile(filepath.Join(dir, templates.PRTitle), []byte("two\nlines"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := MakePlan(context.Background(), in); err == nil || !strings.Contains(err.Error(), "one non-empty line") {
		t.Fatalf("err = %v", err)
	}
}

type fakeCommitter struct {
	root    string
	message string
	paths   []string
	err     error
}

func (c *fakeCommitter) Path() string { return c.root }
func (c *fakeCommitter) Commit(_ context.Context, msg string, paths []string) (string, error) {
	c.message, c.paths = msg, paths
	return "abc123", c.err
}

func TestApply(t *testing.T) {
	t.Parallel()
	root := infraCopy(t)
	in := input(t, root)
	in.Signer = &fakeSigner{}
	p, err := MakePlan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	c := &fakeCommitter{root: root}
	sha, err := Apply(context.Background(), c, p)
	if err != nil || sha != "abc123" {
		t.Fatalf("Apply = %q, %v", sha, err)
	}
	if c.message != p.Commit || !slices.Equal(c.paths, p.Paths()) {
		t.Errorf("committed %q %v", c.message, c.paths)
	}
	for _, f := range p.Files {
		got, err := os.ReadFile(filepath.Join(root, f.Path))
		if err != nil || string(got) != string(f.After) {
			t.Errorf("%s = %q, %v; want the planned bytes", f.Path, got, err)
		}
	}

	// Writing the same plan again finds the files changed since the plan: refused.
	if _, err := Apply(context.Background(), c, p); err == nil || !strings.Contains(err.Error(), "changed since the plan") {
		t.Errorf("second Apply err = %v", err)
	}
	root2 := infraCopy(t)
	p2, err := MakePlan(context.Background(), input(t, root2))
	if err != nil {
		t.Fatal(err)
	}
	c2 := &fakeCommitter{root: root2, err: errors.New("hook refused")}
	if _, err := Apply(context.Background(), c2, p2); err == nil || !strings.Contains(err.Error(), "commit on gito/prod/api: hook refused") {
		t.Errorf("err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Apply(ctx, c, p); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Apply err = %v", err)
	}
	if _, err := Apply(context.Background(), c, &Plan{Noop: true}); err == nil {
		t.Error("Apply of a noop plan should fail")
	}
}

func TestWriteFilesRefusesEscapes(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, bad := range []string{"../x", "/etc/passwd", "a/../../x", "."} {
		if err := writeFiles(root, []File{{Path: bad, After: []byte("x")}}); err == nil {
			t.Errorf("writeFiles(%q) succeeded", bad)
		}
	}
}

// recordingForge is an in-memory forge.Forge that records calls.
type recordingForge struct {
	calls []string
	fail  string
	raced *forge.PullRequest
}

func (f *recordingForge) GetPR(_ context.Context, n int) (*forge.PullRequest, error) {
	return &forge.PullRequest{Number: n, State: forge.StateOpen}, nil
}

func (f *recordingForge) ListOpenPRs(context.Context, string) ([]*forge.PullRequest, error) {
	return nil, nil
}

func (f *recordingForge) FindOpenPR(context.Context, string) (*forge.PullRequest, error) {
	return nil, nil
}
func (f *recordingForge) record(call string) error {
	f.calls = append(f.calls, call)
	if f.fail != "" && strings.HasPrefix(call, f.fail) {
		return errors.New("boom")
	}
	return nil
}
func (f *recordingForge) CreatePR(_ context.Context, pr forge.NewPullRequest) (*forge.PullRequest, error) {
	if err := f.record("create " + pr.Head + " " + pr.Base + " " + pr.Title); err != nil {
		return nil, err
	}
	if f.raced != nil {
		return f.raced, nil // the forge answered 409/422 with another run's PR
	}
	return &forge.PullRequest{Number: 7, URL: "https://forge/pr/7", Title: pr.Title, Body: pr.Body}, nil
}
func (f *recordingForge) UpdatePR(_ context.Context, n int, title, _ string) (*forge.PullRequest, error) {
	if err := f.record("update " + title); err != nil {
		return nil, err
	}
	return &forge.PullRequest{Number: n, URL: "https://forge/pr/x"}, nil
}
func (f *recordingForge) AddLabels(_ context.Context, _ int, l []string) error {
	return f.record("labels " + strings.Join(l, ","))
}
func (f *recordingForge) RequestReviewers(_ context.Context, _ int, r []string) error {
	return f.record("reviewers " + strings.Join(r, ","))
}
func (f *recordingForge) EnableAutoMerge(context.Context, int) error { return f.record("automerge") }

func TestPublish(t *testing.T) {
	t.Parallel()
	p := &Plan{Branch: "gito/prod/api", Base: "main", Title: "T", Body: "B", Labels: []string{"a"}, Reviewers: []string{"r"}, AutoMerge: true}

	f := &recordingForge{}
	got, err := Publish(context.Background(), f, p, nil)
	if err != nil || got.Action != ActionCreated || got.PR.Number != 7 {
		t.Fatalf("Publish = %+v, %v", got, err)
	}
	want := []string{"create gito/prod/api main T", "labels a", "reviewers r", "automerge"}
	if !slices.Equal(f.calls, want) {
		t.Errorf("calls = %q, want %q", f.calls, want)
	}

	f = &recordingForge{}
	got, err = Publish(context.Background(), f, p, &forge.PullRequest{Number: 3})
	if err != nil || got.Action != ActionUpdated || got.PR.Number != 3 || f.calls[0] != "update T" {
		t.Fatalf("Publish(existing) = %+v, %v, calls %q", got, err, f.calls)
	}

	// Item 6: a create that lands on another run's PR (409/422) updates it to this release.
	f = &recordingForge{raced: &forge.PullRequest{Number: 9, Title: "Release api v1 to prod", Body: "old"}}
	got, err = Publish(context.Background(), f, p, nil)
	if err != nil || got.Action != ActionUpdated || got.PR.Number != 9 || !slices.Equal(f.calls[:2], []string{"create gito/prod/api main T", "update T"}) {
		t.Fatalf("Publish(raced) = %+v, %v, calls %q", got, err, f.calls)
	}

	f = &recordingForge{fail: "reviewers"}
	if _, err := Publish(context.Background(), f, p, nil); err == nil || !strings.Contains(err.Error(), "request reviewers on #7: boom") {
		t.Errorf("err = %v", err)
	}
}
