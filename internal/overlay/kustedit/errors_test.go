package kustedit

import (
	"errors"
	"strings"
	"testing"
)

func TestRefusals(t *testing.T) {
	t.Parallel()
	release := Target{Names: apiNames, Tag: "v2"}
	tests := []struct {
		name    string
		op      editOp
		src     string
		target  Target
		wantErr string
		noMatch bool
	}{
		{name: "malformed YAML", src: "images: [{name: api\n", wantErr: "parse YAML"},
		{name: "tab indentation", src: "images:\n\t- name: api\n", wantErr: "parse YAML"},
		{name: "duplicate key", src: "images:\n- name: api\n  newTag: v1\n  newTag: v0\n", wantErr: `mapping key "newTag" already defined at line 3`},
		{name: "duplicate top-level key", src: "images: []\nimages: []\n", wantErr: "already defined"},
		{name: "images is a string", src: "images: api\n", wantErr: "images is not a list"},
		{name: "images is a mapping", src: "images:\n  name: api\n", wantErr: "images is not a list"},
		{name: "entry is a string", src: "images:\n- api\n", wantErr: "images entry is not a mapping"},
		{name: "alias on newTag", src: "x: &t v1\nimages:\n- name: api\n  newTag: *t\n", wantErr: "newTag is an alias"},
		{name: "anchor on newTag", src: "images:\n- name: api\n  newTag: &t v1\nx: *t\n", wantErr: "newTag carries an anchor"},
		{name: "anchor on images", src: "images: &i\n- name: api\n  newTag: v1\n", wantErr: "anchor or alias"},
		{name: "alias entry", src: "x: &e {name: api, newTag: v1}\nimages:\n- *e\n", wantErr: "anchor or alias"},
		{name: "merge key entry", src: "x: &e {name: api}\nimages:\n- <<: *e\n  newTag: v1\n", wantErr: "merge key"},
		{name: "non-mapping document", src: "- name: api\n  newTag: v1\n", wantErr: "kustomization is not a mapping"},
		{name: "scalar document", src: "just text\n", wantErr: "kustomization is not a mapping"},
		{name: "two documents", src: "images: []\n---\nresources: []\n", wantErr: "one YAML document"},
		{name: "binary junk", src: "\x00\xff\xfe\x01images", wantErr: "not valid UTF-8"},
		{name: "UTF-16", src: "\xff\xfei\x00m\x00", wantErr: "not valid UTF-8"},
		{name: "control character", src: "images:\x01\n", wantErr: "parse YAML"},
		{name: "empty file", src: "", noMatch: true},
		{name: "only comments", src: "# nothing\n", noMatch: true},
		{name: "no images key", src: "resources:\n- ../base\n", noMatch: true},
		{name: "no matching entry", src: "images:\n- name: web\n  newTag: v1\n", wantErr: "found: web", noMatch: true},
		{name: "docker.io is not normalised", src: "images:\n- name: docker.io/library/api\n  newTag: v1\n", noMatch: true},
		{name: "block scalar tag", src: "images:\n- name: api\n  newTag: |\n    v1\n", wantErr: "block scalar"},
		{name: "multi-line plain tag", src: "images:\n- name: api\n  newTag: v1\n    beta\n", wantErr: "multi-line plain scalar"},
		{name: "newTag is a list", src: "images:\n- name: api\n  newTag: [v1]\n", wantErr: "newTag is not a string"},
		{name: "newTag tagged int", src: "images:\n- name: api\n  newTag: !!int 7\n", wantErr: "carries the tag !!int"},
		{name: "invalid tag", src: "images:\n- name: api\n", target: Target{Names: apiNames, Tag: "v1 beta"}, wantErr: `invalid image tag "v1 beta"`},
		{name: "empty tag", src: "images:\n- name: api\n", target: Target{Names: apiNames}, wantErr: "invalid image tag"},
		{name: "invalid digest", src: "images:\n- name: api\n", target: Target{Names: apiNames, Tag: "v2", Digest: "sha256:"}, wantErr: "invalid image digest"},
		{name: "no names", src: "images:\n- name: api\n", target: Target{Tag: "v2"}, wantErr: "no image names"},
		{name: "append duplicate", op: opAppend, src: "images:\n- name: api\n  newTag: v1\n", wantErr: "already has an entry for api"},
		{name: "append to flow root", op: opAppend, src: "{resources: [a]}\n", wantErr: "flow-style kustomization"},
		{name: "append before a document", op: opAppend, src: "resources: []\n---\n", wantErr: "followed by another YAML document"},
		{name: "patch without the image", op: opPatch, src: "spec:\n  containers:\n  - name: web\n    image: web:v1\n", wantErr: "found: web:v1", noMatch: true},
		{name: "patch malformed", op: opPatch, src: "spec: [\n", wantErr: "parse YAML"},
		{name: "patch image alias", op: opPatch, src: "x: &i api:v1\nspec:\n  containers:\n  - image: *i\n", wantErr: "image is an alias"},
		{name: "patch empty", op: opPatch, src: "", noMatch: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			target := tt.target
			if target.Names == nil && target.Tag == "" {
				target = release
			}
			out, _, err := runOp(goldenCase{op: tt.op, target: target}, []byte(tt.src))
			if err == nil {
				t.Fatalf("edit succeeded, want an error; output:\n%s", out)
			}
			if out != nil {
				t.Errorf("output %q returned with an error", out)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans several lines: %q", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
			if got := errors.Is(err, ErrNoMatch); got != tt.noMatch {
				t.Errorf("errors.Is(err, ErrNoMatch) = %v, want %v (err: %v)", got, tt.noMatch, err)
			}
		})
	}
}

func TestKustomizationImagesRefusesWhatSetRefuses(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"images: api\n", "images:\n- name: [a]\n", "a: 1\na: 2\n", "- a\n"} {
		if entries, err := KustomizationImages([]byte(src)); err == nil {
			t.Errorf("KustomizationImages(%q) = %v, want an error", src, entries)
		}
	}
}
