package gitrepo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
)

// catFile is one long-lived `git cat-file --batch` on the cache: a run asks it for every tree
// and blob it reads, instead of starting a git process per read. It never fetches: callers
// prefetch the blobs a blobless cache lacks first (see prefetch), because a missing blob asked
// for here would be fetched by git one round trip at a time.
type catFile struct {
	mu    sync.Mutex
	proc  *exec.Cmd
	in    *bufio.Writer
	inRaw io.WriteCloser
	out   *bufio.Reader
	err   error // set once the process failed; every later read returns it
}

// objects returns the long-lived reader of the cache, starting it on first use (and again
// after a read was cancelled). The process lives until Repo.Close.
func (r *Repo) objects(ctx context.Context) (*catFile, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cat != nil && !r.cat.broken() {
		return r.cat, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read objects: %w", err)
	}
	// The process outlives the call that starts it, so it is not bound to that call's
	// context; each read is (see read).
	x, in, out, err := r.git.start(context.WithoutCancel(ctx), cmd{dir: r.dir, args: []string{"cat-file", "--batch"}, env: r.env})
	if err != nil {
		return nil, fmt.Errorf("read objects: %w", err)
	}
	r.cat = &catFile{proc: x, inRaw: in, in: bufio.NewWriter(in), out: bufio.NewReaderSize(out, 64<<10)}
	return r.cat, nil
}

// read returns the objects names (object ids or rev:path expressions) name, in one round trip:
// all requests are written before the answers are read. Names git cannot find are absent.
func (c *catFile) read(ctx context.Context, names []string) (map[string]object, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return nil, c.err
	}
	// A cancelled read kills the process, which unblocks it; the next read starts another.
	proc := c.proc.Process // stop may clear c.proc while the kill is under way
	stop := context.AfterFunc(ctx, func() { _ = proc.Kill() })
	defer func() {
		if !stop() && c.err == nil {
			c.fail(fmt.Errorf("read objects: %w", context.Cause(ctx)))
		}
	}()
	for _, n := range names {
		if strings.ContainsAny(n, "\n") {
			return nil, fmt.Errorf("read objects: invalid name %q", n)
		}
	}
	// The writer runs alongside the reader: a request list larger than the pipe buffers would
	// otherwise deadlock against git's answers.
	wrote := make(chan error, 1)
	go func() {
		for _, n := range names {
			if _, err := c.in.WriteString(n + "\n"); err != nil {
				wrote <- err
				return
			}
		}
		wrote <- c.in.Flush()
	}()
	objects := make(map[string]object, len(names))
	var readErr error
	for _, name := range names {
		obj, ok, err := c.next(name)
		if err != nil {
			readErr = err
			break
		}
		if ok {
			objects[name] = obj
		}
	}
	if readErr != nil {
		if ctx.Err() != nil {
			readErr = fmt.Errorf("read objects: %w", context.Cause(ctx))
		}
		c.fail(readErr)
		<-wrote
		return nil, c.err
	}
	if err := <-wrote; err != nil {
		c.fail(err)
		return nil, c.err
	}
	return objects, nil
}

// next reads one answer: "<oid> <type> <size>\n<content>\n", or "<name> missing\n".
func (c *catFile) next(name string) (object, bool, error) {
	header, err := c.out.ReadString('\n')
	if err != nil {
		return object{}, false, fmt.Errorf("read objects: %s: %w", name, err)
	}
	if strings.HasSuffix(header, " missing\n") || strings.HasSuffix(header, " ambiguous\n") {
		return object{}, false, nil
	}
	f := strings.Fields(header)
	if len(f) != 3 {
		return object{}, false, fmt.Errorf("read objects: %s: bad header %q", name, header)
	}
	size, err := strconv.Atoi(f[2])
	if err != nil {
		return object{}, false, fmt.Errorf("read objects: %s: bad header %q", name, header)
	}
	data := make([]byte, size+1) // content and the trailing newline
	if _, err := io.ReadFull(c.out, data); err != nil {
		return object{}, false, fmt.Errorf("read objects: %s: %w", name, err)
	}
	return object{oid: f[0], kind: f[1], data: data[:size], hashLen: len(f[0]) / 2}, true, nil
}

// broken reports a reader that failed or was stopped.
func (c *catFile) broken() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err != nil
}

func (c *catFile) fail(err error) {
	if c.err == nil {
		c.err = err
		c.stop()
	}
}

// stop ends the process: closing its input makes cat-file exit.
func (c *catFile) stop() {
	if c.proc == nil {
		return
	}
	_ = c.inRaw.Close()
	_ = c.proc.Wait()
	c.proc = nil
	if c.err == nil {
		c.err = errors.New("read objects: the cache is closed")
	}
}

// Close ends the long-lived git processes of the Repo. The Repo can still be used: a later
// read starts a new reader.
func (r *Repo) Close() {
	r.mu.Lock()
	cat := r.cat
	r.cat = nil
	r.mu.Unlock()
	if cat != nil {
		cat.mu.Lock()
		cat.stop()
		cat.mu.Unlock()
	}
}
