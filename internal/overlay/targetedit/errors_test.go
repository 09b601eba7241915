package targetedit

import (
	"strings"
	"testing"
)

func TestBadInputs(t *testing.T) {
	t.Parallel()
	values := "image:\n  repository: ghcr.io/acme/api\n  tag: v1\n"
	cases := []struct {
		name, src, expr string
		opts            Options
		want            string
	}{
		{"syntax error", values, ".image.tag |", Options{}, "expression .image.tag |:"},
		{"unclosed bracket", values, ".image[", Options{}, "expression .image[:"},
		{"empty expression", values, " ", Options{}, "is empty"},
		{"selects a map", values, ".image", Options{}, "selects a map at line 2"},
		{"selects a list", "images:\n- a\n- b\n", ".images", Options{}, "selects a list at line 2"},
		{"selects nothing", values, ".image.digest", Options{}, "selects nothing"},
		{"selects nothing, not a plain path", values, `.image | select(.x == "y") | .tag`, Options{Create: true}, "only a plain path"},
		{"three where one is expected", "a:\n  tag: v1\nb:\n  tag: v1\nc:\n  tag: v1\n", ".[].tag", Options{One: true}, "selects 3 scalars (lines 2, 4, 6) where one is expected"},
		{"three holding different values", "a:\n  tag: v1\nb:\n  tag: v3\nc:\n  tag: v7\n", ".[].tag", Options{OneValue: true}, `selects 3 scalars (lines 2, 4, 6) where one is expected: they hold different values ("v1", "v3", "v7")`},
		{"every container of a pod", "spec:\n  containers:\n  - name: api\n    image: ghcr.io/acme/api:v1\n  - name: proxy\n    image: envoy:v1.30\n", ".spec.containers[].image", Options{OneValue: true}, "selects 2 scalars (lines 4, 6) where one is expected"},
		{"alias", "base: &b v1\nimage:\n  tag: *b\n", ".image.tag", Options{}, "alias"},
		{"anchor used elsewhere", "image:\n  tag: &t v1\nother: *t\n", ".image.tag", Options{}, "anchored scalar &t at line 2, which the alias at line 3 also uses"},
		{"inside an aliased anchor", "defaults: &d\n  tag: v1\nimage: *d\n", ".image.tag", Options{}, "inside the anchor &d"},
		{"through a merge key", "defaults: &d\n  tag: v1\nimage:\n  <<: *d\n", ".image.tag", Options{}, "inside the anchor &d"},
		{"mapping key", values, `.image | keys | .[0]`, Options{}, "mapping key"},
		{"computed value", values, `.image.tag + "x"`, Options{}, "computed value"},
		{"tagged int", "image:\n  tag: !!int 1\n", ".image.tag", Options{}, "tagged !!int"},
		{"block scalar", "image:\n  tag: |\n    v1\n", ".image.tag", Options{}, "block scalar"},
		{"binary file", "\x00\xff\xfe\x01image", ".image.tag", Options{}, "not YAML: not valid UTF-8"},
		{"invalid YAML", "image: [\n", ".image.tag", Options{}, "not YAML"},
		{"duplicate key", "image:\n  tag: v1\n  tag: v2\n", ".image.tag", Options{}, "already defined"},
		{"create in a multi-doc file", "a: 1\n---\nb: 2\n", ".image.tag", Options{Create: true}, "several YAML documents"},
		{"create under a string", "image: ghcr.io/acme/api\n", ".image.tag", Options{Create: true}, "image at line 1 is not a map"},
		{"env is off", values, `.image.tag = env(HOME)`, Options{}, "env"},
		{"load is off", values, `load("/etc/passwd")`, Options{}, "expression load"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, changes, err := Set([]byte(tc.src), tc.expr, set("v2"), tc.opts)
			if err == nil {
				t.Fatalf("Set succeeded with %q, %v; want an error", out, changes)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Fatalf("error %q does not contain %q", msg, tc.want)
			}
			if strings.Contains(msg, "\n") {
				t.Fatalf("error is not one line: %q", msg)
			}
			if !strings.HasPrefix(msg, "expression "+tc.expr) {
				t.Fatalf("error %q does not name the expression first", msg)
			}
		})
	}
}
