package config

import (
	"strings"
	"testing"
)

// Semantic errors of .gito.yaml name the file, the line and the key, in one line.
func TestRepoErrorsNameTheLine(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ yaml, want string }{
		{"layout: overlays/{env}\nenvironments:\n  dev: {}\n  prod:\n    labels: [ok]\n    reviewers:\n      - alice\n      - \"bad reviewer!\"\n",
			`.gito.yaml:8: key environments.prod.reviewers[1]: "bad reviewer!" is not a user name or org/team`},
		{"baseBranch: \"main:evil\"\n", `.gito.yaml:1: key baseBranch: "main:evil" is not a valid branch name`},
		{"forge:\n  type: github\n  apiURL: x\nsignedBy: []\n", `.gito.yaml:4: field signedBy not found`},
		{"services:\n  api:\n    images: [\"a b\"]\n", `.gito.yaml:3: key services.api.images[0]: "a b" is not an image name`},
		{"environments:\n  prod.eu:\n    labels: [\"x,y\"]\n", `.gito.yaml:3: key environments.prod.eu.labels[0]: "x,y" holds a comma`},
		{"services:\n  api:\n    targets:\n      - file: /etc/values.yaml\n        path: .image.tag\n", `.gito.yaml:4: key services.api.targets[0]: file "/etc/values.yaml" must be a path inside the repo, not absolute`},
		{"\nargocd:\n  server: cd.example.com\n  app: \"{nosuch}\"\n", `.gito.yaml:4: key argocd.app: "{nosuch}": only {service} and {env} may be used`},
		{"argocd:\n  app: \"{service}-{env}-{sha}\"\n", `.gito.yaml:2: key argocd.app: "{service}-{env}-{sha}": only {service} and {env} may be used`},
		{"environments:\n  prod-us: {}\n  prod-all:\n    group: []\n", `.gito.yaml:4: key environments.prod-all.group: the group prod-all has no members: list them, or remove the key`},
		{"environments:\n  prod-all:\n    group:\n", `.gito.yaml:3: key environments.prod-all.group: the group prod-all has no members: list them, or remove the key`},
	} {
		_, err := ParseRepo([]byte(tt.yaml))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseRepo(%q) = %v\nwant one line starting %s", tt.yaml, err, tt.want)
		}
	}
}
