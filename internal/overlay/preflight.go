package overlay

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yamlLine pulls the line out of yaml.v3's "yaml: line 3: did not find expected key".
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// checkYAML reports a file that does not parse as file:line: message, the way a compiler
// would, instead of kustomize's "invalid Kustomization: yaml: line 1: ..." about a directory.
func checkYAML(rel string, data []byte) error {
	var n yaml.Node
	err := yaml.Unmarshal(data, &n)
	if err == nil {
		return nil
	}
	msg := strings.Join(strings.Fields(err.Error()), " ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return fmt.Errorf("%s:%d: %s", rel, line, m[2])
	}
	return fmt.Errorf("%s: %s", rel, strings.TrimPrefix(msg, "yaml: "))
}

// checkEntries refuses a resources or components entry that names a local path that is not
// there, naming it as the kustomization wrote it ("../../base/apii"), not as kustomize's
// lstat of an absolute path reports it. Remote bases are left to kustomize.
func checkEntries(kfile string, data []byte, exists func(rel string) bool) error {
	var k struct {
		Resources  []string `yaml:"resources"`
		Components []string `yaml:"components"`
		Bases      []string `yaml:"bases"`
	}
	if err := yaml.Unmarshal(data, &k); err != nil {
		return nil // kustomize reports shapes it does not accept
	}
	dir := path.Dir(kfile)
	for key, entries := range map[string][]string{"resources": k.Resources, "components": k.Components, "bases": k.Bases} {
		for _, e := range entries {
			if isRemote(e) {
				continue
			}
			if !exists(path.Join(dir, e)) {
				return fmt.Errorf("%s: %s entry %s does not exist", kfile, key, e)
			}
		}
	}
	return nil
}

func isRemote(entry string) bool {
	return strings.Contains(entry, "://") || strings.HasPrefix(entry, "git@") || strings.Contains(entry, "?ref=") ||
		strings.HasPrefix(entry, "github.com/") || strings.HasPrefix(entry, "gitlab.com/")
}
