package history

import (
	"errors"
	"strings"
	"testing"
)

// memberHistory builds a history, newest first: "v3*" is current, "v2@d" has digest d.
func memberHistory(member string, refs ...string) []Release {
	var out []Release
	for i, r := range refs {
		cur := strings.HasSuffix(r, "*")
		tag, digest, _ := strings.Cut(strings.TrimSuffix(r, "*"), "@")
		out = append(out, Release{Version: tag, Digest: digest, Current: cur, Commit: member + "-" + string(rune('a'+i))})
	}
	return out
}

func refList(rs []Release) string {
	var s []string
	for _, r := range rs {
		v := r.Ref()
		if r.Current {
			v += "*"
		}
		s = append(s, v)
	}
	return strings.Join(s, " ")
}

func TestGroupCommon(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		us, eu  []Release
		want    string
		running string
	}{
		{name: "in step", us: memberHistory("us", "v3*", "v2", "v1"), eu: memberHistory("eu", "v3*", "v2", "v1"), want: "v3* v2 v1", running: "v3"},
		{name: "a hotfix only one member ran is left out", us: memberHistory("us", "v3*", "v2.1", "v2", "v1"), eu: memberHistory("eu", "v3*", "v2", "v1"), want: "v3* v2 v1", running: "v3"},
		{name: "members that differ have no current", us: memberHistory("us", "v3*", "v2", "v1"), eu: memberHistory("eu", "v2*", "v1"), want: "v2 v1", running: "v3, v2"},
		{name: "the same tag with another digest is another release", us: memberHistory("us", "v2@sha256:a*", "v1"), eu: memberHistory("eu", "v2@sha256:b*", "v1"), want: "v1", running: "v2@sha256:a, v2@sha256:b"},
		{name: "a member without history", us: memberHistory("us", "v2*", "v1"), eu: nil, want: "", running: "v2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := Group{Name: "prod-all", Members: []string{"prod-us", "prod-eu"}, Releases: [][]Release{tt.us, tt.eu}}
			if got := refList(g.Common()); got != tt.want {
				t.Errorf("Common = %q, want %q", got, tt.want)
			}
			if got := g.Running(); got != tt.running {
				t.Errorf("Running = %q, want %q", got, tt.running)
			}
		})
	}
	// The common releases carry the first member's commits.
	g := Group{Members: []string{"us", "eu"}, Releases: [][]Release{memberHistory("us", "v2*", "v1"), memberHistory("eu", "v2*", "v1")}}
	if c := g.Common(); c[1].Commit != "us-b" {
		t.Errorf("Common()[1].Commit = %q, want the first member's", c[1].Commit)
	}
}

func TestGroupFind(t *testing.T) {
	t.Parallel()
	g := Group{Name: "prod-all", Members: []string{"prod-us", "prod-eu"},
		Releases: [][]Release{memberHistory("us", "v3*", "v2.1", "v2@sha256:a", "v1"), memberHistory("eu", "v3*", "v2@sha256:b", "v1")}}
	if r, err := g.Find("v1"); err != nil || r.Ref() != "v1" {
		t.Errorf("Find(v1) = %v, %v", r.Ref(), err)
	}
	tests := []struct{ version, want string }{
		{"v2.1", "member prod-eu: release not found: v2.1 is not among the 3 releases in the history"},
		{"v9", "member prod-us: release not found: v9 is not among the 4 releases in the history"},
		{"v2", "the members of prod-all ran different images as v2 (prod-us v2@sha256:a, prod-eu v2@sha256:b); roll them back one at a time"},
	}
	for _, tt := range tests {
		_, err := g.Find(tt.version)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrNotFound) {
			t.Errorf("Find(%s) = %v, want %q (ErrNotFound)", tt.version, err, tt.want)
		}
	}
}

func TestGroupPrevious(t *testing.T) {
	t.Parallel()
	g := Group{Name: "prod-all", Members: []string{"prod-us", "prod-eu"},
		Releases: [][]Release{memberHistory("us", "v3*", "v2.1", "v2", "v1"), memberHistory("eu", "v3*", "v2", "v1")}}
	// Steps count the versions every member ran: v2.1 (prod-us only) is not one.
	if r, err := g.Previous(1); err != nil || r.Ref() != "v2" {
		t.Errorf("Previous(1) = %v, %v; want v2", r.Ref(), err)
	}
	if _, err := g.Previous(3); !errors.Is(err, ErrNotFound) {
		t.Errorf("Previous(3) = %v, want ErrNotFound", err)
	}
	g.Releases[1] = memberHistory("eu", "v2*", "v1")
	_, err := g.Previous(1)
	want := "the members of prod-all do not run one version (prod-us v3, prod-eu v2), so there is no current release to count steps from; give --to"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Previous on diverged members = %v, want %q", err, want)
	}
}
