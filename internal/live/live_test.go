package live

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

type fakeReader struct {
	states map[string]*State // by env
	errs   map[string]error  // by env
	reads  int
}

func (f *fakeReader) Endpoint(env string) string {
	if env == "prod-a" || env == "prod-b" {
		return "cluster prod"
	}
	return "cluster " + env
}

func (f *fakeReader) Read(_ context.Context, service, env string) (*State, error) {
	f.reads++
	if err := f.errs[env]; err != nil {
		return nil, err
	}
	st := *f.states[env]
	return &st, nil
}

const base = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

// One unreachable deployer is one warning and is asked once; a missing object is an empty
// cell without a warning; the base commit matches, another commit matches when the file
// carrying the version is the same there.
func TestAnnotate(t *testing.T) {
	t.Parallel()
	r := &fakeReader{
		states: map[string]*State{
			"dev":     {Commit: base},
			"staging": {Commit: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},
			"qa":      {Commit: "cccccccccccccccccccccccccccccccccccccccc"},
			"perf":    {Commit: ""},
		},
		errs: map[string]error{
			"prod-a": errors.New("dial tcp 127.0.0.1:1: connection refused"),
			"prod-b": errors.New("unreached"),
			"gone":   fmt.Errorf("%w: Kustomization flux-system/apps-gone", ErrMissing),
		},
	}
	rows := []Row{{Env: "dev", Path: "o/dev/k.yaml"}, {Env: "staging", Path: "o/staging/k.yaml"}, {Env: "qa", Path: "o/qa/k.yaml"},
		{Env: "perf"}, {Env: "prod-a"}, {Env: "prod-b"}, {Env: "gone"}}
	read := func(_ context.Context, specs []string) (map[string][]byte, error) {
		out := map[string][]byte{}
		for _, s := range specs {
			commit, path, _ := strings.Cut(s, ":")
			out[s] = []byte(path)
			if strings.HasPrefix(commit, "c") {
				out[s] = []byte("changed " + path)
			}
		}
		return out, nil
	}
	states, warnings := Annotate(context.Background(), rows, r, base, read)
	if len(warnings) != 1 || warnings[0] != "warning: live state from cluster prod not shown: dial tcp 127.0.0.1:1: connection refused" {
		t.Errorf("warnings = %q", warnings)
	}
	if r.reads != 6 {
		t.Errorf("%d reads, want 6 (prod asked once)", r.reads)
	}
	for i, want := range []string{"true", "true", "false", "nil", "none", "none", "none"} {
		got := "none"
		if states[i] != nil {
			got = "nil"
			if states[i].Matches != nil {
				got = fmt.Sprint(*states[i].Matches)
			}
		}
		if got != want {
			t.Errorf("row %d (%s): matches %s, want %s", i, rows[i].Env, got, want)
		}
	}
}
