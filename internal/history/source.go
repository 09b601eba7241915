package history

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Commit is one commit as Source.Log reports it.
type Commit struct {
	SHA         string
	Parents     []string
	AuthorName  string
	AuthorEmail string
	Date        time.Time // when the commit landed on the ref (committer date)
	Subject     string
	Body        string
	Trailers    map[string]string
	// Blobs optionally maps each of the logged paths this commit changed to its blob id after
	// the commit ("" when the commit deleted it). nil means unknown; Load then reads the
	// files by commit:path instead, which costs git a tree walk per file.
	Blobs map[string]string
}

// Source reads an infra repo's history without touching its work tree.
type Source interface {
	// Log lists the commits of ref's first-parent chain that changed any of paths, newest
	// first, at most limit of them (0: all). First-parent keeps merge commits, which carry the
	// PR number, and skips the commits of merged branches, which were never deployed.
	Log(ctx context.Context, ref string, paths []string, limit int) ([]Commit, error)
	// ReadBlobs reads "commit:path" specs in one go; specs that name no blob are absent from
	// the result.
	ReadBlobs(ctx context.Context, specs []string) (map[string][]byte, error)
}

// ExecGit is a Source that runs the git CLI in Dir.
type ExecGit struct {
	Dir string
}

// Fields are separated by US; the body goes last so that nothing in it can shift a field.
const logFormat = "%H%x1f%P%x1f%an%x1f%ae%x1f%cI%x1f%s%x1f%(trailers:only,unfold)%x1f%b"

// Log implements Source with `git log --first-parent`.
func (g ExecGit) Log(ctx context.Context, ref string, paths []string, limit int) ([]Commit, error) {
	if len(paths) == 0 {
		return nil, errors.New("git log: no paths")
	}
	args := []string{
		"-c", "log.showSignature=false", "-c", "log.follow=false", "-c", "log.showRoot=true",
		"log", "--first-parent", "--no-color", "--no-decorate", "-z", "--format=" + logFormat,
		// The new blob id of each changed path, so that the files are read by id.
		"--raw", "--no-abbrev", "--no-renames",
	}
	if limit > 0 {
		args = append(args, "-n", strconv.Itoa(limit))
	}
	args = append(args, "--end-of-options", ref, "--")
	args = append(args, paths...)

	cmd := g.command(ctx, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git log %s: %w", ref, gitError(err, &stderr))
	}
	commits, err := parseLog(string(out))
	if err != nil {
		return nil, fmt.Errorf("git log %s: %w", ref, err)
	}
	return commits, nil
}

// parseLog reads `git log -z --raw` output: each commit's format record ends in NUL and is
// followed by its raw diff entries, ":srcmode dstmode srcid dstid status" NUL path NUL.
func parseLog(out string) ([]Commit, error) {
	var commits []Commit
	fields := strings.Split(out, "\x00")
	for i := 0; i < len(fields); i++ {
		rec := strings.TrimLeft(fields[i], "\n")
		switch {
		case rec == "":
			continue
		case rec[0] == ':':
			if len(commits) == 0 || i+1 >= len(fields) {
				return nil, fmt.Errorf("unexpected diff entry %.60q", rec)
			}
			f := strings.Fields(rec)
			if len(f) != 5 {
				return nil, fmt.Errorf("unexpected diff entry %.60q", rec)
			}
			i++
			c := &commits[len(commits)-1]
			if c.Blobs == nil {
				c.Blobs = map[string]string{}
			}
			blob := f[3]
			if strings.Trim(blob, "0") == "" {
				blob = "" // deleted
			}
			c.Blobs[fields[i]] = blob
		default:
			c, err := parseCommit(rec)
			if err != nil {
				return nil, err
			}
			commits = append(commits, c)
		}
	}
	return commits, nil
}

func parseCommit(rec string) (Commit, error) {
	f := strings.SplitN(rec, "\x1f", 8)
	if len(f) != 8 {
		return Commit{}, fmt.Errorf("unexpected log record %.40q", rec)
	}
	date, err := time.Parse(time.RFC3339, f[4])
	if err != nil {
		return Commit{}, fmt.Errorf("commit %s: bad date %q", f[0], f[4])
	}
	var parents []string // nil for a root commit
	if f[1] != "" {
		parents = strings.Fields(f[1])
	}
	return Commit{
		SHA:         f[0],
		Parents:     parents,
		AuthorName:  f[2],
		AuthorEmail: f[3],
		Date:        date,
		Subject:     f[5],
		Trailers:    parseTrailers(f[6]),
		Body:        strings.TrimRight(f[7], "\n"),
	}, nil
}

func parseTrailers(s string) map[string]string {
	var m map[string]string
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || k == "" {
			continue
		}
		if m == nil {
			m = map[string]string{}
		}
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m
}

// ReadBlobs implements Source with a single `git cat-file --batch`.
func (g ExecGit) ReadBlobs(ctx context.Context, specs []string) (map[string][]byte, error) {
	blobs := make(map[string][]byte, len(specs))
	if len(specs) == 0 {
		return blobs, nil
	}
	for _, s := range specs {
		if strings.ContainsAny(s, "\n\r") {
			return nil, fmt.Errorf("git cat-file: object name %q contains a line break", s)
		}
	}
	cmd := g.command(ctx, "cat-file", "--batch", "--buffer")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}

	// Write every request up front from a goroutine while reading: git answers in order.
	writeErr := make(chan error, 1)
	go func() {
		w := bufio.NewWriterSize(stdin, 64<<10)
		for _, s := range specs {
			if _, err := w.WriteString(s + "\n"); err != nil {
				writeErr <- err
				return
			}
		}
		err := w.Flush()
		if cerr := stdin.Close(); err == nil {
			err = cerr
		}
		writeErr <- err
	}()

	readErr := readBatch(bufio.NewReaderSize(stdout, 64<<10), specs, blobs)
	if readErr != nil {
		// Unblock the writer and git before waiting for them.
		_ = cmd.Process.Kill()
	}
	werr := <-writeErr
	waitErr := cmd.Wait()
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("git cat-file: %w", ctx.Err())
	case readErr != nil:
		return nil, fmt.Errorf("git cat-file: %w", readErr)
	case waitErr != nil:
		return nil, fmt.Errorf("git cat-file: %w", gitError(waitErr, &stderr))
	case werr != nil:
		return nil, fmt.Errorf("git cat-file: %w", werr)
	}
	return blobs, nil
}

func readBatch(r *bufio.Reader, specs []string, blobs map[string][]byte) error {
	for _, spec := range specs {
		header, err := r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("reading %s: %w", spec, err)
		}
		header = strings.TrimSuffix(header, "\n")
		if strings.HasSuffix(header, " missing") || strings.HasSuffix(header, " ambiguous") {
			continue
		}
		// "<oid> <type> <size>"
		f := strings.Fields(header)
		if len(f) != 3 {
			return fmt.Errorf("reading %s: unexpected header %q", spec, header)
		}
		size, err := strconv.Atoi(f[2])
		if err != nil {
			return fmt.Errorf("reading %s: unexpected header %q", spec, header)
		}
		data := make([]byte, size+1) // content and its trailing newline
		if _, err := io.ReadFull(r, data); err != nil {
			return fmt.Errorf("reading %s: %w", spec, err)
		}
		if f[1] == "blob" {
			blobs[spec] = data[:size]
		}
	}
	return nil
}

func (g ExecGit) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = g.Dir
	// Read-only commands must not take index or ref locks another git may hold.
	cmd.Env = append(os.Environ(), "GIT_OPTIONAL_LOCKS=0", "GIT_TERMINAL_PROMPT=0")
	return cmd
}

// gitError adds git's first stderr line to err.
func gitError(err error, stderr *bytes.Buffer) error {
	line, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
	if line == "" {
		return err
	}
	return fmt.Errorf("%s: %w", line, err)
}
