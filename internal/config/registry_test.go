package config

import (
	"slices"
	"strings"
	"testing"
)

func TestRegistryKeys(t *testing.T) {
	t.Parallel()
	r, err := ParseRepo([]byte("registry:\n  check: true\npolicy:\n  forbidTags: [latest, main]\nenvironments:\n  prod:\n    pinDigest: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Registry.Check || !r.PinDigest("prod") || r.PinDigest("dev") {
		t.Errorf("check=%t pin(prod)=%t pin(dev)=%t", r.Registry.Check, r.PinDigest("prod"), r.PinDigest("dev"))
	}
	if err := r.CheckTag("main"); err == nil || !strings.Contains(err.Error(), "policy.forbidTags in .gito.yaml") {
		t.Errorf("CheckTag(main) = %v", err)
	}
	if err := r.CheckTag("v1.2.3"); err != nil {
		t.Errorf("CheckTag(v1.2.3) = %v", err)
	}
}

func TestForbidTagsDefault(t *testing.T) {
	t.Parallel()
	def, _ := ParseRepo(nil)
	if err := def.CheckTag("latest"); err == nil {
		t.Error("latest is allowed by default")
	}
	if def.Registry.Check {
		t.Error("registry.check is on by default")
	}
	none, err := ParseRepo([]byte("policy:\n  forbidTags: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(none.ForbiddenTags(), []string{}) || none.CheckTag("latest") != nil {
		t.Errorf("an explicit empty list should allow latest, got %v", none.ForbiddenTags())
	}
}

func TestForbidTagsInvalid(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{`[""]`, `["a b"]`, `["v1@sha256:` + strings.Repeat("a", 64) + `"]`} {
		_, err := ParseRepo([]byte("policy:\n  forbidTags: " + bad + "\n"))
		if err == nil || !strings.Contains(err.Error(), "key policy.forbidTags[0]") {
			t.Errorf("forbidTags %s: err = %v", bad, err)
		}
	}
	if _, err := ParseRepo([]byte("registry:\n  chek: true\n")); err == nil || !strings.Contains(err.Error(), "chek") {
		t.Errorf("typo in registry key: err = %v", err)
	}
}
