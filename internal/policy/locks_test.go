package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/config"
)

func TestParseLocks(t *testing.T) {
	t.Parallel()
	good := "# held\n- env: prod\n  reason: incident 4711\n  author: alice\n  time: 2026-12-08T10:00:00Z\n- env: prod-eu\n  service: api\n  reason: rollback held\n  author: bob\n  time: 2026-12-08T11:00:00Z\n"
	ls, err := ParseLocks([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 2 || ls[0].Line != 2 || ls[1].Line != 6 || ls[1].Service != "api" || ls[0].Author != "alice" {
		t.Fatalf("locks = %+v", ls)
	}
	for _, empty := range []string{"", "# none\n", "[]\n", "~\n"} {
		if ls, err := ParseLocks([]byte(empty)); err != nil || len(ls) != 0 {
			t.Errorf("ParseLocks(%q) = %v, %v", empty, ls, err)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"env: prod\n", ".gito/locks.yaml:1: must be a list"},
		{"- env: prod\n  reason: x\n- env: Prod\n  reason: y\n", ".gito/locks.yaml:3: [1]: env \"Prod\" is not a valid name"},
		{"- env: prod\n  servce: api\n  reason: x\n", ".gito/locks.yaml:1: [0]: unknown key \"servce\""},
		{"- env: prod\n", ".gito/locks.yaml:1: [0]: reason is empty"},
		{"- env: prod\n  reason: x\n  time: yesterday\n", ".gito/locks.yaml:1: [0]:"},
		{"- [\n", ".gito/locks.yaml: yaml:"},
	} {
		_, err := ParseLocks([]byte(tt.in))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseLocks(%q) = %v, want one line starting %q", tt.in, err, tt.want)
		}
	}
}

func TestLocksRoundTripAndEdit(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	ls := Locks{}.With(Lock{Env: "prod", Service: "api", Reason: "r1", Author: "a", Time: at}).
		With(Lock{Env: "dev", Reason: "r2", Author: "b", Time: at}).
		With(Lock{Env: "prod", Service: "api", Reason: "r3", Author: "c", Time: at})
	data, err := ls.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseLocks(data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if len(back) != 2 || back[0].Env != "dev" || back[1].Reason != "r3" || !back[1].Time.Equal(at) {
		t.Fatalf("round trip = %+v\n%s", back, data)
	}
	if got := back.Without("prod", "api"); len(got) != 1 || got[0].Env != "dev" {
		t.Errorf("Without = %+v", got)
	}
	empty, _ := Locks{}.Marshal()
	if ls, err := ParseLocks(empty); err != nil || len(ls) != 0 {
		t.Errorf("empty round trip: %v %v", ls, err)
	}
}

func TestHolds(t *testing.T) {
	t.Parallel()
	repo, err := config.ParseRepo([]byte("environments:\n  prod-all:\n    group: [prod-us, prod-eu]\n  prod-eu:\n    freeze: [\"2026-12-24\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	locks := Locks{
		{Env: "prod-all", Reason: "group incident", Author: "alice", Line: 1},
		{Env: "staging", Service: "api", Reason: "held rollback", Author: "bob", Line: 5},
	}
	p := Policy{Repo: repo, Locks: locks}
	calm := utc("2026-12-10T12:00:00Z")
	tests := []struct {
		service, env string
		now          time.Time
		want         []string
	}{
		{"api", "prod-us", calm, []string{"prod-all is locked (.gito/locks.yaml:1) by alice: group incident"}},
		{"web", "prod-all", calm, []string{"prod-all is locked (.gito/locks.yaml:1) by alice: group incident"}},
		{"api", "staging", calm, []string{"api in staging is locked (.gito/locks.yaml:5) by bob: held rollback"}},
		{"web", "staging", calm, nil},
		{"web", "dev", utc("2026-12-24T12:00:00Z"), nil},
	}
	for _, tt := range tests {
		vs, err := p.Holds(tt.service, tt.env, tt.now)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range vs {
			got = append(got, v.Message)
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Holds(%s, %s) = %q, want %q", tt.service, tt.env, got, tt.want)
		}
	}
	p.Locks = nil
	vs, err := p.Holds("api", "prod-all", utc("2026-12-24T12:00:00Z"))
	if err != nil || len(vs) != 1 || vs[0].Kind != KindFreeze ||
		vs[0].Message != `prod-eu is frozen by "2026-12-24" (.gito.yaml:5 environments.prod-eu.freeze[0]) until Fri 2026-12-25 00:00 UTC` {
		t.Errorf("group member frozen: %+v %v", vs, err)
	}
}
