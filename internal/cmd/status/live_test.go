package status

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/live"
)

func liveFixture() []*live.State {
	yes, no := true, false
	return []*live.State{
		{Deployer: "flux", Object: "flux-system/apps-dev", Revision: "main@sha1:0123456789abcdef0123456789abcdef01234567", Commit: "0123456789abcdef0123456789abcdef01234567", Status: "Ready", Matches: &no},
		nil,
		{Deployer: "flux", Object: "flux-system/apps-staging", Revision: "main/89abcdef0123456789abcdef0123456789abcdef", Commit: "89abcdef0123456789abcdef0123456789abcdef", Status: "Ready=False (HealthCheckFailed)", Matches: &yes},
	}
}

// --live adds LIVE and STATUS columns, marks a cluster that runs something else, and
// explains the mark.
func TestPrintTableLive(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := printTable(&b, rows, liveFixture(), false); err != nil {
		t.Fatal(err)
	}
	want := `SERVICE  ENV      VERSION   DIGEST               SIGNED    PR  LIVE        STATUS
api      dev      v2.4.0 *  sha256:6f1ed002ab55  unsigned  #3  01234567 !  Ready
api      prod     v2.3.1                         signed        -           -
api      staging  v2.3.1                         unsigned      89abcdef    Ready=False (HealthCheckFailed)
* differs from the version most environments of the service run
! the cluster runs something other than the base branch says
`
	if b.String() != want {
		t.Errorf("table =\n%s\nwant\n%s", b.String(), want)
	}
}

func TestPrintLiveTSVAndJSON(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := printTSV(&b, rows, liveFixture()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if !strings.HasSuffix(lines[0], "\tdrift\t0123456789abcdef0123456789abcdef01234567\tReady\tdiffers") || !strings.HasSuffix(lines[1], "\t\t\t\t") {
		t.Errorf("tsv =\n%q", b.String())
	}
	b.Reset()
	if err := printJSON(&b, rows[:1], liveFixture()[:1]); err != nil {
		t.Fatal(err)
	}
	want := `    "live": {
      "deployer": "flux",
      "object": "flux-system/apps-dev",
      "revision": "main@sha1:0123456789abcdef0123456789abcdef01234567",
      "commit": "0123456789abcdef0123456789abcdef01234567",
      "status": "Ready",
      "matchesBase": false
    }`
	if !strings.Contains(b.String(), want) {
		t.Errorf("json =\n%s", b.String())
	}
}
