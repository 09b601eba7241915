package config

import (
	"strings"
	"testing"
	"time"
)

func TestGuardrailsParse(t *testing.T) {
	t.Parallel()
	r, err := ParseRepo([]byte("environments:\n  prod:\n    timezone: Europe/Berlin\n    freeze:\n      - \"Fri 16:00 - Mon 08:00 America/New_York\"\n      - \"2026-12-20 - 2027-01-04\"\n      - \"2026-12-31\"\n    promoteFrom: [staging]\n    soak: 2h\npolicy:\n  allowOverride: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	ws, err := r.FreezeWindows("prod")
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 3 || !ws[0].Weekly || ws[0].Zone.String() != "America/New_York" || ws[0].Line != 5 ||
		ws[0].StartMinute != 5*24*60+16*60 || ws[0].EndMinute != 1*24*60+8*60 {
		t.Fatalf("weekly = %+v", ws[0])
	}
	if ws[1].Weekly || ws[1].Zone.String() != "Europe/Berlin" || ws[1].FirstDay.Day() != 20 || ws[1].LastDay.Year() != 2027 || ws[2].FirstDay != ws[2].LastDay {
		t.Fatalf("dated = %+v %+v", ws[1], ws[2])
	}
	g := r.PromotionGate("prod")
	if g == nil || g.Soak != 2*time.Hour || g.From[0] != "staging" || !r.Policy.AllowOverride {
		t.Fatalf("gate = %+v", g)
	}
	if r.PromotionGate("staging") != nil {
		t.Error("staging has no gate")
	}
	if err := r.CheckPromoteFrom("prod", []string{"dev", "prod"}); err == nil ||
		err.Error() != `.gito.yaml:8: environments.prod.promoteFrom[0]: "staging" is not an environment of this repo (environments: dev, prod)` {
		t.Errorf("CheckPromoteFrom = %v", err)
	}
}

func TestGuardrailsBadInput(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ yaml, want string }{
		{"environments:\n  prod:\n    freeze: [\"Fri 16:00 - Mon 08:00 Mars/Olympus\"]\n",
			`.gito.yaml:3: environments.prod.freeze[0]: "Fri 16:00 - Mon 08:00 Mars/Olympus": "Mars/Olympus" is not an IANA time zone`},
		{"environments:\n  prod:\n    freeze:\n      - \"2026-12-20 - 2027-01-04\"\n      - \"Fri 16 - Mon 8\"\n",
			`.gito.yaml:5: environments.prod.freeze[1]: "Fri 16 - Mon 8": is neither a weekly window`},
		{"environments:\n  prod:\n    freeze: [\"Fry 16:00 - Mon 08:00\"]\n", `.gito.yaml:3: environments.prod.freeze[0]: "Fry 16:00 - Mon 08:00": "Fry" is not a weekday`},
		{"environments:\n  prod:\n    freeze: [\"Fri 25:00 - Mon 08:00\"]\n", `.gito.yaml:3: environments.prod.freeze[0]: "Fri 25:00 - Mon 08:00": 25:00 is not a time of day`},
		{"environments:\n  prod:\n    freeze: [\"2027-01-04 - 2026-12-20\"]\n", `ends before it starts`},
		{"environments:\n  prod:\n    freeze: [\"2026-02-30\"]\n", `2026-02-30 is not a date`},
		{"environments:\n  prod:\n    timezone: Berlin\n", `.gito.yaml:3: environments.prod.timezone: "Berlin" is not an IANA time zone`},
		{"environments:\n  prod:\n    promoteFrom: [staging]\n    soak: two hours\n", `.gito.yaml:4: environments.prod.soak: "two hours" is not a duration`},
		{"environments:\n  prod:\n    soak: 2h\n", `.gito.yaml:3: environments.prod.soak: soak needs promoteFrom`},
		{"environments:\n  prod:\n    promoteFrom: [Staging]\n", `.gito.yaml:3: environments.prod.promoteFrom[0]: environment "Staging" is not a valid name`},
		{"environments:\n  prod:\n    promoteFrom: [prod]\n", `.gito.yaml:3: environments.prod.promoteFrom[0]: "prod" cannot promote from itself`},
		{"environments:\n  prod:\n    promoteFrom: [staging]\n  staging:\n    promoteFrom: [dev]\n  dev:\n    promoteFrom: [prod]\n",
			`.gito.yaml:7: environments.dev.promoteFrom: promotion cycle dev <- prod <- staging <- dev`},
	} {
		_, err := ParseRepo([]byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseRepo(%q)\n = %v\nwant one line containing %s", tt.yaml, err, tt.want)
		}
	}
}
