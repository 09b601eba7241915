package policy

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/config"
)

type fakeSource map[string]Deployment // by env; a missing env is not known

func (f fakeSource) Deployed(_ context.Context, _, env string) (Deployment, bool, error) {
	if env == "broken" {
		return Deployment{}, false, errors.New("boom")
	}
	d, ok := f[env]
	return d, ok, nil
}

func TestCheckGate(t *testing.T) {
	t.Parallel()
	repo, err := config.ParseRepo([]byte("environments:\n  prod:\n    promoteFrom: [staging]\n    soak: 2h\n"))
	if err != nil {
		t.Fatal(err)
	}
	gate := repo.PromotionGate("prod")
	now := utc("2026-12-08T12:00:00Z")
	digest := "sha256:" + strings.Repeat("a", 64)
	v2 := config.Version{Tag: "v2"}
	healthy := func(v config.Version, since string) Deployment {
		return Deployment{Version: v, Since: utc(since), HealthKnown: true, Healthy: true, Health: "Healthy", Source: "Argo CD"}
	}
	tests := []struct {
		name   string
		v      config.Version
		src    DeploymentSource
		want   string // "" passes
		note   string
		passes string
	}{
		{"satisfied", v2, fakeSource{"staging": healthy(v2, "2026-12-08T09:00:00Z")}, "", "", ""},
		{"pinned digest satisfied", config.Version{Tag: "v2", Digest: digest}, fakeSource{"staging": healthy(config.Version{Tag: "v2", Digest: digest}, "2026-12-08T09:00:00Z")}, "", "", ""},
		{"other digest", config.Version{Tag: "v2", Digest: digest}, fakeSource{"staging": healthy(v2, "2026-12-08T09:00:00Z")}, "is not what staging runs (v2, by Argo CD)", "", ""},
		{"not run in staging", v2, fakeSource{"staging": healthy(config.Version{Tag: "v1"}, "2026-12-01T09:00:00Z")}, "api v2 is not what staging runs (v1, by Argo CD); release it to staging first", "", ""},
		{"nothing known", v2, fakeSource{}, "nothing tells what api runs in staging", "", ""},
		{"degraded", v2, fakeSource{"staging": {Version: v2, Since: utc("2026-12-08T09:00:00Z"), HealthKnown: true, Health: "Degraded", Source: "Argo CD"}}, "api v2 is Degraded in staging, not Healthy (Argo CD)", "", ""},
		{"soak not reached", v2, fakeSource{"staging": healthy(v2, "2026-12-08T11:20:00Z")}, "gate .gito.yaml environments.prod.soak: api v2 has run in staging for 40m of 2h (by Argo CD); passes at 2026-12-08T13:20:00Z", "", "2026-12-08T13:20:00Z"},
		{"git time, health unchecked", v2, fakeSource{"staging": {Version: v2, Since: utc("2026-12-08T09:00:00Z"), Source: "git"}}, "", "health of api in staging was not checked", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := CheckGate(context.Background(), gate, "api", tt.v, tt.src, now)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.want == "" && len(got.Violations) > 0:
				t.Fatalf("violations = %+v, want none", got.Violations)
			case tt.want != "" && (len(got.Violations) != 1 || !strings.Contains(got.Violations[0].Message, tt.want)):
				t.Fatalf("violations = %+v, want %q", got.Violations, tt.want)
			}
			if tt.note != "" && (len(got.Notes) != 1 || !strings.Contains(got.Notes[0], tt.note)) {
				t.Errorf("notes = %q, want %q", got.Notes, tt.note)
			}
			if tt.passes != "" && !got.Violations[0].Until.Equal(utc(tt.passes)) {
				t.Errorf("until = %s", got.Violations[0].Until)
			}
		})
	}
	if _, err := CheckGate(context.Background(), &config.Gate{Env: "prod", From: []string{"broken"}}, "api", v2, fakeSource{}, now); err == nil {
		t.Error("a source error must surface")
	}
	first := Sources{fakeSource{}, fakeSource{"staging": healthy(v2, "2026-12-08T09:00:00Z")}}
	if d, ok, _ := first.Deployed(context.Background(), "api", "staging"); !ok || d.Source != "Argo CD" {
		t.Errorf("Sources fall through: %+v %v", d, ok)
	}
}
