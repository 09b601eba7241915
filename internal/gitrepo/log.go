package gitrepo

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Commit is one entry of Log.
type Commit struct {
	SHA         string
	Parents     []string
	AuthorName  string
	AuthorEmail string
	// Date is the committer date: when the change landed on the branch.
	Date     time.Time
	Subject  string
	Body     string // the message after the subject, trailers included
	Trailers map[string]string
}

// logFormat has one field per Commit member, NUL-separated; -z ends each record with NUL.
const logFormat = "%H%x00%P%x00%an%x00%ae%x00%cI%x00%s%x00%b%x00%(trailers:only,unfold)"

const logFields = 8

// Log lists the commits reachable from ref that touch path, newest first; limit <= 0 means
// all. It reads commits and trees only, so a blobless cache answers without fetching.
func (r *Repo) Log(ctx context.Context, ref, path string, limit int) ([]Commit, error) {
	if ref == "" || strings.HasPrefix(ref, "-") {
		return nil, fmt.Errorf("invalid ref %q", ref)
	}
	args := []string{"log", "-z", "--format=" + logFormat}
	if limit > 0 {
		args = append(args, "-n", strconv.Itoa(limit))
	}
	args = append(args, ref, "--")
	if path != "" {
		args = append(args, path)
	}
	out, err := r.git.output(ctx, r.dir, nil, args...)
	if err != nil {
		return nil, fmt.Errorf("log %s: %w", path, err)
	}
	fields := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(fields) == 1 && fields[0] == "" {
		return nil, nil
	}
	if len(fields)%logFields != 0 {
		return nil, fmt.Errorf("log %s: unexpected git output (%d fields)", path, len(fields))
	}
	commits := make([]Commit, 0, len(fields)/logFields)
	for i := 0; i < len(fields); i += logFields {
		f := fields[i : i+logFields]
		date, err := time.Parse(time.RFC3339, f[4])
		if err != nil {
			return nil, fmt.Errorf("log %s: commit %s: %w", path, f[0], err)
		}
		commits = append(commits, Commit{
			SHA:         f[0],
			Parents:     strings.Fields(f[1]),
			AuthorName:  f[2],
			AuthorEmail: f[3],
			Date:        date,
			Subject:     f[5],
			Body:        strings.TrimRight(f[6], "\n"),
			Trailers:    parseTrailers(f[7]),
		})
	}
	return commits, nil
}

// parseTrailers reads "Key: value" lines; the first of a repeated key wins.
func parseTrailers(s string) map[string]string {
	t := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if _, seen := t[k]; !seen && k != "" {
			t[k] = strings.TrimSpace(v)
		}
	}
	return t
}
