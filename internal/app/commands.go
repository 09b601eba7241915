package app

import (
	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/cmd/completion"
	"github.com/gito-dev/gito/internal/cmd/generate"
	"github.com/gito-dev/gito/internal/cmd/history"
	"github.com/gito-dev/gito/internal/cmd/lock"
	"github.com/gito-dev/gito/internal/cmd/promote"
	"github.com/gito-dev/gito/internal/cmd/release"
	"github.com/gito-dev/gito/internal/cmd/rollback"
	"github.com/gito-dev/gito/internal/cmd/serve"
	"github.com/gito-dev/gito/internal/cmd/sign"
	"github.com/gito-dev/gito/internal/cmd/status"
	"github.com/gito-dev/gito/internal/cmd/verify"
	"github.com/gito-dev/gito/internal/cmd/version"
	"github.com/gito-dev/gito/internal/cmdutil"
)

// commands lists gito's top-level commands; each lives in its own internal/cmd package.
func commands(f *cmdutil.Factory) []*cobra.Command {
	return []*cobra.Command{
		release.NewCmdRelease(f, nil),
		rollback.NewCmdRollback(f, nil),
		promote.NewCmdPromote(f, nil),
		lock.NewCmdLock(f, nil),
		lock.NewCmdUnlock(f, nil),
		history.NewCmdHistory(f, nil),
		status.NewCmdStatus(f, nil),
		version.NewCmdVersion(f, nil),
		sign.NewCmdSign(f, nil),
		verify.NewCmdVerify(f, nil),
		generate.NewCmdGenerate(f, nil),
		serve.NewCmdServe(f, nil),
		completion.NewCmdCompletion(f, nil),
	}
}
