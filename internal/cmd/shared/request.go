package shared

import (
	"io"
	"net/http"

	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/pipeline"
)

// NewRequest turns the shared release flags into a pipeline request: progress on stderr when it
// is a terminal (CI logs carry only warnings and errors), warnings on stderr, and the question
// before the first write only on a terminal without --yes.
func NewRequest(ios *iostreams.IOStreams, getenv func(string) string, httpClient func() (*http.Client, error), fl ReleaseFlags) pipeline.Request {
	req := pipeline.Request{
		Getenv: getenv, HTTPClient: httpClient,
		Service: fl.Service, Env: fl.Env, Repo: fl.Repo, Base: fl.Base,
		DryRun: fl.DryRun, Draft: fl.Draft, AutoMerge: fl.AutoMerge,
		Labels: fl.Labels, Reviewers: fl.Reviewers, SigningKey: fl.SigningKey, PinDigest: fl.PinDigest, Override: fl.Override,
		Progress: ProgressWriter(ios), Warn: ios.ErrOut,
	}
	if fl.DiffOut != "" {
		req.OnPlan = diffOutWriter(fl.DiffOut)
	}
	if !fl.Yes && ios.CanPrompt() {
		req.Confirm = confirmer(ios)
	}
	return req
}

// ProgressWriter is stderr on a terminal and nil (silent) otherwise.
func ProgressWriter(ios *iostreams.IOStreams) io.Writer {
	if ios.IsStderrTTY() {
		return ios.ErrOut
	}
	return nil
}
