package history

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadImages(t *testing.T) {
	t.Parallel()
	d := digest('c')
	for _, tc := range []struct {
		name    string
		file    string
		want    []ImageRef
		wantErr bool
	}{
		{"kustomization", "images:\n  - name: api\n    newName: registry.example.com/team/api\n    newTag: v2\n    digest: " + d + "\n  - name: envoy\n    newTag: \"1.31\"\n  - newTag: nameless\n",
			[]ImageRef{{Name: "api", NewName: "registry.example.com/team/api", Tag: "v2", Digest: d}, {Name: "envoy", Tag: "1.31"}}, false},
		{"strategic merge patch", "kind: Deployment\nspec:\n  template:\n    spec:\n      initContainers:\n        - image: busybox\n      containers:\n        - name: api\n          image: registry:5000/team/api:v3@" + d + "\n",
			[]ImageRef{{Name: "busybox"}, {Name: "registry:5000/team/api", Tag: "v3", Digest: d}}, false},
		{"json 6902 patch", "- op: replace\n  path: /spec/template/spec/containers/0/image\n  value: api:v4\n- op: add\n  path: /metadata/labels/x\n  value: y\n",
			[]ImageRef{{Name: "api", Tag: "v4"}}, false},
		{"several documents", "image: a:1\n---\n---\nimage: b@" + d + "\n",
			[]ImageRef{{Name: "a", Tag: "1"}, {Name: "b", Digest: d}}, false},
		{"no images", "resources: [base]\n", nil, false},
		{"empty", "", nil, false},
		{"broken", "images: [\n", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadImages([]byte(tc.file))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("refs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestImageRefString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ref  ImageRef
		want string
	}{
		{ImageRef{Name: "api"}, "api"},
		{ImageRef{Name: "api", Tag: "v1"}, "api:v1"},
		{ImageRef{Name: "api", NewName: "reg/api", Tag: "v1", Digest: digest('d')}, "reg/api:v1@" + digest('d')},
		{ImageRef{Name: "api", Digest: digest('d')}, "api@" + digest('d')},
	} {
		if got := tc.ref.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.ref, got, tc.want)
		}
	}
}

func TestPRNumber(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		subject, body string
		want          int
	}{
		{"Merge pull request #12 from acme/gito/prod/api", "Release api v2", 12},
		{"Release api v2 (#34)", "", 34},
		{"Release api v2 (#34) ", "", 34},
		{"Merge branch 'gito/prod/api' into 'main'", "Release api v2\n\nSee merge request infra/deploy!56", 56},
		{"Merge branch 'x' into 'main'", "See merge request group/sub/proj!7\n", 7},
		{"Fix #12 in api", "", 0},
		{"Release api v2 (#34) and more", "", 0},
		{"Hand edit", "", 0},
	} {
		if got := PRNumber(tc.subject, tc.body); got != tc.want {
			t.Errorf("PRNumber(%q, %q) = %d, want %d", tc.subject, tc.body, got, tc.want)
		}
	}
}
