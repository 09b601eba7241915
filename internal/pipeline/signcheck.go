package pipeline

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/release"
	"github.com/gito-dev/gito/internal/signing"
	"github.com/gito-dev/gito/internal/workspace"
)

// checkSignatures verifies the signatures the plan carries against the repo's allowed signers,
// as `gito verify` will after the merge. With signing.required a problem (no allowed-signers
// file, a file that does not parse, a key it does not list for the path) refuses the release
// before anything is written; otherwise it is a warning, so nobody learns of it only later.
func checkSignatures(ws *workspace.Workspace, plan *release.Plan, warn io.Writer, now time.Time) error {
	if plan.Noop || len(plan.SigFiles) == 0 {
		return nil
	}
	required := ws.Config.Signing.Required
	report := func(msg string) error {
		if required {
			return fmt.Errorf("%s requires signed files (signing.required): %s", config.FileName, msg)
		}
		fmt.Fprintln(warn, "warning: "+msg+"; gito verify will report the release as not verified")
		return nil
	}
	rel := ws.Config.AllowedSignersPath()
	allowed, err := signing.LoadAllowedSigners(ws.Abs(rel), rel)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if required {
			return report(rel + " does not exist, so no signature can be verified")
		}
		return nil // a repo that has not adopted signatures yet
	case err != nil:
		return report(err.Error())
	}
	signed := map[string][]byte{}
	for _, f := range plan.Files {
		signed[f.Path] = f.After
	}
	for _, sigPath := range plan.SigFiles {
		file := sigPath[:len(sigPath)-len(release.SignatureSuffix)]
		r := signing.VerifyBytes(file, signed[file], signed[sigPath], allowed, now)
		if !r.OK() {
			return report(fmt.Sprintf("the signature of %s by %s does not verify: %s", file, plan.Signer, r.Message))
		}
	}
	return nil
}
