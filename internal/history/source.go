package history

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gito-dev/gito/internal/gitrepo"
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

// RepoSource is the Source of a gitrepo.Repo: history asks gitrepo for the log and the blobs
// and parses them; it runs no git itself. A shallow cache is deepened before its first log,
// unless Offline (shell completion reads what the cache has, without the network).
type RepoSource struct {
	Repo    *gitrepo.Repo
	Offline bool
}

// Fields are separated by US; the body goes last so that nothing in it can shift a field.
const logFormat = "%H%x1f%P%x1f%an%x1f%ae%x1f%cI%x1f%s%x1f%(trailers:only,unfold)%x1f%b"

// Log implements Source with `git log --first-parent`.
func (s RepoSource) Log(ctx context.Context, ref string, paths []string, limit int) ([]Commit, error) {
	if !s.Offline {
		if err := s.Repo.Deepen(ctx); err != nil {
			return nil, err
		}
	}
	out, err := s.Repo.Log(ctx, gitrepo.LogQuery{Ref: ref, Paths: paths, Limit: limit, Format: logFormat})
	if err != nil {
		return nil, err
	}
	commits, err := parseLog(string(out))
	if err != nil {
		return nil, fmt.Errorf("git log %s: %w", ref, err)
	}
	return commits, nil
}

// ReadBlobs implements Source; offline, the blobs a blobless cache lacks are absent.
func (s RepoSource) ReadBlobs(ctx context.Context, specs []string) (map[string][]byte, error) {
	if s.Offline {
		return s.Repo.ReadCachedBlobs(ctx, specs)
	}
	return s.Repo.ReadBlobs(ctx, specs)
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
