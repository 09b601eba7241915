package release

import (
	"strings"
	"testing"
)

func TestAddOverride(t *testing.T) {
	t.Parallel()
	p := &Plan{Commit: "release(prod): api v1 -> v2\n\nGito-Service: api\nGito-Env: prod\n", Body: "Releases api.\n"}
	p.AddOverride("hotfix 4711", []string{"prod is locked (.gito/locks.yaml:2) by alice: incident"})
	if !strings.HasSuffix(p.Commit, "Gito-Env: prod\nGito-Override: hotfix 4711\n") {
		t.Errorf("commit = %q", p.Commit)
	}
	if !strings.Contains(p.Body, "### Override\n\nhotfix 4711\n") || !strings.Contains(p.Body, "- prod is locked (.gito/locks.yaml:2) by alice: incident\n") {
		t.Errorf("body = %q", p.Body)
	}
	noop := &Plan{Noop: true}
	noop.AddOverride("x", nil)
	if noop.Commit != "" || noop.Body != "" {
		t.Error("a noop plan carries no override")
	}
}
