package status

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/inventory"
	"github.com/gito-dev/gito/internal/status"
)

// --sources names, per (service, env), the carrier and the rule; a version that cannot be
// read shows as unknown with its reason, never blank; the JSON field names are pinned.
func TestPrintSources(t *testing.T) {
	e := inventory.Entry{Service: "api", Env: "prod", Dir: "env/prod", Rule: inventory.RuleAppSet, Source: "appset.yaml",
		Version: "v2", Carriers: []inventory.Carrier{{Kind: inventory.CarrierImages, File: "env/prod/kustomization.yaml", Key: "images[0].newTag", Line: 4, Version: "v2"}}}
	u := inventory.Entry{Service: "api", Env: "qa", Dir: "env/qa", Rule: inventory.RuleTree, Source: "env/{env}", Unknown: "replacements in env/qa/kustomization.yaml"}
	rows := []status.Row{{Service: "api", Env: "prod", Version: "v2", Entry: e}, {Service: "api", Env: "qa", Unknown: u.Unknown, Entry: u}}
	inv := &inventory.Inventory{Skipped: []inventory.Note{{File: "appset.yaml", Reason: "ApplicationSet x: matrix generator not read"}}}

	var out bytes.Buffer
	if err := printSources(&out, rows, inv, false, false); err != nil {
		t.Fatal(err)
	}
	want := "api\tprod\tv2\tenv/prod/kustomization.yaml\timages[0].newTag\t4\targocd ApplicationSet\tappset.yaml\n" +
		"api\tqa\tunknown: replacements in env/qa/kustomization.yaml\tenv/qa\t\t\ttree\tenv/{env}\n" +
		"skipped: appset.yaml: ApplicationSet x: matrix generator not read\n"
	if out.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", out.String(), want)
	}

	out.Reset()
	if err := printSources(&out, rows, inv, true, false); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"entries"`, `"skipped"`, `"ambiguous"`, `"layout"`, `"service": "api"`, `"rule": "argocd ApplicationSet"`,
		`"source": "appset.yaml"`, `"kind": "kustomization images"`, `"file": "env/prod/kustomization.yaml"`, `"key": "images[0].newTag"`,
		`"line": 4`, `"unknown": "replacements in env/qa/kustomization.yaml"`, `"reason": "ApplicationSet x: matrix generator not read"`} {
		if !strings.Contains(out.String(), field) {
			t.Errorf("JSON lacks %s:\n%s", field, out.String())
		}
	}
}
