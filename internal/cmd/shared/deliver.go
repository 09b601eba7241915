package shared

import (
	"context"

	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/pipeline"
)

// Deliver runs the release and, with --wait, follows it until it runs. Without --json the PR
// URL is printed before waiting; with --json the one object, "wait" included, comes after
// (or, when the wait fails, only the error object).
func Deliver(ctx context.Context, ios *iostreams.IOStreams, req pipeline.Request, asJSON bool, fl WaitFlags) error {
	if fl.Until == "" || req.DryRun {
		res, err := pipeline.Run(ctx, req)
		if err != nil {
			return err
		}
		return Print(ios, asJSON, res)
	}
	if req.Workspace == nil {
		ws, err := pipeline.Open(ctx, req)
		if err != nil {
			return err
		}
		defer ws.Close()
		req.Workspace = ws
	}
	rep := newWaitReporter(ios)
	w, err := pipeline.PrepareWait(ctx, req, req.Workspace,
		pipeline.WaitOptions{Until: fl.Until, Timeout: fl.Timeout, Report: rep.phase, KubeContext: fl.KubeContext},
		req.Service, req.Workspace.Config.Members(req.Env))
	if err != nil {
		rep.stop()
		return err
	}
	res, err := pipeline.Run(ctx, req)
	if err != nil {
		rep.stop()
		return err
	}
	if !asJSON {
		if err := Print(ios, false, res); err != nil {
			rep.stop()
			return err
		}
	}
	werr := w.Wait(ctx, res)
	rep.stop()
	if asJSON && werr == nil { // a failure is the one {"error","code"} object internal/app prints
		if err := Print(ios, true, res); err != nil {
			return err
		}
	}
	return werr
}
