package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// row is one line of the report: gito against its floor, and the target on their ratio.
type row struct {
	what        string
	gito, floor series
	floorName   string
	limit       float64 // the ratio gito/floor may not exceed; 0: no target
	inverse     bool    // the target is floor/gito ≥ limit (faster than the naive script)
}

func (r row) ratio() float64 {
	if r.inverse {
		return r.floor.median().Seconds() / r.gito.median().Seconds()
	}
	return r.gito.median().Seconds() / r.floor.median().Seconds()
}

func (r row) ok() bool {
	if r.limit == 0 {
		return true
	}
	if r.inverse {
		return r.ratio() >= r.limit
	}
	return r.ratio() <= r.limit
}

// report runs every case, reps times each, and prints the table; a missed target is an error.
func (b *bench) report() error {
	var rows []row
	say := func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

	if err := b.dropBranches(); err != nil { // what an interrupted run left
		return err
	}
	// Floors, cold and warm, in one clone lineage.
	var coldFloor, warmFloor series
	var floorClone string
	for i := range b.reps {
		d, clone, err := b.coldFloor(i)
		if err != nil {
			return err
		}
		coldFloor, floorClone = append(coldFloor, d), clone
	}
	for i := range b.reps {
		d, err := b.warmFloor(floorClone, i)
		if err != nil {
			return err
		}
		warmFloor = append(warmFloor, d)
	}
	say("floors: cold %s, warm %s", secs(coldFloor.median()), secs(warmFloor.median()))

	// gito cold: a new cache every run, as a CI bot has.
	var cold series
	var coldCache string
	for i := range b.reps {
		coldCache = b.dir(fmt.Sprintf("cache-cold-%d", i))
		s, err := b.release(coldCache, b.service(100+i), b.version)
		if err != nil {
			return err
		}
		cold = append(cold, s.wall)
	}
	repoDir, err := cacheRepo(coldCache)
	if err != nil {
		return err
	}
	shallowAfterCold := isShallow(repoDir)
	say("gito cold: %s (cache shallow afterwards: %v)", secs(cold.median()), shallowAfterCold)

	// gito warm: one cache, a distinct service each run.
	warmCache := b.dir("cache-warm")
	if _, err := b.release(warmCache, b.service(199), b.version); err != nil { // fills the cache
		return err
	}
	var warm series
	for i := range b.reps {
		s, err := b.release(warmCache, b.service(200+i), b.version)
		if err != nil {
			return err
		}
		warm = append(warm, s.wall)
	}
	say("gito warm: %s", secs(warm.median()))

	var naive series
	for i := range b.reps {
		d, err := b.naive(i)
		if err != nil {
			return err
		}
		naive = append(naive, d)
	}
	say("naive script: %s", secs(naive.median()))

	// History on the warm cache: the first run deepens it (timed apart), the next ones are
	// measured against git log on the same cache.
	svc, env := b.repo.historySubject()
	histArgs := []string{"history", "--repo", b.remote, "-s", svc, "-e", env, "--limit", "0", "--json"}
	first, err := timed(b.withCache(warmCache), b.work, b.gito, histArgs...)
	if err != nil {
		return err
	}
	b.noteRSS("history", first)
	var entries []json.RawMessage
	if err := json.Unmarshal(first.stdout, &entries); err != nil {
		return fmt.Errorf("history --json: %w", err)
	}
	say("history: first run %s (deepens the cache), %d releases", secs(first.wall), len(entries))
	warmRepo, err := cacheRepo(warmCache)
	if err != nil {
		return err
	}
	var hist, gitLog series
	for range b.reps {
		s, err := timed(b.withCache(warmCache), b.work, b.gito, histArgs...)
		if err != nil {
			return err
		}
		b.noteRSS("history", s)
		hist = append(hist, s.wall)
		g, err := timed(b.env, b.work, "git", "-C", warmRepo, "log", "--first-parent", "--raw", "refs/remotes/origin/main", "--", "overlays/"+env+"/"+svc)
		if err != nil {
			return err
		}
		gitLog = append(gitLog, g.wall)
	}

	// Rollback to the oldest release (memory only: no target on its time).
	var oldest struct{ Version string }
	if len(entries) > 0 {
		_ = json.Unmarshal(entries[len(entries)-1], &oldest)
	}
	if oldest.Version != "" {
		s, err := timed(b.withCache(warmCache), b.work, b.gito, "rollback", "--repo", b.remote, "-s", svc, "-e", env, "--to", oldest.Version, "--json")
		if err != nil {
			return err
		}
		b.noteRSS("rollback", s)
		say("rollback to %s: %s", oldest.Version, secs(s.wall))
	}

	// 20 parallel releases against one, on a warm cache each round.
	var par, one series
	for i := range b.reps {
		if err := b.dropBranches(); err != nil {
			return err
		}
		parCache := filepath.Join(b.work, fmt.Sprintf("cache-par-%d", i))
		if _, err := b.release(parCache, b.service(1999), fmt.Sprintf("%s-warm%d", b.version, i)); err != nil {
			return err
		}
		s, err := b.release(parCache, b.service(1998), fmt.Sprintf("%s-one%d", b.version, i))
		if err != nil {
			return err
		}
		one = append(one, s.wall)
		d, err := b.parallel(parCache, 20, i)
		if err != nil {
			return err
		}
		par = append(par, d)
		_ = os.RemoveAll(parCache)
	}
	_ = b.dropBranches()

	rows = append(rows,
		row{what: "warm release", gito: warm, floor: warmFloor, floorName: "no-op fetch + push of one commit", limit: 1.5},
		row{what: "warm release vs naive script", gito: warm, floor: naive, floorName: "full clone + kustomize edit + commit + push", limit: 50, inverse: true},
		row{what: "cold release", gito: cold, floor: coldFloor, floorName: "clone --filter=blob:none --depth=1 --no-checkout + push", limit: 2},
		row{what: fmt.Sprintf("history --limit 0 (%d releases)", len(entries)), gito: hist, floor: gitLog, floorName: "git log --first-parent --raw -- <overlay>", limit: 1.3},
		row{what: "20 parallel releases", gito: par, floor: one, floorName: "one release", limit: 3},
	)
	return b.print(rows, shallowAfterCold)
}

func (b *bench) print(rows []row, shallow bool) error {
	tw := tabwriter.NewWriter(os.Stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "synthetic repo: %d services × %d envs, %d commits; %d runs per case\n\n", b.repo.services, b.repo.envs, b.repo.commits, b.reps)
	fmt.Fprintln(tw, "case\tgito median (spread)\tfloor\tfloor median (spread)\tratio\ttarget\t")
	var missed []string
	for _, r := range rows {
		target, ratio := "-", fmt.Sprintf("%.2f×", r.ratio())
		if r.limit > 0 {
			op := "≤"
			if r.inverse {
				op = "≥"
				ratio = fmt.Sprintf("%.1f× faster", r.ratio())
			}
			target = fmt.Sprintf("%s %g× ", op, r.limit)
			if r.ok() {
				target += "ok"
			} else {
				target += "MISSED"
				missed = append(missed, r.what)
			}
		}
		fmt.Fprintf(tw, "%s\t%s (%s)\t%s\t%s (%s)\t%s\t%s\t\n", r.what, secs(r.gito.median()), r.gito.spread(), r.floorName, secs(r.floor.median()), r.floor.spread(), ratio, target)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "command\tgito peak RSS\twith its largest git child\ttarget\t")
	for _, cmd := range []string{"release", "history", "rollback"} {
		mb := float64(b.rss[cmd]) / 1024
		status := "≤ 100 MB ok"
		if mb > 100 {
			status = "≤ 100 MB MISSED"
			missed = append(missed, cmd+" RSS")
		}
		fmt.Fprintf(tw, "%s\t%.1f MB\t%.1f MB\t%s\t\n", cmd, mb, float64(b.treeRSS[cmd])/1024, status)
	}
	fmt.Fprintf(tw, "\ncache shallow after a cold release: %v\n", shallow)
	if !shallow {
		missed = append(missed, "shallow cold start")
	}
	tw.Flush()
	if len(missed) > 0 {
		return fmt.Errorf("targets missed: %s", strings.Join(missed, ", "))
	}
	fmt.Println("all targets met")
	return nil
}
