package integrations

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The Flux release workflow parses, releases with --wait, and never pastes an input or a
// secret into a shell script (where a crafted input would run as code): they reach the shell
// only through env.
func TestFluxReleaseWorkflow(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("github-actions-flux.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Jobs map[string]struct {
			Steps []struct {
				Name string `yaml:"name"`
				Run  string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	released := false
	for job, j := range doc.Jobs {
		for _, s := range j.Steps {
			if strings.Contains(s.Run, "${{") {
				t.Errorf("job %s step %q expands an expression inside its script", job, s.Name)
			}
			if strings.Contains(s.Run, "gito release") && strings.Contains(s.Run, "--wait") {
				released = true
			}
		}
	}
	if !released {
		t.Errorf("no step runs gito release --wait")
	}
	if !strings.Contains(string(data), "kubeContexts:") || strings.Contains(string(data), "cat \"$RUNNER_TEMP/kubeconfig\"") {
		t.Errorf("the workflow must name kube contexts in the user config and never print the kubeconfig")
	}
}
