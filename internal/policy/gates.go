package policy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gito-dev/gito/internal/config"
)

// Deployment is what runs in an env, as one source saw it.
type Deployment struct {
	Version config.Version
	Since   time.Time // when this version went live there
	// HealthKnown is false when the source cannot tell (the git-time fallback).
	HealthKnown bool
	Healthy     bool
	Health      string // the deployer's word: Healthy, Degraded, Progressing…
	Source      string // "deployment record", "Argo CD", "git"
}

// DeploymentSource answers "what runs of service in env, since when, healthy?". ok is false
// when the source does not know (no record, no deployer configured); the next one is asked.
type DeploymentSource interface {
	Deployed(ctx context.Context, service, env string) (d Deployment, ok bool, err error)
}

// Sources asks each source in order (deployment record, deployer, git time); the first that
// knows answers.
type Sources []DeploymentSource

// Deployed implements DeploymentSource.
func (s Sources) Deployed(ctx context.Context, service, env string) (Deployment, bool, error) {
	for _, src := range s {
		if src == nil {
			continue
		}
		d, ok, err := src.Deployed(ctx, service, env)
		if err != nil || ok {
			return d, ok, err
		}
	}
	return Deployment{}, false, nil
}

// GateCheck is the outcome of a promotion gate.
type GateCheck struct {
	Violations []Violation
	Notes      []string // e.g. that health was not checked
}

// CheckGate checks that version v of service may enter gate.Env: in every promoteFrom env it
// is what runs (the same digest when v pins one), Healthy, and live for at least the soak.
func CheckGate(ctx context.Context, gate *config.Gate, service string, v config.Version, src DeploymentSource, now time.Time) (GateCheck, error) {
	var out GateCheck
	if gate == nil {
		return out, nil
	}
	key := config.FileName + " environments." + gate.Env + ".promoteFrom"
	for _, from := range gate.From {
		d, ok, err := src.Deployed(ctx, service, from)
		if err != nil {
			return out, fmt.Errorf("gate %s: what runs in %s: %w", key, from, err)
		}
		fail := func(format string, args ...any) {
			out.Violations = append(out.Violations, Violation{
				Kind: KindGate, Service: service, Env: gate.Env,
				Message: fmt.Sprintf("gate %s: ", key) + fmt.Sprintf(format, args...),
			})
		}
		switch {
		case !ok:
			fail("nothing tells what %s runs in %s; release %s there first", service, from, v)
			continue
		case !sameVersion(v, d.Version):
			fail("%s %s is not what %s runs (%s, by %s); release it to %s first", service, v, from, d.Version, d.Source, from)
			continue
		case d.HealthKnown && !d.Healthy:
			fail("%s %s is %s in %s, not Healthy (%s); it passes once %s is Healthy there", service, v, orUnknown(d.Health), from, d.Source, v)
			continue
		}
		if !d.HealthKnown {
			out.Notes = append(out.Notes, fmt.Sprintf("gate %s: health of %s in %s was not checked (no deployment record or deployer answered): live since %s by git time",
				key, service, from, d.Since.UTC().Format(time.RFC3339)))
		}
		if ran := now.Sub(d.Since); ran < gate.Soak {
			passes := d.Since.Add(gate.Soak)
			out.Violations = append(out.Violations, Violation{
				Kind: KindGate, Service: service, Env: gate.Env, Until: passes,
				Message: fmt.Sprintf("gate %s environments.%s.soak: %s %s has run in %s for %s of %s (by %s); passes at %s",
					config.FileName, gate.Env, service, v, from, short(roundDuration(ran)), short(gate.Soak), d.Source, passes.UTC().Format(time.RFC3339)),
			})
		}
	}
	return out, nil
}

// sameVersion: the tags agree, and the digests too when the released version pins one.
func sameVersion(want, runs config.Version) bool {
	if want.Tag != runs.Tag {
		return false
	}
	return want.Digest == "" || want.Digest == runs.Digest
}

func orUnknown(s string) string {
	if s == "" {
		return "not known to be Healthy"
	}
	return s
}

func roundDuration(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d.Round(time.Minute)
}

// short writes 2h0m0s as 2h and 40m0s as 40m.
func short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
