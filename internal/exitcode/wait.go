package exitcode

// WaitError means gito waited for a release (--wait) and it did not deploy: the PR was closed
// unmerged, the Argo CD Application went Degraded, or --timeout passed. Exit 5.
type WaitError struct{ Err error }

func (e *WaitError) Error() string { return e.Err.Error() }
func (e *WaitError) Unwrap() error { return e.Err }
func (e *WaitError) ExitCode() int { return NotDeployed }
