package status

import (
	"bytes"
	"testing"

	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/status"
)

var rows = []status.Row{
	{Service: "api", Env: "dev", Version: "v2.4.0", Digest: "sha256:6f1ed002ab5595859014ebf0951522d9ed0a3d3b5a8fb5e0d7f3bde17c8b7e1e", Path: "overlays/dev/api/kustomization.yaml", Drift: true, PR: &forge.PullRequest{Number: 3}},
	{Service: "api", Env: "prod", Version: "v2.3.1", Path: "overlays/prod/api/kustomization.yaml", Signed: true},
	{Service: "api", Env: "staging", Version: "v2.3.1", Path: "overlays/staging/api/kustomization.yaml"},
}

// The terminal table: aligned, drift marked and explained, digests shortened.
func TestPrintTable(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := printTable(&b, rows, nil, false); err != nil {
		t.Fatal(err)
	}
	want := `SERVICE  ENV      VERSION   DIGEST               SIGNED    PR
api      dev      v2.4.0 *  sha256:6f1ed002ab55  unsigned  #3
api      prod     v2.3.1                         signed    
api      staging  v2.3.1                         unsigned  
* differs from the version most environments of the service run
`
	if b.String() != want {
		t.Errorf("table =\n%s\nwant\n%s", b.String(), want)
	}
	// With colour every version cell carries escapes of the same width, so columns still align.
	b.Reset()
	if err := printTable(&b, rows, nil, true); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b.Bytes(), []byte("\x1b[33mv2.4.0 *\x1b[0m  sha256:6f1ed002ab55")) || !bytes.Contains(b.Bytes(), []byte("\x1b[39mv2.3.1\x1b[0m    ")) {
		t.Errorf("coloured table =\n%q", b.String())
	}
}

func TestPrintJSONFieldNames(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := printJSON(&b, rows[:1], nil); err != nil {
		t.Fatal(err)
	}
	want := `[
  {
    "service": "api",
    "env": "dev",
    "version": "v2.4.0",
    "digest": "sha256:6f1ed002ab5595859014ebf0951522d9ed0a3d3b5a8fb5e0d7f3bde17c8b7e1e",
    "path": "overlays/dev/api/kustomization.yaml",
    "signed": false,
    "pr": {
      "number": 3,
      "url": ""
    }
  }
]
`
	if b.String() != want {
		t.Errorf("json =\n%s", b.String())
	}
}
