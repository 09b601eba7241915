package shared

import (
	"encoding/json"
	"testing"

	"github.com/gito-dev/gito/internal/pipeline"
	"github.com/gito-dev/gito/internal/release"
	"github.com/gito-dev/gito/internal/renderdiff"
)

// renderedDiff's shape is part of the JSON contract: pin its field names.
func TestJSONRenderedDiffIsPinned(t *testing.T) {
	t.Parallel()
	p := samplePlan()
	id := renderdiff.ID{Group: "apps", Kind: "Deployment", Namespace: "prod", Name: "api"}
	p.Edit.Rendered = []renderdiff.Section{{
		Source:    "overlays/prod/api",
		Objects:   []renderdiff.Object{{ID: id, Change: renderdiff.Changed, Diff: "--- a/Deployment/prod/api\n"}},
		Workloads: []renderdiff.Workload{{ID: id, Container: "api", From: "api:v1", To: "api:v2"}},
	}}
	data, err := json.Marshal(ToJSON(&pipeline.Result{Action: release.ActionPlanned, Plan: p}))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		RenderedDiff json.RawMessage `json:"renderedDiff"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	want := `{"objects":[{"source":"overlays/prod/api","kind":"Deployment","namespace":"prod","name":"api","change":"changed","diff":"--- a/Deployment/prod/api\n"}],` +
		`"workloads":[{"source":"overlays/prod/api","kind":"Deployment","namespace":"prod","name":"api","container":"api","from":"api:v1","to":"api:v2"}]}`
	if string(m.RenderedDiff) != want {
		t.Errorf("renderedDiff = %s\nwant %s", m.RenderedDiff, want)
	}
	// Without rendered changes the field is left out, as before.
	p.Edit.Rendered = nil
	data, _ = json.Marshal(ToJSON(&pipeline.Result{Action: release.ActionPlanned, Plan: p}))
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatal(err)
	}
	if _, ok := fields["renderedDiff"]; ok {
		t.Errorf("renderedDiff without changes: %s", data)
	}
}
