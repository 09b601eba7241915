package cmdutil

import (
	"fmt"
	"os"
)

// WorkDir returns dir, or the process's working directory when dir is empty: commands keep
// a WorkDir option so tests can run them in parallel without changing directory.
func WorkDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	return wd, nil
}
