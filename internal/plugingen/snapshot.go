// Package plugingen answers Argo CD's ApplicationSet plugin generator protocol from an infra
// repo: one parameter map per (service, env) overlay with the version, digest and image it
// holds on the base branch (or, for a release branch, the version pending there), read from a
// cached clone that a background refresh keeps fresh.
package plugingen

import (
	"crypto/sha256"
	"time"
)

// Param is one (service, env) as the generator returns it. The JSON names are the template
// parameters an ApplicationSet uses ({{service}}, {{digest}}, …): they are the protocol.
type Param struct {
	Service string `json:"service"`
	Env     string `json:"env"`
	Version string `json:"version"`
	Digest  string `json:"digest"`
	Image   string `json:"image"`
	Path    string `json:"path"`   // the overlay directory, repo-relative
	Commit  string `json:"commit"` // the commit these values were read at
	Signed  bool   `json:"signed"` // the overlay's kustomization verified against the allowed signers
}

// Snapshot is everything one refresh read. It is never modified after it is published, so
// requests read it without locks.
type Snapshot struct {
	Base     string // the base branch
	Commit   string // its commit
	Params   []Param
	Pending  map[string]Param // release branch (gito/{env}/{service}) -> what it would ship
	LoadedAt time.Time

	refs        map[string]string // every remote branch -> commit, to skip unchanged refreshes
	builtAt     time.Time         // when the overlays were last read (LoadedAt moves on without it)
	allowedHash [32]byte          // the allowed signers the verdicts below were made under
	verified    map[[32]byte]bool // signature verdicts by content, reused by the next refresh
}

// Filter returns the parameters matching the non-empty service, env and branch. A branch
// selects the pending release of that branch, or nothing.
func (s *Snapshot) Filter(service, env, branch string) []Param {
	out := []Param{} // never null: Argo CD reads [] as "no applications"
	match := func(p Param) bool {
		return (service == "" || p.Service == service) && (env == "" || p.Env == env)
	}
	if branch != "" {
		if p, ok := s.Pending[branch]; ok && match(p) {
			out = append(out, p)
		}
		return out
	}
	for _, p := range s.Params {
		if match(p) {
			out = append(out, p)
		}
	}
	return out
}

// sigKey identifies a (path, content, signature) triple whose verdict does not change.
func sigKey(path string, data, sig []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write(data)
	h.Write([]byte{0})
	h.Write(sig)
	var k [32]byte
	copy(k[:], h.Sum(nil))
	return k
}
