package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/gito-dev/gito/internal/config"
)

// LocksFile is where locks live in the infra repo; it is signed like every file gito writes
// (namespace gito:.gito/locks.yaml).
const LocksFile = ".gito/locks.yaml"

// Lock holds an env, or one service in it, against release and promote.
type Lock struct {
	Env     string    `yaml:"env" json:"env"`
	Service string    `yaml:"service,omitempty" json:"service,omitempty"` // "": every service
	Reason  string    `yaml:"reason" json:"reason"`
	Author  string    `yaml:"author" json:"author"`
	Time    time.Time `yaml:"time" json:"time"`
	Line    int       `yaml:"-" json:"-"` // in LocksFile, for messages
}

// Target names what the lock holds: "prod" or "api in prod".
func (l Lock) Target() string {
	if l.Service == "" {
		return l.Env
	}
	return l.Service + " in " + l.Env
}

// Describe is the one line a refusal shows.
func (l Lock) Describe() string {
	s := fmt.Sprintf("%s is locked (%s:%d) by %s: %s", l.Target(), LocksFile, l.Line, l.Author, l.Reason)
	if l.Line == 0 {
		s = fmt.Sprintf("%s is locked by %s: %s", l.Target(), l.Author, l.Reason)
	}
	return s
}

// Locks is the content of LocksFile.
type Locks []Lock

// ParseLocks reads LocksFile's content: a YAML list of locks. An empty file is no lock.
func ParseLocks(data []byte) (Locks, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: %s", LocksFile, oneLine(err.Error()))
	}
	if len(doc.Content) == 0 || (doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Tag == "!!null") {
		return nil, nil
	}
	list := doc.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: must be a list of {env, service, reason, author, time}", LocksFile, list.Line)
	}
	var out Locks
	for i, item := range list.Content {
		var l Lock
		if err := decodeLock(item, &l); err != nil {
			return nil, fmt.Errorf("%s:%d: [%d]: %s", LocksFile, item.Line, i, oneLine(err.Error()))
		}
		l.Line = item.Line
		if err := l.validate(); err != nil {
			return nil, fmt.Errorf("%s:%d: [%d]: %w", LocksFile, item.Line, i, err)
		}
		out = append(out, l)
	}
	return out, nil
}

// decodeLock decodes one list item, refusing keys a lock does not have (a typo such as
// "servce" would otherwise lock the whole env).
func decodeLock(n *yaml.Node, l *Lock) error {
	if n.Kind != yaml.MappingNode {
		return errors.New("must be a mapping {env, service, reason, author, time}")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch k := n.Content[i].Value; k {
		case "env", "service", "reason", "author", "time":
		default:
			return fmt.Errorf("unknown key %q (env, service, reason, author, time)", k)
		}
	}
	return n.Decode(l)
}

func (l Lock) validate() error {
	if err := config.ValidateName("env", l.Env); err != nil {
		return err
	}
	if l.Service != "" {
		if err := config.ValidateName("service", l.Service); err != nil {
			return err
		}
	}
	if strings.TrimSpace(l.Reason) == "" {
		return errors.New("reason is empty")
	}
	if strings.ContainsAny(l.Reason+l.Author, "\r\n") {
		return errors.New("reason and author must be one line")
	}
	return nil
}

// ValidateReason checks a lock's or an override's reason: one non-empty line.
func ValidateReason(flag, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("%s is empty: say why", flag)
	}
	if strings.ContainsAny(reason, "\r\n") || len(reason) > 500 {
		return fmt.Errorf("%s must be one line of at most 500 characters", flag)
	}
	return nil
}

// Marshal writes the locks in a stable order (env, then service), with a header.
func (ls Locks) Marshal() ([]byte, error) {
	sorted := slices.Clone(ls)
	slices.SortStableFunc(sorted, func(a, b Lock) int {
		return strings.Compare(a.Env+"\x00"+a.Service, b.Env+"\x00"+b.Service)
	})
	var buf bytes.Buffer
	buf.WriteString("# Locks held with gito lock; gito unlock removes them. Signed: " + LocksFile + ".sig\n")
	if len(sorted) == 0 {
		buf.WriteString("[]\n")
		return buf.Bytes(), nil
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	for i := range sorted {
		sorted[i].Time = sorted[i].Time.UTC().Truncate(time.Second)
	}
	if err := enc.Encode(sorted); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// With returns the locks with l added; a lock already on the same target is replaced (its
// reason and author are the newest word).
func (ls Locks) With(l Lock) Locks {
	out := ls.Without(l.Env, l.Service)
	return append(out, l)
}

// Without returns the locks with the one on (env, service) removed.
func (ls Locks) Without(env, service string) Locks {
	var out Locks
	for _, l := range ls {
		if l.Env != env || l.Service != service {
			out = append(out, l)
		}
	}
	return out
}

// Find returns the lock on exactly (env, service), if any.
func (ls Locks) Find(env, service string) (Lock, bool) {
	for _, l := range ls {
		if l.Env == env && l.Service == service {
			return l, true
		}
	}
	return Lock{}, false
}

// Holding returns the locks that hold service in env: a lock on env (or on a group env is
// a member of), for every service or for this one. scope lists env and its groups.
func (ls Locks) Holding(service string, scope []string) Locks {
	var out Locks
	for _, l := range ls {
		if slices.Contains(scope, l.Env) && (l.Service == "" || l.Service == service) {
			out = append(out, l)
		}
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
