package testutil

import (
	"testing"
)

func TestRequireToolFindsGit(t *testing.T) {
	if got := RequireTool(t, "git", "apt-get install git"); got == "" {
		t.Fatal("RequireTool returned an empty path for git")
	}
}

func TestMissingToolFailsUnderCI(t *testing.T) {
	t.Setenv("CI", "true")
	rec := &recordingTB{TB: t}
	func() {
		defer func() { recover() }() // Fatalf on the recorder stops with a panic
		MissingTool(rec, "no-such-tool", "apt-get install no-such-tool")
	}()
	if !rec.failed || rec.skipped {
		t.Fatalf("under CI a missing tool must fail, not skip: failed=%t skipped=%t", rec.failed, rec.skipped)
	}
}

func TestMissingToolSkipsOutsideCI(t *testing.T) {
	t.Setenv("CI", "")
	rec := &recordingTB{TB: t}
	func() {
		defer func() { recover() }()
		MissingTool(rec, "no-such-tool", "apt-get install no-such-tool")
	}()
	if rec.failed || !rec.skipped {
		t.Fatalf("outside CI a missing tool must skip: failed=%t skipped=%t", rec.failed, rec.skipped)
	}
}

// recordingTB records Fatalf and Skipf instead of stopping the real test.
type recordingTB struct {
	testing.TB
	failed, skipped bool
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Fatalf(string, ...any) {
	r.failed = true
	panic("fatal")
}
func (r *recordingTB) Skipf(string, ...any) {
	r.skipped = true
	panic("skip")
}

func TestRequireToolsFailsOnAnyMissing(t *testing.T) {
	t.Setenv("CI", "true")
	rec := &recordingTB{TB: t}
	func() {
		defer func() { recover() }()
		RequireTools(rec, "git", "no-such-tool")
	}()
	if !rec.failed {
		t.Fatal("a missing tool among several must fail under CI")
	}
}
