package policy

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gito-dev/gito/internal/config"
)

// Target is one (service, env) overlay a change writes.
type Target struct {
	Service string `json:"service"`
	Env     string `json:"env"`
}

// Inventory maps the paths a change touches to the overlays they change: an overlay's own
// files, and a shared base every overlay that builds on it. Today the layout engine answers
// (internal/policy/affected); the repo inventory will.
type Inventory interface {
	Affected(paths []string) ([]Target, error)
}

// Commit is one commit of a change as `verify --policy` judges it.
type Commit struct {
	SHA      string
	Override string // its Gito-Override trailer, "" when none
	// Trusted: signed by a key the base branch's allowed signers trust; Problem says why not.
	Trusted bool
	Signer  string
	Problem string
}

// LockFileChange is the head's lock file when the change edits it.
type LockFileChange struct {
	Data    []byte
	Trusted bool   // its signature verifies against the base branch's allowed signers
	Problem string // why not
}

// ChangeInput is everything CheckChange judges; the policy is the base branch's, so a change
// cannot lift its own lock or freeze by editing them.
type ChangeInput struct {
	Policy    Policy
	Paths     []string
	Inventory Inventory
	Commits   []Commit
	LockFile  *LockFileChange // nil: the change does not touch LocksFile
	// Gate checks the promotion gates of one target at head; nil checks none.
	Gate func(ctx context.Context, t Target) (GateCheck, error)
	Now  time.Time
}

// ChangeReport is the verdict: every (service, env) the change writes, and why it may not.
type ChangeReport struct {
	Targets    []Target    `json:"targets"`
	Violations []Violation `json:"violations"`
	Notes      []string    `json:"notes,omitempty"`
}

// CheckChange judges a change (a pull request's base...head) against the guardrails: a change
// into a locked or frozen env, past a gate, an edit of the lock file without a trusted
// signature, or an override trailer that is not allowed.
func CheckChange(ctx context.Context, in ChangeInput) (ChangeReport, error) {
	rep := ChangeReport{Targets: []Target{}, Violations: []Violation{}}
	targets, err := in.Inventory.Affected(in.Paths)
	if err != nil {
		return rep, err
	}
	rep.Targets = append(rep.Targets, targets...)
	overridden := ""
	for _, c := range in.Commits {
		if c.Override == "" {
			continue
		}
		short := c.SHA
		if len(short) > 12 {
			short = short[:12]
		}
		switch {
		case !in.Policy.Repo.Policy.AllowOverride:
			rep.Violations = append(rep.Violations, Violation{Kind: KindOverride, Message: fmt.Sprintf(
				"commit %s claims an override (Gito-Override: %s), but %s does not set policy.allowOverride: true", short, c.Override, config.FileName)})
		case !c.Trusted:
			rep.Violations = append(rep.Violations, Violation{Kind: KindOverride, Message: fmt.Sprintf(
				"commit %s claims an override (Gito-Override: %s) without a signature by an allowed signer: %s", short, c.Override, c.Problem)})
		default:
			overridden = fmt.Sprintf("commit %s signed by %s: %s", short, c.Signer, c.Override)
		}
	}
	if lf := in.LockFile; lf != nil {
		if !lf.Trusted {
			rep.Violations = append(rep.Violations, Violation{Kind: KindLockFile, Message: fmt.Sprintf(
				"%s is changed without a trusted signature: %s", LocksFile, lf.Problem)})
		}
		if _, err := ParseLocks(lf.Data); err != nil {
			rep.Violations = append(rep.Violations, Violation{Kind: KindInvalid, Message: err.Error()})
		}
	}
	seen := map[string]bool{}
	for _, t := range targets {
		holds, err := in.Policy.Holds(t.Service, t.Env, in.Now)
		if err != nil {
			return rep, err
		}
		for _, v := range holds {
			if seen[v.Message] {
				continue
			}
			seen[v.Message] = true
			if overridden != "" {
				rep.Notes = append(rep.Notes, fmt.Sprintf("passed by the override in %s: %s", overridden, v.Message))
				continue
			}
			v.Message = fmt.Sprintf("%s in %s: %s", t.Service, t.Env, v.Message)
			rep.Violations = append(rep.Violations, v)
		}
		if in.Gate == nil {
			continue
		}
		g, err := in.Gate(ctx, t)
		if err != nil {
			return rep, err
		}
		rep.Violations = append(rep.Violations, g.Violations...)
		rep.Notes = append(rep.Notes, g.Notes...)
	}
	slices.SortStableFunc(rep.Violations, func(a, b Violation) int { return kindOrder(a.Kind) - kindOrder(b.Kind) })
	return rep, nil
}

func kindOrder(k string) int {
	return slices.Index([]string{KindInvalid, KindLockFile, KindOverride, KindLock, KindFreeze, KindGate}, k)
}
