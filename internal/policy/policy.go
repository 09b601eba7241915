// Package policy evaluates the guardrails an infra repo keeps in git: locks
// (.gito/locks.yaml), freeze windows and promotion gates (.gito.yaml), for release, promote
// and `gito verify --policy`. It reads what it is given (config, lock file bytes, a clock, a
// source of deployments) and never touches git, a terminal or the network itself.
package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	_ "time/tzdata" // freeze windows name IANA zones; a CI image may lack the zone database

	"github.com/gito-dev/gito/internal/config"
)

// Kinds of violation, as --json reports them.
const (
	KindLock     = "lock"
	KindFreeze   = "freeze"
	KindGate     = "gate"
	KindLockFile = "lockfile" // .gito/locks.yaml changed without a trusted signature
	KindOverride = "override" // an override claimed where it is not allowed
	KindInvalid  = "invalid"  // the policy itself does not parse
)

// Violation is one reason a change may not go in: one line.
type Violation struct {
	Kind    string    `json:"kind"`
	Service string    `json:"service,omitempty"`
	Env     string    `json:"env,omitempty"`
	Message string    `json:"message"`
	Until   time.Time `json:"until,omitzero"` // when it will pass, when that is known
}

// Overridable reports whether --override may pass it: locks and freezes, not gates.
func (v Violation) Overridable() bool { return v.Kind == KindLock || v.Kind == KindFreeze }

// Refused is a release or promote refused by the policy; its message is one line.
type Refused struct{ Violations []Violation }

func (e *Refused) Error() string {
	msgs := make([]string, 0, len(e.Violations))
	for _, v := range e.Violations {
		msgs = append(msgs, v.Message)
	}
	return strings.Join(msgs, "; ")
}

// Policy is the guardrails of one infra repo at one commit.
type Policy struct {
	Repo  *config.Repo
	Locks Locks
}

// Scope lists the names whose locks and freezes hold env: env itself and every group it is
// a member of. For a group, its members are targets of their own (see Targets).
func Scope(repo *config.Repo, env string) []string {
	scope := []string{env}
	for _, g := range repo.Groups() {
		if slices.Contains(repo.Members(g), env) {
			scope = append(scope, g)
		}
	}
	return scope
}

// Targets lists the envs a change to env writes: a group's members and the group, or env.
func Targets(repo *config.Repo, env string) []string {
	if !repo.IsGroup(env) {
		return []string{env}
	}
	return append([]string{env}, repo.Members(env)...)
}

// Holds returns the locks and freeze windows that hold service in env (for a group: in the
// group or any member) at now. An error is a freeze window that does not parse.
func (p Policy) Holds(service, env string, now time.Time) ([]Violation, error) {
	var out []Violation
	seen := map[string]bool{}
	for _, target := range Targets(p.Repo, env) {
		for _, name := range Scope(p.Repo, target) {
			if seen[name] {
				continue
			}
			seen[name] = true
			for _, l := range p.Locks.Holding(service, []string{name}) {
				out = append(out, Violation{Kind: KindLock, Service: service, Env: env, Message: l.Describe()})
			}
			windows, err := p.Repo.FreezeWindows(name)
			if err != nil {
				return nil, err
			}
			if f, ok := Frozen(windows, now); ok {
				out = append(out, Violation{Kind: KindFreeze, Service: service, Env: env, Until: f.Until, Message: describeFreeze(name, f)})
			}
		}
	}
	return out, nil
}

func describeFreeze(env string, f Freeze) string {
	where := config.FileName
	if f.Window.Line > 0 {
		where = fmt.Sprintf("%s:%d", config.FileName, f.Window.Line)
	}
	return fmt.Sprintf("%s is frozen by %q (%s %s) until %s", env, f.Window.Text, where, f.Window.Key,
		f.Until.In(f.Window.Zone).Format("Mon 2006-01-02 15:04 MST"))
}
