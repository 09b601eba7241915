package shared

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/overlay"
	"github.com/gito-dev/gito/internal/pipeline"
	"github.com/gito-dev/gito/internal/release"
)

func samplePlan() *release.Plan {
	return &release.Plan{
		Service: "api", Env: "prod", From: "v2.3.0", To: config.Version{Tag: "v2.3.1"}, Base: "main",
		Branch: "gito/prod/api", Edit: &overlay.Result{Diff: "--- a/x\n+++ b/x\n"},
		Files:    []release.File{{Path: "overlays/prod/api/kustomization.yaml"}, {Path: "overlays/prod/api/kustomization.yaml.sig"}},
		SigFiles: []string{"overlays/prod/api/kustomization.yaml.sig"}, Signer: "dev@example.com (SHA256:x)",
		Title: "Release api v2.3.1 to prod",
	}
}

// The JSON field names are a contract with bots (design.md): pin them.
func TestJSONFieldsArePinned(t *testing.T) {
	t.Parallel()
	r := &pipeline.Result{Action: release.ActionCreated, Plan: samplePlan(), Commit: "abc", PR: &forge.PullRequest{Number: 5, URL: "https://x/5"}}
	data, err := json.Marshal(ToJSON(r))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"action", "branch", "commit", "env", "files", "from", "pr", "service", "signature", "to"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
	pr := m["pr"].(map[string]any)
	sig := m["signature"].(map[string]any)
	if pr["number"] != float64(5) || pr["url"] != "https://x/5" || sig["file"] != "overlays/prod/api/kustomization.yaml.sig" || sig["signer"] == "" {
		t.Errorf("pr = %v, signature = %v", pr, sig)
	}
}

func TestPrint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		result     pipeline.Result
		wantOut    string
		wantErrOut string
	}{
		{"created", pipeline.Result{Action: release.ActionCreated, PR: &forge.PullRequest{Number: 5, URL: "https://x/5"}},
			"https://x/5\n", "created pull request #5: api v2.3.0 -> v2.3.1 in prod\nsigned by dev@example.com (SHA256:x)\n"},
		{"noop", pipeline.Result{Action: release.ActionNoop, Plan: nil}, "", "gito/prod/api already holds api v2.3.1 for prod: nothing to do\n"},
		{"planned", pipeline.Result{Action: release.ActionPlanned, HasForge: true}, "--- a/x\n+++ b/x\n",
			"dry run: would commit overlays/prod/api/kustomization.yaml, overlays/prod/api/kustomization.yaml.sig on gito/prod/api (v2.3.0 -> v2.3.1) and open a pull request\ntitle: Release api v2.3.1 to prod\n"},
		{"planned update", pipeline.Result{Action: release.ActionPlanned, HasForge: true, PR: &forge.PullRequest{Number: 5}}, "--- a/x\n+++ b/x\n",
			"dry run: would commit overlays/prod/api/kustomization.yaml, overlays/prod/api/kustomization.yaml.sig on gito/prod/api (v2.3.0 -> v2.3.1) and update pull request #5\ntitle: Release api v2.3.1 to prod\n"},
		// No forge: the dry run says what the question and the push say, no pull request.
		{"planned without forge", pipeline.Result{Action: release.ActionPlanned}, "--- a/x\n+++ b/x\n",
			"dry run: would commit overlays/prod/api/kustomization.yaml, overlays/prod/api/kustomization.yaml.sig on gito/prod/api (v2.3.0 -> v2.3.1) and open no pull request (no forge is configured)\n"},
		{"pushed", pipeline.Result{Action: release.ActionPushed, Commit: "0123456789abcdef", Remote: "/srv/infra.git"}, "gito/prod/api\n",
			"pushed gito/prod/api (0123456789ab) to /srv/infra.git; no forge is configured, so no pull request was opened\n"},
	}
	for _, tt := range tests {
		ios, _, out, errOut := iostreams.Test()
		r := tt.result
		r.Plan = samplePlan()
		if err := Print(ios, false, &r); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.wantOut || errOut.String() != tt.wantErrOut {
			t.Errorf("%s: stdout %q stderr %q\nwant %q %q", tt.name, out, errOut, tt.wantOut, tt.wantErrOut)
		}
	}
	ios, _, out, _ := iostreams.Test()
	if err := Print(ios, true, &pipeline.Result{Action: release.ActionPlanned, Plan: samplePlan()}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"action": "planned"`) || !strings.Contains(out.String(), `"diff": "--- a/x`) {
		t.Errorf("json = %s", out)
	}
}

func TestConfirm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		tty      bool
		yes      bool
		answer   string
		hasForge bool
		existing *forge.PullRequest
		wantErr  bool
		wantAsk  string
	}{
		{name: "no terminal never asks", answer: "n\n"},
		{name: "--yes never asks", tty: true, yes: true, answer: "n\n"},
		{name: "enter accepts", tty: true, answer: "\n", hasForge: true, wantAsk: "Push gito/prod/api and open a pull request? [Y/n] "},
		{name: "y accepts", tty: true, answer: "y\n", existing: &forge.PullRequest{Number: 4}, hasForge: true, wantAsk: "update pull request #4"},
		{name: "n cancels", tty: true, answer: "n\n", wantErr: true, wantAsk: "Push gito/prod/api and open no pull request (no forge is configured)? [Y/n] "},
		{name: "end of input cancels", tty: true, answer: "", wantErr: true},
	}
	for _, tt := range tests {
		ios, in, _, errOut := iostreams.Test()
		ios.SetTTY(tt.tty)
		in.WriteString(tt.answer)
		req := NewRequest(ios, func(string) string { return "" }, nil, ReleaseFlags{Yes: tt.yes})
		if (req.Confirm == nil) != (!tt.tty || tt.yes) {
			t.Errorf("%s: Confirm set = %t, want a question only on a terminal without --yes", tt.name, req.Confirm != nil)
			continue
		}
		if req.Confirm == nil {
			continue
		}
		err := req.Confirm(pipeline.Confirmation{Plan: samplePlan(), HasForge: tt.hasForge, Existing: tt.existing})
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, want error %v", tt.name, err, tt.wantErr)
		}
		if !strings.Contains(errOut.String(), tt.wantAsk) || errOut.Len() == 0 {
			t.Errorf("%s: prompt %q, want %q", tt.name, errOut.String(), tt.wantAsk)
		}
	}
}
