// Package regularfile reads files that must be regular files of bounded size: a FIFO, a
// device or an endless file named where gito expects a kustomization, a signature or an
// allowed-signers file fails at once with one line naming it instead of hanging or growing.
package regularfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxBytes bounds every file gito reads from a repository or names on its command line.
// Kubernetes keeps a whole object under 1.5 MB; a file eight times that is not a manifest.
const MaxBytes = 12 << 20

// ErrNotRegular marks a path that is a FIFO, device, socket or directory.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge marks a file over MaxBytes.
var ErrTooLarge = fmt.Errorf("larger than %d MiB", MaxBytes>>20)

// Read reads the regular file at path, naming it as name in errors.
func Read(path, name string) ([]byte, error) {
	// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
	f, err := os.OpenFile(path, os.O_RDONLY|nonblock, 0)
	if err != nil {
		return nil, err
	}
	return readOpened(f, name)
}

// ReadIn reads the regular file rel (slash or OS separators) inside root.
func ReadIn(root *os.Root, rel string) ([]byte, error) {
	f, err := root.OpenFile(rel, os.O_RDONLY|nonblock, 0)
	if err != nil {
		return nil, err
	}
	return readOpened(f, rel)
}

// readOpened checks the mode of the handle it reads (not of a path that could be swapped
// in between), then reads at most MaxBytes+1 bytes.
func readOpened(f *os.File, name string) ([]byte, error) {
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: ErrNotRegular}
	}
	if fi.Size() > MaxBytes {
		return nil, &fs.PathError{Op: "read", Path: name, Err: ErrTooLarge}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if len(data) > MaxBytes {
		return nil, &fs.PathError{Op: "read", Path: name, Err: ErrTooLarge}
	}
	return data, nil
}
