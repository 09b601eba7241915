package plugingen

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// TokenFile is the bearer token Argo CD must send, read from a file (a mounted Secret) and
// read again whenever the file changes, so that a rotated Secret takes effect without a
// restart. Only its hash is kept in memory after reading.
type TokenFile struct {
	path string

	mu      sync.Mutex
	modTime time.Time
	size    int64
	info    os.FileInfo
	hash    [32]byte
	set     bool
}

// OpenTokenFile reads path once, so a missing or empty token fails at startup.
func OpenTokenFile(path string) (*TokenFile, error) {
	t := &TokenFile{path: path}
	if err := t.reload(); err != nil {
		return nil, err
	}
	return t, nil
}

// Check reports whether presented is the token, in constant time: both sides are hashed
// first, so neither the content nor the length of the token leaks through timing.
func (t *TokenFile) Check(presented string) bool {
	if err := t.reload(); err != nil {
		return false // fail closed: an unreadable or empty file admits nobody
	}
	t.mu.Lock()
	want, set := t.hash, t.set
	t.mu.Unlock()
	got := sha256.Sum256([]byte(presented))
	return set && presented != "" && subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// reload re-reads the file when its identity, size or modification time changed. Kubernetes
// updates a mounted Secret by swapping a symlink, which os.Stat follows.
func (t *TokenFile) reload() error {
	fi, err := os.Stat(t.path)
	if err != nil {
		t.forget()
		return fmt.Errorf("token file: %w", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.set && t.info != nil && os.SameFile(fi, t.info) && fi.ModTime().Equal(t.modTime) && fi.Size() == t.size {
		return nil
	}
	data, err := os.ReadFile(t.path)
	if err != nil {
		t.set = false
		return fmt.Errorf("token file: %w", err)
	}
	token := bytes.TrimSpace(data)
	if len(token) == 0 {
		t.set = false
		return errors.New("token file " + t.path + " is empty")
	}
	t.hash = sha256.Sum256(token)
	t.info, t.modTime, t.size, t.set = fi, fi.ModTime(), fi.Size(), true
	return nil
}

func (t *TokenFile) forget() {
	t.mu.Lock()
	t.set = false
	t.mu.Unlock()
}
