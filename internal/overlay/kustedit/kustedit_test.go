package kustedit

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestKustomizationImages(t *testing.T) {
	t.Parallel()
	src := "images:\n- name: api\n  newName: registry.example.com/team/api\n  newTag: \"1.10\"\n  digest: " + oldDigest +
		"\n- {name: web, newTag: v3}\n- name: worker\n  newTag:\nresources: [../base]\n"
	got, err := KustomizationImages([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Name: "api", NewName: "registry.example.com/team/api", NewTag: "1.10", Digest: oldDigest},
		{Name: "web", NewTag: "v3"},
		{Name: "worker"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("KustomizationImages = %+v, want %+v", got, want)
	}
	for _, empty := range []string{"", "# comment only\n", "resources: []\n", "images:\n", "images: []\n"} {
		if got, err := KustomizationImages([]byte(empty)); err != nil || len(got) != 0 {
			t.Errorf("KustomizationImages(%q) = %v, %v; want no entries", empty, got, err)
		}
	}
}

// yaml.v3 counts columns in runes and also breaks lines at NEL, LS and PS; offsets must
// follow it exactly or the edit lands in the wrong bytes.
func TestOffsetsFollowYAMLLineAndColumnRules(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, src, want string }{
		{
			name: "line separator inside a quoted string",
			src:  "description: \"a\u2028b\"\nimages:\n- name: api\n  newTag: v1\n",
			want: "description: \"a\u2028b\"\nimages:\n- name: api\n  newTag: v2\n",
		},
		{
			name: "NEL and PS in comments",
			src:  "# ab\u0085\n# c\u2029\nimages:\n- {name: \"日本語\", newTag: v0}  # é\n- {name: api, newTag: v1}\n",
			want: "# ab\u0085\n# c\u2029\nimages:\n- {name: \"日本語\", newTag: v0}  # é\n- {name: api, newTag: v2}\n",
		},
		{
			name: "multi-byte runes before the scalar on its line",
			src:  "images: [{name: \"ünï\", newTag: x}, {name: api, newTag: v1}] # ✓\n",
			want: "images: [{name: \"ünï\", newTag: x}, {name: api, newTag: v2}] # ✓\n",
		},
		{
			name: "byte order mark",
			src:  "\ufeffimages: [{name: api, newTag: v1}]\n",
			want: "\ufeffimages: [{name: api, newTag: v2}]\n",
		},
		{
			name: "old Mac line ends",
			src:  "images:\r- name: api\r  newTag: v1\r",
			want: "images:\r- name: api\r  newTag: v2\r",
		},
		{
			name: "tab before a value",
			src:  "images:\n- name:\tapi\n  newTag:\t\"v1\"\t# ü\n",
			want: "images:\n- name:\tapi\n  newTag:\t\"v2\"\t# ü\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, _, err := SetKustomizationImages([]byte(tt.src), Target{Names: apiNames, Tag: "v2"})
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("got\n%q\nwant\n%q", out, tt.want)
			}
		})
	}
}

func TestAppendAddsLinesInTheFileStyle(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, src, want string }{
		{"empty file", "", "images:\n- name: api\n  newTag: v2\n"},
		{"document marker only", "---\n", "---\nimages:\n- name: api\n  newTag: v2\n"},
		{"null images", "images: ~ # none\n", "images: # none\n- name: api\n  newTag: v2\n"},
		{"flow entry list", "images:\n  - {\"name\": \"web\", \"newTag\": \"v3\"}\n", "images:\n  - {\"name\": \"web\", \"newTag\": \"v3\"}\n  - {\"name\": \"api\", \"newTag\": \"v2\"}\n"},
		{"indented entry keys", "images:\n-   name: web\n    newTag: 'v3'\n", "images:\n-   name: web\n    newTag: 'v3'\n-   name: api\n    newTag: 'v2'\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, ch, err := AppendKustomizationImage([]byte(tt.src), "api", Target{Tag: "v2"})
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("got\n%q\nwant\n%q", out, tt.want)
			}
			if !ch.Appended || ch.Image != "api" || ch.NewTag != "v2" {
				t.Errorf("change = %+v", ch)
			}
			if line := strings.Split(string(out), "\n")[ch.Line-1]; !strings.Contains(line, "api") {
				t.Errorf("change line %d is %q, not the new entry", ch.Line, line)
			}
		})
	}
}

func TestSetReportsEveryChange(t *testing.T) {
	t.Parallel()
	src := "images:\n- name: api\n  newTag: v1\n  digest: " + oldDigest + "\n- name: legacy\n  newName: api\n"
	out, changes, err := SetKustomizationImages([]byte(src), Target{Names: apiNames, Tag: "v2"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{Image: "api", OldTag: "v1", OldDigest: oldDigest, NewTag: "v2", DigestRemoved: true, Line: 3},
		{Image: "legacy", NewTag: "v2", Line: 6},
	}
	if !slices.Equal(changes, want) {
		t.Errorf("changes = %+v\nwant %+v", changes, want)
	}
	if bytes.Contains(out, []byte("digest")) {
		t.Errorf("stale digest kept:\n%s", out)
	}
}

func BenchmarkSetKustomizationImages(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("testdata", "golden", "comments-everywhere.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	target := Target{Names: apiNames, Tag: "v2", Digest: newDigest}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := SetKustomizationImages(src, target); err != nil {
			b.Fatal(err)
		}
	}
}
