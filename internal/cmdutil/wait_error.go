package cmdutil

// ExitWait means gito waited for a release and it did not deploy: the PR was closed
// unmerged, the Application went Degraded, or --timeout passed. Exit 5.
const ExitWait = 5

// WaitError carries why the wait ended without the release running. Exit 5.
type WaitError struct{ Err error }

func (e *WaitError) Error() string { return e.Err.Error() }
func (e *WaitError) Unwrap() error { return e.Err }
