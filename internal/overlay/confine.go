package overlay

import "github.com/gito-dev/gito/internal/repofs"

// ErrOutsideRepo is wrapped by errors for a path that leaves the infra repo: through "..", or
// through a symlinked directory that points elsewhere.
var ErrOutsideRepo = repofs.ErrOutside
