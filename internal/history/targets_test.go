package history

import (
	"strings"
	"testing"
)

func TestTargetReader(t *testing.T) {
	t.Parallel()
	digest := "sha256:" + strings.Repeat("a", 64)
	helm := TargetReader("ghcr.io/acme/api", []TargetExpr{{".image.tag", "{tag}"}, {".image.digest", "{digest}"}})
	refs, err := helm([]byte("image:\n  tag: v2\n  digest: " + digest + "\n"))
	if err != nil || len(refs) != 1 || refs[0] != (ImageRef{Name: "ghcr.io/acme/api", Tag: "v2", Digest: digest}) {
		t.Fatalf("helm = %+v, %v", refs, err)
	}
	inTag := TargetReader("api", []TargetExpr{{".image.tag", "{tag}"}})
	if refs, _ := inTag([]byte("image:\n  tag: v2@" + digest + "\n")); len(refs) != 1 || refs[0].Tag != "v2" || refs[0].Digest != digest {
		t.Fatalf("tag@digest = %+v", refs)
	}
	manifest := TargetReader("api", []TargetExpr{{".spec.containers[0].image", "{image}:{tag}"}})
	if refs, _ := manifest([]byte("spec:\n  containers:\n  - image: registry:5000/acme/api:v3\n")); len(refs) != 1 || refs[0] != (ImageRef{Name: "registry:5000/acme/api", Tag: "v3"}) {
		t.Fatalf("manifest = %+v", refs)
	}
	if refs, err := inTag([]byte("replicas: 1\n")); err != nil || refs != nil {
		t.Fatalf("absent = %+v, %v", refs, err)
	}
}
