package policy

import (
	"context"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/config"
)

type fixedInventory []Target

func (f fixedInventory) Affected([]string) ([]Target, error) { return f, nil }

func TestCheckChange(t *testing.T) {
	t.Parallel()
	strict, _ := config.ParseRepo([]byte("environments:\n  staging:\n    freeze: [\"2026-12-10\"]\n"))
	lenient, _ := config.ParseRepo([]byte("policy:\n  allowOverride: true\n"))
	locks := Locks{{Env: "prod", Reason: "incident", Author: "alice", Line: 1}}
	now := utc("2026-12-10T12:00:00Z")
	prodAPI := fixedInventory{{Service: "api", Env: "prod"}}
	tests := []struct {
		name  string
		in    ChangeInput
		kinds string
		note  string
	}{
		{"clean", ChangeInput{Policy: Policy{Repo: strict}, Inventory: fixedInventory{{Service: "api", Env: "dev"}}}, "", ""},
		{"locked", ChangeInput{Policy: Policy{Repo: strict, Locks: locks}, Inventory: prodAPI}, "lock", ""},
		{"frozen", ChangeInput{Policy: Policy{Repo: strict}, Inventory: fixedInventory{{Service: "web", Env: "staging"}}}, "freeze", ""},
		{"override not allowed", ChangeInput{Policy: Policy{Repo: strict, Locks: locks}, Inventory: prodAPI,
			Commits: []Commit{{SHA: "abc", Override: "x", Trusted: true}}}, "override,lock", ""},
		{"override unsigned", ChangeInput{Policy: Policy{Repo: lenient, Locks: locks}, Inventory: prodAPI,
			Commits: []Commit{{SHA: "abc", Override: "x", Problem: "the commit is not signed"}}}, "override,lock", ""},
		{"override trusted", ChangeInput{Policy: Policy{Repo: lenient, Locks: locks}, Inventory: prodAPI,
			Commits: []Commit{{SHA: "abc", Override: "hotfix", Trusted: true, Signer: "dev"}}}, "", "passed by the override in commit abc signed by dev: hotfix"},
		{"lock file untrusted", ChangeInput{Policy: Policy{Repo: strict}, Inventory: fixedInventory{},
			LockFile: &LockFileChange{Data: []byte("[]\n"), Problem: "no signature"}}, "lockfile", ""},
		{"lock file broken but signed", ChangeInput{Policy: Policy{Repo: strict}, Inventory: fixedInventory{},
			LockFile: &LockFileChange{Data: []byte("env: prod\n"), Trusted: true}}, "invalid", ""},
	}
	for _, tt := range tests {
		tt.in.Now = now
		rep, err := CheckChange(context.Background(), tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var kinds []string
		for _, v := range rep.Violations {
			kinds = append(kinds, v.Kind)
		}
		if strings.Join(kinds, ",") != tt.kinds {
			t.Errorf("%s: kinds = %v, want %s (%+v)", tt.name, kinds, tt.kinds, rep.Violations)
		}
		if tt.note != "" && (len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], tt.note)) {
			t.Errorf("%s: notes = %q", tt.name, rep.Notes)
		}
	}
}
