package yamlnode

import (
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// Containers and init containers are found at any depth, with their names; other image
// fields and a container without an image are not.
func TestWalkContainers(t *testing.T) {
	t.Parallel()
	src := `
kind: CronJob
metadata: {name: nightly}
image: not-a-container:1
spec:
  jobTemplate:
    spec:
      template:
        spec:
          initContainers: [{name: init, image: busybox:1.36}]
          containers:
          - {name: job, image: ghcr.io/acme/job:v2}
          - {name: noimage}
`
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	WalkContainers(&doc, func(name, image string) { got = append(got, name+"="+image) })
	slices.Sort(got)
	want := []string{"init=busybox:1.36", "job=ghcr.io/acme/job:v2"}
	if !slices.Equal(got, want) {
		t.Errorf("WalkContainers = %q, want %q", got, want)
	}
	meta := Field(doc.Content[0], "metadata")
	if Scalar(meta, "name") != "nightly" || Field(meta, "nosuch") != nil || Scalar(doc.Content[0], "spec") != "" {
		t.Errorf("Field/Scalar: name %q", Scalar(meta, "name"))
	}
}
