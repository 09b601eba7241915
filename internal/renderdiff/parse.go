// Package renderdiff diffs rendered manifests object by object for the pull request: only the
// objects that change (added, removed, changed), each as a unified diff of its YAML, and a
// table of the workloads they affect with their container images before and after. Secret
// values never leave it: a Secret's data and stringData and the last-applied-configuration
// annotation are replaced by markers before anything is diffed.
package renderdiff

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/gito-dev/gito/internal/yamlnode"
)

// object is one parsed manifest with its identity.
type object struct {
	id   ID
	node *yaml.Node // the document's root mapping
}

// ID names an object as a reviewer reads it.
type ID struct {
	Group     string `json:"-"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// String is Kind/namespace/name, or Kind/name without a namespace.
func (id ID) String() string {
	if id.Namespace == "" {
		return id.Kind + "/" + id.Name
	}
	return id.Kind + "/" + id.Namespace + "/" + id.Name
}

func (id ID) key() string {
	return id.Group + "\x00" + id.Kind + "\x00" + id.Namespace + "\x00" + id.Name
}

func (id ID) less(o ID) bool {
	if id.Kind != o.Kind {
		return id.Kind < o.Kind
	}
	if id.Namespace != o.Namespace {
		return id.Namespace < o.Namespace
	}
	if id.Name != o.Name {
		return id.Name < o.Name
	}
	return id.Group < o.Group
}

// errUnparsable says the manifests are not YAML without echoing them: the parser's message
// may quote a line, and that line may hold a secret.
var errUnparsable = errors.New("the rendered manifests do not parse as YAML")

// parse splits multi-document YAML into objects; a List's items count one by one.
func parse(data []byte) ([]object, error) {
	var out []object
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 1; ; i++ {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w (document %d)", errUnparsable, i)
		}
		if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			continue // empty document or a stray scalar
		}
		out = appendObject(out, doc.Content[0])
	}
}

func appendObject(out []object, n *yaml.Node) []object {
	kind := yamlnode.Scalar(n, "kind")
	if items := yamlnode.Field(n, "items"); strings.HasSuffix(kind, "List") && items != nil && items.Kind == yaml.SequenceNode {
		for _, item := range items.Content {
			if item.Kind == yaml.MappingNode {
				out = appendObject(out, item)
			}
		}
		return out
	}
	group := ""
	if api := yamlnode.Scalar(n, "apiVersion"); strings.Contains(api, "/") {
		group = api[:strings.LastIndex(api, "/")]
	}
	meta := yamlnode.Field(n, "metadata")
	return append(out, object{id: ID{Group: group, Kind: kind, Namespace: yamlnode.Scalar(meta, "namespace"), Name: yamlnode.Scalar(meta, "name")}, node: n})
}

// encode prints an object as two-space YAML: one canonical form for both sides, so the diff
// shows what changed and not how a renderer laid it out.
func encode(n *yaml.Node) string {
	plain(n)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return "# not printable as YAML\n"
	}
	_ = enc.Close()
	return b.String()
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// plain drops styles and comments: flow or block, quoted or not, a value reads the same.
func plain(n *yaml.Node) {
	n.Style = 0
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	for _, c := range n.Content {
		plain(c)
	}
}
