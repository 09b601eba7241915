package history

import (
	"errors"
	"strings"
	"testing"
)

func rel(tag, dig, commit string) Release {
	return Release{Version: tag, Digest: dig, Commit: commit, Images: []ImageRef{{Name: "api", Tag: tag, Digest: dig}}}
}

func TestFind(t *testing.T) {
	t.Parallel()
	a, b := digest('a'), digest('b')
	releases := []Release{
		rel("v3", "", "c6"),
		rel("v1", "", "c5"), // rolled back to v1 once already
		rel("v2", b, "c4"),
		rel("v2", a, "c3"),
		rel("v1", "", "c2"),
		rel("", a, "c1"),
	}
	releases[0].Current = true
	for _, tc := range []struct {
		version    string
		wantCommit string
		wantErr    error
		errHas     string
	}{
		{"v3", "c6", nil, ""},
		{"v1", "c5", nil, ""}, // same reference twice: the newest, not ambiguous
		{"v2@" + b, "c4", nil, ""},
		{"v2@" + a, "c3", nil, ""},
		{"@" + a, "c1", nil, ""},
		{"v2", "", ErrAmbiguous, "v2 matches v2@" + b + " (commit c4), v2@" + a + " (commit c3); give the digest"},
		{"v2@" + digest('f'), "", ErrNotFound, "is not among the 6 releases"},
		{"v9", "", ErrNotFound, "v9 is not among the 6 releases"},
	} {
		got, err := Find(releases, tc.version)
		if !errors.Is(err, tc.wantErr) || (err != nil && !strings.Contains(err.Error(), tc.errHas)) {
			t.Errorf("Find(%q) err = %v, want %v containing %q", tc.version, err, tc.wantErr, tc.errHas)
			continue
		}
		if got.Commit != tc.wantCommit {
			t.Errorf("Find(%q) = commit %q, want %q", tc.version, got.Commit, tc.wantCommit)
		}
	}
}

func TestPrevious(t *testing.T) {
	t.Parallel()
	releases := []Release{rel("v3", "", "c3"), rel("v2", "", "c2"), rel("v1", "", "c1")}
	for _, tc := range []struct {
		steps      int
		wantCommit string
		errHas     string
	}{
		{1, "c2", ""},
		{2, "c1", ""},
		{3, "", "3 steps back, but only 2 earlier releases"},
		{0, "", "steps must be at least 1"},
		{-1, "", "steps must be at least 1"},
	} {
		got, err := Previous(releases, tc.steps)
		if (err == nil) != (tc.errHas == "") || (err != nil && !strings.Contains(err.Error(), tc.errHas)) {
			t.Errorf("Previous(%d) err = %v, want %q", tc.steps, err, tc.errHas)
			continue
		}
		if got.Commit != tc.wantCommit {
			t.Errorf("Previous(%d) = %q, want %q", tc.steps, got.Commit, tc.wantCommit)
		}
	}
	if _, err := Previous(nil, 1); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "1 step back, but only 0 earlier releases") {
		t.Errorf("Previous on empty history: %v", err)
	}
	if _, err := Previous(releases[1:], 2); err == nil || !strings.Contains(err.Error(), "2 steps back, but only 1 earlier release in") {
		t.Errorf("Previous(2) on two releases: %v", err)
	}
}
