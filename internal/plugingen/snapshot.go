// Package plugingen answers Argo CD's ApplicationSet plugin generator protocol from an infra
// repo: one parameter map per (service, env) overlay with the version, digest and image it
// holds on the base branch (or, for a release branch, the version pending there), read from a
// cached clone that a background refresh keeps fresh.
package plugingen

import (
	"encoding/json"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/signing"
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

	refs      map[string]string // every remote branch -> commit, to skip unchanged refreshes
	builtAt   time.Time         // when the overlays were last read (LoadedAt moves on without it)
	cfg       *config.Repo
	cfgID     string                  // blob id of .gito.yaml
	allowed   *signing.AllowedSigners // the allowed signers the verdicts were made under
	allowedID string
	byBlobs   map[string]Param // "path\x00kustomization blob\x00signature blob" -> parameters (Commit unset)

	encoded  *answerCache        // filter -> the JSON answer, built once per snapshot (nil: no cache)
	encoding *singleflight.Group // concurrent misses of one filter share one encoding
}

// Answer is the protocol's JSON answer for a filter, encoded once per snapshot: under load
// most requests repeat a few filters.
func (s *Snapshot) Answer(service, env, branch string) ([]byte, error) {
	key := service + "\x00" + env + "\x00" + branch
	if s.encoded != nil {
		if b, ok := s.encoded.get(key); ok {
			return b, nil
		}
	}
	encode := func() (any, error) {
		var resp response
		resp.Output.Parameters = s.Filter(service, env, branch)
		b, err := json.Marshal(resp)
		if err != nil {
			return nil, err
		}
		b = append(b, '\n')
		if s.encoded != nil {
			s.encoded.add(key, b)
		}
		return b, nil
	}
	if s.encoding == nil {
		b, err := encode()
		if err != nil {
			return nil, err
		}
		return b.([]byte), nil
	}
	// Without this, a new snapshot under load has every client encode the same large
	// answer at once: memory, not CPU, is what that costs.
	b, err, _ := s.encoding.Do(key, encode)
	if err != nil {
		return nil, err
	}
	return b.([]byte), nil
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
